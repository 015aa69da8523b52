"""Reads of the progress board: one row per agency appointed by the region's decrees.

Every figure comes from a grouped query over all the board's agencies at once, so the number of
SQL statements does not grow with the number of agencies (tests/integration/test_board.py counts
them at 3 and at 18 agencies, service modules switched on). The service modules' figures
too: `ServiceModule.metrics_many(agency_ids)` once per module switched on in the region, a fixed
number of grouped queries each (e-tracking four, e-pintar two); their last activity likewise
(`registry.last_module_activity`, one grouped query per module).

The rows themselves are not kept between requests: they hold ORM objects of the request's
session. What is kept is the board rendered from them (board/views.py), per data version
(core/dataversion.py: a number a trigger moves at every committed write to any of the tables the
board reads, and to every other table) and per reader's role, region, day ("today", the rolling
12-month windows, "days ago"), language and URL choices.

Scope: a monitor's region scope already sees every agency-owned row of its region (tenancy
criteria), a national scope every region's; the queries add `agency_id IN (the board's agencies)`
so a national reader's board holds the chosen region only. The audit trail is not agency-scoped:
it is filtered to the board's agencies here. Nothing widens the request's scope.

Last activity = the latest of: a change (create, update, delete) recorded in the audit trail by a
user working in that agency's own scope, and the agency's work in its service modules
(`ServiceModule.last_activity`: a step at its e-tracking or e-minduk desk, a published e-pintar
notice), each one grouped query. It is data entered by the OPD's own people, which is what "the
platform looks dead" is about; changes by the monitor or by seeding (system scope) do not count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from puja_indah.agencies.models import Appointment, Decree
from puja_indah.assessment import index, scoring
from puja_indah.assessment.models import (
    AssessmentYear,
    Claim,
    ClaimEvidence,
    Indicator,
    IndicatorTarget,
)
from puja_indah.assessment.queries import year_with_catalogue
from puja_indah.board import rules
from puja_indah.board.models import DEFAULT_STALE_DAYS, BoardSettings
from puja_indah.board.rules import DutyStatus
from puja_indah.core import registry
from puja_indah.core.audit import AuditEntry
from puja_indah.core.models import Agency, Region
from puja_indah.core.registry import Metric, ModuleActivation
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Stage
from puja_indah.progress.models import Milestone
from puja_indah.progress.queries import latest_progress
from puja_indah.progress.rules import Point, innovation_progress, mean
from puja_indah.replications.models import Replication, ReplicationStatus

ACTIVITY_ACTIONS = ("create", "update", "delete")


# --- settings and the assessment year ------------------------------------------------------------


def settings_of(region_id: int) -> BoardSettings | None:
    return db.session.scalar(select(BoardSettings).where(BoardSettings.region_id == region_id))


def stale_after_days(region_id: int) -> int:
    row = settings_of(region_id)
    return row.stale_after_days if row is not None else DEFAULT_STALE_DAYS


def current_year(today: date) -> AssessmentYear | None:
    """The assessment year of `today`'s calendar year, else the latest year before it, else the
    earliest one after it; loaded with its catalogue."""
    years = list(db.session.scalars(select(AssessmentYear.year).order_by(AssessmentYear.year)))
    if not years:
        return None
    past = [y for y in years if y <= today.year]
    return year_with_catalogue(past[-1] if past else years[0])


def regions_with_decrees() -> list[Region]:
    return list(
        db.session.scalars(
            select(Region)
            .where(Region.id.in_(select(Decree.region_id)))
            .order_by(Region.code, Region.id)
        )
    )


# --- the rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleFigures:
    code: str
    name: str
    metrics: tuple[Metric, ...]


@dataclass
class Row:
    agency: Agency
    appointment: Appointment
    decree: Decree
    innovation: Innovation | None = None
    progress: int | None = None
    milestones: int = 0
    replications: dict[ReplicationStatus, int] = field(default_factory=dict)
    evidence_done: int = 0
    evidence_total: int = 0
    evidence_missing: tuple[Indicator, ...] = ()
    score: Decimal | None = None
    modules: list[ModuleFigures] = field(default_factory=list)
    last_activity: datetime | None = None
    days_since: int | None = None
    stale: bool = True
    implement: DutyStatus = DutyStatus.MISSING
    replicate: DutyStatus = DutyStatus.MISSING

    @property
    def stage(self) -> Stage | None:
        return self.innovation.stage if self.innovation is not None else None

    @property
    def replication_count(self) -> int:
        return sum(self.replications.values())

    @property
    def evidence_share(self) -> float | None:
        if not self.evidence_total:
            return None
        return self.evidence_done / self.evidence_total

    @property
    def bucket(self) -> str:
        return rules.bucket(self.days_since)

    @property
    def module_codes(self) -> set[str]:
        return {m.code for m in self.modules}


def _appointments(region_id: int, decree_id: int | None, agency_id: int | None) -> list[Any]:
    """(appointment, decree, agency) per appointed agency: the newest decree's appointment when
    an agency is appointed by more than one."""
    stmt = (
        select(Appointment, Decree, Agency)
        .join(Decree, Appointment.decree_id == Decree.id)
        .join(Agency, Appointment.agency_id == Agency.id)
        .where(Decree.region_id == region_id, Agency.region_id == region_id)
        .order_by(
            Decree.signed_on.desc().nulls_last(), Decree.id.desc(), Agency.name, Appointment.id
        )
    )
    if decree_id is not None:
        stmt = stmt.where(Decree.id == decree_id)
    if agency_id is not None:
        stmt = stmt.where(Agency.id == agency_id)
    seen: set[int] = set()
    out = []
    for appointment, decree, agency in db.session.execute(stmt):
        if agency.id not in seen:
            seen.add(agency.id)
            out.append((appointment, decree, agency))
    return out


def _innovations(appointment_ids: Sequence[int]) -> dict[int, Innovation]:
    """appointment id → the linked innovation (the earliest, when several name it)."""
    if not appointment_ids:
        return {}
    found: dict[int, Innovation] = {}
    for innovation in db.session.scalars(
        select(Innovation)
        .where(Innovation.appointment_id.in_(appointment_ids))
        .options(joinedload(Innovation.affair))  # joined: one statement, affairs set or not
        .order_by(Innovation.id)
    ):
        assert innovation.appointment_id is not None
        found.setdefault(innovation.appointment_id, innovation)
    return found


def _progress(innovation_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """innovation id → (progress of its latest milestone, number of milestones)."""
    if not innovation_ids:
        return {}
    latest = latest_progress()
    counts = (
        select(Milestone.innovation_id, func.count(Milestone.id).label("n"))
        .where(Milestone.innovation_id.in_(innovation_ids))
        .group_by(Milestone.innovation_id)
        .subquery("counts")
    )
    rows = db.session.execute(
        select(counts.c.innovation_id, counts.c.n, latest.c.progress).outerjoin(
            latest, latest.c.innovation_id == counts.c.innovation_id
        )
    )
    return {row.innovation_id: (int(row.progress or 0), int(row.n)) for row in rows}


def _replications(agency_ids: Sequence[int]) -> dict[int, dict[ReplicationStatus, int]]:
    out: dict[int, dict[ReplicationStatus, int]] = {}
    if not agency_ids:
        return out
    for agency_id, status, n in db.session.execute(
        select(Replication.agency_id, Replication.status, func.count(Replication.id))
        .where(Replication.agency_id.in_(agency_ids))
        .group_by(Replication.agency_id, Replication.status)
    ):
        out.setdefault(agency_id, {})[ReplicationStatus(status)] = int(n)
    return out


def mandatory_indicators(year: AssessmentYear | None) -> list[Indicator]:
    """The mandatory per-innovation (SID) indicators of the year, in number order."""
    if year is None:
        return []
    return sorted(
        (
            ind
            for ind in year.indicators
            if ind.mandatory and ind.target is IndicatorTarget.INNOVATION
        ),
        key=lambda ind: ind.number,
    )


def _evidenced(innovation_ids: Sequence[int], indicator_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(innovation id, indicator id) pairs whose claim has at least one live evidence document
    (the rule of `scoring.live_evidence`)."""
    if not innovation_ids or not indicator_ids:
        return set()
    rows = db.session.execute(
        select(Claim.innovation_id, Claim.indicator_id)
        .join(ClaimEvidence, ClaimEvidence.claim_id == Claim.id)
        .join(Evidence, Evidence.id == ClaimEvidence.evidence_id)
        .where(
            Claim.innovation_id.in_(innovation_ids),
            Claim.indicator_id.in_(indicator_ids),
            Evidence.deleted_at.is_(None),
        )
        .distinct()
    )
    return {(row.innovation_id, row.indicator_id) for row in rows}


def _scores(innovations: Sequence[Innovation], year: AssessmentYear | None) -> dict[int, Decimal]:
    """Self-assessed SID sum per innovation, by the assessment feature's own rules
    (`scoring.claims_of`, `scoring.counted_level`, `index.compute`)."""
    if year is None or not innovations:
        return {}
    levels: dict[int, dict[int, int]] = {}
    for claim in scoring.claims_of([i.id for i in innovations], year):
        levels.setdefault(claim.innovation_id, {})[claim.indicator.number] = scoring.counted_level(
            claim
        )
    result = index.compute(
        scoring.catalogue_for(year),
        {},
        [
            index.Innovation(i.id, i.affair.code if i.affair else None, levels.get(i.id, {}))
            for i in innovations
        ],
    )
    return {int(score.id): score.sid_sum for score in result.innovations}


def _last_activity(agency_ids: Sequence[int]) -> dict[int, datetime]:
    if not agency_ids:
        return {}
    rows = db.session.execute(
        select(AuditEntry.agency_id, func.max(AuditEntry.occurred_at))
        .where(
            AuditEntry.agency_id.in_(agency_ids),
            AuditEntry.action.in_(ACTIVITY_ACTIONS),
            AuditEntry.scope.like("agency:%"),
            AuditEntry.actor_user_id.is_not(None),
        )
        .group_by(AuditEntry.agency_id)
    )
    out = registry.last_module_activity(agency_ids)
    for agency_id, last in rows:
        if agency_id is not None and last is not None:
            mine = out.get(int(agency_id))
            out[int(agency_id)] = last if mine is None or last > mine else mine
    return out


def _modules(agency_ids: Sequence[int]) -> dict[int, list[ModuleFigures]]:
    """The switched-on modules of the agencies (one query) and their figures: one
    `metrics_many()` call per module for all the agencies that run it."""
    out: dict[int, list[ModuleFigures]] = {}
    if not agency_ids:
        return out
    running: dict[str, list[int]] = {}
    for agency_id, code in db.session.execute(
        select(ModuleActivation.agency_id, ModuleActivation.module_code)
        .where(ModuleActivation.agency_id.in_(agency_ids), ModuleActivation.enabled.is_(True))
        .order_by(ModuleActivation.agency_id, ModuleActivation.module_code)
    ):
        running.setdefault(code, []).append(agency_id)
    figures = {}
    for code, ids in running.items():
        module = registry.get(code)
        if module is not None:
            found = module.metrics_many(ids)
            figures[code] = (str(module.name), found)
    # Per agency, its modules in code order (the query's order), as before.
    for code in sorted(figures):
        name, found = figures[code]
        for agency_id in running[code]:
            out.setdefault(agency_id, []).append(
                ModuleFigures(code, name, tuple(found.get(agency_id, ())))
            )
    return out


def rows(
    region_id: int,
    today: date,
    *,
    decree_id: int | None = None,
    agency_id: int | None = None,
    year: AssessmentYear | None = None,
    stale_after: int | None = None,
    modules: bool = True,
) -> list[Row]:
    """The board's rows, unsorted and unfiltered (the view sorts and filters)."""
    if year is None:
        year = current_year(today)
    if stale_after is None:
        stale_after = stale_after_days(region_id)
    appointed = _appointments(region_id, decree_id, agency_id)
    agency_ids = [agency.id for _a, _d, agency in appointed]
    linked = _innovations([appointment.id for appointment, _d, _a in appointed])
    innovations = list(linked.values())
    innovation_ids = [i.id for i in innovations]
    progress = _progress(innovation_ids)
    replications = _replications(agency_ids)
    mandatory = mandatory_indicators(year)
    evidenced = _evidenced(innovation_ids, [ind.id for ind in mandatory])
    scores = _scores(innovations, year)
    activity = _last_activity(agency_ids)
    figures = _modules(agency_ids) if modules else {}

    out = []
    for appointment, decree, agency in appointed:
        innovation = linked.get(appointment.id)
        row = Row(agency=agency, appointment=appointment, decree=decree, innovation=innovation)
        if innovation is not None:
            row.progress, row.milestones = progress.get(innovation.id, (0, 0))
            row.evidence_total = len(mandatory)
            row.evidence_missing = tuple(
                ind for ind in mandatory if (innovation.id, ind.id) not in evidenced
            )
            row.evidence_done = row.evidence_total - len(row.evidence_missing)
            row.score = scores.get(innovation.id)
        else:
            row.evidence_total = len(mandatory)
            row.evidence_missing = tuple(mandatory)
        row.replications = replications.get(agency.id, {})
        row.modules = figures.get(agency.id, [])
        row.last_activity = activity.get(agency.id)
        row.days_since = rules.days_since(row.last_activity, today)
        row.stale = rules.is_stale(row.days_since, stale_after)
        row.implement = rules.implement_status(
            required=appointment.must_implement,
            stage=row.stage,
            progress=row.progress,
            milestones=row.milestones,
        )
        row.replicate = rules.replicate_status(
            required=appointment.must_replicate, statuses=row.replications
        )
        out.append(row)
    return out


# --- filtering and sorting (the web board and the API) -------------------------------------------

SORTERS: dict[str, Callable[[Row], Any]] = {
    "agency": lambda r: (r.agency.name.lower(),),
    "innovation": lambda r: (
        (r.innovation.name if r.innovation else r.appointment.innovation_name).lower(),
    ),
    "stage": lambda r: (r.stage.rank if r.stage else -1,),
    "progress": lambda r: (r.progress if r.progress is not None else -1,),
    "replications": lambda r: (r.replication_count,),
    "evidence": lambda r: (r.evidence_share if r.evidence_share is not None else -1,),
    "score": lambda r: (r.score if r.score is not None else -1,),
    # Never active sorts as the oldest.
    "activity": lambda r: (r.last_activity.timestamp() if r.last_activity else 0,),
}


def filter_rows(
    board: Iterable[Row],
    *,
    stage: str = "",
    implement: str = "",
    replicate: str = "",
    module: str = "",
    stale_only: bool = False,
) -> list[Row]:
    """The rows matching every filter given ("" = any): the stage of the assigned innovation
    ("none" when none is linked), a duty's status, a switched-on module's code, stale only."""
    return [
        r
        for r in board
        if (not stage or (r.stage.value if r.stage else "none") == stage)
        and (not implement or r.implement.value == implement)
        and (not replicate or r.replicate.value == replicate)
        and (not module or module in r.module_codes)
        and (not stale_only or r.stale)
    ]


def sort_rows(board: Iterable[Row], key: str = "agency", *, descending: bool = False) -> list[Row]:
    """Sorted by one of SORTERS, ties by agency name then id (reversed along with it)."""
    sorter = SORTERS[key]
    return sorted(
        board, key=lambda r: (*sorter(r), r.agency.name.lower(), r.agency.id), reverse=descending
    )


# --- charts' figures -----------------------------------------------------------------------------


def stage_counts(board: Iterable[Row]) -> list[tuple[str, int]]:
    """Agencies per stage of their assigned innovation; "none" when no innovation is linked."""
    counts = Counter(row.stage.value if row.stage else "none" for row in board)
    return [(key, counts.get(key, 0)) for key in [s.value for s in Stage] + ["none"]]


def freshness_counts(board: Iterable[Row]) -> list[tuple[str, int]]:
    counts = Counter(row.bucket for row in board)
    return [(key, counts.get(key, 0)) for key in rules.BUCKETS]


def month_ends(today: date, months: int = 12) -> list[date]:
    """The last day of each of the `months` months ending with today's (today for the current)."""
    out = []
    year, month = today.year, today.month
    for _ in range(months):
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        out.append(min(today, date.fromordinal(nxt.toordinal() - 1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(out))


def progress_over_time(board: Sequence[Row], today: date) -> list[tuple[date, float]]:
    """Mean progress of the board's linked innovations at the end of each of the last 12 months:
    each innovation's progress on a day is that of its latest milestone up to that day (the rule
    of `progress.rules.innovation_progress`), 0 before its first one. One query."""
    ids = [row.innovation.id for row in board if row.innovation is not None]
    ends = month_ends(today)
    if not ids:
        return [(end, 0.0) for end in ends]
    points: dict[int, list[Point]] = {i: [] for i in ids}
    for innovation_id, happened_on, milestone_id, value in db.session.execute(
        select(
            Milestone.innovation_id, Milestone.happened_on, Milestone.id, Milestone.progress
        ).where(Milestone.innovation_id.in_(ids), Milestone.happened_on <= today)
    ):
        points[innovation_id].append(Point(happened_on, milestone_id, value))
    return [
        (
            end,
            mean(innovation_progress(p for p in points[i] if p.happened_on <= end) for i in ids),
        )
        for end in ends
    ]


# --- the drill-down ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyPage:
    row: Row
    innovations: list[tuple[Innovation, int, int]]  # innovation, progress %, milestones
    milestones: list[Milestone]
    replications: list[Replication]
    activity: list[AuditEntry]
    year: AssessmentYear | None


def agency_page(region_id: int, agency_id: int, today: date) -> AgencyPage | None:
    year = current_year(today)
    found = rows(region_id, today, agency_id=agency_id, year=year)
    if not found:
        return None
    row = found[0]
    innovations = list(
        db.session.scalars(
            select(Innovation).where(Innovation.agency_id == agency_id).order_by(Innovation.name)
        )
    )
    progress = _progress([i.id for i in innovations])
    milestones = []
    if row.innovation is not None:
        milestones = list(
            db.session.scalars(
                select(Milestone)
                .where(Milestone.innovation_id == row.innovation.id)
                .order_by(Milestone.happened_on.desc(), Milestone.id.desc())
            )
        )
    replications = list(
        db.session.scalars(
            select(Replication)
            .where(Replication.agency_id == agency_id)
            .options(selectinload(Replication.replica))
            .order_by(Replication.status_on.desc(), Replication.id.desc())
        )
    )
    activity = list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.agency_id == agency_id)
            .order_by(AuditEntry.id.desc())
            .limit(20)
        )
    )
    return AgencyPage(
        row=row,
        innovations=[(i, *progress.get(i.id, (0, 0))) for i in innovations],
        milestones=milestones,
        replications=replications,
        activity=activity,
        year=year,
    )
