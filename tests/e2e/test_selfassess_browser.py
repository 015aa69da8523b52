"""The self-assessment and the index panel in a real browser (CSRF on, Indonesian, 360/1280 px):
an officer claims a level with a new evidence document and sees the score; the monitor sees the
region's index and runs a what-if that saves nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import expect

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin
from puja_indah.reference.models import Affair
from tests.conftest import Demo
from tests.e2e.conftest import UI

pytestmark = pytest.mark.e2e


@pytest.fixture
def innovation(app: Flask, demo: Demo) -> int:
    with app.app_context(), scoped(Scope.system("tests: e2e innovation"), db.session):
        affair = db.session.scalar(sa.select(Affair.id).where(Affair.code == "1.01"))
        row = Innovation(
            agency_id=demo.agency("BKD"),
            region_id=demo.regions["74.06"],
            origin=Origin.OWN,
            name="E-Tracking Pencairan",
            name_key="e-tracking pencairan",
            affair_id=affair,
            implementation_date=date(2025, 3, 1),
        )
        db.session.add(row)
        db.session.commit()
        innovation_id = row.id
        db.session.remove()
    return innovation_id


def test_officer_claims_and_monitor_runs_a_what_if(
    ui: UI, innovation: int, table_counts: Callable[[], dict[str, int]]
) -> None:
    ui.sign_in("officer.bkd")
    ui.goto(f"/innovations/{innovation}/assessment/2026")
    expect(ui.page.locator("main h1")).to_have_text("Penilaian mandiri 2026")
    expect(ui.page.get_by_role("note").first).to_contain_text("belum diverifikasi")
    ui.snap("self-assessment-empty")
    # Indicator 16 (weight 3) at P3 with a new document: 9 points.
    ui.page.locator("#ind_16-level-3").check()
    ui.page.locator("#ind-16-title").locator("xpath=ancestor::section//summary").click()
    ui.page.fill("#ind_16-doc_number", "188.4/12/2026")
    ui.page.fill("#ind_16-doc_subject", "Perbup inovasi daerah")
    # Indicator 17 at P2 without evidence: counts 0.
    ui.page.locator("#ind_17-level-2").check()
    with ui.page.expect_navigation():
        ui.page.locator("#save").click()
    expect(ui.page.get_by_role("alert").first).to_contain_text("2 klaim disimpan.")
    expect(ui.page.locator("#sid-sum")).to_contain_text("9,00")
    expect(ui.page.locator("[data-score='17']")).to_contain_text("tanpa bukti dukung: bernilai 0")
    ui.snap("self-assessment-saved")
    ui.sign_out()

    ui.sign_in("monitor")
    ui.goto("/assessment/index/2026")
    expect(ui.page.locator("[data-field='iid']").first).to_have_text("0,30")
    ui.snap("index-panel")
    before = table_counts()
    ui.page.fill("#add-0-name", "Inovasi hipotetis")
    ui.page.select_option("#add-0-level", "3")
    with ui.page.expect_navigation():
        ui.page.locator("#compute").click()
    expect(ui.page.locator("#what-if-result")).to_be_visible()
    # Σ 9 + 111 = 120 over MAX(12, 2) = 10; IID = 10 / 250 × 100 = 4.00
    expect(ui.page.locator("#what-if-result [data-field='iid']")).to_have_text("4,00")
    ui.snap("index-what-if")
    counts = {k: v for k, v in table_counts().items() if k not in ("login_sessions",)}
    assert counts == {k: v for k, v in before.items() if k not in ("login_sessions",)}
