"""What a user sees in a real browser: signing in per role, the language switch, refusals and the
sign-in lockout. Every visited page is photographed at 360 px and 1280 px (see conftest.UI.snap).
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import expect

from puja_indah.seed import DEMO_PASSWORD
from tests.conftest import Demo
from tests.e2e.conftest import UI

pytestmark = pytest.mark.e2e

# Landing page of each demo account: the main heading and the role shown in the navbar.
LANDINGS = {
    "officer.bkd": ("Badan Keuangan Daerah", "Operator inovasi OPD"),
    "lead.bkd": ("Badan Keuangan Daerah", "Pimpinan OPD"),
    "monitor": ("Kabupaten Bombana", "Pemantau daerah (Diskominfos)"),
    "reviewer": ("Semua daerah", "Peninjau nasional (Kemendagri)"),
    "admin": ("Semua daerah", "Administrator platform"),
}
# Which of the shared screens each role finds in the navbar (core/permissions.py decides).
NAV_SCREENS = {"/opd", "/pengguna", "/jejak-audit"}
EXPECTED_NAV = {
    "officer.bkd": set(),
    "lead.bkd": {"/pengguna", "/jejak-audit"},
    "monitor": {"/opd", "/pengguna", "/jejak-audit"},
    "reviewer": {"/opd", "/jejak-audit"},
    "admin": {"/opd", "/pengguna", "/jejak-audit"},
}
REFUSAL_HEADINGS = {"Akses ditolak", "Tidak ditemukan"}


def nav_paths(ui: UI) -> list[str]:
    hrefs = ui.page.locator("nav a.nav-link").evaluate_all("links => links.map(a => a.pathname)")
    return [h for h in dict.fromkeys(hrefs) if h != "/"]


@pytest.mark.parametrize("account", list(LANDINGS))
def test_each_role_signs_in_to_its_home_page_and_opens_its_menu(ui: UI, account: str) -> None:
    ui.goto("/masuk")
    ui.expect_language("id")
    expect(ui.page.locator("main h1")).to_have_text("Masuk")
    ui.snap("sign-in")

    ui.sign_in(account)
    heading, role = LANDINGS[account]
    assert ui.page.url == ui.url("/")
    expect(ui.page.locator("main h1").first).to_have_text(heading)
    expect(ui.page.locator("nav")).to_contain_text(role)
    ui.snap("home")

    paths = nav_paths(ui)
    assert NAV_SCREENS & set(paths) == EXPECTED_NAV[account]
    for path in paths:
        ui.goto(path)
        ui.expect_language("id")
        ui.snap(path.strip("/"))


def test_language_switch_is_remembered_for_the_user(ui: UI) -> None:
    ui.sign_in("officer.bkd")
    ui.expect_language("id")
    expect(ui.page.get_by_role("button", name="Keluar")).to_be_visible()

    ui.choose_language("en")
    ui.expect_language("en")
    assert ui.page.url == ui.url("/")  # the switch returns to the page it was made on
    expect(ui.page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(ui.page.locator("nav")).to_contain_text("Home")
    ui.snap("english")

    ui.sign_out()
    expect(ui.page.locator("main h1")).to_be_visible()
    ui.sign_in("officer.bkd")
    ui.expect_language("en")  # remembered on the account, not only in the old session
    ui.snap("english-after-sign-in")

    # Back to Indonesian from a phone: the selector sits in the collapsed menu.
    ui.page.set_viewport_size({"width": 360, "height": 800})
    ui.choose_language("id")
    ui.expect_language("id")
    ui.page.set_viewport_size({"width": 1280, "height": 800})
    expect(ui.page.get_by_role("button", name="Keluar")).to_be_visible()
    expect(ui.page.locator("nav")).to_contain_text("Beranda")
    ui.snap("indonesian-again")


def test_sign_out_ends_the_session(ui: UI) -> None:
    ui.sign_in("lead.bkd")
    ui.sign_out()
    assert ui.page.url.startswith(ui.url("/masuk"))
    expect(ui.page.get_by_role("alert")).to_contain_text("Anda telah keluar dari semua perangkat.")
    ui.snap("signed-out")
    ui.goto("/")  # the home page sends a signed-out visitor back to the sign-in page
    assert ui.page.url.startswith(ui.url("/masuk"))


def test_officer_opening_another_agency_gets_a_friendly_refusal(ui: UI, demo: Demo) -> None:
    ui.sign_in("officer.bkd")
    for path in (f"/opd/{demo.agency('DPMPTSP')}", "/opd", "/pengguna", "/jejak-audit"):
        ui.goto(path, status=(403, 404))
        ui.expect_language("id")
        assert ui.heading() in REFUSAL_HEADINGS, f"{path}: {ui.heading()!r}"
        expect(ui.page.get_by_role("link", name="Kembali ke beranda")).to_be_visible()
        ui.snap(f"refused-{path.strip('/').replace('/', '-')}")
    # The refusal did not sign the officer out.
    ui.goto("/")
    expect(ui.page.locator("main h1").first).to_have_text("Badan Keuangan Daerah")


def test_monitor_opens_an_agency_page_of_the_region(ui: UI, demo: Demo) -> None:
    ui.sign_in("monitor")
    ui.goto(f"/opd/{demo.agency('BKD')}")
    expect(ui.page.locator("main h1").first).to_contain_text("Badan Keuangan Daerah")
    ui.snap("agency-page")


def test_visitor_is_asked_to_sign_in_and_then_taken_where_they_wanted(ui: UI) -> None:
    ui.goto("/opd")
    assert ui.page.url.startswith(ui.url("/masuk"))
    expect(ui.page.get_by_role("alert")).to_contain_text("Silakan masuk untuk membuka halaman itu.")
    ui.snap("asked-to-sign-in")
    ui.page.fill("#email", "monitor@demo.pujaindah.id")
    ui.page.fill("#password", DEMO_PASSWORD)
    with ui.page.expect_navigation():
        ui.page.locator("main form #submit").click()
    assert ui.page.url == ui.url("/opd")


def test_repeated_failures_lock_the_account_with_time_to_retry(ui: UI, app: Flask) -> None:
    attempts = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    window_minutes = int(app.config["LOGIN_THROTTLE_WINDOW"].total_seconds() // 60)
    for _ in range(attempts):
        ui.sign_in("officer.bkd", password="Salah-sekali-123")
        expect(ui.page.get_by_role("alert")).to_have_text("E-mail atau kata sandi salah.")
    ui.snap("wrong-password")

    # Now even the right password is refused, and the message says how long to wait.
    ui.goto("/masuk")
    ui.page.fill("#email", "officer.bkd@demo.pujaindah.id")
    ui.page.fill("#password", DEMO_PASSWORD)
    with ui.page.expect_navigation() as navigation:
        ui.page.locator("main form #submit").click()
    response = navigation.value
    assert response is not None and response.status == 429
    message = ui.page.get_by_role("alert").inner_text()
    found = re.search(r"Coba lagi dalam (\d+) menit", message)
    assert found, message
    assert 1 <= int(found.group(1)) <= window_minutes
    assert message.startswith("Terlalu banyak percobaan masuk yang gagal.")
    assert ui.page.url.startswith(ui.url("/masuk"))
    ui.snap("locked-out")
