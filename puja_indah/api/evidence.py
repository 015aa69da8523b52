"""`/api/v1/evidence`: the evidence documents (bukti dukung) the caller's scope may read —
metadata only: title, number, date, subject, link, whether it is public, its file versions
(type, size, SHA-256, uploaded at and by) and the SID indicators whose claims cite it. The files
themselves stay behind the web's download address (`download_url`, the signed-in browser's
route and policy); the API never serves document content.

Same policy as the web's document screens (`can_use_app`); the tenancy layer narrows every query
to the scope, so another agency's document answers 404. Deleted documents are not listed."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import NotFound

from puja_indah.api.access import api_requires
from puja_indah.api.etags import etag_of
from puja_indah.api.paging import ListArgs, link_header, page_of, paginate, sort_field
from puja_indah.api.problems import Problem
from puja_indah.api.spec import API_PREFIX
from puja_indah.assessment.queries import CitingIndicator, indicators_citing
from puja_indah.core.permissions import MAX_ID, can_use_app
from puja_indah.evidence import queries
from puja_indah.evidence.models import Evidence, EvidenceFile
from puja_indah.evidence.views import doc_url

bp = Blueprint(
    "api_evidence",
    __name__,
    url_prefix=f"{API_PREFIX}/evidence",
    description="Evidence documents (bukti dukung): metadata, file fingerprints, indicators.",
)


class EvidenceFileSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True, metadata={"description": "version, from 1"})
    content_type = fields.String(required=True, metadata={"description": "detected type"})
    size = fields.Integer(required=True, metadata={"description": "bytes"})
    sha256 = fields.String(required=True)
    original_name = fields.String(required=True)
    uploaded_at = fields.DateTime(required=True)
    uploaded_by = fields.String(required=True, allow_none=True, metadata={"description": "name"})
    download_url = fields.String(
        required=True, metadata={"description": "the web download (signed-in browser session)"}
    )


class CitingIndicatorSchema(Schema):
    indicator_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    claimed_level = fields.Integer(required=True)


class EvidenceSchema(Schema):
    id = fields.Integer(required=True)
    agency_id = fields.Integer(required=True)
    innovation_id = fields.Integer(required=True, allow_none=True)
    innovation_name = fields.String(required=True, allow_none=True)
    title = fields.String(required=True)
    document_number = fields.String(required=True)
    document_date = fields.Date(required=True, allow_none=True)
    subject = fields.String(required=True)
    link_url = fields.String(required=True)
    public = fields.Boolean(required=True, metadata={"description": "shown in the catalogue"})
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "the ETag's value"})
    versions = fields.Integer(required=True, metadata={"description": "file versions kept"})
    current_file = fields.Nested(
        EvidenceFileSchema, required=True, allow_none=True, metadata={"description": "latest"}
    )
    indicators = fields.List(fields.Nested(CitingIndicatorSchema), required=True)
    web_url = fields.String(required=True, metadata={"description": "the document's web page"})


class EvidenceDetailSchema(EvidenceSchema):
    files = fields.List(fields.Nested(EvidenceFileSchema), required=True)


class EvidenceListArgs(ListArgs):
    innovation_id = fields.Integer(
        validate=validate.Range(1, MAX_ID), metadata={"description": "one innovation's documents"}
    )
    agency_wide = fields.Boolean(
        metadata={"description": "true: documents tied to no innovation; false: tied to one"}
    )
    sort = sort_field(["created_at", "title", "document_date"], "-created_at")


def _file(evidence: Evidence, version: EvidenceFile) -> dict[str, Any]:
    return {
        "id": version.id,
        "number": version.number,
        "content_type": version.content_type,
        "size": version.size,
        "sha256": version.sha256,
        "original_name": version.original_name,
        "uploaded_at": version.uploaded_at,
        "uploaded_by": version.uploaded_by.name if version.uploaded_by else None,
        "download_url": doc_url("evidence.download", evidence, file_id=version.id),
    }


def _document(
    evidence: Evidence, indicators: list[CitingIndicator], *, with_files: bool = False
) -> dict[str, Any]:
    current = evidence.current_file
    body: dict[str, Any] = {
        name: getattr(evidence, name)
        for name in (
            "id",
            "agency_id",
            "innovation_id",
            "title",
            "document_number",
            "document_date",
            "subject",
            "link_url",
            "public",
            "created_at",
            "updated_at",
            "version",
        )
    }
    body |= {
        "innovation_name": evidence.innovation.name if evidence.innovation else None,
        "versions": len(evidence.files),
        "current_file": _file(evidence, current) if current is not None else None,
        "indicators": indicators,
        "web_url": doc_url("evidence.document", evidence),
    }
    if with_files:
        body["files"] = [_file(evidence, version) for version in reversed(evidence.files)]
    return body


@bp.route("")
@api_requires(can_use_app)
@bp.arguments(EvidenceListArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(EvidenceSchema))
def list_evidence(**args: Any) -> Any:
    """List the evidence documents in the caller's scope (metadata only)."""
    stmt = queries.filtered_documents(args.get("innovation_id"), args.get("agency_wide"))
    body = paginate(
        stmt,
        args,
        {
            "created_at": Evidence.created_at,
            "title": Evidence.title,
            "document_date": Evidence.document_date,
        },
        Evidence.id,
    )
    cited = indicators_citing([evidence.id for evidence in body["items"]])
    body["items"] = [_document(e, cited.get(e.id, [])) for e in body["items"]]
    return body, 200, link_header(body)


@bp.route("/<int:evidence_id>")
@api_requires(can_use_app)
@bp.response(200, EvidenceDetailSchema, headers={"ETag": {"schema": {"type": "string"}}})
def get_evidence(evidence_id: int) -> Any:
    """One document's metadata, every file version's fingerprint, the indicators citing it."""
    try:
        evidence = queries.document_or_404(evidence_id)
    except NotFound:
        raise Problem(404, "not_found", _("No such document in your scope.")) from None
    cited = indicators_citing([evidence.id]).get(evidence.id, [])
    body = _document(evidence, cited, with_files=True)
    return body, 200, {"ETag": etag_of(evidence.version)}
