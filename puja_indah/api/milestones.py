"""`/api/v1/innovations/<id>/milestones`: an innovation's dated progress records (the web's
timeline and milestone forms, `progress/`). Everyone who may read the innovation reads its
milestones; its own agency's officers and leads add, change and delete them through
`progress.services`, like the web forms. A milestone carries a version: changing or deleting
one needs `If-Match` with its ETag."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
from puja_indah.innovations.models import Innovation
from puja_indah.progress import queries, services
from puja_indah.progress.forms import MAX_DESCRIPTION
from puja_indah.progress.models import Milestone

bp = Blueprint(
    "api_milestones",
    __name__,
    url_prefix=f"{API_PREFIX}/innovations",
    description="Milestones: an innovation's dated progress (0–100 %).",
)
ETAG_HEADER = etag_header("milestone")
CREATED_HEADERS = created_headers("milestone")
MAX_EVIDENCE_IDS = 100  # the service allows 20 attachments; this only bounds the request


class MilestoneDocumentSchema(Schema):
    id = fields.Integer(required=True, attribute="evidence.id")
    title = fields.String(required=True, attribute="evidence.title")
    document_number = fields.String(required=True, attribute="evidence.document_number")
    link_url = fields.String(required=True, attribute="evidence.link_url")
    deleted = fields.Method("_deleted", required=True)

    def _deleted(self, attachment: Any) -> bool:
        return attachment.evidence.deleted_at is not None


class MilestoneSchema(Schema):
    id = fields.Integer(required=True)
    innovation_id = fields.Integer(required=True)
    agency_id = fields.Integer(required=True)
    happened_on = fields.Date(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    progress = fields.Integer(required=True, metadata={"description": "0–100 %"})
    public = fields.Boolean(
        required=True, metadata={"description": "shown in the catalogue once published"}
    )
    documents = fields.List(
        fields.Nested(MilestoneDocumentSchema), required=True, attribute="attachments"
    )
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "the ETag's value"})


class MilestoneListArgs(ListArgs):
    sort = sort_field(["happened_on", "progress", "updated_at"], "-happened_on")


class _MilestoneFieldsSchema(Schema):
    happened_on = fields.Date(metadata={"description": "not in the future; from 2000 on"})
    title = Line(200)
    description = Text(MAX_DESCRIPTION)
    progress = fields.Integer(validate=validate.Range(0, 100))
    public = fields.Boolean()
    evidence_ids = fields.List(
        fields.Integer(validate=validate.Range(1, MAX_ID)),
        validate=validate.Length(max=MAX_EVIDENCE_IDS),
        metadata={"description": "documents of this innovation to attach (at most 20)"},
    )
    new_link_title = Line(
        200, metadata={"description": "a link-only document to create and attach, with its URL"}
    )
    new_link_url = WebAddress(500)


class NewMilestoneSchema(_MilestoneFieldsSchema):
    happened_on = fields.Date(metadata={"description": "today (WITA) when left out"})
    title = Line(200, required=True)
    progress = fields.Integer(required=True, validate=validate.Range(0, 100))


class MilestoneChangeSchema(_MilestoneFieldsSchema):
    """Only the fields sent change; the others keep their stored values."""


def _innovation_or_404(innovation_id: int) -> Innovation:
    innovation = queries.innovation(innovation_id) if 0 < innovation_id <= MAX_ID else None
    if innovation is None:
        raise Problem(404, "not_found", _("No such innovation in your scope."))
    return innovation


def _milestone_or_404(innovation: Innovation, milestone_id: int) -> Milestone:
    milestone = (
        queries.milestone_of(innovation, milestone_id) if 0 < milestone_id <= MAX_ID else None
    )
    if milestone is None:
        raise Problem(404, "not_found", _("No such milestone of this innovation."))
    return milestone


def _stored_values(milestone: Milestone) -> dict[str, Any]:
    """What the web edit form shows: the stored fields and the attached documents it still
    offers (a deleted document is not among its choices, so a save drops it)."""
    return {
        "happened_on": milestone.happened_on,
        "title": milestone.title,
        "description": milestone.description or "",
        "progress": milestone.progress,
        "public": milestone.public,
        "evidence_ids": [
            a.evidence_id for a in milestone.attachments if a.evidence.deleted_at is None
        ],
    }


def _input(values: Mapping[str, Any]) -> services.MilestoneInput:
    return services.MilestoneInput(
        happened_on=values.get("happened_on") or services.today_wita(),
        title=values.get("title") or "",
        description=values.get("description") or "",
        progress=int(values.get("progress") or 0),
        public=bool(values.get("public")),
        evidence_ids=list(dict.fromkeys(values.get("evidence_ids") or [])),
        new_link_title=values.get("new_link_title") or "",
        new_link_url=values.get("new_link_url") or "",
    )


def _commit(change: Callable[[], Any], current_version: Callable[[], int] | None = None) -> Any:
    return commit(
        change,
        Refusals(services.MilestoneConflict, services.NotAllowed, services.ServiceError),
        current_version,
    )


def _version_now(innovation_id: int, milestone_id: int) -> Callable[[], int]:
    def read() -> int:
        innovation = _innovation_or_404(innovation_id)
        return _milestone_or_404(innovation, milestone_id).version

    return read


def _answer(innovation_id: int, milestone_id: int, status: int = 200, **extra: str) -> Any:
    milestone = _milestone_or_404(_innovation_or_404(innovation_id), milestone_id)
    return milestone, status, {"ETag": etag_of(milestone.version), **extra}


@bp.route("/<int:innovation_id>/milestones")
@api_requires(can_use_app)
@bp.arguments(MilestoneListArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(MilestoneSchema))
def list_milestones(innovation_id: int, **args: Any) -> Any:
    """The innovation's milestones, newest first unless sorted otherwise."""
    innovation = _innovation_or_404(innovation_id)
    body = paginate(
        queries.milestones_of(innovation),
        args,
        {
            "happened_on": Milestone.happened_on,
            "progress": Milestone.progress,
            "updated_at": Milestone.updated_at,
        },
        Milestone.id,
    )
    return body, 200, link_header(body)


@bp.route("/<int:innovation_id>/milestones/<int:milestone_id>")
@api_requires(can_use_app)
@bp.response(200, MilestoneSchema, headers=ETAG_HEADER)
def get_milestone(innovation_id: int, milestone_id: int) -> Any:
    """One milestone; its ETag guards later changes."""
    return _answer(innovation_id, milestone_id)


@bp.route("/<int:innovation_id>/milestones", methods=["POST"])
@api_requires(can_edit_own_agency_content)
@bp.arguments(NewMilestoneSchema)
@bp.response(201, MilestoneSchema, headers=CREATED_HEADERS)
def create_milestone(body: dict[str, Any], innovation_id: int) -> Any:
    """Add a milestone to one of the agency's innovations."""
    innovation = _innovation_or_404(innovation_id)
    saved = _commit(
        lambda: services.save_milestone(
            current_scope(), innovation, None, _input(body), user_id=current_user.id
        )
    )
    location = url_for(".get_milestone", innovation_id=innovation_id, milestone_id=saved.id)
    return _answer(innovation_id, saved.id, 201, Location=location)


@bp.route("/<int:innovation_id>/milestones/<int:milestone_id>", methods=["PATCH"])
@api_requires(can_edit_own_agency_content)
@bp.arguments(MilestoneChangeSchema)
@bp.response(200, MilestoneSchema, headers=ETAG_HEADER)
def update_milestone(body: dict[str, Any], innovation_id: int, milestone_id: int) -> Any:
    """Change the fields sent; needs If-Match."""
    innovation = _innovation_or_404(innovation_id)
    milestone = _milestone_or_404(innovation, milestone_id)
    require_if_match(milestone.version)
    data = _input({**_stored_values(milestone), **body})
    _commit(
        lambda: services.save_milestone(
            current_scope(),
            innovation,
            milestone,
            data,
            opened_version=milestone.version,
            user_id=current_user.id,
        ),
        _version_now(innovation_id, milestone_id),
    )
    return _answer(innovation_id, milestone_id)


@bp.route("/<int:innovation_id>/milestones/<int:milestone_id>", methods=["DELETE"])
@api_requires(can_edit_own_agency_content)
@bp.response(204)
def delete_milestone(innovation_id: int, milestone_id: int) -> Any:
    """Delete a milestone (recorded by the audit trail); needs If-Match."""
    innovation = _innovation_or_404(innovation_id)
    milestone = _milestone_or_404(innovation, milestone_id)
    require_if_match(milestone.version)
    _commit(
        lambda: services.delete_milestone(current_scope(), innovation, milestone),
        _version_now(innovation_id, milestone_id),
    )
    return "", 204
