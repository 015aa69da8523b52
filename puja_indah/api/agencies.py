"""`/api/v1/agencies`: the OPDs (tenants) the caller's scope may see — its own agency, its
region's, or every region's for national roles."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from puja_indah.agencies import queries
from puja_indah.api.access import api_requires
from puja_indah.api.inputs import Line
from puja_indah.api.paging import ListArgs, link_header, page_of, paginate, sort_field
from puja_indah.api.problems import Problem
from puja_indah.api.spec import API_PREFIX
from puja_indah.core.models import Agency
from puja_indah.core.permissions import MAX_ID, can_use_app, can_view_agency
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db

bp = Blueprint(
    "api_agencies",
    __name__,
    url_prefix=f"{API_PREFIX}/agencies",
    description="Agencies (OPD), the tenants of the platform.",
)


class AgencySchema(Schema):
    id = fields.Integer(required=True)
    region_id = fields.Integer(required=True)
    region_code = fields.String(required=True, attribute="region.code")
    region_name = fields.String(required=True, attribute="region.name")
    parent_id = fields.Integer(required=True, allow_none=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)
    active = fields.Boolean(required=True)
    is_demo = fields.Boolean(
        required=True, metadata={"description": "seeded demo data, not a public source"}
    )


class AgencyListArgs(ListArgs):
    q = Line(100, metadata={"description": "name or code"})
    region_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    status = fields.String(validate=validate.OneOf(["active", "inactive"]))
    sort = sort_field(["name", "code"], "name")


@bp.route("")
@api_requires(can_use_app)
@bp.arguments(AgencyListArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(AgencySchema))
def list_agencies(**args: Any) -> Any:
    """List the agencies the caller may see."""
    stmt = queries.filtered_agencies(
        current_scope(), q=args.get("q"), status=args.get("status"), region_id=args.get("region_id")
    )
    body = paginate(stmt, args, {"name": Agency.name, "code": Agency.code}, Agency.id)
    return body, 200, link_header(body)


@bp.route("/<int:agency_id>")
@api_requires(can_use_app)
@bp.response(200, AgencySchema)
def get_agency(agency_id: int) -> Any:
    """One agency the caller may see."""
    agency = db.session.get(Agency, agency_id) if 0 < agency_id <= MAX_ID else None
    if agency is None or not can_view_agency(current_scope(), agency):
        raise Problem(404, "not_found", _("No such agency in your scope."))
    return agency
