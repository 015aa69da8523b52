"""The progress rule, as one pure function (the SQL roll-ups in `queries` implement the same)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple


class Point(NamedTuple):
    """A milestone as the rule sees it: its date, its id (later entry wins a tie), its %."""

    happened_on: date
    id: int
    progress: int


def innovation_progress(milestones: Iterable[Point]) -> int:
    """Progress of an innovation = the progress % of its latest milestone by date (on the same
    date, the one entered last); 0 when it has none. Not the maximum: a milestone may record a
    setback."""
    latest = max(milestones, key=lambda p: (p.happened_on, p.id), default=None)
    return 0 if latest is None else latest.progress


def mean(values: Iterable[float]) -> float:
    """The arithmetic mean, 0 for no values (a roll-up over nothing shows 0 %)."""
    items = list(values)
    return sum(items) / len(items) if items else 0.0
