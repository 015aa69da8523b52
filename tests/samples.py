"""Small real files of every type the evidence vault accepts, and hostile ones, made in memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import openpyxl

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
PHP = b"<?php system($_GET['c']); ?>\n"
EXE = b"MZ" + b"\x90\x00" * 200


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png() -> bytes:
    """A real 2×2 RGB PNG."""
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg() -> bytes:
    """A real baseline 8×8 grey JPEG: one block whose DC and AC codes are both a single 0 bit."""
    return (
        b"\xff\xd8"
        + _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + _segment(0xDB, b"\x00" + b"\x01" * 64)
        + _segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")
        + _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")
        + _segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")
        + _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"
        + b"\xff\xd9"
    )


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body) + 8) + kind + body


def mp4() -> bytes:
    """An ISO BMFF file: ftyp (isom, mp41), a movie header box and a media data box."""
    mvhd = _box(b"mvhd", b"\x00" * 4 + b"\x00" * 8 + struct.pack(">II", 1000, 0) + b"\x00" * 80)
    return (
        _box(b"ftyp", b"isom" + b"\x00\x00\x02\x00" + b"isomiso2mp41")
        + _box(b"moov", mvhd)
        + _box(b"mdat", b"\x00" * 64)
    )


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Indikator", "Nilai"])
    sheet.append(["Jumlah pengguna", 512])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


CONTENT_TYPES_DOCX = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx() -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES_DOCX,
            "_rels/.rels": (
                b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
                b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                b'officeDocument" Target="word/document.xml"/></Relationships>'
            ),
            "word/document.xml": (
                b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
                b'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
                b"Laporan monitoring</w:t></w:r></w:p></w:body></w:document>"
            ),
        }
    )


def xlsm() -> bytes:
    """A workbook carrying a VBA project (what Excel saves as .xlsm)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx())) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 512)
    return out.getvalue()


def office_bomb() -> bytes:
    """A docx whose one part unpacks to far more than it weighs."""
    return zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES_DOCX,
            "word/document.xml": b"<w:document/>",
            "word/media/filler.xml": b"\x00" * (120 * 1024 * 1024),
        }
    )


def encrypted_docx() -> bytes:
    """A docx whose entries say they are encrypted (ZIP flag bit 0)."""
    data = bytearray(docx())
    position = 0
    while True:
        position = data.find(b"PK\x03\x04", position)
        if position < 0:
            break
        data[position + 6] |= 0x01
        position += 4
    position = 0
    while True:
        position = data.find(b"PK\x01\x02", position)
        if position < 0:
            break
        data[position + 8] |= 0x01
        position += 4
    return bytes(data)


ACCEPTED = {
    "pdf": (PDF, "laporan.pdf", "application/pdf"),
    "jpeg": (jpeg(), "foto.jpg", "image/jpeg"),
    "png": (png(), "layar.png", "image/png"),
    "mp4": (mp4(), "video.mp4", "video/mp4"),
    "xlsx": (
        xlsx(),
        "rekap.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "docx": (
        docx(),
        "laporan.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
