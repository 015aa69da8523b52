"""The submitting agency's view of its files (issue 4, point 6): a named cross-agency read that
shows an agency the files IT submitted at other agencies' desks, and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.core.models import Role
from puja_indah.core.registry import ModuleActivation
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking import engine
from puja_indah.modules.etracking.models import FileAction, Process, TrackedFile
from puja_indah.modules.etracking.worktime import WITA
from tests.conftest import Demo


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=WITA)


def make_file(
    app: Flask,
    demo: Demo,
    submitter: str,
    number: str,
    *,
    desk: str = "BKD",
    amount: str = "125000000.00",
    now: datetime | None = None,
) -> int:
    """An SPM at BKD's desk submitted by `submitter` (an agency code of Bombana); committed."""
    desk_id = demo.agency(desk)
    with app.test_request_context(), scoped(Scope.system("tests: preset"), db.session):
        process = engine.install_preset(desk_id, "bkd_spm")
        db.session.commit()
        process_id = process.id
    scope = Scope.for_membership(Role.AGENCY_OFFICER, desk_id, None)
    with app.test_request_context(), scoped(scope, db.session):
        process = db.session.get(Process, process_id)
        assert process is not None
        kind = next(k for k in engine.current_version(process).file_kinds if k.code == "LS")
        tracked = engine.register_file(
            scope,
            process,
            engine.Intake(
                file_kind_id=kind.id,
                internal_number=number,
                amount=Decimal(amount),
                submitter_agency_id=demo.agency(submitter),
                applicant_name="",
                ticked=list(kind.checklist),
            ),
            None,
            now=now,
        )
        db.session.commit()
        file_id = tracked.id
        db.session.remove()
    return file_id


def step(
    app: Flask,
    file_id: int,
    action: FileAction,
    *,
    reason: str = "",
    now: datetime | None = None,
    commit: bool = True,
) -> int:
    """One desk step by an officer of the desk, committed (or rolled back) like a request."""
    with app.test_request_context(), scoped(Scope.system("tests: desk of"), db.session):
        agency_id = db.session.scalar(
            sa.select(TrackedFile.agency_id).where(TrackedFile.id == file_id)
        )
    assert agency_id is not None
    scope = Scope.for_membership(Role.AGENCY_OFFICER, agency_id, None)
    with app.test_request_context(), scoped(scope, db.session):
        tracked = db.session.get(TrackedFile, file_id)
        assert tracked is not None
        event = engine.act(scope, tracked, action, tracked.last_sequence, None, reason, now=now)
        event_id = event.id
        if commit:
            db.session.commit()
        else:
            db.session.rollback()
        db.session.remove()
    return event_id


def test_an_agency_sees_only_the_files_it_submitted(
    app: Flask, demo: Demo, login: Callable[..., FlaskClient]
) -> None:
    ours = make_file(app, demo, "DPMPTSP", "SPM-LS/0001/DPMPTSP", amount="98765432.00")
    theirs = make_file(app, demo, "DISTAN", "SPM-LS/0002/DISTAN")
    client = login("officer.dpmptsp")

    page = client.get("/kiriman")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "SPM-LS/0001/DPMPTSP" in text
    assert "SPM-LS/0002/DISTAN" not in text
    assert "98.765.432" in text  # the submitter knows its own SPM's amount
    assert "Berkas kiriman" in text  # the nav link

    assert client.get(f"/kiriman/{ours}").status_code == 200
    assert client.get(f"/kiriman/{theirs}").status_code == 404
    assert client.get("/kiriman/999999").status_code == 404
    assert client.get("/kiriman/99999999999").status_code == 404

    # The desk's own staff (BKD) did not submit either file: not in their submitted list.
    bkd = login("officer.bkd")
    listing = bkd.get("/kiriman").get_data(as_text=True)
    assert "SPM-LS/0001/DPMPTSP" not in listing and "98.765.432" not in listing
    assert bkd.get(f"/kiriman/{ours}").status_code == 404
    # Region and national roles have no submitting agency.
    assert login("monitor").get("/kiriman").status_code == 403
    assert login("reviewer").get(f"/kiriman/{ours}").status_code == 403


def test_the_file_page_shows_its_history_in_wita_with_on_time_and_late(
    app: Flask, demo: Demo, login: Callable[..., FlaskClient]
) -> None:
    # Received Monday 2026-03-02 09:00 WITA; "received" (SLA 60) left after 10 minutes: on time.
    file_id = make_file(app, demo, "DPMPTSP", "SPM-LS/0003/2026", now=at("2026-03-02", "09:00"))
    step(app, file_id, FileAction.ADVANCE, now=at("2026-03-02", "09:10"))
    reason = "Kuitansi belum ditandatangani"
    step(app, file_id, FileAction.RETURN, reason=reason, now=at("2026-03-02", "10:00"))
    step(app, file_id, FileAction.RESUME, now=at("2026-03-09", "09:00"))
    # 50 + 360 working minutes at "completeness" (SLA 120): late.
    step(app, file_id, FileAction.ADVANCE, now=at("2026-03-09", "15:00"))
    page = login("officer.dpmptsp").get(f"/kiriman/{file_id}").get_data(as_text=True)
    assert "Riwayat" in page
    assert "WITA" in page
    assert "Kuitansi belum ditandatangani" in page  # the desk's reason, for the submitter
    assert "Dikembalikan untuk perbaikan di" in page
    assert "tepat waktu" in page and "terlambat" in page
    assert "09.10" in page or "09:10" in page  # WITA, as entered
    assert "Kirim email saat berkas ini pindah tahap" in page


def test_filters_by_status_and_desk_and_pages_by_fifty(
    app: Flask, demo: Demo, login: Callable[..., FlaskClient], no_demo_files: None
) -> None:
    first = make_file(app, demo, "DPMPTSP", "SPM-LS/F-000")
    step(app, first, FileAction.ADVANCE)
    step(app, first, FileAction.RETURN, reason="Kurang lampiran")
    for n in range(1, 51):
        make_file(app, demo, "DPMPTSP", f"SPM-LS/F-{n:03d}")
    client = login("officer.dpmptsp")

    page_one = client.get("/kiriman").get_data(as_text=True)
    assert "51 berkas ditemukan" in page_one
    assert page_one.count('class="list-group-item list-group-item-action"') == 50
    page_two = client.get("/kiriman?page=2").get_data(as_text=True)
    assert page_two.count('class="list-group-item list-group-item-action"') == 1

    returned = client.get("/kiriman?status=returned").get_data(as_text=True)
    assert "1 berkas ditemukan" in returned and "SPM-LS/F-000" in returned
    bkd = demo.agency("BKD")
    assert "51 berkas ditemukan" in client.get(f"/kiriman?desk={bkd}").get_data(as_text=True)
    # Nonsense filters are ignored, never an error.
    for query in ("status=nope", "desk=abc", "desk=99999999999", "page=-3", "page=999999999"):
        assert client.get(f"/kiriman?{query}").status_code == 200


def test_a_desk_that_switched_the_module_off_shows_nothing(
    app: Flask, demo: Demo, login: Callable[..., FlaskClient]
) -> None:
    file_id = make_file(app, demo, "DPMPTSP", "SPM-LS/OFF/2026")
    with app.app_context(), scoped(Scope.system("tests: module off"), db.session):
        activation = db.session.scalar(
            sa.select(ModuleActivation).where(
                ModuleActivation.agency_id == demo.agency("BKD"),
                ModuleActivation.module_code == "etracking",
            )
        )
        assert activation is not None
        activation.enabled = False
        db.session.commit()
        db.session.remove()
    client = login("officer.dpmptsp")
    assert "SPM-LS/OFF/2026" not in client.get("/kiriman").get_data(as_text=True)
    assert client.get(f"/kiriman/{file_id}").status_code == 404
