"""The public status page on a cheap phone with JavaScript off, and the desk's receipt on a desktop,
in a real browser (screenshots under test-artifacts/screenshots/)."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from puja_indah.modules.etracking import codes
from puja_indah.modules.etracking.models import FileAction
from tests.conftest import Demo
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, UI, axe_problems
from tests.integration.etracking_files import SECRET_NUMBER, at, make_file, step

pytestmark = pytest.mark.e2e


def test_status_page_reads_at_360px_without_javascript(
    browser: Browser, base_url: str, app: Flask, demo: Demo
) -> None:
    made = make_file(app, demo.agency("BKD"), received=at("2026-11-02", "09:00"))
    step(app, made, FileAction.ADVANCE, at("2026-11-02", "10:10"))
    step(app, made, FileAction.ADVANCE, at("2026-11-02", "13:30"))
    context = browser.new_context(
        base_url=base_url, viewport={"width": PHONE, "height": 800}, java_script_enabled=False
    )
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    try:
        # The lookup form works without a script: type the code as a person would.
        page.goto("/lacak")
        expect(page.locator("h1")).to_have_text("Lacak berkas Anda")
        page.fill("#kode", codes.display(made.code).lower())
        with page.expect_navigation():
            page.get_by_role("button", name="Lihat status").click()
        assert page.url == f"{base_url}/s/{made.code}"
        expect(page.locator("h1")).to_have_text("Pencairan anggaran (SPM → SP2D)")
        expect(page.locator(".now .badge")).to_have_text("sedang diproses")
        expect(page.locator(".stages li")).to_have_count(8)
        expect(page.locator(".stages li[aria-current=step]")).to_contain_text(
            "Pemeriksaan anggaran"
        )
        assert SECRET_NUMBER not in page.content()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "etracking-status-nojs-360.png"), full_page=True)
        # Nothing sticks out sideways on the phone.
        boxes = page.locator("main, main *").evaluate_all(
            "nodes => nodes.map(n => n.getBoundingClientRect().right)"
        )
        assert max(boxes) <= PHONE + 0.5
        # The language switch is a plain form too.
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator(".now .badge")).to_have_text("in process")
        page.screenshot(path=str(SCREENSHOTS / "etracking-status-nojs-en-360.png"), full_page=True)
        assert not failed, failed
    finally:
        context.close()


def test_status_page_is_clean_with_scripts_at_both_widths(ui: UI, app: Flask, demo: Demo) -> None:
    made = make_file(app, demo.agency("DPMPTSP"), "dpmptsp_permit")
    ui.goto(f"/s/{made.code}")
    expect(ui.page.locator("h1")).to_have_text("Perizinan")
    ui.snap("status")
    ui.goto(f"/s/{codes.new_code()}", status=404)
    ui.snap("unknown")


def test_receipt_page_at_desktop_width(ui: UI, app: Flask, demo: Demo) -> None:
    made = make_file(app, demo.agency("BKD"), received=at("2026-11-02", "09:05"))
    ui.sign_in("officer.bkd")
    ui.page.set_viewport_size({"width": DESKTOP, "height": 800})
    ui.goto(f"/m/etracking/files/{made.id}/receipt")
    expect(ui.page.get_by_test_id("receipt-code")).to_have_text(codes.display(made.code))
    expect(ui.page.locator(".qr-box svg")).to_be_visible()
    ui.snap("receipt-a6")
    ui.page.get_by_role("link", name="Gulungan 58 mm").click()
    expect(ui.page.locator("body")).to_have_class("size-58mm")
    ui.snap("receipt-58mm")


def test_public_pages_and_receipt_have_no_serious_accessibility_violations(
    browser: Browser, base_url: str, app: Flask, demo: Demo
) -> None:
    made = make_file(app, demo.agency("BKD"), received=at("2026-11-02", "09:00"))
    step(app, made, FileAction.ADVANCE, at("2026-11-02", "10:10"))
    pages: dict[str | None, list[str]] = {
        None: ["/lacak", "/lacak?kode=ABC", f"/s/{made.code}", f"/s/{codes.new_code()}"],
        "officer.bkd": [
            f"/m/etracking/files/{made.id}/receipt?size={size}" for size in ("a6", "58mm")
        ],
    }
    problems = axe_problems(browser, base_url, pages)
    assert not problems, "\n".join(problems)
