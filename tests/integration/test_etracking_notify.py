"""E-mail to the submitting agency when its file changes stage (issue 4, point 10): the queue is
chosen from the config, mail goes out only after the step commits, only to subscribers of the
submitting agency, and a failing SMTP server is retried through a real (SQLite) huey queue."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

import config as app_config
from puja_indah import jobs
from puja_indah.core.models import Role
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking import notify
from puja_indah.modules.etracking.engine import EngineRefused
from puja_indah.modules.etracking.models import FileAction
from puja_indah.modules.etracking.notify_models import (
    FileSubscription,
    Notification,
    NotificationStatus,
)
from tests.conftest import Demo
from tests.integration.test_etracking_submitted import make_file, step


@pytest.fixture
def outbox(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(folder))
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    return folder


def mails(folder: Path) -> list[Any]:
    if not folder.exists():
        return []
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def subscribe(client: FlaskClient, file_id: int, on: bool = True) -> int:
    data = {"on": "y"} if on else {}
    return client.post(f"/kiriman/{file_id}/notifikasi", data=data).status_code


def notifications(app: Flask) -> list[tuple[int, int, NotificationStatus, int]]:
    with app.app_context(), scoped(Scope.system("tests: read notifications"), db.session):
        rows = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
        result = [(n.event_id, n.user_id, n.status, n.attempts) for n in rows]
        db.session.remove()
    return result


# --- the queue follows the config ----------------------------------------------------------------


def test_the_queue_is_chosen_from_the_config(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_path = tmp_path / "q" / "jobs.sqlite3"
    storage, kwargs = jobs.storage_for({"HUEY_REDIS_URL": "", "HUEY_SQLITE_PATH": sqlite_path})
    assert storage is SqliteStorage and kwargs == {"filename": str(sqlite_path)}
    assert sqlite_path.parent.is_dir()
    storage, kwargs = jobs.storage_for(
        {"HUEY_REDIS_URL": "redis://cache:6379/2", "HUEY_SQLITE_PATH": sqlite_path}
    )
    assert storage is RedisStorage and kwargs == {"url": "redis://cache:6379/2"}

    # Defaults: SQLite in the instance folder; the tests run tasks inline.
    monkeypatch.delenv("HUEY_REDIS_URL", raising=False)
    monkeypatch.delenv("HUEY_SQLITE_PATH", raising=False)
    monkeypatch.setenv("PUJA_INSTANCE_PATH", str(tmp_path / "instance"))
    defaults = app_config.Config()
    assert defaults.HUEY_REDIS_URL == ""
    assert str(tmp_path / "instance" / "jobs.sqlite3") == defaults.HUEY_SQLITE_PATH
    assert str(tmp_path / "instance" / "outbox") == defaults.MAIL_OUTBOX
    assert app_config.TestingConfig().HUEY_IMMEDIATE is True
    assert jobs.huey.immediate and isinstance(jobs.huey.storage, MemoryStorage)

    # A configured instance really gets that storage (Redis connects lazily: no server needed).
    other = jobs.AppHuey("config-check", storage_class=MemoryStorage)
    other.configure(RedisStorage, immediate=False, url="redis://127.0.0.1:1/0")
    assert isinstance(other.storage, RedisStorage)
    other.configure(SqliteStorage, immediate=False, filename=str(sqlite_path))
    assert isinstance(other.storage, SqliteStorage) and sqlite_path.exists()


# --- who gets mail, and when ---------------------------------------------------------------------


def test_a_committed_step_mails_each_subscriber_of_the_submitting_agency_once(
    app: Flask, demo: Demo, login: Callable[..., FlaskClient], outbox: Path
) -> None:
    file_id = make_file(app, demo, "DPMPTSP", "SPM-LS/0099/2026")
    submitter = login("officer.dpmptsp")
    assert subscribe(submitter, file_id) == 302
    assert subscribe(submitter, file_id) == 302  # twice is still one subscription
    page = submitter.get(f"/kiriman/{file_id}").get_data(as_text=True)
    assert "Anda menerima email saat berkas ini pindah tahap." in page
    # A subscription row that is not the submitting agency's (written behind the app's back)
    # must never receive anything.
    with app.app_context(), scoped(Scope.system("tests: stray row"), db.session):
        db.session.add(
            FileSubscription(
                agency_id=demo.agency("BKD"), file_id=file_id, user_id=demo.users["officer.bkd"]
            )
        )
        db.session.commit()
        db.session.remove()

    event_id = step(app, file_id, FileAction.ADVANCE)

    sent = mails(outbox)
    assert len(sent) == 1
    message = sent[0]
    assert message["To"] == "officer.dpmptsp@demo.pujaindah.id"
    # A long subject is folded onto a second header line; the parser keeps the fold's space.
    assert (
        str(message["Subject"]).strip()
        == "[PUJA INDAH] SPM-LS/0099/2026: Pemeriksaan kelengkapan (sedang diproses)"
    )
    body = message.get_content()
    assert "Pencairan anggaran (SPM → SP2D)" in body
    assert "SPM Langsung (LS)" in body
    assert "Sekarang di: Pemeriksaan kelengkapan (sedang diproses)" in body
    assert "WITA" in body
    assert f"/kiriman/{file_id}" in body
    assert "125.000.000" not in body and "125000000" not in body  # no amount in a mail
    assert notifications(app) == [
        (event_id, demo.users["officer.dpmptsp"], NotificationStatus.SENT, 1)
    ]

    # The same step notified again (a repeated job) mails nobody twice.
    with app.app_context():
        assert notify.notify_step.call_local(event_id) == 0
    assert len(mails(outbox)) == 1

    # Unsubscribed: the next step mails nobody.
    assert subscribe(submitter, file_id, on=False) == 302
    step(app, file_id, FileAction.ADVANCE)
    assert len(mails(outbox)) == 1


def test_only_after_commit_and_a_rolled_back_step_sends_nothing(
    app: Flask, demo: Demo, login: Callable[..., FlaskClient], outbox: Path
) -> None:
    file_id = make_file(app, demo, "DPMPTSP", "SPM-LS/0100/2026")
    assert subscribe(login("officer.dpmptsp"), file_id) == 302

    step(app, file_id, FileAction.ADVANCE, commit=False)
    assert mails(outbox) == []
    # Nothing left behind either: the next commit of the same session sends nothing.
    with app.test_request_context():
        db.session.commit()
    assert mails(outbox) == []

    # Flushed but not yet committed: still nothing; the commit sends it.
    from puja_indah.modules.etracking import engine
    from puja_indah.modules.etracking.models import TrackedFile

    scope = Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), None)
    with app.test_request_context(), scoped(scope, db.session):
        tracked = db.session.get(TrackedFile, file_id)
        assert tracked is not None
        engine.act(scope, tracked, FileAction.ADVANCE, tracked.last_sequence, None)
        assert mails(outbox) == []
        db.session.commit()
        assert len(mails(outbox)) == 1
        db.session.remove()

    # A refused step (stale screen) changes nothing and mails nobody.
    with app.test_request_context(), scoped(scope, db.session):
        tracked = db.session.get(TrackedFile, file_id)
        assert tracked is not None
        with pytest.raises(EngineRefused):
            engine.act(scope, tracked, FileAction.ADVANCE, tracked.last_sequence - 1, None)
        db.session.rollback()
        db.session.remove()
    assert len(mails(outbox)) == 1


def test_another_agency_cannot_subscribe_to_a_file_it_did_not_submit(
    app: Flask, demo: Demo, login: Callable[..., FlaskClient], outbox: Path, table_counts: Any
) -> None:
    file_id = make_file(app, demo, "DPMPTSP", "SPM-LS/0101/2026")
    clients = [login(a) for a in ("officer.bkd", "lead.bkd", "officer.konsel", "monitor")]
    before = table_counts()
    # BKD is the desk, not the submitter; Konsel is another region altogether.
    assert [subscribe(c, file_id) for c in clients] == [404, 404, 404, 403]
    assert table_counts() == before
    bkd = Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), None)
    with app.test_request_context(), scoped(bkd, db.session):
        with pytest.raises(EngineRefused):
            notify.set_subscription(bkd, file_id, demo.users["officer.bkd"], on=True)
        db.session.rollback()
        db.session.remove()
    step(app, file_id, FileAction.ADVANCE)
    assert mails(outbox) == []


def test_a_closed_file_offers_no_subscription_and_refuses_one(
    app: Flask, demo: Demo, login: Callable[..., FlaskClient], outbox: Path, table_counts: Any
) -> None:
    file_id = make_file(app, demo, "DPMPTSP", "SPM-LS/0102/2026")
    step(app, file_id, FileAction.REJECT, reason="Lampiran SPJ tidak lengkap")
    officer = login("officer.dpmptsp")
    page = officer.get(f"/kiriman/{file_id}").get_data(as_text=True)
    assert f"/kiriman/{file_id}/notifikasi" not in page
    before = table_counts()
    answer = officer.post(f"/kiriman/{file_id}/notifikasi", data={"on": "y"}, follow_redirects=True)
    assert "Berkas ini sudah ditutup" in answer.get_data(as_text=True)
    assert table_counts() == before


# --- a real queue: persistence and retries -------------------------------------------------------


class FlakySMTP:
    """Stands in for smtplib.SMTP: refuses the first `failures` connections, then accepts."""

    failures = 0
    attempts = 0
    delivered: list[Any] = []  # noqa: RUF012 - a test double's shared log

    def __init__(self, host: str, port: int, timeout: float = 0) -> None:
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise ConnectionRefusedError(f"{host}:{port} refused the connection")

    def __enter__(self) -> FlakySMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def starttls(self) -> None:
        return None

    def login(self, user: str, password: str) -> None:
        return None

    def send_message(self, message: Any) -> None:
        type(self).delivered.append(message)


@pytest.fixture
def sqlite_queue(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """The app's huey on a real SQLite queue file (as in production without Redis), not
    immediate; restored afterwards."""
    path = tmp_path / "jobs.sqlite3"
    jobs.huey.configure(SqliteStorage, immediate=False, filename=str(path))
    try:
        yield path
    finally:
        jobs.init_app(app)
        jobs.set_worker_app(None)  # type: ignore[arg-type]


def _run_ready(ahead: timedelta = timedelta(0)) -> int:
    """What a consumer does: run every queued task, then every scheduled one that is due at
    now + `ahead`. Returns how many tasks ran."""
    ran = 0
    moment = datetime.now(UTC).replace(tzinfo=None) + ahead
    while (task := jobs.huey.dequeue()) is not None:
        jobs.huey.execute(task, timestamp=moment)
        ran += 1
    for task in jobs.huey.read_schedule(moment):
        jobs.huey.execute(task, timestamp=moment)
        ran += 1
    return ran


def test_the_sqlite_queue_persists_tasks_and_retries_a_failing_smtp_server(
    app: Flask,
    demo: Demo,
    login: Callable[..., FlaskClient],
    sqlite_queue: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.bombanakab.invalid")
    monkeypatch.setattr(smtplib, "SMTP", FlakySMTP)
    monkeypatch.setattr(FlakySMTP, "failures", 99)
    monkeypatch.setattr(FlakySMTP, "attempts", 0)
    monkeypatch.setattr(FlakySMTP, "delivered", [])
    first = make_file(app, demo, "DPMPTSP", "SPM-LS/0200/2026")
    second = make_file(app, demo, "DPMPTSP", "SPM-LS/0201/2026")
    client = login("officer.dpmptsp")
    assert subscribe(client, first) == 302 and subscribe(client, second) == 302

    event_id = step(app, first, FileAction.ADVANCE)
    # Committed → enqueued, not run: the task waits in the SQLite file, which another process
    # (a fresh storage on the same file) sees.
    assert jobs.huey.pending_count() == 1
    assert SqliteStorage(name=jobs.QUEUE_NAME, filename=str(sqlite_queue)).queue_size() == 1
    assert FlakySMTP.attempts == 0

    # A worker runs it outside any app context: the task makes its app context from the
    # worker's app (as `flask jobs worker` and puja_indah.jobs.worker set it).
    jobs.set_worker_app(app)
    assert _run_ready() == 2  # notify_step, then the send_step_mail it enqueued
    assert FlakySMTP.attempts == 1
    assert jobs.huey.scheduled_count() == 1  # the retry waits retry_delay (60 s)
    assert _run_ready() == 0  # not due yet

    for n in range(1, notify.MAIL_RETRIES + 1):
        assert _run_ready(timedelta(seconds=notify.MAIL_RETRY_DELAY * n + 1)) == 1
    assert FlakySMTP.attempts == 1 + notify.MAIL_RETRIES
    assert jobs.huey.scheduled_count() == 0 and jobs.huey.pending_count() == 0
    recorded = notifications(app)
    user = demo.users["officer.dpmptsp"]
    assert recorded == [(event_id, user, NotificationStatus.FAILED, 1 + notify.MAIL_RETRIES)]

    # A server that fails once and then answers: the retry delivers, recorded as sent.
    monkeypatch.setattr(FlakySMTP, "failures", FlakySMTP.attempts + 1)
    second_event = step(app, second, FileAction.ADVANCE)
    _run_ready()
    assert FlakySMTP.delivered == []
    _run_ready(timedelta(seconds=notify.MAIL_RETRY_DELAY + 1))
    assert len(FlakySMTP.delivered) == 1
    assert FlakySMTP.delivered[0]["To"] == "officer.dpmptsp@demo.pujaindah.id"
    assert notifications(app)[-1] == (second_event, user, NotificationStatus.SENT, 2)
