"""`flask jobs worker`: run the queue's consumer in this process, with this app."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

from puja_indah.jobs import huey, set_worker_app

jobs_cli = AppGroup("jobs", help="The background job queue (huey).")


@jobs_cli.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="Worker threads.")
def worker(workers: int) -> None:
    """Run the consumer until interrupted (Ctrl-C or SIGTERM finishes the running tasks)."""
    if huey.immediate:
        click.echo("HUEY_IMMEDIATE is on: tasks run inline, there is nothing to consume.", err=True)
        raise SystemExit(2)
    set_worker_app(current_app._get_current_object())  # type: ignore[attr-defined]
    storage = type(huey.storage).__name__
    click.echo(f"Job worker: {workers} thread(s), {storage}.")
    # The consumer reports each task (run, retried, failed) through logging, as huey_consumer does.
    logging.basicConfig(
        level=logging.INFO, format="[%(asctime)s] %(levelname)s:%(name)s:%(message)s"
    )
    huey.create_consumer(workers=workers, worker_type="thread").run()


@jobs_cli.command("pending")
def pending() -> None:
    """How many tasks wait in the queue and in the schedule (retries wait there)."""
    click.echo(f"queued: {huey.pending_count()}  scheduled: {huey.scheduled_count()}")
