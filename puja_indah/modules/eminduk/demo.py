"""A few demo requests at Disdukcapil's desk, so the demo's e-minduk screens are not empty.

Obviously demo: the applicants are named "… (demo)" and every NIK has a serial of 9xxx issued in
district 74.06.01 — made up, valid by the rules of nik.py, belonging to no one known. Loaded once
(nothing is added when the desk already has a request)."""

from __future__ import annotations

from sqlalchemy import select

from puja_indah.core.models import Agency, Role
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db
from puja_indah.modules.eminduk import services
from puja_indah.modules.eminduk.models import CivilRequest
from puja_indah.modules.etracking import engine
from puja_indah.modules.etracking.models import FileAction, FileStatus, Process

# (kind code, applicant, NIK, steps forward after intake: 4 reaches "completed")
DEMO_REQUESTS = (
    ("AKL", "Bayi Contoh (demo)", "7406011508259001", 4),
    ("KTP", "Wa Ode Contoh (demo)", "7406015203009002", 1),
    ("KK", "La Ode Contoh (demo)", "7406010101709003", 0),
)


def seed_requests(agency: Agency | None) -> int:
    if agency is None:
        return 0
    process = db.session.scalar(
        select(Process).where(Process.agency_id == agency.id, Process.preset == services.PRESET)
    )
    exists = db.session.scalar(
        select(CivilRequest.id).where(CivilRequest.agency_id == agency.id).limit(1)
    )
    if process is None or exists is not None:
        return 0
    desk = Scope.for_membership(Role.AGENCY_OFFICER, agency.id, agency.region_id)
    kinds = {k.code: k for k in engine.current_version(process).file_kinds}
    for code, name, nik, steps in DEMO_REQUESTS:
        kind = kinds[code]
        civil = services.register_request(
            desk,
            process,
            services.RequestIntake(kind.id, name, nik, "", list(kind.checklist)),
            user_id=None,
        )
        tracked = civil.file
        for _step in range(steps):
            if tracked.status is FileStatus.OPEN:
                engine.act(desk, tracked, FileAction.ADVANCE, tracked.last_sequence, None)
    db.session.flush()
    return len(DEMO_REQUESTS)
