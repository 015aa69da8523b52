"""`flask board send-digest`: mail this week's digest to every region monitor now."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from puja_indah.board import digest
from puja_indah.core.clock import today_wita

board_cli = AppGroup("board", help="The progress board and the monitors' digest.")


@board_cli.command("send-digest")
@click.option("--today", default="", help="The day to report on (YYYY-MM-DD); default today.")
def send_digest(today: str) -> None:
    """Send the weekly digest to the monitors not yet mailed this ISO week (idempotent)."""
    try:
        day = date.fromisoformat(today) if today else today_wita()
    except ValueError as error:
        raise click.BadParameter("write the day as YYYY-MM-DD", param_hint="--today") from error
    sent = digest.send_digests(day)
    click.echo(f"Digest sent to {sent} monitor(s) for week {digest.iso_week(day)}.")
