"""The evidence vault end to end: each accepted type uploaded through the screens, the attack
corpus refused with nothing stored, versions kept, download headers, tenancy (another agency's
document is 404), read-only roles, soft delete, publication and the stale-form check."""

from __future__ import annotations

import hashlib
import html
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

from puja_indah.core.audit import AuditEntry
from puja_indah.core.models import Agency
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence import services
from puja_indah.evidence.models import Evidence, EvidenceFile
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin
from tests import samples
from tests.conftest import Demo

FIELDS = {
    "title": "SK Tim Inovasi e-tracking",
    "document_number": "800/193/2025",
    "document_date": "2025-03-01",
    "subject": "Penetapan tim pelaksana inovasi",
    "link_url": "",
}


@pytest.fixture(autouse=True)
def storage_root(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "store" / "files"
    monkeypatch.setitem(app.config, "STORAGE_ROOT", str(root))
    return root


def stored_files(root: Path) -> list[Path]:
    base = root.parent
    return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []


def make_innovation(app: Flask, agency_id: int, name: str = "E-tracking pencairan") -> int:
    with app.app_context(), scoped(Scope.system("test: innovation"), db.session):
        region_id = db.session.scalar(sa.select(Agency.region_id).where(Agency.id == agency_id))
        innovation = Innovation(
            agency_id=agency_id,
            region_id=region_id,
            origin=Origin.OWN,
            name=name,
            name_key=f"{name.lower()} {agency_id}",
        )
        db.session.add(innovation)
        db.session.commit()
        innovation_id = innovation.id
        db.session.remove()
    return innovation_id


@pytest.fixture
def bkd_innovation(app: Flask, demo: Demo) -> int:
    return make_innovation(app, demo.agency("BKD"))


def post_upload(
    client: FlaskClient,
    url: str,
    fields: dict[str, str],
    content: bytes | None,
    filename: str = "",
    name: str = "file",
) -> Any:
    """Multipart encoded in memory (the test client would spool a large body to a temp file)."""
    data: dict[str, Any] = dict(fields)
    if content is not None:
        data[name] = FileStorage(
            io.BytesIO(content), filename=filename, content_type="application/pdf"
        )
    stream, length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(
        url,
        input_stream=stream,
        content_length=length,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


def documents(app: Flask) -> list[dict[str, Any]]:
    with app.app_context(), scoped(Scope.system("test: read evidence"), db.session):
        rows = []
        for evidence in db.session.scalars(sa.select(Evidence).order_by(Evidence.id)):
            row = {c.key: getattr(evidence, c.key) for c in sa.inspect(Evidence).column_attrs}
            row["files"] = [
                {c.key: getattr(f, c.key) for c in sa.inspect(EvidenceFile).column_attrs}
                for f in evidence.files
            ]
            rows.append(row)
        db.session.remove()
    return rows


def add_document(
    client: FlaskClient,
    innovation_id: int | None,
    content: bytes | None = samples.PDF,
    filename: str = "sk-tim.pdf",
    **overrides: str,
) -> Any:
    url = (
        f"/innovations/{innovation_id}/evidence/new"
        if innovation_id is not None
        else "/evidence/new"
    )
    return post_upload(client, url, {**FIELDS, **overrides}, content, filename)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    assert match, name
    return html.unescape(match.group(1))


# --- uploads of every accepted type ----------------------------------------------------------


@pytest.mark.parametrize("code", sorted(samples.ACCEPTED))
def test_officer_uploads_each_accepted_type_and_downloads_it(
    app: Flask,
    login: Callable[[str], FlaskClient],
    bkd_innovation: int,
    storage_root: Path,
    code: str,
) -> None:
    content, filename, mimetype = samples.ACCEPTED[code]
    officer = login("officer.bkd")
    response = add_document(officer, bkd_innovation, content, filename)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    (row,) = documents(app)
    assert row["innovation_id"] == bkd_innovation and row["public"] is False
    (version,) = row["files"]
    assert version["number"] == 1
    assert version["sha256"] == hashlib.sha256(content).hexdigest()
    assert version["size"] == len(content)
    assert version["content_type"] == mimetype
    assert version["original_name"] == filename
    key = version["storage_key"]
    assert stored_files(storage_root) == [storage_root / "evidence" / key[:2] / key]
    assert (storage_root / "evidence" / key[:2] / key).read_bytes() == content

    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert version["sha256"] in page and FIELDS["title"] in page
    download = officer.get(
        f"/innovations/{bkd_innovation}/evidence/{row['id']}/files/{version['id']}"
    )
    assert download.status_code == 200
    assert download.data == content
    assert download.mimetype == mimetype
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"-v1.{filename.rsplit('.', 1)[1]}" in disposition


def test_the_list_shows_documents_with_their_current_version(
    app: Flask, login: Callable[[str], FlaskClient], bkd_innovation: int
) -> None:
    officer = login("officer.bkd")
    assert add_document(officer, bkd_innovation).status_code == 302
    assert (
        add_document(
            officer, bkd_innovation, None, title="Video inovasi", link_url="https://youtu.be/x"
        ).status_code
        == 302
    )
    page = officer.get(f"/innovations/{bkd_innovation}/evidence").get_data(as_text=True)
    assert FIELDS["title"] in page and "Video inovasi" in page
    assert "versi 1" in page and 'href="https://youtu.be/x"' in page
    # Agency-wide list: only documents tied to no innovation.
    assert FIELDS["title"] not in officer.get("/evidence").get_data(as_text=True)


def test_an_agency_wide_document_lives_on_the_agency_list(
    app: Flask, login: Callable[[str], FlaskClient], demo: Demo
) -> None:
    officer = login("officer.bkd")
    response = add_document(officer, None, samples.docx(), "surat-tugas.docx", title="Surat tugas")
    assert response.status_code == 302
    (row,) = documents(app)
    assert row["innovation_id"] is None and row["agency_id"] == demo.agency("BKD")
    assert response.headers["Location"].endswith(f"/evidence/{row['id']}")
    assert "Surat tugas" in officer.get("/evidence").get_data(as_text=True)
    monitor_page = login("monitor").get("/evidence").get_data(as_text=True)
    assert "Surat tugas" in monitor_page and "Badan Keuangan Daerah" in monitor_page
    assert "Surat tugas" not in login("officer.dpmptsp").get("/evidence").get_data(as_text=True)
    assert "Surat tugas" not in login("monitor.konsel").get("/evidence").get_data(as_text=True)


# --- the attack corpus -------------------------------------------------------------------------

ATTACKS = [
    pytest.param(samples.PHP, "shell.pdf", "Berkas ini adalah skrip", id="php-renamed-pdf"),
    pytest.param(samples.HTML, "bukti.pdf", "halaman web (HTML)", id="html"),
    pytest.param(samples.SVG, "gambar.png", "gambar SVG", id="svg-with-script"),
    pytest.param(samples.PDF[:-7], "bukti.pdf", "Berkas PDF tidak lengkap", id="truncated-pdf"),
    pytest.param(samples.HTML, "../../etc/passwd.pdf", "halaman web", id="path-in-name"),
    pytest.param(samples.zip_of({"bukti.pdf": samples.PDF}), "bukti.zip", "arsip (ZIP", id="zip"),
    pytest.param(samples.xlsm(), "rekap.xlsx", "berisi makro", id="xlsm-macro"),
    pytest.param(samples.xlsm(), "rekap.xlsm", "berisi makro", id="xlsm-macro-own-name"),
    pytest.param(samples.encrypted_docx(), "a.docx", "kata sandi", id="encrypted-docx"),
    pytest.param(samples.office_bomb(), "a.docx", "bom zip", id="office-zip-bomb"),
    pytest.param(samples.png(), "layar.pdf", "berakhiran “.pdf” tetapi isinya PNG", id="mismatch"),
    pytest.param(samples.EXE, "setup.pdf", "program", id="executable"),
    pytest.param(b"", "kosong.pdf", "Berkas kosong.", id="empty"),
    pytest.param(
        samples.PDF.replace(b"/Catalog", b"/Catalog /OpenAction << /S /JavaScript /JS (x) >>"),
        "bukti.pdf",
        "skrip atau program tertanam",
        id="pdf-with-javascript",
    ),
]


@pytest.mark.parametrize(("content", "filename", "message"), ATTACKS)
@pytest.mark.parametrize("screen", ["new", "version"])
def test_attack_files_are_refused_and_nothing_is_stored(
    app: Flask,
    login: Callable[[str], FlaskClient],
    table_counts: Callable[[], dict[str, int]],
    bkd_innovation: int,
    storage_root: Path,
    screen: str,
    content: bytes,
    filename: str,
    message: str,
) -> None:
    officer = login("officer.bkd")
    url = f"/innovations/{bkd_innovation}/evidence/new"
    if screen == "version":
        assert add_document(officer, bkd_innovation).status_code == 302
        url = f"/innovations/{bkd_innovation}/evidence/{documents(app)[0]['id']}/versions/new"
    rows_before, files_before, counts = documents(app), stored_files(storage_root), table_counts()
    response = post_upload(officer, url, FIELDS, content, filename)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200, body[:500]
    assert message in body, re.findall(r"invalid-feedback.*?</div>", body, re.S)
    assert table_counts() == counts
    assert documents(app) == rows_before
    assert stored_files(storage_root) == files_before


def test_a_file_over_its_type_cap_is_refused_before_it_is_stored(
    app: Flask,
    login: Callable[[str], FlaskClient],
    table_counts: Callable[[], dict[str, int]],
    bkd_innovation: int,
    storage_root: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", {**app.config["UPLOAD_MAX_BYTES"]})
    app.config["UPLOAD_MAX_BYTES"]["png"] = 2 * 1024 * 1024
    big_png = samples.png()[:-12] + b"\x00" * (2 * 1024 * 1024) + samples.png()[-12:]
    officer = login("officer.bkd")
    counts = table_counts()
    response = add_document(officer, bkd_innovation, big_png, "besar.png")
    assert response.status_code == 200
    assert "Ukuran berkas PNG lebih dari 2 MB." in response.get_data(as_text=True)
    assert table_counts() == counts and stored_files(storage_root) == []


def test_a_body_over_the_largest_cap_answers_413(
    app: Flask,
    login: Callable[[str], FlaskClient],
    bkd_innovation: int,
    storage_root: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", dict.fromkeys(samples.ACCEPTED, 1024))
    response = add_document(
        login("officer.bkd"), bkd_innovation, samples.PDF + b"0" * (3 * 1024 * 1024), "a.pdf"
    )
    assert response.status_code == 413
    assert stored_files(storage_root) == []


def test_a_file_or_a_link_is_required_and_links_are_web_addresses(
    app: Flask,
    login: Callable[[str], FlaskClient],
    table_counts: Callable[[], dict[str, int]],
    bkd_innovation: int,
) -> None:
    officer = login("officer.bkd")
    counts = table_counts()
    page = add_document(officer, bkd_innovation, None).get_data(as_text=True)
    assert "Lampirkan berkas atau berikan tautan ke dokumen." in page
    page = add_document(officer, bkd_innovation, None, link_url="javascript:alert(1)").get_data(
        as_text=True
    )
    assert "Awali alamat dengan https:// atau http://." in page
    page = add_document(officer, bkd_innovation, title="x" * 201).get_data(as_text=True)
    assert "Gunakan paling banyak 200 karakter." in page
    page = add_document(officer, bkd_innovation, document_date="2999-01-01").get_data(as_text=True)
    assert "Tanggal dokumen tidak boleh di masa depan." in page
    assert table_counts() == counts


# --- versions ----------------------------------------------------------------------------------


def test_a_new_version_keeps_the_old_one(
    app: Flask, login: Callable[[str], FlaskClient], bkd_innovation: int, storage_root: Path
) -> None:
    officer = login("officer.bkd")
    assert add_document(officer, bkd_innovation).status_code == 302
    evidence_id = documents(app)[0]["id"]
    base = f"/innovations/{bkd_innovation}/evidence/{evidence_id}"
    second = samples.PDF.replace(b"Catalog", b"Catalog /Lang (id)")
    response = post_upload(officer, f"{base}/versions/new", {}, second, "../scan/sk-revisi.pdf")
    assert response.status_code == 302
    assert "Versi 2 telah diunggah." in officer.get(base).get_data(as_text=True)
    (row,) = documents(app)
    first, latest = row["files"]
    assert (first["number"], latest["number"]) == (1, 2)
    assert latest["original_name"] == "sk-revisi.pdf"
    assert len(stored_files(storage_root)) == 2
    for version, content in ((first, samples.PDF), (latest, second)):
        download = officer.get(f"{base}/files/{version['id']}")
        assert download.status_code == 200 and download.data == content
    third = post_upload(officer, f"{base}/versions/new", {}, samples.png(), "layar.png")
    assert third.status_code == 302  # a version may change the type (a photo of the SK)
    assert [f["number"] for f in documents(app)[0]["files"]] == [1, 2, 3]


# --- who may see and change --------------------------------------------------------------------


def test_another_agency_or_region_gets_404(
    app: Flask, login: Callable[[str], FlaskClient], demo: Demo, bkd_innovation: int
) -> None:
    officer = login("officer.bkd")
    assert add_document(officer, bkd_innovation).status_code == 302
    row = documents(app)[0]
    file_id = row["files"][0]["id"]
    urls = [
        f"/innovations/{bkd_innovation}/evidence",
        f"/innovations/{bkd_innovation}/evidence/{row['id']}",
        f"/evidence/{row['id']}",
        f"/innovations/{bkd_innovation}/evidence/{row['id']}/files/{file_id}",
        f"/evidence/{row['id']}/files/{file_id}",
    ]
    for account in ("officer.dpmptsp", "monitor.konsel", "officer.konsel"):
        client = login(account)
        for url in urls:
            assert client.get(url).status_code == 404, (account, url)
    other = login("officer.dpmptsp")
    for action in ("delete", "public", "edit", "versions/new"):
        url = f"/innovations/{bkd_innovation}/evidence/{row['id']}/{action}"
        assert other.post(url, data={"public": "1"}).status_code == 404, url
    # A document reached under another innovation's address is 404 too.
    dpmptsp_innovation = make_innovation(app, demo.agency("DPMPTSP"), "E-tracking perizinan")
    assert officer.get(f"/innovations/{dpmptsp_innovation}/evidence/{row['id']}").status_code == 404
    assert documents(app) == [row]


def test_monitor_and_reviewer_download_but_never_write(
    app: Flask,
    login: Callable[[str], FlaskClient],
    table_counts: Callable[[], dict[str, int]],
    bkd_innovation: int,
) -> None:
    assert add_document(login("officer.bkd"), bkd_innovation).status_code == 302
    row = documents(app)[0]
    base = f"/innovations/{bkd_innovation}/evidence/{row['id']}"

    def data_counts() -> dict[str, int]:
        return {k: v for k, v in table_counts().items() if k != "login_sessions"}

    counts = data_counts()
    for account in ("monitor", "reviewer", "admin"):
        client = login(account)
        page = client.get(base)
        assert page.status_code == 200
        assert "Hapus dokumen" not in page.get_data(as_text=True)
        download = client.get(f"{base}/files/{row['files'][0]['id']}")
        assert download.status_code == 200 and download.data == samples.PDF
        assert client.get(f"/innovations/{bkd_innovation}/evidence/new").status_code == 403
        assert add_document(client, bkd_innovation).status_code == 403
        assert (
            post_upload(client, f"{base}/versions/new", {}, samples.PDF, "a.pdf").status_code == 403
        )
        assert client.post(f"{base}/delete").status_code == 403
        assert client.post(f"{base}/public", data={"public": "1"}).status_code == 403
        assert client.post(f"{base}/edit", data=FIELDS).status_code == 403
    assert data_counts() == counts
    assert documents(app) == [row]


# --- soft delete, publication, stale edits -----------------------------------------------------


def test_soft_delete_hides_the_document_keeps_rows_and_files_and_is_audited(
    app: Flask,
    login: Callable[[str], FlaskClient],
    demo: Demo,
    bkd_innovation: int,
    storage_root: Path,
) -> None:
    officer = login("officer.bkd")
    assert add_document(officer, bkd_innovation).status_code == 302
    row = documents(app)[0]
    base = f"/innovations/{bkd_innovation}/evidence/{row['id']}"
    response = officer.post(f"{base}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/innovations/{bkd_innovation}/evidence")
    listing = officer.get(f"/innovations/{bkd_innovation}/evidence").get_data(as_text=True)
    assert f"Dokumen {FIELDS['title']} telah dihapus." in listing
    assert f'href="{base}"' not in listing
    assert officer.get(base).status_code == 404
    assert officer.get(f"{base}/files/{row['files'][0]['id']}").status_code == 404
    (after,) = documents(app)
    assert after["deleted_at"] is not None
    assert after["deleted_by_id"] == demo.users["officer.bkd"]
    assert after["files"] == row["files"]
    assert len(stored_files(storage_root)) == 1
    with app.app_context():
        entry = db.session.scalar(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == "Evidence", AuditEntry.action == "update")
            .order_by(AuditEntry.id.desc())
        )
        assert entry is not None and entry.object_id == str(row["id"])
        assert entry.changes["deleted_at"]["before"] is None
        assert entry.changes["deleted_at"]["after"] is not None
        assert entry.actor_user_id == demo.users["officer.bkd"]
        db.session.remove()


def test_evidence_is_public_only_when_marked(
    app: Flask, login: Callable[[str], FlaskClient], bkd_innovation: int
) -> None:
    officer = login("officer.bkd")
    assert add_document(officer, bkd_innovation, public="1").status_code == 302
    row = documents(app)[0]
    assert row["public"] is False  # the add form cannot publish
    url = f"/evidence/{row['id']}/public"
    assert officer.post(url, data={"public": "1"}).status_code == 302
    assert documents(app)[0]["public"] is True
    assert officer.post(url, data={"public": "yes"}).status_code == 302
    assert documents(app)[0]["public"] is False
    assert officer.post(url, data={}).status_code == 302
    assert documents(app)[0]["public"] is False


def test_a_stale_edit_is_refused_and_shows_what_changed(
    app: Flask, login: Callable[[str], FlaskClient], bkd_innovation: int
) -> None:
    officer, lead = login("officer.bkd"), login("lead.bkd")
    assert add_document(officer, bkd_innovation).status_code == 302
    evidence_id = documents(app)[0]["id"]
    url = f"/innovations/{bkd_innovation}/evidence/{evidence_id}/edit"
    officer_page = officer.get(url).get_data(as_text=True)
    lead_page = lead.get(url).get_data(as_text=True)
    opened = {name: hidden(officer_page, name) for name in ("version", "opened")}
    saved = lead.post(
        url,
        data={
            **FIELDS,
            "subject": "Perihal diperbarui oleh kepala",
            "version": hidden(lead_page, "version"),
            "opened": hidden(lead_page, "opened"),
        },
    )
    assert saved.status_code == 302
    stale = officer.post(url, data={**FIELDS, "title": "Judul dari operator", **opened})
    body = html.unescape(stale.get_data(as_text=True))
    assert stale.status_code == 409
    assert "Tidak disimpan: orang lain menyimpan dokumen ini" in body
    assert "Perihal diperbarui oleh kepala" in body
    row = documents(app)[0]
    assert (row["title"], row["subject"]) == (FIELDS["title"], "Perihal diperbarui oleh kepala")
    # Saving again from the refreshed form knowingly replaces the other's values.
    again = officer.post(
        url,
        data={
            **FIELDS,
            "title": "Judul dari operator",
            "version": hidden(body, "version"),
            "opened": hidden(body, "opened"),
        },
    )
    assert again.status_code == 302
    assert documents(app)[0]["title"] == "Judul dari operator"
    # A form without its version is out of date, never a silent overwrite.
    missing = officer.post(url, data=FIELDS)
    assert missing.status_code == 200 and "Formulir ini tidak lengkap" in missing.get_data(
        as_text=True
    )


# --- the service other features call -------------------------------------------------------------


def test_create_document_checks_the_callers_types_and_flushes_only(
    app: Flask, demo: Demo, bkd_innovation: int, storage_root: Path
) -> None:
    with (
        app.test_request_context(),
        scoped(
            Scope.for_membership(
                __import__("puja_indah.core.models", fromlist=["Role"]).Role.AGENCY_OFFICER,
                demo.agency("BKD"),
                None,
            ),
            db.session,
        ),
    ):
        innovation = db.session.get(Innovation, bkd_innovation)
        assert innovation is not None
        png = FileStorage(io.BytesIO(samples.png()), filename="layar.png")
        with pytest.raises(services.ServiceError) as refused:
            services.create_document(innovation, "Bukti 16", upload=png, allowed_types=["pdf"])
        assert refused.value.field == "file"
        assert stored_files(storage_root) == []
        upload = FileStorage(io.BytesIO(samples.PDF), filename="perkada.pdf")
        evidence = services.create_document(
            innovation,
            "Perkada inovasi",
            document_number="12/2025",
            upload=upload,
            allowed_types=["pdf"],
        )
        assert evidence.id is not None and evidence.current_file is not None
        assert len(stored_files(storage_root)) == 1
        # Never committed: the caller's rollback removes the rows and the file.
        db.session.rollback()
        assert stored_files(storage_root) == []
        db.session.remove()
    assert documents(app) == []


def test_an_unknown_file_or_document_is_404(
    login: Callable[[str], FlaskClient], bkd_innovation: int
) -> None:
    officer = login("officer.bkd")
    for url in (
        f"/innovations/{bkd_innovation}/evidence/999999",
        "/evidence/999999",
        "/evidence/999999/files/1",
        "/innovations/999999/evidence",
        "/innovations/2147483648/evidence",
    ):
        assert officer.get(url).status_code == 404, url


def test_the_upload_screens_accept_more_than_the_apps_body_limit(
    app: Flask,
    login: Callable[[str], FlaskClient],
    bkd_innovation: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Other screens keep MAX_CONTENT_LENGTH; the upload screens take the largest type's cap."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    big_pdf = samples.PDF.replace(b"trailer", b"%" + b"0" * (2 * 1024 * 1024) + b"\ntrailer")
    officer = login("officer.bkd")
    response = add_document(officer, bkd_innovation, big_pdf, "besar.pdf")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert documents(app)[0]["files"][0]["size"] == len(big_pdf)
    too_big_elsewhere = officer.post("/profil-opd", data={"address": "x" * (2 * 1024 * 1024)})
    assert too_big_elsewhere.status_code == 413


def test_the_publish_button_sends_the_opposite_of_the_current_state(
    app: Flask, login: Callable[[str], FlaskClient], bkd_innovation: int
) -> None:
    officer = login("officer.bkd")
    assert add_document(officer, bkd_innovation).status_code == 302
    url = f"/evidence/{documents(app)[0]['id']}"
    for expected in (True, False):
        page = officer.get(url).get_data(as_text=True)
        form = re.search(r'<form method="post" action="[^"]*/public".*?</form>', page, re.S)
        assert form is not None
        values = re.findall(r'name="public"[^>]*value="([^"]*)"', form.group(0))
        assert values == ["1" if expected else "0"]
        assert officer.post(f"{url}/public", data={"public": values[0]}).status_code == 302
        assert documents(app)[0]["public"] is expected
