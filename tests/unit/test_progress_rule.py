"""The progress rule: the latest milestone by date decides, not the highest."""

from __future__ import annotations

from datetime import date

import pytest

from puja_indah.progress.rules import Point, innovation_progress, mean


def test_no_milestone_is_zero() -> None:
    assert innovation_progress([]) == 0


def test_latest_by_date_wins_even_when_entered_earlier() -> None:
    points = [
        Point(date(2025, 3, 1), 1, 60),
        Point(date(2025, 1, 1), 2, 20),
        Point(date(2025, 2, 1), 3, 90),  # entered last, but dated before 1 March
    ]
    assert innovation_progress(points) == 60


def test_a_setback_lowers_progress() -> None:
    points = [Point(date(2025, 1, 1), 1, 80), Point(date(2025, 6, 1), 2, 40)]
    assert innovation_progress(points) == 40


def test_same_date_the_later_entry_wins() -> None:
    points = [Point(date(2025, 5, 5), 7, 100), Point(date(2025, 5, 5), 3, 30)]
    assert innovation_progress(points) == 100
    assert innovation_progress(reversed(points)) == 100


@pytest.mark.parametrize(
    ("values", "expected"), [([], 0.0), ([0, 100], 50.0), ([60, 0, 100], 160 / 3)]
)
def test_mean(values: list[int], expected: float) -> None:
    assert mean(values) == pytest.approx(expected)
