"""In a real browser: a parent opens a demo school's public page, sends feedback (with the CSRF
token the live server checks), and is told it will appear after review. Photographed at 360 px
and 1280 px (conftest.UI.snap)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import expect

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.epintar.models import School
from tests.e2e.conftest import UI

pytestmark = pytest.mark.e2e


def test_parent_sends_feedback_on_a_school_page(ui: UI, app: Flask) -> None:
    with app.app_context(), scoped(Scope.system("tests: e-pintar school"), db.session):
        school_id = db.session.scalar(sa.select(School.id).where(School.npsn == "99990001"))
        db.session.remove()
    ui.goto("/sekolah")
    ui.snap("epintar-school-list")
    ui.goto(f"/sekolah/{school_id}")
    expect(ui.page.locator("main h1")).to_contain_text("SD Negeri 1 Rumbia (demo)")
    ui.snap("epintar-school-page")
    ui.page.get_by_label("4", exact=True).check()
    ui.page.get_by_label("Orang tua").check()
    ui.page.fill("#comment", "Gurunya ramah.")
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Kirim masukan").click()
    expect(ui.page.locator("main")).to_contain_text("akan tampil setelah ditinjau")
    expect(ui.page.locator("main")).not_to_contain_text("Gurunya ramah.")


def test_officer_approves_feedback_and_it_shows(ui: UI, app: Flask) -> None:
    with app.app_context(), scoped(Scope.system("tests: e-pintar school"), db.session):
        school_id = db.session.scalar(sa.select(School.id).where(School.npsn == "99990002"))
        db.session.remove()
    ui.goto(f"/sekolah/{school_id}")
    ui.page.get_by_label("5", exact=True).check()
    ui.page.get_by_label("Siswa").check()
    ui.page.fill("#comment", "Perpustakaan lengkap.")
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Kirim masukan").click()

    ui.sign_in("officer.dikbud")
    ui.goto("/m/epintar/feedback")
    expect(ui.page.locator("main")).to_contain_text("Perpustakaan lengkap.")
    ui.snap("epintar-moderation")
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Setujui").click()
    expect(ui.page.locator("main")).to_contain_text("Masukan disetujui")
    ui.goto("/m/epintar/participation")
    ui.snap("epintar-participation")
    ui.goto("/m/epintar/announcements")
    ui.snap("epintar-announcements")
    ui.goto(f"/sekolah/{school_id}")
    expect(ui.page.locator("main")).to_contain_text("Perpustakaan lengkap.")
