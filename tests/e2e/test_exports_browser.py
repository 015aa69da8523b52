"""In a real browser: a reviewer asks for the region's XLSX from the progress roll-up, downloads
it and the test opens it (sheets, IID header order, a value against the database); a large
export runs on a real queue (SQLite huey, a consumer thread in this process) and the page shows
its progress bar moving, survives a reload and ends with the download link. Pages are
photographed at 360 px and 1280 px and checked with axe-core."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, expect

from puja_indah import create_app, jobs
from puja_indah.core.models import Agency, Region
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin, Stage
from puja_indah.reports import tasks
from tests.conftest import Demo, TestDatabase, make_test_config
from tests.e2e.conftest import UI, axe_problems
from tests.integration.test_exports import IID_HEADERS

pytestmark = pytest.mark.e2e
# More rows than EXPORT_INLINE_MAX_ROWS (200): the region export becomes a background job.
MANY = 240


def _many_innovations(app: Flask, demo: Demo) -> None:
    agencies = [demo.agency(code) for code in ("BKD", "DPMPTSP", "DIKBUD")]
    with app.app_context(), scoped(Scope.system("tests: many innovations"), db.session):
        region = db.session.scalar(sa.select(Agency.region_id).where(Agency.id == agencies[0]))
        for number in range(MANY):
            name = f"Inovasi Ekspor {number:03d}"
            db.session.add(
                Innovation(
                    agency_id=agencies[number % len(agencies)],
                    region_id=region,
                    origin=Origin.OWN,
                    stage=Stage.TRIAL if number % 2 else Stage.INITIATIVE,
                    name=name,
                    name_key=name.casefold(),
                    goals=f"Tujuan {number}",
                )
            )
        db.session.commit()
        db.session.remove()


def _bombana_innovations(app: Flask) -> dict[str, str]:
    with app.app_context(), scoped(Scope.system("tests: read"), db.session):
        rows = db.session.execute(
            sa.select(Innovation.name, Innovation.goals)
            .join(Region, Region.id == Innovation.region_id)
            .where(Region.code == "74.06")
        ).all()
        db.session.remove()
    return {name: goals for name, goals in rows}


def test_reviewer_exports_the_region_workbook_from_the_roll_up(
    ui: UI, app: Flask, demo: Demo, tmp_path: Path
) -> None:
    _many_innovations(app, demo)
    ui.sign_in("reviewer")
    ui.goto(f"/progress?region={demo.regions['74.06']}")
    menu = ui.page.locator("#rollup-exports form").first
    expect(menu).to_be_visible()
    ui.snap("roll-up-with-exports")
    menu.locator("select[name=format]").select_option("xlsx")
    with ui.page.expect_navigation():
        menu.get_by_role("button", name="Ekspor").click()
    # Immediate queue (the live server's test config): the job is done when the page opens.
    expect(ui.page.locator("main h1")).to_contain_text("Buku kerja wilayah")
    link = ui.page.locator("#export-download-link")
    expect(link).to_be_visible()
    expect(ui.page.locator("#export-status")).to_have_text("Siap")
    ui.snap("job-done")
    with ui.page.expect_download() as download_info:
        link.click()
    target = tmp_path / "region.xlsx"
    download_info.value.save_as(target)

    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames == ["Profil Inovasi", "Klaim indikator", "Replikasi", "SLA e-tracking"]
    rows = list(book["Profil Inovasi"].iter_rows(values_only=True))
    assert list(rows[0][: len(IID_HEADERS)]) == IID_HEADERS
    expected = _bombana_innovations(app)
    assert {row[0] for row in rows[1:]} == set(expected)
    goals = rows[0].index("Tujuan Inovasi")
    sample = next(row for row in rows[1:] if row[0] == "Inovasi Ekspor 123")
    assert sample[goals] == expected["Inovasi Ekspor 123"] == "Tujuan 123"

    ui.goto("/exports")
    expect(ui.page.locator("#export-jobs")).to_contain_text("Buku kerja wilayah")
    ui.snap("my-exports")


@pytest.fixture
def real_queue(app: Flask, test_database: TestDatabase, tmp_path: Path) -> Iterator[None]:
    """A SQLite huey queue and a one-thread consumer in this process, for the live server (the
    queue object is shared by every app of the process); the immediate queue is put back after."""
    worker = create_app(
        make_test_config(
            test_database,
            HUEY_IMMEDIATE=False,
            HUEY_SQLITE_PATH=str(tmp_path / "jobs.sqlite3"),
            EXPORT_PROGRESS_EVERY=5,
        )
    )
    jobs.set_worker_app(worker)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = jobs.huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        yield
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        jobs.init_app(app)  # immediate again, as the test config says
        jobs.set_worker_app(app)
        with worker.app_context():
            db.engine.dispose()


def test_a_large_export_shows_progress_and_completes(
    ui: UI,
    app: Flask,
    demo: Demo,
    real_queue: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _many_innovations(app, demo)
    real_call = tasks.Progress.__call__

    def slowly(self: tasks.Progress, count: int) -> None:
        time.sleep(0.03)  # ~10 s for the whole workbook: slow enough to watch the bar move
        real_call(self, count)

    monkeypatch.setattr(tasks.Progress, "__call__", slowly)
    ui.sign_in("monitor")
    ui.goto("/progress")
    menu = ui.page.locator("#rollup-exports form").first
    menu.locator("select[name=format]").select_option("xlsx")
    with ui.page.expect_navigation():
        menu.get_by_role("button", name="Ekspor").click()
    bar = ui.page.locator("#export-progress")
    # The bar moves (polled by the page's script) before the job is done.
    ui.page.wait_for_function(
        "() => { const b = document.getElementById('export-progress');"
        " return b && b.value > 0 && b.value < 100; }",
        timeout=30_000,
    )
    expect(ui.page.locator("#export-status")).to_have_text("Sedang dibuat")
    ui.snap("job-running")
    before = float(bar.get_attribute("value") or 0)
    ui.page.reload()  # survives a reload: the state is in our own table
    expect(ui.page.locator("main h1")).to_contain_text("Buku kerja wilayah")
    expect(ui.page.locator("#export-download-link")).to_be_visible(timeout=60_000)
    expect(ui.page.locator("#export-status")).to_have_text("Siap")
    assert float(bar.get_attribute("value") or 0) == 100 > before
    ui.snap("job-finished")
    with ui.page.expect_download() as download_info:
        ui.page.locator("#export-download-link").click()
    path = tmp_path / "large.xlsx"
    download_info.value.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["Profil Inovasi"].iter_rows(values_only=True))
    assert len(rows) - 1 == len(_bombana_innovations(app)) >= MANY


def test_export_pages_pass_axe(
    browser: Browser, base_url: str, app: Any, demo: Demo, login: Callable[[str], FlaskClient]
) -> None:
    _many_innovations(app, demo)
    # A job of the monitor's own, asked through the app (its page is the monitor's only).
    asked = login("monitor").post(
        "/exports", data={"kind": "region", "format": "xlsx", "region_id": demo.regions["74.06"]}
    )
    job_page = urlsplit(asked.headers["Location"]).path
    problems = axe_problems(browser, base_url, {"monitor": [job_page, "/exports", "/progress"]})
    assert not problems, "\n".join(problems)
