"""Writes of the assessment catalogue: import (all or nothing), export, seed, status changes and
indicator edits.

National reference data: the caller runs in a writable system scope (a CLI command) or a
platform administrator's national scope; `guard.py` refuses anything else at flush time. A closed
year is frozen: every function here refuses to change it with a `YearClosed` message, and the
guard is the backstop for code that bypasses these services. Functions flush, never commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import select

from puja_indah.assessment.models import Aspect as AspectRow
from puja_indah.assessment.models import (
    AspectCode,
    AssessmentYear,
    Indicator,
    IndicatorLevel,
    IndicatorTarget,
    Predicate,
    YearStatus,
)
from puja_indah.core.db import AnySession
from puja_indah.extensions import db

DATA_DIR = Path(__file__).parent / "data"
SEED_FILES = (DATA_DIR / "iid_2023.yaml", DATA_DIR / "iid_2026.yaml")
MAX_IMPORT_BYTES = 1024 * 1024

YEAR_KEYS = {"year", "title", "status", "notes", "constants", "predicates", "aspects"}
YEAR_REQUIRED = {"year", "title", "constants", "predicates", "aspects"}
CONSTANT_KEYS = {
    "divisor_minimum",
    "count_weight",
    "count_cap",
    "basic_service_minimum",
    "maximum_score",
}
PREDICATE_KEYS = {"name", "lower", "upper"}
ASPECT_KEYS = {"code", "name", "indicators"}
INDICATOR_KEYS = {
    "number",
    "variable",
    "name",
    "weight",
    "mandatory",
    "target",
    "evidence",
    "file_types",
    "notes",
    "levels",
}
INDICATOR_REQUIRED = {"number", "name", "weight", "levels"}
LEVEL_KEYS = {"level", "wording"}
LIMITS = {"title": 200, "aspect name": 200, "indicator name": 300, "predicate name": 60}


class ServiceError(Exception):
    """A change refused with a message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class YearClosed(ServiceError):
    """The year is closed: its catalogue is frozen."""


class ImportRejected(ServiceError):
    """The data has problems: `errors` lists each one with its path; nothing was saved."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problems found; nothing was imported")
        self.errors = errors


def ensure_editable(year: AssessmentYear) -> None:
    if year.status is YearStatus.CLOSED:
        raise YearClosed(
            _(
                "Assessment year %(year)s is closed: its catalogue can no longer change.",
                year=year.year,
            )
        )


# --- validation ----------------------------------------------------------------------------------


@dataclass
class _Checker:
    errors: list[str]

    def add(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def mapping(self, value: Any, path: str, keys: set[str], required: set[str]) -> bool:
        if not isinstance(value, dict):
            self.add(path, f"must be a mapping, not {type(value).__name__}")
            return False
        for key in sorted(set(value) - keys, key=str):
            self.add(f"{path}.{key}" if path else str(key), "unknown key")
        for key in sorted(required - set(value)):
            self.add(f"{path}.{key}" if path else key, "is required")
        return True

    def integer(
        self, value: Any, path: str, *, low: int | None = None, high: int | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"must be a whole number, not {value!r}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"{low if low is not None else '…'}..{high if high is not None else '…'}"
            self.add(path, f"must be within {bounds}, not {value}")
            return None
        return value

    def decimal(self, value: Any, path: str, *, low: Decimal = Decimal(0)) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.add(path, f"must be a number, not {value!r}")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.add(path, f"must be a number, not {value!r}")
            return None
        if not number.is_finite():
            self.add(path, f"must be a finite number, not {value!r}")
            return None
        if number < low:
            self.add(path, f"must be ≥ {low}, not {number}")
            return None
        return number

    def text(self, value: Any, path: str, *, limit: int | None = None, empty: bool = False) -> str:
        if not isinstance(value, str):
            self.add(path, f"must be text, not {type(value).__name__}")
            return ""
        value = value.strip()
        if not value and not empty:
            self.add(path, "must not be empty")
        if limit is not None and len(value) > limit:
            self.add(path, f"must be at most {limit} characters, not {len(value)}")
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            self.add(path, f"must be true or false, not {value!r}")
            return False
        return value

    def choice(self, value: Any, path: str, choices: list[str]) -> str | None:
        if value not in choices:
            self.add(path, f"must be one of {', '.join(choices)}, not {value!r}")
            return None
        return str(value)


@dataclass
class LevelData:
    level: int
    wording: str


@dataclass
class IndicatorData:
    number: int
    variable: str
    name: str
    weight: Decimal
    mandatory: bool
    target: IndicatorTarget
    evidence: str
    file_types: str
    notes: str
    levels: list[LevelData]


@dataclass
class AspectData:
    code: AspectCode
    name: str
    indicators: list[IndicatorData]


@dataclass
class YearData:
    """A validated year, ready to be written."""

    year: int
    title: str
    status: YearStatus
    notes: str
    constants: dict[str, Any]
    predicates: list[tuple[str, Decimal, Decimal]]
    aspects: list[AspectData]


def validate_year(data: Any) -> YearData:
    """Check everything and return typed data, or raise ImportRejected with every problem."""
    check = _Checker([])
    if not check.mapping(data, "", YEAR_KEYS, YEAR_REQUIRED):
        raise ImportRejected(check.errors)
    year = check.integer(data.get("year"), "year", low=2000, high=2200) if "year" in data else None
    title = check.text(data.get("title", ""), "title", limit=LIMITS["title"])
    status = check.choice(data.get("status", "draft"), "status", [s.value for s in YearStatus])
    notes = check.text(data.get("notes", ""), "notes", empty=True)

    constants: dict[str, Any] = {}
    raw = data.get("constants", {})
    if check.mapping(raw, "constants", CONSTANT_KEYS, set()):
        for key in sorted(CONSTANT_KEYS):
            value = raw.get(key)
            path = f"constants.{key}"
            if value is None:
                constants[key] = None
            elif key in ("count_weight", "maximum_score"):
                number = check.decimal(value, path)
                if key == "maximum_score" and number is not None and number <= 0:
                    check.add(path, "must be > 0")
                constants[key] = number
            elif key == "basic_service_minimum":
                constants[key] = check.integer(value, path, low=0, high=6)
            else:
                constants[key] = check.integer(
                    value, path, low=1 if key == "divisor_minimum" else 0
                )

    predicates: list[tuple[str, Decimal, Decimal]] = []
    raw_predicates = data.get("predicates", [])
    if not isinstance(raw_predicates, list):
        check.add("predicates", "must be a list")
        raw_predicates = []
    names: set[str] = set()
    for i, row in enumerate(raw_predicates):
        path = f"predicates[{i}]"
        if not check.mapping(row, path, PREDICATE_KEYS, PREDICATE_KEYS):
            continue
        name = check.text(row.get("name", ""), f"{path}.name", limit=LIMITS["predicate name"])
        if name in names:
            check.add(f"{path}.name", f"duplicate predicate {name!r}")
        names.add(name)
        lower = check.decimal(row.get("lower"), f"{path}.lower")
        upper = check.decimal(row.get("upper"), f"{path}.upper")
        if lower is None or upper is None:
            continue
        if upper > 100:
            check.add(f"{path}.upper", f"must be ≤ 100, not {upper}")
        elif lower > upper:
            check.add(path, f"lower {lower} is above upper {upper}")
        else:
            for other, low, high in predicates:
                if lower <= high and low <= upper:
                    check.add(path, f"overlaps predicate {other!r} ({low}–{high})")
            predicates.append((name, lower, upper))

    aspects: list[AspectData] = []
    raw_aspects = data.get("aspects", [])
    if not isinstance(raw_aspects, list):
        check.add("aspects", "must be a list")
        raw_aspects = []
    codes: set[str] = set()
    numbers: dict[int, str] = {}
    for i, row in enumerate(raw_aspects):
        path = f"aspects[{i}]"
        if not check.mapping(row, path, ASPECT_KEYS, ASPECT_KEYS):
            continue
        code = check.choice(row.get("code"), f"{path}.code", [c.value for c in AspectCode])
        if code in codes:
            check.add(f"{path}.code", f"duplicate aspect {code}")
        if code:
            codes.add(code)
        name = check.text(row.get("name", ""), f"{path}.name", limit=LIMITS["aspect name"])
        indicators = _validate_indicators(check, row.get("indicators"), path, code, numbers)
        if code:
            aspects.append(AspectData(AspectCode(code), name, indicators))
    for code in AspectCode:
        if raw_aspects and code.value not in codes:
            check.add("aspects", f"aspect {code.value} is missing")

    if check.errors:
        raise ImportRejected(check.errors)
    assert year is not None and status is not None
    return YearData(year, title, YearStatus(status), notes, constants, predicates, aspects)


def _validate_indicators(
    check: _Checker, raw: Any, path: str, code: str | None, numbers: dict[int, str]
) -> list[IndicatorData]:
    result: list[IndicatorData] = []
    if not isinstance(raw, list):
        check.add(f"{path}.indicators", "must be a list")
        return result
    default_target = IndicatorTarget.REGION if code == "SPD" else IndicatorTarget.INNOVATION
    for j, row in enumerate(raw):
        where = f"{path}.indicators[{j}]"
        if not check.mapping(row, where, INDICATOR_KEYS, INDICATOR_REQUIRED):
            continue
        number = check.integer(row.get("number"), f"{where}.number", low=1, high=999)
        if number is not None:
            if number in numbers:
                check.add(
                    f"{where}.number",
                    f"duplicate indicator number {number} (also {numbers[number]})",
                )
            else:
                numbers[number] = where
        variable = check.text(row.get("variable", ""), f"{where}.variable", limit=200, empty=True)
        name = check.text(row.get("name", ""), f"{where}.name", limit=LIMITS["indicator name"])
        weight = check.decimal(row.get("weight"), f"{where}.weight")
        if weight is not None and weight >= 10000:
            check.add(f"{where}.weight", f"must be below 10000, not {weight}")
        mandatory = check.boolean(row.get("mandatory", False), f"{where}.mandatory")
        target = check.choice(
            row.get("target", default_target.value),
            f"{where}.target",
            [t.value for t in IndicatorTarget],
        )
        evidence = check.text(row.get("evidence", ""), f"{where}.evidence", empty=True)
        file_types = check.text(row.get("file_types", "pdf"), f"{where}.file_types", limit=200)
        if file_types and any(not part.strip().isalnum() for part in file_types.split(",")):
            check.add(
                f"{where}.file_types", f"must be a comma list of extensions, not {file_types!r}"
            )
        notes = check.text(row.get("notes", ""), f"{where}.notes", empty=True)
        levels = _validate_levels(check, row.get("levels"), where)
        if number is not None and weight is not None and target is not None and levels:
            result.append(
                IndicatorData(
                    number,
                    variable,
                    name,
                    weight,
                    mandatory,
                    IndicatorTarget(target),
                    evidence,
                    ",".join(p.strip().lower() for p in file_types.split(",")),
                    notes,
                    levels,
                )
            )
    return result


def _validate_levels(check: _Checker, raw: Any, where: str) -> list[LevelData]:
    if not isinstance(raw, list):
        check.add(f"{where}.levels", "must be a list of the levels 1, 2 and 3")
        return []
    levels: list[LevelData] = []
    for k, row in enumerate(raw):
        path = f"{where}.levels[{k}]"
        if not check.mapping(row, path, LEVEL_KEYS, LEVEL_KEYS):
            continue
        level = check.integer(row.get("level"), f"{path}.level")
        wording = check.text(row.get("wording", ""), f"{path}.wording")
        if level is not None:
            levels.append(LevelData(level, wording))
    found = sorted(level.level for level in levels)
    if len(levels) == len(raw) and found != [1, 2, 3]:
        check.add(f"{where}.levels", f"must be exactly the levels 1, 2 and 3, not {found}")
        return []
    return sorted(levels, key=lambda level: level.level)


# --- import / export -----------------------------------------------------------------------------


def parse_text(text: str, fmt: str | None = None) -> Any:
    """YAML or JSON text → plain data (JSON is YAML, but JSON is parsed strictly when named)."""
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ImportRejected([f"file: not valid JSON ({error})"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ImportRejected([f"file: not valid YAML ({error})"]) from None


def find_year(year: int, session: AnySession | None = None) -> AssessmentYear | None:
    session = session or db.session
    return session.scalar(select(AssessmentYear).where(AssessmentYear.year == year))


def import_year(data: Any, *, replace: bool = False) -> AssessmentYear:
    """Validate `data` (the export structure) and create the year, or with `replace` rebuild an
    existing year that is not closed. All or nothing: any problem raises ImportRejected listing
    every one, before anything is written."""
    valid = validate_year(data)
    existing = find_year(valid.year)
    if existing is not None:
        if not replace:
            raise ImportRejected([f"year: {valid.year} already exists (use replace to rebuild it)"])
        ensure_editable(existing)
        db.session.delete(existing)
        db.session.flush()
    year = AssessmentYear(
        year=valid.year,
        title=valid.title,
        status=valid.status,
        notes=valid.notes,
        **valid.constants,
    )
    for name, lower, upper in valid.predicates:
        year.predicates.append(Predicate(name=name, lower_bound=lower, upper_bound=upper))
    for aspect_data in valid.aspects:
        aspect = AspectRow(code=aspect_data.code, name=aspect_data.name, year=year)
        for item in aspect_data.indicators:
            indicator = Indicator(
                year=year,
                aspect=aspect,
                number=item.number,
                variable=item.variable,
                name=item.name,
                weight=item.weight,
                mandatory=item.mandatory,
                target=item.target,
                evidence_guidance=item.evidence,
                file_types=item.file_types,
                notes=item.notes,
            )
            indicator.levels = [
                IndicatorLevel(level=lv.level, wording=lv.wording) for lv in item.levels
            ]
    db.session.add(year)
    db.session.flush()
    return year


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value.normalize())


def export_year(year: AssessmentYear) -> dict[str, Any]:
    """The year as plain data, in the structure of the seed files and of `import_year`."""
    return {
        "year": year.year,
        "title": year.title,
        "status": year.status.value,
        "notes": year.notes,
        "constants": {
            "divisor_minimum": year.divisor_minimum,
            "count_weight": _number(year.count_weight),
            "count_cap": year.count_cap,
            "basic_service_minimum": year.basic_service_minimum,
            "maximum_score": _number(year.maximum_score),
        },
        "predicates": [
            {"name": p.name, "lower": _number(p.lower_bound), "upper": _number(p.upper_bound)}
            for p in sorted(year.predicates, key=lambda p: p.lower_bound, reverse=True)
        ],
        "aspects": [
            {
                "code": aspect.code.value,
                "name": aspect.name,
                "indicators": [
                    {
                        "number": ind.number,
                        # Only when the year names one: the seed files carry none.
                        **({"variable": ind.variable} if ind.variable else {}),
                        "name": ind.name,
                        "weight": _number(ind.weight),
                        "mandatory": ind.mandatory,
                        "target": ind.target.value,
                        "evidence": ind.evidence_guidance,
                        "file_types": ind.file_types,
                        "notes": ind.notes,
                        "levels": [
                            {"level": lv.level, "wording": lv.wording}
                            for lv in sorted(ind.levels, key=lambda lv: lv.level)
                        ],
                    }
                    for ind in sorted(aspect.indicators, key=lambda ind: ind.number)
                ],
            }
            for aspect in sorted(year.aspects, key=lambda a: ["SPD", "SID"].index(a.code.value))
        ],
    }


def dump(data: dict[str, Any], fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def seed() -> dict[int, str]:
    """Load both seed files; a year already present is left alone (idempotent)."""
    outcome: dict[int, str] = {}
    for path in SEED_FILES:
        data = parse_text(path.read_text(encoding="utf-8"))
        number = data.get("year") if isinstance(data, dict) else None
        if isinstance(number, int) and find_year(number) is not None:
            outcome[number] = "present"
            continue
        outcome[import_year(data).year] = "created"
    return outcome


# --- edits ---------------------------------------------------------------------------------------

STATUS_STEPS = {
    YearStatus.DRAFT: {YearStatus.OPEN, YearStatus.CLOSED},
    YearStatus.OPEN: {YearStatus.DRAFT, YearStatus.CLOSED},
    YearStatus.CLOSED: set(),
}


def set_status(year: AssessmentYear, status: YearStatus) -> None:
    ensure_editable(year)
    if status is year.status:
        return
    if status not in STATUS_STEPS[year.status]:
        raise ServiceError(_("This status change is not allowed."))
    year.status = status
    db.session.flush()


EDITABLE_FIELDS = {"name", "weight", "mandatory", "evidence_guidance", "file_types", "notes"}


def update_indicator(indicator: Indicator, **changes: Any) -> None:
    """Change an indicator's editable fields (weight ≥ 0); refused for a closed year."""
    ensure_editable(indicator.year)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ServiceError(f"not editable: {', '.join(sorted(unknown))}")
    if "weight" in changes:
        weight = Decimal(str(changes["weight"]))
        if not weight.is_finite() or weight < 0:
            raise ServiceError(_("The weight must be a number of at least 0."))
        changes["weight"] = weight
    for key, value in changes.items():
        if getattr(indicator, key) != value:
            setattr(indicator, key, value)
    db.session.flush()


def delete_year(year: AssessmentYear) -> None:
    ensure_editable(year)
    db.session.delete(year)
    db.session.flush()
