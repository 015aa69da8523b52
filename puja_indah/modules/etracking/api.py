"""`/api/v1/etracking`: the desk's files for a phone at the counter — list and read them, take a
desk step, register a new one. The module's own API (`EtrackingModule.api_blueprints`): the
registry guards it like the desk's pages, so an agency that has e-tracking off gets a 404
problem on every route here.

Same policy (`can_work_desk`), reads (`desk_queries`) and writes (`engine`) as the desk's pages.

The file's version is the engine's step counter `TrackedFile.last_sequence` (TrackedFile has no
version column). The web's step form carries the sequence it was rendered with and the engine
refuses a step from any other (a compare-and-swap on the UPDATE, and `(file_id, sequence)` is
unique on the events). Here the sequence is the ETag: a step needs `If-Match` with it, so the
same request sent twice moves the file once — the second is 412 `stale_version`, nothing
changed — and of two clerks acting at the same moment one wins and the other gets that 412.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from puja_indah.api.access import api_requires
from puja_indah.api.etags import etag_of, require_if_match
from puja_indah.api.inputs import Line, Rupiah
from puja_indah.api.paging import ListArgs, link_header, page_of, paginate, sort_field
from puja_indah.api.problems import Problem
from puja_indah.api.spec import API_PREFIX
from puja_indah.api.writes import etag_header
from puja_indah.core.clock import WITA
from puja_indah.core.db import utcnow
from puja_indah.core.permissions import MAX_ID, can_view_desk, can_work_desk
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.modules.etracking import codes, desk_queries, engine
from puja_indah.modules.etracking.desk_files import DESK_ACTIONS
from puja_indah.modules.etracking.desk_models import IntakeToken
from puja_indah.modules.etracking.forms import ONE_TIME_FORM_ID
from puja_indah.modules.etracking.models import (
    FileAction,
    FileEvent,
    FileStatus,
    Process,
    StageDefinition,
    TrackedFile,
)
from puja_indah.modules.etracking.worktime import WorkCalendar

bp = Blueprint(
    "api_etracking",
    __name__,
    url_prefix=f"{API_PREFIX}/etracking",
    description=(
        "e-Tracking desk (module): the agency desk's files, their stages and SLA, desk steps and"
        " intake. 404 for an agency that has the module switched off."
    ),
)
bp.tag = "E-tracking"

URGENCIES = ("late", "soon", "ok", "none", "paused", "closed")
LOCATION_HEADER = {"Location": {"schema": {"type": "string"}, "description": "the new file"}}
ETAG_HEADER = etag_header("file")
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "the ETag of the file as last read (its step counter)",
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "pattern": ONE_TIME_FORM_ID},
    "description": (
        "a fresh random key per new file (20–64 of A–Z a–z 0–9 _ -): sending the same request"
        " again answers the file registered the first time (200) instead of a second file"
    ),
}


# --- schemas -------------------------------------------------------------------------------------


class DeskStageSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    position = fields.Integer(required=True)
    sla_minutes = fields.Integer(
        required=True, allow_none=True, metadata={"description": "working minutes; none: no SLA"}
    )
    terminal = fields.Boolean(required=True)


class DeskFileKindSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class DeskSlaSchema(Schema):
    urgency = fields.String(
        required=True,
        validate=validate.OneOf(URGENCIES),
        metadata={
            "enum": list(URGENCIES),
            "description": (
                "late (over the stage's SLA), soon (under a quarter of it left), ok, none (the"
                " stage has no SLA), paused (returned to the submitter: the clock stops),"
                " closed"
            ),
        },
    )
    minutes_in_stage = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "working minutes in the current stage; none once closed"},
    )
    sla_minutes = fields.Integer(required=True, allow_none=True)
    late = fields.Boolean(required=True)
    due_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "when the stage's SLA runs out (working time), if it has not"},
    )


class TrackedFileSummarySchema(Schema):
    id = fields.Integer(required=True)
    public_code = fields.String(required=True, metadata={"example": "7K3M9QXA2B5D8"})
    public_code_display = fields.String(required=True, metadata={"example": "7K3M-9QXA-2B5D-8"})
    status_url = fields.String(
        required=True, metadata={"description": "the public status page of the code"}
    )
    internal_number = fields.String(required=True)
    process_id = fields.Integer(required=True)
    process_code = fields.String(required=True)
    process_name = fields.String(required=True)
    file_kind = fields.Nested(DeskFileKindSchema, required=True)
    stage = fields.Nested(DeskStageSchema, required=True)
    status = fields.Enum(FileStatus, by_value=True, required=True)
    amount = Rupiah(
        required=True,
        allow_none=True,
        metadata={"description": "rupiah; desk staff only, never public"},
    )
    submitter_agency_id = fields.Integer(required=True, allow_none=True)
    submitter_agency_name = fields.String(required=True, allow_none=True)
    applicant_name = fields.String(required=True)
    received_at = fields.DateTime(required=True)
    stage_entered_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(required=True, allow_none=True)
    sla = fields.Nested(DeskSlaSchema, required=True)
    version = fields.Integer(
        required=True, metadata={"description": "the ETag's value: steps taken so far"}
    )


class DeskStageRefSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    sla_minutes = fields.Integer(required=True, allow_none=True)


class FileEventSchema(Schema):
    sequence = fields.Integer(required=True)
    action = fields.Enum(FileAction, by_value=True, required=True)
    at = fields.DateTime(required=True)
    from_stage = fields.Nested(DeskStageRefSchema, required=True, allow_none=True)
    to_stage = fields.Nested(DeskStageRefSchema, required=True, allow_none=True)
    user_id = fields.Integer(required=True, allow_none=True)
    by = fields.String(
        required=True, allow_none=True, metadata={"description": "who: name, else e-mail"}
    )
    reason = fields.String(required=True)
    working_minutes = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "working minutes spent in from_stage, stored when it left it"},
    )
    breached = fields.Boolean(
        required=True, allow_none=True, metadata={"description": "over from_stage's SLA"}
    )


class TrackedFileSchema(TrackedFileSummarySchema):
    checklist_ticked = fields.List(fields.String(), required=True)
    events = fields.List(fields.Nested(FileEventSchema), required=True)
    actions = fields.List(
        fields.Enum(FileAction, by_value=True),
        required=True,
        metadata={"description": "the steps the caller can take now (POST …/actions)"},
    )
    may_act = fields.Boolean(
        required=True, metadata={"description": "the caller's role may act at this stage"}
    )


class TrackedFileListArgs(ListArgs):
    process_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    stage = fields.String(validate=validate.Length(1, 40), metadata={"description": "stage code"})
    state = fields.String(
        validate=validate.OneOf(desk_queries.FILE_STATES),
        metadata={"description": "open: at the desk (in process or returned); closed: done"},
    )
    status = fields.Enum(FileStatus, by_value=True)
    overdue = fields.Boolean(metadata={"description": "over the current stage's SLA now"})
    q = Line(
        100,
        metadata={"description": "a tracking code (dashes and case do not matter) or number part"},
    )
    sort = sort_field(["received_at", "stage_entered_at", "internal_number"], "-received_at")


class FileActionSchema(Schema):
    action = fields.String(
        required=True,
        validate=validate.OneOf([a.value for a in DESK_ACTIONS]),
        metadata={"enum": [a.value for a in DESK_ACTIONS]},
    )
    note = fields.String(
        load_default="",
        validate=validate.Length(max=engine.MAX_REASON),
        metadata={
            "description": "the reason; required to return or reject (the submitter sees it)"
        },
    )


class FileIntakeSchema(Schema):
    process_id = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))
    file_kind_id = fields.Integer(
        load_default=None,
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "may be left out when the process has one file type"},
    )
    internal_number = fields.String(
        required=True, validate=validate.Length(1, engine.MAX_INTERNAL_NUMBER)
    )
    amount = Rupiah(
        load_default=None,
        allow_none=True,
        metadata={"description": "required for agency-submitted files"},
    )
    submitter_agency_id = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(1, MAX_ID)
    )
    applicant_name = fields.String(load_default="", validate=validate.Length(max=200))
    ticked = fields.List(
        fields.String(validate=validate.Length(max=300)),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": "the file type's checklist items received (all are required)"},
    )


# --- reading -------------------------------------------------------------------------------------


def _calendar(agency_id: int, now: datetime, cache: dict[int, WorkCalendar]) -> WorkCalendar:
    if agency_id not in cache:
        cache[agency_id] = engine.calendar_for(agency_id, now.astimezone(WITA).date())
    return cache[agency_id]


def _stage_ref(stage: StageDefinition | None) -> dict[str, Any] | None:
    if stage is None:
        return None
    return {
        "id": stage.id,
        "code": stage.code,
        "name": stage.name,
        "sla_minutes": stage.sla_minutes,
    }


def _summary(tracked: TrackedFile, state: desk_queries.FileState) -> dict[str, Any]:
    process = tracked.version.process
    return {
        "id": tracked.id,
        "public_code": tracked.public_code,
        "public_code_display": codes.display(tracked.public_code),
        "status_url": url_for("tracking.status", tracking_code=tracked.public_code, _external=True),
        "internal_number": tracked.internal_number,
        "process_id": process.id,
        "process_code": process.code,
        "process_name": process.name,
        "file_kind": tracked.file_kind,
        "stage": tracked.stage,
        "status": tracked.status,
        "amount": tracked.amount,
        "submitter_agency_id": tracked.submitter_agency_id,
        "submitter_agency_name": tracked.submitter_agency.name
        if tracked.submitter_agency
        else None,
        "applicant_name": tracked.applicant_name,
        "received_at": tracked.received_at,
        "stage_entered_at": tracked.stage_entered_at,
        "closed_at": tracked.closed_at,
        "sla": {
            "urgency": state.urgency,
            "minutes_in_stage": state.minutes,
            "sla_minutes": state.sla,
            "late": state.late,
            "due_at": state.due,
        },
        "version": tracked.last_sequence,
    }


def _event(event: FileEvent) -> dict[str, Any]:
    user = event.user
    return {
        "sequence": event.sequence,
        "action": event.action,
        "at": event.at,
        "from_stage": _stage_ref(event.from_stage),
        "to_stage": _stage_ref(event.to_stage),
        "user_id": event.user_id,
        "by": (user.name or user.email) if user is not None else None,
        "reason": event.reason,
        "working_minutes": event.working_minutes,
        "breached": event.breached,
    }


def _file_or_404(tracked_id: int) -> TrackedFile:
    """The desk's file with its history, or a 404 problem (another agency's file looks unknown)."""
    tracked = desk_queries.file_with_history(tracked_id) if 0 < tracked_id <= MAX_ID else None
    if tracked is None:
        raise Problem(404, "not_found", _("No such file at your desk."))
    return tracked


def _detail(tracked: TrackedFile) -> dict[str, Any]:
    state = desk_queries.file_state(tracked, desk_queries.acting_role(current_scope()), utcnow())
    return _summary(tracked, state) | {
        "checklist_ticked": list(tracked.checklist_ticked),
        "events": [_event(e) for e in tracked.events],
        "actions": state.available,
        "may_act": state.may_act,
    }


@bp.route("/files")
@api_requires(can_view_desk)
@bp.arguments(TrackedFileListArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(TrackedFileSummarySchema))
def list_files(**args: Any) -> Any:
    """The desk's files, filtered as the desk and its queue offer, sorted and paged."""
    now = utcnow()
    filters = desk_queries.FileFilters(
        process_id=args.get("process_id"),
        stage=args.get("stage"),
        state=args.get("state"),
        status=args.get("status"),
        overdue=args.get("overdue"),
        q=args.get("q"),
    )
    body = paginate(
        desk_queries.desk_files(filters, now),
        args,
        {
            "received_at": TrackedFile.received_at,
            "stage_entered_at": TrackedFile.stage_entered_at,
            "internal_number": TrackedFile.internal_number,
        },
        TrackedFile.id,
    )
    role = desk_queries.acting_role(current_scope())
    calendars: dict[int, WorkCalendar] = {}
    body["items"] = [
        _summary(
            tracked,
            desk_queries.file_state(
                tracked, role, now, _calendar(tracked.agency_id, now, calendars)
            ),
        )
        for tracked in body["items"]
    ]
    return body, 200, link_header(body)


@bp.route("/files/<int:tracked_id>")
@api_requires(can_view_desk)
@bp.response(200, TrackedFileSchema, headers=ETAG_HEADER)
def get_file(tracked_id: int) -> Any:
    """One file: its stage, SLA state, history (who, when, working minutes per stage), the
    steps the caller can take now; the ETag guards the next step."""
    tracked = _file_or_404(tracked_id)
    return _detail(tracked), 200, {"ETag": etag_of(tracked.last_sequence)}


# --- writing -------------------------------------------------------------------------------------


def _refused(refused: engine.EngineRefused, names: Mapping[str, str] | None = None) -> Problem:
    """The engine's refusal as a problem: an input at fault is 422 naming it, a step this role or
    scope may not take 403, a step not possible from where the file is 409."""
    if refused.field:
        field = (names or {}).get(refused.field, refused.field)
        return Problem(
            422,
            "validation",
            refused.message,
            errors=[{"field": field, "location": "json", "message": refused.message}],
        )
    if refused.kind == "forbidden":
        return Problem(403, "forbidden", refused.message)
    return Problem(409, "action_not_possible", refused.message)


@bp.route("/files/<int:tracked_id>/actions", methods=["POST"])
@api_requires(can_work_desk)
@bp.arguments(FileActionSchema)
@bp.response(200, TrackedFileSchema, headers=ETAG_HEADER)
@bp.alt_response(403, response="FORBIDDEN", description="this role may not act at the stage")
@bp.alt_response(404, response="NOT_FOUND", description="no such file at the desk, or module off")
@bp.alt_response(409, response="CONFLICT", description="action_not_possible from where it is")
@bp.alt_response(412, response="PRECONDITION_FAILED", description="stale_version: reload")
@bp.alt_response(428, response="PRECONDITION_REQUIRED", description="If-Match missing")
@bp.doc(parameters=[IF_MATCH])
def act_on_file(body: dict[str, Any], tracked_id: int) -> Any:
    """Take a desk step on the file (advance, return, resume, reject — those in its `actions`),
    with `If-Match` set to the file's ETag. Answers the file as it is now, with its new ETag."""
    tracked = _file_or_404(tracked_id)
    require_if_match(tracked.last_sequence)
    seen = tracked.last_sequence
    try:
        engine.act(
            current_scope(),
            tracked,
            FileAction(body["action"]),
            seen,
            getattr(current_user, "id", None),
            reason=body["note"],
        )
    except engine.EngineRefused as refused:
        db.session.rollback()
        if refused.kind == "stale":
            # Another step got in between the If-Match check and ours: the file is as it left it.
            current = db.session.scalar(
                select(TrackedFile.last_sequence).where(TrackedFile.id == tracked_id)
            )
            version = int(current if current is not None else seen)
            raise Problem(
                412,
                "stale_version",
                refused.message,
                headers={"ETag": etag_of(version)},
                extra={"current_version": version},
            ) from None
        raise _refused(refused, {"reason": "note"}) from None
    db.session.commit()
    db.session.expire_all()
    tracked = _file_or_404(tracked_id)
    return _detail(tracked), 200, {"ETag": etag_of(tracked.last_sequence)}


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not re.fullmatch(ONE_TIME_FORM_ID, key):
        message = _("Use 20 to 64 letters, digits, - or _ (a fresh random key per new file).")
        raise Problem(
            422,
            "validation",
            message,
            errors=[{"field": "Idempotency-Key", "location": "headers", "message": message}],
        )
    return key


def _registered_with(agency_id: int, key: str) -> int | None:
    return db.session.scalar(
        select(IntakeToken.file_id).where(
            IntakeToken.agency_id == agency_id, IntakeToken.token == key
        )
    )


def _answer_file(tracked_id: int, status: int) -> Any:
    tracked = _file_or_404(tracked_id)
    headers = {
        "ETag": etag_of(tracked.last_sequence),
        "Location": url_for(".get_file", tracked_id=tracked_id),
    }
    return _detail(tracked), status, headers


def _invalid(field: str, message: str) -> Problem:
    return Problem(
        422,
        "validation",
        message,
        errors=[{"field": field, "location": "json", "message": message}],
    )


@bp.route("/files", methods=["POST"])
@api_requires(can_work_desk)
@bp.arguments(FileIntakeSchema)
@bp.response(201, TrackedFileSchema, headers=ETAG_HEADER | LOCATION_HEADER)
@bp.alt_response(
    200,
    schema=TrackedFileSchema,
    description="the file an earlier request with the same Idempotency-Key registered",
)
@bp.doc(parameters=[IDEMPOTENCY_KEY])
def register_file(body: dict[str, Any]) -> Any:
    """Register a file received at the desk (intake): its first stage, a fresh tracking code
    and the receipt step. Answers 201 with the file and its address."""
    key = _idempotency_key()
    process = db.session.get(Process, body["process_id"])  # another agency's: not found
    if process is None or not process.versions:
        raise _invalid("process_id", _("Choose a process of this desk."))
    if key is not None:
        earlier = _registered_with(process.agency_id, key)
        if earlier is not None:
            return _answer_file(earlier, 200)
    kinds = engine.current_version(process).file_kinds
    kind_id = body["file_kind_id"]
    if kind_id is None and len(kinds) == 1:
        kind_id = kinds[0].id  # as the desk's intake: a process with one type skips the choice
    if kind_id is None:
        raise _invalid("file_kind_id", _("Choose a file type of this process."))
    if process.submitted_by_agencies and body["amount"] is None:
        raise _invalid("amount", _("Enter the amount."))  # the intake form's rule
    data = engine.Intake(
        file_kind_id=kind_id,
        internal_number=body["internal_number"],
        amount=body["amount"],
        submitter_agency_id=body["submitter_agency_id"],
        applicant_name=body["applicant_name"],
        ticked=list(body["ticked"]),
    )
    try:
        tracked = engine.register_file(
            current_scope(), process, data, getattr(current_user, "id", None)
        )
        if key is not None:
            db.session.add(IntakeToken(agency_id=process.agency_id, token=key, file_id=tracked.id))
            db.session.flush()
    except engine.EngineRefused as refused:
        db.session.rollback()
        raise _refused(refused) from None
    except IntegrityError:
        # The same key committed by a request running alongside: keep that file only.
        db.session.rollback()
        earlier = _registered_with(process.agency_id, key) if key is not None else None
        if earlier is None:
            raise
        return _answer_file(earlier, 200)
    tracked_id = tracked.id
    db.session.commit()
    return _answer_file(tracked_id, 201)
