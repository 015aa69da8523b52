"""The export task: runs one `ExportJob` in the scope it was asked in.

The queue carries only the job id and the scope it must run in (`scope_label`, checked against the
row, so a task without a scope — or with one that does not match its job — refuses to run). The
body re-enters the recorded scope (read-only) for every read, writes the file to a temporary
file, stores it (core/storage.py, area "exports") and marks the job done. Progress and status go
to the job row through a separate session, each in its own short transaction, so a reload of the
status page sees them while the export is still reading. Any failure marks the job failed with a
translated message (never a traceback; the log keeps that).
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from huey import crontab
from sqlalchemy.orm import Session

from puja_indah import jobs
from puja_indah.core.db import utcnow
from puja_indah.core.storage import file_store
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.reports import services
from puja_indah.reports.models import ExportJob, JobStatus

log = logging.getLogger(__name__)
STATE_REASON = "exports: a job's own state and progress"
HOUSEKEEPING_REASON = "exports: fail interrupted jobs, purge expired ones"


class JobRefused(Exception):
    """The task was handed no scope, or one that is not its job's."""


def exports_store() -> Any:
    return file_store(services.STORAGE_AREA)


@contextlib.contextmanager
def _state_session() -> Iterator[Session]:
    """A short-lived session for the job row only (not agency data: a system scope is safe)."""
    with scoped(Scope.system(STATE_REASON)):
        session = Session(bind=db.engine, autoflush=False, expire_on_commit=False)
        try:
            yield session
        finally:
            session.rollback()
            session.close()


def _update(job_id: int, **values: Any) -> None:
    with _state_session() as session:
        job = session.get(ExportJob, job_id)
        if job is None:
            return
        for name, value in values.items():
            setattr(job, name, value)
        session.commit()


class Progress:
    """`on_row` for the writers: records progress every `every` rows and at the end."""

    def __init__(self, job_id: int, total: int, every: int) -> None:
        self.job_id, self.total, self.every = job_id, total, max(every, 1)
        self.done = 0

    def __call__(self, count: int) -> None:
        self.done = count
        if count % self.every == 0:
            _update(
                self.job_id,
                progress_done=count,
                progress_total=max(self.total, count),
            )


def scope_label(job: ExportJob) -> str:
    return services.job_scope(job).label()


def run(job_id: int, scope: str) -> None:
    """The body of the task (also callable directly, e.g. from a CLI or a test)."""
    if not scope:
        raise JobRefused("an export job needs its scope")
    with _state_session() as session:
        job = session.get(ExportJob, job_id)
        if job is None or job.status is not JobStatus.QUEUED:
            return  # purged, or already run (a retry of a finished job does nothing)
        recorded = services.job_scope(job)
        if recorded.label() != scope:
            raise JobRefused("the task's scope is not its job's")
        request = services.ExportRequest.from_job(job)
        total, locale = job.progress_total, (job.params or {}).get("lang", "id")
        job.status, job.started_at = JobStatus.RUNNING, utcnow()
        session.commit()

    every = int(current_app.config.get("EXPORT_PROGRESS_EVERY", 100))
    progress = Progress(job_id, total, every)
    with tempfile.TemporaryDirectory(prefix="puja-export-") as folder:
        path = Path(folder) / "export"
        try:
            with force_locale(locale), scoped(recorded, db.session):
                with path.open("wb") as out:
                    services.produce(request, out, progress)
                db.session.rollback()  # reads only: end the read transaction
            key = exports_store().save_file(path)
        except Exception:
            log.exception("export job %s failed", job_id)
            db.session.rollback()
            with force_locale(locale):
                message = _(
                    "The export could not be made. Please try again or ask for a smaller one."
                )
            _update(job_id, status=JobStatus.FAILED, error=message, finished_at=utcnow())
            return
        size = path.stat().st_size
    _update(
        job_id,
        status=JobStatus.DONE,
        result_key=key,
        size=size,
        progress_done=progress.done,
        progress_total=max(total, progress.done),
        finished_at=utcnow(),
    )


@jobs.task(retries=0)
def run_export(job_id: int, scope: str) -> None:
    run(job_id, scope)


@jobs.periodic_task(crontab(minute="*/10"))
def housekeeping() -> None:
    """Every 10 minutes: fail the jobs whose worker died, then remove expired files and rows."""
    with scoped(Scope.system(HOUSEKEEPING_REASON), db.session):
        try:
            services.fail_stalled(utcnow())
            services.purge_expired()
            db.session.commit()
        finally:
            db.session.rollback()
            db.session.remove()


def mark_failed(job_id: int, message: str) -> None:
    _update(job_id, status=JobStatus.FAILED, error=message, finished_at=utcnow())


def enqueue(job: ExportJob) -> None:
    """Queue the job; call after the job row is committed (a worker must find it)."""
    run_export(job.id, scope_label(job))
