"""Reads of the assessment catalogue, and the snapshot the pure index computation takes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from puja_indah.assessment.index import Catalogue, IndicatorSpec, PredicateSpec
from puja_indah.assessment.models import AssessmentYear, Indicator
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
