"""The e-tracking engine on a real database: presets, intake, desk steps, working-time SLA with
returns, and the compare-and-swap that keeps two clerks from moving a file twice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from puja_indah.core.models import Role
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking import codes, engine
from puja_indah.modules.etracking.models import (
    CollectiveLeave,
    FileAction,
    FileEvent,
    FileStatus,
    Process,
    TrackedFile,
)
from puja_indah.modules.etracking.worktime import WITA
from tests.conftest import Demo


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=WITA)


@pytest.fixture
def desk(app_ctx: Flask, demo: Demo) -> Iterator[Process]:
    """BKD with the SPM → SP2D preset installed, working as an officer of BKD."""
    bkd = demo.agency("BKD")
    with app_ctx.test_request_context():
        with scoped(Scope.system("tests: preset"), db.session):
            engine.install_preset(bkd, "bkd_spm")
            db.session.commit()
        officer = Scope.for_membership(Role.AGENCY_OFFICER, bkd, None)
        with scoped(officer, db.session):
            process = db.session.scalar(sa.select(Process).where(Process.code == "spm_sp2d"))
            assert process is not None
            yield process


def _intake(process: Process, demo: Demo, **changes: object) -> engine.Intake:
    kind = next(k for k in engine.current_version(process).file_kinds if k.code == "LS")
    values: dict[str, object] = {
        "file_kind_id": kind.id,
        "internal_number": "SPM-LS/0042/2026",
        "amount": Decimal("125000000.00"),
        "submitter_agency_id": demo.agency("DPMPTSP"),
        "applicant_name": "",
        "ticked": list(kind.checklist),
    }
    values.update(changes)
    return engine.Intake(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Step:
    action: FileAction
    working_minutes: int | None
    breached: bool | None


def _step(
    file_id: int,
    action: FileAction,
    when: datetime,
    reason: str = "",
    role: Role = Role.AGENCY_OFFICER,
) -> Step:
    """One desk step by a clerk of the desk agency in `role`, committed like a request would."""
    agency_id = db.session.scalar(sa.select(TrackedFile.agency_id).where(TrackedFile.id == file_id))
    scope = Scope.for_membership(role, agency_id, None)
    with scoped(scope, db.session):
        tracked = db.session.get(TrackedFile, file_id)
        assert tracked is not None
        try:
            event = engine.act(
                scope, tracked, action, tracked.last_sequence, None, reason, now=when
            )
            db.session.commit()
        except engine.EngineRefused:
            db.session.rollback()
            raise
        return Step(event.action, event.working_minutes, event.breached)


def _file(file_id: int) -> TrackedFile:
    tracked = db.session.get(TrackedFile, file_id)
    assert tracked is not None
    return tracked


def test_the_preset_is_installed_once_with_its_stages_and_checklists(desk: Process) -> None:
    version = engine.current_version(desk)
    assert [s.code for s in version.stages][:2] == ["received", "completeness"]
    assert version.stages[-1].terminal
    # SPM → SP2D: stages 1–5 together within 2 working days (960 working minutes).
    assert sum(s.sla_minutes or 0 for s in version.stages[1:6]) == 960
    assert {k.code for k in version.file_kinds} == {"UP", "GU", "TU", "LS"}
    with scoped(Scope.system("tests: again"), db.session):
        assert engine.install_preset(desk.agency_id, "bkd_spm").id == desk.id


def test_intake_refuses_missing_checklist_items_and_a_foreign_submitter(
    desk: Process, demo: Demo, table_counts
) -> None:
    before = table_counts()
    scope = Scope.for_membership(Role.AGENCY_OFFICER, desk.agency_id, None)
    kind_items = _intake(desk, demo).ticked
    with pytest.raises(engine.EngineRefused, match="Dokumen yang belum ada di daftar periksa"):
        engine.register_file(scope, desk, _intake(desk, demo, ticked=kind_items[:-1]), None)
    with pytest.raises(engine.EngineRefused) as refused:
        engine.register_file(
            scope, desk, _intake(desk, demo, submitter_agency_id=demo.agency("BKAD", "74.05")), None
        )
    assert refused.value.field == "submitter_agency_id"
    with pytest.raises(engine.EngineRefused) as refused:
        engine.register_file(scope, desk, _intake(desk, demo, internal_number="  "), None)
    assert refused.value.field == "internal_number"
    db.session.rollback()
    assert table_counts() == before


def test_a_file_moves_through_the_desk_with_a_return_that_pauses_the_clock(
    desk: Process, demo: Demo
) -> None:
    scope = Scope.for_membership(Role.AGENCY_OFFICER, desk.agency_id, None)
    tracked = engine.register_file(
        scope, desk, _intake(desk, demo), None, now=at("2026-11-23", "09:00")
    )
    db.session.commit()
    fid = tracked.id
    assert codes.normalise(tracked.public_code) == tracked.public_code
    assert _file(fid).stage.code == "received" and tracked.last_sequence == 1

    first = _step(fid, FileAction.ADVANCE, at("2026-11-23", "09:30"))
    assert (first.working_minutes, first.breached) == (30, False)
    assert _file(fid).stage.code == "completeness"

    _step(fid, FileAction.RETURN, at("2026-11-23", "10:00"), reason="Faktur pajak belum ada")
    assert _file(fid).status is FileStatus.RETURNED
    # While it is returned the desk cannot move it on.
    with pytest.raises(engine.EngineRefused, match="tidak dapat dilakukan sekarang"):
        _step(fid, FileAction.ADVANCE, at("2026-11-23", "11:00"))
    db.session.rollback()
    _step(fid, FileAction.RESUME, at("2026-11-24", "10:00"))
    done = _step(fid, FileAction.ADVANCE, at("2026-11-24", "11:00"))
    # 09:30–10:00 on Monday and 10:00–11:00 on Tuesday; the day back at the OPD does not count.
    assert done.working_minutes == 90
    assert _file(fid).stage.code == "ceiling"


def test_a_stage_sla_breach_is_recorded(desk: Process, demo: Demo) -> None:
    scope = Scope.for_membership(Role.AGENCY_OFFICER, desk.agency_id, None)
    tracked = engine.register_file(
        scope, desk, _intake(desk, demo), None, now=at("2026-11-20", "15:00")
    )
    db.session.commit()
    fid = tracked.id
    # Received Friday 15:00, advanced Monday 09:30: 60 + 90 = 150 minutes > 60.
    event = _step(fid, FileAction.ADVANCE, at("2026-11-23", "09:30"))
    assert (event.working_minutes, event.breached) == (150, True)


def test_collective_leave_is_not_working_time(desk: Process, demo: Demo) -> None:
    desk_id = desk.id
    with scoped(Scope.system("tests: leave"), db.session):
        db.session.add(
            CollectiveLeave(region_id=demo.regions["74.06"], day=date(2026, 11, 24), name="Cuti")
        )
        db.session.commit()
    found = db.session.get(Process, desk_id)  # the scope change dropped it from the session
    assert found is not None
    desk = found
    scope = Scope.for_membership(Role.AGENCY_OFFICER, desk.agency_id, None)
    tracked = engine.register_file(
        scope, desk, _intake(desk, demo), None, now=at("2026-11-23", "15:00")
    )
    db.session.commit()
    fid = tracked.id
    event = _step(fid, FileAction.ADVANCE, at("2026-11-25", "09:00"))
    assert event.working_minutes == 120


def test_roles_reasons_and_terminal_states_are_enforced(desk: Process, demo: Demo) -> None:
    scope = Scope.for_membership(Role.AGENCY_OFFICER, desk.agency_id, None)
    tracked = engine.register_file(
        scope, desk, _intake(desk, demo), None, now=at("2026-11-23", "08:00")
    )
    db.session.commit()
    fid = tracked.id
    for hour in ("09:00", "10:00", "11:00", "12:00"):
        _step(fid, FileAction.ADVANCE, at("2026-11-23", hour))
    assert _file(fid).stage.code == "sp2d_draft"
    _step(fid, FileAction.ADVANCE, at("2026-11-23", "13:00"))
    # Signing the SP2D is the Kuasa BUD's (the lead's) step only.
    with pytest.raises(engine.EngineRefused, match="Peran Anda"):
        _step(fid, FileAction.ADVANCE, at("2026-11-23", "14:00"))
    db.session.rollback()
    _step(fid, FileAction.ADVANCE, at("2026-11-23", "14:00"), role=Role.AGENCY_LEAD)
    with pytest.raises(engine.EngineRefused, match="tidak dapat dikembalikan"):
        _step(fid, FileAction.RETURN, at("2026-11-23", "14:30"), reason="x")
    db.session.rollback()
    with pytest.raises(engine.EngineRefused, match="alasan"):
        _step(fid, FileAction.REJECT, at("2026-11-23", "14:30"))
    db.session.rollback()
    last = _step(fid, FileAction.ADVANCE, at("2026-11-24", "09:00"))
    assert last.action is FileAction.COMPLETE
    assert _file(fid).status is FileStatus.COMPLETED and _file(fid).closed_at is not None
    with pytest.raises(engine.EngineRefused):
        _step(fid, FileAction.ADVANCE, at("2026-11-24", "10:00"))
    db.session.rollback()


def test_a_step_from_a_stale_screen_is_refused_and_explained(desk: Process, demo: Demo) -> None:
    scope = Scope.for_membership(Role.AGENCY_OFFICER, desk.agency_id, None)
    tracked = engine.register_file(
        scope, desk, _intake(desk, demo), None, now=at("2026-11-23", "09:00")
    )
    db.session.commit()
    fid = tracked.id
    seen = tracked.last_sequence
    _step(fid, FileAction.ADVANCE, at("2026-11-23", "09:10"))  # the first clerk
    with pytest.raises(engine.EngineRefused, match="sudah berubah sejak Anda membukanya"):
        engine.act(scope, tracked, FileAction.ADVANCE, seen, None, now=at("2026-11-23", "09:11"))
    db.session.rollback()
    assert _file(fid).stage.code == "completeness"


def test_two_clerks_at_once_move_the_file_one_stage(desk: Process, demo: Demo, app_ctx) -> None:
    """Clerk B loaded the file before clerk A's step landed: the compare-and-swap refuses B."""
    scope = Scope.for_membership(Role.AGENCY_OFFICER, desk.agency_id, None)
    tracked = engine.register_file(
        scope, desk, _intake(desk, demo), None, now=at("2026-11-23", "09:00")
    )
    db.session.commit()
    file_id, seen = tracked.id, tracked.last_sequence
    # Clerk A's step lands through another connection while B holds the old state.
    # (A session of its own, so the tenancy layer and row-level security apply to it too.)
    with Session(db.engine) as other:
        other.execute(
            sa.update(TrackedFile)
            .where(TrackedFile.id == file_id)
            .values(last_sequence=seen + 1)
            .execution_options(synchronize_session=False)
        )
        other.commit()
    with pytest.raises(engine.EngineRefused, match="baru saja"):
        engine.act(scope, tracked, FileAction.ADVANCE, seen, None, now=at("2026-11-23", "09:05"))
    db.session.rollback()
    with scoped(Scope.system("tests: count"), db.session):
        events = db.session.scalar(
            sa.select(sa.func.count()).select_from(FileEvent).where(FileEvent.file_id == file_id)
        )
    assert events == 1


def test_another_agency_cannot_act_on_the_desk_files(desk: Process, demo: Demo) -> None:
    scope = Scope.for_membership(Role.AGENCY_OFFICER, desk.agency_id, None)
    tracked = engine.register_file(scope, desk, _intake(desk, demo), None)
    db.session.commit()
    outsider = Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("DPMPTSP"), None)
    with pytest.raises(engine.EngineRefused, match="Hanya petugas"):
        engine.act(outsider, tracked, FileAction.ADVANCE, tracked.last_sequence, None)
    db.session.rollback()
