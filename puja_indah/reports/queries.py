"""Reads of export jobs: always the asking user's own (anyone else's job is not found)."""

from __future__ import annotations

from sqlalchemy import select

from puja_indah.core.db import utcnow
from puja_indah.extensions import db
from puja_indah.reports.models import ExportJob

MAX_ID = 2**31 - 1
LIST_LIMIT = 50


def own_job(user_id: int, job_id: int) -> ExportJob | None:
    if not 0 < job_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(ExportJob).where(ExportJob.id == job_id, ExportJob.user_id == user_id)
    )


def own_jobs(user_id: int) -> list[ExportJob]:
    return list(
        db.session.scalars(
            select(ExportJob)
            .where(ExportJob.user_id == user_id)
            .order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def expired_jobs() -> list[ExportJob]:
    return list(db.session.scalars(select(ExportJob).where(ExportJob.expires_at <= utcnow())))
