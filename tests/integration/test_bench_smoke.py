"""The benchmark's own code end to end at demo scale (bench/, docs/BENCHMARKS.md): sign-in
through the form, an API token through /akun/token, the statement counter over every measured
page, and the load loop on one page, all in-process. Speed is reported by the bench, never
asserted here."""

from __future__ import annotations

from flask import Flask

from bench import load
from bench.client import FlaskTransport
from bench.pages import find_targets, pages, sessions
from bench.statements import count_pages
from tests.conftest import TestDatabase


def test_statement_counter_covers_every_page(app: Flask, test_database: TestDatabase) -> None:
    targets = find_targets(test_database.owner_url)
    counts = count_pages(app, targets)

    assert set(counts) == {page.key for page in pages(targets)}
    assert {status for _count, status in counts.values()} == {200}
    assert counts["health"][0] == 0  # the bare route reads nothing
    assert all(count > 0 for key, (count, _s) in counts.items() if key != "health")


def test_load_loop_on_the_public_status_page(app: Flask, test_database: TestDatabase) -> None:
    targets = find_targets(test_database.owner_url)
    status_page = next(page for page in pages(targets) if page.key == "status")
    anonymous = sessions(FlaskTransport(app), targets)[""]

    result = load.run(
        "status",
        lambda number: anonymous.get(status_page.path, load.client_address(number)),
        requests=6,
        concurrency=2,
    )

    assert result.requests == 6
    assert result.statuses == {200: 6}
    assert result.p95_ms >= result.p50_ms > 0
