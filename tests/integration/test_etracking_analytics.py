"""SLA analytics pages and exports, the module's metrics as evidence, and the demo history
(issue 4, points 1 and 7)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask, url_for
from flask.testing import FlaskClient

from puja_indah.core.models import Agency, Role
from puja_indah.core.registry import ModuleActivation
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking import analytics, engine
from puja_indah.modules.etracking.models import (
    FileAction,
    FileEvent,
    FileStatus,
    Process,
    ProcessVersion,
    StageDefinition,
    TrackedFile,
)
from puja_indah.modules.etracking.module import EtrackingModule
from puja_indah.modules.etracking.worktime import WITA
from tests.conftest import Demo


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=WITA)


@contextmanager
def system(app: Flask, reason: str = "tests") -> Iterator[None]:
    """A database block in its own app context (the test client's requests push theirs)."""
    with app.app_context(), app.test_request_context(), scoped(Scope.system(reason), db.session):
        yield
        db.session.remove()


def _process_id(app: Flask, code: str) -> int:
    with system(app):
        found = db.session.scalar(sa.select(Process.id).where(Process.code == code))
        db.session.remove()
    assert found is not None
    return int(found)


@pytest.fixture
def hand_worked(app: Flask, demo: Demo) -> Iterator[int]:
    """DINKES runs a licence desk with two files in March 2026 whose working minutes are known:

    A: received Mon 2 March 08:00; registered → 09:00 (60 min, SLA 60: kept); requirements →
       15:00 (360); technical → Thu 5 March 10:00 (60 + 480 + 480 + 120 = 1140); decision →
       15:00 (300), completed. Total 1860 working minutes = 3.875 working days.
    B: received Tue 3 March 08:00; registered → 10:00 (120 min: over the SLA of 60); still at
       requirements.
    """
    dinkes = demo.agency("DINKES")
    with system(app, "tests: hand-worked"):
        db.session.add(ModuleActivation(agency_id=dinkes, module_code="etracking", enabled=True))
        process = engine.install_preset(dinkes, "dpmptsp_permit")
        kind = engine.current_version(process).file_kinds[0]
        desk = Scope.for_membership(Role.AGENCY_LEAD, dinkes, None)

        def receive(name: str, when: datetime) -> TrackedFile:
            return engine.register_file(
                desk,
                process,
                engine.Intake(kind.id, f"HW/{name}", None, None, name, list(kind.checklist)),
                None,
                now=when,
            )

        def advance(tracked: TrackedFile, when: datetime) -> None:
            engine.act(desk, tracked, FileAction.ADVANCE, tracked.last_sequence, None, now=when)

        first = receive("Pemohon A", at("2026-03-02", "08:00"))
        for when in (
            at("2026-03-02", "09:00"),
            at("2026-03-02", "15:00"),
            at("2026-03-05", "10:00"),
            at("2026-03-05", "15:00"),
        ):
            advance(first, when)
        second = receive("Pemohon B", at("2026-03-03", "08:00"))
        advance(second, at("2026-03-03", "10:00"))
        db.session.commit()
        db.session.remove()
    yield dinkes


def test_the_report_reads_the_stored_working_minutes(hand_worked: int, app_ctx: Flask) -> None:
    with app_ctx.test_request_context(), scoped(Scope.system("tests"), db.session):
        process = db.session.scalar(sa.select(Process).where(Process.agency_id == hand_worked))
        assert process is not None
        report = analytics.build_report(
            process, analytics.Period(date(2026, 3, 1), date(2026, 3, 31))
        )
        stages = {row.code: row for row in report.stages}
        registered, requirements = stages["registered"], stages["requirements"]
        assert (registered.exits, registered.breaches, registered.p50) == (2, 1, 90)
        assert registered.p90 == pytest.approx(114)  # 60 + 0.9 × 60
        assert registered.breach_share == 0.5
        assert (requirements.exits, requirements.p50, requirements.open_now) == (1, 360, 1)
        assert (stages["technical"].p50, stages["decision"].p50) == (1140, 300)
        assert "issued" not in stages  # the terminal stage: nothing leaves it
        days = {row.day: row for row in report.days}
        assert [days[date(2026, 3, d)].backlog for d in range(1, 7)] == [0, 1, 2, 2, 1, 1]
        assert days[date(2026, 3, 5)].completed == 1 and report.received == 2
        assert report.completed == 1 and report.total_days_p50 == pytest.approx(3.875)
        assert report.peak.files == 0
        assert (report.rest.files, report.rest.median_minutes) == (2, 1860)
        assert report.rest.breach_share == 0.5
        # A period after the files: B is still open at its start and stays in the backlog.
        later = analytics.build_report(
            process, analytics.Period(date(2026, 4, 1), date(2026, 4, 2))
        )
        assert [row.backlog for row in later.days] == [1, 1] and later.received == 0


def test_metrics_are_aggregates_with_their_indicators(hand_worked: int, app_ctx: Flask) -> None:
    with app_ctx.test_request_context(), scoped(Scope.system("tests"), db.session):
        figures = analytics.agency_figures(hand_worked, at("2026-03-20", "12:00"))
        assert figures.received_this_month == 2
        assert figures.median_days == pytest.approx(3.88, abs=0.01)
        assert figures.users_served == 2  # two named applicants
        assert figures.breach_share == pytest.approx(1 / 5)  # 5 stage exits, 1 over
        metrics = {m.key: m for m in EtrackingModule().metrics(hand_worked)}
        assert metrics["days_to_result"].indicator == 28
        assert metrics["users_served"].indicator == 33
        # Aggregates: the number of queries does not grow with the number of files.
        bkd = db.session.scalar(sa.select(Agency.id).where(Agency.code == "BKD"))
        assert bkd is not None
        counted: list[str] = []

        def count(*_args: object) -> None:
            counted.append("q")

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            analytics.agency_figures(hand_worked, at("2026-03-20", "12:00"))
            small = len(counted)
            counted.clear()
            analytics.agency_figures(bkd, at("2026-03-20", "12:00"))
            assert len(counted) == small
            # The board's batch: the same figures per agency, and the same queries for two
            # agencies as for one (zeros for an agency without files).
            counted.clear()
            both = analytics.agency_figures_many([hand_worked, bkd], at("2026-03-20", "12:00"))
            assert len(counted) == small
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert both[hand_worked] == figures
        assert both[bkd] == analytics.agency_figures(bkd, at("2026-03-20", "12:00"))
        assert EtrackingModule().metrics_many([hand_worked])[hand_worked] == list(metrics.values())


def test_monitor_reads_an_agencys_analytics_and_its_exports(
    hand_worked: int, login: Callable[[str], FlaskClient]
) -> None:
    monitor = login("monitor")
    url = f"/m/etracking/agency/{hand_worked}/analytics?from=2026-03-01&to=2026-03-31"
    page = monitor.get(url)
    assert page.status_code == 200
    assert 'data-stage="registered"' in page.text and "<title" in page.text
    assert 'data-figure="received">2<' in page.text
    xlsx = monitor.get(url.replace("analytics?", "analytics.xlsx?"))
    assert xlsx.status_code == 200
    assert "sla-perizinan-2026-03-01-2026-03-31.xlsx" in xlsx.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data), read_only=True)
    per_stage, daily, peak = (list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    assert per_stage[1][0] == "Pendaftaran" and per_stage[1][2:7] == (2, 90, 114, 1, 50)
    assert ("2026-03-05", 0, 1, 1) in daily
    assert peak[2][:3] == ("Sisa periode", 2, 3.88) or peak[2][:3] == (
        "Rest of the period",
        2,
        3.88,
    )
    # An unknown process of the agency: told, and the first one shown.
    chosen = monitor.get(f"/m/etracking/agency/{hand_worked}/analytics?process=99999")
    assert chosen.status_code == 200 and 'data-stage="registered"' in chosen.text


def test_bad_filters_are_explained_and_never_fail(
    login: Callable[[str], FlaskClient], app: Flask
) -> None:
    officer = login("officer.bkd")
    pid = _process_id(app, "spm_sp2d")
    for query in (
        "from=2026-13-01",
        "from=2026-05-01&to=2026-04-01",
        "from=0001-01-01&to=9999-12-31",
        "from=%00%27&to=%3Cscript%3E",
        "from=" + "9" * 500,
    ):
        response = officer.get(f"/m/etracking/{pid}/analytics?{query}")
        assert response.status_code == 200, query
        assert "alert" in response.text and "<script>" not in response.text
        assert officer.get(f"/m/etracking/{pid}/analytics.csv?{query}").status_code == 200


def test_desk_exports_match_the_database(login: Callable[[str], FlaskClient], app: Flask) -> None:
    """The seeded BKD history (demo files) against direct counts in the database."""
    pid = _process_id(app, "spm_sp2d")
    officer = login("officer.bkd")
    with system(app):
        files = (
            sa.select(TrackedFile.id).join(ProcessVersion).where(ProcessVersion.process_id == pid)
        )
        today = datetime.now(WITA).date()
        period = analytics.default_period(today)
        begin, finish = period.utc_bounds()
        exits = dict(
            db.session.execute(
                sa.select(StageDefinition.name, sa.func.count(FileEvent.id))
                .join(StageDefinition, FileEvent.from_stage_id == StageDefinition.id)
                .where(
                    FileEvent.file_id.in_(files),
                    FileEvent.action.in_((FileAction.ADVANCE, FileAction.COMPLETE)),
                    FileEvent.at >= begin,
                    FileEvent.at < finish,
                )
                .group_by(StageDefinition.name)
            ).all()
        )
        breached = db.session.scalar(
            sa.select(sa.func.count(FileEvent.id)).where(
                FileEvent.file_id.in_(files), FileEvent.breached.is_(True), FileEvent.at >= begin
            )
        )
        received = db.session.scalar(
            sa.select(sa.func.count(TrackedFile.id)).where(
                TrackedFile.id.in_(files), TrackedFile.received_at >= begin
            )
        )
        open_now = db.session.scalar(
            sa.select(sa.func.count(TrackedFile.id)).where(
                TrackedFile.id.in_(files),
                TrackedFile.status.in_((FileStatus.OPEN, FileStatus.RETURNED)),
            )
        )
        db.session.remove()
    assert received and received >= 50  # the demo history is there
    response = officer.get(f"/m/etracking/{pid}/analytics.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    per_stage, daily, _peak = (list(s.iter_rows(values_only=True)) for s in book.worksheets)
    assert {row[0]: row[2] for row in per_stage[1:]} == exits
    assert sum(row[5] for row in per_stage[1:]) == breached
    assert sum(row[7] for row in per_stage[1:]) == open_now
    assert sum(row[1] for row in daily[1:]) == received
    assert daily[-1][3] == open_now  # the backlog at the end of today is what is open now

    exported = officer.get(f"/m/etracking/{pid}/analytics.csv")
    assert exported.data.startswith(b"\xef\xbb\xbf")
    assert exported.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0] == ["Pencairan anggaran (SPM → SP2D)"]


def test_csv_neutralises_formula_like_names(
    login: Callable[[str], FlaskClient], app: Flask
) -> None:
    pid = _process_id(app, "spm_sp2d")
    with system(app):
        process = db.session.get(Process, pid)
        assert process is not None
        process.name = '=HYPERLINK("http://x")'
        db.session.commit()
        db.session.remove()
    exported = login("officer.bkd").get(f"/m/etracking/{pid}/analytics.csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0] == ['\'=HYPERLINK("http://x")']


def test_a_switched_off_agency_has_no_analytics(
    login: Callable[[str], FlaskClient], demo: Demo, app: Flask
) -> None:
    bkd = demo.agency("BKD")
    monitor = login("monitor")
    assert monitor.get(f"/m/etracking/agency/{bkd}/analytics").status_code == 200
    with system(app):
        activation = db.session.scalar(
            sa.select(ModuleActivation).where(ModuleActivation.agency_id == bkd)
        )
        assert activation is not None
        activation.enabled = False
        db.session.commit()
        db.session.remove()
    assert monitor.get(f"/m/etracking/agency/{bkd}/analytics").status_code == 404
    assert monitor.get(f"/m/etracking/agency/{bkd}/analytics.xlsx").status_code == 404
    pid = _process_id(app, "spm_sp2d")
    assert login("officer.bkd").get(f"/m/etracking/{pid}/analytics").status_code == 404


def _assigned_innovation(app: Flask, agency_id: int) -> int:
    from puja_indah.innovations.models import Innovation, Origin

    with system(app):
        found = db.session.scalar(
            sa.select(Innovation.id).where(
                Innovation.agency_id == agency_id, Innovation.origin == Origin.ASSIGNED
            )
        )
    assert found is not None
    return int(found)


def test_figures_show_on_the_innovation_and_its_self_assessment(
    login: Callable[[str], FlaskClient], demo: Demo, app: Flask
) -> None:
    bkd = demo.agency("BKD")
    innovation = _assigned_innovation(app, bkd)
    officer = login("officer.bkd")
    with app.test_request_context():
        assess_url = url_for("assessment.self_assessment", innovation_id=innovation, year=2026)
        detail_url = url_for("innovations.detail", innovation_id=innovation)
    detail = officer.get(detail_url)
    assert detail.status_code == 200
    assert 'data-metric="days_to_result"' in detail.text
    assert 'data-metric="users_served"' in detail.text
    assessment = officer.get(assess_url)
    assert 'data-module-hint="28"' in assessment.text
    assert 'data-module-hint="33"' in assessment.text
    # The monitor of the region reads the same panel; an officer of another agency reading a
    # published BKD innovation would not (its scope cannot count BKD's files).
    assert 'data-metric="days_to_result"' in login("monitor").get(detail_url).text


def test_the_lead_chooses_the_innovation_the_figures_are_evidence_for(
    login: Callable[[str], FlaskClient], demo: Demo, app: Flask
) -> None:
    from puja_indah.innovations.models import Innovation, Origin, ProfileStatus, Stage

    bkd = demo.agency("BKD")
    assigned = _assigned_innovation(app, bkd)
    with system(app):
        region = db.session.scalar(sa.select(Agency.region_id).where(Agency.id == bkd))
        own = Innovation(
            agency_id=bkd,
            region_id=region,
            origin=Origin.OWN,
            status=ProfileStatus.DRAFT,
            stage=Stage.INITIATIVE,
            name="Dasbor SLA (uji)",
            name_key="dasbor sla (uji)",
        )
        db.session.add(own)
        db.session.commit()
        own_id = own.id
        db.session.remove()
    lead = login("lead.bkd")
    pid = _process_id(app, "spm_sp2d")
    page = lead.get(f"/m/etracking/{pid}/analytics")
    assert 'name="innovation_id"' in page.text
    saved = lead.post(
        "/m/etracking/evidence",
        data={
            "innovation_id": str(own_id),
            "back": f"/m/etracking/{pid}/analytics",
        },
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/analytics")
    with app.test_request_context():
        own_url = url_for("innovations.detail", innovation_id=own_id)
        assigned_url = url_for("innovations.detail", innovation_id=assigned)
    assert 'data-metric="users_served"' in lead.get(own_url).text
    assert 'data-metric="users_served"' not in lead.get(assigned_url).text
    # An innovation of another agency is not a choice.
    refused = lead.post("/m/etracking/evidence", data={"innovation_id": "999999"})
    assert refused.status_code == 302
    assert 'data-metric="users_served"' in lead.get(own_url).text
    # The officer cannot choose.
    assert login("officer.bkd").post("/m/etracking/evidence", data={}).status_code == 403


def test_demo_files_are_marked_and_made_once(app_ctx: Flask, demo: Demo) -> None:
    from puja_indah.modules.etracking import demo_files

    bkd = demo.agency("BKD")
    with app_ctx.test_request_context(), scoped(Scope.system("tests: demo files"), db.session):
        numbers = list(
            db.session.scalars(
                sa.select(TrackedFile.internal_number).where(TrackedFile.agency_id == bkd)
            )
        )
        assert len(numbers) == 60 and all(n.startswith("DEMO/") for n in numbers)
        assert demo_files.generate(bkd, 60, seed=1) == 0  # the same seed again: nothing new
        returned = db.session.scalar(
            sa.select(sa.func.count(FileEvent.id)).where(
                FileEvent.agency_id == bkd, FileEvent.action == FileAction.RETURN
            )
        )
        breached = db.session.scalar(
            sa.select(sa.func.count(FileEvent.id)).where(
                FileEvent.agency_id == bkd, FileEvent.breached.is_(True)
            )
        )
        assert returned and breached
        db.session.rollback()
        db.session.remove()
