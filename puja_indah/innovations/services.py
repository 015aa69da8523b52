"""Writes of the innovations feature: save a profile (draft or complete), move its stage,
publish it.

Every function checks the policy and the input first and raises `ServiceError` (or `Incomplete`
with every problem per field) before anything reaches the database; a form opened at an older
version raises `Conflict`, so nothing is silently overwritten. Functions flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from puja_indah.agencies.models import Appointment
from puja_indah.core import staleness
from puja_indah.core.clock import today_wita
from puja_indah.core.db import utcnow
from puja_indah.core.models import Agency
from puja_indah.core.permissions import can_edit_innovation, can_edit_innovations
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db
from puja_indah.innovations import rules
from puja_indah.innovations.forms import PROFILE_FIELDS, label_of
from puja_indah.innovations.models import (
    Innovation,
    InnovationAffair,
    InnovationForm,
    InnovationKind,
    Origin,
    ProfileStatus,
    Stage,
    StageChange,
)
from puja_indah.reference.models import Affair, InitiatorKind, Theme

# Fields whose value is the related row's name in snapshots and conflict reports.
RELATED = {
    "appointment_id": "appointment",
    "initiator_kind_id": "initiator_kind",
    "theme_id": "theme",
    "affair_id": "affair",
}
SNAPSHOT_FIELDS = (*PROFILE_FIELDS, "stage", "status", "published")


class ServiceError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The scope may not make this change (the view answers 403)."""


class Incomplete(ServiceError):
    """The profile does not meet the rules: every problem, per field."""

    def __init__(self, problems: dict[str, list[LazyString]]) -> None:
        super().__init__(_("The profile was not saved: correct the fields marked below."))
        self.problems = problems


class Conflict(Exception):
    """Someone saved the innovation after this form was opened."""


def _ensure(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed(_("Your role does not allow this change."))


# --- snapshots: what a form was opened with ------------------------------------------------------


def snapshot(innovation: Innovation) -> dict[str, str]:
    """The innovation's values as text, language-independent (enum codes, related rows' names)."""
    values: dict[str, str] = {}
    for name in SNAPSHOT_FIELDS:
        if name in RELATED:
            related = getattr(innovation, RELATED[name])
            values[name] = "" if related is None else _related_name(related)
        elif name == "other_affair_ids":
            values[name] = "; ".join(sorted(str(link.affair) for link in innovation.other_affairs))
        else:
            value = getattr(innovation, name)
            if name == "developed_further":
                value = "" if value is None else ("yes" if value else "no")
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            elif isinstance(value, date):
                value = value.isoformat()
            elif hasattr(value, "value"):
                value = value.value
            values[name] = "" if value is None else str(value)
    return values


def _related_name(obj: Any) -> str:
    if isinstance(obj, Appointment):
        return f"{obj.decree.number} · {obj.innovation_name or obj.agency.name}"
    if isinstance(obj, Theme):
        return f"{obj.year} · {obj.name}"
    return str(obj)


def decode_snapshot(text: str | None) -> dict[str, str] | None:
    return staleness.decode_snapshot(text, SNAPSHOT_FIELDS)


@dataclass(frozen=True)
class ConflictReport:
    # (field name, their value now, the value this user's form was opened with)
    changes: list[tuple[str, str, str]]
    version: int
    current: dict[str, str]
    editor: str


def describe_conflict(innovation: Innovation, opened: dict[str, str] | None) -> ConflictReport:
    """What the other person changed since the form was opened (every field that differs from
    the opened values; when those are unknown, every field is listed with its value now)."""
    db.session.refresh(innovation)
    current = snapshot(innovation)
    changes = [
        (name, current[name], opened[name] if opened is not None else "")
        for name in SNAPSHOT_FIELDS
        if opened is None or current[name] != opened[name]
    ]
    editor = innovation.updated_by.name if innovation.updated_by is not None else ""
    return ConflictReport(changes, innovation.version, current, editor)


# --- the profile ---------------------------------------------------------------------------------


@dataclass
class ProfileInput:
    name: str
    origin: str
    appointment_id: int | None = None
    summary: str = ""
    initiator_kind_id: int | None = None
    initiator_name: str = ""
    kind: str = ""
    form: str = ""
    theme_id: int | None = None
    affair_id: int | None = None
    other_affair_ids: list[int] = field(default_factory=list)
    trial_date: date | None = None
    implementation_date: date | None = None
    developed_further: str = ""  # "yes" / "no" / ""
    developed_note: str = ""
    texts: dict[str, str] = field(default_factory=dict)  # design sections and other text fields
    video_url: str = ""
    stage: str = Stage.INITIATIVE.value  # only when creating


TEXT_FIELDS = tuple(
    name
    for name in PROFILE_FIELDS
    if name
    not in {
        "name",
        "origin",
        "appointment_id",
        "initiator_kind_id",
        "initiator_name",
        "kind",
        "form",
        "theme_id",
        "affair_id",
        "other_affair_ids",
        "trial_date",
        "implementation_date",
        "developed_further",
        "developed_note",
        "video_url",
    }
)


def _enum(enum_type: Any, value: str, field_name: str) -> Any:
    if not value:
        return None
    try:
        return enum_type(value)
    except ValueError:
        raise ServiceError(_("Choose one of the listed options."), field_name) from None


def _row(model: Any, row_id: int | None, field_name: str, *, active_or: int | None = None) -> Any:
    """A reference row by id (an inactive one only when it is the value already stored)."""
    if row_id is None:
        return None
    row = db.session.get(model, row_id)
    if row is None or (not getattr(row, "active", True) and row_id != active_or):
        raise ServiceError(_("Choose one of the listed options."), field_name)
    return row


def agency_appointment(agency_id: int | None, appointment_id: int | None) -> Appointment | None:
    if appointment_id is None or agency_id is None:
        return None
    return db.session.scalar(
        select(Appointment).where(
            Appointment.id == appointment_id, Appointment.agency_id == agency_id
        )
    )


def save_profile(
    scope: Scope,
    innovation: Innovation | None,
    data: ProfileInput,
    *,
    complete: bool,
    opened_version: int | None,
    user_id: int | None,
) -> Innovation:
    """Create (`innovation` None) or change a profile. A draft needs only a name; `complete`
    checks every rule of the stage and marks the profile complete. A complete profile stays
    complete: its later saves are checked the same way."""
    if innovation is None:
        _ensure(can_edit_innovations(scope) and scope.agency_id is not None)
    else:
        _ensure(can_edit_innovation(scope, innovation))
        if opened_version is None or opened_version != innovation.version:
            raise Conflict()
        complete = complete or innovation.status is ProfileStatus.COMPLETE

    origin = _enum(Origin, data.origin, "origin") or Origin.OWN
    kind = _enum(InnovationKind, data.kind, "kind")
    form = _enum(InnovationForm, data.form, "form")
    stage = innovation.stage if innovation is not None else _enum(Stage, data.stage, "stage")
    stage = stage or Stage.INITIATIVE
    appointment = agency_appointment(scope.agency_id, data.appointment_id)
    if data.appointment_id is not None and appointment is None:
        raise ServiceError(_("Choose one of the listed options."), "appointment_id")
    if origin is not Origin.ASSIGNED:
        appointment = None
    stored = innovation
    initiator = _row(
        InitiatorKind,
        data.initiator_kind_id,
        "initiator_kind_id",
        active_or=stored.initiator_kind_id if stored else None,
    )
    theme = _row(Theme, data.theme_id, "theme_id", active_or=stored.theme_id if stored else None)
    affair = _row(
        Affair, data.affair_id, "affair_id", active_or=stored.affair_id if stored else None
    )
    kept_others = {link.affair_id for link in stored.other_affairs} if stored else set()
    others: list[Affair] = []
    for affair_id in dict.fromkeys(data.other_affair_ids):
        other = _row(
            Affair,
            affair_id,
            "other_affair_ids",
            active_or=affair_id if affair_id in kept_others else None,
        )
        if affair is None or other.id != affair.id:
            others.append(other)
    developed = {"yes": True, "no": False}.get(data.developed_further)

    values: dict[str, Any] = {
        "name": data.name,
        "origin": origin,
        "appointment_id": appointment.id if appointment else None,
        "stage": stage,
        "summary": data.summary,
        "initiator_kind_id": initiator.id if initiator else None,
        "initiator_name": data.initiator_name,
        "kind": kind,
        "form": form,
        "theme_id": theme.id if theme else None,
        "affair_id": affair.id if affair else None,
        "trial_date": data.trial_date,
        "implementation_date": data.implementation_date,
        "developed_further": developed,
        "developed_note": data.developed_note,
        "video_url": data.video_url,
        **{name: data.texts.get(name, "") for name in TEXT_FIELDS},
    }
    problems = rules.problems(values) if complete else rules.draft_problems(values)
    if problems:
        raise Incomplete(problems)

    if innovation is None:
        agency = db.session.get(Agency, scope.agency_id)
        if agency is None:
            raise NotAllowed(_("Your role does not allow this change."))
        innovation = Innovation(agency_id=agency.id, region_id=agency.region_id, stage=stage)
        db.session.add(innovation)
        innovation.stage_changes.append(
            StageChange(
                agency_id=agency.id,
                from_stage=None,
                to_stage=stage,
                changed_on=today_wita(),
                user_id=user_id,
            )
        )
    changed = innovation.id is None
    for name, value in values.items():
        if name == "stage":
            continue
        if getattr(innovation, name) != value:
            setattr(innovation, name, value)
            changed = True
    key = rules.fold_name(data.name)
    if innovation.name_key != key:
        innovation.name_key = key
        changed = True
    wanted = {other.id for other in others}
    for link in list(innovation.other_affairs):
        if link.affair_id not in wanted:
            innovation.other_affairs.remove(link)
            changed = True
    present = {link.affair_id for link in innovation.other_affairs}
    for other in others:
        if other.id not in present:
            innovation.other_affairs.append(
                InnovationAffair(agency_id=innovation.agency_id, affair_id=other.id)
            )
            changed = True
    if complete and innovation.status is not ProfileStatus.COMPLETE:
        innovation.status = ProfileStatus.COMPLETE
        innovation.completed_at = utcnow()
        changed = True
    if changed:
        # Touch the row itself even when only linked rows changed: the version moves on, so a
        # form opened before this save is refused instead of overwriting it.
        innovation.updated_by_id = user_id
        innovation.updated_at = utcnow()
    _flush_profile()
    return innovation


def _flush_profile() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict() from None
    except IntegrityError as error:
        if "name_key" in str(error.orig):
            raise ServiceError(
                _("An innovation of this name already exists in the region."), "name"
            ) from None
        raise


# --- stages --------------------------------------------------------------------------------------


def move_stage(
    scope: Scope,
    innovation: Innovation,
    *,
    to_stage: str,
    changed_on: date | None,
    note: str,
    opened_version: int | None,
    user_id: int | None,
) -> StageChange:
    """Record a dated move to another stage. Forward moves need a date (not in the future, not
    before the previous change); a correction to an earlier stage needs a note as well. An
    empty trial or implementation date takes the date of the move to that stage."""
    _ensure(can_edit_innovation(scope, innovation))
    if opened_version is None or opened_version != innovation.version:
        raise Conflict()
    target = _enum(Stage, to_stage, "to_stage")
    if target is None:
        raise ServiceError(_("Choose a stage."), "to_stage")
    if target is innovation.stage:
        raise ServiceError(_("The innovation is already at this stage."), "to_stage")
    if changed_on is None:
        raise ServiceError(_("Enter the date of the change."), "changed_on")
    if changed_on > today_wita():
        raise ServiceError(_("The date cannot be in the future."), "changed_on")
    last = innovation.stage_changes[-1] if innovation.stage_changes else None
    if last is not None and changed_on < last.changed_on:
        raise ServiceError(
            _(
                "The date cannot be before the previous change (%(date)s).",
                date=last.changed_on.isoformat(),
            ),
            "changed_on",
        )
    backward = target.rank < innovation.stage.rank
    if backward and not note.strip():
        raise ServiceError(
            _("Explain in the note why the innovation goes back to an earlier stage."), "note"
        )
    if not backward:
        if target.rank >= Stage.TRIAL.rank and innovation.trial_date is None:
            innovation.trial_date = changed_on
        if target is Stage.IMPLEMENTATION and innovation.implementation_date is None:
            innovation.implementation_date = changed_on
        if (
            innovation.trial_date is not None
            and innovation.implementation_date is not None
            and innovation.trial_date > innovation.implementation_date
        ):
            raise ServiceError(
                _("The implementation date cannot be before the trial date."), "changed_on"
            )
    if innovation.status is ProfileStatus.COMPLETE:
        values = {name: getattr(innovation, name) for name in rules_fields()}
        values["stage"] = target
        missing = rules.problems(values)
        if missing:
            raise ServiceError(
                _(
                    "The profile is complete, so first fill in what this stage requires"
                    " (edit the profile): %(fields)s.",
                    fields=", ".join(label_of(name) for name in missing),
                ),
                "to_stage",
            )
    change = StageChange(
        agency_id=innovation.agency_id,
        from_stage=innovation.stage,
        to_stage=target,
        changed_on=changed_on,
        note=note.strip(),
        user_id=user_id,
    )
    innovation.stage_changes.append(change)
    innovation.stage = target
    innovation.updated_by_id = user_id
    innovation.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict() from None
    return change


def rules_fields() -> tuple[str, ...]:
    return (
        "name",
        "origin",
        "appointment_id",
        "summary",
        "initiator_kind_id",
        "initiator_name",
        "kind",
        "form",
        "theme_id",
        "affair_id",
        "trial_date",
        "implementation_date",
        "developed_further",
        *TEXT_FIELDS,
    )


# --- publication ---------------------------------------------------------------------------------


def set_published(
    scope: Scope,
    innovation: Innovation,
    *,
    publish: bool,
    opened_version: int | None,
    user_id: int | None,
) -> None:
    _ensure(can_edit_innovation(scope, innovation))
    if opened_version is None or opened_version != innovation.version:
        raise Conflict()
    if publish and innovation.status is not ProfileStatus.COMPLETE:
        raise ServiceError(_("A draft cannot be published: submit the profile as complete first."))
    if innovation.published == publish:
        return
    innovation.published = publish
    innovation.published_at = utcnow() if publish else None
    innovation.updated_by_id = user_id
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict() from None
