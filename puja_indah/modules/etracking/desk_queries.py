"""Reads of the desk screens: a file with its history and its state at the desk, the queue of a
process per stage, the desk's files filtered (the JSON API's list). Agency scoping is the ORM's
(tenancy): another agency's file or process is simply not found.

The queue computes the desk's working calendar once per request (`engine.calendar_for` runs
queries) and loads every file's events in one extra query, whatever the number of files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from puja_indah.core.clock import WITA
from puja_indah.core.models import Agency
from puja_indah.core.permissions import can_work_desk
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db
from puja_indah.modules.etracking import codes, engine
from puja_indah.modules.etracking.models import (
    FileAction,
    FileEvent,
    FileStatus,
    Process,
    ProcessVersion,
    StageDefinition,
    TrackedFile,
)
from puja_indah.modules.etracking.worktime import WorkCalendar

# A file is "due soon" when less than this share of its stage's SLA is left.
DUE_SOON_SHARE = 0.25
URGENCY_ORDER = {"late": 0, "soon": 1, "ok": 2, "none": 3}


def file_with_history(tracked_id: int) -> TrackedFile | None:
    return db.session.scalar(
        select(TrackedFile)
        .where(TrackedFile.id == tracked_id)
        .options(
            joinedload(TrackedFile.stage),
            joinedload(TrackedFile.file_kind),
            joinedload(TrackedFile.submitter_agency),
            selectinload(TrackedFile.events).options(
                joinedload(FileEvent.from_stage),
                joinedload(FileEvent.to_stage),
                joinedload(FileEvent.user),
            ),
        )
    )


def region_agencies(desk_agency_id: int) -> list[Agency]:
    """The agencies that may submit to the desk: the active agencies of its region."""
    region_id = db.session.scalar(select(Agency.region_id).where(Agency.id == desk_agency_id))
    return list(
        db.session.scalars(
            select(Agency)
            .where(Agency.region_id == region_id, Agency.active.is_(True))
            .order_by(Agency.name)
        )
    )


def possible_actions(tracked: TrackedFile) -> list[FileAction]:
    """The steps the engine would accept from where the file is (roles aside)."""
    stage = tracked.stage
    actions: list[FileAction] = []
    if tracked.status is FileStatus.OPEN:
        if not stage.terminal and any(s.position > stage.position for s in tracked.version.stages):
            actions.append(FileAction.ADVANCE)
        if stage.may_return:
            actions.append(FileAction.RETURN)
        actions.append(FileAction.REJECT)
    elif tracked.status is FileStatus.RETURNED:
        actions += [FileAction.RESUME, FileAction.REJECT]
    return actions


@dataclass
class QueueRow:
    file: TrackedFile
    minutes: int
    sla: int | None
    urgency: str  # late / soon / ok / none (no SLA)
    due: datetime | None
    returned_at: datetime | None = None
    reason: str = ""

    def sort_key(self) -> tuple[int, float, datetime]:
        share = -(self.minutes / self.sla) if self.sla else 0.0
        return (URGENCY_ORDER[self.urgency], share, self.file.received_at)


@dataclass
class StageGroup:
    code: str
    name: str
    position: int
    sla: int | None
    rows: list[QueueRow] = field(default_factory=list)


@dataclass
class Queue:
    groups: list[StageGroup]
    returned: list[QueueRow]
    stages: list[StageDefinition]


def urgency(minutes: int, sla: int | None) -> str:
    if sla is None:
        return "none"
    if minutes > sla:
        return "late"
    if sla - minutes < DUE_SOON_SHARE * sla:
        return "soon"
    return "ok"


def queue(process: Process, now: datetime, stage_code: str | None = None) -> Queue:
    """Open files per stage, most urgent first, and the returned files (clock paused)."""
    calendar = engine.calendar_for(process.agency_id, now.astimezone(WITA).date())
    files = db.session.scalars(
        select(TrackedFile)
        .join(ProcessVersion, TrackedFile.version_id == ProcessVersion.id)
        .where(
            ProcessVersion.process_id == process.id,
            TrackedFile.status.in_([FileStatus.OPEN, FileStatus.RETURNED]),
        )
        .options(
            joinedload(TrackedFile.stage),
            joinedload(TrackedFile.file_kind),
            joinedload(TrackedFile.submitter_agency),
            selectinload(TrackedFile.events),
        )
        .order_by(TrackedFile.received_at, TrackedFile.id)
    ).unique()
    stages = [s for s in engine.current_version(process).stages if not s.terminal]
    groups = {s.code: StageGroup(s.code, s.name, s.position, s.sla_minutes) for s in stages}
    returned: list[QueueRow] = []
    for tracked in files:
        stage = tracked.stage
        if stage_code and stage.code != stage_code:
            continue
        minutes = engine.stage_minutes(tracked, now, calendar)
        if tracked.status is FileStatus.RETURNED:
            last_return = next(
                (e for e in reversed(tracked.events) if e.action is FileAction.RETURN), None
            )
            returned.append(
                QueueRow(
                    tracked,
                    minutes,
                    stage.sla_minutes,
                    "none",
                    None,
                    returned_at=last_return.at if last_return else None,
                    reason=last_return.reason if last_return else "",
                )
            )
            continue
        group = groups.get(stage.code)
        if group is None:  # a stage only an older version of the process has
            group = groups[stage.code] = StageGroup(
                stage.code, stage.name, stage.position, stage.sla_minutes
            )
        group.rows.append(
            QueueRow(
                tracked,
                minutes,
                stage.sla_minutes,
                urgency(minutes, stage.sla_minutes),
                engine.due_at(tracked, now, calendar),
            )
        )
    for group in groups.values():
        group.rows.sort(key=QueueRow.sort_key)
    shown = [g for g in groups.values() if not stage_code or g.code == stage_code]
    shown.sort(key=lambda g: g.position)
    return Queue(groups=shown, returned=returned, stages=stages)


# --- one file's state at the desk (the file page, the API) ---------------------------------------


@dataclass(frozen=True)
class FileState:
    """Where a file stands now: working minutes in its stage (None once closed), the stage's SLA,
    when it runs out, whether it has, the urgency ("late", "soon", "ok", "none" for a stage
    without SLA; "paused" while returned, "closed" once completed or rejected), the steps the
    engine would accept, and whether the reader's role may take them at this stage."""

    minutes: int | None
    sla: int | None
    due: datetime | None
    late: bool
    urgency: str
    actions: list[FileAction]
    may_act: bool

    @property
    def available(self) -> list[FileAction]:
        """The steps the reader can take now."""
        return self.actions if self.may_act else []


def acting_role(scope: Scope) -> str:
    """The role the caller takes steps in at a stage ("agency_officer" …), or "" when it may take
    none (a read-only scope: an API read token reads the desk but acts on nothing)."""
    if scope.role is None or not can_work_desk(scope):
        return ""
    return scope.role.value


def file_state(
    tracked: TrackedFile, role: str, now: datetime, calendar: WorkCalendar | None = None
) -> FileState:
    """A list passes the desk's `calendar` (computed once); the file page lets it be read here."""
    if calendar is None:
        calendar = engine.calendar_for(tracked.agency_id, now.astimezone(WITA).date())
    sla = tracked.stage.sla_minutes
    minutes = None
    if tracked.status in (FileStatus.OPEN, FileStatus.RETURNED):
        minutes = engine.stage_minutes(tracked, now, calendar)
    if tracked.status is FileStatus.OPEN:
        assert minutes is not None
        state = urgency(minutes, sla)
    else:
        state = "paused" if tracked.status is FileStatus.RETURNED else "closed"
    return FileState(
        minutes=minutes,
        sla=sla,
        due=engine.due_at(tracked, now, calendar),
        late=minutes is not None and sla is not None and minutes > sla,
        urgency=state,
        actions=possible_actions(tracked),
        may_act=role in tracked.stage.role_list,
    )


# --- the desk's files, filtered (the JSON API's list) --------------------------------------------

FILE_STATES = ("open", "closed")  # open: at the desk (in process or returned); closed: done
AT_DESK = (FileStatus.OPEN, FileStatus.RETURNED)


@dataclass(frozen=True)
class FileFilters:
    process_id: int | None = None
    stage: str | None = None  # a stage code, as the queue filters (any version of the process)
    state: str | None = None  # one of FILE_STATES
    status: FileStatus | None = None
    overdue: bool | None = None  # over the current stage's SLA now (the queue's "late")
    q: str | None = None  # a tracking code (typed any way codes.normalise reads) or number part


def overdue_file_ids(now: datetime) -> set[int]:
    """The desk's files over their stage's SLA now, by the queue's own reckoning (`queue`): one
    calendar and one events query per process, whatever the number of files."""
    found: set[int] = set()
    for process in db.session.scalars(select(Process).order_by(Process.id)):
        if not process.versions:
            continue
        for group in queue(process, now).groups:
            found.update(row.file.id for row in group.rows if row.urgency == "late")
    return found


def desk_files(filters: FileFilters, now: datetime) -> Select[TrackedFile]:
    """The desk's files matching `filters`, unsorted (the caller sorts and pages), each with
    what its state needs loaded in a few extra queries per page."""
    stmt = select(TrackedFile).options(
        selectinload(TrackedFile.stage),
        selectinload(TrackedFile.file_kind),
        selectinload(TrackedFile.submitter_agency),
        selectinload(TrackedFile.version).selectinload(ProcessVersion.process),
        selectinload(TrackedFile.events),
    )
    if filters.process_id is not None:
        stmt = stmt.where(
            TrackedFile.version_id.in_(
                select(ProcessVersion.id).where(ProcessVersion.process_id == filters.process_id)
            )
        )
    if filters.stage:
        stmt = stmt.where(
            TrackedFile.stage_id.in_(
                select(StageDefinition.id).where(StageDefinition.code == filters.stage)
            )
        )
    if filters.state == "open":
        stmt = stmt.where(TrackedFile.status.in_(AT_DESK))
    elif filters.state == "closed":
        stmt = stmt.where(TrackedFile.status.not_in(AT_DESK))
    if filters.status is not None:
        stmt = stmt.where(TrackedFile.status == filters.status)
    if filters.q:
        term = filters.q.strip()
        matches = [TrackedFile.internal_number.icontains(term, autoescape=True)]
        code = codes.normalise(term)
        if code is not None:
            matches.append(TrackedFile.public_code == code)
        stmt = stmt.where(or_(*matches))
    if filters.overdue is not None:
        late = overdue_file_ids(now)
        stmt = stmt.where(
            TrackedFile.id.in_(late) if filters.overdue else TrackedFile.id.not_in(late)
        )
    return stmt
