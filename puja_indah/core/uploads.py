"""Content checks for uploaded files: the bytes decide what a file is, never its name.

`pdf_active_content(data)` finds what makes a PDF more than a document (scripts, launch actions,
embedded files or media). PDF names may be written with `#xx` escapes (`/J#61vaScript` is
`/JavaScript`) and objects may sit inside compressed object streams, so both are undone before
looking; a stream that will not decompress within the budget is treated as hiding something.

`detect_type`, `upload_problem` and `clean_filename` (below) decide every other upload: the
evidence vault's and those of the features that attach evidence through it.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import gettext as _

# Names whose presence makes a PDF run or carry something beyond its pages.
PDF_ACTIVE_NAMES = (
    b"/javascript",
    b"/js",
    b"/launch",
    b"/embeddedfile",
    b"/embeddedfiles",
    b"/richmedia",
    b"/xfa",
)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# A name token ends at whitespace or a delimiter (PDF 32000-1 §7.2.2).
_NAME_TOKEN = re.compile(rb"/[^\s/<>\[\]()%{}]*")
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
# Decompressed bytes inspected per upload: enough for real documents, a cap for zip bombs.
MAX_INFLATED_BYTES = 64 * 1024 * 1024


def _unescape_names(data: bytes) -> bytes:
    return _NAME_TOKEN.sub(
        lambda m: _NAME_ESCAPE.sub(lambda e: bytes([int(e.group(1), 16)]), m.group(0)), data
    )


def _has_active_name(data: bytes) -> bool:
    names = {token.lower() for token in _NAME_TOKEN.findall(_unescape_names(data))}
    return any(name in names for name in PDF_ACTIVE_NAMES) or b"<script" in data.lower()


def _inflated_streams(data: bytes) -> list[bytes] | None:
    """The decompressed content of every Flate stream, or None when over the budget."""
    found: list[bytes] = []
    budget = MAX_INFLATED_BYTES
    for match in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(match.group(1), budget + 1)
        except zlib.error:
            continue  # not Flate (images, fonts in other filters): their bytes were scanned raw
        budget -= len(chunk)
        if budget < 0 or inflater.unconsumed_tail:
            return None
        found.append(chunk)
    return found


def pdf_active_content(data: bytes) -> bool:
    """True when the PDF carries scripts, actions that launch programs, embedded files or media."""
    if _has_active_name(data):
        return True
    streams = _inflated_streams(data)
    if streams is None:
        return True
    return any(_has_active_name(stream) for stream in streams)


# --- file types: what the bytes are --------------------------------------------------------------
#
# `detect_type(data)` names an accepted type from the content alone; `upload_problem(data,
# filename, allowed_types)` says why an upload is refused (in the user's language) or returns None.
# Types are named by their usual extension ("pdf", "jpeg", "png", "mp4", "xlsx", "docx"); callers
# pass the extensions they accept (the assessment catalogue's `file_type_list`, e.g. ["jpg",
# "pdf"]).


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str  # shown to users: a format name, the same in every language
    mimetype: str
    extensions: tuple[str, ...]


KINDS: dict[str, FileKind] = {
    kind.code: kind
    for kind in (
        FileKind("pdf", "PDF", "application/pdf", ("pdf",)),
        FileKind("jpeg", "JPEG", "image/jpeg", ("jpg", "jpeg")),
        FileKind("png", "PNG", "image/png", ("png",)),
        FileKind("mp4", "MP4", "video/mp4", ("mp4", "m4v")),
        FileKind(
            "xlsx",
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ("xlsx",),
        ),
        FileKind(
            "docx",
            "DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
        ),
    )
}
_BY_EXTENSION = {ext: kind.code for kind in KINDS.values() for ext in kind.extensions}

# Caps when the app has no UPLOAD_MAX_BYTES (config.py holds the real ones).
DEFAULT_MAX_BYTES = {
    "pdf": 20 * 1024 * 1024,
    "jpeg": 10 * 1024 * 1024,
    "png": 10 * 1024 * 1024,
    "mp4": 100 * 1024 * 1024,
    "xlsx": 20 * 1024 * 1024,
    "docx": 20 * 1024 * 1024,
}
# Office files: what their parts may unpack to, and the largest believable compression ratio.
MAX_OFFICE_UNPACKED = 100 * 1024 * 1024
MAX_OFFICE_RATIO = 100
MAX_OFFICE_MEMBERS = 5000
PDF_EOF_WINDOW = 2048
JPEG_EOI_WINDOW = 1024
# ISO base media brands of MP4 video (ISO/IEC 14496-12/-14, mp4ra.org); HEIF images (heic, mif1)
# and QuickTime (qt) share the box format but are not MP4 video.
MP4_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso3",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"mp71",
        b"avc1",
        b"av01",
        b"dash",
        b"mmp4",
        b"M4V ",
        b"M4VP",
        b"MSNV",
        b"f4v ",
        b"3gp4",
        b"3gp5",
        b"3gp6",
        b"3g2a",
    }
)
HEAD_BYTES = 8192  # enough of the start of a file to recognise it


def normalise_types(allowed_types: Iterable[str]) -> list[str]:
    """Accepted type codes, in order, from extensions or codes ("jpg" → "jpeg"); unknown ones
    (an indicator that lists something the vault never accepts) are dropped."""
    found: list[str] = []
    for item in allowed_types:
        code = _BY_EXTENSION.get(item.strip().lower().lstrip("."))
        if code is not None and code not in found:
            found.append(code)
    return found


def accepted_label(allowed_types: Iterable[str]) -> str:
    """ "PDF, JPEG, PNG" — for messages and field descriptions."""
    return ", ".join(KINDS[code].label for code in normalise_types(allowed_types))


def accept_attribute(allowed_types: Iterable[str]) -> str:
    """The file input's `accept` attribute (a hint to the browser; the server decides)."""
    parts: list[str] = []
    for code in normalise_types(allowed_types):
        kind = KINDS[code]
        parts.append(kind.mimetype)
        parts.extend(f".{ext}" for ext in kind.extensions)
    return ",".join(parts)


def max_bytes(code: str) -> int:
    configured: dict[str, int] = {}
    if has_app_context():
        configured = current_app.config.get("UPLOAD_MAX_BYTES") or {}
    return int(configured.get(code, DEFAULT_MAX_BYTES[code]))


def largest_cap(allowed_types: Iterable[str]) -> int:
    return max((max_bytes(code) for code in normalise_types(allowed_types)), default=0)


def _is_mp4(data: bytes) -> bool:
    if len(data) < 16 or data[4:8] != b"ftyp":
        return False
    size = int.from_bytes(data[:4], "big")
    if size < 16 or size > min(len(data), 4096) or size % 4:
        return False
    brands = [data[8:12]] + [data[i : i + 4] for i in range(16, size, 4)]
    return any(brand in MP4_BRANDS for brand in brands)


def _office_kind(data: bytes) -> str | None:
    """ "xlsx"/"docx" when the ZIP has the parts of an Office Open XML workbook or document."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return None


def detect_type(data: bytes) -> str | None:
    """The accepted type the content is ("pdf", "jpeg", "png", "mp4", "xlsx", "docx"), or None.
    Only the bytes decide; whether the file is whole and safe is `upload_problem`'s question."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if _is_mp4(data):
        return "mp4"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


_SCRIPT_STARTS = (b"<?php", b"<?=", b"<%", b"#!")
_EXECUTABLE_STARTS = (
    b"MZ",
    b"\x7fELF",
    b"\xca\xfe\xba\xbe",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\x00asm",
    b"dex\n",
)
_ARCHIVE_STARTS = (
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x28\xb5\x2f\xfd",
    b"MSCF",
)
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")


def describe_content(data: bytes) -> str:
    """What a refused file is, in the user's language (for the refusal message)."""
    head = data[:HEAD_BYTES]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not data:
        return _("an empty file")
    if text.startswith(_SCRIPT_STARTS) or b"<?php" in text:
        return _("a script")
    if head.startswith(_EXECUTABLE_STARTS):
        return _("a program (executable)")
    if b"<svg" in text:
        return _("an SVG image (it can carry scripts)")
    if any(marker in text for marker in _HTML_MARKERS):
        return _("a web page (HTML)")
    if (
        head.startswith(b"PK\x03\x04")
        or head.startswith(_ARCHIVE_STARTS)
        or (head[257:262] == b"ustar")
    ):
        return _("an archive (ZIP, RAR, 7z, …)")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _("an old-format or password-protected Office file")
    if head.startswith((b"GIF87a", b"GIF89a")) or head[:4] in (b"RIFF", b"II*\x00", b"MM\x00*"):
        return _("an image or media format that is not accepted here")
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return _("a video or image format that is not accepted here")
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return _("a markup file (XML)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return _("a file of unknown type")
    return _("a text file")


def clean_filename(filename: str | None, limit: int = 200) -> str:
    """The uploader's file name, fit to show and to offer as a download name: no folders, no
    control characters, no leading dots, at most `limit` characters (the extension is kept)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: limit - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:limit]
    return name


def extension_of(filename: str | None) -> str:
    name = clean_filename(filename)
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _pdf_problem(data: bytes) -> str | None:
    if b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
        return _("The PDF file is incomplete or damaged. Save it again and upload it.")
    if pdf_active_content(data):
        return _("PDF files with scripts or embedded programs are not accepted.")
    return None


def _png_problem(data: bytes) -> str | None:
    if data[12:16] != b"IHDR" or b"IEND" not in data[-12:]:
        return _("The image file is incomplete or damaged. Save it again and upload it.")
    return None


def _jpeg_problem(data: bytes) -> str | None:
    if b"\xff\xd9" not in data[-JPEG_EOI_WINDOW:] or len(data) < 128:
        return _("The image file is incomplete or damaged. Save it again and upload it.")
    return None


def _mp4_problem(data: bytes) -> str | None:
    """Walk the top-level boxes: they must fill the file exactly and include the movie header."""
    position, types = 0, set()
    while position < len(data):
        if len(data) - position < 8:
            break
        size = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        header = 8
        if size == 1:
            if len(data) - position < 16:
                break
            size, header = int.from_bytes(data[position + 8 : position + 16], "big"), 16
        elif size == 0:
            size = len(data) - position
        if size < header or not all(32 <= b < 127 for b in kind):
            break
        types.add(kind)
        position += size
    if position != len(data) or b"moov" not in types:
        return _("The video file is incomplete or damaged. Save it again and upload it.")
    return None


def _active_part(name: str) -> bool:
    """A part that runs or carries a program: a VBA project (macros), ActiveX controls, or an
    embedded OLE package (`oleObject1.bin`, how programs ride inside documents). Printer settings
    are `.bin` too and harmless."""
    lowered = name.lower()
    return (
        "vbaproject" in lowered
        or "/activex/" in lowered
        or ("/embeddings/" in lowered and lowered.endswith(".bin"))
    )


def _office_problem(data: bytes) -> str | None:
    damaged = _("The Office file is incomplete or damaged. Save it again and upload it.")
    macros = _(
        "Office files with macros, controls or embedded programs are not accepted. Save it as a"
        " plain .xlsx or .docx file and upload it again."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_OFFICE_MEMBERS:
                return damaged
            if any(m.flag_bits & 0x1 for m in members):
                return _(
                    "Password-protected files are not accepted. Remove the password and upload"
                    " the file again."
                )
            if any(_active_part(m.filename) for m in members):
                return macros
            total = sum(m.file_size for m in members)
            ratio_ok = all(
                m.file_size <= max(m.compress_size, 1) * MAX_OFFICE_RATIO or m.file_size < 1_000_000
                for m in members
            )
            if total > MAX_OFFICE_UNPACKED or not ratio_ok:
                return _(
                    "The Office file unpacks to far more than its size (a possible zip bomb)."
                    " It is not accepted."
                )
            types_xml = archive.read("[Content_Types].xml")[:1_000_000].lower()
            if b"macroenabled" in types_xml or b"vbaproject" in types_xml:
                return macros
            if archive.testzip() is not None:
                return damaged
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, KeyError):
        return damaged
    except (zlib.error, NotImplementedError, RuntimeError):
        return damaged
    return None


_CONTENT_CHECKS = {
    "pdf": _pdf_problem,
    "png": _png_problem,
    "jpeg": _jpeg_problem,
    "mp4": _mp4_problem,
    "xlsx": _office_problem,
    "docx": _office_problem,
}


def too_large_message(code: str) -> str:
    return _(
        "The %(type)s file is larger than %(size)d MB.",
        type=KINDS[code].label,
        size=max_bytes(code) // (1024 * 1024),
    )


def upload_problem(data: bytes, filename: str | None, allowed_types: Iterable[str]) -> str | None:
    """Why this upload is refused, in the user's language, or None when it is accepted: the type
    found in the bytes must be one of `allowed_types`, match the name's extension, fit its size
    cap, and be whole and free of active content."""
    allowed = normalise_types(allowed_types)
    accepted = accepted_label(allowed)
    if not data:
        return _("The file is empty.")
    code = detect_type(data)
    if code is None or code not in allowed:
        found = (
            _("a %(type)s file", type=KINDS[code].label)
            if code is not None
            else describe_content(data)
        )
        return _(
            "This file is %(found)s, which is not accepted here. Accepted: %(accepted)s.",
            found=found,
            accepted=accepted,
        )
    if len(data) > max_bytes(code):
        return too_large_message(code)
    problem = _CONTENT_CHECKS[code](data)
    if problem:
        return problem
    extension = extension_of(filename)
    expected = ", ".join(f".{ext}" for ext in KINDS[code].extensions)
    dotted = "." + extension
    if not extension:
        return _(
            "The file's name has no extension but its content is %(type)s. Name it with"
            " %(expected)s and upload it again.",
            type=KINDS[code].label,
            expected=expected,
        )
    if _BY_EXTENSION.get(extension) != code:
        return _(
            "The file's name ends in “%(extension)s” but its content is %(type)s. Give it the"
            " right extension (%(expected)s) and upload it again.",
            extension=dotted,
            type=KINDS[code].label,
            expected=expected,
        )
    return None
