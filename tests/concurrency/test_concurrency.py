"""Concurrency: many clients writing the same record at the same moment, through a real
multi-threaded server (werkzeug, threaded) over real HTTP, on the test database (SQLite in WAL
mode or PostgreSQL). Each client has its own connection; a `threading.Barrier` releases their
writes together so they really collide.

- 20 clients PATCH one innovation with the ETag they all read: exactly one wins, every other is
  412 `stale_version`; the stored profile is the winner's, its version moved by one and the audit
  trail holds one update. Then each loser re-reads and retries until it wins: all 20 changes are
  applied, version + 20, and each client's value is in the trail (no lost update).
- 20 clients advance one e-tracking file with the same If-Match (API) or the same
  `seen_sequence` (the desk's form): it moves exactly one stage, with one new stage event.
- No answer is a 5xx (a locked SQLite database or a PostgreSQL serialization failure must not
  surface as a crash), and every refusal of the API is a problem document with `code` and
  `detail`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from puja_indah import create_app
from puja_indah.core.audit import AuditEntry
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation
from puja_indah.modules.etracking.models import FileEvent, TrackedFile
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import Demo, TestDatabase, make_test_config
from tests.tenancy.route_matrix import _matrix_tracked_file
from tests.wire import Answer, last_audit_entry, read_as_system, send

CLIENTS = 20
TIMEOUT = 60  # seconds a client waits for an answer (two shared cores, 20 writers)
PROBLEM = "application/problem+json"
DESK = "/m/etracking/files"  # the e-tracking module's desk pages


@pytest.fixture(scope="module")
def server(app: Flask, test_database: TestDatabase) -> Iterator[str]:
    """`host:port` of a second app on the test database, served by a threaded werkzeug server
    (as tests/e2e's live server, with the test config's CSRF off for the desk's form)."""
    served = create_app(make_test_config(test_database))
    httpd = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="concurrency-server", daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        with served.app_context():
            db.engine.dispose()


def request(
    address: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
) -> Answer:
    return send(address, method, path, headers, body, form=form, timeout=TIMEOUT)


def all_at_once(work: Callable[[int, threading.Barrier], Answer]) -> list[Answer]:
    """Run `work(i, barrier)` for every client in its own thread; each waits at the barrier
    right before its write, so the writes leave together."""
    barrier = threading.Barrier(CLIENTS, timeout=TIMEOUT)
    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(lambda i: work(i, barrier), range(CLIENTS)))


def assert_explained(answer: Answer) -> None:
    """A refusal of the API: a problem document with a code and a detail, never a crash."""
    assert answer.status < 500, answer.body.decode(errors="replace")[:2000]
    assert answer.headers.get("content-type", "").startswith(PROBLEM), answer.headers
    problem = answer.json()
    assert problem.get("code") and problem.get("detail"), problem


def no_crash(answers: list[Answer]) -> None:
    crashes = [
        (a.status, a.body.decode(errors="replace")[:500]) for a in answers if a.status >= 500
    ]
    assert not crashes, crashes


@pytest.fixture
def officers(api_token: TokenMaker) -> list[dict[str, str]]:
    """One write token per client (each its own connection and credentials)."""
    return [bearer(api_token("officer.bkd", "write")) for _ in range(CLIENTS)]


def _read(app: Flask, what: Callable[[], Any]) -> Any:
    return read_as_system(app, what, "tests: concurrency")


def _innovation(app: Flask, innovation_id: int) -> tuple[str, int]:
    def read() -> tuple[str, int]:
        row = db.session.get(Innovation, innovation_id)
        assert row is not None
        return row.goals, row.version

    return _read(app, read)


def _updates_since(app: Flask, innovation_id: int, after_entry: int) -> list[dict[str, Any]]:
    """The trail's update entries of the innovation after entry `after_entry`, oldest first."""

    def read() -> list[dict[str, Any]]:
        query = (
            sa.select(AuditEntry.changes)
            .where(
                AuditEntry.id > after_entry,
                AuditEntry.action == "update",
                AuditEntry.object_type == "Innovation",
                AuditEntry.object_id == str(innovation_id),
            )
            .order_by(AuditEntry.id)
        )
        return [dict(changes) for changes in db.session.scalars(query)]

    return _read(app, read)


def test_twenty_clients_edit_one_innovation(
    app: Flask, server: str, officers: list[dict[str, str]]
) -> None:
    created = request(server, "POST", "/api/v1/innovations", officers[0], {"name": "Rebutan"})
    assert created.status == 201, created.body
    path = f"/api/v1/innovations/{created.json()['id']}"
    innovation_id = created.json()["id"]
    _goals, start = _innovation(app, innovation_id)
    entry_before = last_audit_entry(app)

    def edit(i: int, barrier: threading.Barrier) -> Answer:
        read = request(server, "GET", path, officers[i])
        assert read.status == 200, read.body
        barrier.wait()
        return request(
            server, "PATCH", path, officers[i] | {"If-Match": read.etag}, {"goals": f"client {i}"}
        )

    answers = all_at_once(edit)
    no_crash(answers)
    winners = [i for i, a in enumerate(answers) if a.status == 200]
    assert len(winners) == 1, [a.status for a in answers]
    (winner,) = winners
    for answer in answers:
        if answer.status != 200:
            assert answer.status == 412, answer.body
            assert_explained(answer)
            assert answer.json()["code"] == "stale_version"
            assert answer.etag == f'"{start + 1}"'
    assert answers[winner].json()["goals"] == f"client {winner}"
    assert _innovation(app, innovation_id) == (f"client {winner}", start + 1)
    updates = _updates_since(app, innovation_id, entry_before)
    assert len(updates) == 1 and updates[0]["goals"]["after"] == f"client {winner}"

    # Round two: every loser re-reads and retries until its change is applied.
    losers = [i for i in range(CLIENTS) if i != winner]

    def retry(i: int, barrier: threading.Barrier) -> Answer:
        barrier.wait()
        if i == winner:
            return answers[winner]
        for _attempt in range(CLIENTS * 3):
            read = request(server, "GET", path, officers[i])
            assert read.status == 200, read.body
            answer = request(
                server,
                "PATCH",
                path,
                officers[i] | {"If-Match": read.etag},
                {"goals": f"again {i}"},
            )
            if answer.status != 412:
                return answer
            assert_explained(answer)
        raise AssertionError(f"client {i} never got its change in")

    retried = all_at_once(retry)
    no_crash(retried)
    assert [a.status for a in retried] == [200] * CLIENTS, [a.body[:300] for a in retried]
    goals, version = _innovation(app, innovation_id)
    assert version == start + CLIENTS
    updates = _updates_since(app, innovation_id, entry_before)
    assert len(updates) == CLIENTS
    history = [u["goals"]["after"] for u in updates]
    assert sorted(history[1:]) == sorted(f"again {i}" for i in losers)
    assert goals == history[-1]
    # Each change started from the one before it: no write overwrote one it had not seen.
    assert [u["goals"]["before"] for u in updates[1:]] == history[:-1]


def _file(app: Flask, tracked_id: int) -> tuple[str, int, list[int]]:
    """(stage code, last sequence, event sequences) as the database has them."""

    def read() -> tuple[str, int, list[int]]:
        tracked = db.session.get(TrackedFile, tracked_id)
        assert tracked is not None
        sequences = db.session.scalars(
            sa.select(FileEvent.sequence)
            .where(FileEvent.file_id == tracked_id)
            .order_by(FileEvent.sequence)
        ).all()
        return tracked.stage.code, tracked.last_sequence, list(sequences)

    return _read(app, read)


def _new_file(app: Flask, demo: Demo) -> tuple[int, str]:
    """A fresh open file at BKD's desk, and the code of the stage after its first."""

    def make() -> tuple[int, str]:
        tracked = _matrix_tracked_file(demo.agency("BKD"))
        stages = sorted(tracked.version.stages, key=lambda s: s.position)
        following = next(s for s in stages if s.position > tracked.stage.position)
        return tracked.id, following.code

    return _read(app, make)


def _moved_once(app: Flask, tracked_id: int, before: tuple[str, int, list[int]], to: str) -> None:
    stage, sequence, events = _file(app, tracked_id)
    assert stage == to
    assert sequence == before[1] + 1
    assert events == [*before[2], before[1] + 1]  # one new event; sequences unique


def test_twenty_clients_advance_one_file_through_the_api(
    app: Flask, server: str, demo: Demo, officers: list[dict[str, str]]
) -> None:
    tracked_id, next_stage = _new_file(app, demo)
    before = _file(app, tracked_id)
    path = f"/api/v1/etracking/files/{tracked_id}"
    etag = request(server, "GET", path, officers[0]).etag

    def advance(i: int, barrier: threading.Barrier) -> Answer:
        barrier.wait()
        return request(
            server,
            "POST",
            f"{path}/actions",
            officers[i] | {"If-Match": etag},
            {"action": "advance"},
        )

    answers = all_at_once(advance)
    no_crash(answers)
    assert [a.status for a in answers].count(200) == 1, [a.status for a in answers]
    for answer in answers:
        if answer.status != 200:
            assert answer.status in (409, 412), answer.body
            assert_explained(answer)
            assert answer.json()["code"] in ("stale_version", "action_not_possible")
    _moved_once(app, tracked_id, before, next_stage)


def test_twenty_clerks_advance_one_file_through_the_desk_form(
    app: Flask, server: str, demo: Demo, login: Callable[..., FlaskClient]
) -> None:
    tracked_id, next_stage = _new_file(app, demo)
    before = _file(app, tracked_id)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    cookies = []
    for _ in range(CLIENTS):
        signed_in = login("officer.bkd").get_cookie(cookie_name)
        assert signed_in is not None
        cookies.append({"Cookie": f"{cookie_name}={signed_in.value}"})
    form = {"action": "advance", "seen_sequence": before[1], "reason": ""}

    def advance(i: int, barrier: threading.Barrier) -> Answer:
        page = request(server, "GET", f"{DESK}/{tracked_id}", cookies[i])
        assert page.status == 200, page.status
        barrier.wait()
        return request(server, "POST", f"{DESK}/{tracked_id}/act", cookies[i], form=form)

    answers = all_at_once(advance)
    no_crash(answers)
    statuses = [a.status for a in answers]
    assert statuses.count(302) == 1, statuses
    for answer in answers:
        if answer.status != 302:
            # The clerk sees the file as it is now, with the reason the step was refused.
            assert answer.status == 200, answer.status
            assert b'data-testid="refusal"' in answer.body
    _moved_once(app, tracked_id, before, next_stage)
