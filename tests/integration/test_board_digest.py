"""The monitors' weekly digest (issue 5, point 5): its sections, the landing page, the periodic
task, the CLI, and sending once per monitor and week."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from puja_indah.board import digest
from puja_indah.board.models import DigestDelivery
from puja_indah.core.clock import WITA
from puja_indah.core.models import Agency
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking.analytics import LEAVING_ACTIONS
from puja_indah.modules.etracking.models import FileEvent, Process
from tests.integration import board_helpers as h

MONDAY = date(2026, 11, 30)


@pytest.fixture
def outbox(app: Any, tmp_path: Path, monkeypatch: Any) -> Path:
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(tmp_path / "outbox"))
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    return tmp_path / "outbox"


def _build(app: Any, region_id: int, today: date) -> digest.Digest:
    with (
        app.app_context(),
        force_locale("en"),
        scoped(Scope.system("tests: digest"), db.session),
    ):
        built = digest.build_digest(region_id, today)
        db.session.remove()
    return built


def test_sections_stale_agencies_and_sla_breaches(
    app: Any, demo: Any, monkeypatch: Any, no_demo_innovations: None
) -> None:
    bombana = demo.regions["74.06"]
    today = digest.today_wita()
    board_today = h.board_today(app, monkeypatch)
    h.activity(
        app, demo.agency("BKD"), demo.users["officer.bkd"], 1, monkeypatch, today=board_today
    )
    dpm_id = demo.agency("DPMPTSP")
    h.activity(app, dpm_id, demo.users["officer.dpmptsp"], 40, monkeypatch, today=board_today)
    built = _build(app, bombana, board_today)
    assert [s.key for s in built.sections] == ["stale", "sla", "reviews"]
    stale = built.sections[0]
    # 15 appointed: BKD was active yesterday; DPMPTSP 40 days ago and 13 never are stale.
    assert len(stale.items) == 14
    assert demo.agency("BKD") not in {i.agency_id for i in stale.items}
    dpm = next(i for i in stale.items if i.agency_id == demo.agency("DPMPTSP"))
    assert "last activity 40 days ago" in dpm.text
    built = _build(app, bombana, today)  # the SLA part, on the real day of the demo files

    # SLA: breached stage exits of the last 7 local days, counted here straight from the events.
    start = datetime.combine(today - timedelta(days=6), time(0), WITA)
    end = datetime.combine(today + timedelta(days=1), time(0), WITA)
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        expected = {}
        for process_id, agency_name, process_name in db.session.execute(
            sa.select(Process.id, Agency.name, Process.name)
            .join(Agency, Agency.id == Process.agency_id)
            .where(Agency.region_id == bombana)
        ):
            n = db.session.scalar(
                sa.select(sa.func.count(FileEvent.id)).where(
                    FileEvent.breached.is_(True),
                    FileEvent.action.in_(LEAVING_ACTIONS),
                    FileEvent.at >= start,
                    FileEvent.at < end,
                    FileEvent.from_stage_id.is_not(None),
                    FileEvent.file_id.in_(_files_of(process_id)),
                )
            )
            if n:
                expected[f"{agency_name}, {process_name}"] = n
        db.session.remove()
    sla = built.sections[1]
    found = {
        item.text.split(":")[0]: int(item.text.split(": ")[1].split()[0]) for item in sla.items
    }
    assert found == expected


def _files_of(process_id: int) -> Any:
    from puja_indah.modules.etracking.models import ProcessVersion, TrackedFile

    return (
        sa.select(TrackedFile.id)
        .join(ProcessVersion, TrackedFile.version_id == ProcessVersion.id)
        .where(ProcessVersion.process_id == process_id)
    )


def test_pending_reviews_section_counts_claims_waiting_for_the_reviewer(
    app: Any, demo: Any, no_demo_innovations: None
) -> None:
    from tests.integration.review_helpers import make_innovation

    bombana = demo.regions["74.06"]
    before = _build(app, bombana, MONDAY).sections[2]
    assert before.key == "reviews" and before.items == []
    make_innovation(app, demo.agency("BKD"), "E-tracking", claims={16: (2, True), 17: (1, True)})
    make_innovation(app, demo.agency("BKAD", "74.05"), "Konsel", claims={16: (1, True)})
    after = _build(app, bombana, MONDAY).sections[2]
    assert [item.text for item in after.items] == [
        "2 indicator claims with evidence wait for the reviewer's decision"
    ]


def test_digest_always_on_the_monitors_landing_page(login_en: Any) -> None:
    page = login_en("monitor").get("/").get_data(as_text=True)
    assert 'id="digest"' in page
    assert 'data-section="stale"' in page and 'data-section="sla"' in page
    assert 'data-section="reviews"' in page
    assert 'id="open-board"' in page


def test_weekly_task_mails_each_monitor_once_a_week(app: Any, demo: Any, outbox: Path) -> None:
    with app.app_context():
        assert digest.send_digests(MONDAY) == 2  # Bombana's and Konawe Selatan's monitors
        assert digest.send_digests(MONDAY + timedelta(days=3)) == 0  # same ISO week
    mails = sorted(outbox.glob("*.eml"))
    sent_now = len(mails)
    assert sent_now >= 2
    first = [message_from_bytes(p.read_bytes()) for p in mails]
    to = {m["To"] for m in first}
    assert {"monitor@demo.pujaindah.id", "monitor.konsel@demo.pujaindah.id"} <= to
    body = next(m for m in first if m["To"] == "monitor@demo.pujaindah.id").get_payload(decode=True)
    assert body is not None and b"Kabupaten Bombana" in body
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        weeks = db.session.execute(
            sa.select(DigestDelivery.user_id, DigestDelivery.week).where(
                DigestDelivery.week == "2026-W49"
            )
        ).all()
        db.session.remove()
    assert {u for u, _w in weeks} == {demo.users["monitor"], demo.users["monitor.konsel"]}
    with app.app_context():
        assert digest.send_digests(MONDAY + timedelta(days=7)) == 2  # next week


def test_a_failed_mail_gives_the_week_back(
    app: Any, demo: Any, outbox: Path, monkeypatch: Any
) -> None:
    def broken(*args: Any) -> str:
        raise OSError("mail server down")

    monkeypatch.setattr(digest.mail, "send_mail", broken)
    with app.app_context(), pytest.raises(OSError):
        digest.send_digests(MONDAY)
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        assert db.session.scalar(sa.select(sa.func.count(DigestDelivery.id))) == 0
        db.session.remove()
    monkeypatch.undo()
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(outbox))
    with app.app_context():
        assert digest.send_digests(MONDAY) == 2  # the retry sends


def test_cli_sends_now(app: Any, outbox: Path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["board", "send-digest", "--today", "2026-11-30"])
    assert result.exit_code == 0, result.output
    assert "2 monitor(s)" in result.output and "2026-W49" in result.output
    again = runner.invoke(args=["board", "send-digest", "--today", "2026-12-01"])
    assert "0 monitor(s)" in again.output
    bad = runner.invoke(args=["board", "send-digest", "--today", "monday"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_the_periodic_task_runs_mondays_and_sends_once(
    app: Any, outbox: Path, monkeypatch: Any
) -> None:
    task = digest.weekly_digest.s()
    # Mondays 07:00 WITA = Sundays 23:00 UTC (huey checks UTC times).
    assert task.validate_datetime(datetime(2026, 11, 29, 23, 0))
    assert not task.validate_datetime(datetime(2026, 11, 30, 23, 0))
    assert not task.validate_datetime(datetime(2026, 11, 29, 22, 0))
    monkeypatch.setattr(digest, "today_wita", lambda: MONDAY)
    with app.app_context():
        assert digest.weekly_digest.call_local() == 2
        assert digest.weekly_digest.call_local() == 0  # a second worker, or a retry
    assert len(list(outbox.glob("*.eml"))) == 2
    # The queue runs it like any task (immediate mode in tests).
    monkeypatch.setattr(digest, "today_wita", lambda: MONDAY + timedelta(days=7))
    with app.app_context():
        digest.weekly_digest()  # huey keeps no result of a periodic task: count the mail
    assert len(list(outbox.glob("*.eml"))) == 4
