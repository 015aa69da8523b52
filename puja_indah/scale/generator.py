"""One generator run: check the database, remove earlier generated rows when asked, build the
world in dependency order, record the run in the audit trail, report what was written.

The caller (the CLI command, a test) sets a system scope and the audit actor; the run commits
batch by batch (writer.py), so an interrupted run leaves generated rows behind — the next run
sees them and asks for `--replace`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import inspect, select

from puja_indah.core import audit
from puja_indah.core.clock import today_wita
from puja_indah.core.storage import file_store
from puja_indah.extensions import db
from puja_indah.scale import etracking, innovations, markers, structure
from puja_indah.scale.plans import Plan
from puja_indah.scale.structure import PlanRefused
from puja_indah.scale.world import World
from puja_indah.scale.writer import BulkWriter

__all__ = ["Outcome", "PlanRefused", "remove", "run"]


@dataclass
class Outcome:
    counts: dict[str, int]
    removed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    year: int = 0
    accounts: list[str] = field(default_factory=list)


def check_schema() -> None:
    """Refuse a database without the app's tables (before `flask db upgrade`)."""
    inspector = inspect(db.engine)
    missing = [t.name for t in markers.tables() if not inspector.has_table(t.name)]
    if missing or not inspector.has_table("alembic_version"):
        raise PlanRefused(
            "The database has no (or an older) schema — missing tables such as "
            f"{', '.join(missing[:3]) or 'alembic_version'}: run `flask db upgrade` first."
        )


def _catalogue(world: World, year: int | None) -> None:
    """The SID indicators of the assessment year (the latest year that is not closed)."""
    session = world.writer.session
    years = world.writer.table("assessment_years")
    aspects = world.writer.table("assessment_aspects")
    indicators = world.writer.table("assessment_indicators")
    query = select(years.c.id, years.c.year).where(years.c.status != "closed")
    if year is not None:
        query = query.where(years.c.year == year)
    for year_id, number in session.execute(query.order_by(years.c.year.desc())):
        rows = session.execute(
            select(indicators.c.id, indicators.c.number, indicators.c.mandatory)
            .join(aspects, indicators.c.aspect_id == aspects.c.id)
            .where(indicators.c.year_id == year_id, aspects.c.code == "SID")
            .order_by(indicators.c.number)
        ).all()
        if rows:
            world.year = number
            world.indicators = [(r.id, r.number, bool(r.mandatory)) for r in rows]
            return
    raise PlanRefused(
        "No open assessment year with SID indicators"
        + (f" for {year}" if year else "")
        + ": load the catalogue first (flask assessment seed, or flask seed demo)."
    )


def remove(echo: Callable[[str], None]) -> dict[str, int]:
    """Delete every generated row and the generated evidence files."""
    session = db.session
    keys = markers.stored_file_keys(session)
    removed = markers.delete_generated(session, echo)
    store = file_store("evidence")
    for key in keys:
        store.delete(key)
    return removed


def run(
    plan: Plan,
    seed: int,
    base_date: date,
    *,
    replace: bool = False,
    year: int | None = None,
    batch_size: int = 5_000,
    echo: Callable[[str], None] = lambda _message: None,
) -> Outcome:
    started = time.monotonic()
    check_schema()
    if base_date > today_wita():
        raise PlanRefused(f"The base date {base_date} is in the future.")
    session = db.session
    removed: dict[str, int] = {}
    if markers.has_generated(session):
        if not replace:
            raise PlanRefused(
                "The database already holds generated data: run again with --replace to"
                " delete it first (or `flask scale delete`)."
            )
        echo("Removing the generated data already there …")
        removed = remove(echo)
    writer = BulkWriter(session, batch_size=batch_size, echo=echo)
    world = World(plan=plan, seed=seed, base_date=base_date, writer=writer, echo=echo)
    _catalogue(world, year)
    innovations.load_reference(world)
    if not (world.affairs and world.initiator_kinds and world.themes):
        raise PlanRefused(
            "The reference lists (urusan, initiators, themes) are empty: run `flask seed"
            " reference` (or `flask seed demo`) first."
        )
    structure.load_hosts(world)
    echo(f"Generating '{plan.name}' with seed {seed}, base date {base_date}, year {world.year} …")
    structure.build_regions(world)
    structure.build_decrees(world)
    structure.build_desks(world)
    writer.progress("regions", sum(r.generated for r in world.regions), plan.generated_regions)
    metas = innovations.skeleton(world)
    innovations.write(world, metas)
    etracking.write(world)
    writer.finish()
    seconds = time.monotonic() - started
    counts = dict(sorted(writer.counts.items()))
    audit.append(
        session,
        action="scale_generate",
        object_type="ScaleRun",
        object_id=f"{plan.name}/{seed}",
        changes={
            "size": plan.name,
            "seed": seed,
            "base_date": base_date.isoformat(),
            "assessment_year": world.year,
            "files_sample": plan.files_sample,
            "rows": counts,
            "removed": removed,
            "seconds": round(seconds, 1),
        },
    )
    session.commit()
    return Outcome(
        counts=counts,
        removed=removed,
        seconds=seconds,
        year=world.year,
        accounts=[structure.monitor_email(r.code) for r in world.regions if r.generated][:3],
    )
