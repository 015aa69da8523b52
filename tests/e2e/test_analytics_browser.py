"""In a real browser: the BKD desk's SLA analytics (seeded demo history) and the agency view of
the region's monitor, photographed at 360 px and 1280 px, plus the figures on the innovation."""

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

pytestmark = [pytest.mark.e2e]


def _spm(app: Any) -> int:
    with app.app_context(), scoped(Scope.system("tests: process"), db.session):
        found = db.session.scalar(sa.select(Process.id).where(Process.code == "spm_sp2d"))
        db.session.remove()
    return int(found)


def test_desk_staff_and_monitor_read_the_sla_analytics(ui: UI, app: Any, demo: Demo) -> None:
    ui.sign_in("lead.bkd")
    ui.goto("/m/etracking/")
    ui.page.get_by_role("link", name="Analitik SLA").first.click()
    expect(ui.page.locator("main h1")).to_contain_text("Analitik SLA")
    expect(ui.page.locator("#stage-table tbody tr")).to_have_count(7)
    ui.snap("sla-analytics")
    ui.goto(f"/m/etracking/{_spm(app)}/analytics?from=2026-99-01")
    expect(ui.page.locator(".alert-warning")).to_contain_text("TTTT-BB-HH")
    ui.sign_out()

    ui.sign_in("monitor")
    ui.goto(f"/m/etracking/agency/{demo.agency('DPMPTSP')}/analytics")
    expect(ui.page.locator("#f-process")).to_be_visible()
    expect(ui.page.locator("#peak-table")).to_contain_text("Oktober–November")
    ui.snap("sla-analytics-agency")


def test_analytics_pages_have_no_serious_accessibility_violations(
    app: Any, demo: Demo, browser: Browser, base_url: str
) -> None:
    pages: dict[str | None, list[str]] = {
        "lead.bkd": [f"/m/etracking/{_spm(app)}/analytics"],
        "monitor": [f"/m/etracking/agency/{demo.agency('DPMPTSP')}/analytics"],
    }
    problems = axe_problems(browser, base_url, pages)
    assert not problems, "\n".join(problems)
