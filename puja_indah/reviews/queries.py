"""Reads of the reviewer workspace and of review decisions.

The reviewer's scope is national, and the tenancy layer gives national scopes every agency's rows
(core/tenancy.py `_criteria_for`: no criteria) — so the workspace and the review page read through
the request's own session; no cross-agency read is needed for them. The agency's and the
monitor's views of the decisions use the same functions in their own scopes and so see only
their agency's, or their region's, decisions (the criteria apply to every ReviewDecision here,
aliases and subqueries included).

One named cross-agency read: *reviews: pending count* (`pending_for_region`), a number for the
monitors' weekly digest, which runs outside any request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from puja_indah.assessment import scoring
from puja_indah.assessment.models import (
    AspectCode,
    AssessmentYear,
    Claim,
    ClaimEvidence,
    Indicator,
    YearStatus,
)
from puja_indah.core.models import Agency, Region
from puja_indah.core.paging import Page
from puja_indah.core.tenancy import cross_agency_read
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Stage
from puja_indah.reference.models import Affair
from puja_indah.reviews.models import ReviewDecision, Verdict

PER_PAGE = 25
PENDING_REASON = "reviews: pending count"

# Review status of an innovation in a year (the workspace filter).
NOT_REVIEWED, PARTLY, ALL_VALID, NEEDS_REVISION = "not_reviewed", "partly", "all_valid", "revision"
STATUSES = (NOT_REVIEWED, PARTLY, ALL_VALID, NEEDS_REVISION)
SORTS = ("name", "region", "agency", "stage", "claims", "reviewed", "revision")


def current_filter(row: Any = ReviewDecision) -> Any:
    """The current decision of its (innovation, indicator): no later version exists."""
    later = aliased(ReviewDecision)
    return ~exists().where(
        later.innovation_id == row.innovation_id,
        later.indicator_id == row.indicator_id,
        later.version > row.version,
    )


def _indicators_of_year(year_id: int) -> Any:
    return select(Indicator.id).where(Indicator.year_id == year_id)


# --- the workspace -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    year_id: int
    region_id: int | None = None
    agency_id: int | None = None
    stage: Stage | None = None
    affair_id: int | None = None
    status: str | None = None
    q: str | None = None
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class WorkspaceRow:
    id: int
    name: str
    stage: Stage
    agency_name: str
    region_name: str
    affair_name: str | None
    claims: int
    reviewed: int
    revision: int

    @property
    def status(self) -> str:
        if self.revision:
            return NEEDS_REVISION
        if not self.reviewed:
            return NOT_REVIEWED
        return ALL_VALID if self.reviewed >= self.claims else PARTLY


def _counts(year_id: int) -> tuple[Any, Any]:
    """Per innovation: its claims of the year (a level above 0), and its current decisions of the
    year with how many of them need revision."""
    claims = (
        select(Claim.innovation_id.label("innovation_id"), func.count().label("n"))
        .where(Claim.indicator_id.in_(_indicators_of_year(year_id)), Claim.level > 0)
        .group_by(Claim.innovation_id)
        .subquery()
    )
    decisions = (
        select(
            ReviewDecision.innovation_id.label("innovation_id"),
            func.count().label("reviewed"),
            func.sum(case((ReviewDecision.verdict == Verdict.NEEDS_REVISION, 1), else_=0)).label(
                "revision"
            ),
        )
        .where(ReviewDecision.indicator_id.in_(_indicators_of_year(year_id)), current_filter())
        .group_by(ReviewDecision.innovation_id)
        .subquery()
    )
    return claims, decisions


def workspace_page(filters: Filters, page: int = 1) -> Page[WorkspaceRow]:
    claims_sq, decisions_sq = _counts(filters.year_id)
    claims = func.coalesce(claims_sq.c.n, 0)
    reviewed = func.coalesce(decisions_sq.c.reviewed, 0)
    revision = func.coalesce(decisions_sq.c.revision, 0)
    conditions: list[Any] = []
    if filters.region_id is not None:
        conditions.append(Innovation.region_id == filters.region_id)
    if filters.agency_id is not None:
        conditions.append(Innovation.agency_id == filters.agency_id)
    if filters.stage is not None:
        conditions.append(Innovation.stage == filters.stage)
    if filters.affair_id is not None:
        conditions.append(Innovation.affair_id == filters.affair_id)
    if filters.q:
        conditions.append(Innovation.name.icontains(filters.q, autoescape=True))
    if filters.status == NOT_REVIEWED:
        conditions.append(reviewed == 0)
    elif filters.status == PARTLY:
        conditions += [reviewed > 0, revision == 0, reviewed < claims]
    elif filters.status == ALL_VALID:
        conditions += [reviewed > 0, revision == 0, reviewed >= claims]
    elif filters.status == NEEDS_REVISION:
        conditions.append(revision > 0)
    order = {
        "name": Innovation.name_key,
        "region": Region.name,
        "agency": Agency.name,
        "stage": Innovation.stage,
        "claims": claims,
        "reviewed": reviewed,
        "revision": revision,
    }[filters.sort if filters.sort in SORTS else "name"]
    stmt = (
        select(
            Innovation.id,
            Innovation.name,
            Innovation.stage,
            Agency.name.label("agency_name"),
            Region.name.label("region_name"),
            Affair.name.label("affair_name"),
            claims.label("claims"),
            reviewed.label("reviewed"),
            revision.label("revision"),
        )
        .join(Agency, Agency.id == Innovation.agency_id)
        .join(Region, Region.id == Innovation.region_id)
        .outerjoin(Affair, Affair.id == Innovation.affair_id)
        .outerjoin(claims_sq, claims_sq.c.innovation_id == Innovation.id)
        .outerjoin(decisions_sq, decisions_sq.c.innovation_id == Innovation.id)
        .where(*conditions)
    )
    total = int(db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    last = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), last)
    ordered = stmt.order_by(
        order.desc() if filters.descending else order.asc(), Innovation.name_key, Innovation.id
    )
    rows = db.session.execute(ordered.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return Page([WorkspaceRow(**row._mapping) for row in rows], total, page, PER_PAGE)


def filter_choices() -> dict[str, list[tuple[int, str]]]:
    """Assessment years (newest first) and active affairs, for the workspace's filter form (its
    region and agency selects come from core/region_filter.py: a region, then its agencies)."""
    years = db.session.execute(
        select(AssessmentYear.id, AssessmentYear.year).order_by(AssessmentYear.year.desc())
    ).all()
    affairs = db.session.execute(
        select(Affair.id, Affair.name)
        .where(Affair.active.is_(True))
        .order_by(Affair.sort_order, Affair.code)
    ).all()
    return {
        "years": [(y.id, str(y.year)) for y in years],
        "affairs": [(a.id, a.name) for a in affairs],
    }


# --- one innovation's review ---------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorReview:
    indicator: Indicator
    claim: Claim | None
    evidence: tuple[Evidence, ...]
    decisions: tuple[ReviewDecision, ...]  # newest first

    @property
    def current(self) -> ReviewDecision | None:
        return self.decisions[0] if self.decisions else None

    @property
    def history(self) -> tuple[ReviewDecision, ...]:
        return self.decisions[1:]

    @property
    def claim_level(self) -> int:
        return self.claim.level if self.claim else 0

    @property
    def claim_changed(self) -> bool:
        """The claim changed (or appeared, or went) after the current decision was made."""
        current = self.current
        if current is None:
            return False
        return current.claim_version != (self.claim.version if self.claim else 0)


def decisions_of(innovation_id: int, indicator_ids: Sequence[int]) -> list[ReviewDecision]:
    """Every decision (all versions) of the innovation on these indicators, newest first."""
    if not indicator_ids:
        return []
    return list(
        db.session.scalars(
            select(ReviewDecision)
            .where(
                ReviewDecision.innovation_id == innovation_id,
                ReviewDecision.indicator_id.in_(indicator_ids),
            )
            .options(selectinload(ReviewDecision.reviewer))
            .order_by(ReviewDecision.indicator_id, ReviewDecision.version.desc())
        )
    )


def review_rows(year: AssessmentYear, innovation: Innovation) -> list[IndicatorReview]:
    """Every SID indicator of `year` with the agency's claim, its live evidence and the
    decisions about it."""
    indicators = scoring.indicators_of(year, AspectCode.SID)
    claims = {claim.indicator_id: claim for claim in scoring.claims_of([innovation.id], year)}
    by_indicator: dict[int, list[ReviewDecision]] = {}
    for decision in decisions_of(innovation.id, [ind.id for ind in indicators]):
        by_indicator.setdefault(decision.indicator_id, []).append(decision)
    rows = []
    for indicator in indicators:
        claim = claims.get(indicator.id)
        evidence = tuple(scoring.live_evidence(claim)) if claim else ()
        rows.append(
            IndicatorReview(indicator, claim, evidence, tuple(by_indicator.get(indicator.id, [])))
        )
    return rows


def current_decision(innovation_id: int, indicator_id: int) -> ReviewDecision | None:
    return db.session.scalar(
        select(ReviewDecision)
        .where(
            ReviewDecision.innovation_id == innovation_id,
            ReviewDecision.indicator_id == indicator_id,
        )
        .order_by(ReviewDecision.version.desc())
        .limit(1)
        .options(selectinload(ReviewDecision.reviewer))
    )


def claim_of(innovation_id: int, indicator_id: int) -> Claim | None:
    return db.session.scalar(
        select(Claim).where(
            Claim.innovation_id == innovation_id, Claim.indicator_id == indicator_id
        )
    )


def current_for(innovation_id: int, year_id: int) -> dict[int, ReviewDecision]:
    """Indicator id → the current decision, for the agency's self-assessment page (the scope's
    criteria keep another agency's decisions out)."""
    rows = db.session.scalars(
        select(ReviewDecision)
        .where(
            ReviewDecision.innovation_id == innovation_id,
            ReviewDecision.indicator_id.in_(_indicators_of_year(year_id)),
            current_filter(),
        )
        .options(selectinload(ReviewDecision.reviewer))
    )
    return {row.indicator_id: row for row in rows}


@dataclass(frozen=True)
class Summary:
    year: int
    valid: int
    revision: int


def summary_by_year(innovation_id: int) -> list[Summary]:
    """Per assessment year with decisions: how many current decisions are valid and how many
    need revision (the innovation's page)."""
    rows = db.session.execute(
        select(
            AssessmentYear.year,
            func.sum(case((ReviewDecision.verdict == Verdict.VALID, 1), else_=0)),
            func.sum(case((ReviewDecision.verdict == Verdict.NEEDS_REVISION, 1), else_=0)),
        )
        .select_from(ReviewDecision)
        .join(Indicator, Indicator.id == ReviewDecision.indicator_id)
        .join(AssessmentYear, AssessmentYear.id == Indicator.year_id)
        .where(ReviewDecision.innovation_id == innovation_id, current_filter())
        .group_by(AssessmentYear.year)
        .order_by(AssessmentYear.year.desc())
    ).all()
    return [Summary(int(y), int(v or 0), int(r or 0)) for y, v, r in rows]


@dataclass(frozen=True)
class RegionRow:
    innovation_id: int
    name: str
    agency_name: str
    claims: int
    valid: int
    revision: int


def region_summaries(region_id: int, year_id: int) -> list[RegionRow]:
    """The region's innovations with claims or decisions in the year: claims, valid and
    needs-revision counts (the monitor's region claims page)."""
    claims_sq, decisions_sq = _counts(year_id)
    reviewed = func.coalesce(decisions_sq.c.reviewed, 0)
    revision = func.coalesce(decisions_sq.c.revision, 0)
    rows = db.session.execute(
        select(
            Innovation.id,
            Innovation.name,
            Agency.name,
            func.coalesce(claims_sq.c.n, 0),
            reviewed - revision,
            revision,
        )
        .join(Agency, Agency.id == Innovation.agency_id)
        .outerjoin(claims_sq, claims_sq.c.innovation_id == Innovation.id)
        .outerjoin(decisions_sq, decisions_sq.c.innovation_id == Innovation.id)
        .where(
            Innovation.region_id == region_id,
            (claims_sq.c.n.is_not(None)) | (decisions_sq.c.reviewed.is_not(None)),
        )
        .order_by(Agency.name, Innovation.name_key)
    ).all()
    return [RegionRow(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5])) for r in rows]


# --- the digest's number -------------------------------------------------------------------------


def pending_statement(region_id: int | None) -> Any:
    """Claims waiting for a reviewer: (innovation, indicator) claims of a year that is not closed,
    with a level above 0 and at least one live evidence document, whose current decision is
    missing — or was made on another version of the claim (the agency changed it since: it is
    pending again, so a revision the reviewer asked for comes back to the reviewer)."""
    live_evidence = exists().where(
        ClaimEvidence.claim_id == Claim.id,
        Evidence.id == ClaimEvidence.evidence_id,
        Evidence.deleted_at.is_(None),
    )
    decided = exists().where(
        and_(
            ReviewDecision.innovation_id == Claim.innovation_id,
            ReviewDecision.indicator_id == Claim.indicator_id,
            ReviewDecision.claim_version == Claim.version,
            current_filter(),
        )
    )
    stmt = (
        select(func.count())
        .select_from(Claim)
        .join(Indicator, Indicator.id == Claim.indicator_id)
        .join(AssessmentYear, AssessmentYear.id == Indicator.year_id)
        .join(Innovation, Innovation.id == Claim.innovation_id)
        .where(
            AssessmentYear.status != YearStatus.CLOSED,
            Claim.level > 0,
            live_evidence,
            ~decided,
        )
    )
    if region_id is not None:
        stmt = stmt.where(Innovation.region_id == region_id)
    return stmt


def pending_for_region(region_id: int | None) -> int:
    """How many claims wait for a reviewer's decision in the region (None: nationally) — see
    `pending_statement` for what counts. A named cross-agency read (*reviews: pending count*): it
    returns a number only, and runs the same from a request, a job or the CLI."""
    with cross_agency_read(PENDING_REASON, db.engine) as session:
        return int(session.scalar(pending_statement(region_id)) or 0)
