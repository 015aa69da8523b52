"""`flask scale …`: generated data at scale. Runs in a named system scope; commits batch by batch
(see generator.py). Registered by `register_cli` in puja_indah/cli.py."""

from __future__ import annotations

import dataclasses
import sys
from datetime import datetime

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from puja_indah.core import audit
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.scale.plans import BASE_DATE, PLANS

scale_cli = AppGroup("scale", help="Generated data at scale, to measure the app against.")


@scale_cli.command("generate")
@click.option(
    "--size",
    type=click.Choice(list(PLANS)),
    default="small",
    show_default=True,
    help="tiny: tests; small: Bombana + a few hundred innovations and files; national: ~500"
    " regions, 17,000 agencies, 30,000 innovations, 100,000 e-tracking files.",
)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option(
    "--files-sample",
    type=click.IntRange(0, 1_000_000),
    default=None,
    help="Evidence documents that get a real (small PDF) file in the store [default: 200].",
)
@click.option(
    "--base-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=BASE_DATE.isoformat(),
    show_default=True,
    help="The generated world's 'today': nothing is dated after it.",
)
@click.option("--year", type=int, default=None, help="Assessment year of the SID claims.")
@click.option("--replace", is_flag=True, help="Delete the generated data already there first.")
@click.option("--batch-size", type=click.IntRange(100, 100_000), default=5_000, show_default=True)
@click.option("--fingerprint", is_flag=True, help="Print a SHA-256 of all generated rows.")
def generate(
    size: str,
    seed: int,
    files_sample: int | None,
    base_date: datetime,
    year: int | None,
    replace: bool,
    batch_size: int,
    fingerprint: bool,
) -> None:
    """Generate deterministic demo data (the same seed gives the same rows). Every generated
    name says "Contoh"; nothing generated is real."""
    from puja_indah.scale import generator, markers
    from puja_indah.seed import DEMO_PASSWORD

    plan = PLANS[size]
    if files_sample is not None:
        plan = dataclasses.replace(plan, files_sample=files_sample)
    audit.set_actor(audit.Actor(label="cli: scale generate"))
    with scoped(Scope.system("cli: scale generate"), db.session):
        try:
            outcome = generator.run(
                plan,
                seed,
                base_date.date(),
                replace=replace,
                year=year,
                batch_size=batch_size,
                echo=click.echo,
            )
        except generator.PlanRefused as refusal:
            db.session.rollback()
            click.echo(f"Refused: {refusal}", err=True)
            sys.exit(1)
        if db.session.get_bind().dialect.name == "postgresql":
            # Bulk writes leave the planner without statistics and the visibility map unset
            # until autovacuum (if it runs at all) catches up; without them it picks bad plans
            # (docs/BENCHMARKS.md: an 11 s innovation search) and counts cannot use index-only
            # scans. VACUUM refuses to run in a transaction, hence the autocommit connection.
            # Tables the connecting role does not own are skipped by PostgreSQL with a notice;
            # run `VACUUM ANALYZE` as the owner then.
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        digest = markers.fingerprint(db.session)[0] if fingerprint else ""
        db.session.rollback()
    click.echo(f"\nGenerated ({size}, seed {seed}, assessment year {outcome.year}):")
    for table, count in outcome.counts.items():
        click.echo(f"  {table:<32} {count:>12,}")
    click.echo(f"  {'total':<32} {sum(outcome.counts.values()):>12,}")
    click.echo(f"Elapsed: {outcome.seconds:.1f} s")
    if digest:
        click.echo(f"Fingerprint: {digest}")
    if outcome.accounts:
        click.echo(
            f"Region monitors of generated regions, e.g. {outcome.accounts[0]}"
            f" (password: {DEMO_PASSWORD})"
        )


@scale_cli.command("delete")
def delete() -> None:
    """Delete every generated row (and the generated evidence files)."""
    from puja_indah.scale import generator

    audit.set_actor(audit.Actor(label="cli: scale delete"))
    with scoped(Scope.system("cli: scale delete"), db.session):
        try:
            generator.check_schema()
        except generator.PlanRefused as refusal:
            click.echo(f"Refused: {refusal}", err=True)
            sys.exit(1)
        removed = generator.remove(click.echo)
        audit.append(
            db.session, action="scale_delete", object_type="ScaleRun", changes={"removed": removed}
        )
        db.session.commit()
    click.echo(f"Removed {sum(removed.values()):,} generated rows.")
