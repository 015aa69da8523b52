"""The evidence vault in a real browser: an officer adds a document with a PDF, uploads a new
version, downloads it, publishes and deletes it; a refused file shows its reason; the monitor reads
and downloads. Pages are photographed at 360 px and 1280 px and checked with axe-core."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import expect

from tests import samples
from tests.conftest import Demo
from tests.e2e.conftest import UI
from tests.integration.test_evidence import make_innovation

pytestmark = pytest.mark.e2e


def _no_serious_violations(ui: UI) -> None:
    results = Axe().run(ui.page)
    serious = [
        f"{v['id']} {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious


def test_officer_keeps_evidence_of_an_innovation(ui: UI, app: Flask, demo: Demo) -> None:
    innovation_id = make_innovation(app, demo.agency("BKD"))
    ui.sign_in("officer.bkd")
    ui.goto(f"/innovations/{innovation_id}/evidence")
    expect(ui.page.locator("main h1")).to_contain_text("Bukti dukung")
    ui.snap("empty-list")

    ui.page.get_by_role("link", name="Tambah dokumen").click()
    ui.page.fill("#title", "SK Tim Inovasi e-tracking")
    ui.page.fill("#document_number", "800/193/2025")
    ui.page.fill("#document_date", "2025-03-01")
    # A web page renamed .pdf is refused with its reason; nothing is saved.
    ui.page.set_input_files(
        "#file", files=[{"name": "sk.pdf", "mimeType": "application/pdf", "buffer": samples.HTML}]
    )
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Simpan dokumen").click()
    expect(ui.page.locator("#file-errors")).to_contain_text("halaman web (HTML)")
    ui.snap("refused-file")

    ui.page.set_input_files(
        "#file",
        files=[{"name": "sk-tim.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}],
    )
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Simpan dokumen").click()
    expect(ui.page.locator(".alert-success")).to_contain_text("telah disimpan")
    expect(ui.page.locator("main")).to_contain_text(hashlib.sha256(samples.PDF).hexdigest())
    _no_serious_violations(ui)
    ui.snap("document")

    ui.page.get_by_role("link", name="Unggah versi baru").click()
    ui.page.set_input_files(
        "#file",
        files=[{"name": "layar.png", "mimeType": "image/png", "buffer": samples.png()}],
    )
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Unggah versi baru").click()
    expect(ui.page.locator(".alert-success")).to_contain_text("Versi 2 telah diunggah.")
    expect(ui.page.locator("#versions-title")).to_contain_text("(2)")

    with ui.page.expect_download() as info:
        ui.page.get_by_role("link", name="sk-tim.pdf").click()
    download = info.value
    assert download.suggested_filename == "sk-tim-v1.pdf"
    assert Path(download.path()).read_bytes() == samples.PDF

    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Jadikan publik").click()
    expect(ui.page.locator(".alert-success")).to_contain_text("Dokumen sekarang publik.")

    # The monitor of the region reads and downloads, without any button that writes.
    document_url = ui.page.url
    ui.sign_out()
    ui.sign_in("monitor")
    ui.page.goto(document_url)
    expect(ui.page.locator("main h1")).to_have_text("SK Tim Inovasi e-tracking")
    expect(ui.page.get_by_role("button", name="Hapus dokumen")).to_have_count(0)
    ui.snap("monitor-view")
    ui.sign_out()

    ui.sign_in("officer.bkd")
    ui.page.goto(document_url)
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Hapus dokumen").click()
    expect(ui.page.locator(".alert-success")).to_contain_text("telah dihapus")
    expect(ui.page.locator("main table")).to_contain_text("Belum ada dokumen.")
    _no_serious_violations(ui)
    ui.snap("after-delete")
