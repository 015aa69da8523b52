"""Working-time arithmetic for SLAs: pure functions of a calendar, no database.

An agency works on some weekdays between an opening and a closing time, in its own time zone
(Bombana: WITA, Asia/Makassar), except on national public holidays (from the maintained `holidays`
package) and local collective-leave days (*cuti bersama*) that an administrator enters. An SLA is
a number of working minutes; the clock runs only inside working hours, and not at all while a
file is paused (returned to the submitting OPD for correction).

All datetimes given to or returned by these functions are timezone-aware.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from puja_indah.core.clock import WITA

# The longest span walked day by day: beyond it the input is refused rather than looped over.
MAX_SPAN_DAYS = 3660


def national_holidays(years: Iterable[int]) -> dict[date, str]:
    """Indonesia's public holidays for the given years, named in Indonesian where the package
    has the translation."""
    import holidays as holiday_data  # ~4 MB of holiday tables: only when a calendar needs them

    try:
        found = holiday_data.country_holidays("ID", years=list(years), language="id")
    except (NotImplementedError, KeyError):  # pragma: no cover - an older package without "id"
        found = holiday_data.country_holidays("ID", years=list(years))
    return dict(found.items())


@dataclass(frozen=True)
class WorkCalendar:
    opens: time = time(8, 0)
    closes: time = time(16, 0)
    # Monday = 0 … Sunday = 6.
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    # National holidays and local collective leave together.
    days_off: frozenset[date] = field(default_factory=frozenset)
    zone: ZoneInfo = WITA

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError("the working day must open before it closes")
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("weekdays must be a non-empty subset of 0..6")

    @property
    def minutes_per_day(self) -> int:
        return (self.closes.hour * 60 + self.closes.minute) - (
            self.opens.hour * 60 + self.opens.minute
        )

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.days_off

    def _window(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.opens, self.zone),
            datetime.combine(day, self.closes, self.zone),
        )

    def working_minutes(self, start: datetime, end: datetime) -> int:
        """Whole working minutes between two instants (0 when end is not after start)."""
        return int(self.working_seconds(start, end) // 60)

    def working_seconds(self, start: datetime, end: datetime) -> float:
        _require_aware(start, end)
        if end <= start:
            return 0
        local_start, local_end = start.astimezone(self.zone), end.astimezone(self.zone)
        if (local_end.date() - local_start.date()).days > MAX_SPAN_DAYS:
            raise ValueError("span too long for working-time arithmetic")
        seconds = 0.0
        day = local_start.date()
        while day <= local_end.date():
            if self.is_working_day(day):
                opens, closes = self._window(day)
                lower, upper = max(opens, local_start), min(closes, local_end)
                if upper > lower:
                    seconds += (upper - lower).total_seconds()
            day += timedelta(days=1)
        return seconds

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant when `minutes` working minutes have passed after `start` (the due time of
        an SLA). Starting outside working hours counts from the next opening."""
        _require_aware(start)
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        local = start.astimezone(self.zone)
        remaining = timedelta(minutes=minutes)
        day = local.date()
        for _ in range(MAX_SPAN_DAYS):
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin = max(opens, local)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(UTC)
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("no working time within the allowed span (check the calendar)")


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime


def active_minutes(
    calendar: WorkCalendar, start: datetime, end: datetime, paused: Iterable[Interval] = ()
) -> int:
    """Working minutes from `start` to `end`, minus the working minutes inside paused intervals
    (clipped to the span; overlapping pauses count once)."""
    _require_aware(start, end)
    total = calendar.working_seconds(start, end)
    merged: list[Interval] = []
    for pause in sorted(paused, key=lambda p: p.start):
        lower, upper = max(pause.start, start), min(pause.end, end)
        if upper <= lower:
            continue
        if merged and lower <= merged[-1].end:
            merged[-1] = Interval(merged[-1].start, max(merged[-1].end, upper))
        else:
            merged.append(Interval(lower, upper))
    held = sum(calendar.working_seconds(p.start, p.end) for p in merged)
    return max(int((total - held) // 60), 0)


def _require_aware(*values: datetime) -> None:
    if any(value.tzinfo is None for value in values):
        raise ValueError("naive datetime: pass timezone-aware values")
