"""Reads for the submitting agency (issue 4, point 6): the named cross-agency read
"e-tracking: files our agency submitted" (ARCHITECTURE §3).

A file belongs to its desk agency (BKD for an SPM), so the submitting OPD cannot see it under
ordinary tenancy. These reads look past the tenant on purpose, and only ever at files whose
`submitter_agency_id` is the viewer's own agency, at desks that run the module; they return plain
values. The submitter knows its own SPM, so its amount and the desk's return/reject reasons are
shown to it — never to anyone else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from puja_indah.core.db import utcnow
from puja_indah.core.models import Agency
from puja_indah.core.paging import Page
from puja_indah.core.registry import ModuleActivation, runs_module
from puja_indah.core.tenancy import cross_agency_read
from puja_indah.extensions import db
from puja_indah.modules.etracking import codes, engine
from puja_indah.modules.etracking.models import (
    FileAction,
    FileKind,
    FileStatus,
    Process,
    ProcessVersion,
    StageDefinition,
    TrackedFile,
)
from puja_indah.modules.etracking.worktime import (
    WITA,
)

REASON = "e-tracking: files our agency submitted"
PER_PAGE = 50


@dataclass(frozen=True)
class SubmittedRow:
    id: int
    code: str
    process: str
    kind: str
    internal_number: str
    amount: Decimal | None
    desk_id: int
    desk: str
    stage: str
    status: FileStatus
    received_at: datetime
    stage_entered_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class StepRow:
    sequence: int
    action: FileAction
    stage: str  # the stage the step left (or, for the receipt, entered)
    to_stage: str
    at: datetime
    reason: str
    working_minutes: int | None
    sla_minutes: int | None
    breached: bool | None


@dataclass(frozen=True)
class SubmittedFile:
    row: SubmittedRow
    steps: list[StepRow]
    sla_minutes: int | None  # of the current stage
    current_minutes: int | None  # working minutes so far in the current stage (open files)

    @property
    def current_late(self) -> bool | None:
        if self.sla_minutes is None or self.current_minutes is None:
            return None
        return self.current_minutes > self.sla_minutes


def _base(submitter_agency_id: int) -> Any:
    desk = aliased(Agency)
    return (
        select(
            TrackedFile.id,
            TrackedFile.public_code,
            Process.name,
            FileKind.name,
            TrackedFile.internal_number,
            TrackedFile.amount,
            desk.id,
            desk.name,
            StageDefinition.name,
            TrackedFile.status,
            TrackedFile.received_at,
            TrackedFile.stage_entered_at,
            TrackedFile.closed_at,
        )
        .join(ProcessVersion, TrackedFile.version_id == ProcessVersion.id)
        .join(Process, ProcessVersion.process_id == Process.id)
        .join(FileKind, TrackedFile.file_kind_id == FileKind.id)
        .join(StageDefinition, TrackedFile.stage_id == StageDefinition.id)
        .join(desk, TrackedFile.agency_id == desk.id)
        # Only desks that run the module answer (an agency that switched it off shows nothing).
        .join(ModuleActivation, runs_module("etracking", TrackedFile.agency_id))
        .where(TrackedFile.submitter_agency_id == submitter_agency_id)
    )


def _row(values: Any) -> SubmittedRow:
    return SubmittedRow(
        id=values[0],
        code=codes.display(values[1]),
        process=values[2],
        kind=values[3],
        internal_number=values[4],
        amount=values[5],
        desk_id=values[6],
        desk=values[7],
        stage=values[8],
        status=values[9],
        received_at=values[10],
        stage_entered_at=values[11],
        closed_at=values[12],
    )


def submitted_files(
    submitter_agency_id: int,
    *,
    status: FileStatus | None = None,
    desk_id: int | None = None,
    page: int = 1,
) -> Page[SubmittedRow]:
    """The files the agency submitted, newest first, one page of PER_PAGE."""
    query = _base(submitter_agency_id)
    if status is not None:
        query = query.where(TrackedFile.status == status)
    if desk_id is not None:
        query = query.where(TrackedFile.agency_id == desk_id)
    with cross_agency_read(REASON, db.engine) as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        pages = max(1, math.ceil(total / PER_PAGE))
        page = min(max(page, 1), pages)
        rows = session.execute(
            query.order_by(TrackedFile.received_at.desc(), TrackedFile.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        ).all()
        return Page([_row(r) for r in rows], total, page, PER_PAGE)


def desks(submitter_agency_id: int) -> list[tuple[int, str]]:
    """The desks the agency has files at (id, name): the choices of the desk filter."""
    base = _base(submitter_agency_id).subquery()
    with cross_agency_read(REASON, db.engine) as session:
        rows = session.execute(select(base.c[6], base.c[7]).distinct().order_by(base.c[7])).all()
        return [(row[0], row[1]) for row in rows]


def submitted_file(submitter_agency_id: int, tracked_id: int) -> SubmittedFile | None:
    """One file the agency submitted, with its steps; None for any other file (→ 404)."""
    if not 0 < tracked_id <= 2**31 - 1:
        return None
    with cross_agency_read(REASON, db.engine) as session:
        values = session.execute(
            _base(submitter_agency_id).where(TrackedFile.id == tracked_id)
        ).first()
        if values is None:
            return None
        row = _row(values)
        tracked = session.get(TrackedFile, tracked_id)
        assert tracked is not None
        stage_names = {s.id: s for s in tracked.version.stages}
        steps = []
        for event in tracked.events:
            left = stage_names.get(event.from_stage_id or event.to_stage_id or 0)
            entered = stage_names.get(event.to_stage_id or 0)
            steps.append(
                StepRow(
                    sequence=event.sequence,
                    action=event.action,
                    stage=left.name if left else "",
                    to_stage=entered.name if entered else "",
                    at=event.at,
                    reason=event.reason,
                    working_minutes=event.working_minutes,
                    sla_minutes=left.sla_minutes if left else None,
                    breached=event.breached,
                )
            )
        current: int | None = None
        if tracked.status in (FileStatus.OPEN, FileStatus.RETURNED):
            moment = utcnow()
            # The request's session sees only the viewer's agency: the desk's calendar is read
            # on the cross-agency session.
            calendar = engine.calendar_for(
                tracked.agency_id, moment.astimezone(WITA).date(), session
            )
            current = engine.stage_minutes(tracked, moment, calendar)
        return SubmittedFile(
            row=row,
            steps=steps,
            sla_minutes=tracked.stage.sla_minutes,
            current_minutes=current,
        )


def is_submitted_by(submitter_agency_id: int, tracked_id: int) -> bool:
    """The file exists at a desk running the module and this agency submitted it."""
    if not 0 < tracked_id <= 2**31 - 1:
        return False
    with cross_agency_read(REASON, db.engine) as session:
        found = session.scalar(
            select(func.count()).select_from(
                _base(submitter_agency_id).where(TrackedFile.id == tracked_id).subquery()
            )
        )
        return bool(found)


def is_open_file_submitted_by(submitter_agency_id: int, tracked_id: int) -> bool:
    """Like `is_submitted_by`, and the file is still running (not completed or rejected)."""
    if not 0 < tracked_id <= 2**31 - 1:
        return False
    with cross_agency_read(REASON, db.engine) as session:
        found = session.scalar(
            select(func.count()).select_from(
                _base(submitter_agency_id)
                .where(TrackedFile.id == tracked_id, TrackedFile.closed_at.is_(None))
                .subquery()
            )
        )
        return bool(found)
