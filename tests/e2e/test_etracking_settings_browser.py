"""In a real browser (CSRF on): BKD's lead saves the working calendar and makes version 2 of the
SPM process; Bombana's monitor enters a collective-leave day. Pages are photographed at 360 px
and 1280 px and checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking.models import Process
from tests.conftest import Demo
from tests.e2e.conftest import UI, axe_problems

pytestmark = pytest.mark.e2e


def _process_id(app: Any, demo: Demo) -> int:
    with app.app_context(), scoped(Scope.system("tests: e2e"), db.session):
        found = db.session.scalar(
            sa.select(Process.id).where(Process.agency_id == demo.agency("BKD"))
        )
        db.session.remove()
    assert found is not None
    return int(found)


def test_lead_sets_the_calendar_and_makes_a_new_process_version(
    ui: UI, app: Any, demo: Demo
) -> None:
    ui.sign_in("lead.bkd")
    ui.goto("/m/etracking/")
    ui.page.get_by_role("link", name="Kalender kerja").click()
    expect(ui.page.locator("main h1")).to_have_text("Kalender kerja")
    ui.page.fill("#opens", "07:30")
    ui.page.check("#weekdays-5")  # Saturday
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Simpan").click()
    expect(ui.page.locator(".alert-success")).to_contain_text("Kalender kerja disimpan.")
    ui.goto("/m/etracking/calendar?year=2026")
    expect(ui.page.locator("main")).to_contain_text("Hari Kemerdekaan Republik Indonesia")
    ui.snap("calendar")

    ui.goto(f"/m/etracking/processes/{_process_id(app, demo)}")
    expect(ui.page.locator("main h1")).to_have_text("Pencairan anggaran (SPM → SP2D)")
    ui.page.fill("#stages-0-sla_minutes", "90")
    ui.page.fill("#note", "SLA penerimaan 90 menit")
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Simpan sebagai versi 2").click()
    expect(ui.page.locator(".alert-success")).to_contain_text("Versi 2 disimpan.")
    ui.snap("process")
    # A mistake is shown beside its field.
    ui.page.fill("#stages-1-sla_minutes", "satu jam")
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Simpan sebagai versi 3").click()
    expect(ui.page.locator("#stages-1-sla_minutes-errors")).to_contain_text("bilangan bulat")
    ui.snap("process-error")


def test_monitor_enters_a_collective_leave_day(ui: UI) -> None:
    ui.sign_in("monitor")
    ui.goto("/modul")
    ui.page.get_by_role("link", name="Cuti bersama (hari yang dilewati jam SLA e-Tracking)").click()
    ui.page.fill("#day", "2026-12-24")
    ui.page.fill("#name", "Cuti bersama Natal")
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Tambah").click()
    expect(ui.page.locator(".alert-success")).to_contain_text("Cuti bersama Natal")
    expect(ui.page.locator("main table")).to_contain_text("Cuti bersama Natal")
    ui.snap("collective-leave")
    ui.page.get_by_role("link", name="Hapus Cuti bersama Natal").click()
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Hapus").click()
    expect(ui.page.locator(".alert-success")).to_contain_text("bukan lagi hari libur")


def test_settings_pages_have_no_serious_accessibility_problem(
    browser: Browser, base_url: str, app: Any, demo: Demo
) -> None:
    pages: dict[str | None, list[str]] = {
        "lead.bkd": [
            "/m/etracking/calendar",
            f"/m/etracking/processes/{_process_id(app, demo)}",
            "/m/etracking/collective-leave",
        ],
        "monitor": ["/m/etracking/collective-leave"],
    }
    problems = axe_problems(browser, base_url, pages)
    assert not problems, "\n".join(problems)
