"""Working-time arithmetic across weekends, holidays, collective leave and returns (pauses)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from puja_indah.modules.etracking.worktime import (
    WITA,
    Interval,
    WorkCalendar,
    active_minutes,
    national_holidays,
)

# 08:00–16:00 WITA, Monday–Friday: 480 minutes a day.
CAL = WorkCalendar()


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=WITA)


def test_within_one_working_day() -> None:
    assert CAL.working_minutes(at("2026-11-23", "09:00"), at("2026-11-23", "10:30")) == 90


def test_time_outside_opening_hours_does_not_count() -> None:
    # 07:00 → 17:00 on a Monday: only 08:00–16:00 counts.
    assert CAL.working_minutes(at("2026-11-23", "07:00"), at("2026-11-23", "17:00")) == 480


def test_over_a_weekend() -> None:
    # Friday 15:00 → Monday 09:00: 60 min on Friday + 60 min on Monday.
    assert CAL.working_minutes(at("2026-11-20", "15:00"), at("2026-11-23", "09:00")) == 120


def test_a_public_holiday_is_skipped() -> None:
    off = frozenset(national_holidays([2026]))
    assert date(2026, 8, 17) in off  # Hari Kemerdekaan, a Monday in 2026
    cal = WorkCalendar(days_off=off)
    # Friday 14 Aug 15:00 → Tuesday 18 Aug 09:00: 60 + (Monday off) + 60.
    assert cal.working_minutes(at("2026-08-14", "15:00"), at("2026-08-18", "09:00")) == 120
    assert CAL.working_minutes(at("2026-08-14", "15:00"), at("2026-08-18", "09:00")) == 600


def test_local_collective_leave_is_skipped() -> None:
    cal = WorkCalendar(days_off=frozenset({date(2026, 11, 24)}))
    assert cal.working_minutes(at("2026-11-23", "15:00"), at("2026-11-25", "09:00")) == 120


def test_instants_in_other_zones_are_converted() -> None:
    # 01:00 UTC is 09:00 WITA.
    start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert CAL.working_minutes(start, at("2026-11-23", "10:00")) == 60


def test_reversed_or_empty_span_is_zero() -> None:
    assert CAL.working_minutes(at("2026-11-23", "10:00"), at("2026-11-23", "09:00")) == 0


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        CAL.working_minutes(datetime(2026, 11, 23, 9), at("2026-11-23", "10:00"))


def test_due_time_of_two_working_days_from_friday_afternoon() -> None:
    # SP2D within 2 working days (960 min) of a Friday 14:00 receipt: 120 on Friday,
    # 480 on Monday, 360 on Tuesday → Tuesday 14:00.
    due = CAL.add_working_minutes(at("2026-11-20", "14:00"), 960)
    assert due.astimezone(WITA) == at("2026-11-24", "14:00")
    assert CAL.working_minutes(at("2026-11-20", "14:00"), due) == 960


def test_due_time_starting_after_closing_counts_from_next_opening() -> None:
    due = CAL.add_working_minutes(at("2026-11-20", "18:30"), 30)
    assert due.astimezone(WITA) == at("2026-11-23", "08:30")


def test_due_time_skips_holidays() -> None:
    cal = WorkCalendar(days_off=frozenset(national_holidays([2026])))
    due = cal.add_working_minutes(at("2026-08-14", "15:00"), 120)
    assert due.astimezone(WITA) == at("2026-08-18", "09:00")


def test_a_return_pauses_the_clock() -> None:
    # Received Monday 09:00, returned to the OPD 10:00–Tuesday 11:00, finished Tuesday 12:00:
    # 60 minutes before the return, 60 after.
    start, end = at("2026-11-23", "09:00"), at("2026-11-24", "12:00")
    paused = [Interval(at("2026-11-23", "10:00"), at("2026-11-24", "11:00"))]
    assert active_minutes(CAL, start, end, paused) == 120


def test_overlapping_and_outside_pauses_count_once() -> None:
    start, end = at("2026-11-23", "09:00"), at("2026-11-23", "15:00")
    paused = [
        Interval(at("2026-11-23", "10:00"), at("2026-11-23", "12:00")),
        Interval(at("2026-11-23", "11:00"), at("2026-11-23", "13:00")),
        Interval(at("2026-11-20", "09:00"), at("2026-11-20", "10:00")),  # before the span
    ]
    assert active_minutes(CAL, start, end, paused) == 360 - 180


def test_a_custom_calendar_with_saturday_and_short_hours() -> None:
    cal = WorkCalendar(opens=time(7, 30), closes=time(12, 0), weekdays=frozenset(range(6)))
    assert cal.minutes_per_day == 270
    assert cal.working_minutes(at("2026-11-21", "07:00"), at("2026-11-23", "08:00")) == 300


@pytest.mark.parametrize(
    ("opens", "closes", "weekdays"),
    [
        (time(16), time(8), frozenset({0})),
        (time(8), time(16), frozenset()),
        (time(8), time(16), frozenset({7})),
    ],
)
def test_an_impossible_calendar_is_refused(
    opens: time, closes: time, weekdays: frozenset[int]
) -> None:
    with pytest.raises(ValueError):
        WorkCalendar(opens=opens, closes=closes, weekdays=weekdays)
