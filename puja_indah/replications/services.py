"""Writes of the replication log: log a replication (creating the replica as a draft innovation
when asked), edit it with a stale-form check, change its status with a dated history, and link
agreement documents.

Every function checks the scope and the input first and raises `ServiceError` with a translated
message, so a refused change never reaches the database; the tenancy flush guard is the backstop.
Functions flush, never commit: the view commits once per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from puja_indah.core import staleness
from puja_indah.core.clock import today_wita
from puja_indah.core.models import Agency
from puja_indah.core.permissions import can_edit_own_agency_content
from puja_indah.core.tenancy import Scope
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin, Stage, StageChange
from puja_indah.replications import queries
from puja_indah.replications.models import (
    Replication,
    ReplicationDocument,
    ReplicationMode,
    ReplicationStatus,
    ReplicationStatusChange,
    allowed_next,
)

# Fields a stale-form check compares (what the edit form shows).
EDIT_FIELDS = (
    "mode",
    "lessons",
    "source_name",
    "source_region_name",
    "source_agency_name",
    "source_url",
)


class ServiceError(Exception):
    """A change refused with a message for the user; `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The scope may not make this change (the view answers 403)."""


class StaleForm(ServiceError):
    """Someone saved the replication after the form was opened."""

    def __init__(self, changes: list[tuple[str, str, str]], version: int) -> None:
        super().__init__(_("Someone else changed this replication after you opened the form."))
        self.changes = changes  # (field, value when opened, value now)
        self.version = version


def _ensure_writer(scope: Scope) -> int:
    if not can_edit_own_agency_content(scope) or scope.agency_id is None:
        raise NotAllowed(_("Your role does not allow this change."))
    return scope.agency_id


def fold_name(name: str) -> str:
    """An innovation's name folded for the per-region uniqueness check."""
    return " ".join(name.casefold().split())


def is_web_link(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _flush(message: str, field: str | None) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        raise ServiceError(message, field) from None


# --- create --------------------------------------------------------------------------------------


@dataclass
class NewReplication:
    mode: str
    started_on: date | None
    source_innovation_id: int | None = None
    source_name: str = ""
    source_region_name: str = ""
    source_agency_name: str = ""
    source_url: str = ""
    replica_id: int | None = None  # an existing own innovation; None: create a draft
    replica_name: str = ""
    lessons: str = ""


def _check_date(when: date | None, field: str, *, not_before: date | None = None) -> date:
    if when is None:
        raise ServiceError(_("Enter a date as YYYY-MM-DD."), field)
    if when > today_wita():
        raise ServiceError(_("The date cannot be in the future."), field)
    if not_before is not None and when < not_before:
        raise ServiceError(
            _(
                "The date cannot be before the last status change (%(date)s).",
                date=not_before.isoformat(),
            ),
            field,
        )
    return when


def _mode(value: str) -> ReplicationMode:
    try:
        return ReplicationMode(value)
    except ValueError:
        raise ServiceError(_("Choose one of the listed options."), "mode") from None


def create_replication(scope: Scope, user_id: int | None, data: NewReplication) -> Replication:
    agency_id = _ensure_writer(scope)
    mode = _mode(data.mode)
    started_on = _check_date(data.started_on, "started_on")
    replication = Replication(agency_id=agency_id, mode=mode, created_by_id=user_id)

    if data.source_innovation_id is not None:
        card = queries.source_card(data.source_innovation_id, exclude_agency_id=agency_id)
        if card is None:
            raise ServiceError(
                _("Choose a published innovation of another agency as the source."),
                "source_innovation_id",
            )
        replication.source_innovation_id = card.id
        replication.source_name = card.name
        replication.source_region_name = card.region_name
        replication.source_agency_name = card.agency_name
        replication.source_url = ""
    else:
        _set_outside_source(replication, data)

    replica = _replica_for(agency_id, data, default_name=replication.source_name, day=started_on)
    replication.replica = replica
    replication.replica_id = replica.id
    replication.status = ReplicationStatus.INTEREST
    replication.status_on = started_on
    replication.lessons = data.lessons
    db.session.add(replication)
    replication.changes.append(
        ReplicationStatusChange(
            agency_id=agency_id,
            from_status=None,
            to_status=ReplicationStatus.INTEREST,
            changed_on=started_on,
            user_id=user_id,
        )
    )
    _flush(_("This innovation is already the replica of another replication."), "replica_id")
    return replication


def _set_outside_source(replication: Replication, data: Any) -> None:
    if not data.source_name:
        raise ServiceError(_("Name the innovation you replicate."), "source_name")
    if not data.source_region_name:
        raise ServiceError(_("Name the region the innovation comes from."), "source_region_name")
    if data.source_url and not is_web_link(data.source_url):
        raise ServiceError(
            _("Enter a web address starting with http:// or https://."), "source_url"
        )
    replication.source_name = data.source_name
    replication.source_region_name = data.source_region_name
    replication.source_agency_name = data.source_agency_name
    replication.source_url = data.source_url


def _replica_for(
    agency_id: int, data: NewReplication, *, default_name: str, day: date
) -> Innovation:
    if data.replica_id is not None:
        free = {innovation_id for innovation_id, _name in queries.free_replica_choices()}
        replica = db.session.get(Innovation, data.replica_id)
        if replica is None or replica.id not in free:
            raise ServiceError(
                _("Choose one of your innovations that is not the replica of another one."),
                "replica_id",
            )
        if replica.origin is not Origin.REPLICATION:
            replica.origin = Origin.REPLICATION
        return replica
    name = data.replica_name or default_name
    agency = db.session.get(Agency, agency_id)
    assert agency is not None  # the scope's own agency
    replica = Innovation(
        agency_id=agency_id,
        region_id=agency.region_id,
        origin=Origin.REPLICATION,
        name=name,
        name_key=fold_name(name),
    )
    # Like any new innovation, the draft's history starts with its first stage.
    replica.stage_changes.append(
        StageChange(agency_id=agency_id, from_stage=None, to_stage=Stage.INITIATIVE, changed_on=day)
    )
    db.session.add(replica)
    _flush(
        _(
            "An innovation named %(name)s already exists in your region: choose another name.",
            name=name,
        ),
        "replica_name",
    )
    return replica


# --- edit with a stale-form check ---------------------------------------------------------------


def snapshot(replication: Replication) -> dict[str, str]:
    return {name: str(getattr(replication, name) or "") for name in EDIT_FIELDS}


def decode_snapshot(text: str | None) -> dict[str, str]:
    """The values the form was opened with ({} when the hidden field was lost or altered)."""
    return staleness.decode_snapshot(text, EDIT_FIELDS) or {}


def _check_version(
    replication: Replication, opened_version: int | None, opened: dict[str, str]
) -> None:
    if opened_version == replication.version:
        return
    now = snapshot(replication)
    changes = [(k, opened.get(k, ""), now[k]) for k in EDIT_FIELDS if opened.get(k, "") != now[k]]
    raise StaleForm(changes, replication.version)


@dataclass
class EditReplication:
    mode: str
    lessons: str
    source_name: str = ""
    source_region_name: str = ""
    source_agency_name: str = ""
    source_url: str = ""


def update_replication(
    scope: Scope,
    replication: Replication,
    *,
    opened_version: int | None,
    opened: dict[str, str],
    data: EditReplication,
) -> None:
    _ensure_writer(scope)
    _check_version(replication, opened_version, opened)
    mode = _mode(data.mode)
    if not replication.from_platform:
        _set_outside_source(replication, data)
    if replication.mode != mode:
        replication.mode = mode
    if replication.lessons != data.lessons:
        replication.lessons = data.lessons
    _flush_versioned(replication, opened)


def _flush_versioned(replication: Replication, opened: dict[str, str]) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        # Saved by someone else between our read and our write.
        db.session.rollback()
        current = db.session.get(Replication, replication.id)
        raise StaleForm([], current.version if current else -1) from None


# --- status --------------------------------------------------------------------------------------


def change_status(
    scope: Scope,
    replication: Replication,
    user_id: int | None,
    *,
    opened_version: int | None,
    to_status: str,
    changed_on: date | None,
    note: str,
) -> ReplicationStatusChange:
    _ensure_writer(scope)
    if opened_version != replication.version:
        raise StaleForm([], replication.version)
    try:
        target = ReplicationStatus(to_status)
    except ValueError:
        raise ServiceError(_("Choose one of the listed options."), "to_status") from None
    allowed = allowed_next(replication.status)
    if not allowed:
        raise ServiceError(
            _("This replication is finished: its status can no longer change."), "to_status"
        )
    if target not in allowed:
        raise ServiceError(
            _("A replication cannot move from this status to the chosen one."), "to_status"
        )
    last = max((c.changed_on for c in replication.changes), default=None)
    when = _check_date(changed_on, "changed_on", not_before=last)
    if target is ReplicationStatus.STOPPED and not note:
        raise ServiceError(_("Say why the replication was stopped."), "note")
    change = ReplicationStatusChange(
        agency_id=replication.agency_id,
        from_status=replication.status,
        to_status=target,
        changed_on=when,
        note=note,
        user_id=user_id,
    )
    replication.changes.append(change)
    replication.status = target
    replication.status_on = when
    _flush_versioned(replication, {})
    return change


# --- agreement documents -------------------------------------------------------------------------


def link_document(scope: Scope, replication: Replication, evidence_id: int | None) -> None:
    _ensure_writer(scope)
    choices = {e.id for e in queries.linkable_evidence(replication)}
    if evidence_id is None or evidence_id not in choices:
        raise ServiceError(_("Choose one of your documents."), "evidence_id")
    replication.documents.append(
        ReplicationDocument(agency_id=replication.agency_id, evidence_id=evidence_id)
    )
    _flush(_("That document is linked already."), "evidence_id")


@dataclass
class LinkOnlyDocument:
    title: str
    document_number: str
    document_date: date | None
    link_url: str


def add_link_document(scope: Scope, replication: Replication, data: LinkOnlyDocument) -> Evidence:
    """A link-only evidence document (no file), created and linked in one step."""
    _ensure_writer(scope)
    if not data.title:
        raise ServiceError(_("Fill in this field."), "title")
    if not is_web_link(data.link_url):
        raise ServiceError(_("Enter a web address starting with http:// or https://."), "link_url")
    if data.document_date is not None and data.document_date > today_wita():
        raise ServiceError(_("The date cannot be in the future."), "document_date")
    evidence = Evidence(
        agency_id=replication.agency_id,
        innovation_id=replication.replica_id,
        title=data.title,
        document_number=data.document_number,
        document_date=data.document_date,
        subject=_("Replication agreement"),
        link_url=data.link_url,
    )
    db.session.add(evidence)
    db.session.flush()
    replication.documents.append(
        ReplicationDocument(agency_id=replication.agency_id, evidence_id=evidence.id)
    )
    db.session.flush()
    return evidence


def unlink_document(scope: Scope, replication: Replication, link_id: int | None) -> None:
    """Remove the link (the evidence document itself stays in the vault)."""
    _ensure_writer(scope)
    link = next((d for d in replication.documents if d.id == link_id), None)
    if link is None:
        raise ServiceError(_("That document is not linked to this replication."))
    replication.documents.remove(link)
    db.session.flush()


def replication_of_replica(innovation_id: int) -> Replication | None:
    return db.session.scalar(select(Replication).where(Replication.replica_id == innovation_id))
