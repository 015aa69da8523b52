"""In a real browser: an officer adds a milestone with an attached document and sees it on the
innovation's timeline and in the progress overview; the monitor reads the roll-up and edits the
reference lists. Pages are photographed at 360 px and 1280 px and checked with axe-core."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import Demo
from tests.e2e.conftest import UI, axe_problems
from tests.integration.progress_helpers import make_innovation

# These tests make their own innovations (names of the seeded ones): start without those.
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("no_demo_innovations")]


def test_officer_adds_a_milestone_and_sees_the_timeline(ui: UI, app: Any, demo: Demo) -> None:
    ids = make_innovation(
        app,
        demo.agency("BKD"),
        "E-tracking pencairan anggaran",
        affair="5.02",
        milestones=((date(2025, 1, 10), 25),),
        documents=("SK Kepala BKD tentang e-tracking",),
    )
    ui.sign_in("officer.bkd")
    ui.goto(f"/innovations/{ids['innovation']}/timeline")
    expect(ui.page.locator("#progress-value")).to_have_text("25 %")
    ui.page.get_by_role("link", name="Tambah tonggak capaian").click()
    expect(ui.page.locator("main h1")).to_have_text("Tambah tonggak capaian")
    ui.snap("milestone-form")
    ui.page.fill("#happened_on", "2025-03-15")
    ui.page.fill("#title", "Uji coba di lima OPD selesai")
    ui.page.fill("#progress", "70")
    ui.page.check("#public")
    ui.page.select_option("#evidence_ids", label="SK Kepala BKD tentang e-tracking")
    with ui.page.expect_navigation():
        ui.page.locator("main form #submit").click()
    expect(ui.page.locator(".alert-success")).to_contain_text("Tonggak capaian telah ditambahkan.")
    expect(ui.page.locator("#progress-value")).to_have_text("70 %")
    newest = ui.page.locator("ol.timeline > li").first
    expect(newest).to_contain_text("Uji coba di lima OPD selesai")
    expect(newest).to_contain_text("SK Kepala BKD tentang e-tracking")
    expect(newest).to_contain_text("Publik")
    ui.snap("timeline")

    ui.goto("/progress")
    expect(ui.page.locator("#by-agency")).to_contain_text("70,0 %")
    ui.snap("progress")


def test_monitor_reads_the_roll_up_and_flags_an_affair(ui: UI, app: Any, demo: Demo) -> None:
    make_innovation(
        app,
        demo.agency("DPMPTSP"),
        "E-tracking perizinan",
        affair="2.18",
        milestones=((date(2025, 2, 1), 40),),
    )
    ui.sign_in("monitor")
    ui.goto("/progress")
    expect(ui.page.locator("#total")).to_contain_text("40,0 %")
    ui.snap("progress-monitor")
    ui.goto("/reference/affairs")
    ui.page.get_by_role("link", name="Penanaman Modal").click()
    ui.page.check("#basic_service")
    with ui.page.expect_navigation():
        ui.page.locator("main form #submit").click()
    expect(ui.page.locator("#basic-count")).to_contain_text("Ditandai sebagai pelayanan dasar: 7")
    ui.snap("affairs")
    ui.goto("/reference/themes?year=2026")
    expect(ui.page.locator("main table")).to_contain_text("data demo")
    ui.snap("themes")


@pytest.mark.parametrize("account", ["officer.bkd", "monitor"])
def test_progress_pages_have_no_serious_accessibility_violations(
    app: Any, demo: Demo, browser: Browser, base_url: str, account: str
) -> None:
    ids = make_innovation(
        app, demo.agency("BKD"), "Inovasi a11y", milestones=((date(2025, 1, 1), 50),)
    )
    paths = [
        f"/innovations/{ids['innovation']}/timeline",
        "/progress",
        "/reference/affairs",
        "/reference/themes",
        "/reference/initiator-kinds",
    ]
    if account == "officer.bkd":
        paths.append(f"/innovations/{ids['innovation']}/milestones/new")
    else:
        paths += ["/reference/affairs/new", "/reference/themes/new"]
    problems = axe_problems(browser, base_url, {account: paths})
    assert not problems, "\n".join(problems)
