"""Tracked files for the e-tracking page tests, registered and moved the way the desk does it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from puja_indah.core.clock import WITA
from puja_indah.core.models import Agency, Role
from puja_indah.core.registry import ModuleActivation
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking import engine
from puja_indah.modules.etracking.models import FileAction, Process, TrackedFile

# Distinctive private values: none of them may ever reach the public page.
SECRET_AMOUNT = Decimal("987654321.55")
SECRET_NUMBER = "SPM-LS/RAHASIA-7731/2026"
SECRET_APPLICANT = "Wa Ode Sitti Rahmaniar"
SECRET_REASON = "Kuitansi a.n. Zulkarnain Lamaddukelleng belum ditandatangani"


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=WITA)


@dataclass(frozen=True)
class Made:
    id: int
    code: str
    agency_id: int


def make_file(
    app: Flask,
    agency_id: int,
    preset: str = "bkd_spm",
    received: datetime | None = None,
    submitter_id: int | None = None,
) -> Made:
    """A file at the agency's desk (module switched on, preset installed) with the secret values."""
    with app.test_request_context(), scoped(Scope.system("tests: e-tracking desk"), db.session):
        found = db.session.scalar(
            sa.select(ModuleActivation).where(
                ModuleActivation.agency_id == agency_id, ModuleActivation.module_code == "etracking"
            )
        )
        if found is None:
            db.session.add(
                ModuleActivation(agency_id=agency_id, module_code="etracking", enabled=True)
            )
        process = engine.install_preset(agency_id, preset)
        db.session.commit()
        agency = db.session.get(Agency, agency_id)
        assert agency is not None
        region_id = agency.region_id
        process_id = process.id
        db.session.remove()
    desk = Scope.for_membership(Role.AGENCY_OFFICER, agency_id, region_id)
    with app.test_request_context(), scoped(desk, db.session):
        process = db.session.get(Process, process_id)
        assert process is not None
        kind = engine.current_version(process).file_kinds[-1]
        tracked = engine.register_file(
            desk,
            process,
            engine.Intake(
                file_kind_id=kind.id,
                internal_number=SECRET_NUMBER,
                amount=SECRET_AMOUNT,
                submitter_agency_id=(submitter_id or agency_id)
                if process.submitted_by_agencies
                else None,
                applicant_name="" if process.submitted_by_agencies else SECRET_APPLICANT,
                ticked=list(kind.checklist),
            ),
            user_id=None,
            now=received,
        )
        db.session.commit()
        made = Made(tracked.id, tracked.public_code, agency_id)
        db.session.remove()
    return made


def step(
    app: Flask,
    made: Made,
    action: FileAction,
    when: datetime,
    reason: str = "",
    role: Role = Role.AGENCY_OFFICER,
) -> None:
    scope = Scope.for_membership(role, made.agency_id, None)
    with app.test_request_context(), scoped(scope, db.session):
        tracked = db.session.get(TrackedFile, made.id)
        assert tracked is not None
        engine.act(scope, tracked, action, tracked.last_sequence, None, reason, now=when)
        db.session.commit()
        db.session.remove()


def switch_module(app: Flask, agency_id: int, enabled: bool) -> None:
    with app.app_context(), scoped(Scope.system("tests: module switch"), db.session):
        db.session.execute(
            sa.update(ModuleActivation)
            .where(
                ModuleActivation.agency_id == agency_id, ModuleActivation.module_code == "etracking"
            )
            .values(enabled=enabled)
        )
        db.session.commit()
        db.session.remove()
