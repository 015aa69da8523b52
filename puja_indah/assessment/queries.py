"""Reads of the assessment catalogue, and the snapshot the pure index computation takes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from puja_indah.assessment.index import Catalogue, IndicatorSpec, PredicateSpec
from puja_indah.assessment.models import AssessmentYear, Claim, ClaimEvidence, Indicator
from puja_indah.extensions import db


def years() -> list[AssessmentYear]:
    return list(db.session.scalars(select(AssessmentYear).order_by(AssessmentYear.year)))


def year_with_catalogue(year: int) -> AssessmentYear | None:
    return db.session.scalar(
        select(AssessmentYear)
        .where(AssessmentYear.year == year)
        .options(
            selectinload(AssessmentYear.predicates),
            selectinload(AssessmentYear.indicators).selectinload(Indicator.aspect),
        )
    )


def catalogue_from_db(year: AssessmentYear) -> Catalogue:
    """A frozen snapshot of `year` for `index.compute` (no further database access needed)."""
    return Catalogue(
        year=year.year,
        indicators=tuple(
            IndicatorSpec(
                number=ind.number,
                aspect="SPD" if ind.aspect.code.value == "SPD" else "SID",
                weight=ind.weight,
                mandatory=ind.mandatory,
                name=ind.name,
            )
            for ind in sorted(year.indicators, key=lambda ind: ind.number)
        ),
        predicates=tuple(
            PredicateSpec(p.name, p.lower_bound, p.upper_bound)
            for p in sorted(year.predicates, key=lambda p: p.lower_bound, reverse=True)
        ),
        divisor_minimum=year.divisor_minimum,
        count_weight=year.count_weight,
        count_cap=year.count_cap,
        basic_service_minimum=year.basic_service_minimum,
        maximum_score=year.maximum_score,
    )


@dataclass(frozen=True)
class CitingIndicator:
    """An SID indicator whose claim cites an evidence document, with the level claimed."""

    evidence_id: int
    indicator_id: int
    year: int
    number: int
    name: str
    claimed_level: int


def indicators_citing(evidence_ids: Collection[int]) -> dict[int, list[CitingIndicator]]:
    """evidence id → the indicators whose claims attach that document (year, number order).
    Claims and their links are agency-scoped: the scope's own narrowing applies."""
    if not evidence_ids:
        return {}
    rows = db.session.execute(
        select(
            ClaimEvidence.evidence_id,
            Indicator.id.label("indicator_id"),
            AssessmentYear.year,
            Indicator.number,
            Indicator.name,
            Claim.level.label("claimed_level"),
        )
        .join(Claim, Claim.id == ClaimEvidence.claim_id)
        .join(Indicator, Indicator.id == Claim.indicator_id)
        .join(AssessmentYear, AssessmentYear.id == Indicator.year_id)
        .where(ClaimEvidence.evidence_id.in_(list(evidence_ids)))
        .order_by(AssessmentYear.year, Indicator.number, Claim.id)
    )
    found: dict[int, list[CitingIndicator]] = {}
    for row in rows:
        found.setdefault(row.evidence_id, []).append(CitingIndicator(**row._mapping))
    return found
