"""The e-tracking desk screens through HTTP: intake (two steps, checklist, amounts, one-time
token), the file page and its steps (stale, impossible and role-refused steps), opening a file by
its code, the queue per stage and advancing several files from it. BKD runs the SPM desk in the
demo; DPMPTSP's licence desk is "another agency"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.core.db import utcnow
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking import codes, desk_files, desk_queries, engine
from puja_indah.modules.etracking.forms import parse_rupiah
from puja_indah.modules.etracking.models import (
    FileEvent,
    FileStatus,
    Process,
    StageDefinition,
    TrackedFile,
)
from tests.conftest import Demo
from tests.tenancy.route_matrix import _matrix_tracked_file


@dataclass(frozen=True)
class Desk:
    process_id: int
    kinds: dict[str, tuple[int, list[str]]]
    submitter: int

    def url(self, tail: str) -> str:
        return f"/m/etracking/{self.process_id}/{tail}"


@pytest.fixture
def desk(app: Flask, demo: Demo) -> Desk:
    with app.app_context(), scoped(Scope.system("tests: desk"), db.session):
        process = db.session.scalar(
            sa.select(Process).where(
                Process.agency_id == demo.agency("BKD"), Process.code == "spm_sp2d"
            )
        )
        assert process is not None
        kinds = {
            k.code: (k.id, list(k.checklist)) for k in engine.current_version(process).file_kinds
        }
        result = Desk(process.id, kinds, demo.agency("DPMPTSP"))
        db.session.remove()
    return result


@pytest.fixture
def officer(login: Callable[[str], FlaskClient]) -> FlaskClient:
    return login("officer.bkd")


def _system(app: Flask) -> Any:
    return scoped(Scope.system("tests: read"), db.session)


def _file(app: Flask, file_id: int) -> TrackedFile:
    with app.app_context(), _system(app):
        tracked = db.session.get(TrackedFile, file_id)
        assert tracked is not None
        db.session.expunge(tracked)
        db.session.remove()
    return tracked


def _events(app: Flask, file_id: int) -> list[str]:
    with app.app_context(), _system(app):
        actions = db.session.scalars(
            sa.select(FileEvent.action)
            .where(FileEvent.file_id == file_id)
            .order_by(FileEvent.sequence)
        )
        result = [a.value for a in actions]
        db.session.remove()
    return result


def _token(html: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert match, "the intake form carries a one-time token"
    return match.group(1)


def _intake_data(client: FlaskClient, desk: Desk, kind: str = "LS", **changes: Any) -> dict:
    kind_id, checklist = desk.kinds[kind]
    page = client.get(desk.url(f"intake?kind={kind_id}")).get_data(as_text=True)
    data: dict[str, Any] = {
        "token": _token(page),
        "file_kind_id": str(kind_id),
        "submitter_agency_id": str(desk.submitter),
        "internal_number": "SPM-LS/0042/2026",
        "amount": "1.500.000,50",
        "ticked": checklist,
    }
    data.update(changes)
    return data


def _register(client: FlaskClient, desk: Desk, **changes: Any) -> int:
    response = client.post(desk.url("intake"), data=_intake_data(client, desk, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/m/etracking/files/(\d+)$", response.headers["Location"])
    assert match
    return int(match.group(1))


def _act(client: FlaskClient, file_id: int, action: str, seen: int, reason: str = "") -> Any:
    return client.post(
        f"/m/etracking/files/{file_id}/act",
        data={"action": action, "seen_sequence": str(seen), "reason": reason},
        follow_redirects=True,
    )


# --- intake --------------------------------------------------------------------------------------


def test_amounts_are_read_the_indonesian_way() -> None:
    assert parse_rupiah("1.500.000") == Decimal("1500000")
    assert parse_rupiah("1.500.000,50") == Decimal("1500000.50")
    assert parse_rupiah("Rp 1.500.000") == Decimal("1500000")
    assert parse_rupiah("1500000,5") == Decimal("1500000.5")
    for bad in ("1.5", "1,2,3", "abc", "-1.000", "1.500.000,505", "12.34.567", ""):
        with pytest.raises(ValueError):
            parse_rupiah(bad)


def test_intake_picks_the_type_first_then_shows_its_checklist(
    officer: FlaskClient, desk: Desk
) -> None:
    first = officer.get(desk.url("intake")).get_data(as_text=True)
    assert "Langkah 1 dari 2" in first
    assert "SPM Langsung (LS)" in first and "Kuitansi" not in first
    kind_id, checklist = desk.kinds["LS"]
    second = officer.get(desk.url(f"intake?kind={kind_id}")).get_data(as_text=True)
    for item in checklist:
        assert f'type="checkbox" value="{item}"' in second
    assert "Dinas Penanaman Modal" in second  # an agency of the region submits
    wrong = officer.get(desk.url("intake?kind=999999")).get_data(as_text=True)
    assert "Pilih jenis berkas dari proses ini." in wrong
    assert officer.get(desk.url("intake?kind=abc")).status_code == 200


def test_registering_an_spm_gives_its_public_code(
    officer: FlaskClient, desk: Desk, app: Flask
) -> None:
    file_id = _register(officer, desk)
    tracked = _file(app, file_id)
    assert tracked.amount == Decimal("1500000.50")
    assert tracked.status is FileStatus.OPEN and tracked.last_sequence == 1
    page = officer.get(f"/m/etracking/files/{file_id}").get_data(as_text=True)
    assert "Rp1.500.000,50" in page
    assert codes.display(tracked.public_code) in page
    assert "Diterima di loket" in page and "SPM-LS/0042/2026" in page


def test_the_flash_names_the_display_code(officer: FlaskClient, desk: Desk, app: Flask) -> None:
    response = officer.post(
        desk.url("intake"), data=_intake_data(officer, desk), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    match = re.search(r"Kode lacaknya (\w{4}-\w{4}-\w{4}-.)\.", page)
    assert match, page
    assert codes.normalise(match.group(1)) is not None


def test_a_missing_checklist_item_is_named_and_nothing_saved(
    officer: FlaskClient, desk: Desk, table_counts: Callable[[], dict[str, int]]
) -> None:
    _kind_id, checklist = desk.kinds["LS"]
    data = _intake_data(officer, desk, ticked=checklist[:-1])
    before = table_counts()
    page = officer.post(desk.url("intake"), data=data).get_data(as_text=True)
    assert "Dokumen yang belum ada di daftar periksa: Rekening penerima." in page
    assert 'id="ticked-errors"' in page  # beside the checklist
    assert table_counts() == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1.000", "Nilai tidak boleh negatif."),
        ("satu juta", "Masukkan nilai dalam rupiah"),
        ("1.5", "Masukkan nilai dalam rupiah"),
        ("", "Masukkan nilai."),
        ("99.999.999.999.999.999", "Masukkan nilai dalam rupiah"),
    ],
)
def test_a_malformed_amount_is_refused_beside_the_field(
    officer: FlaskClient,
    desk: Desk,
    table_counts: Callable[[], dict[str, int]],
    amount: str,
    message: str,
) -> None:
    data = _intake_data(officer, desk, amount=amount)
    before = table_counts()
    response = officer.post(desk.url("intake"), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page and 'id="amount-errors"' in page
    assert table_counts() == before


def test_other_bad_intake_input_is_refused(
    officer: FlaskClient, desk: Desk, table_counts: Callable[[], dict[str, int]], demo: Demo
) -> None:
    before = table_counts()
    far = demo.agency("BKAD", "74.05")
    cases = [
        ({"submitter_agency_id": str(far)}, "submitter_agency_id-errors"),
        ({"submitter_agency_id": ""}, "Pilih OPD pengaju dari daerah ini."),
        ({"internal_number": ""}, "Masukkan nomor internal."),
        ({"ticked": ["Surat sakti"]}, "ticked-errors"),
        ({"token": ""}, "Formulir kedaluwarsa."),
        ({"file_kind_id": "999999"}, "Pilih jenis berkas dari proses ini."),
        ({"file_kind_id": "x"}, "Pilih jenis berkas dari proses ini."),
    ]
    for changes, expected in cases:
        response = officer.post(desk.url("intake"), data=_intake_data(officer, desk, **changes))
        assert response.status_code == 200, changes
        assert expected in response.get_data(as_text=True), changes
    assert table_counts() == before


def test_a_form_sent_twice_registers_one_file(
    officer: FlaskClient, desk: Desk, app: Flask, table_counts: Callable[[], dict[str, int]]
) -> None:
    data = _intake_data(officer, desk)
    before = table_counts()["et_files"]
    first = officer.post(desk.url("intake"), data=data)
    second = officer.post(desk.url("intake"), data=data, follow_redirects=False)
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert table_counts()["et_files"] == before + 1
    page = officer.get(second.headers["Location"]).get_data(as_text=True)
    assert "Formulir ini sudah pernah dikirim" in page
    # A fresh form (a new token) registers a second file, as it should.
    _register(officer, desk)
    assert table_counts()["et_files"] == before + 2


def test_a_simultaneous_second_submission_loses_at_the_unique_token(
    officer: FlaskClient,
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
    table_counts: Callable[[], dict[str, int]],
) -> None:
    """Two workers both pass the "already registered?" check before either commits: the
    unique token in the database refuses the second insert and its file is rolled back."""
    data = _intake_data(officer, desk)
    first = officer.post(desk.url("intake"), data=data)
    before = table_counts()
    real = desk_files._already_registered
    calls: list[int] = []

    def blind_first_look(process: Process, token: str) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real(process, token)

    monkeypatch.setattr(desk_files, "_already_registered", blind_first_look)
    second = officer.post(desk.url("intake"), data=data)
    assert second.status_code == 302 and len(calls) == 2
    assert second.headers["Location"] == first.headers["Location"]
    assert table_counts() == before


# --- the file page and its steps -----------------------------------------------------------------


def test_file_page_offers_only_the_steps_possible_now(
    officer: FlaskClient, desk: Desk, app: Flask
) -> None:
    file_id = _register(officer, desk)
    page = officer.get(f"/m/etracking/files/{file_id}").get_data(as_text=True)
    assert "Teruskan ke tahap berikutnya" in page and ">Tolak<" in page
    assert "Kembalikan untuk perbaikan" not in page  # the first stage may not return
    assert "Lanjutkan (berkas perbaikan diterima)" not in page
    assert 'name="seen_sequence" value="1"' in page
    assert "Riwayat" in page and "diterima" in page
    assert "block receipt_link" not in page


def test_advance_return_resume_and_reject_through_the_page(
    officer: FlaskClient, desk: Desk, app: Flask
) -> None:
    file_id = _register(officer, desk)
    page = _act(officer, file_id, "advance", 1).get_data(as_text=True)
    assert "Berkas diteruskan ke “Pemeriksaan kelengkapan”." in page
    assert "Kembalikan untuk perbaikan" in page and 'name="seen_sequence" value="2"' in page

    no_reason = _act(officer, file_id, "return", 2, "  ").get_data(as_text=True)
    assert "Tuliskan alasan pengembalian berkas." in no_reason
    assert 'id="reason-return-errors"' in no_reason
    assert _file(app, file_id).status is FileStatus.OPEN

    page = _act(officer, file_id, "return", 2, "Kuitansi belum bermeterai").get_data(as_text=True)
    assert "penghitungan waktunya dihentikan sementara" in page
    assert "Kuitansi belum bermeterai" in page
    assert "Teruskan ke tahap berikutnya" not in page
    assert _file(app, file_id).status is FileStatus.RETURNED

    page = _act(officer, file_id, "resume", 3).get_data(as_text=True)
    assert "Berkas kembali diproses di tahap “Pemeriksaan kelengkapan”." in page

    refused = _act(officer, file_id, "reject", 4).get_data(as_text=True)
    assert "Tuliskan alasan penolakan berkas." in refused
    page = _act(officer, file_id, "reject", 4, "SPM ganda").get_data(as_text=True)
    assert "Berkas ditolak." in page and "Teruskan ke tahap berikutnya" not in page
    assert _events(app, file_id) == ["receive", "advance", "return", "resume", "reject"]


def test_a_stale_step_is_refused_and_the_file_moves_once(
    officer: FlaskClient, login: Callable[[str], FlaskClient], desk: Desk, app: Flask
) -> None:
    file_id = _register(officer, desk)
    lead = login("lead.bkd")
    _act(lead, file_id, "advance", 1)  # the lead acts first, from the same screen
    page = _act(officer, file_id, "advance", 1).get_data(as_text=True)
    assert "Berkas ini sudah berubah sejak Anda membukanya" in page
    assert "Pemeriksaan kelengkapan" in page
    assert _events(app, file_id) == ["receive", "advance"]
    forged = _act(officer, file_id, "advance", 7).get_data(as_text=True)
    assert "Berkas ini sudah berubah sejak Anda membukanya" in forged
    assert _events(app, file_id) == ["receive", "advance"]


def test_a_step_not_possible_now_is_refused(
    officer: FlaskClient, desk: Desk, app: Flask, table_counts: Callable[[], dict[str, int]]
) -> None:
    file_id = _register(officer, desk)
    before = table_counts()
    page = _act(officer, file_id, "resume", 1).get_data(as_text=True)
    assert "Hanya berkas yang dikembalikan yang dapat dilanjutkan." in page
    page = _act(officer, file_id, "return", 1, "alasan").get_data(as_text=True)
    assert "Berkas pada tahap ini tidak dapat dikembalikan untuk perbaikan." in page
    assert 'data-testid="refusal"' in page
    page = _act(officer, file_id, "complete", 1).get_data(as_text=True)
    assert "Formulir kedaluwarsa atau tidak lengkap" in page
    page = _act(officer, file_id, "advance", 0).get_data(as_text=True)
    assert "Formulir kedaluwarsa atau tidak lengkap" in page or "sudah berubah" in page
    assert table_counts() == before


def test_a_role_not_allowed_at_the_stage_is_refused(
    officer: FlaskClient, login: Callable[[str], FlaskClient], desk: Desk, app: Flask
) -> None:
    file_id = _register(officer, desk)
    with app.app_context(), _system(app):
        stage = db.session.get(StageDefinition, _file(app, file_id).stage_id)
        assert stage is not None
        stage.roles = "agency_lead"
        db.session.commit()
        db.session.remove()
    page = officer.get(f"/m/etracking/files/{file_id}").get_data(as_text=True)
    assert "Peran Anda tidak dapat memproses berkas di tahap ini." in page
    assert "Teruskan ke tahap berikutnya" not in page
    forged = _act(officer, file_id, "advance", 1).get_data(as_text=True)
    assert "Peran Anda tidak boleh memproses berkas pada tahap “Diterima di loket”." in forged
    assert _events(app, file_id) == ["receive"]
    _act(login("lead.bkd"), file_id, "advance", 1)
    assert _events(app, file_id) == ["receive", "advance"]


def test_another_agencys_file_and_process_are_not_found(
    officer: FlaskClient, app: Flask, demo: Demo
) -> None:
    with app.app_context(), _system(app):
        other = _matrix_tracked_file(demo.agency("DPMPTSP"), "dpmptsp_permit")
        other_id, other_process = other.id, other.version.process_id
        db.session.remove()
    assert officer.get(f"/m/etracking/files/{other_id}").status_code == 404
    assert _act(officer, other_id, "advance", 1).status_code == 404
    assert officer.get(f"/m/etracking/{other_process}/queue").status_code == 404
    assert officer.get(f"/m/etracking/{other_process}/intake").status_code == 404
    assert officer.post(f"/m/etracking/{other_process}/queue/advance").status_code == 404
    assert _events(app, other_id) == ["receive"]


# --- open by code --------------------------------------------------------------------------------


def test_open_a_file_by_its_code(officer: FlaskClient, desk: Desk, app: Flask, demo: Demo) -> None:
    file_id = _register(officer, desk)
    code = _file(app, file_id).public_code
    typed = " ".join(codes.display(code).lower().split("-"))
    response = officer.get("/m/etracking/open", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/m/etracking/files/{file_id}")
    scanned = officer.get(
        "/m/etracking/open", query_string={"code": f"https://puja.example/s/{code}"}
    )
    assert scanned.headers["Location"].endswith(f"/m/etracking/files/{file_id}")

    wrong_check = code[:-1] + ("0" if code[-1] != "0" else "1")
    page = officer.get("/m/etracking/open", query_string={"code": wrong_check}).get_data(
        as_text=True
    )
    assert "Kode ini salah ketik" in page
    short = officer.get("/m/etracking/open", query_string={"code": code[:8]}).get_data(True)
    assert "13 huruf dan angka" in short
    odd = officer.get("/m/etracking/open", query_string={"code": "U" + code[1:]}).get_data(True)
    assert "karakter yang tidak dipakai" in odd

    with app.app_context(), _system(app):
        other_code = _matrix_tracked_file(demo.agency("DPMPTSP"), "dpmptsp_permit").public_code
        db.session.remove()
    for unknown in (codes.new_code(), other_code):
        page = officer.get("/m/etracking/open", query_string={"code": unknown}).get_data(True)
        assert "Tidak ada berkas dengan kode ini di loket ini." in page
    assert officer.get("/m/etracking/open").status_code == 200


# --- queue and batch advance ---------------------------------------------------------------------


def _backdate(app: Flask, file_id: int, stage_entered: Any, received: Any) -> None:
    with app.app_context(), _system(app):
        db.session.execute(
            sa.update(TrackedFile)
            .where(TrackedFile.id == file_id)
            .values(stage_entered_at=stage_entered, received_at=received)
        )
        db.session.execute(
            sa.update(FileEvent).where(FileEvent.file_id == file_id).values(at=stage_entered)
        )
        db.session.commit()
        db.session.remove()


def test_urgency_thresholds() -> None:
    assert desk_queries.urgency(61, 60) == "late"
    assert desk_queries.urgency(60, 60) == "soon"  # at the SLA, not over it
    assert desk_queries.urgency(46, 60) == "soon"  # 14 of 60 minutes left (< 25 %)
    assert desk_queries.urgency(45, 60) == "ok"  # exactly 25 % left
    assert desk_queries.urgency(5, None) == "none"


def test_queue_lists_the_most_urgent_first_and_returned_apart(
    officer: FlaskClient, desk: Desk, app: Flask
) -> None:
    now = utcnow()
    fresh = _register(officer, desk, internal_number="SPM/FRESH")
    late = _register(officer, desk, internal_number="SPM/LATE")
    back = _register(officer, desk, internal_number="SPM/BACK")
    # The fresh file was received long ago but just entered its stage: the late one goes first.
    _backdate(app, fresh, now, now - timedelta(days=60))
    _backdate(app, late, now - timedelta(days=30), now - timedelta(days=30))
    _act(officer, back, "advance", 1)
    _act(officer, back, "return", 2, "Kurang SPP")

    page = officer.get(desk.url("queue")).get_data(as_text=True)
    assert page.index("SPM/LATE") < page.index("SPM/FRESH")
    assert "terlambat" in page and "tepat waktu" in page
    returned = page.split('id="returned-heading"', 1)[1]
    assert "SPM/BACK" in returned and "Kurang SPP" in returned
    assert "SPM/BACK" not in page.split('id="returned-heading"', 1)[0]
    assert re.search(r"\d+ j \d\d mnt", page)  # working time as hours and minutes

    only = officer.get(desk.url("queue?stage=completeness")).get_data(as_text=True)
    assert "SPM/LATE" not in only.split('id="returned-heading"', 1)[0]


def test_queue_queries_do_not_grow_with_the_files(
    officer: FlaskClient, desk: Desk, app: Flask
) -> None:
    def statements() -> int:
        seen: list[str] = []

        def count(*_args: Any) -> None:
            seen.append("x")

        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", count)
            try:
                assert officer.get(desk.url("queue")).status_code == 200
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    _register(officer, desk)
    _register(officer, desk)
    with_two = statements()
    for _ in range(4):
        _register(officer, desk)
    assert statements() == with_two


def test_batch_advance_moves_each_file_once_and_lists_the_refused(
    officer: FlaskClient, login: Callable[[str], FlaskClient], desk: Desk, app: Flask
) -> None:
    first = _register(officer, desk, internal_number="SPM/A")
    second = _register(officer, desk, internal_number="SPM/B")
    third = _register(officer, desk, internal_number="SPM/C")
    page = officer.get(desk.url("queue")).get_data(as_text=True)
    for file_id in (first, second, third):
        assert f'value="{file_id}:1"' in page
    _act(login("lead.bkd"), third, "advance", 1)  # someone else moves one meanwhile

    response = officer.post(
        desk.url("queue/advance"),
        data={"files": [f"{first}:1", f"{second}:1", f"{second}:1", f"{third}:1", "x:y"]},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Berkas yang diteruskan ke tahap berikutnya: 2." in page
    assert page.count("Tidak diteruskan — ") == 3
    assert "SPM/B" in page and "SPM/C" in page and "sudah berubah" in page
    assert "Salah satu berkas yang dipilih tidak ada di antrean ini." in page
    assert _events(app, first) == ["receive", "advance"]
    assert _events(app, second) == ["receive", "advance"]  # ticked twice, moved once
    assert _events(app, third) == ["receive", "advance"]  # not skipped a stage
    with app.app_context(), _system(app):
        stages = {
            db.session.get(TrackedFile, f).stage.code  # type: ignore[union-attr]
            for f in (first, second, third)
        }
        db.session.remove()
    assert stages == {"completeness"}

    nothing = officer.post(desk.url("queue/advance"), data={}, follow_redirects=True)
    assert "Centang dulu berkas yang akan diteruskan." in nothing.get_data(as_text=True)


def test_desk_home_links_to_queue_and_intake(officer: FlaskClient, desk: Desk) -> None:
    page = officer.get("/m/etracking/").get_data(as_text=True)
    assert desk.url("queue") in page and desk.url("intake") in page
    assert "/m/etracking/open" in page


def test_a_licence_desk_registers_an_applicant_without_the_type_step(
    login: Callable[[str], FlaskClient], app: Flask, demo: Demo
) -> None:
    """DPMPTSP's licence process has one file type (no first step) and a named applicant; the
    amount is optional there."""
    with app.app_context(), _system(app):
        process_id = db.session.scalar(
            sa.select(Process.id).where(
                Process.agency_id == demo.agency("DPMPTSP"), Process.code == "perizinan"
            )
        )
        db.session.remove()
    clerk = login("officer.dpmptsp")
    form = clerk.get(f"/m/etracking/{process_id}/intake").get_data(as_text=True)
    assert "Nama pemohon" in form and "OPD pengaju" not in form
    checklist = re.findall(r'type="checkbox" value="([^"]+)"', form)
    kind_id = re.search(r'name="file_kind_id" type="hidden" value="(\d+)"', form)
    assert kind_id and checklist
    data = {
        "token": _token(form),
        "file_kind_id": kind_id.group(1),
        "applicant_name": "",
        "internal_number": "IZIN/0001",
        "amount": "",
        "ticked": checklist,
    }
    refused = clerk.post(f"/m/etracking/{process_id}/intake", data=data).get_data(as_text=True)
    assert 'id="applicant_name-errors"' in refused
    data["applicant_name"] = "Wa Ode Sitti (demo)"
    response = clerk.post(f"/m/etracking/{process_id}/intake", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Kode lacaknya" in page and "Wa Ode Sitti (demo)" in page
