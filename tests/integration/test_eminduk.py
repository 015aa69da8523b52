"""e-minduk on a real database: Disdukcapil's intake with every NIK fault refused beside the
field and nothing written, the NIK masked for everyone but the desk, hand-over batches and their
CSV, and the module's pages gone when it is off."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.core.audit import AuditEntry
from puja_indah.core.models import Role
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.eminduk.models import CivilRequest
from puja_indah.modules.etracking import engine
from puja_indah.modules.etracking.models import FileAction, FileStatus, TrackedFile
from puja_indah.modules.etracking.worktime import WITA
from tests.conftest import Demo

DESK = "officer.disdukcapil"
NIK = "7406014507900001"  # demo: Bombana, woman born 05-07-1990, serial 0001
MASKED = "7406••••••••0001"
KTP_CHECKLIST = [
    "Fotokopi Kartu Keluarga (demo)",
    "Surat pengantar desa/kelurahan (demo)",
    "KTP-el lama atau surat kehilangan dari kepolisian untuk penggantian (demo)",
]


def _form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "KTP",
        "applicant_name": "Wa Ode Demo",
        "nik": NIK,
        "phone": "0812 3456 7890",
        "ticked": KTP_CHECKLIST,
    }
    data.update(changes)
    return data


def _register(client: FlaskClient, **changes: object) -> int:
    response = client.post("/m/eminduk/requests/new", data=_form(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _complete(app: Flask, demo: Demo, request_id: int) -> None:
    """Move the request's file through every stage, as the desk would."""
    agency = demo.agency("DISDUKCAPIL")
    officer = Scope.for_membership(Role.AGENCY_OFFICER, agency, demo.regions["74.06"])
    with app.test_request_context(), scoped(officer, db.session):
        file_id = db.session.scalar(
            sa.select(CivilRequest.file_id).where(CivilRequest.id == request_id)
        )
        tracked = db.session.get(TrackedFile, file_id)
        assert tracked is not None
        while tracked.status is FileStatus.OPEN:
            engine.act(officer, tracked, FileAction.ADVANCE, tracked.last_sequence, None)
            db.session.commit()
        db.session.remove()


def test_desk_registers_a_request_and_sees_the_full_nik(
    app: Flask, login: Callable[[str], FlaskClient]
) -> None:
    desk = login(DESK)
    page = desk.get("/m/eminduk/requests/new?kind=KTP").get_data(as_text=True)
    assert "Fotokopi Kartu Keluarga (demo)" in page
    request_id = _register(desk)
    detail = desk.get(f"/m/eminduk/requests/{request_id}").get_data(as_text=True)
    assert NIK in detail
    assert "081234567890" in detail
    assert "Verifikasi berkas" in detail
    listing = desk.get("/m/eminduk/requests?kind=KTP&status=open").get_data(as_text=True)
    assert "Wa Ode Demo" in listing and NIK in listing
    assert "Wa Ode Demo" not in desk.get("/m/eminduk/requests?kind=KK").get_data(as_text=True)
    # Odd filters are ignored, never a 500.
    assert desk.get("/m/eminduk/requests?kind=%00&status=nope").status_code == 200
    # The audit trail has the request, but neither the NIK nor the phone in clear.
    with app.app_context(), scoped(Scope.system("tests: audit"), db.session):
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.object_type == "CivilRequest")
        ).all()
        assert entries
        text = json.dumps([e.changes for e in entries], ensure_ascii=False)
        assert NIK not in text and "081234567890" not in text
        assert "[disembunyikan]" in text
        db.session.remove()


def test_a_nik_from_another_regency_is_a_warning_not_a_refusal(
    login: Callable[[str], FlaskClient],
) -> None:
    desk = login(DESK)
    response = desk.post(
        "/m/eminduk/requests/new", data=_form(nik="7405011203850002"), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Permohonan terdaftar" in page
    assert "di luar kabupaten ini (74.06)" in page


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("", "Isi NIK."),
        ("74060145079000A1", "NIK hanya boleh berisi angka (ada “A”)."),
        ("740601450790001", "NIK harus 16 angka (Anda mengetik 15)."),
        ("2006014507900001", "Kode provinsi dalam NIK (angka ke-1–2: 20) bukan provinsi"),
        ("7400014507900001", "Kode kabupaten/kota dalam NIK (angka ke-3–4) tidak boleh 00."),
        ("7406004507900001", "Kode kecamatan dalam NIK (angka ke-5–6) tidak boleh 00."),
        ("7406013507900001", "Tanggal lahir dalam NIK tidak valid: 35"),
        ("7406014513900001", "Bulan lahir dalam NIK tidak valid: 13"),
        ("7406013102900001", "Tanggal lahir dalam NIK tidak valid: 31-02."),
        ("7406012902230001", "Tanggal lahir dalam NIK tidak valid: 29-02-2023."),
        ("7406011512990001", None),  # 1999: valid
        ("7406014507900000", "Nomor urut dalam NIK (angka ke-13–16) tidak boleh 0000."),
    ],
)
def test_each_nik_fault_is_refused_beside_the_field(
    login: Callable[[str], FlaskClient],
    table_counts: Callable[[], dict[str, int]],
    nik: str,
    message: str | None,
) -> None:
    desk = login(DESK)
    before = table_counts()
    response = desk.post("/m/eminduk/requests/new", data=_form(nik=nik))
    if message is None:
        assert response.status_code == 302
        return
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert 'id="nik-errors"' in page
    assert table_counts() == before


def test_a_birth_date_later_this_year_is_refused_as_future(
    login: Callable[[str], FlaskClient],
) -> None:
    tomorrow = datetime.now(WITA).date() + timedelta(days=1)
    if tomorrow.year != datetime.now(WITA).year:
        pytest.skip("on 31 December tomorrow's YY reads as last century")
    value = f"740601{tomorrow:%d%m%y}0001"
    page = login(DESK).post("/m/eminduk/requests/new", data=_form(nik=value))
    assert f"Tanggal lahir dalam NIK ada di masa depan: {tomorrow:%d-%m-%Y}." in page.get_data(
        as_text=True
    )


def test_other_faults_are_refused_with_their_own_messages(
    login: Callable[[str], FlaskClient], table_counts: Callable[[], dict[str, int]]
) -> None:
    desk = login(DESK)
    before = table_counts()
    page = desk.post("/m/eminduk/requests/new", data=_form(ticked=KTP_CHECKLIST[:1]))
    assert "Dokumen yang belum ada di daftar periksa" in page.get_data(as_text=True)
    page = desk.post("/m/eminduk/requests/new", data=_form(applicant_name=" "))
    assert "Isi nama pemohon" in page.get_data(as_text=True)
    page = desk.post("/m/eminduk/requests/new", data=_form(phone="12ab"))
    assert "nomor telepon" in page.get_data(as_text=True)
    page = desk.post("/m/eminduk/requests/new", data=_form(kind="XYZ"))
    assert page.status_code == 200
    assert table_counts() == before


def test_readers_see_the_nik_masked(login: Callable[[str], FlaskClient]) -> None:
    request_id = _register(login(DESK))
    for account in ("monitor", "reviewer", "admin"):
        reader = login(account)
        for url in ("/m/eminduk/requests", f"/m/eminduk/requests/{request_id}"):
            page = reader.get(url).get_data(as_text=True)
            assert MASKED in page, (account, url)
            assert NIK not in page and "081234567890" not in page, (account, url)
        # Readers neither register nor hand over.
        assert reader.get("/m/eminduk/requests/new").status_code == 403
        assert reader.get("/m/eminduk/batches").status_code == 403
    # Another region's monitor does not find it at all.
    assert login("monitor.konsel").get(f"/m/eminduk/requests/{request_id}").status_code == 404


def test_batches_and_their_csv(
    app: Flask,
    demo: Demo,
    login: Callable[[str], FlaskClient],
    table_counts: Callable[[], dict[str, int]],
) -> None:
    desk = login(DESK)
    first = _register(desk, applicant_name='=HYPERLINK("http://x")')
    second = _register(
        desk,
        kind="KK",
        nik="7406011203850002",
        phone="",
        ticked=[
            "Formulir permohonan KK (demo)",
            "KK lama (demo)",
            "Buku nikah / akta perkawinan atau akta perceraian (demo)",
        ],
    )
    open_one = _register(desk, applicant_name="Masih Diproses")
    _complete(app, demo, first)
    _complete(app, demo, second)

    # Nothing ticked: refused, nothing made.
    before = table_counts()
    page = desk.post("/m/eminduk/batches/new", data={}, follow_redirects=True)
    assert "kumpulan kosong tidak dibuat" in page.get_data(as_text=True)
    # A request still in process cannot be handed over.
    page = desk.post(
        "/m/eminduk/batches/new", data={"request_ids": [first, open_one]}, follow_redirects=True
    )
    assert "belum selesai atau sudah ada dalam kumpulan" in page.get_data(as_text=True)
    assert table_counts() == before

    listing = desk.get("/m/eminduk/batches").get_data(as_text=True)
    assert f'value="{first}"' in listing and f'value="{open_one}"' not in listing
    response = desk.post("/m/eminduk/batches/new", data={"request_ids": [first, second]})
    assert response.status_code == 302
    batch_url = response.headers["Location"]
    assert "SERAH/" in desk.get(batch_url).get_data(as_text=True)

    # In one batch at most.
    page = desk.post("/m/eminduk/batches/new", data={"request_ids": [first]}, follow_redirects=True)
    assert "sudah ada dalam kumpulan" in page.get_data(as_text=True)

    csv_response = desk.get(f"{batch_url}/csv")
    assert csv_response.status_code == 200
    assert csv_response.headers["Content-Type"].startswith("text/csv")
    disposition = csv_response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="serah-terima-serah-')
    body = csv_response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Jenis permohonan,Kode publik,NIK,Pemohon,Selesai pada"
    assert len(lines) == 3
    assert NIK in text and "7406011203850002" in text
    assert "'=HYPERLINK" in text  # neutralised: a spreadsheet shows it as text
    assert "Kartu Keluarga (KK)" in text

    # Readers cannot download it, nor see the batch.
    batch_id = batch_url.rsplit("/", 1)[1]
    for account in ("monitor", "reviewer", "admin"):
        assert login(account).get(f"/m/eminduk/batches/{batch_id}/csv").status_code == 403
    # The request page names its batch.
    assert "SERAH/" in desk.get(f"/m/eminduk/requests/{first}").get_data(as_text=True)


def test_module_off_is_not_found(demo: Demo, login: Callable[[str], FlaskClient]) -> None:
    # BKD never switched it on.
    officer_bkd = login("officer.bkd")
    for url in ("/m/eminduk/requests", "/m/eminduk/requests/new", "/m/eminduk/batches"):
        assert officer_bkd.get(url).status_code == 404
    desk = login(DESK)
    request_id = _register(desk)
    assert "/m/eminduk/requests" in desk.get("/").get_data(as_text=True)  # the nav link
    monitor = login("monitor")
    monitor.post(f"/modul/{demo.agency('DISDUKCAPIL')}/eminduk", data={"on": "0"})
    assert desk.get("/m/eminduk/requests").status_code == 404
    assert desk.get(f"/m/eminduk/requests/{request_id}").status_code == 404
    # A reader of the region finds no page of an agency that has it off either.
    assert monitor.get(f"/m/eminduk/requests/{request_id}").status_code == 404
    assert "/m/eminduk/requests" not in desk.get("/").get_data(as_text=True)
