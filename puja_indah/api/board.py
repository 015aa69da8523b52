"""`/api/v1/board`: the progress board of a region — one row per agency (OPD) its decrees
appoint, with the assigned innovation, its stage and progress, the two duties, replications,
mandatory evidence, the self-assessed score, the service modules' figures, the last activity and
whether the agency has gone quiet (stale).

Same policy (`can_view_board`), region rule and reads as the web board (`board.queries`): a
region monitor reads its own region (naming another is 404); national reviewers and platform
administrators choose one with `region_id`, by default the first region with a decree."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from puja_indah.api.access import api_requires
from puja_indah.api.paging import (
    ListArgs,
    PageLinksSchema,
    PageMetaSchema,
    link_header,
    page_body,
    sort_field,
)
from puja_indah.api.problems import Problem
from puja_indah.api.spec import API_PREFIX
from puja_indah.board import queries
from puja_indah.board.rules import BUCKETS, DutyStatus
from puja_indah.core import registry
from puja_indah.core.clock import today_wita
from puja_indah.core.models import Region
from puja_indah.core.permissions import MAX_ID, can_view_board
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.innovations.models import Stage
from puja_indah.replications.models import ReplicationStatus

bp = Blueprint(
    "api_board",
    __name__,
    url_prefix=f"{API_PREFIX}/board",
    description="The progress board: one row per appointed agency (OPD) of a region.",
)

STAGE_FILTERS = [s.value for s in Stage] + ["none"]
DUTY_FILTERS = [DutyStatus.DONE.value, DutyStatus.UNDER_WAY.value, DutyStatus.MISSING.value]
DUTY_VALUES = [d.value for d in DutyStatus]


# --- schemas -------------------------------------------------------------------------------------


class BoardRegionSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class BoardAgencySchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)


class BoardDecreeSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)


class BoardAppointmentSchema(Schema):
    id = fields.Integer(required=True)
    innovation_name = fields.String(
        required=True, metadata={"description": "as the decree names it; empty for a coordinator"}
    )
    must_implement = fields.Boolean(required=True)
    must_replicate = fields.Boolean(required=True)


class BoardInnovationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    stage = fields.Enum(Stage, by_value=True, required=True)


class BoardDutiesSchema(Schema):
    implement = fields.String(
        required=True, validate=validate.OneOf(DUTY_VALUES), metadata={"enum": DUTY_VALUES}
    )
    replicate = fields.String(
        required=True, validate=validate.OneOf(DUTY_VALUES), metadata={"enum": DUTY_VALUES}
    )


BoardReplicationCountsSchema = type(
    "BoardReplicationCountsSchema",
    (Schema,),
    {status.value: fields.Integer(required=True) for status in ReplicationStatus},
)


class BoardReplicationsSchema(Schema):
    total = fields.Integer(required=True)
    by_status = fields.Nested(BoardReplicationCountsSchema, required=True)


class BoardIndicatorSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)


class BoardEvidenceSchema(Schema):
    done = fields.Integer(required=True)
    total = fields.Integer(
        required=True, metadata={"description": "mandatory innovation indicators of the year"}
    )
    share = fields.Float(required=True, allow_none=True)
    missing = fields.List(fields.Nested(BoardIndicatorSchema), required=True)


class ModuleMetricSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    value = fields.Float(required=True, allow_none=True)
    unit = fields.String(required=True)
    indicator = fields.Integer(
        required=True, allow_none=True, metadata={"description": "the IID indicator it evidences"}
    )


class BoardModuleSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    metrics = fields.List(fields.Nested(ModuleMetricSchema), required=True)


class BoardRowSchema(Schema):
    agency = fields.Nested(BoardAgencySchema, required=True)
    decree = fields.Nested(BoardDecreeSchema, required=True)
    appointment = fields.Nested(BoardAppointmentSchema, required=True)
    innovation = fields.Nested(BoardInnovationSchema, required=True, allow_none=True)
    stage = fields.Enum(Stage, by_value=True, required=True, allow_none=True)
    progress = fields.Integer(
        required=True, allow_none=True, metadata={"description": "percent, latest milestone"}
    )
    milestones = fields.Integer(required=True)
    duties = fields.Nested(BoardDutiesSchema, required=True)
    replications = fields.Nested(BoardReplicationsSchema, required=True)
    evidence = fields.Nested(BoardEvidenceSchema, required=True)
    score = fields.Float(
        required=True, allow_none=True, metadata={"description": "self-assessed SID sum"}
    )
    modules = fields.List(fields.Nested(BoardModuleSchema), required=True)
    last_activity = fields.DateTime(required=True, allow_none=True)
    days_since = fields.Integer(required=True, allow_none=True)
    stale = fields.Boolean(required=True)
    freshness = fields.String(
        required=True, validate=validate.OneOf(BUCKETS), metadata={"enum": list(BUCKETS)}
    )


class BoardSchema(Schema):
    region = fields.Nested(BoardRegionSchema, required=True)
    year = fields.Integer(
        required=True, allow_none=True, metadata={"description": "the assessment year scored"}
    )
    stale_after_days = fields.Integer(required=True)
    items = fields.List(fields.Nested(BoardRowSchema), required=True)
    meta = fields.Nested(PageMetaSchema, required=True)
    links = fields.Nested(PageLinksSchema, required=True)


class BoardArgs(ListArgs):
    region_id = fields.Integer(
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "reviewers and administrators: the region (monitors: their own)"},
    )
    stage = fields.String(validate=validate.OneOf(STAGE_FILTERS), metadata={"enum": STAGE_FILTERS})
    implement = fields.String(validate=validate.OneOf(DUTY_FILTERS))
    replicate = fields.String(validate=validate.OneOf(DUTY_FILTERS))
    module = fields.String(
        validate=validate.Length(1, 40), metadata={"description": "a switched-on module's code"}
    )
    stale = fields.Boolean(metadata={"description": "true: only the agencies gone quiet"})
    sort = sort_field(list(queries.SORTERS), "agency")


# --- the board -----------------------------------------------------------------------------------


def _region(region_id: int | None) -> Region:
    """The web board's rule: a monitor's own region; for national readers the one asked for
    among the regions with a decree, by default the first."""
    scope = current_scope()
    region: Region | None
    if scope.kind == "region":
        region = None
        if region_id is None or region_id == scope.region_id:
            region = db.session.get(Region, scope.region_id)
    else:
        regions = queries.regions_with_decrees()
        if region_id is None:
            region = regions[0] if regions else None
        else:
            region = next((r for r in regions if r.id == region_id), None)
    if region is None:
        raise Problem(404, "not_found", _("No progress board for that region in your scope."))
    return region


def _row(row: queries.Row) -> dict[str, Any]:
    innovation = row.innovation
    return {
        "agency": row.agency,
        "decree": row.decree,
        "appointment": row.appointment,
        "innovation": (
            {"id": innovation.id, "name": innovation.name, "stage": innovation.stage}
            if innovation is not None
            else None
        ),
        "stage": row.stage,
        "progress": row.progress,
        "milestones": row.milestones,
        "duties": {"implement": row.implement.value, "replicate": row.replicate.value},
        "replications": {
            "total": row.replication_count,
            "by_status": {s.value: row.replications.get(s, 0) for s in ReplicationStatus},
        },
        "evidence": {
            "done": row.evidence_done,
            "total": row.evidence_total,
            "share": row.evidence_share,
            "missing": [
                {"id": ind.id, "number": ind.number, "name": ind.name}
                for ind in row.evidence_missing
            ],
        },
        "score": float(row.score) if row.score is not None else None,
        "modules": [
            {
                "code": figures.code,
                "name": figures.name,
                "metrics": [
                    {
                        "key": m.key,
                        "label": m.label,
                        "value": m.value,
                        "unit": m.unit,
                        "indicator": m.indicator,
                    }
                    for m in figures.metrics
                ],
            }
            for figures in row.modules
        ],
        "last_activity": row.last_activity,
        "days_since": row.days_since,
        "stale": row.stale,
        "freshness": row.bucket,
    }


@bp.route("")
@api_requires(can_view_board)
@bp.arguments(BoardArgs, location="query", as_kwargs=True)
@bp.response(200, BoardSchema)
def get_board(**args: Any) -> Any:
    """The board's rows (one per appointed agency), filtered and sorted as on the web board."""
    module = args.get("module")
    if module is not None and module not in registry.registered():
        message = _("No service module has that code.")
        raise Problem(
            422,
            "validation",
            message,
            errors=[{"field": "module", "location": "query", "message": message}],
        )
    region = _region(args.get("region_id"))
    today = today_wita()
    year = queries.current_year(today)
    stale_after = queries.stale_after_days(region.id)
    rows = queries.rows(region.id, today, year=year, stale_after=stale_after)
    shown = queries.filter_rows(
        rows,
        stage=args.get("stage") or "",
        implement=args.get("implement") or "",
        replicate=args.get("replicate") or "",
        module=module or "",
        stale_only=bool(args.get("stale")),
    )
    key = args["sort"]
    shown = queries.sort_rows(shown, key.lstrip("-"), descending=key.startswith("-"))
    page, per_page = int(args["page"]), int(args["per_page"])
    pages = max(1, -(-len(shown) // per_page))
    start = (page - 1) * per_page
    body = page_body(
        [_row(r) for r in shown[start : start + per_page]], page, per_page, len(shown), pages
    )
    body |= {
        "region": region,
        "year": year.year if year is not None else None,
        "stale_after_days": stale_after,
    }
    return body, 200, link_header(body)
