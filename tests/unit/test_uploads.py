"""The PDF active-content check sees through name escapes and compressed streams."""

from __future__ import annotations

import zlib

import pytest

from puja_indah.core import uploads

PLAIN = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer\n%%EOF\n"


def _with_stream(payload: bytes) -> bytes:
    return PLAIN.replace(
        b"trailer",
        b"5 0 obj << /Filter /FlateDecode >>\nstream\n"
        + zlib.compress(payload)
        + b"\nendstream endobj\ntrailer",
    )


def test_a_plain_document_passes() -> None:
    assert not uploads.pdf_active_content(PLAIN)
    assert not uploads.pdf_active_content(_with_stream(b"BT /F1 12 Tf (Hello) Tj ET"))


@pytest.mark.parametrize(
    "fragment",
    [b"/JavaScript", b"/J#61vaScript", b"/#4A#53", b"/Launch", b"/EmbeddedFile", b"/RichMedia"],
)
def test_active_names_are_found_raw_and_escaped(fragment: bytes) -> None:
    assert uploads.pdf_active_content(
        PLAIN.replace(b"/Catalog", b"/Catalog /OpenAction " + fragment)
    )


def test_a_name_that_merely_starts_like_an_active_one_passes() -> None:
    assert not uploads.pdf_active_content(PLAIN.replace(b"/Catalog", b"/Catalog /JSONData"))


def test_active_names_inside_compressed_streams_are_found() -> None:
    assert uploads.pdf_active_content(_with_stream(b"<< /S /JavaScript /JS (x) >>"))


def test_a_stream_inflating_past_the_budget_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_INFLATED_BYTES", 1000)
    assert uploads.pdf_active_content(_with_stream(b"0" * 5000))
