"""The whole registry story in a real browser (CSRF on, Indonesian, 360/1280 px), only through the
UI: the monitor notes the region's index; an officer of BKD registers the agency's assigned
innovation from its decree appointment, fills the whole profile and submits it as complete, moves
it through uji coba to penerapan (dated changes in its history), adds a milestone, uploads a PDF
to the evidence vault, self-assesses the newest year with that document, logs a replication of a
Konawe Selatan innovation up to perjanjian and publishes; anyone reads the public page; the
monitor sees the region's index change.

Prepared in the database only what others own or what must not be there: a published innovation
of Konawe Selatan (the replication source), and no seeded BKD draft. The seeded draft records the
2018 launch of E-tracking, outside the 2026 scoring window (implemented 2025-01-01 … 2026-12-31),
so it could never move the 2026 index; the officer registers the innovation afresh instead.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import expect

from puja_indah.core.clock import today_wita
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.innovations.models import DESIGN_SECTIONS, Innovation, ProfileStatus, Stage
from tests import samples
from tests.conftest import Demo
from tests.e2e.conftest import UI
from tests.integration.test_replications import make_innovation

pytestmark = pytest.mark.e2e

NAME = "E-tracking pencairan anggaran"
DOCUMENT = "SK Kepala BKD tentang Tim E-tracking"

# Six sections of 55 words each: 330 words, over the 300 the rancang bangun needs.
DESIGN_TEXT = {
    "design_legal_basis": "Peraturan Bupati Bombana tentang tata kelola keuangan daerah",
    "design_problem": "Berkas SPM menumpuk dan OPD tidak tahu posisi berkasnya",
    "design_strategic_issues": "Pencairan anggaran lambat menghambat belanja pelayanan publik",
    "design_method": "Setiap berkas mendapat tanda terima dengan kode QR",
    "design_advantages": "OPD dan rekanan memantau tahapan berkas dari ponsel",
    "design_how_it_works": "Petugas memindai kode QR di setiap meja verifikasi",
}


def _words(sentence: str, count: int = 55) -> str:
    words = sentence.split()
    return " ".join(words[i % len(words)] for i in range(count))


def _prepare(app: Flask, demo: Demo) -> int:
    """No seeded BKD draft; a published, complete innovation of Konawe Selatan to replicate."""
    with app.app_context(), scoped(Scope.system("tests: registry story"), db.session):
        db.session.execute(sa.delete(Innovation).where(Innovation.agency_id == demo.agency("BKD")))
        db.session.commit()
        db.session.remove()
    return make_innovation(
        app,
        demo.agency("BKAD", "74.05"),
        "SIPANDU Konsel",
        published=True,
        status=ProfileStatus.COMPLETE,
        stage=Stage.IMPLEMENTATION,
        summary="Layanan pengaduan keuangan daerah.",
    )


def _index_figures(ui: UI) -> dict[str, str]:
    saved = ui.page.locator("section[aria-labelledby='result-title']")
    return {
        name: saved.locator(f"[data-field='{name}']").inner_text().strip()
        for name in ("count", "sid-sum", "sid", "iid")
    }


def test_officer_story_from_registration_to_the_monitors_index(
    ui: UI, app: Flask, demo: Demo
) -> None:
    page = ui.page
    _prepare(app, demo)
    today = today_wita().isoformat()

    # 0. The monitor notes the region's index for the newest year before anything happens.
    ui.sign_in("monitor")
    page.get_by_role("link", name="Panel indeks").first.click()
    expect(page.locator("main h1")).to_have_text(re.compile(r"^Panel indeks 2026"))
    before = _index_figures(ui)
    ui.snap("0-index-before")
    ui.sign_out()

    # 1. The officer registers the assigned innovation and submits the whole profile as complete.
    ui.sign_in("officer.bkd")
    page.get_by_role("link", name="Inovasi", exact=True).first.click()
    expect(page.locator("main h1")).to_have_text("Inovasi")
    page.get_by_role("link", name="Inovasi baru").click()
    expect(page.locator("main h1")).to_have_text("Inovasi baru")
    page.fill("#name", NAME)
    page.select_option("#origin", "assigned")
    page.select_option("#appointment_id", index=1)
    page.fill("#summary", "Setiap berkas SPM mendapat tanda terima dengan kode QR.")
    page.select_option("#initiator_kind_id", index=1)
    page.fill("#initiator_name", "Kepala BKD")
    page.select_option("#kind", "digital")
    page.select_option("#form", "pelayanan_publik")
    page.select_option("#theme_id", index=1)
    page.select_option("#affair_id", index=1)
    page.select_option("#developed_further", "no")
    page.fill("#goals", "Mempercepat pencairan anggaran.")
    page.fill("#benefits", "OPD memantau berkasnya dari ponsel.")
    page.fill("#results_before", "Berkas SPM diproses rata-rata tujuh hari kerja.")
    page.fill("#results_after", "Berkas SPM diproses rata-rata tiga hari kerja.")
    page.fill("#budget_note", "DPA BKD, APBD Kabupaten Bombana.")
    page.fill("#challenges", "Jaringan internet di beberapa kecamatan lemah.")
    page.fill("#success_conditions", "Komitmen pimpinan dan petugas di setiap meja.")
    page.fill("#lessons", "Tanda terima sederhana sudah mengubah kebiasaan.")
    page.fill("#replication_prerequisites", "Pemindai kode QR dan SOP pencairan.")
    for name in DESIGN_SECTIONS:
        page.fill(f"#{name}", _words(DESIGN_TEXT[name]))
    expect(page.locator("#design-word-count")).to_have_text(str(55 * len(DESIGN_SECTIONS)))
    ui.snap("1-profile-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim sebagai lengkap").click()
    expect(page.locator(".alert-success")).to_contain_text("disimpan sebagai lengkap")
    expect(page.locator("main h1")).to_have_text(NAME)
    expect(page.locator("main")).to_contain_text("Lengkap")
    expect(page.locator("main")).to_contain_text(f"SK 193 Tahun 2018 · {NAME}")
    detail_url = page.url
    ui.snap("1-profile-complete")

    # 2. Dated stage changes: to uji coba, then to penerapan (which dates the implementation).
    page.get_by_role("link", name="Ubah tahapan").click()
    expect(page.locator("#to_stage")).to_have_value("uji_coba")
    expect(page.locator("#changed_on")).to_have_value(today)
    ui.snap("2-stage-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Catat perubahan").click()
    expect(page.locator(".alert-success")).to_contain_text("Perubahan tahapan telah dicatat.")
    page.get_by_role("link", name="Ubah tahapan").click()
    expect(page.locator("#to_stage")).to_have_value("penerapan")
    page.fill("#note", "Diterapkan di seluruh OPD setelah uji coba.")
    with page.expect_navigation():
        page.get_by_role("button", name="Catat perubahan").click()
    expect(page.locator(".alert-success")).to_contain_text("Perubahan tahapan telah dicatat.")
    history = page.locator(".stage-timeline li")
    expect(history).to_have_count(3)
    expect(history.nth(1)).to_contain_text("Inisiatif → Uji coba")
    expect(history.nth(2)).to_contain_text("Uji coba → Penerapan")
    expect(history.nth(2)).to_contain_text(str(today_wita().year))
    expect(page.locator("#h-dates").locator("xpath=..")).to_contain_text(str(today_wita().year))
    ui.snap("2-stage-history")

    # 4a. A real PDF into the evidence vault (used by the milestone and the self-assessment).
    page.get_by_role("link", name="Dokumen bukti dukung").click()
    expect(page.locator("main h1")).to_contain_text("Bukti dukung")
    page.get_by_role("link", name="Tambah dokumen").click()
    page.fill("#title", DOCUMENT)
    page.fill("#document_number", "800/77/2026")
    page.fill("#document_date", today)
    page.set_input_files(
        "#file",
        files=[{"name": "sk-tim.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}],
    )
    ui.snap("4a-evidence-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan dokumen").click()
    expect(page.locator(".alert-success")).to_contain_text("telah disimpan")
    expect(page.locator("main h1")).to_have_text(DOCUMENT)
    ui.snap("4a-evidence-document")

    # 3. A milestone with its progress, on the innovation's timeline.
    page.goto(detail_url)
    page.get_by_role("link", name="Linimasa dan capaian").click()
    page.get_by_role("link", name="Tambah tonggak capaian").click()
    expect(page.locator("main h1")).to_have_text("Tambah tonggak capaian")
    page.fill("#happened_on", today)
    page.fill("#title", "Diterapkan di seluruh OPD")
    page.fill("#progress", "60")
    page.check("#public")
    page.select_option("#evidence_ids", label=f"{DOCUMENT} (800/77/2026)")
    ui.snap("3-milestone-form")
    with page.expect_navigation():
        page.locator("main form #submit").click()
    expect(page.locator(".alert-success")).to_contain_text("Tonggak capaian telah ditambahkan.")
    expect(page.locator("#progress-value")).to_have_text("60 %")
    expect(page.locator("ol.timeline > li").first).to_contain_text("Diterapkan di seluruh OPD")
    ui.snap("3-timeline")

    # 4b. Self-assessment of the newest year: mandatory 16 and 17 with the uploaded document,
    # 18 without evidence (counts 0); the preview recalculates, saving keeps the score.
    page.goto(detail_url)
    page.get_by_role("link", name="Penilaian mandiri 2026").click()
    expect(page.locator("main h1")).to_have_text("Penilaian mandiri 2026")
    expect(page.locator("#sid-sum")).to_contain_text("0,00")
    for number, level in ((16, 1), (17, 2)):
        page.locator(f"#ind_{number}-level-{level}").check()
        card = page.locator(f"section[aria-labelledby='ind-{number}-title']")
        card.get_by_label(re.compile("^800/77/2026")).check()
    page.locator("#ind_18-level-2").check()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Hitung ulang")).click()
    expect(page.get_by_role("alert").first).to_contain_text("belum ada yang disimpan")
    # 3 × 1 + 2 × 2 = 7
    expect(page.locator("#sid-sum")).to_contain_text("7,00")
    ui.snap("4b-self-assessment-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan klaim").click()
    expect(page.get_by_role("alert").first).to_contain_text("3 klaim disimpan.")
    expect(page.locator("#sid-sum")).to_contain_text("7,00")
    expect(page.locator("[data-score='16']")).to_contain_text("3,00 × 1 = 3,00")
    expect(page.locator("[data-score='18']")).to_contain_text("tanpa bukti dukung: bernilai 0")
    ui.snap("4b-self-assessment-saved")

    # 5. A replication of Konawe Selatan's innovation, found by search, moved to perjanjian.
    page.get_by_role("link", name="Replikasi", exact=True).first.click()
    expect(page.locator("main h1")).to_have_text("Replikasi")
    page.get_by_role("link", name="Replikasi inovasi di platform").click()
    page.fill("#q", "SIPANDU")
    with page.expect_navigation():
        page.get_by_role("button", name="Cari").click()
    expect(page.locator("main")).to_contain_text("Kabupaten Konawe Selatan")
    ui.snap("5-replication-sources")
    with page.expect_navigation():
        page.get_by_role("link", name="Replikasi SIPANDU Konsel").click()
    page.select_option("#mode", "adapt")
    page.fill("#replica_name", "SIPANDU Bombana")
    page.fill("#started_on", today)
    with page.expect_navigation():
        page.locator("main form #submit").click()
    expect(page.locator(".alert-success")).to_contain_text("SIPANDU Konsel")
    with page.expect_navigation():
        page.get_by_role("link", name="Ubah status").click()
    page.select_option("#to_status", "perjanjian")
    page.fill("#changed_on", today)
    with page.expect_navigation():
        page.locator("main form #submit").click()
    expect(page.locator("main")).to_contain_text("Minat → Perjanjian")
    ui.snap("5-replication-agreement")

    # 6. Publish, then read the public page without signing in.
    page.goto(detail_url)
    with page.expect_navigation():
        page.get_by_role("button", name="Publikasikan").click()
    expect(page.locator(".alert-success")).to_contain_text("Telah dipublikasikan.")
    page.get_by_role("link", name="Halaman publik").click()
    public_url = page.url
    ui.sign_out()
    ui.page.goto(public_url)
    expect(page.locator("main h1")).to_have_text(NAME)
    expect(page.locator("main")).to_contain_text("Badan Keuangan Daerah")
    expect(page.locator("main")).to_contain_text("Tonggak capaian")
    expect(page.locator("main")).to_contain_text("Diterapkan di seluruh OPD")
    expect(page.locator("main")).to_contain_text("Kemajuan: 60 %")
    ui.snap("6-public-page")

    # 7. The monitor sees the index change: one more innovation counted, with its score.
    ui.sign_in("monitor")
    page.get_by_role("link", name="Panel indeks").first.click()
    after = _index_figures(ui)
    ui.snap("7-index-after")
    # Before: no innovation of the region implemented in 2025-2026. After: E-tracking counts,
    # Σ 7 over MAX(12, 1) = SID 0.58; no SPD claims; IID = 0.58 / 250 × 100 = 0.23.
    assert before == {"count": "0", "sid-sum": "0,00", "sid": "0,00", "iid": "0,00"}, before
    assert after == {"count": "1", "sid-sum": "7,00", "sid": "0,58", "iid": "0,23"}, after
    expect(page.locator("main")).to_contain_text(NAME)
