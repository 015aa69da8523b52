"""The public status of a tracked file: a named cross-agency read ("e-tracking: public status").

Anyone holding a file's public code may see where the file is — whichever agency's desk holds
it — so the read looks past the tenant, but only at the fields listed here: the process and file
type names, the stages' public labels, the times of the steps, the status, SLA timing and the
desk's office contact. Never the amount, the internal number, the submitter or applicant, the
checklist, the reasons typed by the staff or who acted. A file whose desk has the module switched
off reads as not found, exactly like an unknown code. Everything returned is a plain value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from puja_indah.agencies.models import AgencyProfile
from puja_indah.core.db import utcnow
from puja_indah.core.models import Agency
from puja_indah.core.registry import ModuleActivation, runs_module
from puja_indah.core.tenancy import cross_agency_read
from puja_indah.extensions import db
from puja_indah.modules.etracking import engine
from puja_indah.modules.etracking.models import (
    FileAction,
    FileEvent,
    FileKind,
    FileStatus,
    Process,
    ProcessVersion,
    StageDefinition,
    TrackedFile,
)
from puja_indah.modules.etracking.worktime import (
    WITA,
    active_minutes,
)

REASON = "e-tracking: public status"
MODULE_CODE = "etracking"
# Steps that bring a file into a stage, and those that take it out.
ENTERING = (FileAction.RECEIVE, FileAction.ADVANCE, FileAction.COMPLETE)
LEAVING = (FileAction.ADVANCE, FileAction.COMPLETE)


@dataclass(frozen=True)
class StageRow:
    label: str
    # "done", "current" or "todo"; a rejected file's later stages are "skipped".
    state: str
    entered_at: datetime | None
    left_at: datetime | None
    sla_minutes: int | None
    # A finished stage: whether it took longer than its SLA (None when it has none).
    breached: bool | None


@dataclass(frozen=True)
class DeskContact:
    name: str
    address: str
    phone: str
    email: str
    website: str
    office_hours: str


@dataclass(frozen=True)
class PublicStatus:
    code: str
    process_name: str
    file_kind_name: str
    status: FileStatus
    received_at: datetime
    closed_at: datetime | None
    stages: tuple[StageRow, ...]
    current_label: str
    # When the file was last returned for correction (status RETURNED only).
    returned_at: datetime | None
    # The current stage's SLA, the working minutes it has used so far and when it runs out;
    # None where they do not apply (no SLA, a closed file).
    sla_minutes: int | None
    used_minutes: int | None
    due_at: datetime | None
    desk: DeskContact

    @property
    def late(self) -> bool | None:
        if self.sla_minutes is None or self.used_minutes is None:
            return None
        return self.used_minutes > self.sla_minutes


def public_status(code: str, now: datetime | None = None) -> PublicStatus | None:
    """The public status of the file with this (canonical) code, or None when there is no such
    file or its desk does not run the e-tracking module.

    Two queries (this page is the busiest anonymous one): the file with its names, desk contact
    and stages in one (a row per stage), its steps in the other; the working calendar only for
    an open file whose stage has a time limit."""
    moment = now or utcnow()
    with cross_agency_read(REASON, db.engine) as session:
        stages = session.execute(
            select(
                TrackedFile.id.label("file_id"),
                TrackedFile.agency_id,
                TrackedFile.stage_id,
                TrackedFile.status,
                TrackedFile.received_at,
                TrackedFile.stage_entered_at,
                TrackedFile.closed_at,
                Process.name.label("process_name"),
                FileKind.name.label("kind_name"),
                Agency.name.label("agency_name"),
                AgencyProfile.address,
                AgencyProfile.phone,
                AgencyProfile.email,
                AgencyProfile.website,
                AgencyProfile.office_hours,
                StageDefinition.id,
                StageDefinition.position,
                StageDefinition.public_label,
                StageDefinition.sla_minutes,
            )
            .join(ProcessVersion, ProcessVersion.id == TrackedFile.version_id)
            .join(Process, Process.id == ProcessVersion.process_id)
            .join(FileKind, FileKind.id == TrackedFile.file_kind_id)
            .join(Agency, Agency.id == TrackedFile.agency_id)
            # A desk with the module off reads as not found, like an unknown code.
            .join(ModuleActivation, runs_module(MODULE_CODE, TrackedFile.agency_id))
            .outerjoin(AgencyProfile, AgencyProfile.agency_id == TrackedFile.agency_id)
            .join(StageDefinition, StageDefinition.version_id == TrackedFile.version_id)
            .where(TrackedFile.public_code == code)
            .order_by(StageDefinition.position)
        ).all()
        if not stages:
            return None
        row = stages[0]
        events = session.execute(
            select(
                FileEvent.action,
                FileEvent.from_stage_id,
                FileEvent.to_stage_id,
                FileEvent.at,
                FileEvent.breached,
            )
            .where(FileEvent.file_id == row.file_id)
            .order_by(FileEvent.sequence)
        ).all()
        desk = DeskContact(
            row.agency_name,
            row.address or "",
            row.phone or "",
            row.email or "",
            row.website or "",
            row.office_hours or "",
        )
        current = next(s for s in stages if s.id == row.stage_id)
        used = due = None
        sla = current.sla_minutes
        if row.status in (FileStatus.OPEN, FileStatus.RETURNED) and sla is not None:
            calendar = engine.calendar_for(row.agency_id, moment.astimezone(WITA).date(), session)
            try:
                used = active_minutes(
                    calendar,
                    row.stage_entered_at,
                    moment,
                    engine.pauses_in_stage(events, row.stage_entered_at, moment),
                )
                if row.status is FileStatus.OPEN and used < sla:
                    due = calendar.add_working_minutes(moment, sla - used)
            except ValueError:
                # A span beyond what working-time arithmetic walks (a file left open for
                # years) or a calendar without working time: say nothing rather than fail.
                used = due = None
        else:
            sla = None
    entered: dict[int, datetime] = {}
    left: dict[int, datetime] = {}
    breached: dict[int, bool | None] = {}
    returned_at: datetime | None = None
    for event in events:
        if event.action in ENTERING and event.to_stage_id is not None:
            entered.setdefault(event.to_stage_id, event.at)
        if event.action in LEAVING and event.from_stage_id is not None:
            left[event.from_stage_id] = event.at
            breached[event.from_stage_id] = event.breached
        if event.action is FileAction.RETURN:
            returned_at = event.at
    rows = []
    for stage in stages:
        if stage.position < current.position:
            state = "done"
        elif stage.position == current.position:
            state = "done" if row.status is FileStatus.COMPLETED else "current"
        else:
            state = "skipped" if row.status is FileStatus.REJECTED else "todo"
        rows.append(
            StageRow(
                label=stage.public_label,
                state=state,
                entered_at=entered.get(stage.id),
                left_at=left.get(stage.id) or (row.closed_at if stage.id == current.id else None),
                sla_minutes=stage.sla_minutes,
                breached=breached.get(stage.id),
            )
        )
    return PublicStatus(
        code=code,
        process_name=row.process_name,
        file_kind_name=row.kind_name,
        status=row.status,
        received_at=row.received_at,
        closed_at=row.closed_at,
        stages=tuple(rows),
        current_label=current.public_label,
        returned_at=returned_at if row.status is FileStatus.RETURNED else None,
        sla_minutes=sla,
        used_minutes=used,
        due_at=due,
        desk=desk,
    )
