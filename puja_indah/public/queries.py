"""Reads of the public catalogue: named cross-agency reads (ARCHITECTURE §3, "public catalogue")
of PUBLISHED innovations only, selecting only the public fields listed here — never whole rows, so
a private field cannot reach a page by accident.

The public fields are defined once, in `PUBLIC_FIELDS` (columns of the innovation) plus the names
of its agency, region, theme and urusan, its other urusan, the evidence documents the agency
marked public (metadata, link, and the current version of its file: `public_file`) and the
milestones the agency marked public (date, title, description, progress).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from puja_indah.core.models import Agency, Region
from puja_indah.core.paging import Page
from puja_indah.core.tenancy import cross_agency_read
from puja_indah.evidence.models import Evidence, EvidenceFile
from puja_indah.extensions import db
from puja_indah.innovations.models import (
    Innovation,
    InnovationAffair,
    InnovationForm,
    InnovationKind,
    Stage,
)
from puja_indah.progress.models import Milestone
from puja_indah.reference.models import Affair, Theme

REASON = "public catalogue"
PER_PAGE = 20

# The innovation's own columns a visitor may see, in the order the page shows them.
PUBLIC_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "stage",
    "kind",
    "form",
    "summary",
    "goals",
    "benefits",
    "results_before",
    "results_after",
    "trial_date",
    "implementation_date",
    "lessons",
    "replication_prerequisites",
    "video_url",
    "published_at",
)
# Shown in the catalogue list (a subset of PUBLIC_FIELDS).
LIST_FIELDS: tuple[str, ...] = ("id", "name", "stage", "kind", "form", "summary")


def _columns(names: tuple[str, ...]) -> list[Any]:
    return [getattr(Innovation, name) for name in names]


@dataclass(frozen=True)
class Filters:
    region_id: int | None = None
    stage: Stage | None = None
    kind: InnovationKind | None = None
    form: InnovationForm | None = None
    affair_id: int | None = None
    q: str | None = None


@dataclass(frozen=True)
class CatalogueRow:
    id: int
    name: str
    stage: Stage
    kind: InnovationKind | None
    form: InnovationForm | None
    summary: str
    agency_name: str
    region_name: str
    affair_name: str | None


def _published() -> Any:
    return Innovation.published.is_(True)


def catalogue_page(filters: Filters, page: int = 1) -> Page[CatalogueRow]:
    conditions = [_published()]
    if filters.region_id is not None:
        conditions.append(Innovation.region_id == filters.region_id)
    if filters.stage is not None:
        conditions.append(Innovation.stage == filters.stage)
    if filters.kind is not None:
        conditions.append(Innovation.kind == filters.kind)
    if filters.form is not None:
        conditions.append(Innovation.form == filters.form)
    if filters.affair_id is not None:
        conditions.append(Innovation.affair_id == filters.affair_id)
    if filters.q:
        conditions.append(Innovation.name.icontains(filters.q, autoescape=True))
    stmt = (
        select(
            *_columns(LIST_FIELDS),
            Agency.name.label("agency_name"),
            Region.name.label("region_name"),
            Affair.name.label("affair_name"),
        )
        .join(Agency, Agency.id == Innovation.agency_id)
        .join(Region, Region.id == Innovation.region_id)
        .outerjoin(Affair, Affair.id == Innovation.affair_id)
        .where(*conditions)
        .order_by(Innovation.published_at.desc().nulls_last(), Innovation.id.desc())
    )
    with cross_agency_read(REASON, db.engine) as session:
        total = int(
            session.scalar(select(func.count()).select_from(Innovation).where(*conditions)) or 0
        )
        last = max(1, math.ceil(total / PER_PAGE))
        page = min(max(page, 1), last)
        rows = session.execute(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    items = [CatalogueRow(**row._mapping) for row in rows]
    return Page(items, total, page, PER_PAGE)


@dataclass(frozen=True)
class PublicDocument:
    id: int
    title: str
    document_number: str
    document_date: date | None
    subject: str
    link_url: str
    has_file: bool


@dataclass(frozen=True)
class PublicMilestone:
    happened_on: date
    title: str
    description: str
    progress: int


@dataclass(frozen=True)
class PublicInnovation:
    fields: dict[str, Any]
    agency_name: str
    region_name: str
    theme_name: str | None
    affair_name: str | None
    other_affairs: list[str]
    documents: list[PublicDocument]
    milestones: list[PublicMilestone]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None


def _documents(session: Session, innovation_id: int) -> list[PublicDocument]:
    has_file = (
        select(EvidenceFile.id)
        .where(
            EvidenceFile.evidence_id == Evidence.id,
            EvidenceFile.agency_id == Evidence.agency_id,
        )
        .exists()
    )
    rows = session.execute(
        select(
            Evidence.id,
            Evidence.title,
            Evidence.document_number,
            Evidence.document_date,
            Evidence.subject,
            Evidence.link_url,
            has_file.label("has_file"),
        )
        .where(
            Evidence.innovation_id == innovation_id,
            Evidence.public.is_(True),
            Evidence.deleted_at.is_(None),
        )
        .order_by(Evidence.document_date.desc().nulls_last(), Evidence.id)
    )
    return [PublicDocument(**row._mapping) for row in rows]


def _milestones(session: Session, innovation_id: int) -> list[PublicMilestone]:
    """The milestones the agency marked public, newest first (as on its timeline)."""
    rows = session.execute(
        select(Milestone.happened_on, Milestone.title, Milestone.description, Milestone.progress)
        .where(Milestone.innovation_id == innovation_id, Milestone.public.is_(True))
        .order_by(Milestone.happened_on.desc(), Milestone.id.desc())
    )
    return [PublicMilestone(**row._mapping) for row in rows]


@dataclass(frozen=True)
class PublicFile:
    """The current file version of a public document: what the download needs, nothing more."""

    evidence_id: int
    number: int
    storage_key: str
    content_type: str
    original_name: str
    size: int


def public_file(innovation_id: int, evidence_id: int) -> PublicFile | None:
    """The current (highest-numbered) file version of document `evidence_id` when the innovation
    is published and the document belongs to it, is marked public and is not deleted; else None
    (the view answers the same 404 for every reason)."""
    stmt = (
        select(
            EvidenceFile.evidence_id,
            EvidenceFile.number,
            EvidenceFile.storage_key,
            EvidenceFile.content_type,
            EvidenceFile.original_name,
            EvidenceFile.size,
        )
        .join(
            Evidence,
            (Evidence.id == EvidenceFile.evidence_id)
            & (Evidence.agency_id == EvidenceFile.agency_id),
        )
        .join(
            Innovation,
            (Innovation.id == Evidence.innovation_id)
            & (Innovation.agency_id == Evidence.agency_id),
        )
        .where(
            Innovation.id == innovation_id,
            _published(),
            Evidence.id == evidence_id,
            Evidence.public.is_(True),
            Evidence.deleted_at.is_(None),
        )
        .order_by(EvidenceFile.number.desc())
        .limit(1)
    )
    with cross_agency_read(REASON, db.engine) as session:
        row = session.execute(stmt).first()
    return PublicFile(**row._mapping) if row is not None else None


def public_innovation(innovation_id: int) -> PublicInnovation | None:
    """The public fields of a published innovation, or None (unknown or not published: the view
    answers the same 404 for both)."""
    stmt = (
        select(
            *_columns(PUBLIC_FIELDS),
            Agency.name.label("agency_name"),
            Region.name.label("region_name"),
            Theme.name.label("theme_name"),
            Affair.name.label("affair_name"),
        )
        .join(Agency, Agency.id == Innovation.agency_id)
        .join(Region, Region.id == Innovation.region_id)
        .outerjoin(Theme, Theme.id == Innovation.theme_id)
        .outerjoin(Affair, Affair.id == Innovation.affair_id)
        .where(Innovation.id == innovation_id, _published())
    )
    with cross_agency_read(REASON, db.engine) as session:
        row = session.execute(stmt).first()
        if row is None:
            return None
        values = dict(row._mapping)
        others = list(
            session.scalars(
                select(Affair.name)
                .join(InnovationAffair, InnovationAffair.affair_id == Affair.id)
                .where(InnovationAffair.innovation_id == innovation_id)
                .order_by(Affair.name)
            )
        )
        documents = _documents(session, innovation_id)
        milestones = _milestones(session, innovation_id)
    return PublicInnovation(
        fields={name: values[name] for name in PUBLIC_FIELDS},
        agency_name=values["agency_name"],
        region_name=values["region_name"],
        theme_name=values["theme_name"],
        affair_name=values["affair_name"],
        other_affairs=others,
        documents=documents,
        milestones=milestones,
    )


def filter_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Regions and urusan that have at least one published innovation (reference data only)."""
    with cross_agency_read(REASON, db.engine) as session:
        regions = [
            (r.id, r.name)
            for r in session.execute(
                select(Region.id, Region.name)
                .where(Region.id.in_(select(Innovation.region_id).where(_published()).distinct()))
                .order_by(Region.name)
            )
        ]
        affairs = [
            (a.id, a.name)
            for a in session.execute(
                select(Affair.id, Affair.name)
                .where(Affair.id.in_(select(Innovation.affair_id).where(_published()).distinct()))
                .order_by(Affair.name)
            )
        ]
    return regions, affairs


# --- open data (api/open_data.py): the catalogue's rows and figures for machines -----------------

# The columns of one open-data row: the public fields and the names the public page shows.
OPEN_DATA_COLUMNS: tuple[str, ...] = (
    *PUBLIC_FIELDS,
    "agency_name",
    "region_id",
    "region_code",
    "region_name",
    "theme_name",
    "theme_year",
    "affair_name",
)
OPEN_SORTS = {
    "published_at": Innovation.published_at,
    "name": Innovation.name_key,
    "stage": Innovation.stage,
}


@dataclass(frozen=True)
class OpenFilters:
    region_id: int | None = None
    # The yearly thematic list the innovation is reported under (as in the innovations API).
    year: int | None = None
    stage: Stage | None = None
    q: str | None = None

    def conditions(self) -> list[Any]:
        conditions = [_published()]
        if self.region_id is not None:
            conditions.append(Innovation.region_id == self.region_id)
        if self.year is not None:
            conditions.append(
                Innovation.theme_id.in_(select(Theme.id).where(Theme.year == self.year))
            )
        if self.stage is not None:
            conditions.append(Innovation.stage == self.stage)
        if self.q:
            conditions.append(Innovation.name.icontains(self.q, autoescape=True))
        return conditions


def _open_stmt(filters: OpenFilters, sort: str) -> Any:
    key = sort.lstrip("-")
    column = OPEN_SORTS.get(key, Innovation.published_at)
    descending = sort.startswith("-")
    order = column.desc().nulls_last() if descending else column.asc().nulls_last()
    return (
        select(
            *_columns(PUBLIC_FIELDS),
            Agency.name.label("agency_name"),
            Innovation.region_id,
            Region.code.label("region_code"),
            Region.name.label("region_name"),
            Theme.name.label("theme_name"),
            Theme.year.label("theme_year"),
            Affair.name.label("affair_name"),
        )
        .join(Agency, Agency.id == Innovation.agency_id)
        .join(Region, Region.id == Innovation.region_id)
        .outerjoin(Theme, Theme.id == Innovation.theme_id)
        .outerjoin(Affair, Affair.id == Innovation.affair_id)
        .where(*filters.conditions())
        .order_by(order, Innovation.id.desc() if descending else Innovation.id)
    )


def open_innovations(
    filters: OpenFilters, sort: str, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of published innovations (public fields only) and the total that match."""
    stmt = _open_stmt(filters, sort)
    with cross_agency_read(REASON, db.engine) as session:
        total = int(
            session.scalar(
                select(func.count()).select_from(Innovation).where(*filters.conditions())
            )
            or 0
        )
        rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return [dict(row._mapping) for row in rows], total


def all_open_innovations(filters: OpenFilters, sort: str) -> list[dict[str, Any]]:
    """Every published innovation the filters keep (the CSV file), public fields only."""
    with cross_agency_read(REASON, db.engine) as session:
        return [dict(row._mapping) for row in session.execute(_open_stmt(filters, sort))]


@dataclass(frozen=True)
class RegionFigures:
    """A region's open figures: its active agencies, and counts of PUBLISHED innovations only —
    by stage, and the replications the public pages list under them."""

    region_id: int
    region_code: str
    region_name: str
    agencies: int
    agencies_publishing: int
    published_innovations: int
    by_stage: dict[str, int]
    replications: int
    replicated_innovations: int


def open_figures() -> list[RegionFigures]:
    """Per region with at least one agency, in region-code order (cross-agency read of published
    rows: nothing here counts a draft or unpublished innovation)."""
    from puja_indah.replications.models import Replication

    source = aliased(Innovation)
    with cross_agency_read(REASON, db.engine) as session:
        regions = session.execute(
            select(Region.id, Region.code, Region.name)
            .where(Region.id.in_(select(Agency.region_id).distinct()))
            .order_by(Region.code)
        ).all()
        agencies = dict(
            session.execute(
                select(Agency.region_id, func.count())
                .where(Agency.active.is_(True))
                .group_by(Agency.region_id)
            ).all()
        )
        publishing = dict(
            session.execute(
                select(Innovation.region_id, func.count(func.distinct(Innovation.agency_id)))
                .where(_published())
                .group_by(Innovation.region_id)
            ).all()
        )
        stages: dict[int, dict[str, int]] = {}
        for region_id, stage, count in session.execute(
            select(Innovation.region_id, Innovation.stage, func.count())
            .where(_published())
            .group_by(Innovation.region_id, Innovation.stage)
        ):
            stages.setdefault(region_id, {})[Stage(stage).value] = int(count)
        replications = {
            region_id: (int(count), int(sources))
            for region_id, count, sources in session.execute(
                select(
                    source.region_id,
                    func.count(Replication.id),
                    func.count(func.distinct(source.id)),
                )
                .join(source, source.id == Replication.source_innovation_id)
                .where(source.published.is_(True))
                .group_by(source.region_id)
            )
        }
    figures = []
    for region in regions:
        by_stage = {stage.value: stages.get(region.id, {}).get(stage.value, 0) for stage in Stage}
        count, sources = replications.get(region.id, (0, 0))
        figures.append(
            RegionFigures(
                region_id=region.id,
                region_code=region.code,
                region_name=region.name,
                agencies=int(agencies.get(region.id, 0)),
                agencies_publishing=int(publishing.get(region.id, 0)),
                published_innovations=sum(by_stage.values()),
                by_stage=by_stage,
                replications=count,
                replicated_innovations=sources,
            )
        )
    return figures
