"""Content checks of every upload: the bytes decide the type; scripts, web pages, SVG, archives,
programs, macro-enabled, encrypted or bomb-like Office files and mismatched names are refused with
a message naming what was found. Messages are the English msgids (no request, no translation)."""

from __future__ import annotations

import zipfile

import pytest

from puja_indah.core import uploads
from puja_indah.core.storage import FileStore, StorageKeyError
from tests import samples

ALL = ["pdf", "jpg", "jpeg", "png", "mp4", "xlsx", "docx"]


@pytest.mark.parametrize("code", sorted(samples.ACCEPTED))
def test_each_accepted_type_is_detected_and_accepted(code: str) -> None:
    data, name, _mimetype = samples.ACCEPTED[code]
    assert uploads.detect_type(data) == code
    assert uploads.upload_problem(data, name, ALL) is None
    assert uploads.upload_problem(data, name, [code]) is None


def test_jpg_and_jpeg_are_one_type() -> None:
    data = samples.jpeg()
    assert uploads.upload_problem(data, "foto.JPEG", ["jpg"]) is None
    assert uploads.upload_problem(data, "foto.jpg", ["jpeg"]) is None
    assert uploads.normalise_types(["JPG", ".jpeg", "png", "exe", " pdf "]) == [
        "jpeg",
        "png",
        "pdf",
    ]


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (samples.HTML, "a web page (HTML)"),
        (samples.SVG, "an SVG image"),
        (samples.PHP, "a script"),
        (b"#!/bin/sh\nrm -rf /\n", "a script"),
        (samples.EXE, "a program (executable)"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "a program (executable)"),
        (samples.zip_of({"a.pdf": samples.PDF}), "an archive"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 100, "an archive"),
        (b"Rar!\x1a\x07\x00" + b"\x00" * 100, "an archive"),
        (b"GIF89a" + b"\x00" * 100, "an image or media format that is not accepted here"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "password-protected Office"),
        (b"just some notes\n", "a text file"),
        (bytes(range(256)), "a file of unknown type"),
    ],
)
def test_refused_content_is_named(data: bytes, found: str) -> None:
    assert uploads.detect_type(data) is None
    problem = uploads.upload_problem(data, "bukti.pdf", ALL)
    assert problem is not None and found in problem and "Accepted: PDF, JPEG, PNG" in problem


def test_a_type_that_the_caller_does_not_accept_is_refused() -> None:
    problem = uploads.upload_problem(samples.png(), "layar.png", ["pdf"])
    assert problem == "This file is a PNG file, which is not accepted here. Accepted: PDF."


@pytest.mark.parametrize(
    ("code", "name", "fragment"),
    [
        ("pdf", "laporan.png", "ends in “.png” but its content is PDF"),
        ("png", "layar.pdf", "ends in “.pdf” but its content is PNG"),
        ("xlsx", "rekap.docx", "ends in “.docx” but its content is XLSX"),
        ("mp4", "video.mov", "ends in “.mov” but its content is MP4"),
        ("pdf", "laporan", "has no extension but its content is PDF"),
        ("pdf", ".pdf", "has no extension"),
    ],
)
def test_content_must_match_the_extension(code: str, name: str, fragment: str) -> None:
    data = samples.ACCEPTED[code][0]
    problem = uploads.upload_problem(data, name, ALL)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"", "a.pdf", "The file is empty."),
        (samples.PDF[:-8], "a.pdf", "PDF file is incomplete"),
        (
            samples.PDF.replace(b"/Catalog", b"/Catalog /OpenAction << /S /JavaScript >>"),
            "a.pdf",
            "PDF files with scripts",
        ),
        (samples.png()[:-12], "a.png", "image file is incomplete"),
        (samples.jpeg()[:-2], "a.jpg", "image file is incomplete"),
        (samples.mp4()[:-10], "a.mp4", "video file is incomplete"),
        (samples.mp4()[:40], "a.mp4", "video file is incomplete"),
        (samples.xlsm(), "a.xlsx", "with macros"),
        (samples.encrypted_docx(), "a.docx", "Password-protected"),
        (samples.office_bomb(), "a.docx", "zip bomb"),
        (samples.xlsx()[:-30], "a.xlsx", "is not accepted here"),
    ],
)
def test_damaged_or_active_files_are_refused(data: bytes, name: str, fragment: str) -> None:
    problem = uploads.upload_problem(data, name, ALL)
    assert problem is not None and fragment in problem, problem


def test_an_office_file_declaring_macros_in_its_content_types_is_refused() -> None:
    with zipfile.ZipFile(__import__("io").BytesIO(samples.docx())) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"document.main+xml", b"document.macroEnabled.main+xml"
    )
    problem = uploads.upload_problem(samples.zip_of(members), "a.docx", ["docx"])
    assert problem is not None and "with macros" in problem


def test_printer_settings_parts_are_not_macros() -> None:
    with zipfile.ZipFile(__import__("io").BytesIO(samples.xlsx())) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["xl/printerSettings/printerSettings1.bin"] = b"\x00" * 64
    assert uploads.upload_problem(samples.zip_of(members), "a.xlsx", ["xlsx"]) is None


def test_a_zip_without_office_parts_is_an_archive() -> None:
    data = samples.zip_of({"[Content_Types].xml": b"<Types/>", "hello.txt": b"x"})
    assert uploads.detect_type(data) is None
    problem = uploads.upload_problem(data, "a.xlsx", ["xlsx"])
    assert problem is not None and "an archive" in problem


def test_mp4_needs_a_known_brand() -> None:
    heic = samples.mp4().replace(b"isomiso2mp41", b"mif1heicheix").replace(b"ftypisom", b"ftypheic")
    assert uploads.detect_type(heic) is None
    problem = uploads.upload_problem(heic, "foto.mp4", ["mp4"])
    assert problem is not None and "video or image format" in problem


def test_each_type_has_its_own_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(uploads.DEFAULT_MAX_BYTES, "png", 100)
    problem = uploads.upload_problem(samples.png() + b"\x00" * 100, "a.png", ["png"])
    assert problem == "The PNG file is larger than 0 MB."
    assert uploads.upload_problem(samples.PDF, "a.pdf", ["pdf"]) is None
    assert uploads.largest_cap(["png", "mp4"]) == uploads.DEFAULT_MAX_BYTES["mp4"]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\x\\SK 193.pdf", "SK 193.pdf"),
        ("sk\x00.php.pdf", "sk.php.pdf"),
        ("a\u202egpj.exe.pdf", "agpj.exe.pdf"),
        ("  ..hidden.pdf ", "hidden.pdf"),
        ("laporan\r\nX-Header: 1.pdf", "laporanX-Header: 1.pdf"),
        ("", ""),
        (None, ""),
    ],
)
def test_file_names_are_cleaned(raw: str | None, clean: str) -> None:
    assert uploads.clean_filename(raw) == clean


def test_long_names_keep_their_extension() -> None:
    name = uploads.clean_filename("a" * 500 + ".docx")
    assert len(name) == 200 and name.endswith(".docx")


def test_accept_attribute_lists_types_and_extensions() -> None:
    assert uploads.accept_attribute(["jpg", "pdf"]) == "image/jpeg,.jpg,.jpeg,application/pdf,.pdf"
    assert uploads.accepted_label(["jpg", "jpeg", "png"]) == "JPEG, PNG"


# --- the file store -------------------------------------------------------------------------------


def test_store_saves_under_random_keys_and_refuses_bad_keys(tmp_path) -> None:
    store = FileStore(tmp_path / "area")
    key = store.save(b"data")
    assert store.open(key) == b"data" and store.exists(key)
    with store.stream(key) as handle:
        assert handle.read() == b"data"
    assert (tmp_path / "area" / key[:2] / key).read_bytes() == b"data"
    assert not [p for p in (tmp_path / "area").rglob(".upload-*")]  # no temporary left behind
    for bad in ("../secret", "/etc/passwd", key.upper(), key + "/..", "", "a" * 31, None):
        assert not store.exists(bad)  # type: ignore[arg-type]
        with pytest.raises(StorageKeyError):
            store.open(bad)  # type: ignore[arg-type]
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting twice is harmless
    with pytest.raises(StorageKeyError):
        store.stream(key)


def test_store_works_on_any_fsspec_url() -> None:
    store = FileStore("memory://puja-test/evidence")
    key = store.save(b"in memory")
    assert store.open(key) == b"in memory" and store.exists(key)
    store.delete(key)
    assert not store.exists(key)
