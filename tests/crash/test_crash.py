"""Crash safety: the server is killed with SIGKILL in the middle of a stream of writes, three
times, and restarted on the same database each time.

The server is a separate OS process (tests/crash/serve.py: the app with the test configuration,
a threaded werkzeug server) on the run's test database. Several client threads, each with its own
API token, create innovation drafts with unique names, add two milestones to each and rename it
(PATCH with If-Match), recording every write the server acknowledged (2xx with the new id and
ETag). After a seeded random moment the process is killed while requests are in flight. After
each restart:

- every acknowledged write is there with exactly the acknowledged content (innovation name and
  version, milestone title, progress and version); a rename that was in flight when the server
  died may or may not be there, but whole;
- no aggregate is half written: every innovation of the run (acknowledged or not) has the first
  stage change and the `create` audit entry the service writes in the same transaction, a renamed
  one its `update` entry; no milestone or stage change lacks its innovation; every audit entry of
  the run about an innovation, stage change or milestone names a row that exists;
- `flask audit verify` finds the hash chain intact;
- the server takes new writes.

Durability on a process kill: SQLite runs in WAL mode (web.py `_sqlite_pragmas`, checked here);
the app leaves `synchronous` at SQLite's default (FULL, 2, in the builds we use). With WAL, a
commit is written to the WAL file before COMMIT returns, so a killed process loses nothing it
acknowledged whatever `synchronous` is (the operating system still holds the written pages);
`synchronous=NORMAL` would lose the last transactions only on an operating-system crash or power
loss, which this suite does not simulate. PostgreSQL
(`synchronous_commit=on`, the default) flushes its WAL before COMMIT returns; a killed client
only aborts the transactions it had open.

No timing is asserted: the moments of the kills only vary what is in flight.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import secrets
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from puja_indah.core.audit import AuditEntry
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, StageChange
from puja_indah.progress.models import Milestone
from tests import wire
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import ROOT, TestDatabase, make_test_config
from tests.wire import Answer, last_audit_entry, read_as_system

SEED = int(os.environ.get("PUJA_CRASH_SEED", "20261129"))
KILLS = 3
CLIENTS = 4
MILESTONES = 2  # per innovation
TIMEOUT = 30  # seconds a client waits for an answer; a dead server answers at once (reset)
START_TIMEOUT = 60  # seconds for the server to listen and answer /sehat (two shared cores)
ACKS_BEFORE_KILL = 3  # acknowledged writes in a cycle before its kill may come
KILL_DELAY = (0.05, 0.8)  # seconds after that, drawn from the seeded generator


# --- the server process ---------------------------------------------------------------------------


def _server_env(database: TestDatabase) -> dict[str, str]:
    """The environment that makes the child's TestingConfig what make_test_config is here."""
    config = make_test_config(database)
    env = dict(os.environ)
    env.update(
        TEST_DATABASE_URL=config.SQLALCHEMY_DATABASE_URI,
        MIGRATION_DATABASE_URL=config.MIGRATION_DATABASE_URL,
        STORAGE_ROOT=config.STORAGE_ROOT,
        MAIL_OUTBOX=config.MAIL_OUTBOX,
        HUEY_SQLITE_PATH=config.HUEY_SQLITE_PATH,
        PUJA_ENV="testing",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    address: str

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


class Servers:
    """Starts server processes and kills whatever is still running at teardown. Every server of
    the test is spawned at once and builds its app (seconds of imports) while the ones before it
    take writes; each connects to the database only once started, after the kill before it
    (see serve.py)."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.standby: list[subprocess.Popen[bytes]] = []

    def prepare(self, count: int) -> None:
        self.standby += [self._spawn() for _ in range(count)]

    def _spawn(self) -> subprocess.Popen[bytes]:
        with (self.log_dir / f"server-{len(self.processes)}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.crash.serve"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,  # a Ctrl-C of the test run does not reach it first
            )
        self.processes.append(process)
        return process

    def start(self) -> Server:
        process = self.standby.pop(0) if self.standby else self._spawn()
        self._expect(process, "ready")
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        process.stdin.flush()
        port = self._expect(process, None)
        server = Server(process, f"127.0.0.1:{port}")
        self._wait_healthy(server)
        return server

    def _expect(self, process: subprocess.Popen[bytes], word: str | None) -> str:
        """The server's next line of output: `word`, or (None) a port number."""
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=START_TIMEOUT):
                raise AssertionError(f"the server said nothing; see {self.log_dir}")
        line = process.stdout.readline().decode().strip()
        if line != word and not (word is None and line.isdigit()):
            raise AssertionError(f"the server did not start ({line!r}); see {self.log_dir}")
        return line

    def _wait_healthy(self, server: Server) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if send(server.address, "GET", "/sehat", {}).status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            if server.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server never answered /sehat; see {self.log_dir}")
            time.sleep(0.1)

    def kill_all(self) -> None:
        for process in self.processes:
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                Server(process, "").kill()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):  # a pipe to a dead process
                        stream.close()


@pytest.fixture
def servers(app: Flask, test_database: TestDatabase, tmp_path: Path) -> Iterator[Servers]:
    started = Servers(_server_env(test_database), tmp_path)
    try:
        yield started
    finally:
        started.kill_all()


# --- HTTP -----------------------------------------------------------------------------------------


def send(
    address: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
) -> Answer:
    return wire.send(address, method, path, headers, body, timeout=TIMEOUT)


# --- what the clients were told -------------------------------------------------------------------


@dataclass
class Ledger:
    """Every acknowledged write, and the renames that were sent but never answered."""

    prefix: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    innovations: dict[int, tuple[str, int]] = field(default_factory=dict)  # id -> (name, version)
    in_flight: dict[int, tuple[str, int]] = field(default_factory=dict)  # unanswered renames
    milestones: dict[int, tuple[int, str, int, int]] = field(default_factory=dict)
    sent_names: set[str] = field(default_factory=set)
    acks: int = 0
    failures: list[str] = field(default_factory=list)

    def created(self, innovation_id: int, state: tuple[str, int]) -> None:
        with self.lock:
            self.innovations[innovation_id] = state
            self.acks += 1

    def added(self, milestone_id: int, row: tuple[int, str, int, int]) -> None:
        with self.lock:
            self.milestones[milestone_id] = row
            self.acks += 1

    def renaming(self, innovation_id: int, state: tuple[str, int]) -> None:
        with self.lock:
            self.in_flight[innovation_id] = state

    def renamed(self, innovation_id: int) -> None:
        with self.lock:
            self.innovations[innovation_id] = self.in_flight.pop(innovation_id)
            self.acks += 1


def _client(
    address: str,
    headers: dict[str, str],
    ledger: Ledger,
    label: str,
    killing: threading.Event,
) -> None:
    """Write until the server dies: create a draft, add milestones, rename it; again."""

    def write(method: str, path: str, body: dict[str, Any], **extra: str) -> Answer | None:
        try:
            return send(address, method, path, headers | extra, body)
        except (OSError, http.client.HTTPException) as error:
            if not killing.is_set():
                ledger.failures.append(f"{method} {path}: {error!r} before the kill")
            return None

    def refused(answer: Answer, expected: int) -> bool:
        if answer.status == expected:
            return False
        ledger.failures.append(f"{answer.status}: {answer.body[:500]!r}")
        return True

    for n in range(10_000):
        name = f"{ledger.prefix} {label}-{n}"
        with ledger.lock:
            ledger.sent_names.update((name, f"{name} v2"))
        created = write("POST", "/api/v1/innovations", {"name": name})
        if created is None or refused(created, 201):
            return
        innovation_id = int(created.json()["id"])
        version = created.version
        if created.json()["name"] != name or version != 1:
            ledger.failures.append(f"created {innovation_id} answered {created.json()!r}")
            return
        ledger.created(innovation_id, (name, version))

        for k in range(MILESTONES):
            title, progress = f"{name} m{k}", 10 * (k + 1)
            body = {"title": title, "progress": progress}
            added = write("POST", f"/api/v1/innovations/{innovation_id}/milestones", body)
            if added is None or refused(added, 201):
                return
            ledger.added(int(added.json()["id"]), (innovation_id, title, progress, added.version))

        renamed = (f"{name} v2", version + 1)
        ledger.renaming(innovation_id, renamed)
        answer = write(
            "PATCH",
            f"/api/v1/innovations/{innovation_id}",
            {"name": renamed[0]},
            **{"If-Match": f'"{version}"'},
        )
        if answer is None or refused(answer, 200):
            return
        if (answer.json()["name"], answer.version) != renamed:
            ledger.failures.append(f"rename of {innovation_id} answered {answer.json()!r}")
            return
        ledger.renamed(innovation_id)


def _drive_and_kill(
    server: Server, tokens: list[dict[str, str]], ledger: Ledger, cycle: int, rng: random.Random
) -> None:
    killing = threading.Event()
    threads = [
        threading.Thread(
            target=_client,
            args=(server.address, tokens[i], ledger, f"{cycle}.{i}", killing),
            name=f"crash-client-{i}",
            daemon=True,
        )
        for i in range(CLIENTS)
    ]
    start_acks = ledger.acks
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while ledger.acks - start_acks < ACKS_BEFORE_KILL and not ledger.failures:
        assert time.monotonic() < deadline, "the clients' writes were never acknowledged"
        time.sleep(0.01)
    time.sleep(rng.uniform(*KILL_DELAY))
    killing.set()
    server.kill()  # SIGKILL, with the clients' requests in flight
    for thread in threads:
        thread.join(timeout=TIMEOUT + 10)
        assert not thread.is_alive(), "a client hung after the kill"
    assert not ledger.failures, ledger.failures


# --- what the database holds ----------------------------------------------------------------------


def _read(app: Flask, what: Callable[[], Any]) -> Any:
    return read_as_system(app, what, "tests: crash")


def _check_database(app: Flask, ledger: Ledger, first_entry: int) -> None:
    def read() -> None:
        session = db.session
        like = f"{ledger.prefix} %"
        stored = {
            row.id: row
            for row in session.scalars(sa.select(Innovation).where(Innovation.name.like(like)))
        }
        # Every acknowledged innovation, exactly as acknowledged (or with its unanswered rename).
        for innovation_id, acked in ledger.innovations.items():
            row = stored.get(innovation_id)
            assert row is not None, f"acknowledged innovation {innovation_id} {acked} is lost"
            allowed = {acked}
            if innovation_id in ledger.in_flight:
                allowed.add(ledger.in_flight[innovation_id])
            assert (row.name, row.version) in allowed, (innovation_id, row.name, row.version)

        milestones = {
            m.id: m
            for m in session.scalars(
                sa.select(Milestone).where(Milestone.innovation_id.in_(list(stored) or [0]))
            )
        }
        for milestone_id, (innovation_id, title, progress, version) in ledger.milestones.items():
            m = milestones.get(milestone_id)
            assert m is not None, f"acknowledged milestone {milestone_id} ({title}) is lost"
            assert (m.innovation_id, m.title, m.progress, m.version) == (
                innovation_id,
                title,
                progress,
                version,
            )

        entries = session.execute(
            sa.select(AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id).where(
                AuditEntry.id >= first_entry,
                AuditEntry.object_type.in_(("Innovation", "StageChange", "Milestone")),
            )
        ).all()
        trail = {(action, kind, object_id) for action, kind, object_id in entries}

        # Every innovation of the run, acknowledged or not, is whole.
        first_changes = dict(
            session.execute(
                sa.select(StageChange.innovation_id, sa.func.count())
                .where(
                    StageChange.innovation_id.in_(list(stored) or [0]),
                    StageChange.from_stage.is_(None),
                )
                .group_by(StageChange.innovation_id)
            ).all()
        )
        for innovation_id, row in stored.items():
            assert row.name in ledger.sent_names, row.name
            assert row.version == (2 if row.name.endswith(" v2") else 1), (row.name, row.version)
            assert first_changes.get(innovation_id) == 1, f"innovation {innovation_id}: stages"
            assert ("create", "Innovation", str(innovation_id)) in trail, innovation_id
            if row.version == 2:
                assert ("update", "Innovation", str(innovation_id)) in trail, innovation_id
        for milestone_id in milestones:
            assert ("create", "Milestone", str(milestone_id)) in trail, milestone_id

        # Nothing hangs off a missing innovation, and the trail names only rows that exist.
        innovation_ids = sa.select(Innovation.id)
        for model in (Milestone, StageChange):
            orphans = session.scalar(
                sa.select(sa.func.count())
                .select_from(model)
                .where(model.innovation_id.not_in(innovation_ids))
            )
            assert orphans == 0, f"{model.__name__} rows without their innovation"
        models: dict[str, Any] = {
            "Innovation": Innovation,
            "StageChange": StageChange,
            "Milestone": Milestone,
        }
        for _action, kind, object_id in trail:
            assert session.get(models[kind], int(object_id)) is not None, (kind, object_id)

    _read(app, read)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def _check_wal(app: Flask, database: TestDatabase) -> None:
    if database.backend != "sqlite":
        return
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


# --- the test -------------------------------------------------------------------------------------


def test_acknowledged_writes_survive_three_kills(
    app: Flask, test_database: TestDatabase, servers: Servers, api_token: TokenMaker
) -> None:
    rng = random.Random(SEED)
    _check_wal(app, test_database)
    tokens = [bearer(api_token("officer.bkd", "write")) for _ in range(CLIENTS)]
    ledger = Ledger(prefix=f"Crash {secrets.token_hex(3)}")
    first_entry = last_audit_entry(app) + 1

    servers.prepare(KILLS + 1)
    server = servers.start()
    for cycle in range(KILLS):
        _drive_and_kill(server, tokens, ledger, cycle, rng)
        server = servers.start()  # the restart, on the same database
        _check_database(app, ledger, first_entry)

    assert len(ledger.innovations) >= KILLS and ledger.milestones
    # The restarted server serves normally: a new write, read back.
    name = f"{ledger.prefix} after"
    created = send(server.address, "POST", "/api/v1/innovations", tokens[0], {"name": name})
    assert created.status == 201, created.body
    path = f"/api/v1/innovations/{created.json()['id']}"
    body = {"title": "after the crashes", "progress": 50}
    added = send(server.address, "POST", f"{path}/milestones", tokens[0], body)
    assert added.status == 201, added.body
    read = send(server.address, "GET", path, tokens[0])
    assert read.status == 200 and read.json()["name"] == name and read.version == 1
