"""Reads of the e-tracking module for its screens. Agency scoping is the ORM's (tenancy)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from puja_indah.extensions import db
from puja_indah.modules.etracking.models import FileStatus, Process, ProcessVersion, TrackedFile


@dataclass(frozen=True)
class ProcessSummary:
    process: Process
    open_files: int
    returned_files: int
    closed_files: int


def process_summaries() -> list[ProcessSummary]:
    """The current agency's processes with how many files are at the desk, back with the
    submitter, and closed — one grouped query, whatever the number of files."""
    processes = list(db.session.scalars(select(Process).order_by(Process.name)))
    counts: dict[tuple[int, FileStatus], int] = {}
    rows = db.session.execute(
        select(ProcessVersion.process_id, TrackedFile.status, func.count(TrackedFile.id))
        .join(ProcessVersion, TrackedFile.version_id == ProcessVersion.id)
        .group_by(ProcessVersion.process_id, TrackedFile.status)
    )
    for process_id, status, count in rows:
        counts[(process_id, status)] = count
    return [
        ProcessSummary(
            process=process,
            open_files=counts.get((process.id, FileStatus.OPEN), 0),
            returned_files=counts.get((process.id, FileStatus.RETURNED), 0),
            closed_files=counts.get((process.id, FileStatus.COMPLETED), 0)
            + counts.get((process.id, FileStatus.REJECTED), 0),
        )
        for process in processes
    ]
