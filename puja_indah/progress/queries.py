"""Reads of the progress feature: an innovation's timeline and the progress roll-ups.

The roll-ups are single SQL statements (GROUP BY over a window function that picks each
innovation's latest milestone), so their cost grows with the database, not with Python loops;
issue 7 runs them at 30,000 innovations. Agency-scoped rows (innovations, milestones) carry the
tenancy criteria of the caller's scope in every subquery: an officer's roll-up covers its own
agency, a monitor's its region, a national scope everything (optionally one region).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, Subquery, case, func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from puja_indah.core.models import Agency, Region
from puja_indah.core.tenancy import Scope
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, StageChange
from puja_indah.progress.models import Milestone, MilestoneAttachment
from puja_indah.progress.rules import Point, innovation_progress
from puja_indah.reference.models import Affair

# --- one innovation ------------------------------------------------------------------------------


def innovation(innovation_id: int) -> Innovation | None:
    """The innovation if the scope may read it (tenancy criteria), else None."""
    return db.session.scalar(select(Innovation).where(Innovation.id == innovation_id))


def milestones_of(innovation: Innovation) -> Select[Milestone]:
    """The innovation's milestones with their attachments, unsorted (the timeline merges them
    with the stage changes; the API sorts and pages them)."""
    return (
        select(Milestone)
        .where(Milestone.innovation_id == innovation.id)
        .options(
            selectinload(Milestone.attachments).selectinload(MilestoneAttachment.evidence),
            selectinload(Milestone.updated_by),
        )
    )


def milestone_of(innovation: Innovation, milestone_id: int) -> Milestone | None:
    return db.session.scalar(
        select(Milestone)
        .where(Milestone.id == milestone_id, Milestone.innovation_id == innovation.id)
        .options(selectinload(Milestone.attachments).selectinload(MilestoneAttachment.evidence))
    )


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: a milestone or a stage change, on its date."""

    on: date
    milestone: Milestone | None = None
    stage_change: StageChange | None = None


@dataclass(frozen=True)
class Timeline:
    innovation: Innovation
    entries: list[Entry]
    progress: int
    milestone_count: int


def timeline(innovation: Innovation) -> Timeline:
    """Milestones and stage changes, newest first (on one date: milestones above stage changes,
    later entries above earlier ones)."""
    milestones = list(db.session.scalars(milestones_of(innovation)))
    changes = list(
        db.session.scalars(
            select(StageChange)
            .where(StageChange.innovation_id == innovation.id)
            .options(selectinload(StageChange.user))
        )
    )
    keyed: list[tuple[tuple[date, int, int], Entry]] = [
        ((m.happened_on, 1, m.id), Entry(m.happened_on, milestone=m)) for m in milestones
    ]
    keyed += [((c.changed_on, 0, c.id), Entry(c.changed_on, stage_change=c)) for c in changes]
    keyed.sort(key=lambda item: item[0], reverse=True)
    progress = innovation_progress(Point(m.happened_on, m.id, m.progress) for m in milestones)
    return Timeline(innovation, [entry for _, entry in keyed], progress, len(milestones))


def evidence_choices(innovation: Innovation) -> list[SelectChoice]:
    """The innovation's documents (not deleted) a milestone may cite, by title."""
    rows = db.session.execute(
        select(Evidence.id, Evidence.title, Evidence.document_number)
        .where(Evidence.innovation_id == innovation.id, Evidence.deleted_at.is_(None))
        .order_by(Evidence.title, Evidence.id)
    )
    return [
        SelectChoice(
            str(row.id),
            f"{row.title} ({row.document_number})" if row.document_number else row.title,
        )
        for row in rows
    ]


# --- roll-ups ------------------------------------------------------------------------------------


def latest_progress() -> Subquery:
    """innovation_id → progress % of its latest milestone by date (ties: the later entry), the
    SQL twin of `rules.innovation_progress`."""
    ranked = select(
        Milestone.innovation_id,
        Milestone.progress,
        func.row_number()
        .over(
            partition_by=Milestone.innovation_id,
            order_by=(Milestone.happened_on.desc(), Milestone.id.desc()),
        )
        .label("position"),
    ).subquery("ranked")
    return (
        select(ranked.c.innovation_id, ranked.c.progress)
        .where(ranked.c.position == 1)
        .subquery("latest")
    )


@dataclass(frozen=True)
class Figures:
    """Counts and the mean progress of a group of innovations."""

    innovations: int
    with_milestones: int
    completed: int  # latest milestone at 100 %
    mean_progress: float


@dataclass(frozen=True)
class AgencyRow:
    agency_id: int
    name: str
    short_name: str
    region: str
    figures: Figures


@dataclass(frozen=True)
class AffairRow:
    affair_id: int | None  # None: innovations without a main urusan
    code: str
    name: str
    basic_service: bool
    figures: Figures
    order: int = 0


@dataclass(frozen=True)
class RollUp:
    total: Figures
    agencies: list[AgencyRow]
    affairs: list[AffairRow]
    basic_service_total: int
    basic_service_covered: int
    region_id: int | None = None
    regions: list[Region] = field(default_factory=list)


def _figure_columns(latest: Subquery) -> list[Any]:
    progress = func.coalesce(latest.c.progress, 0)
    return [
        func.count(Innovation.id).label("innovations"),
        func.count(latest.c.innovation_id).label("with_milestones"),
        func.coalesce(func.sum(case((progress >= 100, 1), else_=0)), 0).label("completed"),
        func.coalesce(func.avg(progress), 0).label("mean_progress"),
    ]


def _figures(row: Any) -> Figures:
    return Figures(
        innovations=int(row.innovations or 0),
        with_milestones=int(row.with_milestones or 0),
        completed=int(row.completed or 0),
        mean_progress=float(row.mean_progress or 0),
    )


def visible_region_id(scope: Scope, requested: int | None) -> int | None:
    """A monitor sees its own region; national scopes may narrow to one; an agency's own."""
    if scope.kind == "region":
        return scope.region_id
    if scope.kind == "agency":
        return None
    return requested


def roll_up(scope: Scope, region_id: int | None = None) -> RollUp:
    region = visible_region_id(scope, region_id)
    latest = latest_progress()

    def base(*columns: Any) -> Any:
        stmt = (
            select(*columns, *_figure_columns(latest))
            .select_from(Innovation)
            .outerjoin(latest, latest.c.innovation_id == Innovation.id)
        )
        return stmt.where(Innovation.region_id == region) if region is not None else stmt

    total = _figures(db.session.execute(base()).one())

    agency_rows = db.session.execute(
        base(Agency.id, Agency.name, Agency.short_name, Region.name.label("region"))
        .join(Agency, Agency.id == Innovation.agency_id)
        .join(Region, Region.id == Agency.region_id)
        .group_by(Agency.id, Agency.name, Agency.short_name, Region.name)
        .order_by(Region.name, Agency.name, Agency.id)
    )
    agencies = [
        AgencyRow(row.id, row.name, row.short_name, row.region, _figures(row))
        for row in agency_rows
    ]

    affair_rows = db.session.execute(
        base(Affair.id, Affair.code, Affair.name, Affair.basic_service, Affair.sort_order)
        .outerjoin(Affair, Affair.id == Innovation.affair_id)
        .group_by(Affair.id, Affair.code, Affair.name, Affair.basic_service, Affair.sort_order)
        .order_by(Affair.sort_order.is_(None), Affair.sort_order, Affair.code)
    )
    affairs = [
        AffairRow(
            row.id,
            row.code or "",
            row.name or "",
            bool(row.basic_service),
            _figures(row),
            row.sort_order or 0,
        )
        for row in affair_rows
    ]
    # Basic-service urusan without any innovation are listed too: the index asks how many of
    # them a region covers.
    basic = list(
        db.session.execute(
            select(Affair.id, Affair.code, Affair.name, Affair.sort_order)
            .where(Affair.basic_service.is_(True))
            .order_by(Affair.sort_order, Affair.code)
        )
    )
    seen = {row.affair_id for row in affairs}
    empty = Figures(0, 0, 0, 0.0)
    missing = [
        AffairRow(b.id, b.code, b.name, True, empty, b.sort_order)
        for b in basic
        if b.id not in seen
    ]
    covered = sum(1 for row in affairs if row.basic_service and row.figures.innovations)
    affairs = sorted(
        affairs + missing,
        key=lambda r: (r.affair_id is None, not r.basic_service, r.order, r.code),
    )
    return RollUp(
        total=total,
        agencies=agencies,
        affairs=affairs,
        basic_service_total=len(basic),
        basic_service_covered=covered,
        region_id=region,
    )


def region_choices() -> list[SelectChoice]:
    return [
        SelectChoice(str(r.id), f"{r.code} · {r.name}")
        for r in db.session.scalars(select(Region).order_by(Region.code))
    ]
