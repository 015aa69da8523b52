"""e-minduk's writes: register a request (an e-tracking file plus its `CivilRequest`, one
transaction), group completed requests into a hand-over batch, and write a batch's CSV.
Services validate and flush, never commit; the view commits once and rolls back on a refusal."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from puja_indah.core.db import utcnow
from puja_indah.core.exports import CsvWriter
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db
from puja_indah.modules.eminduk import nik as nik_rules
from puja_indah.modules.eminduk.models import CivilRequest, HandoverBatch
from puja_indah.modules.etracking import codes, engine
from puja_indah.modules.etracking.models import FileStatus, Process, TrackedFile
from puja_indah.modules.etracking.worktime import WITA

PRESET = "disdukcapil_civil"
MAX_PHONE_DIGITS = 15  # E.164
MAX_BATCH = 500


@dataclass
class RequestIntake:
    file_kind_id: int
    applicant_name: str
    nik: str
    phone: str
    ticked: list[str]


def civil_process() -> Process | None:
    """The current agency's civil-registration process (installed from the preset)."""
    return db.session.scalar(
        select(Process).where(Process.preset == PRESET, Process.active.is_(True)).limit(1)
    )


def clean_phone(raw: str) -> str:
    """Optional. Digits with an optional leading "+"; spaces, dots, hyphens and brackets are
    dropped. Refused when it cannot be a phone number."""
    text = "".join(ch for ch in raw.strip() if ch not in " .-()")
    if not text:
        return ""
    digits = text[1:] if text.startswith("+") else text
    if not digits.isascii() or not digits.isdigit() or not 8 <= len(digits) <= MAX_PHONE_DIGITS:
        raise engine.EngineRefused(
            _("Enter a phone number of 8 to 15 digits, or leave it empty."), "phone"
        )
    return text


def register_request(
    scope: Scope,
    process: Process,
    data: RequestIntake,
    user_id: int | None,
    today: date | None = None,
    now: datetime | None = None,
) -> CivilRequest:
    moment = now or utcnow()
    checked = nik_rules.check(data.nik, today or moment.astimezone(WITA).date())
    if isinstance(checked, nik_rules.NikProblem):
        raise engine.EngineRefused(nik_rules.message(checked), "nik")
    phone = clean_phone(data.phone)
    tracked = engine.register_file(
        scope,
        process,
        engine.Intake(
            file_kind_id=data.file_kind_id,
            internal_number=_next_number(process, data.file_kind_id, moment),
            amount=None,
            submitter_agency_id=None,
            applicant_name=data.applicant_name,
            ticked=data.ticked,
        ),
        user_id,
        now=moment,
    )
    request = CivilRequest(
        agency_id=tracked.agency_id, file_id=tracked.id, nik=checked.nik, phone=phone
    )
    db.session.add(request)
    db.session.flush()
    return request


def _next_number(process: Process, file_kind_id: int, moment: datetime) -> str:
    """The desk's register number, "KTP/2026/00012": not unique by constraint (the public code
    is the key), only a readable running number per kind and year."""
    version = engine.current_version(process)
    kind = next((k for k in version.file_kinds if k.id == file_kind_id), None)
    if kind is None:
        return "-"  # register_file refuses the kind with its own message
    year = moment.astimezone(WITA).year
    count = db.session.scalar(
        select(func.count(TrackedFile.id)).where(
            TrackedFile.file_kind_id == kind.id,
            TrackedFile.internal_number.like(f"{kind.code}/{year}/%"),
        )
    )
    return f"{kind.code}/{year}/{(count or 0) + 1:05d}"


# --- hand-over batches ---------------------------------------------------------------------------


def create_batch(
    scope: Scope, request_ids: list[int], user_id: int | None, now: datetime | None = None
) -> HandoverBatch:
    """Group completed requests not yet handed over. Refused, with nothing changed, when none is
    chosen or one of them is not completed or already in a batch (another clerk was quicker)."""
    if scope.kind != "agency" or scope.read_only or scope.agency_id is None:
        raise engine.EngineRefused(_("Only the desk agency's staff hand requests over."))
    wanted = sorted(set(request_ids))
    if not wanted:
        raise engine.EngineRefused(
            _("Choose at least one completed request: an empty batch is not made."), "requests"
        )
    if len(wanted) > MAX_BATCH:
        raise engine.EngineRefused(
            _("A batch holds at most %(count)s requests.", count=MAX_BATCH), "requests"
        )
    # FOR UPDATE: two clerks batching the same request wait for each other (PostgreSQL), and the
    # second finds it already batched instead of moving it.
    rows = list(
        db.session.scalars(
            select(CivilRequest)
            .where(CivilRequest.id.in_(wanted))
            .options(selectinload(CivilRequest.file))
            .with_for_update()
        )
    )
    eligible = [r for r in rows if r.batch_id is None and r.file.status is FileStatus.COMPLETED]
    if len(eligible) != len(wanted):
        raise engine.EngineRefused(
            _(
                "Some of the chosen requests are not completed or are already in a batch."
                " Reload the page and choose again."
            ),
            "requests",
        )
    moment = now or utcnow()
    year = moment.astimezone(WITA).year
    count = db.session.scalar(
        select(func.count(HandoverBatch.id)).where(HandoverBatch.number.like(f"SERAH/{year}/%"))
    )
    batch = HandoverBatch(
        agency_id=scope.agency_id,
        number=f"SERAH/{year}/{(count or 0) + 1:04d}",
        created_by_id=user_id,
        created_at=moment,
    )
    db.session.add(batch)
    try:
        db.session.flush()
        for row in eligible:
            row.batch_id = batch.id
        db.session.flush()
    except IntegrityError:
        raise engine.EngineRefused(
            _("Another batch was made at the same moment. Please try again.")
        ) from None
    return batch


def batch_csv(batch: HandoverBatch) -> bytes:
    """The batch for the national registry operator: UTF-8 with a BOM (Excel reads the accents
    right), one row per request, the full NIK (the operator needs it). Written by core.exports,
    which neutralises any cell that starts like a formula."""
    out = io.BytesIO()
    writer = CsvWriter(out)
    writer.row([_("Request kind"), _("Public code"), _("NIK"), _("Applicant"), _("Completed at")])
    for request in batch.requests:
        tracked = request.file
        closed = tracked.closed_at
        writer.row(
            [
                tracked.file_kind.name,
                codes.display(tracked.public_code),
                request.nik,
                tracked.applicant_name,
                closed.astimezone(WITA).strftime("%Y-%m-%d %H:%M") if closed else "",
            ]
        )
    writer.close()
    return out.getvalue()


def batch_filename(batch: HandoverBatch) -> str:
    return "serah-terima-" + batch.number.replace("/", "-").lower() + ".csv"
