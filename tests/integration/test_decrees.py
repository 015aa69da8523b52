"""Decrees (SK): list, detail, create and edit with the scanned PDF; appointments."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from puja_indah.agencies.models import Appointment, Decree
from puja_indah.agencies.storage import FileStore, StorageKeyError
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(autouse=True)
def storage_root(app, tmp_path, monkeypatch) -> Path:
    root = tmp_path / "files"
    monkeypatch.setitem(app.config, "STORAGE_ROOT", str(root))
    return root


def _decree(app, decree_id):
    with app.app_context(), scoped(Scope.system("test: read decree"), db.session):
        decree = db.session.get(Decree, decree_id)
        assert decree is not None
        values = {c.key: getattr(decree, c.key) for c in sa.inspect(Decree).column_attrs}
        db.session.remove()
    return values


def _decree_id(app, number):
    with app.app_context(), scoped(Scope.system("test: find decree"), db.session):
        found = db.session.scalar(sa.select(Decree.id).where(Decree.number == number))
        db.session.remove()
    return found


def _appointments(app, decree_id):
    with app.app_context(), scoped(Scope.system("test: read appointments"), db.session):
        rows = {
            a.agency_id: (a.innovation_name, a.must_implement, a.must_replicate, a.is_demo)
            for a in db.session.scalars(
                sa.select(Appointment).where(Appointment.decree_id == decree_id)
            )
        }
        db.session.remove()
    return rows


def _decree_form(pdf: bytes | None = None, name: str = "sk.pdf", **overrides):
    data: dict = {"number": "12 Tahun 2024", "title": "Tim Inovasi Daerah", "signed_on": ""}
    if pdf is not None:
        data["pdf"] = (io.BytesIO(pdf), name)
    data.update(overrides)
    return data


# --- list and detail -----------------------------------------------------------------------------


def test_monitor_lists_and_reads_decrees(login, demo):
    monitor = login("monitor")
    page = monitor.get("/sk").get_data(as_text=True)
    assert "193 Tahun 2018" in page and "Pusat Jejaring Inovasi Daerah" in page
    detail = monitor.get(f"/sk/{demo.decrees['193 Tahun 2018']}").get_data(as_text=True)
    assert "E-tracking pencairan anggaran" in detail
    assert "Tugas 1: melaksanakan" in detail and "Tugas 2: mereplikasi" in detail
    assert "data demo" in detail
    assert "belum diketahui" in detail  # the signing date is not public
    assert "Ubah SK" in detail


def test_another_regions_decree_answers_404(login, demo):
    konsel = login("monitor.konsel")
    sk = demo.decrees["193 Tahun 2018"]
    for url in (f"/sk/{sk}", f"/sk/{sk}/ubah", f"/sk/{sk}/pdf", f"/sk/{sk}/penunjukan/baru"):
        assert konsel.get(url).status_code == 404, url
    assert "193 Tahun 2018" not in konsel.get("/sk").get_data(as_text=True)


def test_reviewer_reads_but_cannot_write(login, demo, table_counts):
    reviewer = login("reviewer")
    sk = demo.decrees["193 Tahun 2018"]
    before = table_counts()
    assert reviewer.get(f"/sk/{sk}").status_code == 200
    assert "Ubah SK" not in reviewer.get(f"/sk/{sk}").get_data(as_text=True)
    assert reviewer.post("/sk/baru", data=_decree_form(PDF)).status_code == 403
    assert reviewer.post(f"/sk/{sk}/ubah", data=_decree_form()).status_code == 403
    assert reviewer.post(f"/sk/{sk}/penunjukan/baru", data={}).status_code == 403
    assert table_counts() == before


def test_officer_cannot_open_decree_screens(login, demo):
    officer = login("officer.bkd")
    assert officer.get("/sk").status_code == 403
    assert officer.get(f"/sk/{demo.decrees['193 Tahun 2018']}").status_code == 403


# --- create and edit with the PDF ----------------------------------------------------------------


def test_monitor_creates_a_decree_with_its_pdf_and_anyone_allowed_downloads_it(
    login, app, demo, storage_root
):
    monitor = login("monitor")
    response = monitor.post(
        "/sk/baru",
        data=_decree_form(PDF, name="../../etc/SK asli.pdf", signed_on="2024-02-01"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    decree_id = _decree_id(app, "12 Tahun 2024")
    values = _decree(app, decree_id)
    assert values["region_id"] == demo.regions["74.06"]
    assert values["signed_on"] == date(2024, 2, 1)
    assert values["pdf_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert values["pdf_size"] == len(PDF)
    # Stored under a random key, never under the user's file name.
    stored = [p for p in storage_root.rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [values["pdf_key"]]
    assert "asli" not in values["pdf_key"] and len(values["pdf_key"]) == 32

    for account in ("monitor", "reviewer", "admin"):
        download = login(account).get(f"/sk/{decree_id}/pdf")
        assert download.status_code == 200, account
        assert download.data == PDF
        assert download.mimetype == "application/pdf"
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        disposition = download.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and "SK-12-Tahun-2024.pdf" in disposition
    assert login("officer.bkd").get(f"/sk/{decree_id}/pdf").status_code == 403
    assert login("monitor.konsel").get(f"/sk/{decree_id}/pdf").status_code == 404


def test_html_renamed_pdf_is_refused(login, table_counts, storage_root):
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post(
        "/sk/baru", data=_decree_form(HTML, name="sk.pdf"), content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert "Berkas ini bukan dokumen PDF" in response.get_data(as_text=True)
    assert table_counts() == before
    assert not storage_root.exists() or not any(p.is_file() for p in storage_root.rglob("*"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Berkas kosong."),
        (b"%PDF-1.7\n" + b"0" * 5000, "Berkas PDF tidak lengkap atau rusak."),
        (PDF.replace(b"trailer", b"/OpenAction << /S /JavaScript >>\ntrailer"), "skrip"),
        (b"MZ\x90\x00" + b"\x00" * 100, "Berkas ini bukan dokumen PDF"),
    ],
)
def test_pdf_content_is_checked(login, table_counts, content, message):
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post(
        "/sk/baru", data=_decree_form(content), content_type="multipart/form-data"
    )
    assert message in response.get_data(as_text=True)
    assert table_counts() == before


def test_pdf_over_10_mb_is_refused(login, table_counts):
    monitor = login("monitor")
    before = table_counts()
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n"
    # Encoded in memory: the test client would spool a body this large to an unclosed temp file.
    upload = FileStorage(io.BytesIO(big), filename="sk.pdf", content_type="application/pdf")
    stream, length, boundary = stream_encode_multipart(
        {**_decree_form(), "pdf": upload}, use_tempfile=False
    )
    response = monitor.post(
        "/sk/baru",
        input_stream=stream,
        content_length=length,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )
    assert "Ukuran berkas lebih dari 10 MB." in response.get_data(as_text=True)
    assert table_counts() == before


def test_decree_input_is_checked(login, demo, table_counts):
    monitor = login("monitor")
    before = table_counts()
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    cases = [
        (_decree_form(number="193  tahun 2018"), "Daerah ini sudah memiliki SK nomor"),
        (_decree_form(signed_on=tomorrow), "Tanggal penetapan tidak boleh di masa depan."),
        (_decree_form(signed_on="31-02-2020"), "Tulis tanggal dengan format TTTT-BB-HH."),
        (_decree_form(title="x" * 301), "Gunakan paling banyak 300 karakter."),
        (_decree_form(number=""), "Isian ini wajib diisi."),
    ]
    for data, message in cases:
        response = monitor.post("/sk/baru", data=data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), message
    assert table_counts() == before


def test_monitor_edits_a_decree_and_replaces_its_pdf(login, app, demo):
    sk = demo.decrees["193 Tahun 2018"]
    monitor = login("monitor")
    form = monitor.get(f"/sk/{sk}/ubah").get_data(as_text=True)
    assert 'value="193 Tahun 2018"' in form and 'enctype="multipart/form-data"' in form
    data = _decree_form(PDF, number="193 Tahun 2018", title="Judul baru", signed_on="2018-10-01")
    assert monitor.post(f"/sk/{sk}/ubah", data=data).status_code == 302
    first = _decree(app, sk)
    assert first["title"] == "Judul baru" and first["pdf_size"] == len(PDF)
    # Saving without a new file keeps the stored one.
    data = _decree_form(number="193 Tahun 2018", title="Judul baru", signed_on="2018-10-01")
    assert monitor.post(f"/sk/{sk}/ubah", data=data).status_code == 302
    assert _decree(app, sk)["pdf_key"] == first["pdf_key"]


def test_pdf_of_a_decree_without_file_is_404(login, demo):
    assert login("monitor").get(f"/sk/{demo.decrees['193 Tahun 2018']}/pdf").status_code == 404


def test_admin_chooses_the_region_of_a_new_decree(login, app, demo):
    admin = login("admin")
    assert "Pilih daerah." in admin.post("/sk/baru", data=_decree_form()).get_data(as_text=True)
    ok = admin.post("/sk/baru", data=_decree_form(region_id=str(demo.regions["74.05"])))
    assert ok.status_code == 302
    created = _decree(app, _decree_id(app, "12 Tahun 2024"))
    assert created["region_id"] == demo.regions["74.05"] and created["pdf_key"] is None


def test_storage_keys_cannot_escape_the_root(tmp_path):
    store = FileStore(tmp_path)
    key = store.save(b"data")
    assert store.open(key) == b"data"
    for bad in ("../secret", "/etc/passwd", key.upper(), key + "/..", "", "a" * 31):
        with pytest.raises(StorageKeyError):
            store.open(bad)
    with pytest.raises(StorageKeyError):
        store.open("0" * 32)  # well-formed but never stored


# --- appointments --------------------------------------------------------------------------------


def _appointment_form(agency_id, **overrides):
    data = {
        "agency_id": str(agency_id),
        "innovation_name": "Sadar wisata digital",
        "innovation_description": "Informasi destinasi dalam satu aplikasi.",
        "must_implement": "y",
        "must_replicate": "y",
    }
    data.update(overrides)
    return data


def test_monitor_appoints_edits_and_removes_an_agency(login, app, demo):
    sk, dispar = demo.decrees["193 Tahun 2018"], demo.agency("DISPAR")
    monitor = login("monitor")
    response = monitor.post(f"/sk/{sk}/penunjukan/baru", data=_appointment_form(dispar))
    assert response.status_code == 302
    assert _appointments(app, sk)[dispar] == ("Sadar wisata digital", True, True, False)
    page = monitor.get(f"/sk/{sk}").get_data(as_text=True)
    assert "Dinas Pariwisata telah ditunjuk." in page and "Sadar wisata digital" in page

    with app.app_context(), scoped(Scope.system("test: find"), db.session):
        appointment_id = db.session.scalar(
            sa.select(Appointment.id).where(
                Appointment.decree_id == sk, Appointment.agency_id == dispar
            )
        )
        db.session.remove()
    url = f"/sk/{sk}/penunjukan/{appointment_id}"
    edit = monitor.post(f"{url}/ubah", data=_appointment_form(dispar, must_replicate=""))
    assert edit.status_code == 302
    assert _appointments(app, sk)[dispar][2] is False
    assert monitor.get(f"{url}/hapus").status_code == 405  # removal is a POST
    assert monitor.post(f"{url}/hapus").status_code == 302
    assert dispar not in _appointments(app, sk)


def test_an_agency_appointed_twice_is_a_message(login, demo, table_counts):
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post(
        f"/sk/{demo.decrees['193 Tahun 2018']}/penunjukan/baru",
        data=_appointment_form(demo.agency("BKD")),
    )
    assert response.status_code == 200
    assert "Badan Keuangan Daerah sudah ditunjuk dalam SK ini." in response.get_data(as_text=True)
    assert table_counts() == before


def test_appointment_input_is_checked(login, demo, table_counts):
    monitor = login("monitor")
    sk = demo.decrees["193 Tahun 2018"]
    before = table_counts()
    cases = [
        (_appointment_form(demo.agency("BKAD", "74.05")), "Pilih salah satu pilihan"),
        (_appointment_form("x"), "Pilih salah satu pilihan"),
        (_appointment_form(""), "Pilih OPD."),
        (_appointment_form(demo.agency("DISPAR"), innovation_name="x" * 201), "200 karakter"),
    ]
    for data, message in cases:
        response = monitor.post(f"/sk/{sk}/penunjukan/baru", data=data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), message
    assert table_counts() == before


def test_appointment_must_belong_to_the_decree_in_the_url(login, app, demo):
    monitor = login("monitor")
    sk = demo.decrees["193 Tahun 2018"]
    with app.app_context(), scoped(Scope.system("test: second decree"), db.session):
        other = Decree(region_id=demo.regions["74.06"], number="1 Tahun 2020", title="Lain")
        db.session.add(other)
        db.session.flush()
        appointment = Appointment(decree_id=other.id, agency_id=demo.agency("DISPAR"))
        db.session.add(appointment)
        db.session.commit()
        appointment_id = appointment.id
        db.session.remove()
    assert monitor.get(f"/sk/{sk}/penunjukan/{appointment_id}/ubah").status_code == 404
    assert monitor.post(f"/sk/{sk}/penunjukan/{appointment_id}/hapus").status_code == 404
    assert monitor.get(f"/sk/{sk}/penunjukan/99999/ubah").status_code == 404


def test_reviewer_cannot_remove_an_appointment(login, app, demo, table_counts):
    sk = demo.decrees["193 Tahun 2018"]
    with app.app_context(), scoped(Scope.system("test: find"), db.session):
        appointment_id = db.session.scalar(
            sa.select(Appointment.id).where(Appointment.decree_id == sk).limit(1)
        )
        db.session.remove()
    reviewer = login("reviewer")
    before = table_counts()
    assert reviewer.post(f"/sk/{sk}/penunjukan/{appointment_id}/hapus").status_code == 403
    assert table_counts() == before
