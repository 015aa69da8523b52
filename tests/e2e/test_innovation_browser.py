"""In a real browser: an officer registers the agency's assigned innovation, fills the profile
(the rancang bangun's word count updates as it is typed), submits it as complete and moves it to
the trial stage; the stage history shows both steps."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import expect

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.innovations.models import DESIGN_SECTIONS, Innovation
from tests.conftest import Demo
from tests.e2e.conftest import UI

pytestmark = pytest.mark.e2e


def _forget_seeded_innovation(app: Flask, demo: Demo) -> None:
    """Start as if BKD had not registered its assigned innovation yet."""
    with app.app_context(), scoped(Scope.system("tests: fresh agency"), db.session):
        db.session.execute(sa.delete(Innovation).where(Innovation.agency_id == demo.agency("BKD")))
        db.session.commit()
        db.session.remove()


def test_officer_registers_completes_and_moves_the_assigned_innovation(
    ui: UI, app: Flask, demo: Demo
) -> None:
    _forget_seeded_innovation(app, demo)
    page = ui.page
    ui.sign_in("officer.bkd")
    ui.goto("/innovations")
    expect(page.locator("main h1")).to_have_text("Inovasi")
    ui.snap("list")
    page.get_by_role("link", name="Inovasi baru").click()
    expect(page.locator("main h1")).to_have_text("Inovasi baru")

    page.fill("#name", "E-tracking pencairan anggaran")
    page.select_option("#origin", "assigned")
    page.select_option("#appointment_id", index=1)
    page.fill("#summary", "Setiap berkas SPM mendapat tanda terima dengan kode QR.")
    page.select_option("#initiator_kind_id", index=1)
    page.fill("#initiator_name", "Kepala BKD")
    page.select_option("#kind", "digital")
    page.select_option("#form", "pelayanan_publik")
    page.select_option("#theme_id", index=1)
    page.select_option("#affair_id", index=1)
    page.select_option("#developed_further", "no")
    page.fill("#goals", "Mempercepat pencairan anggaran.")
    page.fill("#benefits", "OPD memantau berkasnya dari ponsel.")
    counter = page.locator("#design-word-count")
    expect(counter).to_have_text("0")
    for name in DESIGN_SECTIONS:
        page.fill(f"#{name}", " ".join(["tahapan"] * 55))
    expect(counter).to_have_text(str(55 * len(DESIGN_SECTIONS)))
    ui.snap("form")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim sebagai lengkap").click()
    expect(page.locator(".alert-success")).to_contain_text("disimpan sebagai lengkap")
    expect(page.locator("main")).to_contain_text("Lengkap")
    ui.snap("detail")

    page.get_by_role("link", name="Ubah tahapan").click()
    expect(page.locator("#to_stage")).to_have_value("uji_coba")
    today = datetime.now(ZoneInfo("Asia/Makassar")).date().isoformat()
    expect(page.locator("#changed_on")).to_have_value(today)
    ui.snap("stage")
    with page.expect_navigation():
        page.get_by_role("button", name="Catat perubahan").click()
    expect(page.locator(".alert-success")).to_contain_text("Perubahan tahapan telah dicatat.")
    timeline = page.locator(".stage-timeline li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(1)).to_contain_text("Inisiatif → Uji coba")
    ui.snap("after-move")
