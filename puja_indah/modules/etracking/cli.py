"""`flask etracking …` commands. Each runs in an explicit, named system scope and commits once.

Registered by `register_cli` in puja_indah/cli.py.
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from puja_indah.core import audit
from puja_indah.core.models import Agency, Region
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

etracking_cli = AppGroup("etracking", help="The e-tracking desks.")


@etracking_cli.command("demo-files")
@click.option("--agency", "agency_code", required=True, help="The desk agency's code, e.g. BKD.")
@click.option("--region", "region_code", default="74.06", show_default=True)
@click.option("--count", default=60, show_default=True, type=click.IntRange(1, 5000))
@click.option("--seed", default=1, show_default=True, type=int)
def demo_files(agency_code: str, region_code: str, count: int, seed: int) -> None:
    """Create COUNT demo files (internal numbers DEMO/…) with stage histories over the past
    12 months at each process of the agency's desk. The same seed twice makes nothing new."""
    from puja_indah.core.registry import is_enabled
    from puja_indah.modules.etracking import demo_files as generator

    audit.set_actor(audit.Actor(label="cli: etracking demo-files"))
    with force_locale("en"), scoped(Scope.system("cli: etracking demo-files"), db.session):
        agency = db.session.scalar(
            select(Agency)
            .join(Region, Agency.region_id == Region.id)
            .where(Agency.code == agency_code, Region.code == region_code)
        )
        if agency is None or not is_enabled("etracking", agency.id):
            click.echo(f"No agency {agency_code} in {region_code} runs e-tracking.", err=True)
            sys.exit(1)
        made = generator.generate(agency.id, count, seed)
        db.session.commit()
    click.echo(f"Demo files created at {agency_code}: {made}.")
