"""`flask reports purge-expired`: delete expired export files and their job rows, and mark failed
the jobs whose worker died (the job queue's housekeeping task does both every 10 minutes; the
command is for a machine without a running worker — safe to run at any time)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from puja_indah.core.db import utcnow
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.reports import services

reports_cli = AppGroup("reports", help="Reports and exports.")


@reports_cli.command("purge-expired")
def purge_expired() -> None:
    """Remove every export whose download has expired: its stored file, then its row."""
    with scoped(Scope.system("cli: purge expired exports"), db.session):
        stalled = services.fail_stalled(utcnow())
        files, rows = services.purge_expired()
        db.session.commit()
    click.echo(f"Expired exports removed: {rows} job(s), {files} file(s).")
    if stalled:
        click.echo(f"Interrupted exports marked failed: {stalled}.")
