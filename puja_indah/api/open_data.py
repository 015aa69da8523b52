"""`/api/v1/open`: open data, no token needed — the public catalogue's published innovations
(public fields only) and aggregate figures per region, as JSON and CSV, under CC BY 4.0.

Every read is the public catalogue's named cross-agency read (`public.queries`, reason "public
catalogue") of PUBLISHED innovations, selecting public columns only; the figures count only
published innovations, the replications their public pages list, and each region's agencies.
Every answer names its licence: JSON bodies carry `licence`, every response a
`Link: <…>; rel="license"` header (RFC 4946), and `/licence` explains it in Indonesian and
English. Rate-limited per address like the catalogue pages: these are open to the internet.

CSV files come from `core.exports` (UTF-8 with BOM, formula-like cells neutralised); their header
row is the columns' stable names, the same in every language, so a script can rely on them.
"""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from puja_indah.api.access import api_public
from puja_indah.api.inputs import Line
from puja_indah.api.paging import ListArgs, link_header, page_body, page_of, sort_field
from puja_indah.api.spec import (
    API_PREFIX,
    OPEN_DATA_ATTRIBUTION,
    OPEN_DATA_LICENCE,
    OPEN_DATA_LICENCE_NAME,
    OPEN_DATA_LICENCE_URL,
)
from puja_indah.core.exports import CSV_MIMETYPE, Column, Table, csv_bytes
from puja_indah.core.permissions import MAX_ID
from puja_indah.extensions import limiter
from puja_indah.innovations.models import InnovationForm, InnovationKind, Stage
from puja_indah.public import queries
from puja_indah.public.views import RATE

bp = Blueprint(
    "api_open_data",
    __name__,
    url_prefix=f"{API_PREFIX}/open",
    description=(
        f"Open data ({OPEN_DATA_LICENCE_NAME}), no token needed: published innovations and "
        "aggregate figures per region."
    ),
)
NO_AUTH: list[dict[str, list[str]]] = []  # OpenAPI `security: []` — no credentials needed
LICENCE_LINK = {
    "Link": {
        "description": 'The data\'s licence (rel="license"); on lists also the next and previous'
        " pages.",
        "schema": {"type": "string"},
    }
}
CSV_DOC = {"type": "string", "description": "UTF-8 CSV with a byte-order mark"}

# The licence explained in both languages at once (a machine reads either): fixed texts, not
# UI strings.
LICENCE_TEXT = {
    "id": (
        "Data terbuka PUJA INDAH dilisensikan dengan Creative Commons Atribusi 4.0 Internasional "
        "(CC BY 4.0). Anda boleh menyalin, menyebarluaskan, mengolah dan memakainya untuk tujuan "
        "apa pun, termasuk komersial, asalkan mencantumkan sumbernya (lihat `attribution`), "
        "menautkan lisensinya dan menyebutkan bila Anda mengubah data. Data ini hanya memuat "
        "inovasi yang telah dipublikasikan oleh perangkat daerahnya dan angka agregat darinya."
    ),
    "en": (
        "PUJA INDAH open data is licensed under Creative Commons Attribution 4.0 International "
        "(CC BY 4.0). You may copy, share, adapt and use it for any purpose, commercial ones "
        "included, provided you credit the source (see `attribution`), link to the licence and "
        "say if you changed the data. It holds only innovations their agencies have published "
        "and aggregate figures of them."
    ),
}


def licence() -> dict[str, str]:
    return {
        "id": OPEN_DATA_LICENCE,
        "name": OPEN_DATA_LICENCE_NAME,
        "url": OPEN_DATA_LICENCE_URL,
        "attribution": OPEN_DATA_ATTRIBUTION,
    }


def _with_licence(headers: dict[str, str] | None = None) -> dict[str, str]:
    """The response's headers with the licence link added to any paging links."""
    headers = dict(headers or {})
    link = f'<{OPEN_DATA_LICENCE_URL}>; rel="license"'
    headers["Link"] = f"{headers['Link']}, {link}" if headers.get("Link") else link
    return headers


def _csv(table: Table, filename: str) -> Response:
    response = Response(csv_bytes(table), content_type=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    for name, value in _with_licence().items():
        response.headers[name] = value
    return response


def _enum_field(enum_type: Any, **kwargs: Any) -> fields.Enum:
    return fields.Enum(enum_type, by_value=True, **kwargs)


class LicenceSchema(Schema):
    id = fields.String(required=True, metadata={"description": "SPDX identifier"})
    name = fields.String(required=True)
    url = fields.String(required=True)
    attribution = fields.String(required=True, metadata={"description": "credit the source so"})


# --- innovations -----------------------------------------------------------------------------


class OpenInnovationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    stage = _enum_field(Stage, required=True)
    kind = _enum_field(InnovationKind, required=True, allow_none=True)
    form = _enum_field(InnovationForm, required=True, allow_none=True)
    summary = fields.String(required=True)
    goals = fields.String(required=True)
    benefits = fields.String(required=True)
    results_before = fields.String(required=True)
    results_after = fields.String(required=True)
    trial_date = fields.Date(required=True, allow_none=True)
    implementation_date = fields.Date(required=True, allow_none=True)
    lessons = fields.String(required=True)
    replication_prerequisites = fields.String(required=True)
    video_url = fields.String(required=True)
    published_at = fields.DateTime(required=True, allow_none=True)
    agency_name = fields.String(required=True)
    region_id = fields.Integer(required=True)
    region_code = fields.String(required=True, metadata={"description": "Kemendagri code"})
    region_name = fields.String(required=True)
    theme_name = fields.String(required=True, allow_none=True)
    theme_year = fields.Integer(required=True, allow_none=True)
    affair_name = fields.String(required=True, allow_none=True, metadata={"description": "urusan"})
    url = fields.String(required=True, metadata={"description": "its public catalogue page"})


# Every key of a row, in the CSV's column order (the schema above and the query agree).
OPEN_INNOVATION_COLUMNS = (*queries.OPEN_DATA_COLUMNS, "url")

OpenInnovationPageSchema = type(
    "OpenInnovationPageSchema",
    (page_of(OpenInnovationSchema),),
    {"licence": fields.Nested(LicenceSchema, required=True)},
)


class OpenFilterArgs(Schema):
    q = Line(100, metadata={"description": "name"})
    region_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    year = fields.Integer(
        validate=validate.Range(2000, 2100),
        metadata={"description": "the yearly thematic list it is reported under"},
    )
    stage = fields.String(validate=validate.OneOf([s.value for s in Stage]))
    sort = sort_field(["published_at", "name", "stage"], "-published_at")


class OpenInnovationArgs(ListArgs, OpenFilterArgs):
    pass


def _filters(args: dict[str, Any]) -> queries.OpenFilters:
    stage = args.get("stage")
    return queries.OpenFilters(
        region_id=args.get("region_id"),
        year=args.get("year"),
        stage=Stage(stage) if stage else None,
        q=" ".join(str(args.get("q") or "").split()) or None,
    )


def _with_url(row: dict[str, Any]) -> dict[str, Any]:
    row["url"] = url_for("public.innovation", innovation_id=row["id"], _external=True)
    return row


@bp.route("/innovations")
@api_public
@limiter.limit(RATE)
@bp.arguments(OpenInnovationArgs, location="query", as_kwargs=True)
@bp.response(200, OpenInnovationPageSchema, headers=LICENCE_LINK)
@bp.doc(security=NO_AUTH)
def list_innovations(**args: Any) -> Any:
    """Published innovations of every region (public fields), filtered, sorted and paged."""
    page, per_page = int(args["page"]), int(args["per_page"])
    rows, total = queries.open_innovations(_filters(args), str(args["sort"]), page, per_page)
    pages = max(1, -(-total // per_page))
    body = page_body([_with_url(row) for row in rows], page, per_page, total, pages)
    body["licence"] = licence()
    return body, 200, _with_licence(link_header(body))


@bp.route("/innovations.csv")
@api_public
@limiter.limit(RATE)
@bp.arguments(OpenFilterArgs, location="query", as_kwargs=True)
@bp.response(200, CSV_DOC, content_type="text/csv", headers=LICENCE_LINK)
@bp.doc(security=NO_AUTH)
def innovations_csv(**args: Any) -> Any:
    """The same rows as `/innovations` as one CSV file: every match, not one page."""
    rows = queries.all_open_innovations(_filters(args), str(args["sort"]))
    table = Table(
        key="innovations",
        title="innovations",
        columns=[Column(name, name) for name in OPEN_INNOVATION_COLUMNS],
        rows=(
            [
                getattr(value, "value", value)
                for value in (_with_url(row)[name] for name in OPEN_INNOVATION_COLUMNS)
            ]
            for row in rows
        ),
    )
    return _csv(table, "puja-indah-inovasi.csv")


# --- figures ---------------------------------------------------------------------------------


class StageCountsSchema(Schema):
    inisiatif = fields.Integer(required=True)
    uji_coba = fields.Integer(required=True)
    penerapan = fields.Integer(required=True)


class _CountsSchema(Schema):
    agencies = fields.Integer(required=True, metadata={"description": "active agencies (OPD)"})
    agencies_publishing = fields.Integer(
        required=True, metadata={"description": "agencies with a published innovation"}
    )
    published_innovations = fields.Integer(required=True)
    by_stage = fields.Nested(StageCountsSchema, required=True)
    replications = fields.Integer(
        required=True,
        metadata={"description": "replications of its published innovations, any status"},
    )
    replicated_innovations = fields.Integer(
        required=True, metadata={"description": "published innovations replicated at least once"}
    )


class RegionFiguresSchema(_CountsSchema):
    region_id = fields.Integer(required=True)
    region_code = fields.String(required=True)
    region_name = fields.String(required=True)


class FiguresSchema(Schema):
    licence = fields.Nested(LicenceSchema, required=True)
    regions = fields.List(fields.Nested(RegionFiguresSchema), required=True)
    totals = fields.Nested(_CountsSchema, required=True)


FIGURE_COUNTS = (
    "agencies",
    "agencies_publishing",
    "published_innovations",
    "replications",
    "replicated_innovations",
)


def _totals(figures: list[queries.RegionFigures]) -> dict[str, Any]:
    totals: dict[str, Any] = {
        name: sum(getattr(f, name) for f in figures) for name in FIGURE_COUNTS
    }
    totals["by_stage"] = {s.value: sum(f.by_stage[s.value] for f in figures) for s in Stage}
    return totals


@bp.route("/figures")
@api_public
@limiter.limit(RATE)
@bp.response(200, FiguresSchema, headers=LICENCE_LINK)
@bp.doc(security=NO_AUTH)
def figures() -> Any:
    """Aggregate figures per region: agencies, published innovations by stage, replications."""
    rows = queries.open_figures()
    body = {"licence": licence(), "regions": rows, "totals": _totals(rows)}
    return body, 200, _with_licence()


@bp.route("/figures.csv")
@api_public
@limiter.limit(RATE)
@bp.response(200, CSV_DOC, content_type="text/csv", headers=LICENCE_LINK)
@bp.doc(security=NO_AUTH)
def figures_csv() -> Any:
    """The same figures as one CSV file, a row per region."""
    stage_names = [f"stage_{s.value}" for s in Stage]
    names = ["region_code", "region_name", *FIGURE_COUNTS[:3], *stage_names, *FIGURE_COUNTS[3:]]
    table = Table(
        key="figures",
        title="figures",
        columns=[Column(name, name) for name in names],
        rows=(
            [
                f.region_code,
                f.region_name,
                *(getattr(f, name) for name in FIGURE_COUNTS[:3]),
                *(f.by_stage[s.value] for s in Stage),
                *(getattr(f, name) for name in FIGURE_COUNTS[3:]),
            ]
            for f in queries.open_figures()
        ),
    )
    return _csv(table, "puja-indah-angka.csv")


# --- the licence -----------------------------------------------------------------------------


class LicenceTextSchema(Schema):
    id = fields.String(required=True, metadata={"description": "Bahasa Indonesia"})
    en = fields.String(required=True, metadata={"description": "English"})


class LicenceDocumentSchema(Schema):
    licence = fields.Nested(LicenceSchema, required=True)
    explanation = fields.Nested(LicenceTextSchema, required=True)


@bp.route("/licence")
@api_public
@limiter.limit(RATE)
@bp.response(200, LicenceDocumentSchema, headers=LICENCE_LINK)
@bp.doc(security=NO_AUTH)
def licence_document() -> Any:
    """The open data's licence, explained in Indonesian and English."""
    return {"licence": licence(), "explanation": LICENCE_TEXT}, 200, _with_licence()
