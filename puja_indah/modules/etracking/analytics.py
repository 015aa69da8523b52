"""SLA analytics of a desk process (issue 4, point 7) and the module's metrics.

Two halves:
- pure computations (percentiles, daily series, backlog, the peak-period comparison) that the
  unit tests check with hand-worked figures;
- reads that aggregate in SQL (counts grouped by day, by stage) and fetch at most one sorted
  column of working minutes per stage. The working minutes are those the engine stored on each
  `FileEvent` when a file left a stage, so no calendar is recomputed here, and the number of
  queries does not depend on the number of files.

Days are local (WITA) days: the desk's region is on UTC+8 all year, so a stored UTC time belongs
to the local day of `time + 8 hours` on every database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Date, case, cast, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from puja_indah.extensions import db
from puja_indah.modules.etracking.models import (
    FileAction,
    FileEvent,
    FileStatus,
    Process,
    ProcessVersion,
    StageDefinition,
    TrackedFile,
    WorkingCalendar,
)
from puja_indah.modules.etracking.worktime import WITA

# October and November: the end-of-budget-year rush at the SPM desk (DOMAIN §3).
PEAK_MONTHS = (10, 11)
DEFAULT_DAYS = 365
MAX_DAYS = 3 * 366 + 1
EARLIEST = date(2000, 1, 1)
LEAVING_ACTIONS = (FileAction.ADVANCE, FileAction.COMPLETE)


# --- pure computations ---------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) of an ascending list, interpolating linearly between the two
    nearest ranks (the spreadsheet PERCENTILE.INC rule); None for an empty list."""
    if not sorted_values:
        return None
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    position = (len(sorted_values) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    fraction = position - low
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction)


def share(part: int, whole: int) -> float | None:
    """part / whole, None when there is nothing to divide."""
    return part / whole if whole else None


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def daily_series(start: date, end: date, counts: Mapping[date, int]) -> list[tuple[date, int]]:
    """Every day of the period with its count (0 for days without any)."""
    return [(day, int(counts.get(day, 0))) for day in days_between(start, end)]


def backlog_series(
    start: date,
    end: date,
    open_before: int,
    received: Mapping[date, int],
    closed: Mapping[date, int],
) -> list[tuple[date, int]]:
    """Files still open at the end of each day: those open when the period began, plus the
    files received, minus the files closed, up to and including that day."""
    level = open_before
    series = []
    for day in days_between(start, end):
        level += received.get(day, 0) - closed.get(day, 0)
        series.append((day, level))
    return series


def is_peak(day: date) -> bool:
    return day.month in PEAK_MONTHS


@dataclass(frozen=True)
class FileFacts:
    """What the peak comparison needs of one file received in the period."""

    received_on: date
    completed: bool
    total_minutes: int | None  # working minutes over all its stages, when completed
    breached: bool  # at least one stage over its SLA


@dataclass(frozen=True)
class PeriodFigures:
    files: int
    median_minutes: float | None
    breach_share: float | None


def period_figures(files: Iterable[FileFacts]) -> PeriodFigures:
    rows = list(files)
    minutes = sorted(f.total_minutes for f in rows if f.completed and f.total_minutes is not None)
    return PeriodFigures(
        files=len(rows),
        median_minutes=percentile(minutes, 50),
        breach_share=share(sum(1 for f in rows if f.breached), len(rows)),
    )


def peak_comparison(files: Iterable[FileFacts]) -> tuple[PeriodFigures, PeriodFigures]:
    """(October–November, the rest of the period) for the files received in it."""
    rows = list(files)
    return (
        period_figures(f for f in rows if is_peak(f.received_on)),
        period_figures(f for f in rows if not is_peak(f.received_on)),
    )


# --- the period filter ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local midnight of the first day to local midnight after the
        last."""
        begin = datetime.combine(self.start, time(0), WITA).astimezone(UTC)
        finish = datetime.combine(self.end + timedelta(days=1), time(0), WITA).astimezone(UTC)
        return begin, finish


def default_period(today: date) -> Period:
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def _parse_day(raw: str | None) -> date | str | None:
    """A date, None when absent, or "bad" when given but not an ISO date."""
    if raw is None or not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip()[:10]) if len(raw.strip()) == 10 else "bad"
    except ValueError:
        return "bad"


def parse_period(args: Mapping[str, Any], today: date) -> tuple[Period, list[str]]:
    """The period from `from`/`to` (YYYY-MM-DD) with the problems found; any problem falls back
    to the default period (the last 12 months) so the page always answers."""
    default = default_period(today)
    start, end = _parse_day(args.get("from")), _parse_day(args.get("to"))
    problems: list[str] = []
    if start == "bad" or end == "bad":
        problems.append(_("Dates are written YYYY-MM-DD, e.g. 2026-01-31."))
        return default, problems
    begin = start if isinstance(start, date) else None
    finish = end if isinstance(end, date) else None
    if begin is None and finish is None:
        return default, problems
    if finish is None:
        finish = min(today, (begin or today) + timedelta(days=DEFAULT_DAYS - 1))
    if begin is None:
        begin = finish - timedelta(days=DEFAULT_DAYS - 1)
    if begin > finish:
        problems.append(_("The start date is after the end date."))
    elif begin < EARLIEST or finish > today + timedelta(days=366):
        problems.append(_("Choose dates between 2000 and next year."))
    elif (finish - begin).days + 1 > MAX_DAYS:
        problems.append(_("Choose a period of at most three years."))
    if problems:
        return default, problems
    return Period(begin, finish), problems


# --- reads ---------------------------------------------------------------------------------------


def local_day(column: Any) -> ColumnElement[Any]:
    """The WITA date of a stored UTC time, in SQL, on SQLite and PostgreSQL alike."""
    # Literal SQL, not bound parameters: PostgreSQL only matches a GROUP BY expression to the
    # selected one when both are written the same, and two parameters are two expressions.
    if db.engine.dialect.name == "postgresql":
        return cast(func.timezone(literal_column("'Asia/Makassar'"), column), Date)
    return func.date(column, literal_column("'+8 hours'"))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def minutes_per_day(agency_id: int) -> int:
    """Working minutes in one of the desk's days (480 for the default 08:00–16:00)."""
    return minutes_per_day_many([agency_id])[agency_id]


def minutes_per_day_many(agency_ids: Sequence[int]) -> dict[int, int]:
    """`minutes_per_day` of each agency, one query."""
    out = dict.fromkeys(agency_ids, 480)
    if out:
        for agency_id, opens, closes in db.session.execute(
            select(WorkingCalendar.agency_id, WorkingCalendar.opens, WorkingCalendar.closes).where(
                WorkingCalendar.agency_id.in_(list(out))
            )
        ):
            out[int(agency_id)] = (closes.hour * 60 + closes.minute) - (
                opens.hour * 60 + opens.minute
            )
    return out


@dataclass(frozen=True)
class StageRow:
    code: str
    name: str
    sla_minutes: int | None
    exits: int
    breaches: int
    p50: float | None
    p90: float | None
    open_now: int

    @property
    def breach_share(self) -> float | None:
        return share(self.breaches, self.exits)


@dataclass(frozen=True)
class DayRow:
    day: date
    received: int
    completed: int
    backlog: int


@dataclass
class Report:
    process: Process
    period: Period
    stages: list[StageRow]
    days: list[DayRow]
    peak: PeriodFigures
    rest: PeriodFigures
    minutes_per_day: int
    completed: int
    total_days_p50: float | None
    total_days_p90: float | None
    problems: list[str] = field(default_factory=list)

    @property
    def received(self) -> int:
        return sum(d.received for d in self.days)


def _stage_order(process: Process) -> list[StageDefinition]:
    """The stages of the newest version (codes are stable across versions), terminal left out:
    no file leaves it."""
    version = process.versions[-1] if process.versions else None
    return [s for s in (version.stages if version else []) if not s.terminal]


def _process_files(process_id: int) -> Any:
    return (
        select(TrackedFile.id)
        .join(ProcessVersion, TrackedFile.version_id == ProcessVersion.id)
        .where(ProcessVersion.process_id == process_id)
    )


def build_report(process: Process, period: Period) -> Report:
    begin, finish = period.utc_bounds()
    files = _process_files(process.id)
    stages = _stage_order(process)

    # Working minutes per stage code, sorted: one query over the stage exits of the period.
    minutes: dict[str, list[int]] = {}
    rows = db.session.execute(
        select(StageDefinition.code, FileEvent.working_minutes)
        .join(StageDefinition, FileEvent.from_stage_id == StageDefinition.id)
        .where(
            FileEvent.file_id.in_(files),
            FileEvent.action.in_(LEAVING_ACTIONS),
            FileEvent.working_minutes.is_not(None),
            FileEvent.at >= begin,
            FileEvent.at < finish,
        )
        .order_by(StageDefinition.code, FileEvent.working_minutes)
    )
    for code, value in rows:
        minutes.setdefault(code, []).append(int(value or 0))
    breaches = {
        code: (int(count), int(breached or 0))
        for code, count, breached in db.session.execute(
            select(
                StageDefinition.code,
                func.count(FileEvent.id),
                func.sum(case((FileEvent.breached.is_(True), 1), else_=0)),
            )
            .join(StageDefinition, FileEvent.from_stage_id == StageDefinition.id)
            .where(
                FileEvent.file_id.in_(files),
                FileEvent.action.in_(LEAVING_ACTIONS),
                FileEvent.at >= begin,
                FileEvent.at < finish,
            )
            .group_by(StageDefinition.code)
        )
    }
    open_now = {
        code: int(count)
        for code, count in db.session.execute(
            select(StageDefinition.code, func.count(TrackedFile.id))
            .join(StageDefinition, TrackedFile.stage_id == StageDefinition.id)
            .where(
                TrackedFile.id.in_(files),
                TrackedFile.status.in_((FileStatus.OPEN, FileStatus.RETURNED)),
            )
            .group_by(StageDefinition.code)
        )
    }
    stage_rows = [
        StageRow(
            code=s.code,
            name=s.name,
            sla_minutes=s.sla_minutes,
            exits=breaches.get(s.code, (0, 0))[0],
            breaches=breaches.get(s.code, (0, 0))[1],
            p50=percentile(minutes.get(s.code, []), 50),
            p90=percentile(minutes.get(s.code, []), 90),
            open_now=open_now.get(s.code, 0),
        )
        for s in stages
    ]

    # Daily counts: received, completed (closed as completed) and the backlog they make.
    received_day = local_day(TrackedFile.received_at)
    received = {
        _as_date(day): int(count)
        for day, count in db.session.execute(
            select(received_day, func.count(TrackedFile.id))
            .where(
                TrackedFile.id.in_(files),
                TrackedFile.received_at >= begin,
                TrackedFile.received_at < finish,
            )
            .group_by(received_day)
        )
    }
    closed_day = local_day(TrackedFile.closed_at)
    closed_rows = db.session.execute(
        select(closed_day, TrackedFile.status, func.count(TrackedFile.id))
        .where(
            TrackedFile.id.in_(files),
            TrackedFile.closed_at >= begin,
            TrackedFile.closed_at < finish,
        )
        .group_by(closed_day, TrackedFile.status)
    )
    closed: dict[date, int] = {}
    completed: dict[date, int] = {}
    for day, status, count in closed_rows:
        closed[_as_date(day)] = closed.get(_as_date(day), 0) + int(count)
        if status is FileStatus.COMPLETED:
            completed[_as_date(day)] = int(count)
    open_before = int(
        db.session.scalar(
            select(func.count(TrackedFile.id)).where(
                TrackedFile.id.in_(files),
                TrackedFile.received_at < begin,
                (TrackedFile.closed_at.is_(None)) | (TrackedFile.closed_at >= begin),
            )
        )
        or 0
    )
    backlog = dict(backlog_series(period.start, period.end, open_before, received, closed))
    day_rows = [
        DayRow(day, received.get(day, 0), completed.get(day, 0), backlog[day])
        for day in days_between(period.start, period.end)
    ]

    # Per file received in the period: total working minutes and whether any stage breached.
    facts = [
        FileFacts(
            received_on=(received_at.astimezone(WITA).date()),
            completed=status is FileStatus.COMPLETED,
            total_minutes=int(total) if total is not None else None,
            breached=bool(any_breach),
        )
        for received_at, status, total, any_breach in db.session.execute(
            select(
                TrackedFile.received_at,
                TrackedFile.status,
                func.sum(FileEvent.working_minutes),
                func.max(case((FileEvent.breached.is_(True), 1), else_=0)),
            )
            .outerjoin(
                FileEvent,
                (FileEvent.file_id == TrackedFile.id) & FileEvent.action.in_(LEAVING_ACTIONS),
            )
            .where(
                TrackedFile.id.in_(files),
                TrackedFile.received_at >= begin,
                TrackedFile.received_at < finish,
            )
            .group_by(TrackedFile.id, TrackedFile.received_at, TrackedFile.status)
        )
    ]
    peak, rest = peak_comparison(facts)

    # Receipt to result, in working days, of the files completed in the period.
    per_day = minutes_per_day(process.agency_id)
    totals = sorted(
        int(total) / per_day
        for (total,) in db.session.execute(
            select(func.sum(FileEvent.working_minutes))
            .join(TrackedFile, FileEvent.file_id == TrackedFile.id)
            .where(
                TrackedFile.id.in_(files),
                TrackedFile.status == FileStatus.COMPLETED,
                TrackedFile.closed_at >= begin,
                TrackedFile.closed_at < finish,
                FileEvent.action.in_(LEAVING_ACTIONS),
            )
            .group_by(TrackedFile.id)
        )
        if total is not None
    )
    return Report(
        process=process,
        period=period,
        stages=stage_rows,
        days=day_rows,
        peak=peak,
        rest=rest,
        minutes_per_day=per_day,
        completed=len(totals),
        total_days_p50=percentile(totals, 50),
        total_days_p90=percentile(totals, 90),
    )


# --- the module's metrics (board and evidence) ---------------------------------------------------


@dataclass(frozen=True)
class AgencyFigures:
    received_this_month: int
    median_days: float | None
    users_served: int
    breach_share: float | None


def agency_figures(agency_id: int, now: datetime) -> AgencyFigures:
    """The figures every desk of the agency reports (see `agency_figures_many`)."""
    return agency_figures_many([agency_id], now)[agency_id]


def agency_figures_many(agency_ids: Sequence[int], now: datetime) -> dict[int, AgencyFigures]:
    """Each agency's figures over all its desks: aggregates grouped by agency, four queries
    whatever the number of agencies (the progress board asks for a whole region at once).
    Every agency asked for gets figures, zeros when it has no file."""
    ids = list(dict.fromkeys(agency_ids))
    if not ids:
        return {}
    local_now = now.astimezone(WITA)
    month_start = datetime.combine(local_now.date().replace(day=1), time(0), WITA)
    year_ago = now - timedelta(days=365)
    # Files received this month; distinct submitters over all time: an agency (SPM) or a named
    # applicant (licences).
    files = {
        int(agency_id): (int(received or 0), int(agencies or 0) + int(applicants or 0))
        for agency_id, received, agencies, applicants in db.session.execute(
            select(
                TrackedFile.agency_id,
                func.sum(case((TrackedFile.received_at >= month_start, 1), else_=0)),
                func.count(func.distinct(TrackedFile.submitter_agency_id)),
                func.count(
                    func.distinct(
                        case(
                            (
                                TrackedFile.submitter_agency_id.is_(None)
                                & (TrackedFile.applicant_name != ""),
                                func.lower(TrackedFile.applicant_name),
                            ),
                            else_=None,
                        )
                    )
                ),
            )
            .where(TrackedFile.agency_id.in_(ids))
            .group_by(TrackedFile.agency_id)
        )
    }
    exits = {
        int(agency_id): (int(n or 0), int(breached or 0))
        for agency_id, n, breached in db.session.execute(
            select(
                FileEvent.agency_id,
                func.count(FileEvent.id),
                func.sum(case((FileEvent.breached.is_(True), 1), else_=0)),
            )
            .where(
                FileEvent.agency_id.in_(ids),
                FileEvent.action.in_(LEAVING_ACTIONS),
                FileEvent.at >= year_ago,
            )
            .group_by(FileEvent.agency_id)
        )
    }
    # Receipt to result of each file completed in the last 12 months: one row per file.
    totals: dict[int, list[int]] = {}
    for agency_id, total in db.session.execute(
        select(TrackedFile.agency_id, func.sum(FileEvent.working_minutes))
        .join(TrackedFile, FileEvent.file_id == TrackedFile.id)
        .where(
            TrackedFile.agency_id.in_(ids),
            TrackedFile.status == FileStatus.COMPLETED,
            TrackedFile.closed_at >= year_ago,
            FileEvent.action.in_(LEAVING_ACTIONS),
        )
        .group_by(TrackedFile.agency_id, TrackedFile.id)
    ):
        if total is not None:
            totals.setdefault(int(agency_id), []).append(int(total))
    per_day = minutes_per_day_many(ids)
    out = {}
    for agency_id in ids:
        received, served = files.get(agency_id, (0, 0))
        n, breached = exits.get(agency_id, (0, 0))
        median = percentile(sorted(totals.get(agency_id, [])), 50)
        out[agency_id] = AgencyFigures(
            received_this_month=received,
            median_days=None if median is None else round(median / per_day[agency_id], 2),
            users_served=served,
            breach_share=share(breached, n),
        )
    return out
