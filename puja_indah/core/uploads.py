"""Content checks for uploaded files: the bytes decide what a file is, never its name.

`pdf_active_content(data)` finds what makes a PDF more than a document (scripts, launch actions,
embedded files or media). PDF names may be written with `#xx` escapes (`/J#61vaScript` is
`/JavaScript`) and objects may sit inside compressed object streams, so both are undone before
looking; a stream that will not decompress within the budget is treated as hiding something.
"""

from __future__ import annotations

import re
import zlib

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
