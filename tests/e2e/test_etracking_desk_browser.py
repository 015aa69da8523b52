"""In a real browser: a BKD desk officer registers an SPM, opens it again by its tracking code
(typed in lower case with spaces), advances it, returns it with a reason and resumes it. Every
page is photographed at 360 px and 1280 px into the test's tmp dir (conftest.UI.snap checks
there is no horizontal scrolling on the phone, no console error and no CSP violation)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e import conftest as e2e
from tests.e2e.conftest import UI

pytestmark = pytest.mark.e2e


def test_desk_registers_opens_and_moves_an_spm(
    ui: UI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(e2e, "SCREENSHOTS", tmp_path)
    page = ui.page
    ui.sign_in("officer.bkd")
    ui.goto("/m/etracking/")
    ui.snap("desk-home")

    with page.expect_navigation():
        page.get_by_role("link", name="Daftarkan berkas").first.click()
    expect(page.locator("main h1")).to_have_text("Daftarkan berkas")
    ui.snap("intake-type")
    # The script submits the type step as soon as a type is chosen.
    with page.expect_navigation():
        page.select_option("#kind", label="SPM Langsung (LS)")
    expect(page.locator("main")).to_contain_text("Kuitansi")

    page.select_option("#submitter_agency_id", label="Badan Keuangan Daerah")
    page.fill("#internal_number", "SPM-LS/0007/2026")
    page.fill("#amount", "-5")
    with page.expect_navigation():
        page.locator("main form #submit").click()
    expect(page.locator("#amount-errors")).to_contain_text("Nilai tidak boleh negatif.")
    expect(page.locator("#ticked-errors")).to_have_count(0)
    page.fill("#amount", "12.500.000,50")
    boxes = page.locator("input[name=ticked]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    ui.snap("intake-checklist")
    with page.expect_navigation():
        page.locator("main form #submit").click()
    expect(page.locator(".alert-success")).to_contain_text("Kode lacaknya")
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    expect(page.locator("main")).to_contain_text("Rp 12.500.000,50")
    ui.snap("file-registered")

    ui.goto("/m/etracking/open")
    # No BarcodeDetector in headless Chromium on Linux: the scan button stays hidden.
    expect(page.locator("#scan-start")).to_be_hidden()
    page.fill("#code", " ".join(code.lower().split("-")))
    ui.snap("open-by-code")
    with page.expect_navigation():
        page.locator("#open-submit").click()
    expect(page.get_by_test_id("tracking-code")).to_have_text(code)

    with page.expect_navigation():
        page.get_by_role("button", name="Teruskan ke tahap berikutnya").click()
    expect(page.locator(".alert-success")).to_contain_text("Pemeriksaan kelengkapan")

    page.fill("#reason-return", "Kuitansi belum bermeterai")
    with page.expect_navigation():
        page.get_by_role("button", name="Kembalikan untuk perbaikan").click()
    expect(page.locator(".alert-success")).to_contain_text("dikembalikan untuk perbaikan")
    expect(page.locator("main")).to_contain_text("Kuitansi belum bermeterai")
    ui.snap("file-returned")

    with page.expect_navigation():
        page.get_by_role("button", name="Lanjutkan (berkas perbaikan diterima)").click()
    expect(page.locator(".alert-success")).to_contain_text("Berkas kembali diproses")
    ui.snap("file-resumed")

    with page.expect_navigation():
        page.locator("main .breadcrumb a").nth(1).click()
    expect(page.locator("main h1")).to_contain_text("Antrean")
    expect(page.locator("main")).to_contain_text("SPM-LS/0007/2026")
    ui.snap("queue")
    for png in ("file-resumed-360.png", "queue-1280.png"):
        assert any(p.name.endswith(png) for p in tmp_path.iterdir())
