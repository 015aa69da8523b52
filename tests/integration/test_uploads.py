"""Evidence files where they are needed: uploaded with a new document right in the
self-assessment (checked against the indicator's file types, all or nothing), and downloaded from
the public catalogue when the innovation is published and the document public.

Seeded 2026 catalogue: indicator 16 (weight 3) accepts pdf only, 19 (weight 2) jpg, jpeg, png
and pdf."""

from __future__ import annotations

import hashlib
import html as htmllib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from puja_indah.assessment.models import Claim
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence import services
from puja_indah.evidence.models import Evidence, EvidenceFile
from puja_indah.extensions import db
from tests import samples
from tests.conftest import Demo
from tests.integration.test_public_catalogue import _normalised
from tests.integration.test_replications import make_innovation
from tests.integration.test_selfassess import _form

pytestmark = pytest.mark.usefixtures("no_demo_innovations")

SYSTEM = Scope.system("tests: uploads")
OTHER_PDF = samples.PDF.replace(b"/Catalog", b"/Catalog /Lang (id)")


@pytest.fixture(autouse=True)
def storage_root(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "store" / "files"
    monkeypatch.setitem(app.config, "STORAGE_ROOT", str(root))
    return root


def stored_files(root: Path) -> list[Path]:
    base = root.parent
    return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []


@pytest.fixture
def login(login_en: Callable[..., FlaskClient]) -> Callable[..., FlaskClient]:
    """Every client of this module reads English, so the assertions read the msgids."""
    return login_en


@pytest.fixture
def innovation(app: Flask, demo: Demo) -> int:
    return make_innovation(app, demo.agency("BKD"), "E-Tracking Pencairan")


def url_of(innovation_id: int) -> str:
    return f"/innovations/{innovation_id}/assessment/2026"


def claim_form(client: FlaskClient, url: str, **changes: Any) -> dict[str, Any]:
    """The form as shown (no file chosen anywhere), with `changes` applied."""
    data = {k: v for k, v in _form(client, url).items() if not k.endswith("-doc_file")}
    return data | changes


def new_document(number: int, content: bytes, filename: str, **extra: Any) -> dict[str, Any]:
    """A new document for indicator `number`: its number, subject and a file."""
    return {
        f"ind_{number}-doc_number": f"800/{number}/2026",
        f"ind_{number}-doc_subject": f"Bukti indikator {number}",
        f"ind_{number}-doc_file": FileStorage(
            io.BytesIO(content), filename=filename, content_type="application/pdf"
        ),
        **extra,
    }


def post(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    """Multipart encoded in memory (the test client would spool a large body to a temp file)."""
    stream, length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(
        url,
        input_stream=stream,
        content_length=length,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


def documents_of(app: Flask, innovation_id: int) -> list[dict[str, Any]]:
    with app.app_context(), scoped(SYSTEM, db.session):
        rows = []
        for doc in db.session.scalars(
            sa.select(Evidence).where(Evidence.innovation_id == innovation_id).order_by(Evidence.id)
        ):
            rows.append(
                {
                    "id": doc.id,
                    "number": doc.document_number,
                    "title": doc.title,
                    "files": [
                        (f.number, f.content_type, f.sha256, f.size, f.original_name, f.storage_key)
                        for f in doc.files
                    ],
                }
            )
        db.session.remove()
    return rows


def error_of(html: str, field_id: str) -> str:
    found = re.search(
        rf'<div class="invalid-feedback d-block" id="{field_id}-errors">(.*?)</div>', html, re.S
    )
    return htmllib.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""


# --- the self-assessment -------------------------------------------------------------------------


def test_the_file_field_shows_the_indicators_types_and_caps(
    login: Callable[..., FlaskClient], innovation: int
) -> None:
    html = login("officer.bkd").get(url_of(innovation)).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    field16 = re.search(r'<input[^>]*name="ind_16-doc_file"[^>]*>', html)
    field19 = re.search(r'<input[^>]*name="ind_19-doc_file"[^>]*>', html)
    assert field16 and field19
    assert 'type="file"' in field16.group(0)
    assert 'accept="application/pdf,.pdf"' in field16.group(0)
    assert 'aria-describedby="ind_16-doc_file-help"' in field16.group(0)
    assert "image/png,.png" in field19.group(0) and "image/jpeg,.jpg,.jpeg" in field19.group(0)
    assert re.search(r'data-accepted="16">Accepted: PDF\. Largest size: PDF 20 MB\.', html)
    assert re.search(
        r'data-accepted="19">Accepted: JPEG, PNG, PDF\. Largest size: JPEG 10 MB, PNG 10 MB,'
        r" PDF 20 MB\.",
        html,
    )
    # Readers get no file field.
    page = login("monitor").get(url_of(innovation)).get_data(as_text=True)
    assert 'name="ind_16-doc_file"' not in page


def test_an_uploaded_pdf_becomes_the_claims_evidence_and_the_level_scores(
    app: Flask, login: Callable[..., FlaskClient], innovation: int, storage_root: Path
) -> None:
    client = login("officer.bkd")
    url = url_of(innovation)
    data = claim_form(client, url, **{"ind_16-level": "3", "save": "1"})
    data |= new_document(16, samples.PDF, "Perbup 12 2026.pdf", **{"ind_16-doc_date": "2026-02-01"})
    response = post(client, url, data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    [doc] = documents_of(app, innovation)
    assert doc["number"] == "800/16/2026" and doc["title"] == "Bukti indikator 16"
    [(number, content_type, sha256, size, name, key)] = doc["files"]
    assert (number, content_type, size, name) == (
        1,
        "application/pdf",
        len(samples.PDF),
        "Perbup 12 2026.pdf",
    )
    assert sha256 == hashlib.sha256(samples.PDF).hexdigest()
    [stored] = stored_files(storage_root)
    assert stored.name == key and stored.read_bytes() == samples.PDF
    with app.app_context(), scoped(SYSTEM, db.session):
        claim = db.session.scalar(sa.select(Claim).where(Claim.innovation_id == innovation))
        assert claim is not None and claim.level == 3
        assert [link.evidence_id for link in claim.evidence_links] == [doc["id"]]
        db.session.remove()
    html = client.get(url).get_data(as_text=True)
    assert "Score: 3.00 × 3 = 9.00" in html
    assert 'id="sid-sum">9.00' in html
    # The document is a real one of the vault: its file downloads there.
    file_id = db_file_id(app, doc["id"])
    download = client.get(f"/innovations/{innovation}/evidence/{doc['id']}/files/{file_id}")
    assert download.status_code == 200 and download.data == samples.PDF


def db_file_id(app: Flask, evidence_id: int) -> int:
    with app.app_context(), scoped(SYSTEM, db.session):
        found = db.session.scalar(
            sa.select(EvidenceFile.id).where(EvidenceFile.evidence_id == evidence_id)
        )
        db.session.remove()
    assert found is not None
    return int(found)


def test_a_png_where_only_pdf_is_accepted_is_refused_and_nothing_is_saved(
    login: Callable[..., FlaskClient],
    innovation: int,
    storage_root: Path,
    data_counts: Callable[[], dict[str, int]],
) -> None:
    client = login("officer.bkd")
    url = url_of(innovation)
    before = data_counts()
    data = claim_form(client, url, **{"ind_16-level": "3", "ind_17-level": "2", "save": "1"})
    data |= new_document(16, samples.png(), "foto.png")
    response = post(client, url, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (
        error_of(html, "ind_16-doc_file")
        == "This file is a PNG file, which is not accepted here. Accepted: PDF."
    )
    assert "Nothing was saved: see the message at indicator 16." in html
    assert data_counts() == before
    assert stored_files(storage_root) == []
    # The same PNG is welcome where the indicator accepts images.
    data = claim_form(client, url, **{"ind_19-level": "1", "save": "1"})
    data |= new_document(19, samples.png(), "foto.png")
    assert post(client, url, data).status_code == 302
    assert len(stored_files(storage_root)) == 1


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            samples.HTML,
            "laporan.pdf",
            "This file is a web page (HTML), which is not accepted here.",
        ),
        (samples.PHP, "laporan.pdf", "This file is a script, which is not accepted here."),
        (samples.EXE, "laporan.pdf", "This file is a program (executable), which is not accepted"),
        (samples.SVG, "laporan.pdf", "This file is an SVG image (it can carry scripts)"),
        (
            samples.PDF.replace(
                b"/Type /Catalog",
                b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
            ),
            "laporan.pdf",
            "PDF files with scripts or embedded programs are not accepted.",
        ),
        (samples.PDF[:-8], "laporan.pdf", "The PDF file is incomplete or damaged."),
        (samples.png(), "foto.pdf", "The file's name ends in “.pdf” but its content is PNG."),
        (b"", "kosong.pdf", "The file is empty."),
    ],
    ids=[
        "html-as-pdf",
        "php-as-pdf",
        "exe-as-pdf",
        "svg-as-pdf",
        "pdf-with-js",
        "cut-pdf",
        "png-named-pdf",
        "empty",
    ],
)
def test_hostile_files_are_refused_with_nothing_stored(
    login: Callable[..., FlaskClient],
    innovation: int,
    storage_root: Path,
    data_counts: Callable[[], dict[str, int]],
    content: bytes,
    filename: str,
    message: str,
) -> None:
    client = login("officer.bkd")
    url = url_of(innovation)
    before = data_counts()
    data = claim_form(client, url, **{"ind_19-level": "2", "save": "1"})
    data |= new_document(19, content, filename)
    response = post(client, url, data)
    assert response.status_code == 200
    assert message in error_of(response.get_data(as_text=True), "ind_19-doc_file")
    assert data_counts() == before
    assert stored_files(storage_root) == []


def test_a_refusal_in_a_later_row_removes_the_file_stored_for_an_earlier_one(
    login: Callable[..., FlaskClient],
    innovation: int,
    storage_root: Path,
    data_counts: Callable[[], dict[str, int]],
) -> None:
    """Row 16's PDF is accepted and stored before row 19's HTML is refused: the rollback of the
    request deletes the stored PDF again (the vault's rollback hook)."""
    client = login("officer.bkd")
    url = url_of(innovation)
    before = data_counts()
    data = claim_form(client, url, **{"ind_16-level": "3", "ind_19-level": "2", "save": "1"})
    data |= new_document(16, samples.PDF, "perbup.pdf") | new_document(19, samples.HTML, "a.pdf")
    response = post(client, url, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "web page (HTML)" in error_of(html, "ind_19-doc_file")
    assert error_of(html, "ind_16-doc_file") == ""
    assert data_counts() == before
    assert stored_files(storage_root) == []


def test_a_file_needs_the_documents_number_and_subject_and_a_preview_stores_nothing(
    login: Callable[..., FlaskClient],
    innovation: int,
    storage_root: Path,
    data_counts: Callable[[], dict[str, int]],
) -> None:
    client = login("officer.bkd")
    url = url_of(innovation)
    before = data_counts()
    data = claim_form(client, url, **{"ind_16-level": "3", "save": "1"})
    data["ind_16-doc_file"] = FileStorage(io.BytesIO(samples.PDF), filename="perbup.pdf")
    response = post(client, url, data)
    assert response.status_code == 200
    assert "A new document needs its number and its subject." in response.get_data(as_text=True)
    # A preview counts the described document as evidence but saves and stores nothing.
    data = claim_form(client, url, **{"ind_16-level": "3", "preview": "1"})
    data |= new_document(16, samples.PDF, "perbup.pdf")
    response = post(client, url, data)
    assert response.status_code == 200
    assert 'id="sid-sum">9.00' in response.get_data(as_text=True)
    # A future date is refused by the vault, beside the date field.
    data = claim_form(client, url, **{"ind_16-level": "3", "save": "1"})
    data |= new_document(16, samples.PDF, "perbup.pdf", **{"ind_16-doc_date": "2999-01-01"})
    response = post(client, url, data)
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "ind_16-doc_date") == (
        "The document date cannot be in the future."
    )
    assert data_counts() == before
    assert stored_files(storage_root) == []


def test_the_self_assessment_accepts_more_than_the_apps_body_limit(
    app: Flask,
    login: Callable[..., FlaskClient],
    innovation: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    big_pdf = samples.PDF.replace(b"trailer", b"%" + b"0" * (2 * 1024 * 1024) + b"\ntrailer")
    client = login("officer.bkd")
    url = url_of(innovation)
    data = claim_form(client, url, **{"ind_16-level": "1", "save": "1"})
    data |= new_document(16, big_pdf, "besar.pdf")
    response = post(client, url, data)
    assert response.status_code == 302, response.get_data(as_text=True)[-1000:]
    [doc] = documents_of(app, innovation)
    assert doc["files"][0][3] == len(big_pdf)


def test_a_file_over_the_indicators_cap_is_refused(
    app: Flask,
    login: Callable[..., FlaskClient],
    innovation: int,
    storage_root: Path,
    data_counts: Callable[[], dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", {**app.config["UPLOAD_MAX_BYTES"]})
    app.config["UPLOAD_MAX_BYTES"]["pdf"] = 1024 * 1024
    big_pdf = samples.PDF.replace(b"trailer", b"%" + b"0" * (2 * 1024 * 1024) + b"\ntrailer")
    client = login("officer.bkd")
    url = url_of(innovation)
    before = data_counts()
    data = claim_form(client, url, **{"ind_16-level": "1", "save": "1"})
    data |= new_document(16, big_pdf, "besar.pdf")
    response = post(client, url, data)
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "ind_16-doc_file") == (
        "The PDF file is larger than 1 MB."
    )
    assert data_counts() == before and stored_files(storage_root) == []


# --- the public catalogue ------------------------------------------------------------------------


def add_document(
    app: Flask,
    innovation_id: int,
    *,
    content: bytes | None = samples.PDF,
    public: bool = True,
    title: str = "SK Tim Inovasi",
) -> int:
    """A document made through the vault's services (system scope), committed."""
    with app.app_context(), scoped(SYSTEM, db.session):
        from puja_indah.innovations.models import Innovation

        owner = db.session.get(Innovation, innovation_id)
        upload = (
            FileStorage(io.BytesIO(content), filename="SK tim <inovasi>.pdf")
            if content is not None
            else None
        )
        doc = services.create_document(
            owner,
            title,
            document_number="800/1/2026",
            link="" if content is not None else "https://jdih.example.id/sk",
            upload=upload,
            scope=SYSTEM,
        )
        services.set_public(doc, public, scope=SYSTEM)
        db.session.commit()
        doc_id = doc.id
        db.session.remove()
    return doc_id


@pytest.fixture
def published(app: Flask, demo: Demo) -> int:
    return make_innovation(app, demo.agency("BKD"), "Inovasi Terbit", published=True)


def test_a_public_document_of_a_published_innovation_downloads(
    app: Flask, client: FlaskClient, published: int
) -> None:
    doc_id = add_document(app, published)
    with_link = add_document(app, published, content=None, title="Tautan saja")
    page = client.get(f"/katalog/{published}").get_data(as_text=True)
    link = f'href="/katalog/{published}/dokumen/{doc_id}"'
    assert link in page and "Unduh berkas" in page
    assert f"/dokumen/{with_link}" not in page  # a link-only document has no file to offer
    response = client.get(f"/katalog/{published}/dokumen/{doc_id}")
    assert response.status_code == 200
    assert response.data == samples.PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Content-Disposition"] == "attachment; filename=SK-tim-inovasi-v1.pdf"
    # The current version is the one served.
    with app.app_context(), scoped(SYSTEM, db.session):
        doc = db.session.get(Evidence, doc_id)
        services.add_version(
            doc, FileStorage(io.BytesIO(OTHER_PDF), filename="v2.pdf"), scope=SYSTEM
        )
        db.session.commit()
        db.session.remove()
    response = client.get(f"/katalog/{published}/dokumen/{doc_id}")
    assert response.status_code == 200 and response.data == OTHER_PDF
    assert "v2-v2.pdf" in response.headers["Content-Disposition"]


def test_every_other_document_answers_the_same_404_as_an_unknown_one(
    app: Flask, client: FlaskClient, demo: Demo, published: int, storage_root: Path
) -> None:
    unknown = client.get(f"/katalog/{published}/dokumen/999999")
    assert unknown.status_code == 404
    body = _normalised(unknown.get_data(as_text=True))
    hidden = make_innovation(app, demo.agency("BKD"), "Belum Terbit")
    other = make_innovation(app, demo.agency("DPMPTSP"), "Terbit Lain", published=True)
    not_public = add_document(app, published, public=False)
    link_only = add_document(app, published, content=None)
    of_unpublished = add_document(app, hidden)
    deleted = add_document(app, published)
    missing_on_disk = add_document(app, published)
    with app.app_context(), scoped(SYSTEM, db.session):
        services.delete_document(db.session.get(Evidence, deleted), scope=SYSTEM)
        key = db.session.get(Evidence, missing_on_disk).files[0].storage_key
        db.session.commit()
        db.session.remove()
    [path] = [p for p in stored_files(storage_root) if p.name == key]
    path.unlink()
    of_published = add_document(app, published)
    urls = [
        f"/katalog/{published}/dokumen/{not_public}",
        f"/katalog/{published}/dokumen/{link_only}",
        f"/katalog/{hidden}/dokumen/{of_unpublished}",
        f"/katalog/{published}/dokumen/{deleted}",
        f"/katalog/{published}/dokumen/{missing_on_disk}",
        # A public document, asked for under another published innovation (of another agency).
        f"/katalog/{other}/dokumen/{of_published}",
        f"/katalog/{hidden}/dokumen/{of_published}",
        "/katalog/999999/dokumen/999999",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert _normalised(response.get_data(as_text=True)) == body, url
    assert client.get(f"/katalog/{published}/dokumen/{of_published}").status_code == 200
    assert client.get(f"/katalog/{published}/dokumen/2147483648").status_code == 404
