"""Demo history for a desk: files with realistic stage histories over the past 12 months, so the
SLA analytics have something to show. Deterministic for a given seed and day.

Every file goes through the engine (`register_file`, `act`) with explicit timestamps, so the
working minutes and breaches stored on its events are the engine's own. More files arrive, and
stages run slower, in October–November (the end-of-year rush); a few files are returned for
correction, a few rejected, and the most recent ones are still open. Internal numbers start
with "DEMO/" so nobody takes them for real files.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from puja_indah.core.db import utcnow
from puja_indah.core.models import Agency, Role
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db
from puja_indah.modules.etracking import engine
from puja_indah.modules.etracking.models import FileAction, Process, TrackedFile
from puja_indah.modules.etracking.worktime import WITA, WorkCalendar

DEMO_PREFIX = "DEMO/"
APPLICANTS = (
    "Andi",
    "Basri",
    "Citra",
    "Dewi",
    "Erwin",
    "Fitri",
    "Gusti",
    "Hasnah",
    "Irfan",
    "Jumriah",
    "Kadir",
    "Lestari",
)


def generate(agency_id: int, count: int, seed: int, now: datetime | None = None) -> int:
    """Create up to `count` demo files at each process of the agency's desk; returns how many
    were made. A seed already used at a desk makes nothing (idempotent)."""
    agency = db.session.get(Agency, agency_id)
    if agency is None or count <= 0:
        return 0
    moment = now or utcnow()
    desk = Scope.for_membership(Role.AGENCY_LEAD, agency_id, agency.region_id)
    calendar = engine.calendar_for(agency_id, moment.astimezone(WITA).date())
    submitters = list(
        db.session.scalars(
            select(Agency.id).where(Agency.region_id == agency.region_id).order_by(Agency.id)
        )
    )
    # The calendar cannot change while the generator runs: every step is given this one instead
    # of the engine looking it up (three queries and the holiday tables per step), which keeps
    # `flask seed demo` quick.
    made = _generate(agency_id, count, seed, moment, desk, calendar, submitters)
    db.session.flush()
    return made


def _generate(
    agency_id: int,
    count: int,
    seed: int,
    moment: datetime,
    desk: Scope,
    calendar: WorkCalendar,
    submitters: list[int],
) -> int:
    made = 0
    for process in db.session.scalars(
        select(Process).where(Process.agency_id == agency_id).order_by(Process.id)
    ):
        prefix = f"{DEMO_PREFIX}{process.code}/{seed}/"
        used = db.session.scalar(
            select(TrackedFile.id).where(TrackedFile.internal_number.startswith(prefix)).limit(1)
        )
        if used is not None:
            continue
        rng = random.Random(f"{seed}/{process.code}")  # noqa: S311 - demo data, not secrets
        version = engine.current_version(process)
        days = _arrival_days(rng, calendar, moment, count)
        for index, day in enumerate(days):
            start = datetime.combine(day, time(8, 0), WITA) + timedelta(
                minutes=rng.randrange(0, 6 * 60)
            )
            kind = rng.choice(version.file_kinds)
            tracked = engine.register_file(
                desk,
                process,
                engine.Intake(
                    file_kind_id=kind.id,
                    internal_number=f"{prefix}{index + 1:04d}",
                    amount=Decimal(rng.randrange(5, 5000) * 100_000)
                    if process.submitted_by_agencies
                    else None,
                    submitter_agency_id=rng.choice(submitters)
                    if process.submitted_by_agencies
                    else None,
                    applicant_name=""
                    if process.submitted_by_agencies
                    else f"{rng.choice(APPLICANTS)} (demo) {rng.randrange(1, count + 1)}",
                    ticked=list(kind.checklist),
                ),
                user_id=None,
                now=start,
            )
            _walk(rng, desk, calendar, tracked, start, moment)
            made += 1
    return made


def _arrival_days(
    rng: random.Random, calendar: WorkCalendar, now: datetime, count: int
) -> list[date]:
    """`count` working days of the last year, October–November weighted 2.5 times; sorted."""
    today = now.astimezone(WITA).date()
    candidates = [
        today - timedelta(days=offset)
        for offset in range(1, 365)
        if calendar.is_working_day(today - timedelta(days=offset))
    ]
    weights = [2.5 if day.month in (10, 11) else 1.0 for day in candidates]
    return sorted(rng.choices(candidates, weights=weights, k=count))


def _walk(
    rng: random.Random,
    desk: Scope,
    calendar: WorkCalendar,
    tracked: TrackedFile,
    at: datetime,
    now: datetime,
) -> None:
    """Move the file through its stages until it completes or the next step is in the future."""
    peak = at.astimezone(WITA).month in (10, 11)
    while True:
        stage = tracked.stage
        if stage.terminal:
            return
        sla = stage.sla_minutes or 240
        # Mostly well inside the SLA; slower in the rush; now and then over it.
        factor = rng.uniform(0.15, 0.6) * (1.4 if peak else 1.0)
        if rng.random() < (0.08 if peak else 0.03):
            factor = rng.uniform(1.1, 2.5)
        step = calendar.add_working_minutes(at, max(1, round(sla * factor)))
        if stage.may_return and rng.random() < 0.04:
            returned = calendar.add_working_minutes(at, max(1, round(sla * 0.3)))
            back = calendar.add_working_minutes(returned, rng.randrange(240, 1440))
            if back > now:
                return
            engine.act(
                desk, tracked, FileAction.RETURN, tracked.last_sequence, None,
                "Dokumen belum lengkap (demo)", now=returned, calendar=calendar,
            )  # fmt: skip
            engine.act(
                desk, tracked, FileAction.RESUME, tracked.last_sequence, None, now=back,
                calendar=calendar,
            )  # fmt: skip
            step = calendar.add_working_minutes(back, max(1, round(sla * factor * 0.5)))
        if step > now:
            return
        if stage.may_return and rng.random() < 0.015:
            engine.act(
                desk, tracked, FileAction.REJECT, tracked.last_sequence, None,
                "Persyaratan tidak terpenuhi (demo)", now=step, calendar=calendar,
            )  # fmt: skip
            return
        engine.act(
            desk, tracked, FileAction.ADVANCE, tracked.last_sequence, None, now=step,
            calendar=calendar,
        )  # fmt: skip
        at = step
