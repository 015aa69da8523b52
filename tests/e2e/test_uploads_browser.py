"""Evidence files in a real browser (CSRF on, Indonesian, 360/1280 px): an officer's PNG for an
indicator that takes only PDF is refused beside its field; a PDF is then uploaded right in the
self-assessment and scores; once the document is public and the innovation published, a visitor
downloads the file from the public catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import expect

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation
from tests import samples
from tests.conftest import Demo
from tests.e2e.conftest import UI
from tests.integration.test_replications import make_innovation

pytestmark = pytest.mark.e2e


def test_officer_uploads_in_the_self_assessment_and_a_visitor_downloads(
    ui: UI, app: Flask, demo: Demo
) -> None:
    innovation_id = make_innovation(app, demo.agency("BKD"), "E-Tracking Unggah")
    ui.sign_in("officer.bkd")
    ui.goto(f"/innovations/{innovation_id}/assessment/2026")
    section = ui.page.locator("#ind-16-title").locator("xpath=ancestor::section")
    ui.page.locator("#ind_16-level-3").check()
    section.locator("summary").click()
    expect(section.locator("[data-accepted='16']")).to_contain_text("PDF 20 MB")
    ui.page.fill("#ind_16-doc_number", "188.4/12/2026")
    ui.page.fill("#ind_16-doc_subject", "Perbup inovasi daerah")
    ui.page.set_input_files(
        "#ind_16-doc_file",
        files=[{"name": "foto.png", "mimeType": "image/png", "buffer": samples.png()}],
    )
    with ui.page.expect_navigation():
        ui.page.locator("#save").click()
    expect(ui.page.locator("#ind_16-doc_file-errors")).to_contain_text("PNG")
    expect(ui.page.locator("#sid-sum")).to_contain_text("0,00")
    ui.snap("refused-png")

    # The typed fields are kept; the file is chosen again.
    ui.page.set_input_files(
        "#ind_16-doc_file",
        files=[{"name": "perbup.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}],
    )
    with ui.page.expect_navigation():
        ui.page.locator("#save").click()
    expect(ui.page.get_by_role("alert").first).to_contain_text("1 klaim disimpan.")
    expect(ui.page.locator("#sid-sum")).to_contain_text("9,00")
    ui.snap("saved-with-file")

    with app.app_context(), scoped(Scope.system("tests: e2e uploads"), db.session):
        evidence_id = db.session.scalar(
            sa.select(Evidence.id).where(Evidence.innovation_id == innovation_id)
        )
        db.session.execute(
            sa.update(Innovation).where(Innovation.id == innovation_id).values(published=True)
        )
        db.session.commit()
        db.session.remove()
    ui.goto(f"/innovations/{innovation_id}/evidence/{evidence_id}")
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Jadikan publik").click()
    ui.sign_out()

    ui.goto(f"/katalog/{innovation_id}")
    with ui.page.expect_download() as info:
        ui.page.get_by_role("link", name="Unduh berkas").click()
    download = info.value
    assert download.suggested_filename == "perbup-v1.pdf"
    assert Path(download.path()).read_bytes() == samples.PDF
    ui.snap("public-page")
