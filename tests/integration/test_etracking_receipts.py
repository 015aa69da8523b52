"""The desk's receipts: printable page and PDF in A6 and 58 mm, with the public code and a QR
code of the status address — never the amount."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable

import segno
from flask import Flask, url_for
from flask.testing import FlaskClient

from puja_indah.modules.etracking import codes, receipts
from tests.conftest import Demo
from tests.integration.etracking_files import SECRET_AMOUNT, SECRET_NUMBER, at, make_file

MM = 72 / 25.4  # PDF points per millimetre


def test_the_qr_code_holds_the_absolute_status_address(app: Flask) -> None:
    code = codes.new_code()
    with app.test_request_context():
        url = receipts.status_url(code)
        assert url == f"http://localhost/s/{code}"
        assert url == url_for("tracking.status", tracking_code=code, _external=True)
        made = receipts.receipt_qr(code)
        assert made.matrix == segno.make(url, error="m", micro=False, boost_error=False).matrix
        assert made.matrix != segno.make(url + "X", error="m", micro=False).matrix
        assert made.error == "M"


def test_latin1_keeps_the_pdf_core_fonts_safe() -> None:
    assert receipts.latin1("Pencairan anggaran (SPM → SP2D)") == "Pencairan anggaran (SPM -> SP2D)"
    assert receipts.latin1("“Izin” – Ω") == '"Izin" - ?'
    assert receipts.latin1("Kecamatan Rumbia, Bombana é") == "Kecamatan Rumbia, Bombana é"


def test_receipt_page_shows_the_file_and_the_code_not_the_amount(
    app: Flask, login: Callable[[str], FlaskClient], demo: Demo
) -> None:
    made = make_file(app, demo.agency("BKD"), received=at("2026-11-02", "09:05"))
    officer = login("officer.bkd")
    response = officer.get(f"/m/etracking/files/{made.id}/receipt")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for expected in (
        "Tanda terima berkas",
        "Badan Keuangan Daerah",
        "Pencairan anggaran (SPM → SP2D)",
        "SPM Langsung (LS)",
        SECRET_NUMBER,
        "2 Nov 2026, 09.05 WITA",
        codes.display(made.code),
        f"localhost/s/{made.code}",
        "localhost/lacak",
        "<svg",
        "receipt-a6.css",
    ):
        assert expected in page, expected
    assert "987" not in page and "<script" not in page
    thermal = officer.get(f"/m/etracking/files/{made.id}/receipt?size=58mm")
    assert "receipt-58mm.css" in thermal.get_data(as_text=True)
    odd = officer.get(f"/m/etracking/files/{made.id}/receipt?size=A4%27%3E")
    assert odd.status_code == 200 and "receipt-a6.css" in odd.get_data(as_text=True)
    for css in ("receipt.css", "receipt-a6.css", "receipt-58mm.css"):
        static = officer.get(f"/static/etracking/{css}")
        assert static.status_code == 200
        static.close()


def _media_box(pdf: bytes) -> tuple[float, float]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(boxes) == 1, boxes
    width, height = boxes[0]
    return float(width), float(height)


def _page_text(pdf: bytes) -> bytes:
    """The content streams, inflated (fpdf2 compresses them)."""
    text = b""
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text += zlib.decompress(stream)
        except zlib.error:
            continue
    return text


def test_receipt_pdf_has_the_exact_page_size_the_code_and_one_image(
    app: Flask, login: Callable[[str], FlaskClient], demo: Demo
) -> None:
    made = make_file(app, demo.agency("BKD"))
    officer = login("officer.bkd")
    a6 = officer.get(f"/m/etracking/files/{made.id}/receipt.pdf?size=a6")
    assert a6.status_code == 200 and a6.mimetype == "application/pdf"
    assert a6.data.startswith(b"%PDF-")
    width, height = _media_box(a6.data)
    assert abs(width - 105 * MM) < 0.1 and abs(height - 148 * MM) < 0.1
    roll = officer.get(f"/m/etracking/files/{made.id}/receipt.pdf?size=58mm")
    width, height = _media_box(roll.data)
    assert abs(width - 58 * MM) < 0.1
    assert 80 * MM < height < 148 * MM  # fitted to the content, not a fixed sheet
    for pdf in (a6.data, roll.data):
        text = _page_text(pdf)
        assert codes.display(made.code).encode() in text
        assert b"SPM -> SP2D" in text and SECRET_NUMBER.encode() in text
        assert f"localhost/s/{made.code}".encode() in text
        assert len(re.findall(rb"/Subtype\s*/Image", pdf)) == 1
        for amount in (f"{SECRET_AMOUNT:.2f}", "987.654.321", "987654321"):
            assert amount.encode() not in text and amount.encode() not in pdf
    # An unknown size is the default sheet, never an error.
    odd = officer.get(f"/m/etracking/files/{made.id}/receipt.pdf?size=letter")
    assert odd.status_code == 200 and _media_box(odd.data) == _media_box(a6.data)


def test_receipts_are_the_desk_agencys_own(
    app: Flask, login: Callable[[str], FlaskClient], demo: Demo
) -> None:
    made = make_file(app, demo.agency("BKD"))
    other = login("officer.dpmptsp")  # DPMPTSP runs its own desk: BKD's file is not there
    assert other.get(f"/m/etracking/files/{made.id}/receipt").status_code == 404
    assert other.get(f"/m/etracking/files/{made.id}/receipt.pdf").status_code == 404
    assert login("monitor").get(f"/m/etracking/files/{made.id}/receipt").status_code == 403
    anonymous = app.test_client().get(f"/m/etracking/files/{made.id}/receipt.pdf")
    assert anonymous.status_code == 302
    officer = login("officer.bkd")
    assert officer.get("/m/etracking/files/999999/receipt").status_code == 404


def test_long_names_still_fit_the_a6_sheet(app: Flask) -> None:
    code = codes.new_code()
    with app.test_request_context():
        data = receipts.Receipt(
            agency_name="Badan " * 33,
            process_name="Proses → " * 22,
            file_kind_name="Jenis " * 20,
            internal_number="N" * 80,
            received_at=at("2026-11-02", "09:05"),
            code=code,
            status_url=receipts.status_url(code),
            lookup_url="http://localhost/lacak",
        )
        pdf = receipts.receipt_pdf_bytes(data, "a6")
    assert _media_box(pdf) == (round(105 * MM, 2), round(148 * MM, 2))
    text = _page_text(pdf)
    assert codes.display(code).encode() in text
    # Every line and the QR code sit on the sheet (PDF y grows upwards from the bottom edge).
    lines = [float(y) for y in re.findall(rb"BT [\d.]+ ([\d.-]+) Td", text)]
    assert lines and min(lines) > 0
    size, bottom = re.search(rb"q ([\d.]+) 0 0 [\d.]+ [\d.]+ ([\d.-]+) cm /I\d+ Do", text).groups()
    assert float(bottom) > 0 and float(size) >= 24 * MM - 0.1
