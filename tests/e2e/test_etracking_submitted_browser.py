"""In a real browser: an officer of DPMPTSP opens the files the agency submitted to BKD's SPM
desk, reads one file's history and asks for e-mail when it changes stage. Pages are photographed
at 360 px and 1280 px (conftest.UI.snap)."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from puja_indah.modules.etracking.models import FileAction
from tests.conftest import Demo
from tests.e2e.conftest import UI
from tests.integration.test_etracking_submitted import make_file, step

pytestmark = pytest.mark.e2e


def test_submitting_agency_follows_its_files_and_subscribes(
    ui: UI, app: Flask, demo: Demo, no_demo_files: None
) -> None:
    file_id = make_file(app, demo, "DPMPTSP", "SPM-LS/0042/DPMPTSP/III/2026")
    step(app, file_id, FileAction.ADVANCE)
    step(app, file_id, FileAction.RETURN, reason="Kuitansi belum ditandatangani bendahara.")
    make_file(app, demo, "DPMPTSP", "SPM-GU/0043/DPMPTSP/III/2026", amount="7500000.00")
    make_file(app, demo, "DISTAN", "SPM-LS/0099/DISTAN/III/2026")

    ui.sign_in("officer.dpmptsp")
    link = ui.page.get_by_role("link", name="Berkas kiriman")
    ui.open_menu_if_collapsed(link)
    with ui.page.expect_navigation():
        link.click()
    expect(ui.page.locator("main h1")).to_have_text("Berkas kiriman perangkat daerah kami")
    expect(ui.page.locator("main")).to_contain_text("2 berkas ditemukan")
    expect(ui.page.locator("main")).not_to_contain_text("DISTAN")
    ui.snap("submitted-list")

    with ui.page.expect_navigation():
        ui.page.get_by_role("link", name="SPM-LS/0042/DPMPTSP/III/2026").click()
    expect(ui.page.locator("main")).to_contain_text("Kuitansi belum ditandatangani bendahara.")
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Kirim email saat berkas ini pindah tahap").click()
    expect(ui.page.locator("main")).to_contain_text("Anda akan menerima email")
    expect(ui.page.get_by_role("button", name="Hentikan email")).to_be_visible()
    ui.snap("submitted-file")
