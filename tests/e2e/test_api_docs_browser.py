"""The interactive API documentation in a real browser: Swagger UI loads from our own origin
under the strict CSP (no console errors), lists the operations of the generated document, and
a signed-in officer can try a read with the browser's own session."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import UI

pytestmark = pytest.mark.e2e


def test_docs_page_lists_operations_and_tries_a_read(ui: UI) -> None:
    ui.sign_in("officer.bkd")
    ui.goto("/api/v1/docs")
    assert ui.heading() == "Dokumentasi API"
    operations = ui.page.locator(".swagger-ui .opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 4
    ui.snap("docs")

    exact = re.compile(r"^/api/v1/innovations$")
    listing = ui.page.locator(".opblock-summary-path", has_text=exact)
    listing.first.click()
    block = ui.page.locator(".opblock.is-open")
    block.locator("button.try-out__btn").click()
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200")
    expect(block.locator(".live-responses-table")).to_contain_text('"items"')
    ui.snap("tried")
