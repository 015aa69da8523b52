"""In a real browser: a BKD desk officer registers an SPM, opens it again by its tracking code
(typed in lower case with spaces), advances it, returns it with a reason and resumes it. Every
page is photographed at 360 px and 1280 px into the test's tmp dir (conftest.UI.snap checks
there is no horizontal scrolling on the phone, no console error and no CSP violation)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, expect

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking.models import Process
from tests.conftest import Demo
from tests.e2e import conftest as e2e
from tests.e2e.conftest import UI, axe_problems
from tests.integration.test_etracking_desk_screens import Desk, _register

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
    expect(page.locator("main")).to_contain_text("Rp12.500.000,50")
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


def _registered_file(
    app: Flask, login: Callable[[str], FlaskClient], demo: Demo
) -> tuple[Desk, int, str]:
    """An SPM-LS registered at BKD's desk through the app's own client (shared database)."""
    officer = login("officer.bkd")
    with app.app_context(), scoped(Scope.system("tests: desk"), db.session):
        process_id = db.session.scalar(
            sa.select(Process.id).where(
                Process.agency_id == demo.agency("BKD"), Process.code == "spm_sp2d"
            )
        )
        db.session.remove()
    assert process_id
    intake = officer.get(f"/m/etracking/{process_id}/intake").text
    kind = re.search(r'<option value="(\d+)">SPM Langsung', intake)
    assert kind
    form = officer.get(f"/m/etracking/{process_id}/intake?kind={kind.group(1)}").text
    checklist = re.findall(r'type="checkbox" value="([^"]+)"', form)
    desk = Desk(process_id, {"LS": (int(kind.group(1)), checklist)}, demo.agency("DPMPTSP"))
    file_id = _register(officer, desk)
    page = officer.get(f"/m/etracking/files/{file_id}").text
    code = re.search(r'data-testid="tracking-code">([^<]+)<', page)
    assert code
    return desk, file_id, code.group(1)


def test_desk_screens_have_no_serious_accessibility_violations(
    app: Flask, browser: Browser, base_url: str, login: Callable[[str], FlaskClient], demo: Demo
) -> None:
    desk, file_id, _code = _registered_file(app, login, demo)
    kind_id = desk.kinds["LS"][0]
    paths = [
        "/m/etracking/",
        desk.url("intake"),
        desk.url(f"intake?kind={kind_id}"),
        desk.url("queue"),
        "/m/etracking/open?code=abc",
        f"/m/etracking/files/{file_id}",
    ]
    problems = axe_problems(browser, base_url, {"officer.bkd": paths})
    assert not problems, "\n".join(problems)


# A stand-in for the camera and for Chromium's BarcodeDetector (absent on headless Linux): the
# "camera" is a canvas stream and the detector "reads" the status address of the file under test.
FAKE_SCANNER = """
window.__scanned = "";
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
  constructor(options) { this.options = options; }
  detect(source) { return Promise.resolve([{ rawValue: window.__scanned }]); }
};
navigator.mediaDevices.getUserMedia = function () {
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  canvas.getContext("2d").fillRect(0, 0, 64, 64);
  return Promise.resolve(canvas.captureStream(5));
};
"""


def test_scanning_the_receipt_qr_opens_the_file(
    ui: UI, app: Flask, login: Callable[[str], FlaskClient], demo: Demo
) -> None:
    _desk, file_id, code = _registered_file(app, login, demo)

    ui.page.add_init_script(FAKE_SCANNER)
    ui.sign_in("officer.bkd")
    ui.goto("/m/etracking/open")
    start = ui.page.locator("#scan-start")
    expect(start).to_be_visible()
    ui.page.evaluate(
        "code => { window.__scanned = location.origin + '/s/' + code; }",
        code.replace("-", ""),
    )
    with ui.page.expect_navigation(url=re.compile(rf"/m/etracking/files/{file_id}$")):
        start.click()
    expect(ui.page.get_by_test_id("tracking-code")).to_have_text(code)
    ui.assert_clean()
