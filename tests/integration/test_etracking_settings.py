"""The e-tracking desk's settings screens: working calendar (optimistic locking), collective leave
per region (and what it does to a running file's SLA minutes), and versioned process definitions
(a running file keeps its version; two leads saving at once cannot overwrite each other)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.core.clock import WITA
from puja_indah.core.models import Role
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking import engine
from puja_indah.modules.etracking.models import (
    CollectiveLeave,
    Process,
    ProcessVersion,
    TrackedFile,
    WorkingCalendar,
)
from tests.conftest import Demo

Client = Callable[[str], FlaskClient]
CALENDAR = "/m/etracking/calendar"
LEAVE = "/m/etracking/collective-leave"


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=WITA)


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def error_of(page: str, field_id: str) -> str:
    """The error shown beside a field (the `<id>-errors` block), or ''."""
    found = re.search(rf'id="{re.escape(field_id)}-errors">(.*?)</div>\s*</div>', page, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


def system(app: Flask) -> Any:
    return scoped(Scope.system("tests: settings"), db.session)


# --- working calendar ----------------------------------------------------------------------------


def calendar_form(version: int = 0, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "opens": "07:30",
        "closes": "15:30",
        "weekdays": ["0", "1", "2", "3", "4", "5"],
        "zone": "Asia/Makassar",
        "version": str(version),
    }
    return data | changes


def test_officer_reads_the_calendar_and_the_years_days_off(login: Client) -> None:
    page = text(login("officer.bkd").get(f"{CALENDAR}?year=2026"))
    assert "Kalender kerja" in page
    assert "08:00–16:00" in page  # the default until the lead saves one
    assert "Hari Kemerdekaan Republik Indonesia" in page  # a national holiday, named
    assert "Hari libur tahun 2026" in page
    assert 'name="opens"' not in page  # read-only for the desk staff
    assert "Hanya kepala perangkat daerah yang mengubah kalender kerja." in page
    assert login("officer.bkd").post(CALENDAR, data=calendar_form()).status_code == 403


def test_lead_saves_the_calendar_and_the_engine_uses_it(
    app: Flask, login: Client, demo: Demo
) -> None:
    lead = login("lead.bkd")
    page = text(lead.get(CALENDAR))
    assert 'name="opens"' in page and 'value="0"' in page  # no calendar saved yet: version 0
    response = lead.post(CALENDAR, data=calendar_form(zone="Asia/Jakarta"), follow_redirects=True)
    assert "Kalender kerja disimpan." in text(response)
    with app.test_request_context(), system(app):
        row = db.session.scalar(sa.select(WorkingCalendar))
        assert row is not None and row.version == 1 and row.weekdays == "0,1,2,3,4,5"
        calendar = engine.calendar_for(demo.agency("BKD"), date(2026, 11, 7))
        assert calendar.opens == time(7, 30) and calendar.zone.key == "Asia/Jakarta"
        assert calendar.is_working_day(date(2026, 11, 7))  # a Saturday, now worked
        db.session.remove()
    # The next save carries version 1 and makes version 2.
    lead.post(CALENDAR, data=calendar_form(version=1, closes="16:30"))
    with app.test_request_context(), system(app):
        row = db.session.scalar(sa.select(WorkingCalendar))
        assert row is not None and row.version == 2 and row.closes == time(16, 30)
        db.session.remove()


def test_calendar_validation_messages_sit_beside_their_fields(
    login: Client, table_counts: Callable[[], dict[str, int]]
) -> None:
    lead = login("lead.bkd")
    before = table_counts()
    page = text(lead.post(CALENDAR, data=calendar_form(opens="16:00", closes="08:00")))
    assert "Jam tutup harus setelah jam buka." in error_of(page, "closes")
    page = text(lead.post(CALENDAR, data=calendar_form(weekdays=[])))
    assert "Pilih sekurang-kurangnya satu hari kerja." in error_of(page, "weekdays")
    page = text(lead.post(CALENDAR, data=calendar_form(weekdays=["x"])))
    assert "Pilih sekurang-kurangnya satu hari kerja." in error_of(page, "weekdays")
    page = text(lead.post(CALENDAR, data=calendar_form(weekdays=["9"])))
    assert error_of(page, "weekdays")
    assert lead.post(CALENDAR, data=calendar_form(version="²")).status_code == 409
    page = text(lead.post(CALENDAR, data=calendar_form(zone="Europe/Paris")))
    assert "Pilih WIB, WITA, atau WIT." in error_of(page, "zone")
    page = text(lead.post(CALENDAR, data=calendar_form(opens="", closes="25:99")))
    assert "Isi jam buka." in error_of(page, "opens")
    assert "Isi jam tutup." in error_of(page, "closes")
    assert "Perubahan tidak disimpan" in page
    assert table_counts() == before


def test_a_calendar_save_over_a_newer_version_is_refused(app: Flask, login: Client) -> None:
    first, second = login("lead.bkd"), login("lead.bkd")
    # Both opened the page while no calendar was saved (version 0); the first one saves.
    first.post(CALENDAR, data=calendar_form(opens="07:00"))
    response = second.post(CALENDAR, data=calendar_form(opens="09:00"))
    assert response.status_code == 409
    page = text(response)
    assert "Seseorang menyimpan kalender kerja setelah Anda membuka halaman ini" in page
    assert 'value="07:00"' in page  # the page now shows what the first lead saved
    with app.test_request_context(), system(app):
        row = db.session.scalar(sa.select(WorkingCalendar))
        assert row is not None and row.opens == time(7, 0) and row.version == 1
        db.session.remove()
    # A form without a version (or a made-up one) is refused the same way.
    assert second.post(CALENDAR, data=calendar_form(version=7)).status_code == 409


# --- collective leave ----------------------------------------------------------------------------


def leave_rows(app: Flask) -> list[tuple[int, date, str]]:
    with app.app_context(), system(app):
        rows = [
            (r.region_id, r.day, r.name)
            for r in db.session.scalars(sa.select(CollectiveLeave).order_by(CollectiveLeave.day))
        ]
        db.session.remove()
    return rows


def test_monitor_adds_and_removes_a_collective_leave_day(
    app: Flask, login: Client, demo: Demo
) -> None:
    monitor = login("monitor")
    page = text(monitor.get(LEAVE))
    assert "Cuti bersama · Kabupaten Bombana" in page or "Cuti bersama · " in page
    response = monitor.post(
        LEAVE, data={"day": "2026-12-24", "name": "Cuti bersama Natal"}, follow_redirects=True
    )
    page = text(response)
    assert "menjadi hari cuti bersama" in page
    assert "menit yang sudah tercatat untuk langkah sebelumnya tidak diubah" in page
    assert leave_rows(app) == [(demo.regions["74.06"], date(2026, 12, 24), "Cuti bersama Natal")]
    # The desk staff of the region see it, read-only, and on their calendar's days off.
    officer = login("officer.bkd")
    page = text(officer.get(LEAVE))
    assert "Cuti bersama Natal" in page and "Tambah hari libur" not in page
    assert "Cuti bersama Natal" in text(officer.get(f"{CALENDAR}?year=2026"))
    assert officer.post(LEAVE, data={"day": "2026-12-31", "name": "x"}).status_code == 403
    # Removing asks first (GET), then removes (POST).
    with app.app_context(), system(app):
        leave_id = db.session.scalar(sa.select(CollectiveLeave.id))
        db.session.remove()
    confirm = text(monitor.get(f"{LEAVE}/{leave_id}/remove"))
    assert "Hapus “Cuti bersama Natal” pada 24 Desember 2026" in confirm
    assert leave_rows(app)  # nothing removed by looking
    page = text(monitor.post(f"{LEAVE}/{leave_id}/remove", follow_redirects=True))
    assert "bukan lagi hari libur" in page
    assert leave_rows(app) == []


def test_collective_leave_validation_messages(
    login: Client, table_counts: Callable[[], dict[str, int]]
) -> None:
    monitor = login("monitor")
    monitor.post(LEAVE, data={"day": "2026-12-24", "name": "Cuti bersama Natal"})
    before = table_counts()

    def error(day: str, name: str, field: str) -> str:
        return error_of(text(monitor.post(LEAVE, data={"day": day, "name": name})), field)

    assert "Isi tanggal hari libur." in error("", "Cuti", "day")
    assert "Isi tanggal hari libur." in error("24/12/2026", "Cuti", "day")
    assert "antara tahun 2000 dan 2100" in error("1999-12-31", "Cuti", "day")
    assert "Isi nama hari libur" in error("2026-12-28", "   ", "name")
    assert "Isi nama hari libur" in error("2026-12-28", "x" * 121, "name")
    assert "sudah menjadi hari cuti bersama" in error("2026-12-24", "Lagi", "day")
    national = error("2026-08-17", "Cuti", "day")
    assert "sudah hari libur nasional (Hari Kemerdekaan Republik Indonesia)" in national
    assert table_counts() == before


def test_admin_chooses_a_region_and_other_regions_rows_are_not_found(
    app: Flask, login: Client, demo: Demo
) -> None:
    admin = login("admin")
    assert "Pilih daerah" in text(admin.get(LEAVE))
    konsel = demo.regions["74.05"]
    assert "Pilih daerah terlebih dahulu." in text(
        admin.post(LEAVE, data={"day": "2026-12-28", "name": "Cuti Konsel"})
    )
    admin.post(f"{LEAVE}?region={konsel}", data={"day": "2026-12-28", "name": "Cuti Konsel"})
    assert leave_rows(app) == [(konsel, date(2026, 12, 28), "Cuti Konsel")]
    assert "Cuti Konsel" in text(admin.get(f"{LEAVE}?region={konsel}"))
    with app.app_context(), system(app):
        far_id = db.session.scalar(sa.select(CollectiveLeave.id))
        db.session.remove()
    # Bombana's monitor and desk staff neither see nor remove Konawe Selatan's day.
    monitor = login("monitor")
    assert "Cuti Konsel" not in text(monitor.get(LEAVE))
    assert "Cuti Konsel" not in text(login("officer.bkd").get(LEAVE))
    assert monitor.get(f"{LEAVE}/{far_id}/remove").status_code == 404
    assert monitor.post(f"{LEAVE}/{far_id}/remove").status_code == 404
    assert monitor.get(f"{LEAVE}/99999/remove").status_code == 404
    assert leave_rows(app)
    # Konsel's own monitor may remove it.
    assert login("monitor.konsel").post(f"{LEAVE}/{far_id}/remove").status_code == 302
    assert leave_rows(app) == []


def test_a_new_collective_leave_day_changes_a_running_files_minutes(
    app: Flask, login: Client, demo: Demo
) -> None:
    bkd = demo.agency("BKD")
    officer = Scope.for_membership(Role.AGENCY_OFFICER, bkd, demo.regions["74.06"])
    until = at("2026-11-04", "09:00")  # Monday 09:00 → Wednesday 09:00
    with app.test_request_context(), scoped(officer, db.session):
        file_id = _register(demo, at("2026-11-02", "09:00")).id
        db.session.commit()
        tracked = db.session.get(TrackedFile, file_id)
        assert tracked is not None
        assert engine.stage_minutes(tracked, until) == 420 + 480 + 60
        db.session.remove()
    login("monitor").post(LEAVE, data={"day": "2026-11-03", "name": "Cuti bersama (uji)"})
    with app.test_request_context(), scoped(officer, db.session):
        calendar = engine.calendar_for(bkd, date(2026, 11, 3))
        assert not calendar.is_working_day(date(2026, 11, 3))
        tracked = db.session.get(TrackedFile, file_id)
        assert tracked is not None
        assert engine.stage_minutes(tracked, until) == 420 + 60  # Tuesday is off now
        db.session.remove()


# --- process definitions -------------------------------------------------------------------------


def _bkd_process(app: Flask, demo: Demo) -> int:
    with app.app_context(), system(app):
        process_id = db.session.scalar(
            sa.select(Process.id).where(Process.agency_id == demo.agency("BKD"))
        )
        db.session.remove()
    assert process_id is not None
    return int(process_id)


def _register(demo: Demo, now: datetime | None = None, kind_code: str = "LS") -> TrackedFile:
    """Receive an SPM at BKD's desk (call inside BKD's officer scope)."""
    process = db.session.scalar(sa.select(Process).where(Process.code == "spm_sp2d"))
    assert process is not None
    kind = next(k for k in engine.current_version(process).file_kinds if k.code == kind_code)
    officer = Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), demo.regions["74.06"])
    return engine.register_file(
        officer,
        process,
        engine.Intake(
            file_kind_id=kind.id,
            internal_number="SPM-LS/0001/2026",
            amount=Decimal("1000000.00"),
            submitter_agency_id=demo.agency("DPMPTSP"),
            applicant_name="",
            ticked=list(kind.checklist),
        ),
        user_id=None,
        now=now,
    )


def process_form(app: Flask, process_id: int) -> dict[str, Any]:
    """What the edit form posts when nothing is changed: the current version's definition."""
    with app.app_context(), system(app):
        process = db.session.get(Process, process_id)
        assert process is not None
        version = process.versions[-1]
        data: dict[str, Any] = {"based_on": str(version.number), "note": ""}
        for i, s in enumerate(version.stages):
            data |= {
                f"stages-{i}-code": s.code,
                f"stages-{i}-name": s.name,
                f"stages-{i}-public_label": s.public_label,
                f"stages-{i}-roles": s.role_list,
                f"stages-{i}-sla_minutes": "" if s.sla_minutes is None else str(s.sla_minutes),
            }
            if s.may_return:
                data[f"stages-{i}-may_return"] = "y"
            if s.terminal:
                data[f"stages-{i}-terminal"] = "y"
        for i, k in enumerate(version.file_kinds):
            data |= {
                f"kinds-{i}-code": k.code,
                f"kinds-{i}-name": k.name,
                f"kinds-{i}-checklist": "\n".join(k.checklist),
            }
        db.session.remove()
    return data


def test_a_new_version_can_add_and_remove_stages(app: Flask, login: Client, demo: Demo) -> None:
    process_id = _bkd_process(app, demo)
    url = f"/m/etracking/processes/{process_id}"
    data = process_form(app, process_id)
    count = sum(1 for key in data if key.endswith("-code") and key.startswith("stages-"))
    codes_before = [data[f"stages-{i}-code"] for i in range(count)]
    data |= {
        "stages-1-remove": "y",
        "new_stage-code": "cek_pajak",
        "new_stage-name": "Pemeriksaan pajak (demo)",
        "new_stage-public_label": "Diperiksa",
        "new_stage-roles": ["agency_officer"],
        "new_stage-sla_minutes": "120",
        "new_stage_before": "3",
        "note": "Tahap pajak",
    }
    lead = login("lead.bkd")
    assert "Versi 2 disimpan." in text(lead.post(url, data=data, follow_redirects=True))
    bkd = Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), demo.regions["74.06"])
    with app.test_request_context(), scoped(bkd, db.session):
        v2 = db.session.scalars(sa.select(ProcessVersion).where(ProcessVersion.number == 2)).one()
        expected = [codes_before[0], "cek_pajak", *codes_before[2:]]
        assert [s.code for s in v2.stages] == expected
        assert v2.stages[1].sla_minutes == 120 and v2.stages[-1].terminal
        db.session.remove()
    # A new stage that breaks a rule is refused beside its own fields; nothing is saved.
    data = process_form(app, process_id)
    data |= {"new_stage-name": "Tanpa kode", "new_stage-public_label": "x", "new_stage_before": "1"}
    page = text(lead.post(url, data=data))
    assert "huruf kecil" in error_of(page, "new_stage-code")
    assert "Pilih sekurang-kurangnya satu peran" in error_of(page, "new_stage-roles")
    # Removing every stage leaves nothing to run.
    data = process_form(app, process_id)
    data |= {f"stages-{i}-remove": "y" for i in range(count)}
    assert "sekurang-kurangnya satu tahap" in text(lead.post(url, data=data))
    with app.test_request_context(), scoped(bkd, db.session):
        numbers = db.session.scalars(sa.select(ProcessVersion.number)).all()
        assert sorted(numbers) == [1, 2]
        db.session.remove()


def test_officer_reads_the_process_and_the_lead_gets_the_form(
    app: Flask, login: Client, demo: Demo
) -> None:
    url = f"/m/etracking/processes/{_bkd_process(app, demo)}"
    page = text(login("officer.bkd").get(url))
    assert "Pencairan anggaran (SPM → SP2D)" in page
    assert "Versi 1" in page and "Diterima di loket" in page
    assert "60 menit" in page and "1 jam" in page and "4 jam" in page
    assert "Surat pengantar SPM" in page
    assert "Simpan sebagai versi 2" not in page
    assert login("officer.bkd").post(url, data=process_form(app, 1)).status_code == 403
    page = text(login("lead.bkd").get(url))
    assert "Simpan sebagai versi 2" in page and 'name="stages-0-sla_minutes"' in page
    # The desk home links to the settings.
    home = text(login("lead.bkd").get("/m/etracking/"))
    assert "/m/etracking/calendar" in home and url in home and LEAVE in home


def test_saving_makes_version_two_and_a_running_file_keeps_version_one(
    app: Flask, login: Client, demo: Demo, no_demo_files: None
) -> None:
    process_id = _bkd_process(app, demo)
    url = f"/m/etracking/processes/{process_id}"
    bkd = Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), demo.regions["74.06"])
    with app.test_request_context(), scoped(bkd, db.session):
        running_id = _register(demo).id
        db.session.commit()
        db.session.remove()
    data = process_form(app, process_id)
    data |= {
        "stages-0-sla_minutes": "90",
        "stages-0-name": "Diterima di loket depan",
        "stages-1-roles": ["agency_lead"],
        "kinds-0-checklist": "Surat pengantar SPM\nSPP-UP",
        "new_code": "NIHIL",
        "new_name": "SPM Nihil (demo)",
        "new_checklist": "Surat pengantar SPM\n\nSPP Nihil\n",
        "note": "SLA penerimaan 90 menit",
    }
    response = login("lead.bkd").post(url, data=data, follow_redirects=True)
    page = text(response)
    assert "Versi 2 disimpan." in page
    assert "SLA penerimaan 90 menit" in page
    with app.test_request_context(), scoped(bkd, db.session):
        versions = list(
            db.session.scalars(sa.select(ProcessVersion).order_by(ProcessVersion.number))
        )
        assert [v.number for v in versions] == [1, 2]
        v1, v2 = versions
        assert v1.stages[0].sla_minutes == 60 and v1.stages[0].name == "Diterima di loket"
        assert len(v1.file_kinds) == 4  # version 1 is untouched
        assert v2.stages[0].sla_minutes == 90 and v2.stages[1].roles == "agency_lead"
        assert [k.code for k in v2.file_kinds] == ["UP", "GU", "TU", "LS", "NIHIL"]
        assert v2.file_kinds[-1].checklist == ["Surat pengantar SPM", "SPP Nihil"]
        running = db.session.get(TrackedFile, running_id)
        assert running is not None
        assert running.version.number == 1 and running.stage.sla_minutes == 60
        assert running.version.stages[0].name == "Diterima di loket"
        fresh = _register(demo, kind_code="NIHIL")
        assert fresh.version.number == 2 and fresh.stage.sla_minutes == 90
        db.session.commit()
        db.session.remove()
    # The versions list counts the files of each version.
    page = text(login("officer.bkd").get(url))
    assert re.search(r"Versi 1</a>.*?<td class=\"text-end\">1</td>", page, re.S)
    assert re.search(r"Versi 2</a>.*?<td class=\"text-end\">1</td>", page, re.S)
    # An earlier version can be read on its own.
    earlier = text(login("officer.bkd").get(f"{url}?version=1"))
    assert "versi terdahulu" in earlier and "Diterima di loket <code" in earlier
    assert "Diterima di loket depan" not in earlier.split("Versi</h2>")[0]


def test_every_process_validation_message_sits_beside_its_field(
    app: Flask, login: Client, demo: Demo, table_counts: Callable[[], dict[str, int]]
) -> None:
    process_id = _bkd_process(app, demo)
    url = f"/m/etracking/processes/{process_id}"
    lead = login("lead.bkd")
    base = process_form(app, process_id)
    last = sum(1 for key in base if key.endswith("-code") and key.startswith("stages")) - 1
    before = table_counts()

    def errors(**changes: Any) -> str:
        data = base | changes
        for key, value in changes.items():
            if value is None:
                data.pop(key)
        response = lead.post(url, data=data)
        assert response.status_code == 200
        return text(response)

    sla = "Isi SLA sebagai bilangan bulat menit kerja"
    for wrong in ("abc", "0", "-5", "1.5", "999999999", "²", "1" * 40):
        assert sla in error_of(errors(**{"stages-0-sla_minutes": wrong}), "stages-0-sla_minutes")
    page = errors(**{"stages-2-terminal": "y"})
    assert "Hanya tahap terakhir yang dapat menjadi tahap akhir." in error_of(
        page, "stages-2-terminal"
    )
    page = errors(**{f"stages-{last}-terminal": None})
    assert "Tahap terakhir harus menjadi tahap akhir." in error_of(page, f"stages-{last}-terminal")
    page = errors(**{"stages-1-code": "received"})
    assert "Kode ini sudah dipakai tahap lain." in error_of(page, "stages-1-code")
    page = errors(**{"stages-1-code": "Bad Code!"})
    assert "huruf kecil" in error_of(page, "stages-1-code")
    assert "Isi nama tahap" in error_of(errors(**{"stages-0-name": ""}), "stages-0-name")
    page = errors(**{"stages-0-public_label": "x" * 121})
    assert "Isi label publik" in error_of(page, "stages-0-public_label")
    page = errors(**{"stages-0-roles": None})
    assert "Pilih sekurang-kurangnya satu peran" in error_of(page, "stages-0-roles")
    page = errors(**{f"stages-{last}-may_return": "y"})
    assert "tidak dapat dikembalikan" in error_of(page, f"stages-{last}-may_return")
    page = errors(**{"kinds-0-checklist": "Surat\n" + "x" * 201})
    assert "Dokumen ke-2 dalam daftar periksa lebih dari 200 karakter." in error_of(
        page, "kinds-0-checklist"
    )
    page = errors(**{"kinds-0-checklist": " \n \n"})
    assert "Isi sekurang-kurangnya satu dokumen" in error_of(page, "kinds-0-checklist")
    page = errors(**{"kinds-0-checklist": "SPP\nSPP"})
    assert "dokumen yang sama dua kali" in error_of(page, "kinds-0-checklist")
    page = errors(**{"kinds-1-code": "UP"})
    assert "Kode ini sudah dipakai jenis berkas lain." in error_of(page, "kinds-1-code")
    page = errors(**{"kinds-1-name": ""})
    assert "Isi nama jenis berkas" in error_of(page, "kinds-1-name")
    page = errors(new_code="BARU", new_name="", new_checklist="")
    assert "Isi nama jenis berkas" in error_of(page, "new_name")
    assert "Isi sekurang-kurangnya satu dokumen" in error_of(page, "new_checklist")
    page = errors(new_code="a b", new_name="Baru", new_checklist="Surat")
    assert "Gunakan 1 sampai 20 huruf" in error_of(page, "new_code")
    removed = {f"kinds-{i}-remove": "y" for i in range(4)}
    assert "Pertahankan sekurang-kurangnya satu jenis berkas." in errors(**removed)
    page = errors(note="x" * 1001)
    assert "Catatan lebih dari 1000 karakter." in error_of(page, "note")
    assert "Perubahan tidak disimpan: perbaiki isian yang ditandai." in page
    # Submitting the form unchanged makes no version either.
    assert "Tidak ada yang diubah" in text(lead.post(url, data=base))
    assert table_counts() == before


def test_second_lead_saving_over_a_newer_version_is_refused(
    app: Flask, login: Client, demo: Demo
) -> None:
    process_id = _bkd_process(app, demo)
    url = f"/m/etracking/processes/{process_id}"
    first, second = login("lead.bkd"), login("lead.bkd")
    loaded = process_form(app, process_id)  # both opened version 1
    first.post(url, data=loaded | {"stages-0-sla_minutes": "75"})
    response = second.post(url, data=loaded | {"stages-0-sla_minutes": "45"})
    assert response.status_code == 409
    page = text(response)
    assert "Versi 2 proses ini disimpan setelah Anda membuka halaman ini" in page
    assert 'value="75"' in page  # the form now starts from the first lead's version 2
    with app.app_context(), system(app):
        numbers = list(
            db.session.scalars(
                sa.select(ProcessVersion.number).where(ProcessVersion.process_id == process_id)
            )
        )
        db.session.remove()
    assert sorted(numbers) == [1, 2]


def test_another_agencys_process_is_not_found(app: Flask, login: Client, demo: Demo) -> None:
    with app.app_context(), system(app):
        other = db.session.scalar(
            sa.select(Process.id).where(Process.agency_id == demo.agency("DPMPTSP"))
        )
        db.session.remove()
    assert other is not None
    lead = login("lead.bkd")
    assert lead.get(f"/m/etracking/processes/{other}").status_code == 404
    assert lead.post(f"/m/etracking/processes/{other}", data={"based_on": "1"}).status_code == 404
    assert lead.get("/m/etracking/processes/999999").status_code == 404


def test_settings_need_the_module_on_for_the_desk_but_not_for_the_monitor(
    login: Client, demo: Demo
) -> None:
    monitor, lead = login("monitor"), login("lead.bkd")
    assert lead.get(CALENDAR).status_code == 200
    monitor.post(f"/modul/{demo.agency('BKD')}/etracking", data={"on": "0"})
    assert lead.get(CALENDAR).status_code == 404
    assert lead.get(LEAVE).status_code == 404
    assert lead.get("/m/etracking/processes/1").status_code == 404
    # A region scope passes the module guard: collective leave is the region's, not a desk's.
    assert monitor.get(LEAVE).status_code == 200
