"""Exports (issue 5 point 4): the files are opened (openpyxl, zipfile, pypdf, csv, json) and
compared with the database; scope, ownership, expiry, failures and progress of export jobs."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.assessment.models import AssessmentYear, Claim, ClaimEvidence, Indicator
from puja_indah.core.models import Agency, Region
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence.models import Evidence, EvidenceFile
from puja_indah.evidence.services import evidence_files
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin, Stage
from puja_indah.replications.models import Replication, ReplicationMode, ReplicationStatus
from puja_indah.reports import services, tasks
from puja_indah.reports.models import ExportJob, JobStatus
from tests.conftest import Demo

# The IID profile fields in the IID form's order (DOMAIN §2.1), in the IID's words — written out
# here, not imported, so that a change of order in the code fails this test.
IID_HEADERS = [
    "Nama Inovasi",
    "Perangkat Daerah Pengusul",
    "Tahapan Inovasi",
    "Inisiator Inovasi Daerah",
    "Nama Inisiator",
    "Jenis Inovasi",
    "Bentuk Inovasi Daerah",
    "Tematik",
    "Urusan Pemerintahan",
    "Urusan Lain yang Beririsan",
    "Waktu Uji Coba Inovasi Daerah",
    "Waktu Penerapan Inovasi Daerah",
    "Apakah Inovasi Dikembangkan?",
    "Keterangan Pengembangan",
    "Rancang Bangun: Dasar Hukum",
    "Rancang Bangun: Permasalahan",
    "Rancang Bangun: Isu Strategis",
    "Rancang Bangun: Metode Pembaharuan",
    "Rancang Bangun: Keunggulan dan Kebaruan",
    "Rancang Bangun: Cara Kerja",
    "Tujuan Inovasi",
    "Manfaat yang Diperoleh",
    "Hasil Inovasi: Sebelum",
    "Hasil Inovasi: Sesudah",
    "Anggaran",
    "Profil Bisnis",
    "Dokumen HAKI",
    "Penghargaan",
    "Video Inovasi",
]
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@contextmanager
def system(app: Flask) -> Iterator[None]:
    with app.app_context(), app.test_request_context(), scoped(Scope.system("tests"), db.session):
        yield
        db.session.remove()


@pytest.fixture
def jobs_always(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every export becomes a job (none is small enough to stream straight back)."""
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", -1)


def _innovation(agency_id: int, name: str, **values: Any) -> Innovation:
    agency = db.session.get(Agency, agency_id)
    assert agency is not None
    innovation = Innovation(
        agency_id=agency_id,
        region_id=agency.region_id,
        origin=Origin.OWN,
        name=name,
        name_key=name.casefold(),
        **values,
    )
    db.session.add(innovation)
    db.session.flush()
    return innovation


def _evidence(innovation: Innovation, title: str, number: str, data: bytes) -> Evidence:
    evidence = Evidence(
        agency_id=innovation.agency_id,
        innovation_id=innovation.id,
        title=title,
        document_number=number,
    )
    evidence.files.append(
        EvidenceFile(
            agency_id=innovation.agency_id,
            number=1,
            storage_key=evidence_files().save(data),
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            content_type="application/pdf",
            original_name="../../etc/SK Bupati 193.pdf",
            uploaded_at=datetime.now(UTC),
        )
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence


@pytest.fixture
def scenario(app: Flask, demo: Demo) -> dict[str, int]:
    """BKD: an innovation with a claim on indicator 16 backed by two documents and a
    replication; DPMPTSP (same region) and Konsel's BKAD (far region): one innovation each."""
    with system(app):
        bkd = _innovation(
            demo.agency("BKD"),
            "Ekspor Uji BKD",
            stage=Stage.TRIAL,
            trial_date=date(2025, 3, 1),
            initiator_name='=HYPERLINK("http://x")',
            goals="Mempercepat pencairan",
        )
        other = _innovation(demo.agency("DPMPTSP"), "Ekspor Uji DPMPTSP")
        far = _innovation(demo.agency("BKAD", "74.05"), "Ekspor Uji Konsel")
        first = _evidence(bkd, "SK Bupati", "193/2018", PDF_BYTES)
        second = _evidence(bkd, "Surat Tugas", "800/12", PDF_BYTES + b"2")
        indicator = db.session.scalar(
            sa.select(Indicator)
            .join(AssessmentYear, Indicator.year_id == AssessmentYear.id)
            .where(AssessmentYear.year == 2026, Indicator.number == 16)
        )
        assert indicator is not None, "the 2026 catalogue is seeded"
        claim = Claim(
            agency_id=bkd.agency_id, innovation_id=bkd.id, indicator_id=indicator.id, level=2
        )
        db.session.add(claim)
        db.session.flush()
        for evidence in (first, second):
            db.session.add(
                ClaimEvidence(agency_id=bkd.agency_id, claim_id=claim.id, evidence_id=evidence.id)
            )
        db.session.add(
            Replication(
                agency_id=bkd.agency_id,
                replica_id=bkd.id,
                source_name="Sumber Replikasi",
                source_region_name="Kota Kendari",
                mode=ReplicationMode.ADAPT,
                status=ReplicationStatus.AGREEMENT,
                status_on=date(2025, 6, 1),
            )
        )
        db.session.commit()
        ids = {
            "bkd": bkd.id,
            "other": other.id,
            "far": far.id,
            "evidence1": first.id,
            "evidence2": second.id,
        }
    return ids


def _ask(client: FlaskClient, **data: Any) -> Any:
    return client.post("/exports", data={k: str(v) for k, v in data.items()})


def _job_id(response: Any) -> int:
    assert response.status_code == 302, response.data[:400]
    location = response.headers["Location"]
    assert "/exports/" in location
    return int(location.rstrip("/").rsplit("/", 1)[-1])


def _job(app: Flask, job_id: int) -> ExportJob:
    with system(app):
        job = db.session.get(ExportJob, job_id)
        assert job is not None
        db.session.expunge(job)
    return job


def _download(client: FlaskClient, job_id: int) -> bytes:
    response = client.get(f"/exports/{job_id}/download")
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return response.data


def _db_profiles(app: Flask, region_code: str | None = None, agency: int | None = None) -> set[str]:
    with system(app):
        stmt = sa.select(Innovation.name)
        if region_code:
            stmt = stmt.join(Region, Region.id == Innovation.region_id).where(
                Region.code == region_code
            )
        if agency:
            stmt = stmt.where(Innovation.agency_id == agency)
        return set(db.session.scalars(stmt))


# --- the region workbook ------------------------------------------------------------------------


def test_reviewer_region_workbook_matches_the_database(
    app: Flask,
    demo: Demo,
    login: Callable[[str], FlaskClient],
    scenario: dict[str, int],
    jobs_always: None,
) -> None:
    reviewer = login("reviewer")
    job_id = _job_id(_ask(reviewer, kind="region", format="xlsx", region_id=demo.regions["74.06"]))
    job = _job(app, job_id)
    assert job.status is JobStatus.DONE, job.error
    assert job.scope_kind == "national" and job.params["region_id"] == demo.regions["74.06"]
    status_page = reviewer.get(f"/exports/{job_id}")
    assert status_page.status_code == 200
    assert f"/exports/{job_id}/download".encode() in status_page.data

    book = openpyxl.load_workbook(io.BytesIO(_download(reviewer, job_id)))
    assert [s.title for s in book.worksheets] == [
        "Profil Inovasi",
        "Klaim indikator",
        "Replikasi",
        "SLA e-tracking",
    ]
    profiles = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(profiles[0][: len(IID_HEADERS)]) == IID_HEADERS
    assert book.worksheets[0].freeze_panes == "A2"
    assert book.worksheets[0].auto_filter.ref is not None
    names = {row[0] for row in profiles[1:]}
    assert names == _db_profiles(app, "74.06")  # Bombana only: Konsel's is not there
    assert "Ekspor Uji Konsel" not in names
    mine = next(row for row in profiles[1:] if row[0] == "Ekspor Uji BKD")
    header = list(profiles[0])
    assert mine[header.index("Tahapan Inovasi")] == "Uji Coba"
    # A real date cell, and a formula-like text shown as text.
    assert mine[header.index("Waktu Uji Coba Inovasi Daerah")] == datetime(2025, 3, 1)
    assert mine[header.index("Nama Inisiator")] == '\'=HYPERLINK("http://x")'
    assert mine[header.index("Tujuan Inovasi")] == "Mempercepat pencairan"

    claims = list(book.worksheets[1].iter_rows(values_only=True))
    claim = next(row for row in claims[1:] if row[1] == "Ekspor Uji BKD")
    assert claim[0] == 2026 and claim[3] == 16 and claim[7] == 2 and claim[8] == 2
    assert claim[9] == "SK Bupati (193/2018); Surat Tugas (800/12)"

    replications = list(book.worksheets[2].iter_rows(values_only=True))
    replica = next(row for row in replications[1:] if row[0] == "Ekspor Uji BKD")
    assert replica[2] == "Sumber Replikasi" and replica[6] == "Perjanjian"

    sla = list(book.worksheets[3].iter_rows(values_only=True))
    assert len(sla) > 1  # BKD's demo desk history
    assert all(row[0] for row in sla[1:])


def test_monitor_export_excludes_another_region_and_refuses_its_id(
    app: Flask,
    demo: Demo,
    login: Callable[[str], FlaskClient],
    scenario: dict[str, int],
    jobs_always: None,
    table_counts: Callable[[], dict[str, int]],
) -> None:
    monitor = login("monitor")
    job_id = _job_id(_ask(monitor, kind="profiles", format="json"))
    data = json.loads(_download(monitor, job_id))
    names = {row["name"] for row in data["profiles"]}
    assert names == _db_profiles(app, "74.06")
    assert {row["region"] for row in data["profiles"]} == {"Kabupaten Bombana"}

    before = table_counts()
    refused = _ask(monitor, kind="region", format="xlsx", region_id=demo.regions["74.05"])
    assert refused.status_code == 400
    assert "wilayah Anda sendiri" in refused.get_data(as_text=True)
    assert table_counts() == before  # no job


def test_officer_export_holds_own_agency_only(
    app: Flask, demo: Demo, login: Callable[[str], FlaskClient], scenario: dict[str, int]
) -> None:
    """Small: streamed straight back (no job), the same dataset code."""
    officer = login("officer.bkd")
    response = _ask(officer, kind="profiles", format="csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][: len(IID_HEADERS)] == IID_HEADERS
    assert {row[0] for row in rows[1:]} == _db_profiles(app, agency=demo.agency("BKD"))
    assert "Ekspor Uji DPMPTSP" not in {row[0] for row in rows[1:]}
    bkd_row = next(row for row in rows[1:] if row[0] == "Ekspor Uji BKD")
    assert bkd_row[4] == '\'=HYPERLINK("http://x")'  # neutralised
    # Another agency's innovation cannot even be named in a request.
    refused = _ask(officer, kind="dossier", format="pdf", innovation_id=scenario["other"])
    assert refused.status_code == 400


def test_region_csv_is_a_zip_of_one_csv_per_dataset(
    app: Flask, login: Callable[[str], FlaskClient], scenario: dict[str, int], jobs_always: None
) -> None:
    monitor = login("monitor")
    job_id = _job_id(_ask(monitor, kind="region", format="csv"))
    archive = zipfile.ZipFile(io.BytesIO(_download(monitor, job_id)))
    assert sorted(archive.namelist()) == [
        "claims.csv",
        "profiles.csv",
        "replications.csv",
        "sla.csv",
    ]
    profiles = archive.read("profiles.csv")
    assert profiles.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(profiles.decode("utf-8-sig"))))
    assert header[: len(IID_HEADERS)] == IID_HEADERS


# --- PDF and ZIP --------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_region_report_pdf(
    app: Flask, login: Callable[[str], FlaskClient], scenario: dict[str, int]
) -> None:
    monitor = login("monitor")
    job_id = _job_id(_ask(monitor, kind="region", format="pdf"))
    text = _pdf_text(_download(monitor, job_id))
    assert "PEMERINTAH KABUPATEN BOMBANA" in text
    assert "Ekspor Uji BKD" in text and "Ekspor Uji DPMPTSP" in text
    assert "Ekspor Uji Konsel" not in text
    assert "Sumber Replikasi" in text


def test_dossier_pdf(
    app: Flask, login: Callable[[str], FlaskClient], scenario: dict[str, int]
) -> None:
    officer = login("officer.bkd")
    job_id = _job_id(_ask(officer, kind="dossier", format="pdf", innovation_id=scenario["bkd"]))
    text = _pdf_text(_download(officer, job_id))
    for expected in ("Ekspor Uji BKD", "Mempercepat pencairan", "SK Bupati (193/2018)", "Sumber"):
        assert expected in text


def test_evidence_zip_has_an_index_with_hashes(
    app: Flask, login: Callable[[str], FlaskClient], scenario: dict[str, int]
) -> None:
    monitor = login("monitor")
    job_id = _job_id(_ask(monitor, kind="evidence", format="zip", innovation_id=scenario["bkd"]))
    archive = zipfile.ZipFile(io.BytesIO(_download(monitor, job_id)))
    index = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert len(index) == 3
    for name, _innovation, title, indicators, number, sha in index[1:]:
        assert ".." not in name and not name.startswith("/")
        assert name.endswith("SK_Bupati_193.pdf")
        assert hashlib.sha256(archive.read(name)).hexdigest() == sha
        assert indicators == "16"
        assert (title, number) in {("SK Bupati", "193/2018"), ("Surat Tugas", "800/12")}


# --- ownership, expiry, failure, progress -------------------------------------------------------


def test_only_the_asker_downloads_and_only_before_expiry(
    app: Flask, login: Callable[[str], FlaskClient], scenario: dict[str, int], jobs_always: None
) -> None:
    monitor = login("monitor")
    job_id = _job_id(_ask(monitor, kind="profiles", format="xlsx"))
    for other in ("reviewer", "admin", "officer.bkd", "monitor.konsel"):
        client = login(other)
        assert client.get(f"/exports/{job_id}/download").status_code == 404
        assert client.get(f"/exports/{job_id}").status_code == 404
        assert client.get(f"/exports/{job_id}.json").status_code == 404
    assert monitor.get(f"/exports/{job_id}/download").status_code == 200
    with system(app):
        job = db.session.get(ExportJob, job_id)
        assert job is not None
        job.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    gone = monitor.get(f"/exports/{job_id}/download")
    assert gone.status_code == 410
    assert "kedaluwarsa" in gone.get_data(as_text=True)

    # The CLI removes the row and the file.
    key = _job(app, job_id).result_key
    with app.app_context():
        assert key and tasks.exports_store().exists(key)
    result = app.test_cli_runner().invoke(args=["reports", "purge-expired"])
    assert "1 job(s), 1 file(s)" in result.output
    with app.app_context():
        assert not tasks.exports_store().exists(key)
    with system(app):
        assert db.session.get(ExportJob, job_id) is None


def test_a_job_whose_worker_died_is_marked_failed_by_housekeeping(
    app: Flask, login: Callable[[str], FlaskClient], scenario: dict[str, int], jobs_always: None
) -> None:
    monitor = login("monitor")
    stuck, fresh = (_job_id(_ask(monitor, kind="profiles", format="xlsx")) for _ in range(2))
    with system(app):
        # One "running" for 2 hours (its worker was killed), one for 5 minutes.
        for job_id, minutes in ((stuck, 120), (fresh, 5)):
            job = db.session.get(ExportJob, job_id)
            assert job is not None
            job.status, job.result_key = JobStatus.RUNNING, None
            job.started_at = datetime.now(UTC) - timedelta(minutes=minutes)
        db.session.commit()
    with app.app_context():
        tasks.housekeeping.call_local()
    assert _job(app, stuck).status is JobStatus.FAILED
    assert _job(app, stuck).error.startswith("Ekspor berhenti sebelum selesai")
    assert _job(app, fresh).status is JobStatus.RUNNING
    state = monitor.get(f"/exports/{stuck}.json").get_json()
    assert state["status"] == "failed" and state["download_url"] is None


def test_a_failing_job_is_marked_failed_with_a_message(
    app: Flask,
    login: Callable[[str], FlaskClient],
    scenario: dict[str, int],
    jobs_always: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "produce", broken)
    monitor = login("monitor")
    job_id = _job_id(_ask(monitor, kind="profiles", format="xlsx"))
    job = _job(app, job_id)
    assert job.status is JobStatus.FAILED
    assert job.error.startswith("Ekspor tidak dapat dibuat")
    assert "fire" not in job.error and "Traceback" not in job.error
    state = monitor.get(f"/exports/{job_id}.json").get_json()
    assert state["status"] == "failed" and state["download_url"] is None
    assert monitor.get(f"/exports/{job_id}/download").status_code == 302


def test_progress_is_written_as_rows_go(
    app: Flask,
    login: Callable[[str], FlaskClient],
    scenario: dict[str, int],
    jobs_always: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "EXPORT_PROGRESS_EVERY", 1)
    seen: list[dict[str, Any]] = []
    real = tasks._update

    def spy(job_id: int, **values: Any) -> None:
        seen.append(values)
        real(job_id, **values)

    monkeypatch.setattr(tasks, "_update", spy)
    monitor = login("monitor")
    job_id = _job_id(_ask(monitor, kind="profiles", format="csv"))
    job = _job(app, job_id)
    total = len(_db_profiles(app, "74.06"))
    assert job.status is JobStatus.DONE and job.progress_total == total
    assert job.progress_done == total and job.size and job.size > 0
    steps = [v["progress_done"] for v in seen if "status" not in v]
    assert steps == list(range(1, total + 1))
    # Its own short transactions: each step was committed and readable while the job ran.
    assert seen[-1]["status"] is JobStatus.DONE


def test_a_task_without_its_scope_refuses_to_run(
    app: Flask, login: Callable[[str], FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "enqueue", lambda job: None)  # leave it queued
    monitor = login("monitor")
    job_id = _job_id(_ask(monitor, kind="region", format="pdf"))
    with app.app_context(), pytest.raises(tasks.JobRefused):
        tasks.run(job_id, "")
    with app.app_context(), pytest.raises(tasks.JobRefused):
        tasks.run(job_id, "national:-")
    assert _job(app, job_id).status is JobStatus.QUEUED


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "everything", "format": "xlsx"},
        {"kind": "profiles", "format": "pdf"},
        {"kind": "claims", "format": "xlsx", "year": "1899"},
        {"kind": "claims", "format": "xlsx", "year": "20x6"},
        {"kind": "region", "format": "xlsx", "region_id": "99999999999999"},
        {"kind": "region", "format": "xlsx", "region_id": "-1"},
        {"kind": "dossier", "format": "pdf"},
        {"kind": "dossier", "format": "pdf", "innovation_id": "2147483647"},
        {"kind": "x" * 500, "format": "y" * 500},
    ],
)
def test_bad_requests_are_refused_without_a_job(
    login: Callable[[str], FlaskClient],
    table_counts: Callable[[], dict[str, int]],
    data: dict[str, str],
) -> None:
    reviewer = login("reviewer")
    before = table_counts()
    response = reviewer.post("/exports", data=data)
    assert response.status_code == 400
    assert 'id="export-refused"' in response.get_data(as_text=True)
    assert table_counts() == before


def test_the_export_menus_are_on_the_screens(
    login: Callable[[str], FlaskClient], scenario: dict[str, int]
) -> None:
    monitor = login("monitor")
    rollup = monitor.get("/progress").get_data(as_text=True)
    assert 'id="rollup-exports"' in rollup and 'value="region"' in rollup
    detail = monitor.get(f"/innovations/{scenario['bkd']}").get_data(as_text=True)
    assert 'value="dossier"' in detail and 'value="evidence"' in detail
    panel = monitor.get("/assessment/index/2026").get_data(as_text=True)
    assert 'id="index-exports"' in panel and 'value="claims"' in panel
    listing = monitor.get("/exports")
    assert listing.status_code == 200


def test_claims_of_one_year_from_the_index_panel(
    app: Flask, login: Callable[[str], FlaskClient], scenario: dict[str, int]
) -> None:
    """The panel's claims export: that year only, straight back (small), as JSON objects."""
    monitor = login("monitor")
    response = _ask(monitor, kind="claims", format="json", year=2026)
    assert response.status_code == 200 and response.mimetype == "application/json"
    claims = json.loads(response.data)["claims"]
    mine = [row for row in claims if row["innovation_id"] == scenario["bkd"]]
    assert mine == [
        {
            "year": 2026,
            "innovation": "Ekspor Uji BKD",
            "agency": mine[0]["agency"],
            "indicator_number": 16,
            "indicator": mine[0]["indicator"],
            "mandatory": "Ya",
            "weight": mine[0]["weight"],
            "level": 2,
            "evidence_count": 2,
            "evidence": "SK Bupati (193/2018); Surat Tugas (800/12)",
            "innovation_id": scenario["bkd"],
        }
    ]
    assert {row["year"] for row in claims} <= {2026}


def test_each_export_is_recorded_once_in_the_audit_trail(
    app: Flask, login: Callable[[str], FlaskClient], scenario: dict[str, int]
) -> None:
    from puja_indah.core.audit import AuditEntry

    # The trail is append-only and kept across tests: look only at what this test adds.
    with system(app):
        start = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0

    def entries() -> list[tuple[str, str, dict[str, Any]]]:
        with system(app):
            return [
                (e.action, e.object_type, e.changes)
                for e in db.session.scalars(
                    sa.select(AuditEntry)
                    .where(
                        AuditEntry.id > start,
                        AuditEntry.object_type.in_(("ExportJob", "export")),
                    )
                    .order_by(AuditEntry.id)
                )
            ]

    monitor = login("monitor")
    assert _ask(monitor, kind="profiles", format="csv").status_code == 200  # straight back
    _job_id(_ask(monitor, kind="region", format="pdf"))  # a job, with progress steps
    assert entries() == [
        ("exported", "export", {"kind": "profiles", "format": "csv", "params": {}}),
        ("exported", "ExportJob", {"kind": "region", "format": "pdf", "params": {}}),
    ]


# --- the profile rows read with Core -------------------------------------------------------------


def _orm_profile(innovation: Innovation) -> list[Any]:
    """What the profile sheet held when it was built from ORM objects: the reference the
    column select must still equal, field by field."""
    from puja_indah.reports.datasets import FORM_IID, KIND_IID, STAGE_IID, YES_NO_IID

    i = innovation
    others = "; ".join(sorted(link.affair.name for link in i.other_affairs))
    return [
        i.name, i.agency.name, STAGE_IID[i.stage],
        i.initiator_kind.name if i.initiator_kind else "", i.initiator_name,
        KIND_IID.get(i.kind, "") if i.kind else "", FORM_IID.get(i.form, "") if i.form else "",
        i.theme.name if i.theme else "", i.affair.name if i.affair else "", others,
        i.trial_date, i.implementation_date,
        "" if i.developed_further is None else YES_NO_IID[i.developed_further],
        i.developed_note, i.design_legal_basis, i.design_problem, i.design_strategic_issues,
        i.design_method, i.design_advantages, i.design_how_it_works, i.goals, i.benefits,
        i.results_before, i.results_after, i.budget_note, i.business_profile, i.ip_note,
        i.awards, i.video_url, i.challenges, i.success_conditions, i.lessons,
        i.replication_prerequisites, i.region.name, i.id,
    ]  # fmt: skip


def test_profile_rows_equal_the_orm_reading_in_every_scope(
    app: Flask, demo: Demo, scenario: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from puja_indah.core.models import Role
    from puja_indah.innovations.models import InnovationAffair, InnovationForm, InnovationKind
    from puja_indah.reference.models import Affair, InitiatorKind, Theme
    from puja_indah.reports import datasets

    with system(app):
        bkd = db.session.get(Innovation, scenario["bkd"])
        assert bkd is not None
        affairs = list(db.session.scalars(sa.select(Affair).order_by(Affair.id).limit(3)))
        bkd.affair_id = affairs[0].id
        for affair in affairs[1:]:
            bkd.other_affairs.append(InnovationAffair(agency_id=bkd.agency_id, affair_id=affair.id))
        bkd.theme_id = db.session.scalar(sa.select(Theme.id).limit(1))
        bkd.initiator_kind_id = db.session.scalar(sa.select(InitiatorKind.id).limit(1))
        bkd.kind, bkd.form = InnovationKind.DIGITAL, InnovationForm.PUBLIC_SERVICE
        bkd.developed_further = False
        other_names = "; ".join(sorted(a.name for a in affairs[1:]))
        db.session.commit()

    bombana = demo.regions["74.06"]
    scopes = {
        "national": Scope.for_membership(Role.NATIONAL_REVIEWER, None, None),
        "monitor": Scope.for_membership(Role.REGION_MONITOR, None, bombana),
        "officer": Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), bombana),
    }
    # The monitor's region filter is taken off: the tenancy criteria alone must hold the
    # Core select to the monitor's region (and the officer's agency), as they hold the ORM.
    monkeypatch.setattr(datasets, "_in_region", lambda stmt, _column, _filters: stmt)
    seen: dict[str, list[list[Any]]] = {}
    with app.app_context(), app.test_request_context():
        for label, scope in scopes.items():
            with scoped(scope, db.session):
                rows = list(datasets.profile_rows(datasets.Filters()))
                objects = db.session.scalars(
                    sa.select(Innovation).order_by(
                        Innovation.region_id,
                        Innovation.agency_id,
                        Innovation.name_key,
                        Innovation.id,
                    )
                )
                assert rows == [_orm_profile(i) for i in objects], label
                seen[label] = rows
            db.session.remove()

    bkd_row = next(row for row in seen["national"] if row[-1] == scenario["bkd"])
    assert bkd_row[9] == other_names
    assert bkd_row[5] == "Digital" and bkd_row[12] == "Tidak"
    region_names = {row[-2] for row in seen["monitor"]}
    assert region_names == {"Kabupaten Bombana"}
    assert scenario["far"] not in {row[-1] for row in seen["monitor"]}
    assert any(row[-1] == scenario["far"] for row in seen["national"])
    with system(app):
        bkd_id = demo.agency("BKD")
        own = set(
            db.session.scalars(sa.select(Innovation.id).where(Innovation.agency_id == bkd_id))
        )
    assert {row[-1] for row in seen["officer"]} == own
