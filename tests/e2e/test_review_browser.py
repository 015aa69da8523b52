"""In a real browser: the Kemendagri reviewer finds a BKD innovation in the workspace with its
filters, opens its review page and marks one indicator "needs revision" with a note and an
accepted level; then BKD's officer sees that decision on the self-assessment page. Pages are
photographed at 360 px and 1280 px and checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import Demo
from tests.e2e.conftest import UI, axe_problems
from tests.integration.review_helpers import make_innovation

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("no_demo_innovations")]

NOTE = "Lampirkan Perbup tentang e-tracking, bukan hanya SK Kepala BKD."


def test_reviewer_decision_appears_on_the_agency_page(ui: UI, app: Any, demo: Demo) -> None:
    innovation = make_innovation(
        app,
        demo.agency("BKD"),
        "E-tracking pencairan anggaran",
        claims={16: (3, True), 17: (2, True)},
    )
    make_innovation(app, demo.agency("DPMPTSP"), "E-tracking perizinan", claims={16: (1, True)})
    make_innovation(app, demo.agency("BKAD", "74.05"), "E-tracking Konsel")

    ui.sign_in("reviewer")
    ui.goto("/review")
    expect(ui.page.locator("main h1")).to_have_text("Ruang kerja penilai")
    expect(ui.page.locator("#review-table tbody tr")).to_have_count(3)
    # Filter: BKD's agency and a part of the name. The agency select lists a region's agencies
    # once the region is chosen and the form sent (no JavaScript needed).
    expect(ui.page.locator("main")).to_contain_text("Pilih daerah lalu tekan Saring")
    ui.page.select_option("#region", label="Kabupaten Bombana")
    with ui.page.expect_navigation():
        ui.page.locator("#filter-submit").click()
    ui.page.select_option("#agency", value=str(demo.agency("BKD")))
    ui.page.fill("#q", "pencairan")
    ui.page.select_option("#status", value="not_reviewed")
    with ui.page.expect_navigation():
        ui.page.locator("#filter-submit").click()
    rows = ui.page.locator("#review-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("E-tracking pencairan anggaran")
    expect(rows.first).to_contain_text("Belum dinilai")
    ui.snap("workspace")

    with ui.page.expect_navigation():
        rows.first.get_by_role("link", name="E-tracking pencairan anggaran").click()
    expect(ui.page.locator("main h1")).to_contain_text("Penilaian 2026")
    card = ui.page.locator("#ind-16")
    expect(card.locator("[data-evidence='16']")).to_contain_text("16/BKD/2026")
    card.locator("#ind16-verdict-1").check()  # needs revision
    card.locator("#ind16-accepted_level").select_option("2")
    card.locator("#ind16-note").fill(NOTE)
    with ui.page.expect_navigation():
        card.locator("#ind16-submit").click()
    expect(ui.page.locator(".alert-success")).to_contain_text(
        "Keputusan indikator 16 tersimpan: Perlu perbaikan."
    )
    decided = ui.page.locator("#ind-16 [data-review='16']")
    expect(decided).to_contain_text("Perlu perbaikan")
    expect(decided).to_contain_text("diterima pada P2")
    expect(ui.page.locator("#review-summary")).to_contain_text("1 perlu perbaikan")
    ui.snap("review")
    ui.sign_out()

    ui.sign_in("officer.bkd")
    ui.goto(f"/innovations/{innovation}/assessment/2026")
    decision = ui.page.locator("[data-review='16']")
    expect(decision).to_contain_text("Perlu perbaikan")
    expect(decision).to_contain_text("diterima pada P2")
    expect(decision).to_contain_text(NOTE)
    expect(decision).to_contain_text("Reviewer Kemendagri (demo)")
    expect(ui.page.locator("[data-review='17']")).to_have_count(0)
    ui.snap("self-assessment")


@pytest.mark.parametrize("account", ["reviewer", "officer.bkd", "monitor"])
def test_review_pages_have_no_serious_accessibility_violations(
    app: Any, demo: Demo, browser: Browser, base_url: str, account: str
) -> None:
    from tests.integration.review_helpers import decide_as_reviewer

    innovation = make_innovation(
        app, demo.agency("BKD"), "Inovasi a11y", claims={16: (2, True), 17: (1, True)}
    )
    decide_as_reviewer(app, innovation, 16, "needs_revision", 1, "Perlu SK Bupati")
    paths = {
        "reviewer": ["/review", "/review?status=bogus", f"/review/innovations/{innovation}/2026"],
        "officer.bkd": [f"/innovations/{innovation}/assessment/2026", f"/innovations/{innovation}"],
        "monitor": ["/assessment/region/2026", f"/innovations/{innovation}/assessment/2026"],
    }[account]
    problems = axe_problems(browser, base_url, {account: paths})
    assert not problems, "\n".join(problems)
