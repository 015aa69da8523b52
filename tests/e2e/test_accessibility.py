"""axe-core (shipped inside axe-playwright-python) over the main screens of each role: no
serious or critical accessibility violation (labels, contrast, landmarks, names)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import axe_problems

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


@pytest.mark.parametrize("account", list(PAGES), ids=lambda a: a or "anonymous")
def test_no_serious_accessibility_violations(
    app: Any, browser: Browser, base_url: str, account: str | None
) -> None:
    problems = axe_problems(browser, base_url, {account: PAGES[account]})
    assert not problems, "\n".join(problems)
