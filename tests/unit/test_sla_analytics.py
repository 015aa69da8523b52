"""The pure parts of the SLA analytics, against figures worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask_babel import Babel

from puja_indah.core import exports as core_exports
from puja_indah.modules.etracking import analytics, charts
from puja_indah.modules.etracking.analytics import FileFacts, Period


def test_percentile_interpolates_between_ranks() -> None:
    values = [10, 20, 30, 40]
    # position (n-1)·q: p50 → 1.5 → 20 + 0.5·10 = 25; p90 → 2.7 → 30 + 0.7·10 = 37.
    assert analytics.percentile(values, 50) == 25
    assert analytics.percentile(values, 90) == pytest.approx(37)
    assert analytics.percentile(values, 0) == 10
    assert analytics.percentile(values, 100) == 40
    assert analytics.percentile([7], 90) == 7
    assert analytics.percentile([], 50) is None
    # An odd count: the median is the middle value.
    assert analytics.percentile([1, 2, 100], 50) == 2
    with pytest.raises(ValueError):
        analytics.percentile(values, 101)


def test_daily_series_fills_missing_days_with_zero() -> None:
    series = analytics.daily_series(date(2026, 3, 1), date(2026, 3, 3), {date(2026, 3, 2): 4})
    assert series == [(date(2026, 3, 1), 0), (date(2026, 3, 2), 4), (date(2026, 3, 3), 0)]


def test_backlog_counts_files_open_at_the_end_of_each_day() -> None:
    # 2 open before; day 1: +3 received −1 closed → 4; day 2: +0 −4 → 0; day 3: +1 → 1.
    series = analytics.backlog_series(
        date(2026, 3, 1),
        date(2026, 3, 3),
        open_before=2,
        received={date(2026, 3, 1): 3, date(2026, 3, 3): 1},
        closed={date(2026, 3, 1): 1, date(2026, 3, 2): 4},
    )
    assert [level for _day, level in series] == [4, 0, 1]


def test_peak_comparison_splits_october_november_from_the_rest() -> None:
    files = [
        FileFacts(date(2025, 10, 6), True, 600, True),
        FileFacts(date(2025, 10, 7), True, 1200, False),
        FileFacts(date(2025, 11, 3), False, None, True),  # still open: counts, no time
        FileFacts(date(2025, 12, 1), True, 300, False),
        FileFacts(date(2026, 2, 2), True, 500, False),
        FileFacts(date(2026, 9, 30), True, 400, True),
        FileFacts(date(2026, 3, 3), True, 200, False),
    ]
    peak, rest = analytics.peak_comparison(files)
    assert (peak.files, peak.median_minutes) == (3, 900)  # median of 600 and 1200
    assert peak.breach_share == pytest.approx(2 / 3)
    assert (rest.files, rest.median_minutes) == (4, 350)  # median of 200 300 400 500
    assert rest.breach_share == pytest.approx(1 / 4)
    empty, _rest = analytics.peak_comparison([])
    assert (empty.files, empty.median_minutes, empty.breach_share) == (0, None, None)


@pytest.fixture
def babel_ctx() -> object:
    app = Flask("t")
    Babel(app)
    with app.test_request_context():
        yield app


def test_period_filters_fall_back_to_the_last_year(babel_ctx: object) -> None:
    today = date(2026, 11, 29)
    default = analytics.default_period(today)
    assert (default.start, default.end, default.days) == (date(2025, 11, 30), today, 365)

    period, problems = analytics.parse_period({"from": "2026-01-01", "to": "2026-03-31"}, today)
    assert (period, problems) == (Period(date(2026, 1, 1), date(2026, 3, 31)), [])
    for bad in (
        {"from": "2026-13-01"},
        {"from": "1/2/2026"},
        {"to": "yesterday"},
        {"from": "2026-05-01", "to": "2026-04-01"},  # from after to
        {"from": "1900-01-01", "to": "1900-02-01"},
        {"from": "2010-01-01", "to": "2026-01-01"},  # sixteen years
        {"from": "2026-01-01", "to": "9999-12-31"},
    ):
        period, problems = analytics.parse_period(bad, today)
        assert period == default and len(problems) == 1, bad
    # Only one end given: a year from it (not beyond today) or up to it.
    period, _ = analytics.parse_period({"from": "2026-06-01"}, today)
    assert (period.start, period.end) == (date(2026, 6, 1), today)
    period, _ = analytics.parse_period({"to": "2026-06-30"}, today)
    assert (period.start, period.end) == (date(2025, 7, 1), date(2026, 6, 30))


def test_period_bounds_are_local_midnights() -> None:
    begin, finish = Period(date(2026, 3, 1), date(2026, 3, 1)).utc_bounds()
    # WITA is UTC+8: the local day 1 March runs from 28 Feb 16:00 UTC to 1 March 16:00 UTC.
    assert (begin.isoformat(), finish.isoformat()) == (
        "2026-02-28T16:00:00+00:00",
        "2026-03-01T16:00:00+00:00",
    )


def test_csv_cells_that_look_like_formulas_are_neutralised() -> None:
    for risky in ("=1+1", "+62", "-5", "@SUM(A1)", "\tx", "\rx"):
        assert core_exports.neutralise(risky) == "'" + risky
    assert core_exports.neutralise("Diterima") == "Diterima"
    assert core_exports.neutralise(-5) == -5  # numbers stay numbers


def test_chart_axes_end_on_round_numbers() -> None:
    assert [charts.nice_ceiling(v) for v in (0, 0.7, 1, 3, 7, 12, 480, 1440)] == [
        1,
        1,
        1,
        5,
        10,
        20,
        500,
        2000,
    ]
    chart = charts.stage_chart([("A", 50, 100, 200), ("B", None, None, None)], width=212)
    # Scale 0–200 over 212 − 4 − 12 = 196 units: 50 → 49, 100 → 98, the SLA tick at 4 + 196.
    first, second = chart.rows
    assert first.p50 is not None and first.p50.width == pytest.approx(49)
    assert first.p90 is not None and first.p90.width == pytest.approx(98)
    assert first.sla_x == pytest.approx(200)
    assert second.p50 is None and second.sla_x is None
    series = charts.series_chart([(date(2026, 1, 1), 0), (date(2026, 1, 2), 5)], as_line=False)
    assert len(series.bars) == 1 and series.scale_max == 5
