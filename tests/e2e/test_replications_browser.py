"""In a real browser: an officer of BKD (Bombana) finds a published innovation of Konawe Selatan,
logs its replication, moves it to agreement, and the source's public page names BKD as a
replicating agency. Pages are photographed at 360 px and 1280 px (conftest.UI.snap)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import expect

from puja_indah.core.clock import today_wita
from tests.conftest import Demo
from tests.e2e.conftest import UI
from tests.integration.test_replications import make_innovation

pytestmark = pytest.mark.e2e


def test_officer_logs_a_replication_of_another_regions_innovation(
    ui: UI, app: Flask, demo: Demo
) -> None:
    source = make_innovation(
        app,
        demo.agency("BKAD", "74.05"),
        "SIPANDU Konsel",
        published=True,
        summary="Layanan pengaduan keuangan daerah.",
    )
    ui.sign_in("officer.bkd")
    ui.goto("/replications")
    expect(ui.page.locator("main h1")).to_have_text("Replikasi")
    ui.snap("replications-empty")

    ui.page.get_by_role("link", name="Replikasi inovasi di platform").click()
    ui.page.fill("#q", "Konawe")
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Cari").click()
    expect(ui.page.locator("main")).to_contain_text("SIPANDU Konsel")
    ui.snap("replication-sources")

    with ui.page.expect_navigation():
        ui.page.get_by_role("link", name="Replikasi SIPANDU Konsel").click()
    expect(ui.page.locator("main")).to_contain_text("Badan Keuangan dan Aset Daerah")
    ui.page.select_option("#mode", "adapt")
    ui.page.fill("#replica_name", "SIPANDU Bombana")
    ui.page.fill("#started_on", (today_wita() - timedelta(days=7)).isoformat())
    ui.snap("replication-new")
    with ui.page.expect_navigation():
        ui.page.locator("main form #submit").click()
    expect(ui.page.locator(".alert-success")).to_contain_text("SIPANDU Konsel")
    expect(ui.page.locator("main")).to_contain_text("SIPANDU Bombana")
    ui.snap("replication-detail")

    with ui.page.expect_navigation():
        ui.page.get_by_role("link", name="Ubah status").click()
    ui.page.select_option("#to_status", "perjanjian")
    ui.page.fill("#changed_on", today_wita().isoformat())
    with ui.page.expect_navigation():
        ui.page.locator("main form #submit").click()
    expect(ui.page.locator("main")).to_contain_text("Minat → Perjanjian")

    # The source's public page, for anyone: BKD replicated it, Bombana counts as one region.
    ui.sign_out()
    ui.goto(f"/katalog/{source}")
    expect(ui.page.locator("main h1")).to_have_text("SIPANDU Konsel")
    expect(ui.page.locator("main table")).to_contain_text("Badan Keuangan Daerah")
    expect(ui.page.locator("main")).to_contain_text(
        "Daerah lain yang mereplikasinya (sudah perjanjian atau lebih, tidak dihentikan): 1"
    )
    ui.snap("catalogue-innovation")
    ui.goto("/katalog")
    expect(ui.page.locator("main")).to_contain_text("SIPANDU Konsel")
    ui.snap("catalogue")
