"""Reads of e-minduk's screens. Agency scoping is the ORM's (tenancy): the desk sees its own
requests, a monitor those of its region's agencies, a reviewer all."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import HTTPException

from puja_indah.core.permissions import MAX_ID
from puja_indah.extensions import db
from puja_indah.modules.eminduk.models import CivilRequest, HandoverBatch
from puja_indah.modules.etracking.models import FileKind, FileStatus, TrackedFile

LIST_LIMIT = 500


def requests(kind: str | None = None, status: FileStatus | None = None) -> list[CivilRequest]:
    query = (
        select(CivilRequest)
        .join(TrackedFile, TrackedFile.id == CivilRequest.file_id)
        .options(
            joinedload(CivilRequest.file).joinedload(TrackedFile.file_kind),
            joinedload(CivilRequest.file).joinedload(TrackedFile.stage),
            joinedload(CivilRequest.batch),
        )
        .order_by(TrackedFile.received_at.desc(), CivilRequest.id.desc())
        .limit(LIST_LIMIT)
    )
    if kind:
        query = query.join(FileKind, FileKind.id == TrackedFile.file_kind_id).where(
            FileKind.code == kind
        )
    if status is not None:
        query = query.where(TrackedFile.status == status)
    return list(db.session.scalars(query).unique())


def kind_choices() -> list[tuple[str, str]]:
    """The request kinds the scope's requests use, (code, name), for the list's filter."""
    rows = db.session.execute(
        select(FileKind.code, func.min(FileKind.name))
        .join(TrackedFile, TrackedFile.file_kind_id == FileKind.id)
        .join(CivilRequest, CivilRequest.file_id == TrackedFile.id)
        .group_by(FileKind.code)
        .order_by(FileKind.code)
    )
    return [(code, name) for code, name in rows]


def request_or_404(request_id: int) -> CivilRequest:
    if not 0 < request_id <= MAX_ID:
        abort(404)
    found = db.session.scalar(
        select(CivilRequest)
        .where(CivilRequest.id == request_id)
        .options(
            joinedload(CivilRequest.file).selectinload(TrackedFile.events),
            joinedload(CivilRequest.batch),
        )
    )
    if found is None:
        abort(404)
    return found


def ready_for_handover() -> list[CivilRequest]:
    """Completed requests of the desk not yet in a batch, oldest first."""
    return list(
        db.session.scalars(
            select(CivilRequest)
            .join(TrackedFile, TrackedFile.id == CivilRequest.file_id)
            .where(CivilRequest.batch_id.is_(None), TrackedFile.status == FileStatus.COMPLETED)
            .options(joinedload(CivilRequest.file).joinedload(TrackedFile.file_kind))
            .order_by(TrackedFile.closed_at, CivilRequest.id)
            .limit(LIST_LIMIT)
        ).unique()
    )


@dataclass(frozen=True)
class BatchRow:
    batch: HandoverBatch
    size: int


def batches() -> list[BatchRow]:
    sizes = dict(
        db.session.execute(
            select(CivilRequest.batch_id, func.count(CivilRequest.id))
            .where(CivilRequest.batch_id.is_not(None))
            .group_by(CivilRequest.batch_id)
        ).all()
    )
    rows = db.session.scalars(
        select(HandoverBatch)
        .options(joinedload(HandoverBatch.created_by))
        .order_by(HandoverBatch.created_at.desc(), HandoverBatch.id.desc())
    )
    return [BatchRow(batch, sizes.get(batch.id, 0)) for batch in rows]


def batch_or_404(batch_id: int) -> HandoverBatch:
    if not 0 < batch_id <= MAX_ID:
        abort(404)
    found = db.session.scalar(
        select(HandoverBatch)
        .where(HandoverBatch.id == batch_id)
        .options(
            selectinload(HandoverBatch.requests)
            .joinedload(CivilRequest.file)
            .joinedload(TrackedFile.file_kind)
        )
    )
    if found is None:
        abort(404)
    return found


def desk_file_url(file_id: int) -> str | None:
    """The e-tracking desk's page of a file, when the app has one (another part of the
    e-tracking module builds it): a plain path, offered only if the URL map answers it."""
    path = f"/m/etracking/files/{file_id}"
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return path
