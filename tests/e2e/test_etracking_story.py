"""The BKD e-tracking story in a real browser (CSRF on, Indonesian), only through the UI:

the desk officer notes today's SLA analytics, registers an SPM-LS that DPMPTSP brings, prints its
receipt (HTML and PDF), a phone-sized browser without JavaScript and without signing in opens the
receipt's status address; clerks move the file through every stage — a return for correction and
its resumption included, the Kuasa BUD's signature by the lead only — to "dana disalurkan"; the
submitting OPD (DPMPTSP) sees the completed file in its own list; the public page says completed;
and the analytics of today count the file's exit from every stage.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from puja_indah.core.clock import today_wita
from tests.e2e.conftest import PHONE, SCREENSHOTS, UI

pytestmark = pytest.mark.e2e

NUMBER = "SPM-LS/0101/DPMPTSP/XI/2026"
AMOUNT = "48.250.000"
PROCESS = "Pencairan anggaran (SPM → SP2D)"
NON_TERMINAL = (
    "received",
    "completeness",
    "ceiling",
    "accounting",
    "sp2d_draft",
    "sp2d_signed",
    "to_bank",
)


def _exits_per_stage(ui: UI, url: str) -> dict[str, int]:
    """Today's "left the stage" column of the analytics' per-stage table."""
    ui.goto(url)
    return {
        stage: int(ui.page.locator(f"#stage-table tr[data-stage='{stage}'] td").nth(1).inner_text())
        for stage in NON_TERMINAL
    }


def _step(page: Page, button: str, flash: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    expect(page.locator(".alert-success")).to_contain_text(flash)


def _open_status_on_phone(
    browser: Browser, base_url: str, path: str
) -> tuple[Page, BrowserContext]:
    phone = browser.new_context(
        base_url=base_url, viewport={"width": PHONE, "height": 740}, java_script_enabled=False
    )
    page = phone.new_page()
    response = page.goto(path)
    assert response is not None and response.status == 200
    return page, phone


def test_bkd_spm_from_the_desk_to_the_submitter_and_the_analytics(
    ui: UI, browser: Browser, base_url: str
) -> None:
    page = ui.page
    today = today_wita().isoformat()

    # 0. The desk officer notes today's analytics of the SPM process.
    ui.sign_in("officer.bkd")
    ui.goto("/m/etracking/")
    with page.expect_navigation():
        page.get_by_role("link", name="Analitik SLA").first.click()
    analytics_url = page.url.split("?")[0].removeprefix(ui.base_url) + f"?from={today}&to={today}"
    before = _exits_per_stage(ui, analytics_url)

    # 1. Intake: DPMPTSP brings an SPM-LS with every document of its checklist.
    ui.goto("/m/etracking/")
    with page.expect_navigation():
        page.get_by_role("link", name="Daftarkan berkas").first.click()
    with page.expect_navigation():
        page.select_option("#kind", label="SPM Langsung (LS)")
    page.select_option(
        "#submitter_agency_id", label="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
    )
    page.fill("#internal_number", NUMBER)
    page.fill("#amount", AMOUNT)
    boxes = page.locator("input[name=ticked]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    ui.snap("1-intake")
    with page.expect_navigation():
        page.locator("main form #submit").click()
    expect(page.locator(".alert-success")).to_contain_text("Kode lacaknya")
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    file_path = page.url.removeprefix(ui.base_url)
    ui.snap("1-file-registered")

    # 2. The receipt: the code, a QR of the status address, and the same as a 58 mm PDF.
    with page.expect_navigation():
        page.get_by_role("link", name="Cetak tanda terima").click()
    expect(page.get_by_test_id("receipt-code")).to_have_text(code)
    expect(page.locator(".qr-box svg")).to_be_visible()
    howto = page.locator(".howto").inner_text()
    # 12 Crockford characters and the check symbol, which may also be one of * ~ $ = U.
    found = re.search(r"/s/[0-9A-Z*~$=]{13}", howto)
    assert found, howto
    status_path = found.group(0)
    assert status_path == "/s/" + code.replace("-", "")
    pdf = page.request.get(f"{ui.base_url}{file_path}/receipt.pdf?size=58mm")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert pdf.headers["content-type"].startswith("application/pdf")

    # 3. A phone opens the receipt's address: no sign-in, no script, nothing private.
    phone_page, phone = _open_status_on_phone(browser, base_url, status_path)
    expect(phone_page.locator("h1")).to_have_text(PROCESS)
    expect(phone_page.locator(".stages li[aria-current=step]")).to_contain_text("Berkas diterima")
    html = phone_page.content()
    assert AMOUNT not in html and NUMBER not in html
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone_page.screenshot(path=str(SCREENSHOTS / "etracking-story-phone-status-360.png"))
    phone.close()

    # 4. Clerks move it: a return for correction and its resumption on the way.
    ui.goto(file_path)
    _step(page, "Teruskan ke tahap berikutnya", "Pemeriksaan kelengkapan")
    page.fill("#reason-return", "Faktur pajak belum ditandatangani")
    _step(page, "Kembalikan untuk perbaikan", "dikembalikan untuk perbaikan")
    expect(page.locator("main")).to_contain_text("Faktur pajak belum ditandatangani")
    ui.snap("4-returned")
    _step(page, "Lanjutkan (berkas perbaikan diterima)", "Berkas kembali diproses")
    for next_stage in (
        "Pemeriksaan pagu anggaran",
        "Verifikasi akuntansi dan pajak",
        "Penyiapan SP2D",
        "Penandatanganan SP2D oleh Kuasa BUD",
    ):
        _step(page, "Teruskan ke tahap berikutnya", next_stage)
    # Only the lead (Kuasa BUD) signs the SP2D: the officer is told so, with no button.
    expect(page.locator("main")).to_contain_text(
        "Peran Anda tidak dapat memproses berkas di tahap ini."
    )
    expect(page.get_by_role("button", name="Teruskan ke tahap berikutnya")).to_have_count(0)
    ui.sign_out()
    ui.sign_in("lead.bkd")
    ui.goto(file_path)
    _step(page, "Teruskan ke tahap berikutnya", "Dikirim ke bank")
    _step(page, "Teruskan ke tahap berikutnya", "Berkas selesai.")
    expect(page.locator("main")).to_contain_text("selesai")
    ui.snap("4-completed")
    ui.sign_out()

    # 5. The submitting OPD sees it among its own files, completed.
    ui.sign_in("officer.dpmptsp")
    ui.goto("/kiriman")
    expect(page.locator("main")).to_contain_text(NUMBER)
    with page.expect_navigation():
        page.get_by_role("link", name=NUMBER).click()
    expect(page.locator("main")).to_contain_text("selesai")
    expect(page.locator("main")).to_contain_text("Faktur pajak belum ditandatangani")
    ui.snap("5-submitter")
    ui.sign_out()

    # 6. The public page says completed.
    phone_page, phone = _open_status_on_phone(browser, base_url, status_path)
    expect(phone_page.locator(".now .badge")).to_have_text("selesai")
    phone.close()

    # 7. Today's analytics count the file leaving every stage once.
    ui.sign_in("officer.bkd")
    after = _exits_per_stage(ui, analytics_url)
    assert {stage: after[stage] - before[stage] for stage in NON_TERMINAL} == dict.fromkeys(
        NON_TERMINAL, 1
    )
    ui.snap("7-analytics")
