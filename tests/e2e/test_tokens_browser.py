"""An officer makes an API token in the browser, sees its secret once, uses it from a program
(here: the test's HTTP client) to read the agency's innovations, then revokes it — after which
the program is refused with 401 token_revoked. Also axe at phone and desktop width."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import UI, axe_problems

pytestmark = pytest.mark.e2e


def _api(base_url: str, path: str, secret: str) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        base_url + path, headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def test_make_use_and_revoke_a_token(ui: UI) -> None:
    ui.sign_in("officer.bkd")
    ui.goto("/akun/token")
    assert ui.heading() == "Token API"
    ui.page.fill("#name", "Aplikasi ponsel meja BKD")
    ui.page.get_by_label("Baca saja").check()
    with ui.page.expect_navigation():
        ui.page.locator("main form[action$='/akun/token'] [type=submit]").click()
    secret = ui.page.locator("#token-secret").input_value()
    assert secret.startswith("pi_") and len(secret) == 46
    ui.snap("made")

    status, body = _api(ui.base_url, "/api/v1/innovations", secret)
    assert status == 200 and b'"items"' in body

    ui.goto("/akun/token")  # a reload never shows the secret again
    assert ui.page.locator("#token-secret").count() == 0
    row = ui.page.locator("tbody tr", has_text="Aplikasi ponsel meja BKD")
    expect(row).to_contain_text(secret[:11])
    expect(row).to_contain_text("aktif")
    with ui.page.expect_navigation():
        row.get_by_role("button", name="Cabut").click()
    expect(ui.page.locator("tbody tr", has_text="Aplikasi ponsel meja BKD")).to_contain_text(
        "dicabut"
    )
    ui.snap("revoked")
    status, body = _api(ui.base_url, "/api/v1/innovations", secret)
    assert status == 401 and b"token_revoked" in body


def test_token_and_docs_pages_pass_axe(browser: Browser, base_url: str) -> None:
    problems = axe_problems(browser, base_url, {"officer.bkd": ["/akun/token", "/api/v1/docs"]})
    # Swagger UI draws each operation's summary as a button inside a button-like row
    # (nested-interactive): its own markup, which a stylesheet cannot change. Everything else
    # on the page, its colours included, must pass.
    problems = [p for p in problems if not ("/api/v1/docs" in p and "nested-interactive" in p)]
    assert not problems, "\n".join(problems)
