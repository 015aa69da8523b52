"""The Indeks Inovasi Daerah computation (DOMAIN §2.3) as a pure function.

No database, no Flask: the inputs are frozen snapshots (`Catalogue`, region claims, innovation
claims) and the output is a frozen `IndexResult`, so the same code scores the real data, a what-if
and a hand-worked test. `queries.catalogue_from_db(year)` builds the snapshot from the models.

Rules, every constant taken from the catalogue:
- score of an indicator = weight × level; level 0 means "no valid evidence" and scores 0;
- SPD = Σ scores of the region-level indicators (1–15);
- SID average = Σ over innovations of Σ scores of the innovation indicators (16–35)
  / MAX(divisor_minimum, n);
- count score = MIN(n, count_cap) × count_weight, or 0 when fewer than `basic_service_minimum` of
  the six basic-service affairs are covered by the innovations (NULL/0 minimum: no such rule);
- total = SPD + SID average + count score; IID = total / maximum × 100, rounded to 2 decimals
  (half up); maximum = the year's `maximum_score`, or when that is NULL, derived from the
  catalogue: Σ weights × 3 + count_cap × count_weight;
- predicate = the band whose [lower, upper] holds the IID.
A constant that is missing (NULL) is reported in `missing_constants` and everything that depends
on it stays None — it is never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Literal

Aspect = Literal["SPD", "SID"]
InnovationId = int | str

# The six "wajib pelayanan dasar" affairs (UU 23/2014, DOMAIN §2.1), as affair codes.
BASIC_SERVICE_AFFAIRS: tuple[str, ...] = (
    "pendidikan",
    "kesehatan",
    "pekerjaan_umum_penataan_ruang",
    "perumahan_kawasan_permukiman",
    "trantibumlinmas",
    "sosial",
)
MAX_LEVEL = 3
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class IndicatorSpec:
    number: int
    aspect: Aspect
    weight: Decimal
    mandatory: bool = False
    name: str = ""


@dataclass(frozen=True)
class PredicateSpec:
    name: str
    lower: Decimal
    upper: Decimal


@dataclass(frozen=True)
class Catalogue:
    """A snapshot of one assessment year: constants (None = not known), predicates, indicators."""

    year: int
    indicators: tuple[IndicatorSpec, ...]
    predicates: tuple[PredicateSpec, ...]
    divisor_minimum: int | None
    count_weight: Decimal | None
    count_cap: int | None
    basic_service_minimum: int | None
    maximum_score: Decimal | None
    basic_service_affairs: tuple[str, ...] = BASIC_SERVICE_AFFAIRS

    def indicator(self, number: int) -> IndicatorSpec:
        for spec in self.indicators:
            if spec.number == number:
                return spec
        raise KeyError(number)

    def of_aspect(self, aspect: Aspect) -> tuple[IndicatorSpec, ...]:
        return tuple(spec for spec in self.indicators if spec.aspect == aspect)


def _frozen_levels(levels: Mapping[int, int]) -> Mapping[int, int]:
    return MappingProxyType(dict(levels))


@dataclass(frozen=True)
class Innovation:
    """One scored innovation: its main affair code (None when not set) and indicator levels."""

    id: InnovationId
    affair: str | None
    levels: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A private read-only copy: what the caller does with its dict later changes nothing here.
        object.__setattr__(self, "levels", _frozen_levels(self.levels))


@dataclass(frozen=True)
class Fact:
    """Something that holds the index back, for the "what holds it back" list."""

    code: Literal[
        "missing_constant",
        "mandatory_at_zero",
        "basic_services_short",
        "below_divisor",
        "no_predicate",
    ]
    message: str
    indicator: int | None = None
    innovation: InnovationId | None = None


@dataclass(frozen=True)
class InnovationScore:
    id: InnovationId
    sid_sum: Decimal
    mandatory_at_zero: tuple[int, ...]


@dataclass(frozen=True)
class IndexResult:
    year: int
    spd_total: Decimal
    innovations: tuple[InnovationScore, ...]
    sid_sum_total: Decimal
    innovation_count: int
    divisor: int | None
    sid_average: Decimal | None
    basic_services_covered: tuple[str, ...]
    basic_services_missing: tuple[str, ...]
    count_rule_met: bool
    count_score: Decimal | None
    total: Decimal | None
    maximum: Decimal | None
    iid: Decimal | None
    predicate: str | None
    missing_constants: tuple[str, ...]
    holding_back: tuple[Fact, ...]

    @property
    def computable(self) -> bool:
        return self.iid is not None

    def cannot_compute(self) -> str | None:
        """ "cannot compute: missing constant X" when a constant is missing, else None."""
        if not self.missing_constants:
            return None
        return "cannot compute: missing constant " + ", ".join(self.missing_constants)


def _check_level(level: int, where: str) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= MAX_LEVEL:
        raise ValueError(f"{where}: level must be an integer 0..{MAX_LEVEL}, not {level!r}")
    return level


def _score(catalogue: Catalogue, aspect: Aspect, levels: Mapping[int, int], where: str) -> Decimal:
    numbers = {spec.number for spec in catalogue.of_aspect(aspect)}
    for number, level in levels.items():
        if number not in numbers:
            raise ValueError(f"{where}: {number} is not a {aspect} indicator of {catalogue.year}")
        _check_level(level, f"{where}, indicator {number}")
    return sum(
        (spec.weight * levels.get(spec.number, 0) for spec in catalogue.of_aspect(aspect)),
        Decimal(0),
    )


def predicate_for(catalogue: Catalogue, iid: Decimal) -> str | None:
    for band in catalogue.predicates:
        if band.lower <= iid <= band.upper:
            return band.name
    return None


def derived_maximum(catalogue: Catalogue) -> Decimal | None:
    """Σ weights × 3 plus the count maximum; None when the count constants are unknown."""
    if catalogue.count_weight is None or catalogue.count_cap is None:
        return None
    weights = sum((spec.weight for spec in catalogue.indicators), Decimal(0))
    return weights * MAX_LEVEL + catalogue.count_cap * catalogue.count_weight


def compute(
    catalogue: Catalogue,
    region_levels: Mapping[int, int],
    innovations: Iterable[Innovation],
) -> IndexResult:
    items = tuple(innovations)
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("innovation ids must be unique")
    missing: list[str] = []
    facts: list[Fact] = []

    spd = _score(catalogue, "SPD", region_levels, "region")
    mandatory = [spec for spec in catalogue.of_aspect("SID") if spec.mandatory]
    scores = []
    for item in items:
        item_sum = _score(catalogue, "SID", item.levels, f"innovation {item.id}")
        zero = tuple(spec.number for spec in mandatory if item.levels.get(spec.number, 0) == 0)
        scores.append(InnovationScore(item.id, item_sum, zero))
        facts += [
            Fact(
                "mandatory_at_zero",
                f"innovation {item.id}: mandatory indicator {number} has no valid evidence",
                indicator=number,
                innovation=item.id,
            )
            for number in zero
        ]
    sid_sum = sum((score.sid_sum for score in scores), Decimal(0))
    n = len(items)

    divisor: int | None = None
    sid_average: Decimal | None = None
    if catalogue.divisor_minimum is None:
        missing.append("divisor_minimum")
    else:
        divisor = max(catalogue.divisor_minimum, n)
        sid_average = sid_sum / divisor
        if n < catalogue.divisor_minimum:
            facts.append(
                Fact(
                    "below_divisor",
                    f"{n} innovations scored: the sum is divided by {divisor} until there are"
                    f" at least {catalogue.divisor_minimum}",
                )
            )

    affairs = {item.affair for item in items}
    covered = tuple(a for a in catalogue.basic_service_affairs if a in affairs)
    not_covered = tuple(a for a in catalogue.basic_service_affairs if a not in affairs)
    needed = catalogue.basic_service_minimum or 0
    rule_met = len(covered) >= needed
    if not rule_met:
        facts.append(
            Fact(
                "basic_services_short",
                f"{len(covered)} of {len(catalogue.basic_service_affairs)} basic-service affairs"
                f" covered, {needed} needed for the count score; missing: "
                + ", ".join(not_covered),
            )
        )

    count_score: Decimal | None = None
    for name in ("count_weight", "count_cap"):
        if getattr(catalogue, name) is None:
            missing.append(name)
    if catalogue.count_weight is not None and catalogue.count_cap is not None:
        count_score = (
            min(n, catalogue.count_cap) * catalogue.count_weight if rule_met else Decimal(0)
        )

    maximum = catalogue.maximum_score
    if maximum is None:
        maximum = derived_maximum(catalogue)
        if maximum is None and "maximum_score" not in missing:
            missing.append("maximum_score")

    total: Decimal | None = None
    iid: Decimal | None = None
    predicate: str | None = None
    if sid_average is not None and count_score is not None:
        total = spd + sid_average + count_score
    if total is not None and maximum is not None:
        iid = (total / maximum * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        predicate = predicate_for(catalogue, iid)
        if predicate is None:
            facts.append(Fact("no_predicate", f"no predicate band holds {iid}"))
    facts[:0] = [
        Fact("missing_constant", f"cannot compute: missing constant {name}") for name in missing
    ]

    return IndexResult(
        year=catalogue.year,
        spd_total=spd,
        innovations=tuple(scores),
        sid_sum_total=sid_sum,
        innovation_count=n,
        divisor=divisor,
        sid_average=sid_average,
        basic_services_covered=covered,
        basic_services_missing=not_covered,
        count_rule_met=rule_met,
        count_score=count_score,
        total=total,
        maximum=maximum,
        iid=iid,
        predicate=predicate,
        missing_constants=tuple(missing),
        holding_back=tuple(facts),
    )


def what_if(
    catalogue: Catalogue,
    region_levels: Mapping[int, int],
    innovations: Iterable[Innovation],
    *,
    add: Iterable[Innovation] = (),
    remove: Iterable[InnovationId] = (),
    relevel: Mapping[InnovationId, Mapping[int, int]] | None = None,
    region_relevel: Mapping[int, int] | None = None,
) -> IndexResult:
    """The result after adding, removing or re-levelling innovations (and region claims), without
    touching the inputs: every change is made on new copies."""
    removed = set(remove)
    changes = relevel or {}
    original = list(innovations)
    unknown = (removed | set(changes)) - {item.id for item in original}
    if unknown:
        raise ValueError(f"unknown innovations: {sorted(map(str, unknown))}")
    items = [item for item in original if item.id not in removed]
    updated = [
        replace(item, levels={**item.levels, **changes[item.id]}) if item.id in changes else item
        for item in items
    ]
    region = {**region_levels, **(region_relevel or {})}
    return compute(catalogue, region, [*updated, *add])


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def catalogue_from_export(data: Mapping[str, object]) -> Catalogue:
    """A snapshot from the import/export structure (a seed file, an export): plain data only.
    The data is expected to be valid (`services.validate_year` checks it)."""
    constants = data["constants"]
    assert isinstance(constants, Mapping)
    aspects = data["aspects"]
    predicates = data["predicates"]
    assert isinstance(aspects, list) and isinstance(predicates, list)
    return Catalogue(
        year=int(str(data["year"])),
        indicators=tuple(
            IndicatorSpec(
                number=int(row["number"]),
                aspect="SPD" if aspect["code"] == "SPD" else "SID",
                weight=Decimal(str(row["weight"])),
                mandatory=bool(row.get("mandatory", False)),
                name=str(row["name"]),
            )
            for aspect in aspects
            for row in aspect["indicators"]
        ),
        predicates=tuple(
            PredicateSpec(str(row["name"]), Decimal(str(row["lower"])), Decimal(str(row["upper"])))
            for row in predicates
        ),
        divisor_minimum=constants.get("divisor_minimum"),
        count_weight=_decimal(constants.get("count_weight")),
        count_cap=constants.get("count_cap"),
        basic_service_minimum=constants.get("basic_service_minimum"),
        maximum_score=_decimal(constants.get("maximum_score")),
    )
