"""`/api/v1/innovations`: the innovation profiles (IID form fields) the caller's scope may read,
with their stage history. The tenancy layer narrows every query to the scope, exactly as for
the web list; filters and search are the web list's own (`innovations.queries`)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from puja_indah.api.access import api_requires
from puja_indah.api.etags import etag_of
from puja_indah.api.paging import ListArgs, link_header, page_of, paginate, sort_field
from puja_indah.api.problems import Problem
from puja_indah.api.spec import API_PREFIX
from puja_indah.core.permissions import can_use_app
from puja_indah.innovations import queries
from puja_indah.innovations.models import (
    Innovation,
    InnovationForm,
    InnovationKind,
    Origin,
    ProfileStatus,
    Stage,
)
from puja_indah.innovations.services import TEXT_FIELDS

bp = Blueprint(
    "api_innovations",
    __name__,
    url_prefix=f"{API_PREFIX}/innovations",
    description="Innovation profiles (Indeks Inovasi Daerah form) and their stages.",
)
MAX_ID = 2**31 - 1


def _enum_field(enum_type: Any, **kwargs: Any) -> fields.Enum:
    return fields.Enum(enum_type, by_value=True, **kwargs)


class InnovationSummarySchema(Schema):
    id = fields.Integer(required=True)
    agency_id = fields.Integer(required=True)
    region_id = fields.Integer(required=True)
    name = fields.String(required=True)
    origin = _enum_field(Origin, required=True)
    stage = _enum_field(Stage, required=True)
    status = _enum_field(ProfileStatus, required=True)
    kind = _enum_field(InnovationKind, required=True, allow_none=True)
    form = _enum_field(InnovationForm, required=True, allow_none=True)
    theme_id = fields.Integer(required=True, allow_none=True)
    affair_id = fields.Integer(required=True, allow_none=True)
    published = fields.Boolean(required=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "the ETag's value"})


class StageChangeSchema(Schema):
    from_stage = _enum_field(Stage, required=True, allow_none=True)
    to_stage = _enum_field(Stage, required=True)
    changed_on = fields.Date(required=True)
    note = fields.String(required=True)


class _InnovationProfileSchema(InnovationSummarySchema):
    appointment_id = fields.Integer(required=True, allow_none=True)
    initiator_kind_id = fields.Integer(required=True, allow_none=True)
    initiator_name = fields.String(required=True)
    other_affair_ids = fields.Method("_other_affairs", required=True)
    trial_date = fields.Date(required=True, allow_none=True)
    implementation_date = fields.Date(required=True, allow_none=True)
    developed_further = fields.Boolean(required=True, allow_none=True)
    developed_note = fields.String(required=True)
    video_url = fields.String(required=True)
    published_at = fields.DateTime(required=True, allow_none=True)
    completed_at = fields.DateTime(required=True, allow_none=True)
    stage_changes = fields.List(fields.Nested(StageChangeSchema), required=True)

    def _other_affairs(self, innovation: Innovation) -> list[int]:
        return sorted(link.affair_id for link in innovation.other_affairs)


# With the IID form's text sections (design, goals, results …), each a string.
InnovationSchema = type(
    "InnovationSchema",
    (_InnovationProfileSchema,),
    {name: fields.String(required=True) for name in TEXT_FIELDS},
)


class InnovationListArgs(ListArgs):
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "search"})
    agency_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    stage = fields.String(validate=validate.OneOf([s.value for s in Stage]))
    status = fields.String(validate=validate.OneOf([s.value for s in ProfileStatus]))
    kind = fields.String(validate=validate.OneOf([k.value for k in InnovationKind]))
    form = fields.String(validate=validate.OneOf([f.value for f in InnovationForm]))
    affair_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    theme_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    year = fields.Integer(validate=validate.Range(2000, 2100))
    sort = sort_field(["name", "updated_at", "stage"], "name")


@bp.route("")
@api_requires(can_use_app)
@bp.arguments(InnovationListArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(InnovationSummarySchema))
def list_innovations(**args: Any) -> Any:
    """List innovations in the caller's scope, filtered, searched and sorted."""
    filters = queries.Filters(
        q=args.get("q"),
        agency=args.get("agency_id"),
        stage=args.get("stage"),
        form=args.get("form"),
        kind=args.get("kind"),
        affair=args.get("affair_id"),
        theme=args.get("theme_id"),
        year=args.get("year"),
        status=args.get("status"),
    )
    body = paginate(
        queries.filtered_innovations(filters),
        args,
        {
            "name": Innovation.name_key,
            "updated_at": Innovation.updated_at,
            "stage": queries.STAGE_ORDER,
        },
        Innovation.id,
    )
    return body, 200, link_header(body)


def innovation_or_404(innovation_id: int) -> Innovation:
    """One innovation the scope may read, or a 404 problem (another agency's looks unknown)."""
    innovation = queries.get_innovation(innovation_id) if 0 < innovation_id <= MAX_ID else None
    if innovation is None:
        raise Problem(404, "not_found", _("No such innovation in your scope."))
    return innovation


@bp.route("/<int:innovation_id>")
@api_requires(can_use_app)
@bp.response(200, InnovationSchema, headers={"ETag": {"schema": {"type": "string"}}})
def get_innovation(innovation_id: int) -> Any:
    """One innovation's profile and stage history; its ETag guards later writes."""
    innovation = innovation_or_404(innovation_id)
    return innovation, 200, {"ETag": etag_of(innovation.version)}
