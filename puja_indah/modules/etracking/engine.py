"""The e-tracking engine's writes: install a preset, register a file, act on it.

Every step on a file is a compare-and-swap on `TrackedFile.last_sequence`: the clerk's screen
carries the sequence it saw, the UPDATE only succeeds while the file is still there, and the new
`FileEvent` takes the next sequence number (unique per file). So two clerks pressing "advance"
at once move the file one stage, not two, and the slower one is told what happened instead.
Services flush, never commit; the view commits once, and rolls back when a step is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from puja_indah.core.db import utcnow
from puja_indah.core.models import Agency
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db
from puja_indah.modules.etracking import codes
from puja_indah.modules.etracking.models import (
    CollectiveLeave,
    FileAction,
    FileEvent,
    FileKind,
    FileStatus,
    Process,
    ProcessVersion,
    StageDefinition,
    TrackedFile,
    WorkingCalendar,
)
from puja_indah.modules.etracking.worktime import (
    WITA,
    Interval,
    WorkCalendar,
    active_minutes,
    national_holidays,
)

PRESETS_FILE = Path(__file__).parent / "data" / "presets.yaml"
MAX_REASON = 1000
MAX_INTERNAL_NUMBER = 80
MAX_AMOUNT = Decimal("9999999999999999.99")


class EngineRefused(Exception):
    """A step the engine will not take; the message says why, in the user's language. `field`
    names the input at fault; `kind` says why for callers that answer in status codes (the JSON
    API): "stale" (someone acted since the caller's sequence), "forbidden" (this scope or role
    may not act here), else "refused" (the step is not possible now, or an input is wrong)."""

    def __init__(self, message: str, field: str | None = None, kind: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.kind = kind


# --- presets -------------------------------------------------------------------------------------


# Preset files of other modules built on the engine (e-minduk adds its own): merged after ours.
EXTRA_PRESET_FILES: list[Path] = []


def add_presets(path: Path) -> None:
    """A module on the engine contributes its presets file (once, at import)."""
    if path not in EXTRA_PRESET_FILES:
        EXTRA_PRESET_FILES.append(path)


def presets() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(PRESETS_FILE.read_text(encoding="utf-8"))
    for extra in EXTRA_PRESET_FILES:
        for key, spec in yaml.safe_load(extra.read_text(encoding="utf-8")).items():
            data.setdefault(key, spec)  # a module never replaces the engine's own presets
    return data


def install_preset(agency_id: int, preset: str) -> Process:
    """Create the preset's process (version 1) for the desk agency; an installed one is kept."""
    spec = presets().get(preset)
    if spec is None:
        raise EngineRefused(_("Unknown process preset."))
    existing = db.session.scalar(
        select(Process).where(Process.agency_id == agency_id, Process.code == spec["code"])
    )
    if existing is not None:
        return existing
    process = Process(
        agency_id=agency_id,
        code=spec["code"],
        name=spec["name"],
        preset=preset,
        submitted_by_agencies=bool(spec.get("submitted_by_agencies", True)),
    )
    db.session.add(process)
    db.session.flush()
    version = ProcessVersion(agency_id=agency_id, process_id=process.id, number=1)
    db.session.add(version)
    db.session.flush()
    for position, stage in enumerate(spec["stages"]):
        db.session.add(
            StageDefinition(
                agency_id=agency_id,
                version_id=version.id,
                position=position,
                code=stage["code"],
                name=stage["name"],
                public_label=stage["public_label"],
                roles=stage.get("roles", "agency_officer,agency_lead"),
                sla_minutes=stage.get("sla_minutes"),
                may_return=bool(stage.get("may_return", False)),
                terminal=bool(stage.get("terminal", False)),
            )
        )
    for position, kind in enumerate(spec["file_kinds"]):
        db.session.add(
            FileKind(
                agency_id=agency_id,
                version_id=version.id,
                position=position,
                code=kind["code"],
                name=kind["name"],
                checklist=list(kind["checklist"]),
            )
        )
    db.session.flush()
    return process


def current_version(process: Process) -> ProcessVersion:
    if not process.versions:
        raise EngineRefused(_("This process has no version yet."))
    return process.versions[-1]


# --- working calendar ----------------------------------------------------------------------------


def calendar_for(agency_id: int, around: date, session: Session | None = None) -> WorkCalendar:
    """The desk's working calendar: its office hours (or the default), national holidays of
    the years around `around`, and its region's collective-leave days. Named cross-agency reads
    (public status, the submitter's view) pass their own read-only `session`."""
    reader: Any = session if session is not None else db.session
    row = reader.scalar(select(WorkingCalendar).where(WorkingCalendar.agency_id == agency_id))
    region_id = reader.scalar(select(Agency.region_id).where(Agency.id == agency_id))
    years = range(around.year - 1, around.year + 2)
    days_off = set(national_holidays(years))
    days_off |= set(
        reader.scalars(select(CollectiveLeave.day).where(CollectiveLeave.region_id == region_id))
    )
    if row is None:
        return WorkCalendar(days_off=frozenset(days_off))
    try:
        zone = ZoneInfo(row.zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = WITA
    weekdays = frozenset(int(p) for p in row.weekdays.split(",") if p.strip().isdigit())
    return WorkCalendar(
        opens=row.opens,
        closes=row.closes,
        weekdays=weekdays,
        days_off=frozenset(days_off),
        zone=zone,
    )


# --- intake --------------------------------------------------------------------------------------


@dataclass
class Intake:
    file_kind_id: int
    internal_number: str
    amount: Decimal | None
    submitter_agency_id: int | None
    applicant_name: str
    ticked: list[str]


def register_file(
    scope: Scope, process: Process, data: Intake, user_id: int | None, now: datetime | None = None
) -> TrackedFile:
    """Receive a file at the desk: first stage, a fresh public code, the receipt event."""
    if scope.kind != "agency" or scope.read_only or scope.agency_id != process.agency_id:
        raise EngineRefused(_("Only the desk agency's staff register files."), kind="forbidden")
    version = current_version(process)
    kind = next((k for k in version.file_kinds if k.id == data.file_kind_id), None)
    if kind is None:
        raise EngineRefused(_("Choose a file type of this process."), "file_kind_id")
    missing = [item for item in kind.checklist if item not in data.ticked]
    unknown = [item for item in data.ticked if item not in kind.checklist]
    if unknown:
        raise EngineRefused(_("The checklist does not match the file type."), "ticked")
    if missing:
        raise EngineRefused(
            _("Documents missing from the checklist: %(items)s.", items="; ".join(missing)),
            "ticked",
        )
    number = data.internal_number.strip()
    if not number or len(number) > MAX_INTERNAL_NUMBER:
        raise EngineRefused(
            _("Enter the internal number (at most 80 characters)."), "internal_number"
        )
    if data.amount is not None and not Decimal(0) <= data.amount <= MAX_AMOUNT:
        raise EngineRefused(_("The amount is out of range."), "amount")
    if process.submitted_by_agencies:
        submitter = db.session.get(Agency, data.submitter_agency_id or 0)
        if submitter is None or submitter.region_id != _region_of(process.agency_id):
            raise EngineRefused(
                _("Choose the submitting agency of this region."), "submitter_agency_id"
            )
        applicant = ""
    else:
        applicant = data.applicant_name.strip()
        if not applicant or len(applicant) > 200:
            raise EngineRefused(
                _("Enter the applicant's name (at most 200 characters)."), "applicant_name"
            )
    first = version.stages[0]
    moment = now or utcnow()
    tracked = TrackedFile(
        agency_id=process.agency_id,
        version_id=version.id,
        file_kind_id=kind.id,
        stage_id=first.id,
        status=FileStatus.OPEN,
        public_code=_unused_code(),
        internal_number=number,
        amount=data.amount,
        submitter_agency_id=data.submitter_agency_id if process.submitted_by_agencies else None,
        applicant_name=applicant,
        checklist_ticked=list(data.ticked),
        received_at=moment,
        stage_entered_at=moment,
        last_sequence=1,
    )
    db.session.add(tracked)
    db.session.flush()
    db.session.add(
        FileEvent(
            agency_id=process.agency_id,
            file_id=tracked.id,
            sequence=1,
            action=FileAction.RECEIVE,
            to_stage_id=first.id,
            at=moment,
            user_id=user_id,
        )
    )
    db.session.flush()
    return tracked


def _region_of(agency_id: int) -> int | None:
    return db.session.scalar(select(Agency.region_id).where(Agency.id == agency_id))


def _unused_code() -> str:
    # 60 random bits: a collision is astronomically unlikely, but it costs one query to be sure.
    for _attempt in range(5):
        code = codes.new_code()
        taken = db.session.scalar(select(TrackedFile.id).where(TrackedFile.public_code == code))
        if taken is None:
            return code
    raise RuntimeError("could not find an unused tracking code")  # pragma: no cover


# --- desk actions --------------------------------------------------------------------------------


def stage_minutes(
    tracked: TrackedFile, until: datetime, calendar: WorkCalendar | None = None
) -> int:
    """Working minutes the file has spent in its current stage up to `until`, with the time it
    was back with the submitter (returned) left out. A screen listing many files passes the
    desk's `calendar` (computed once) so each file costs no calendar queries."""
    entered = tracked.stage_entered_at
    pauses = pauses_in_stage(tracked.events, entered, until)
    if calendar is None:
        calendar = calendar_for(tracked.agency_id, until.astimezone(WITA).date())
    return active_minutes(calendar, entered, until, pauses)


def pauses_in_stage(events: Sequence[Any], entered: datetime, until: datetime) -> list[Interval]:
    """The spans the file spent back with the submitter since it entered its stage (the SLA
    clock stops then). `events` are FileEvents or plain rows with `action` and `at`."""
    pauses: list[Interval] = []
    returned_at: datetime | None = None
    for event in events:
        if event.at < entered:
            continue
        if event.action is FileAction.RETURN:
            returned_at = event.at
        elif event.action is FileAction.RESUME and returned_at is not None:
            pauses.append(Interval(returned_at, event.at))
            returned_at = None
    if returned_at is not None:
        pauses.append(Interval(returned_at, until))
    return pauses


def act(
    scope: Scope,
    tracked: TrackedFile,
    action: FileAction,
    seen_sequence: int,
    user_id: int | None,
    reason: str = "",
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> FileEvent:
    """Take one step on a file. Refused (nothing changed) when the step is not allowed from
    where the file is, the role may not act at this stage, a reason is missing, or someone
    else acted since the clerk's screen was loaded."""
    if scope.kind != "agency" or scope.read_only or scope.agency_id != tracked.agency_id:
        raise EngineRefused(_("Only the desk agency's staff act on its files."), kind="forbidden")
    if seen_sequence != tracked.last_sequence:
        raise EngineRefused(_stale_message(tracked), kind="stale")
    stage = tracked.stage
    role = scope.role.value if scope.role is not None else ""
    if role not in stage.role_list:
        raise EngineRefused(
            _("Your role may not act on files at the stage “%(stage)s”.", stage=stage.name),
            kind="forbidden",
        )
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise EngineRefused(_("The reason is longer than 1000 characters."), "reason")
    moment = now or utcnow()
    if moment < tracked.stage_entered_at:
        raise EngineRefused(_("The time of this step is before the file's last step."))
    stages = tracked.version.stages
    target: StageDefinition | None = None
    new_status = tracked.status
    minutes: int | None = None
    breached: bool | None = None

    if action is FileAction.ADVANCE:
        if tracked.status is not FileStatus.OPEN or stage.terminal:
            raise EngineRefused(_not_now(tracked))
        target = next((s for s in stages if s.position > stage.position), None)
        if target is None:
            raise EngineRefused(_not_now(tracked))
        minutes = stage_minutes(tracked, moment, calendar)
        breached = stage.sla_minutes is not None and minutes > stage.sla_minutes
        if target.terminal:
            action, new_status = FileAction.COMPLETE, FileStatus.COMPLETED
    elif action is FileAction.RETURN:
        if tracked.status is not FileStatus.OPEN or not stage.may_return:
            raise EngineRefused(_("A file at this stage cannot be returned for correction."))
        if not reason:
            raise EngineRefused(_("Give the reason for returning the file."), "reason")
        new_status = FileStatus.RETURNED
    elif action is FileAction.RESUME:
        if tracked.status is not FileStatus.RETURNED:
            raise EngineRefused(_("Only a returned file can be resumed."))
        new_status = FileStatus.OPEN
    elif action is FileAction.REJECT:
        if tracked.status not in (FileStatus.OPEN, FileStatus.RETURNED):
            raise EngineRefused(_not_now(tracked))
        if not reason:
            raise EngineRefused(_("Give the reason for rejecting the file."), "reason")
        minutes = stage_minutes(tracked, moment, calendar)
        new_status = FileStatus.REJECTED
    else:
        raise EngineRefused(_not_now(tracked))

    changes: dict[str, Any] = {"last_sequence": seen_sequence + 1, "status": new_status}
    if target is not None:
        changes |= {"stage_id": target.id, "stage_entered_at": moment}
    if new_status in (FileStatus.COMPLETED, FileStatus.REJECTED):
        changes["closed_at"] = moment
    # Compare-and-swap: only one of two simultaneous steps finds the file where it was.
    swapped = db.session.execute(
        update(TrackedFile)
        .where(TrackedFile.id == tracked.id, TrackedFile.last_sequence == seen_sequence)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if swapped.rowcount != 1:  # type: ignore[attr-defined]
        raise EngineRefused(
            _("Someone else acted on this file just now. Reload it and try again."), kind="stale"
        )
    event = FileEvent(
        agency_id=tracked.agency_id,
        file_id=tracked.id,
        sequence=seen_sequence + 1,
        action=action,
        from_stage_id=stage.id,
        to_stage_id=target.id if target is not None else stage.id,
        at=moment,
        user_id=user_id,
        reason=reason,
        working_minutes=minutes,
        breached=breached,
    )
    db.session.add(event)
    try:
        db.session.flush()
    except IntegrityError:
        raise EngineRefused(
            _("Someone else acted on this file just now. Reload it and try again."), kind="stale"
        ) from None
    db.session.info.setdefault("etracking.stage_events", []).append(event.id)  # see notify.py
    db.session.refresh(tracked)
    return event


def _stale_message(tracked: TrackedFile) -> str:
    return _(
        "This file changed since you opened it: it is now at “%(stage)s” (%(status)s)."
        " Reload it and try again.",
        stage=tracked.stage.name,
        status=status_label(tracked.status),
    )


def _not_now(tracked: TrackedFile) -> str:
    return _(
        "This step is not possible now: the file is at “%(stage)s” (%(status)s).",
        stage=tracked.stage.name,
        status=status_label(tracked.status),
    )


def status_label(status: FileStatus) -> str:
    return {
        FileStatus.OPEN: _("in process"),
        FileStatus.RETURNED: _("returned for correction"),
        FileStatus.REJECTED: _("rejected"),
        FileStatus.COMPLETED: _("completed"),
    }[status]


def due_at(
    tracked: TrackedFile, now: datetime | None = None, calendar: WorkCalendar | None = None
) -> datetime | None:
    """When the current stage's SLA runs out, counting from `now` in working time; None when
    the stage has no SLA, the file is closed or paused, or the SLA has already run out."""
    if tracked.status is not FileStatus.OPEN or tracked.stage.sla_minutes is None:
        return None
    moment = now or utcnow()
    if calendar is None:
        calendar = calendar_for(tracked.agency_id, moment.astimezone(WITA).date())
    remaining = tracked.stage.sla_minutes - stage_minutes(tracked, moment, calendar)
    if remaining <= 0:
        return None
    return calendar.add_working_minutes(moment, remaining)
