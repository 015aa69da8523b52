"""In a real browser: the monitor opens the progress board from the landing page, finds the one
stale OPD, filters to stale agencies only and drills into it. Pages are photographed at 360 px and
1280 px and checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from puja_indah.agencies.models import Appointment
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from tests.conftest import Demo
from tests.e2e.conftest import UI, axe_problems
from tests.integration import board_helpers as h

pytestmark = [pytest.mark.e2e]

SK193 = "193 Tahun 2018"


def _appointed(app: Any, demo: Demo) -> list[int]:
    with app.app_context(), scoped(Scope.system("tests: board e2e"), db.session):
        found = list(
            db.session.scalars(
                sa.select(Appointment.agency_id).where(Appointment.decree_id == demo.decrees[SK193])
            )
        )
        db.session.remove()
    return found


@pytest.fixture
def one_stale(app: Any, demo: Demo, monkeypatch: Any) -> int:
    """Every appointed OPD entered data 3 days ago, except DPMPTSP: 60 days ago (stale at the
    default 30 days)."""
    stale = demo.agency("DPMPTSP")
    officer = demo.users["officer.bkd"]
    today = h.board_today(app, monkeypatch)  # the live server runs in this process
    for agency_id in _appointed(app, demo):
        days = 60 if agency_id == stale else 3
        h.activity(app, agency_id, officer, days, monkeypatch, today=today)
    return stale


def test_monitor_finds_the_stale_opd_and_drills_into_it(ui: UI, one_stale: int) -> None:
    ui.sign_in("monitor")
    expect(ui.page.locator("#digest")).to_contain_text("Dinas Penanaman Modal")
    ui.snap("home-digest")
    ui.page.locator("#open-board").click()
    expect(ui.page.locator("main h1")).to_contain_text("Papan pantau kemajuan")
    stale_rows = ui.page.locator("#board-table tbody tr[data-stale]")
    expect(stale_rows).to_have_count(1)
    expect(stale_rows.first).to_have_attribute("data-agency", "DPMPTSP")
    expect(ui.page.locator("#board-count")).to_contain_text("15 dari 15")
    ui.snap("board")

    ui.page.check("#stale")
    with ui.page.expect_navigation():
        ui.page.locator("#apply-filter").click()
    assert "stale=y" in ui.page.url
    rows = ui.page.locator("#board-table tbody tr")
    expect(rows).to_have_count(1)
    expect(ui.page.locator("#board-count")).to_contain_text("1 dari 15")
    ui.snap("board-stale-only")

    with ui.page.expect_navigation():
        rows.first.get_by_role("link", name="Dinas Penanaman Modal").click()
    expect(ui.page.locator("main h1")).to_contain_text("Dinas Penanaman Modal")
    expect(ui.page.locator("#stale-flag")).to_be_visible()
    expect(ui.page.locator("main")).to_contain_text("60 hari lalu")
    ui.snap("agency")

    ui.page.get_by_role("link", name=SK193).click()
    expect(ui.page.locator("#duty-rules")).to_contain_text("Menerapkan")
    ui.snap("decree")


def test_board_pages_pass_axe(browser: Browser, base_url: str, demo: Demo, one_stale: int) -> None:
    paths = [
        "/",
        "/board",
        "/board?stale=y&sort=activity&order=desc",
        "/board?sort=nonsense",
        f"/board/agency/{one_stale}",
        f"/board/decree/{demo.decrees[SK193]}",
        "/board/settings",
    ]
    problems = axe_problems(browser, base_url, {"monitor": paths})
    assert not problems, "\n".join(problems)
