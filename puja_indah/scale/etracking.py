"""E-tracking files and their stage events, by the engine's rules, without the engine's per-step
queries (modules/etracking/engine.py `register_file` and `act` make one file at a time; a
million events need arithmetic instead).

Time is counted in working minutes of the desk's calendar (engine.calendar_for: office hours,
national holidays, the region's collective leave): every event falls inside working hours, so
the working minutes the engine would store for a stage (`active_minutes`: time in the stage with
the pauses while the file was back with the submitter left out) are plain differences of the
counter. Like modules/etracking/demo_files.py, files arrive on working days of the year before
the base date, 2.5 times as many in October–November, when stages also run slower and over
their SLA more often; files are returned for correction (the clock pauses, then resumes),
now and then rejected, and the most recent ones are still open (or back with the submitter) at
the base date. Events are numbered from 1 in time order; a file's last_sequence, stage, status,
stage_entered_at and closed_at are those its last event left.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from puja_indah.modules.etracking import codes, engine
from puja_indah.modules.etracking.models import FileAction, FileStatus
from puja_indah.modules.etracking.worktime import WorkCalendar
from puja_indah.scale import names
from puja_indah.scale.world import Desk, World

RETURN_REASON = "Dokumen belum lengkap (data contoh)"
REJECT_REASON = "Persyaratan tidak terpenuhi (data contoh)"


class MinuteClock:
    """Working minutes of one calendar as a counter from the first working day of a span: counter
    c is minute c % per_day of the (c // per_day)-th working day."""

    def __init__(self, calendar: WorkCalendar, first: date, last: date) -> None:
        self.per_day = calendar.minutes_per_day
        self.days: list[date] = []
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                self.days.append(day)
            day += timedelta(days=1)
        self.index = {day: i for i, day in enumerate(self.days)}
        self.opens = [
            datetime.combine(day, calendar.opens, calendar.zone).astimezone(UTC)
            for day in self.days
        ]
        # The base date's closing time (or that of the last working day before it).
        self.now = len(self.days) * self.per_day

    def at(self, counter: int) -> datetime:
        day, minute = divmod(counter, self.per_day)
        return self.opens[day] + timedelta(minutes=minute)


def _allocate(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """`total` split by weight, exactly (the remainder goes to randomly chosen ones)."""
    whole = sum(weights) or 1.0
    counts = [int(total * w / whole) for w in weights]
    for index in rng.sample(range(len(weights)), min(len(weights), total - sum(counts))):
        counts[index] += 1
    return counts


def write(world: World) -> None:
    if not world.desks or world.plan.etracking_files <= 0:
        return
    writer = world.writer
    files = writer.table("et_files")
    used = set(writer.session.execute(select(files.c.public_code)).scalars())
    rng = world.rng("etracking")
    counts = _allocate(world.plan.etracking_files, [d.weight for d in world.desks], rng)
    submitters = {r.id: [a.id for a in r.agencies] for r in world.regions}
    clocks: dict[WorkCalendar, MinuteClock] = {}
    first = world.base_date - timedelta(days=400)
    made = 0
    for desk, count in zip(world.desks, counts, strict=True):
        calendar = engine.calendar_for(desk.agency.id, world.base_date)
        clock = clocks.get(calendar)
        if clock is None:
            clock = clocks[calendar] = MinuteClock(calendar, first, world.base_date)
        desk_rng = world.rng(f"etracking/{desk.process_id}")
        candidates = [
            world.base_date - timedelta(days=offset)
            for offset in range(1, 365)
            if (world.base_date - timedelta(days=offset)) in clock.index
        ]
        weights = [2.5 if day.month in (10, 11) else 1.0 for day in candidates]
        for day in sorted(desk_rng.choices(candidates, weights=weights, k=count)):
            made += 1
            _file(world, desk_rng, desk, clock, day, made, used, submitters[desk.agency.region_id])
            if made % 10_000 == 0:
                writer.progress("e-tracking files", made, world.plan.etracking_files)
    writer.progress("e-tracking files", made, world.plan.etracking_files)


def _public_code(rng: random.Random, used: set[str]) -> str:
    """A tracking code as codes.new_code makes one (12 characters and the check symbol), drawn
    from the seed's stream instead of `secrets`."""
    while True:
        body = "".join(rng.choices(codes.ALPHABET, k=codes.BODY_LENGTH))
        code = body + codes.check_symbol(body)
        if code not in used:
            used.add(code)
            return code


def _file(
    world: World,
    rng: random.Random,
    desk: Desk,
    clock: MinuteClock,
    day: date,
    number: int,
    used: set[str],
    submitters: list[int],
) -> None:
    writer = world.writer
    file_id = writer.new_id("et_files")
    agency_id = desk.agency.id
    peak = day.month in (10, 11)
    stages = desk.stages
    events: list[dict[str, Any]] = []

    def event(action: FileAction, at: int, from_id: int | None, to_id: int, **extra: Any) -> None:
        events.append(
            {
                "id": writer.new_id("et_file_events"),
                "agency_id": agency_id,
                "file_id": file_id,
                "sequence": len(events) + 1,
                "action": action.value,
                "from_stage_id": from_id,
                "to_stage_id": to_id,
                "at": clock.at(at),
                "user_id": None,
                "reason": extra.get("reason", ""),
                "working_minutes": extra.get("minutes"),
                "breached": extra.get("breached"),
            }
        )

    received = clock.index[day] * clock.per_day + rng.randrange(0, 360)
    event(FileAction.RECEIVE, received, None, stages[0].id)
    position, entered, status, closed = 0, received, FileStatus.OPEN, None
    while not stages[position].terminal:
        stage = stages[position]
        sla = stage.sla_minutes or 240
        factor = rng.uniform(0.15, 0.6) * (1.4 if peak else 1.0)
        if rng.random() < (0.08 if peak else 0.03):
            factor = rng.uniform(1.1, 2.5)
        cursor, active, stop = entered, 0, False
        returns = 0
        while stage.may_return and returns < 2 and rng.random() < (0.35 if peak else 0.25):
            returns += 1
            worked = max(1, round(sla * rng.uniform(0.1, 0.4)))
            returned = cursor + worked
            if returned >= clock.now:
                stop = True
                break
            event(FileAction.RETURN, returned, stage.id, stage.id, reason=RETURN_REASON)
            active += worked
            back = returned + rng.randrange(240, 1440)
            if back >= clock.now:
                status, stop = FileStatus.RETURNED, True
                break
            event(FileAction.RESUME, back, stage.id, stage.id)
            cursor = back
        if stop:
            break
        worked = max(1, round(sla * factor * (0.5 if returns else 1.0)))
        step = cursor + worked
        if step >= clock.now:
            break
        minutes = active + worked
        if stage.may_return and rng.random() < 0.015:
            event(
                FileAction.REJECT, step, stage.id, stage.id, reason=REJECT_REASON, minutes=minutes
            )
            status, closed = FileStatus.REJECTED, step
            break
        target = stages[position + 1]
        breached = stage.sla_minutes is not None and minutes > stage.sla_minutes
        action = FileAction.COMPLETE if target.terminal else FileAction.ADVANCE
        event(action, step, stage.id, target.id, minutes=minutes, breached=breached)
        position, entered = position + 1, step
        if target.terminal:
            status, closed = FileStatus.COMPLETED, step
    kind_id, checklist = rng.choice(desk.kinds)
    submitted = desk.submitted_by_agencies
    writer.add(
        "et_files",
        {
            "id": file_id,
            "agency_id": agency_id,
            "version_id": desk.version_id,
            "file_kind_id": kind_id,
            "stage_id": stages[position].id,
            "status": status.value,
            "public_code": _public_code(rng, used),
            "internal_number": f"{names.FILE_NUMBER_PREFIX}{desk.process_code}/{number:06d}",
            "amount": Decimal(rng.randrange(5, 5000) * 100_000) if submitted else None,
            "submitter_agency_id": rng.choice(submitters) if submitted else None,
            "applicant_name": "" if submitted else f"Pemohon contoh {number:06d}",
            "checklist_ticked": list(checklist),
            "received_at": clock.at(received),
            "stage_entered_at": clock.at(entered),
            "closed_at": clock.at(closed) if closed is not None else None,
            "last_sequence": len(events),
            "created_at": clock.at(received),
            "updated_at": events[-1]["at"],
        },
    )
    for row in events:
        writer.add("et_file_events", row)
