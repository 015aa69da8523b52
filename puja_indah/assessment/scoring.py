"""Reads for the self-assessment screen and the region index panel: turn the stored claims into the
frozen inputs of the pure `index.compute` / `index.what_if` and hand back what the pages show.

Nothing here recomputes the formula: per-innovation sums, the SID average, the count score, the
IID and the predicate all come from `index.py`. What this module decides is which claims count:

- a claimed level counts only with evidence (DOMAIN §2.2 "0 without valid evidence"): an SID claim
  needs at least one attached, not deleted evidence document; an SPD claim needs a named document
  (its number or a link);
- only innovations implemented within the last two years count (DOMAIN §2.1): for assessment year
  Y, an implementation date from 1 January Y−1 to 31 December Y (`implementation_window`);
  innovations without an implementation date are listed as not counted;
- the basic-service affairs are the affairs flagged `basic_service` in the reference list (their
  codes replace the defaults of `index.Catalogue`).

The panel is a named cross-agency read: a monitor's region scope already sees every innovation of
its region's agencies, a national scope every region's; nothing here widens the scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from puja_indah.assessment import index
from puja_indah.assessment.models import (
    AspectCode,
    AssessmentYear,
    Claim,
    ClaimEvidence,
    Indicator,
    RegionClaim,
)
from puja_indah.assessment.queries import catalogue_from_db
from puja_indah.core.models import Agency, Region
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation
from puja_indah.reference.models import Affair

# DOMAIN §2.1: "Only innovations implemented in the last two years are scored."
IMPLEMENTATION_WINDOW_YEARS = 2


def indicators_of(year: AssessmentYear, aspect: AspectCode) -> list[Indicator]:
    """The indicators of one aspect of `year`, in number order, with their levels."""
    return list(
        db.session.scalars(
            select(Indicator)
            .where(Indicator.year_id == year.id, Indicator.aspect.has(code=aspect))
            .options(selectinload(Indicator.levels))
            .order_by(Indicator.number)
        )
    )


def basic_service_affairs() -> list[Affair]:
    return list(
        db.session.scalars(
            select(Affair)
            .where(Affair.basic_service.is_(True))
            .order_by(Affair.sort_order, Affair.code)
        )
    )


def catalogue_for(year: AssessmentYear) -> index.Catalogue:
    """The year's snapshot, with the basic-service affairs taken from the reference list."""
    codes = tuple(affair.code for affair in basic_service_affairs())
    return replace(catalogue_from_db(year), basic_service_affairs=codes)


def live_evidence(claim: Claim) -> list[Evidence]:
    return [
        link.evidence
        for link in claim.evidence_links
        if link.evidence is not None and link.evidence.deleted_at is None
    ]


def counted_level(claim: Claim | None) -> int:
    """The level that scores: the claimed one with evidence, else 0."""
    if claim is None or not live_evidence(claim):
        return 0
    return claim.level


def claims_of(innovation_ids: Sequence[int], year: AssessmentYear) -> list[Claim]:
    if not innovation_ids:
        return []
    # Joined eager loads: one statement whether or not any claim exists (select-in loads are
    # sent only when there are rows to load for, so the count would depend on the data).
    return list(
        db.session.scalars(
            select(Claim)
            .join(Indicator, Claim.indicator_id == Indicator.id)
            .where(Claim.innovation_id.in_(innovation_ids), Indicator.year_id == year.id)
            .options(
                contains_eager(Claim.indicator),
                joinedload(Claim.evidence_links).joinedload(ClaimEvidence.evidence),
            )
        ).unique()
    )


def evidence_choices(innovation: Innovation) -> list[Evidence]:
    """The documents a claim of `innovation` may cite: its own and the agency-wide ones."""
    return list(
        db.session.scalars(
            select(Evidence)
            .where(
                Evidence.agency_id == innovation.agency_id,
                (Evidence.innovation_id == innovation.id) | Evidence.innovation_id.is_(None),
                Evidence.deleted_at.is_(None),
            )
            .order_by(Evidence.document_date.desc(), Evidence.id.desc())
        )
    )


# --- the self-assessment screen ------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimRow:
    indicator: Indicator
    claim: Claim | None
    level: int
    evidence: tuple[Evidence, ...]
    counted: int  # the level that scores

    @property
    def score(self) -> Decimal:
        return self.indicator.weight * self.counted

    @property
    def without_evidence(self) -> bool:
        """Claimed, but scoring 0 for want of evidence (stored, or as typed in a preview)."""
        return self.level > 0 and self.counted == 0


@dataclass(frozen=True)
class SelfAssessment:
    year: AssessmentYear
    innovation: Innovation
    rows: tuple[ClaimRow, ...]
    score: index.InnovationScore
    maximum: Decimal

    @property
    def version_of(self) -> dict[int, int]:
        return {row.indicator.id: row.claim.version if row.claim else 0 for row in self.rows}


def self_assessment(
    year: AssessmentYear,
    innovation: Innovation,
    preview: Mapping[int, tuple[int, bool]] | None = None,
) -> SelfAssessment:
    """The innovation's SID claims of `year`, scored by `index.compute`. `preview` maps an
    indicator id to (level, has evidence) as typed in an unsaved form, to recompute on request."""
    indicators = indicators_of(year, AspectCode.SID)
    claims = {claim.indicator_id: claim for claim in claims_of([innovation.id], year)}
    rows = []
    for indicator in indicators:
        claim = claims.get(indicator.id)
        evidence = tuple(live_evidence(claim)) if claim else ()
        level = claim.level if claim else 0
        counted = level if evidence else 0
        if preview is not None and indicator.id in preview:
            level, has_evidence = preview[indicator.id]
            counted = level if has_evidence else 0
        rows.append(ClaimRow(indicator, claim, level, evidence, counted))
    catalogue = catalogue_for(year)
    scored = index.compute(
        catalogue,
        {},
        [
            index.Innovation(
                innovation.id,
                innovation.affair.code if innovation.affair else None,
                {row.indicator.number: row.counted for row in rows},
            )
        ],
    )
    maximum = sum((row.indicator.weight for row in rows), Decimal(0)) * index.MAX_LEVEL
    return SelfAssessment(year, innovation, tuple(rows), scored.innovations[0], maximum)


# --- the region panel ----------------------------------------------------------------------------


def implementation_window(year: int) -> tuple[date, date]:
    return date(year - IMPLEMENTATION_WINDOW_YEARS + 1, 1, 1), date(year, 12, 31)


@dataclass(frozen=True)
class PanelInnovation:
    innovation: Innovation
    counted: bool
    levels: Mapping[int, int]  # indicator number -> level that scores

    @property
    def affair_code(self) -> str | None:
        return self.innovation.affair.code if self.innovation.affair else None


@dataclass(frozen=True)
class RegionRow:
    indicator: Indicator
    claim: RegionClaim | None

    @property
    def counted(self) -> int:
        if self.claim is None or not self.claim.has_evidence:
            return 0
        return self.claim.level

    @property
    def without_evidence(self) -> bool:
        return self.claim is not None and self.claim.level > 0 and not self.claim.has_evidence


@dataclass(frozen=True)
class Panel:
    year: AssessmentYear
    region: Region
    catalogue: index.Catalogue
    region_rows: tuple[RegionRow, ...]
    innovations: tuple[PanelInnovation, ...]
    window: tuple[date, date]
    affairs: Mapping[str, Affair]  # basic-service affairs by code
    result: index.IndexResult

    @property
    def region_levels(self) -> dict[int, int]:
        return {row.indicator.number: row.counted for row in self.region_rows}

    @property
    def counted(self) -> list[PanelInnovation]:
        return [item for item in self.innovations if item.counted]

    @property
    def not_counted(self) -> list[PanelInnovation]:
        return [item for item in self.innovations if not item.counted]

    def index_innovations(self) -> list[index.Innovation]:
        return [
            index.Innovation(item.innovation.id, item.affair_code, item.levels)
            for item in self.counted
        ]

    def by_id(self) -> dict[int, PanelInnovation]:
        return {item.innovation.id: item for item in self.innovations}


def region_rows(year: AssessmentYear, region: Region) -> list[RegionRow]:
    indicators = indicators_of(year, AspectCode.SPD)
    claims = {
        claim.indicator_id: claim
        for claim in db.session.scalars(
            select(RegionClaim).where(
                RegionClaim.region_id == region.id,
                RegionClaim.indicator_id.in_([ind.id for ind in indicators]),
            )
        )
    }
    return [RegionRow(indicator, claims.get(indicator.id)) for indicator in indicators]


def region_innovations(region: Region) -> list[Innovation]:
    """Every innovation of the region's agencies the current scope may read (cross-agency read:
    the region and national scopes see them; an agency scope sees only its own)."""
    return list(
        db.session.scalars(
            select(Innovation)
            .join(Agency, Innovation.agency_id == Agency.id)
            .where(Innovation.region_id == region.id)
            .options(selectinload(Innovation.affair), selectinload(Innovation.agency))
            .order_by(Agency.name, Innovation.name, Innovation.id)
        )
    )


def region_panel(year: AssessmentYear, region: Region) -> Panel:
    catalogue = catalogue_for(year)
    rows = region_rows(year, region)
    window = implementation_window(year.year)
    innovations = region_innovations(region)
    claims = claims_of([item.id for item in innovations], year)
    levels: dict[int, dict[int, int]] = {}
    for claim in claims:
        levels.setdefault(claim.innovation_id, {})[claim.indicator.number] = counted_level(claim)
    items = tuple(
        PanelInnovation(
            innovation,
            counted=innovation.implementation_date is not None
            and window[0] <= innovation.implementation_date <= window[1],
            levels=levels.get(innovation.id, {}),
        )
        for innovation in innovations
    )
    affairs = {affair.code: affair for affair in basic_service_affairs()}
    region_levels = {row.indicator.number: row.counted for row in rows}
    result = index.compute(
        catalogue,
        region_levels,
        [
            index.Innovation(item.innovation.id, item.affair_code, item.levels)
            for item in items
            if item.counted
        ],
    )
    return Panel(year, region, catalogue, tuple(rows), items, window, affairs, result)


@dataclass(frozen=True)
class Hypothesis:
    """A what-if: hypothetical innovations to add, existing ones to remove or re-level."""

    add: tuple[index.Innovation, ...] = ()
    remove: tuple[int, ...] = ()
    relevel: Mapping[index.InnovationId, Mapping[int, int]] | None = None

    @property
    def empty(self) -> bool:
        return not (self.add or self.remove or self.relevel)


def what_if(panel: Panel, hypothesis: Hypothesis) -> index.IndexResult:
    """The panel's index after the hypothesis, computed by `index.what_if`; nothing is saved."""
    return index.what_if(
        panel.catalogue,
        panel.region_levels,
        panel.index_innovations(),
        add=hypothesis.add,
        remove=hypothesis.remove,
        relevel=hypothesis.relevel or {},
    )


def sid_numbers(catalogue: index.Catalogue) -> list[int]:
    return [spec.number for spec in catalogue.of_aspect("SID")]


def all_at(
    catalogue: index.Catalogue, level: int, numbers: Iterable[int] | None = None
) -> dict[int, int]:
    return {number: level for number in (numbers or sid_numbers(catalogue))}
