"""The progress board (issue 5, point 1): figures against hand-worked values, sort and filter
validation, the settings form, 404s across regions, read-only reviewers, and a statement count
that does not grow with the number of agencies."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from puja_indah.board import queries
from puja_indah.board.models import BoardSettings
from puja_indah.board.rules import DutyStatus
from puja_indah.core import dataversion
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.innovations.models import Stage
from puja_indah.replications.models import ReplicationStatus
from tests.integration import board_helpers as h

SK193 = "193 Tahun 2018"
TODAY = date(2026, 11, 29)


@pytest.fixture
def scenario(app: Any, demo: Any, no_demo_innovations: None, monkeypatch: Any) -> dict[str, int]:
    """BKD: implemented, milestones 40 % (10 Mar) → 80 % (1 Sep), one applied replication, claims
    16 (P3, evidence), 17 (P2, evidence), 32 (P3, no evidence); active 2 days ago.
    DPMPTSP: initiative with one milestone 50 % (15 Jun), a replication at interest; active 45
    days ago. Disdukcapil: an innovation without milestones, one stopped replication; active 10
    days ago. The 12 other appointed agencies: no innovation, never active."""
    decree = demo.decrees[SK193]
    bkd, dpm, dukcapil = demo.agency("BKD"), demo.agency("DPMPTSP"), demo.agency("DISDUKCAPIL")
    ids = {"bkd": bkd, "dpm": dpm, "dukcapil": dukcapil, "decree": decree}
    ids["bkd_inn"] = h.assigned_innovation(
        app,
        bkd,
        h.appointment_id(app, decree, bkd),
        "E-tracking uji",
        stage=Stage.IMPLEMENTATION,
        milestones=((date(2026, 3, 10), 40), (date(2026, 9, 1), 80)),
    )
    ids["dpm_inn"] = h.assigned_innovation(
        app,
        dpm,
        h.appointment_id(app, decree, dpm),
        "Perizinan uji",
        milestones=((date(2026, 6, 15), 50),),
    )
    ids["dukcapil_inn"] = h.assigned_innovation(
        app, dukcapil, h.appointment_id(app, decree, dukcapil), "Minduk uji"
    )
    h.replication(app, bkd, ReplicationStatus.APPLIED, "Replika BKD")
    h.replication(app, dpm, ReplicationStatus.INTEREST, "Replika DPMPTSP")
    h.replication(app, dukcapil, ReplicationStatus.STOPPED, "Replika Dukcapil")
    h.claim(app, bkd, ids["bkd_inn"], 16, 3, evidence=True)
    h.claim(app, bkd, ids["bkd_inn"], 17, 2, evidence=True)
    h.claim(app, bkd, ids["bkd_inn"], 32, 3, evidence=False)
    officer = demo.users["officer.bkd"]
    today = h.board_today(app, monkeypatch)
    h.activity(app, bkd, officer, 2, monkeypatch, today=today)
    h.activity(app, dpm, demo.users["officer.dpmptsp"], 45, monkeypatch, today=today)
    h.activity(app, dukcapil, officer, 10, monkeypatch, today=today)
    ids["today"] = today.toordinal()
    return ids


def _rows(app: Any, region_id: int, **kwargs: Any) -> dict[int, queries.Row]:
    with app.app_context(), scoped(Scope.system("tests: board rows"), db.session):
        found = {r.agency.id: r for r in queries.rows(region_id, TODAY, modules=False, **kwargs)}
        db.session.remove()
    return found


def test_figures_against_hand_worked_values(app: Any, demo: Any, scenario: dict[str, int]) -> None:
    rows = _rows(app, demo.regions["74.06"])
    assert len(rows) == 15  # SK 193/2018 appoints 15 OPD in the demo data
    bkd, dpm, dukcapil = rows[scenario["bkd"]], rows[scenario["dpm"]], rows[scenario["dukcapil"]]

    assert bkd.stage is Stage.IMPLEMENTATION and bkd.progress == 80 and bkd.milestones == 2
    assert bkd.implement is DutyStatus.DONE  # stage penerapan
    assert bkd.replications == {ReplicationStatus.APPLIED: 1}
    assert bkd.replicate is DutyStatus.DONE
    # Mandatory 2026: 16, 17, 32, 33, 35 → 16 and 17 have evidence; 32 is claimed without.
    assert (bkd.evidence_done, bkd.evidence_total) == (2, 5)
    assert [i.number for i in bkd.evidence_missing] == [32, 33, 35]
    # 16: weight 3 × P3 = 9; 17: weight 2 × P2 = 4; 32 scores 0 without evidence.
    assert bkd.score == Decimal(13)

    assert dpm.stage is Stage.INITIATIVE and dpm.progress == 50
    assert dpm.implement is DutyStatus.UNDER_WAY and dpm.replicate is DutyStatus.UNDER_WAY
    assert dpm.evidence_done == 0 and dpm.score == Decimal(0)

    assert dukcapil.progress == 0 and dukcapil.milestones == 0
    assert dukcapil.implement is DutyStatus.MISSING  # exists, but no milestone yet
    assert dukcapil.replicate is DutyStatus.MISSING  # only a stopped replication

    others = [
        r
        for a, r in rows.items()
        if a not in (scenario["bkd"], scenario["dpm"], scenario["dukcapil"])
    ]
    assert all(r.innovation is None and r.evidence_done == 0 for r in others)
    assert all(r.implement is DutyStatus.MISSING for r in others)

    stages = dict(queries.stage_counts(rows.values()))
    assert stages == {"inisiatif": 2, "uji_coba": 0, "penerapan": 1, "none": 12}


def test_freshness_and_staleness_follow_the_setting(
    app: Any, demo: Any, scenario: dict[str, int]
) -> None:
    today = date.fromordinal(scenario["today"])
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        rows = {r.agency.id: r for r in queries.rows(demo.regions["74.06"], today, modules=False)}
        buckets = dict(queries.freshness_counts(rows.values()))
        db.session.remove()
    # 2 days → <7, 10 days → 7–30, 45 days → 31–90; the 12 others never entered anything (or
    # only in the entries other tests left in the append-only trail, 400+ days before `today`).
    assert (buckets["lt7"], buckets["7to30"], buckets["30to90"]) == (1, 1, 1)
    assert buckets["gt90"] + buckets["never"] == 12
    assert all(rows[a].stale for a in rows if a not in (scenario["bkd"], scenario["dukcapil"]))
    assert not rows[scenario["bkd"]].stale and not rows[scenario["dukcapil"]].stale
    assert rows[scenario["dpm"]].stale  # 45 > 30 days
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        rows = {
            r.agency.id: r
            for r in queries.rows(demo.regions["74.06"], today, modules=False, stale_after=7)
        }
        db.session.remove()
    assert rows[scenario["dukcapil"]].stale and not rows[scenario["bkd"]].stale


def test_a_step_at_the_agencys_desk_counts_as_activity(
    app: Any, demo: Any, scenario: dict[str, int], no_demo_files: None
) -> None:
    from datetime import UTC, datetime, time, timedelta

    from puja_indah.modules.etracking.models import FileAction
    from tests.integration.test_etracking_submitted import make_file, step

    today = date.fromordinal(scenario["today"])
    # BKD's last audited change was 2 days ago; its desk advances a file 1 day ago.
    file_id = make_file(app, demo, "DPMPTSP", "SPM-LS/0777/2026")
    yesterday = datetime.combine(today - timedelta(days=1), time(2), UTC)
    step(app, file_id, FileAction.ADVANCE, now=yesterday)
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        rows = {r.agency.id: r for r in queries.rows(demo.regions["74.06"], today, modules=False)}
        db.session.remove()
    last = rows[scenario["bkd"]].last_activity
    assert last is not None and last.astimezone(UTC) == yesterday


def test_progress_over_time_by_month(app: Any, demo: Any, scenario: dict[str, int]) -> None:
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        board = queries.rows(demo.regions["74.06"], TODAY, modules=False)
        series = queries.progress_over_time(board, TODAY)
        db.session.remove()
    values = {end.strftime("%Y-%m"): round(v, 2) for end, v in series}
    # Three linked innovations: BKD 40 from March, 80 from September; DPMPTSP 50 from June.
    assert len(values) == 12 and next(iter(values)) == "2025-12" and list(values)[-1] == "2026-11"
    assert values["2026-02"] == 0
    assert values["2026-03"] == round(40 / 3, 2)
    assert values["2026-06"] == 30.0
    assert values["2026-09"] == round(130 / 3, 2)
    assert values["2026-11"] == round(130 / 3, 2)


def test_board_page_sorts_filters_and_shows_tables(
    login_en: Any, demo: Any, scenario: dict[str, int]
) -> None:
    client = login_en("monitor")
    page = client.get("/board?sort=activity&order=desc").get_data(as_text=True)
    order = re.findall(r'<tr data-agency="([^"]+)"', page)
    assert order[:3] == ["BKD", "Disdukcapil", "DPMPTSP"]  # most recent first, never last
    assert 'id="board-exports"' in page
    assert "/assessment/index/2026" in page
    stage_table = page[page.index('id="stage-table"') :]
    assert re.search(r'data-key="penerapan">.*?<td class="text-end">1</td>', stage_table, re.S)

    assert 'href="/board?stage=penerapan&amp;sort=progress&amp;order=desc"' in client.get(
        "/board?stage=penerapan&sort=progress&order=asc&bogus=1"
    ).get_data(as_text=True)  # the header reverses the order and keeps the filters
    stale = client.get("/board?stale=y").get_data(as_text=True)
    shown = re.findall(r'<tr data-agency="([^"]+)"', stale)
    assert "DPMPTSP" in shown and "BKD" not in shown and len(shown) == 13

    implemented = client.get("/board?implement=done").get_data(as_text=True)
    assert re.findall(r'<tr data-agency="([^"]+)"', implemented) == ["BKD"]
    by_stage = client.get("/board?stage=inisiatif&sort=progress&order=desc").get_data(as_text=True)
    assert re.findall(r'<tr data-agency="([^"]+)"', by_stage) == ["DPMPTSP", "Disdukcapil"]


@pytest.mark.parametrize(
    "query",
    [
        "sort=password&order=sideways",
        "stage=%00%ff&implement=1&module=../../etc",
        "region=abc&sort=" + "x" * 5000,
        "region=99999999999999999999",
        "stale=maybe&replicate=done&replicate=missing",
        "sort=%09%0D%0A+%C2%A0&order=%E3%80%80&stage=+",
        "_scheme=javascript&_external=1&_anchor=x&endpoint=y&stale=y",
    ],
)
def test_garbage_in_the_query_string_is_refused_clearly(login_en: Any, query: str) -> None:
    for account in ("monitor", "reviewer"):
        response = login_en(account).get(f"/board?{query}")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        if not any(k in query for k in ("stale=maybe", "replicate=done", "_scheme")):
            assert "were not understood" in text or "region" in query
        assert 'id="board-table"' in text


def test_settings_refusals_change_nothing(
    login_en: Any, table_counts: Any, app: Any, demo: Any
) -> None:
    client = login_en("monitor")
    before = table_counts()
    for value in ("0", "366", "-5", "abc", "", "9" * 40):
        response = client.post("/board/settings", data={"stale_after_days": value, "version": "0"})
        assert response.status_code == 200
        assert "from 1 to 365" in response.get_data(as_text=True) or "Enter a number" in (
            response.get_data(as_text=True)
        )
    stale = client.post("/board/settings", data={"stale_after_days": "14", "version": "3"})
    assert "changed these settings meanwhile" in stale.get_data(as_text=True)
    assert table_counts() == before

    saved = client.post("/board/settings", data={"stale_after_days": "14", "version": "0"})
    assert saved.status_code == 302
    assert "14 days without activity" in client.get("/board").get_data(as_text=True)
    # The same (now stale) form again: refused, the value stays.
    again = client.post("/board/settings", data={"stale_after_days": "60", "version": "0"})
    assert "changed these settings meanwhile" in again.get_data(as_text=True)
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        row = db.session.scalar(sa.select(BoardSettings))
        assert row is not None and row.stale_after_days == 14 and row.version == 1
        db.session.remove()


def test_reviewer_reads_but_never_configures(login_en: Any, demo: Any, table_counts: Any) -> None:
    reviewer = login_en("reviewer")
    bombana = demo.regions["74.06"]
    assert reviewer.get(f"/board?region={bombana}").status_code == 200
    assert reviewer.get(f"/board/agency/{demo.agency('BKD')}").status_code == 200
    assert reviewer.get(f"/board/decree/{demo.decrees[SK193]}").status_code == 200
    before = table_counts()
    assert reviewer.get("/board/settings").status_code == 403
    response = reviewer.post("/board/settings", data={"stale_after_days": "5", "version": "0"})
    assert response.status_code == 403
    assert "Board settings" not in reviewer.get("/board").get_data(as_text=True)
    after = table_counts()
    assert after == before
    for account in ("officer.bkd", "lead.bkd"):
        assert login_en(account).get("/board").status_code == 403


def test_another_regions_agency_and_decree_are_404_for_a_monitor(
    app: Any, login_en: Any, demo: Any
) -> None:
    far = h.far_decree(app, "74.05", ["BKAD"], "7/2026")
    monitor = login_en("monitor")
    assert monitor.get(f"/board/agency/{demo.agency('BKAD', '74.05')}").status_code == 404
    assert monitor.get(f"/board/decree/{far}").status_code == 404
    assert monitor.get("/board/agency/2147483647").status_code == 404
    # The other region's monitor sees its own.
    konsel = login_en("monitor.konsel")
    assert konsel.get(f"/board/decree/{far}").status_code == 200
    assert konsel.get(f"/board/agency/{demo.agency('BKD')}").status_code == 404
    # An agency that no decree appoints is not on the board.
    assert monitor.get(f"/board/agency/{demo.agency('DISPAR')}").status_code in (200, 404)


def test_drill_down_and_decree_pages(login_en: Any, demo: Any, scenario: dict[str, int]) -> None:
    monitor = login_en("monitor")
    page = monitor.get(f"/board/agency/{scenario['dpm']}").get_data(as_text=True)
    assert "Perizinan uji" in page and 'id="stale-flag"' in page
    missing = page[page.index('id="evidence-missing"') :]
    assert all(f"<li>{n}." in missing for n in (16, 17, 32, 33, 35))
    assert "Recent activity" in page and "officer@test" in page
    decree = monitor.get(f"/board/decree/{scenario['decree']}").get_data(as_text=True)
    assert 'id="duty-rules"' in decree
    bkd_row = decree[decree.index('data-agency="BKD"') :]
    assert 'data-duty="implement" data-status="done"' in bkd_row.split("</tr>")[0]
    dpm_row = decree[decree.index('data-agency="DPMPTSP"') :].split("</tr>")[0]
    assert 'data-status="under_way"' in dpm_row
    dukcapil_row = decree[decree.index('data-agency="Disdukcapil"') :].split("</tr>")[0]
    assert dukcapil_row.count('data-status="missing"') == 2


def _count_board_statements(app: Any, client: Any, url: str) -> int:
    """Statements of a board rendered afresh (the cached answer is counted by the bench)."""
    statements: list[str] = []
    with app.app_context():
        dataversion.clear_all()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def _switch_modules_on(app: Any, agency_ids: list[int]) -> None:
    from puja_indah.core.registry import ModuleActivation

    with app.app_context(), scoped(Scope.system("tests"), db.session):
        for agency_id in agency_ids:
            for code in ("etracking", "epintar"):
                db.session.add(
                    ModuleActivation(agency_id=agency_id, module_code=code, enabled=True)
                )
        db.session.commit()
        db.session.remove()


def test_statement_count_does_not_grow_with_agencies(app: Any, login_en: Any, demo: Any) -> None:
    """3 agencies, then 18, with e-tracking and e-pintar switched on for one, then for 16 of
    them: module figures are one batch per module (`ServiceModule.metrics_many`)."""
    konsel = demo.regions["74.05"]
    decree = h.far_decree(app, "74.05", ["BKAD", "A1", "A2"], "1/2026")
    for code in ("BKAD", "A1", "A2"):
        agency = _agency_id(app, konsel, code)
        inn = h.assigned_innovation(
            app,
            agency,
            h.appointment_id(app, decree, agency),
            f"Inovasi {code}",
            milestones=((date(2026, 2, 1), 10),),
        )
        h.claim(app, agency, inn, 16, 1, evidence=True)
    _switch_modules_on(app, [_agency_id(app, konsel, "BKAD")])
    admin = login_en("admin")
    url = f"/board?region={konsel}&sort=score"
    at_three = _count_board_statements(app, admin, url)
    more = [f"B{i}" for i in range(15)]
    decree2 = h.far_decree(app, "74.05", more, "2/2026")
    for code in more:
        agency = _agency_id(app, konsel, code)
        inn = h.assigned_innovation(
            app,
            agency,
            h.appointment_id(app, decree2, agency),
            f"Inovasi {code}",
            milestones=((date(2026, 2, 1), 10),),
        )
        h.claim(app, agency, inn, 16, 1, evidence=True)
        h.replication(app, agency, ReplicationStatus.TRIAL, f"Replika {code}")
    _switch_modules_on(app, [_agency_id(app, konsel, code) for code in more])
    page = admin.get(url).get_data(as_text=True)
    assert page.count("<tr data-agency=") == 18
    at_eighteen = _count_board_statements(app, admin, url)
    # One more decree link is rendered, nothing more is queried per agency.
    assert at_eighteen == at_three, (at_three, at_eighteen)


def _agency_id(app: Any, region_id: int, code: str) -> int:
    from puja_indah.core.models import Agency

    with app.app_context(), scoped(Scope.system("tests"), db.session):
        found = db.session.scalar(
            sa.select(Agency.id).where(Agency.region_id == region_id, Agency.code == code)
        )
        db.session.remove()
    assert found is not None
    return int(found)
