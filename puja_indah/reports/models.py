"""Export jobs: our own table for a job's state and progress (ARCHITECTURE §6, "keep job state and
progress in our own table"); the queue (huey) only carries the job's id.

A job belongs to the user who asked for it and remembers the scope it was asked in (kind, role,
region, agency): the task re-enters exactly that scope, read-only, so the file holds what the
asker could see then and nothing more. Not agency-scoped: a monitor's or a reviewer's job has no
agency; every read of this table filters by the asking user instead (reports/queries.py).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.audit import skip_model
from puja_indah.core.db import Base, utcnow
from puja_indah.core.models import Role, User, enum_column


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED)


class ExportJob(Base):
    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint("progress_done >= 0 AND progress_total >= 0", name="progress_positive"),
        CheckConstraint("scope_kind IN ('agency', 'region', 'national')", name="scope_kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The scope the export was asked in: the task re-enters it (read-only).
    scope_kind: Mapped[str] = mapped_column(String(20))
    scope_role: Mapped[Role] = mapped_column(enum_column(Role, "export_job_role"))
    scope_region_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE")
    )
    scope_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(30))  # reports.services.KINDS
    format: Mapped[str] = mapped_column(String(10))  # xlsx, csv, json, pdf, zip
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # validated
    status: Mapped[JobStatus] = mapped_column(
        enum_column(JobStatus, "export_job_status"), default=JobStatus.QUEUED, index=True
    )
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    result_key: Mapped[str | None] = mapped_column(String(80))  # core.storage key, area "exports"
    filename: Mapped[str] = mapped_column(String(200), default="")
    mimetype: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str] = mapped_column(Text, default="")  # translated, never a traceback
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)

    user: Mapped[User] = relationship()

    @property
    def percent(self) -> int:
        if self.status is JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(99, int(100 * self.progress_done / self.progress_total))

    def expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.expires_at


# A job's row changes with every progress step: the automatic trail would fill with bookkeeping.
# What matters — who asked for which export, in which scope — is recorded once, explicitly, as an
# "exported" entry (reports/services.record_export).
skip_model("ExportJob")
