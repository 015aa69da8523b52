"""In a real browser: Disdukcapil's desk officer mistypes a NIK on the intake form and is told
exactly what is wrong beside the field, then registers the request. Photographed at 360 px and
1280 px (ui.snap also checks for horizontal scrolling at 360 px)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import UI

pytestmark = pytest.mark.e2e


def test_intake_with_a_nik_error_then_registered(ui: UI) -> None:
    ui.sign_in("officer.disdukcapil")
    ui.goto("/m/eminduk/requests/new?kind=KTP")
    expect(ui.page.locator("main h1")).to_have_text("Permohonan administrasi kependudukan baru")
    ui.page.fill("#applicant_name", "Wa Ode Demo")
    ui.page.fill("#nik", "740601310290001")  # 15 digits
    for box in ui.page.locator("input[name=ticked]").all():
        box.check()
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Daftarkan permohonan").click()
    expect(ui.page.locator("#nik-errors")).to_have_text("NIK harus 16 angka (Anda mengetik 15).")
    expect(ui.page.locator("#nik")).to_have_attribute("aria-invalid", "true")
    ui.snap("intake-nik-error")

    ui.page.fill("#nik", "7406013102900001")  # 31 February
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Daftarkan permohonan").click()
    expect(ui.page.locator("#nik-errors")).to_have_text(
        "Tanggal lahir dalam NIK tidak valid: 31-02."
    )
    ui.page.fill("#nik", "7406014507900001")
    for box in ui.page.locator("input[name=ticked]").all():
        box.check()
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Daftarkan permohonan").click()
    expect(ui.page.locator(".alert-success")).to_contain_text("Permohonan terdaftar.")
    expect(ui.page.locator("main")).to_contain_text("7406014507900001")
    ui.snap("request-page")
