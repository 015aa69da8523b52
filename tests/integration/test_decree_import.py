"""Decree import from CSV or XLSX: all or nothing, row-by-row report, idempotent; UI and CLI."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from puja_indah.agencies.models import Appointment
from puja_indah.core.audit import AuditEntry
from puja_indah.core.models import Agency
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "decree_193_sample.csv"
HEADER = "kode_opd,nama_opd,singkatan,induk,inovasi,deskripsi,wajib_laksana,wajib_replikasi"


def _state(app, demo):
    """Agencies of Bombana and appointments of SK 193, as comparable values."""
    region, sk = demo.regions["74.06"], demo.decrees["193 Tahun 2018"]
    with app.app_context(), scoped(Scope.system("test: read state"), db.session):
        agencies = {
            a.code: (a.name, a.short_name, a.parent.code if a.parent else None, a.is_demo)
            for a in db.session.scalars(sa.select(Agency).where(Agency.region_id == region))
        }
        appointments = {
            a.agency.code: (
                a.innovation_name,
                a.innovation_description,
                a.must_implement,
                a.must_replicate,
                a.is_demo,
            )
            for a in db.session.scalars(sa.select(Appointment).where(Appointment.decree_id == sk))
        }
        db.session.remove()
    return agencies, appointments


def _audit_changes(app) -> int:
    with app.app_context(), scoped(Scope.system("test: count audit"), db.session):
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.in_(("create", "update", "delete")))
        )
        db.session.remove()
    return int(count or 0)


def _upload(client, demo, content: bytes, name: str = "daftar.csv", **extra):
    sk = demo.decrees["193 Tahun 2018"]
    # Encoded in memory: the test client spools big bodies to a temp file it never closes.
    upload = FileStorage(io.BytesIO(content), filename=name)
    stream, length, boundary = stream_encode_multipart(
        {"file": upload, **extra}, use_tempfile=False
    )
    return client.post(
        f"/sk/{sk}/impor",
        input_stream=stream,
        content_length=length,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


# --- the web screen ------------------------------------------------------------------------------


def test_import_page_explains_the_columns(login, demo):
    page = login("monitor").get(f"/sk/{demo.decrees['193 Tahun 2018']}/impor")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "kode_opd" in text and "wajib_replikasi" in text and "Impor daftar SK" in text


def test_importing_the_sample_twice_changes_nothing_the_second_time(login, app, demo, table_counts):
    monitor = login("monitor")
    content = SAMPLE.read_bytes()
    first = _upload(monitor, demo, content)
    assert first.status_code == 302
    page = monitor.get(first.headers["Location"]).get_data(as_text=True)
    assert "5 baris dibaca." in page
    agencies, appointments = _state(app, demo)
    assert appointments["DISKOMINFOS"][2:] == (False, False, False)  # coordinates, not demo
    assert appointments["BKD"][0] == "E-tracking pencairan anggaran"
    assert agencies["DISKOMINFOS"][0] == "Dinas Komunikasi, Informatika dan Statistik"

    counts, state, audited = table_counts(), _state(app, demo), _audit_changes(app)
    second = _upload(monitor, demo, content)
    assert second.status_code == 302
    page = monitor.get(second.headers["Location"]).get_data(as_text=True)
    assert "Tidak ada perubahan: data sudah sesuai dengan berkas." in page
    assert table_counts() == counts
    assert _state(app, demo) == state
    assert _audit_changes(app) == audited  # not even an UPDATE with equal values


def test_a_broken_file_is_reported_row_by_row_and_changes_nothing(login, app, demo, table_counts):
    monitor = login("monitor")
    before, state = table_counts(), _state(app, demo)
    rows = [
        HEADER,
        "BARU,Dinas Baru,Baru,,Inovasi baru,,ya,ya",  # a good row: still not imported
        ",Tanpa Kode,,,,,,",
        "BKD,Badan Keuangan Daerah,BKD,,,,mungkin,ya",
        "BKD,Duplikat,BKD,,,,,",
        "UNIT-X,Unit X,,TIDAKADA,,,,",
        "kode spasi," + "n" * 201 + ",,,,,,",
    ]
    response = _upload(monitor, demo, "\n".join(rows).encode())
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Berkas tidak diimpor: ditemukan 6 masalah. Tidak ada data yang diubah." in text
    for expected in (
        "<td>3</td><td><code>kode_opd</code></td><td>Isi kode OPD.</td>",
        "<td>4</td><td><code>wajib_laksana</code></td>",
        "Kode BKD sudah ada di baris 4.",
        "Tidak ada OPD dengan kode TIDAKADA dalam berkas ini maupun di daerah ini.",
        "<td>7</td><td><code>nama_opd</code></td><td>Gunakan paling banyak 200 karakter.</td>",
        "<td>7</td><td><code>kode_opd</code></td><td>Gunakan huruf, angka,",
    ):
        assert expected in text, expected
    assert table_counts() == before
    assert _state(app, demo) == state


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Berkas kosong."),
        (b"<html><script>x</script></html>", "Kolom tidak dikenal."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "Berkas ini bukan CSV maupun XLSX."),
        (b"PK\x03\x04 not really a zip", "Berkas bukan buku kerja XLSX yang dapat dibaca."),
        ("kode_opd;nama_opd\nA;B".encode("cp1252") + b"\xe9", "Berkas bukan teks UTF-8."),
        (b"kode_opd,nama_opd,singkatan,inovasi\n", "<code>deskripsi</code></td><td>Kolom ini"),
        (HEADER.encode() + b"\n\n", "Berkas tidak berisi baris di bawah judul kolom."),
        (HEADER.encode() + b"\nA,B,C,,,,,,extra", "lebih banyak nilai"),
        (HEADER.encode() + b'\nA,"B,C,,,,,', "tanda petik"),
    ],
)
def test_files_that_are_not_a_list_are_refused(login, demo, table_counts, content, message):
    monitor = login("monitor")
    before = table_counts()
    response = _upload(monitor, demo, content)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert table_counts() == before


def test_a_missing_file_is_a_message(login, demo):
    response = login("monitor").post(f"/sk/{demo.decrees['193 Tahun 2018']}/impor", data={})
    assert response.status_code == 200
    assert "Pilih berkas yang akan diimpor." in response.get_data(as_text=True)


def test_size_and_row_caps(login, demo, table_counts):
    monitor = login("monitor")
    before = table_counts()
    many = HEADER + "\n" + "\n".join(f"K{n},Nama {n},,,,,," for n in range(1001))
    response = _upload(monitor, demo, many.encode())
    assert "Berkas berisi lebih dari 1000 baris." in response.get_data(as_text=True)
    big = HEADER.encode() + b"\n" + b"A,B,,,," + b"x" * (2 * 1024 * 1024) + b",,"
    response = _upload(monitor, demo, big)
    assert "Ukuran berkas lebih dari 2 MB." in response.get_data(as_text=True)
    assert table_counts() == before


def test_comma_csv_with_bom_creates_units_and_clears_demo_flags(login, app, demo):
    content = "\ufeff" + "\n".join(
        [
            "Kode_OPD,Nama_OPD,Singkatan,Induk,Inovasi,Deskripsi",
            'DINKES,Dinas Kesehatan,Dinkes,,Sehat digital,"Antrean, rujukan dan data"',
            "PKM-POLEANG,UPTD Puskesmas Poleang,PKM Poleang,DINKES,Antrean daring,",
            "PKM-RUMBIA,UPTD Puskesmas Rumbia,PKM Rumbia,dinkes,,",
        ]
    )
    response = _upload(login("monitor"), demo, content.encode("utf-8"))
    assert response.status_code == 302
    agencies, appointments = _state(app, demo)
    assert agencies["PKM-POLEANG"] == ("UPTD Puskesmas Poleang", "PKM Poleang", "DINKES", False)
    assert agencies["DINKES"][3] is False and agencies["PKM-RUMBIA"][3] is False
    assert agencies["DISPAR"][3] is True  # not named: still demo
    assert appointments["DINKES"] == (
        "Sehat digital",
        "Antrean, rujukan dan data",
        True,
        True,
        False,
    )
    assert appointments["PKM-RUMBIA"][0] == ""


def test_parent_loops_are_refused(login, demo, table_counts):
    monitor = login("monitor")
    before = table_counts()
    content = "\n".join([HEADER, "A,Unit A,,B,,,,", "B,Unit B,,A,,,,", "C,Unit C,,C,,,,"])
    text = _upload(monitor, demo, content.encode()).get_data(as_text=True)
    assert text.count("Induk ini membuat rantai unit berputar kembali ke dirinya.") == 2
    assert "OPD tidak dapat menjadi induk bagi dirinya sendiri." in text
    # An existing unit cannot become the parent of its own parent either.
    content = "\n".join([HEADER, "DINKES,Dinas Kesehatan,Dinkes,PKM-RUMBIA,,,,"])
    text = _upload(monitor, demo, content.encode()).get_data(as_text=True)
    assert "berputar" in text
    assert table_counts() == before


def test_replace_removes_appointments_the_file_does_not_name(login, app, demo):
    monitor = login("monitor")
    response = _upload(monitor, demo, SAMPLE.read_bytes(), replace="y")
    assert response.status_code == 302
    _, appointments = _state(app, demo)
    assert sorted(appointments) == ["BKD", "DIKBUD", "DISDUKCAPIL", "DISKOMINFOS", "DPMPTSP"]
    assert "11 dihapus" in monitor.get(response.headers["Location"]).get_data(as_text=True)


def test_not_named_appointments_are_listed(login, demo):
    monitor = login("monitor")
    response = _upload(monitor, demo, SAMPLE.read_bytes())
    page = monitor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Masih ditunjuk tetapi tidak tercantum dalam berkas:" in page
    assert "Dinas Pertanian" in page


def test_xlsx_import(login, app, demo):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "DISPAR",
            "Dinas Pariwisata",
            "Dispar",
            None,
            "Sadar wisata",
            "Peta digital",
            "ya",
            "tidak",
        ]
    )
    sheet.append([None] * 8)  # a blank row is skipped
    sheet.append(
        [2024, "Badan Riset dan Inovasi Daerah", "BRIDA", None, "Kanal inovasi", None, True, 1]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(login("monitor"), demo, buffer.getvalue(), name="daftar.xlsx")
    assert response.status_code == 302, response.get_data(as_text=True)
    agencies, appointments = _state(app, demo)
    assert appointments["DISPAR"] == ("Sadar wisata", "Peta digital", True, False, False)
    assert agencies["2024"] == ("Badan Riset dan Inovasi Daerah", "BRIDA", None, False)
    assert appointments["2024"][2:4] == (True, True)


def test_xlsx_errors_name_the_spreadsheet_row(login, demo, table_counts):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["OK", "Baik", None, None, None, None, None, None])
    sheet.append([None] * 8)
    sheet.append(["", "Tanpa kode", None, None, None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    monitor = login("monitor")
    before = table_counts()
    text = _upload(monitor, demo, buffer.getvalue(), name="x.xlsx").get_data(as_text=True)
    assert "<td>4</td><td><code>kode_opd</code></td><td>Isi kode OPD.</td>" in text
    assert table_counts() == before


def test_who_may_import(login, demo, table_counts):
    sk = demo.decrees["193 Tahun 2018"]
    reviewer, officer, konsel = login("reviewer"), login("officer.bkd"), login("monitor.konsel")
    before = table_counts()
    assert _upload(reviewer, demo, SAMPLE.read_bytes()).status_code == 403
    assert _upload(officer, demo, SAMPLE.read_bytes()).status_code == 403
    assert _upload(konsel, demo, SAMPLE.read_bytes()).status_code == 404
    assert reviewer.get(f"/sk/{sk}/impor").status_code == 403
    assert table_counts() == before
    assert _upload(login("admin"), demo, SAMPLE.read_bytes()).status_code == 302


# --- the command line ----------------------------------------------------------------------------


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["decree", "import", *args])


def test_cli_imports_idempotently(app, demo, table_counts):
    args = (str(SAMPLE), "--region", "74.06", "--number", "193 Tahun 2018")
    first = _cli(app, *args)
    assert first.exit_code == 0, first.output
    assert "5 baris dibaca." in first.output
    counts, audited = table_counts(), _audit_changes(app)
    second = _cli(app, *args, "--language", "en")
    assert second.exit_code == 0, second.output
    assert "Nothing changed: the data already matches the file." in second.output
    assert table_counts() == counts and _audit_changes(app) == audited
    with app.app_context(), scoped(Scope.system("test: audit actor"), db.session):
        label = db.session.scalar(
            sa.select(AuditEntry.actor_label)
            .where(AuditEntry.object_type == "Appointment")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        db.session.remove()
    assert label == "cli: decree import"


def test_cli_reports_a_broken_file_and_changes_nothing(app, demo, table_counts, tmp_path):
    broken = tmp_path / "rusak.csv"
    broken.write_text(HEADER + "\n,Tanpa kode,,,,,,\n", encoding="utf-8")
    before = table_counts()
    result = _cli(app, str(broken), "--region", "74.06", "--number", "193 Tahun 2018")
    assert result.exit_code == 1
    assert "baris 2, kode_opd: Isi kode OPD." in result.output
    assert table_counts() == before


def test_cli_dry_run_and_unknown_targets(app, demo, table_counts, tmp_path):
    before = table_counts()
    dry = _cli(app, str(SAMPLE), "--region", "74.06", "--number", "193 Tahun 2018", "--dry-run")
    assert dry.exit_code == 0 and "--dry-run" in dry.output
    assert table_counts() == before
    unknown_region = _cli(app, str(SAMPLE), "--region", "99.99", "--number", "193 Tahun 2018")
    assert unknown_region.exit_code == 2 and "99.99" in unknown_region.output
    unknown_decree = _cli(app, str(SAMPLE), "--region", "74.06", "--number", "1 Tahun 2030")
    assert unknown_decree.exit_code == 2 and "--title" in unknown_decree.output
    assert table_counts() == before
    created = _cli(
        app, str(SAMPLE), "--region", "74.05", "--number", "1 Tahun 2030", "--title", "SK baru"
    )
    assert created.exit_code == 0, created.output
    assert table_counts()["decrees"] == before["decrees"] + 1
