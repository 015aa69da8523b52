"""Browser tests: headless Debian Chromium (pytest-playwright) against a live server.

- The browser is the machine's `/usr/bin/chromium` (or `PUJA_CHROMIUM`), never one downloaded by
  `playwright install`. Without it the tests are skipped on a developer machine; with `CI=true` a
  skipped browser test fails the run (`pytest_runtest_makereport` below).
- The live server is a second app on the same test database as the `app` fixture, with CSRF
  protection switched ON (as in production), served by werkzeug in a background thread. Every
  browser test depends on `app`, so the root conftest restores the seeded snapshot before it.
- `ui.snap("name")` saves screenshots at 360 px (a cheap phone) and 1280 px (a desktop) under
  `test-artifacts/screenshots/` and checks the page at both widths: no horizontal scrolling on
  the phone, no console error, no failed asset, no Content-Security-Policy violation.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect
from werkzeug.serving import make_server

from puja_indah import create_app
from puja_indah.extensions import db
from puja_indah.seed import DEMO_PASSWORD
from tests.conftest import ROOT, TestDatabase, make_test_config

CHROMIUM = os.environ.get("PUJA_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI") == "true"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE, DESKTOP = 360, 1280
DEMO_DOMAIN = "demo.pujaindah.id"
# Assertions wait as long as actions do: CI runs two suites side by side on two cores, and a page
# that renders in 1 s alone can take several under that load.
expect.set_options(timeout=15_000)


# --- browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"CI=true and {message}; browser tests must run in CI.", pytrace=False)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": DESKTOP, "height": 800}}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """With CI=true a skipped browser test is a failed one: CI must prove the browser flow."""
    report = yield
    if (
        IN_CI
        and report.skipped
        and not hasattr(report, "wasxfail")
        and item.get_closest_marker("e2e") is not None
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI=true: browser test skipped ({reason}); it must run in CI."
    return report


# --- live server ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(app: Flask, test_database: TestDatabase) -> Iterator[str]:
    """Base URL of the app served over real HTTP. Requesting `app` first builds and seeds the
    database; this second app shares it but checks CSRF tokens like production does."""
    served = create_app(make_test_config(test_database, WTF_CSRF_ENABLED=True))
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with served.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """Playwright's base URL is the live server. (Defining it here also replaces
    pytest-playwright's fallback fixture, an instance method that pytest 9 deprecates.)"""
    return live_server


@pytest.fixture(autouse=True)
def _e2e_starts_from_snapshot(app: Flask) -> None:
    """Requesting `app` makes the root conftest restore the seeded snapshot and reset the rate
    limits before every browser test (the live server reads the same database)."""


# --- the page helper -----------------------------------------------------------------------------


@dataclass
class UI:
    """A Playwright page bound to the live server, with the checks every visit deserves."""

    page: Page
    base_url: str
    test_name: str
    problems: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str, status: int | tuple[int, ...] = 200) -> Response:
        response = self.page.goto(self.url(path))
        assert response is not None, f"no response for {path}"
        allowed = (status,) if isinstance(status, int) else status
        assert response.status in allowed, f"GET {path} answered {response.status}"
        return response

    def heading(self) -> str:
        return self.page.locator("main h1").first.inner_text().strip()

    def sign_in(self, account: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in through the form; the caller checks where it lands."""
        self.goto("/masuk")
        self.page.fill("#email", f"{account}@{DEMO_DOMAIN}")
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.locator("main form #submit").click()

    def sign_out(self) -> None:
        button = self.page.locator("nav form[action$='/keluar'] button")
        self.open_menu_if_collapsed(button)
        with self.page.expect_navigation():
            button.click()

    def choose_language(self, language: str) -> None:
        select = self.page.locator("#language-select")
        self.open_menu_if_collapsed(select)
        select.select_option(language)
        with self.page.expect_navigation():
            self.page.get_by_test_id("apply-language").click()

    def open_menu_if_collapsed(self, target: Any) -> None:
        """On a phone the navbar is collapsed behind its toggler (Bootstrap's JS opens it)."""
        if target.is_visible():
            return
        self.page.locator(".navbar-toggler").click()
        expect(target).to_be_visible()

    def expect_language(self, language: str) -> None:
        expect(self.page.locator("html")).to_have_attribute("lang", language)

    def snap(self, name: str) -> None:
        """Screenshots at phone and desktop widths; checks the page at both."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-zA-Z0-9_.-]+", "-", f"{self.test_name}-{name}").strip("-")
        original = self.page.viewport_size or {"width": DESKTOP, "height": 800}
        for width in (PHONE, DESKTOP):
            self.page.set_viewport_size({"width": width, "height": 800})
            self.page.screenshot(path=str(SCREENSHOTS / f"{slug}-{width}.png"), full_page=True)
            if width == PHONE:
                overflow = self.page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 1, f"{name}: {overflow}px of horizontal scrolling at 360px"
        self.page.set_viewport_size(original)
        self.assert_clean()

    def assert_clean(self) -> None:
        body = self.page.locator("body").inner_text()
        assert "Traceback" not in body and "Werkzeug Debugger" not in body
        problems, self.problems[:] = list(self.problems), []
        assert not problems, "browser reported problems:\n" + "\n".join(problems)


def _watch(ui: UI) -> None:
    def on_console(message: ConsoleMessage) -> None:
        # A refused page (403/404) is logged by Chromium as a failed resource; responses are
        # checked by status below, so only other errors (CSP violations, script errors) count.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            ui.problems.append(f"console: {message.text}")

    def on_response(response: Response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            ui.problems.append(f"asset {response.url} answered {response.status}")

    ui.page.on("console", on_console)
    ui.page.on("pageerror", lambda error: ui.problems.append(f"script error: {error}"))
    ui.page.on("response", on_response)


@pytest.fixture
def ui(page: Page, live_server: str, request: pytest.FixtureRequest) -> UI:
    page.set_default_timeout(15_000)
    # "test_language_switch[chromium-admin]" → "language_switch-admin"
    name = re.sub(r"^test_|\[chromium\]$|\]$", "", request.node.name)
    name = name.replace("[chromium-", "-").replace("[", "-")
    helper = UI(page=page, base_url=live_server, test_name=name)
    _watch(helper)
    return helper


# --- accessibility -------------------------------------------------------------------------------

BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def sign_in_page(page: Page, account: str) -> None:
    page.goto("/masuk")
    page.fill("#email", f"{account}@{DEMO_DOMAIN}")
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form #submit").click()


def axe_problems(browser: Browser, base_url: str, pages: dict[str | None, list[str]]) -> list[str]:
    """Serious or critical axe-core violations of each account's pages (None: signed out) at phone
    and desktop width, one line per violation. axe injects its script through the DevTools
    protocol, so the page's strict CSP (no inline script) is bypassed in these contexts only."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for account, paths in pages.items():
        for width in (PHONE, DESKTOP):
            context = browser.new_context(
                base_url=base_url, viewport={"width": width, "height": 800}, bypass_csp=True
            )
            page = context.new_page()
            if account:
                sign_in_page(page, account)
            for path in paths:
                page.goto(path)
                for violation in axe.run(page).response["violations"]:
                    if violation["impact"] in BLOCKING_IMPACTS:
                        targets = [node["target"] for node in violation["nodes"]][:3]
                        problems.append(f"{account} {width}px {path}: {violation['id']} {targets}")
            context.close()
    return problems
