"""The benchmark's own code end to end at demo scale (bench/, docs/BENCHMARKS.md): sign-in
through the form, an API token through /akun/token, the statement counter over every measured
page, the load loop on one page, all in-process, and `--app-role` (on PostgreSQL). Speed is
reported by the bench, never asserted here."""

from __future__ import annotations

import sys

import pytest
import sqlalchemy as sa
from flask import Flask

from bench import load, role
from bench.__main__ import main
from bench.client import FlaskTransport
from bench.pages import find_targets, pages, sessions
from bench.statements import count_pages
from tests.conftest import BACKEND, TestDatabase


def test_statement_counter_covers_every_page(app: Flask, test_database: TestDatabase) -> None:
    targets = find_targets(test_database.owner_url)
    counts = count_pages(app, targets)

    assert set(counts) == {page.key for page in pages(targets)}
    assert {count.status for count in counts.values()} == {200}
    assert counts["health"].fresh == counts["health"].kept == 0  # the bare route reads nothing
    assert all(count.fresh > 0 for key, count in counts.items() if key != "health")
    # Kept answers still read the data version (the public page at most once a second).
    assert all(
        count.kept < count.fresh for key, count in counts.items() if key in {"board", "status"}
    )


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


@pytest.mark.parametrize(
    ("url", "name", "expected"),
    [
        ("sqlite:////tmp/bench.sqlite3", "puja_app", "--app-role needs PostgreSQL"),
        ("postgresql+psycopg://postgres@127.0.0.1/puja", "Puja-App", "use lower-case letters"),
        ("postgresql+psycopg://puja_app@127.0.0.1/puja", "puja_app", "the URL's own user"),
    ],
)
def test_app_role_refused_before_anything_runs(
    url: str,
    name: str,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "argv", ["bench", "--small", url, "--app-role", name])

    with pytest.raises(SystemExit) as stopped:
        main()

    assert stopped.value.code == 2
    assert expected in capsys.readouterr().err


@pytest.mark.skipif(BACKEND != "postgresql", reason="roles and row-level security are PostgreSQL's")
def test_app_role_is_granted_and_reported(
    app: Flask, test_database: TestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test run's own application role: it exists, so this runs the grant command as the
    # owner (harmless when repeated) without needing the right to create roles.
    monkeypatch.setenv("PUJA_INSTANCE_PATH", str(test_database.instance))
    app_role = sa.make_url(test_database.app_url).username or ""

    url, done = role.prepare(test_database.owner_url, app_role)

    assert url == test_database.app_url
    assert done.startswith(f"role {app_role} existed, granted by ")
    assert role.connection_note(url).startswith(
        f"app connects as {app_role}: row-level security applies ("
    )
    owner = sa.make_url(test_database.owner_url).username
    assert role.connection_note(test_database.owner_url).startswith(
        f"app connects as {owner}: row-level security bypassed (owns "
    )
