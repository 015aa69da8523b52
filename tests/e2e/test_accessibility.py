"""axe-core (shipped inside axe-playwright-python) over the main screens of each role: no
serious or critical accessibility violation (labels, contrast, landmarks, names)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from puja_indah.seed import DEMO_PASSWORD
from tests.e2e.conftest import DEMO_DOMAIN, DESKTOP, PHONE

pytestmark = pytest.mark.e2e

PAGES = {
    None: ["/masuk", "/katalog"],
    "officer.bkd": [
        "/",
        "/profil-opd",
        "/akun/kata-sandi",
        "/replications",
        "/replications/new",
        "/replications/sources?q=a",
        "/innovations",
        "/innovations/new",
    ],
    "monitor": ["/", "/opd", "/sk", "/pengguna", "/pengguna/baru", "/jejak-audit", "/opd/baru"],
    "reviewer": ["/", "/opd", "/jejak-audit", "/innovations"],
}
BLOCKING = {"serious", "critical"}


@pytest.mark.parametrize("account", list(PAGES), ids=lambda a: a or "anonymous")
def test_no_serious_accessibility_violations(
    app: Any, browser: Browser, base_url: str, account: str | None
) -> None:
    axe = Axe()
    problems = []
    for width in (PHONE, DESKTOP):
        # axe injects its script through the DevTools protocol; the page's strict CSP (no
        # inline script) is left in force for everything else in the other browser tests.
        context = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": 800}, bypass_csp=True
        )
        page = context.new_page()
        if account:
            page.goto("/masuk")
            page.fill("#email", f"{account}@{DEMO_DOMAIN}")
            page.fill("#password", DEMO_PASSWORD)
            with page.expect_navigation():
                page.locator("main form #submit").click()
        for path in PAGES[account]:
            page.goto(path)
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in BLOCKING:
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    problems.append(f"{width}px {path}: {violation['id']} {targets}")
        context.close()
    assert not problems, "\n".join(problems)
