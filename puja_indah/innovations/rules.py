"""The completeness rules of an innovation profile, as one pure function (no database, no
request): `problems(values)` answers {field: [messages]} for a profile submitted as complete,
`draft_problems(values)` the few rules a draft must meet as well. Messages are lazy strings, so
they show in the user's language where they are rendered (English outside a request)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from puja_indah.innovations.models import DESIGN_MIN_WORDS, DESIGN_SECTIONS, Origin, Stage

Problems = dict[str, list[LazyString]]

# The pseudo-field the rancang bangun's total is reported on (shown above its six sections).
DESIGN = "design"

# The core profile, required at every stage once the profile is submitted as complete.
CORE_FIELDS = (
    "summary",
    "initiator_kind_id",
    "initiator_name",
    "kind",
    "form",
    "theme_id",
    "affair_id",
    "developed_further",
    "goals",
    "benefits",
)
# What each stage adds.
STAGE_FIELDS: dict[Stage, tuple[str, ...]] = {
    Stage.INITIATIVE: (),
    Stage.TRIAL: ("trial_date",),
    Stage.IMPLEMENTATION: ("trial_date", "implementation_date", "results_before", "results_after"),
}


def fold_name(name: str) -> str:
    """The comparison key of a name: case-folded, inner whitespace collapsed, ends trimmed."""
    return " ".join(name.split()).casefold()


def word_count(texts: Iterable[str | None]) -> int:
    return sum(len((text or "").split()) for text in texts)


def design_words(values: Mapping[str, Any]) -> int:
    return word_count(values.get(name) for name in DESIGN_SECTIONS)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _add(found: Problems, field: str, message: LazyString) -> None:
    found.setdefault(field, []).append(message)


def draft_problems(values: Mapping[str, Any]) -> Problems:
    """Rules even a draft keeps: a name, and a trial that does not start after implementation."""
    found: Problems = {}
    if _empty(values.get("name")):
        _add(found, "name", _l("Fill in this field."))
    trial, implementation = values.get("trial_date"), values.get("implementation_date")
    if isinstance(trial, date) and isinstance(implementation, date) and trial > implementation:
        _add(
            found,
            "implementation_date",
            _l("The implementation date cannot be before the trial date."),
        )
    return found


def problems(values: Mapping[str, Any]) -> Problems:
    """Every reason the profile in `values` is not complete for its stage; {} when it is."""
    found = draft_problems(values)
    stage = Stage(values.get("stage") or Stage.INITIATIVE)
    for name in (*CORE_FIELDS, *STAGE_FIELDS[stage]):
        if _empty(values.get(name)):
            _add(found, name, _l("Required for a complete profile at this stage."))
    if values.get("origin") == Origin.ASSIGNED and _empty(values.get("appointment_id")):
        _add(found, "appointment_id", _l("Choose the decree appointment this innovation fulfils."))
    words = design_words(values)
    if words < DESIGN_MIN_WORDS:
        _add(
            found,
            DESIGN,
            _l(
                "The rancang bangun needs at least %(min)d words over its six sections;"
                " it has %(n)d.",
                min=DESIGN_MIN_WORDS,
                n=words,
            ),
        )
    return found
