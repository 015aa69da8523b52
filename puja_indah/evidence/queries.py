"""Reads of the evidence vault. Evidence is agency-scoped: the tenancy layer narrows every query
here to what the scope may see (own agency, the monitor's region, or everything nationally), so
another agency's document answers 404 without any filter written here."""

from __future__ import annotations

from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from puja_indah.core.models import Agency
from puja_indah.core.permissions import MAX_ID
from puja_indah.evidence.models import Evidence, EvidenceFile
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation

PER_PAGE = 25


def innovation_or_404(innovation_id: int) -> Innovation:
    if not 0 < innovation_id <= MAX_ID:
        abort(404)
    innovation = db.session.scalar(select(Innovation).where(Innovation.id == innovation_id))
    if innovation is None:
        abort(404)
    return innovation


def document_or_404(evidence_id: int, innovation_id: int | None = None) -> Evidence:
    """A document the scope may see and that is not deleted; under an innovation's address it must
    also belong to that innovation (an agency-wide address reaches any of the agency's)."""
    if not 0 < evidence_id <= MAX_ID:
        abort(404)
    evidence = db.session.scalar(
        select(Evidence)
        .where(Evidence.id == evidence_id, Evidence.deleted_at.is_(None))
        .options(selectinload(Evidence.files).selectinload(EvidenceFile.uploaded_by))
    )
    if evidence is None:
        abort(404)
    if innovation_id is not None and evidence.innovation_id != innovation_id:
        abort(404)
    return evidence


def file_or_404(evidence: Evidence, file_id: int) -> EvidenceFile:
    for version in evidence.files:
        if version.id == file_id:
            return version
    abort(404)


def innovation_documents(innovation: Innovation) -> list[Evidence]:
    """The innovation's documents that are not deleted, newest first, with their versions."""
    return list(
        db.session.scalars(
            select(Evidence)
            .where(Evidence.innovation_id == innovation.id, Evidence.deleted_at.is_(None))
            .options(selectinload(Evidence.files))
            .order_by(Evidence.created_at.desc(), Evidence.id.desc())
        )
    )


def agency_documents(page: int) -> Pagination:
    """Documents not tied to an innovation (assignment letters, agency-wide decrees), of every
    agency the scope sees."""
    query = (
        select(Evidence)
        .where(Evidence.innovation_id.is_(None), Evidence.deleted_at.is_(None))
        .options(selectinload(Evidence.files))
        .order_by(Evidence.created_at.desc(), Evidence.id.desc())
    )
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def filtered_documents(
    innovation_id: int | None = None, agency_wide: bool | None = None
) -> Select[Evidence]:
    """The documents the scope sees and that are not deleted, unsorted (the API sorts and pages
    it): one innovation's (`innovation_id`, the innovation page's list), only those tied to no
    innovation (`agency_wide=True`, the agency documents page), only those tied to one
    (`agency_wide=False`), or all. Versions, their uploaders and the innovation come along."""
    stmt = (
        select(Evidence)
        .where(Evidence.deleted_at.is_(None))
        .options(
            selectinload(Evidence.files).selectinload(EvidenceFile.uploaded_by),
            selectinload(Evidence.innovation),
        )
    )
    if innovation_id is not None:
        stmt = stmt.where(Evidence.innovation_id == innovation_id)
    if agency_wide is True:
        stmt = stmt.where(Evidence.innovation_id.is_(None))
    elif agency_wide is False:
        stmt = stmt.where(Evidence.innovation_id.is_not(None))
    return stmt


def agency_names(documents: list[Evidence]) -> dict[int, str]:
    ids = {d.agency_id for d in documents}
    if not ids:
        return {}
    return dict(db.session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids))).all())
