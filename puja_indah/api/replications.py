"""`/api/v1/replications`: the replication log (duty 2 of SK 193/2018) — an agency's records of
replicating an innovation that works elsewhere. Reads are the web list's and detail page's
(`replications.queries`; the tenancy layer shows an officer its agency's, a monitor its region's,
national roles all); writes are the web forms' (`replications.services`):

- `POST /replications` logs one: the source is a published innovation of another agency
  (`source_innovation_id`) or one outside the platform (`source_name`, `source_region_name`…);
  the replica is one of the agency's innovations (`replica_id`) or a new draft (`replica_name`);
- `PATCH /replications/<id>` changes the mode, the lessons and an outside source's description;
- `POST /replications/<id>/status` records a dated status change.
A replication carries a version: a change needs `If-Match` with its ETag and answers the new one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from puja_indah.api.access import api_requires
from puja_indah.api.etags import etag_of, require_if_match
from puja_indah.api.inputs import Line, Text, WebAddress
from puja_indah.api.paging import ListArgs, link_header, page_of, paginate, sort_field
from puja_indah.api.problems import Problem
from puja_indah.api.spec import API_PREFIX
from puja_indah.api.writes import Refusals, commit, created_headers, etag_header
from puja_indah.core.permissions import MAX_ID, can_edit_own_agency_content, can_use_app
from puja_indah.core.tenancy import current_scope
from puja_indah.replications import queries, services
from puja_indah.replications.forms import MAX_TEXT
from puja_indah.replications.models import (
    Replication,
    ReplicationMode,
    ReplicationStatus,
    allowed_next,
)

bp = Blueprint(
    "api_replications",
    __name__,
    url_prefix=f"{API_PREFIX}/replications",
    description="Replication log: innovations the agency replicates from elsewhere.",
)
ETAG_HEADER = etag_header("replication")
CREATED_HEADERS = created_headers("replication")
OUTSIDE_SOURCE = ("source_name", "source_region_name", "source_agency_name", "source_url")


def _enum_field(enum_type: Any, **kwargs: Any) -> fields.Enum:
    return fields.Enum(enum_type, by_value=True, **kwargs)


class ReplicationSummarySchema(Schema):
    id = fields.Integer(required=True)
    agency_id = fields.Integer(required=True)
    replica_id = fields.Integer(required=True, metadata={"description": "our innovation"})
    replica_name = fields.String(required=True, attribute="replica.name")
    source_innovation_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "the source on the platform; null for one outside it"},
    )
    source_name = fields.String(required=True)
    source_region_name = fields.String(required=True)
    source_agency_name = fields.String(required=True)
    source_url = fields.String(required=True)
    mode = _enum_field(ReplicationMode, required=True)
    status = _enum_field(ReplicationStatus, required=True)
    status_on = fields.Date(required=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "the ETag's value"})


class ReplicationStatusChangeSchema(Schema):
    from_status = _enum_field(ReplicationStatus, required=True, allow_none=True)
    to_status = _enum_field(ReplicationStatus, required=True)
    changed_on = fields.Date(required=True)
    note = fields.String(required=True)


class ReplicationDocumentSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "the link's id"})
    evidence_id = fields.Integer(required=True)
    title = fields.String(required=True, attribute="evidence.title")
    document_number = fields.String(required=True, attribute="evidence.document_number")
    link_url = fields.String(required=True, attribute="evidence.link_url")


class ReplicationSchema(ReplicationSummarySchema):
    lessons = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    next_statuses = fields.Method(
        "_next_statuses",
        required=True,
        metadata={
            "description": "the statuses it may move to",
            "type": "array",
            "items": {"type": "string", "enum": [s.value for s in ReplicationStatus]},
        },
    )
    changes = fields.List(fields.Nested(ReplicationStatusChangeSchema), required=True)
    documents = fields.List(fields.Nested(ReplicationDocumentSchema), required=True)

    def _next_statuses(self, replication: Replication) -> list[str]:
        return [status.value for status in allowed_next(replication.status)]


class ReplicationListArgs(ListArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in ReplicationStatus]))
    sort = sort_field(["status_on", "updated_at"], "-status_on")


class NewReplicationSchema(Schema):
    mode = _enum_field(ReplicationMode, required=True)
    started_on = fields.Date(
        metadata={"description": "the date of interest (WITA); today when left out"}
    )
    source_innovation_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "a published innovation of another agency"},
    )
    source_name = Line(200, metadata={"description": "a source outside the platform"})
    source_region_name = Line(120)
    source_agency_name = Line(200)
    source_url = WebAddress(500, require_tld=False)
    replica_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "one of our innovations; left out: a new draft"},
    )
    replica_name = Line(
        200, metadata={"description": "the new draft's name; the source's when left out"}
    )
    lessons = Text(MAX_TEXT)


class ReplicationChangeSchema(Schema):
    """Only the fields sent change. An outside source's description may change; a source on
    the platform is copied from it."""

    mode = _enum_field(ReplicationMode)
    lessons = Text(MAX_TEXT)
    source_name = Line(200)
    source_region_name = Line(120)
    source_agency_name = Line(200)
    source_url = WebAddress(500, require_tld=False)


class ReplicationStatusMoveSchema(Schema):
    to_status = _enum_field(ReplicationStatus, required=True)
    changed_on = fields.Date(metadata={"description": "today (WITA) when left out"})
    note = Text(2000, metadata={"description": "required when the replication is stopped"})


def replication_or_404(replication_id: int) -> Replication:
    """One replication the scope may read, or a 404 problem (another agency's looks unknown)."""
    found = queries.get_replication(replication_id) if 0 < replication_id <= MAX_ID else None
    if found is None:
        raise Problem(404, "not_found", _("No such replication in your scope."))
    return found


def _commit(change: Callable[[], Any], replication_id: int | None = None) -> Any:
    return commit(
        change,
        Refusals(services.StaleForm, services.NotAllowed, services.ServiceError),
        lambda: replication_or_404(replication_id).version if replication_id else 0,
    )


def _answer(replication_id: int, status: int = 200, **extra: str) -> Any:
    replication = replication_or_404(replication_id)
    return replication, status, {"ETag": etag_of(replication.version), **extra}


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


@bp.route("")
@api_requires(can_use_app)
@bp.arguments(ReplicationListArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(ReplicationSummarySchema))
def list_replications(**args: Any) -> Any:
    """Replications in the caller's scope, newest status first unless sorted otherwise."""
    body = paginate(
        queries.filtered_replications(args.get("status")),
        args,
        {"status_on": Replication.status_on, "updated_at": Replication.updated_at},
        Replication.id,
    )
    return body, 200, link_header(body)


@bp.route("/<int:replication_id>")
@api_requires(can_use_app)
@bp.response(200, ReplicationSchema, headers=ETAG_HEADER)
def get_replication(replication_id: int) -> Any:
    """One replication with its status history and agreement documents."""
    return _answer(replication_id)


@bp.route("", methods=["POST"])
@api_requires(can_edit_own_agency_content)
@bp.arguments(NewReplicationSchema)
@bp.response(201, ReplicationSchema, headers=CREATED_HEADERS)
def create_replication(body: dict[str, Any]) -> Any:
    """Log a replication of the caller's agency (status: interest)."""
    data = services.NewReplication(
        mode=body["mode"].value,
        started_on=body.get("started_on") or services.today_wita(),
        source_innovation_id=body.get("source_innovation_id"),
        source_name=body.get("source_name") or "",
        source_region_name=body.get("source_region_name") or "",
        source_agency_name=body.get("source_agency_name") or "",
        source_url=body.get("source_url") or "",
        replica_id=body.get("replica_id"),
        replica_name=body.get("replica_name") or "",
        lessons=body.get("lessons") or "",
    )
    saved = _commit(lambda: services.create_replication(current_scope(), _user_id(), data))
    location = url_for(".get_replication", replication_id=saved.id)
    return _answer(saved.id, 201, Location=location)


@bp.route("/<int:replication_id>", methods=["PATCH"])
@api_requires(can_edit_own_agency_content)
@bp.arguments(ReplicationChangeSchema)
@bp.response(200, ReplicationSchema, headers=ETAG_HEADER)
def update_replication(body: dict[str, Any], replication_id: int) -> Any:
    """Change the mode, the lessons or an outside source's description; needs If-Match."""
    replication = replication_or_404(replication_id)
    require_if_match(replication.version)
    if replication.from_platform:
        sent = [name for name in OUTSIDE_SOURCE if name in body]
        if sent:
            message = _(
                "The source is an innovation on the platform: its name, region, agency and"
                " link are copied from it."
            )
            raise Problem(
                422,
                "validation",
                message,
                errors=[{"field": name, "location": "json", "message": message} for name in sent],
            )
    stored = services.snapshot(replication)
    values = {**stored, **{name: getattr(value, "value", value) for name, value in body.items()}}
    data = services.EditReplication(
        mode=values["mode"],
        lessons=values["lessons"],
        **{name: values[name] for name in OUTSIDE_SOURCE if not replication.from_platform},
    )
    _commit(
        lambda: services.update_replication(
            current_scope(),
            replication,
            opened_version=replication.version,
            opened=stored,
            data=data,
        ),
        replication_id,
    )
    return _answer(replication_id)


@bp.route("/<int:replication_id>/status", methods=["POST"])
@api_requires(can_edit_own_agency_content)
@bp.arguments(ReplicationStatusMoveSchema)
@bp.response(200, ReplicationSchema, headers=ETAG_HEADER)
def change_status(body: dict[str, Any], replication_id: int) -> Any:
    """Record a dated status change (stopping needs a note); needs If-Match."""
    replication = replication_or_404(replication_id)
    require_if_match(replication.version)
    _commit(
        lambda: services.change_status(
            current_scope(),
            replication,
            _user_id(),
            opened_version=replication.version,
            to_status=body["to_status"].value,
            changed_on=body.get("changed_on") or services.today_wita(),
            note=body.get("note") or "",
        ),
        replication_id,
    )
    return _answer(replication_id)
