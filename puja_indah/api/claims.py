"""`/api/v1/innovations/<id>/claims`: an innovation's self-assessment of one assessment year —
every SID indicator of the year's catalogue with the level claimed, the level that scores (0
without a live evidence document), its score, the evidence documents cited, and the national
reviewer's current decision where there is one. Read-only; the same reads as the web's
self-assessment page (`assessment.scoring.self_assessment`, `reviews.queries.current_for`), so
every role that may open that page reads the same here and the tenancy layer decides which
decisions it sees."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from puja_indah.api.access import api_requires
from puja_indah.api.innovations import innovation_or_404
from puja_indah.api.problems import Problem
from puja_indah.api.spec import API_PREFIX
from puja_indah.assessment import queries, scoring
from puja_indah.assessment.models import AssessmentYear, YearStatus
from puja_indah.core.permissions import can_use_app
from puja_indah.reviews import queries as review_queries
from puja_indah.reviews.models import Verdict

bp = Blueprint(
    "api_claims",
    __name__,
    url_prefix=f"{API_PREFIX}/innovations",
    description="Self-assessment: an innovation's SID indicator claims of a year.",
)


def _score(**kwargs: Any) -> fields.Decimal:
    """A score or weight, exact, as a decimal string ("7.50")."""
    return fields.Decimal(
        as_string=True,
        places=2,
        metadata={"type": "string", "format": "decimal", "example": "7.50"},
        **kwargs,
    )


class ClaimEvidenceSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    document_number = fields.String(required=True)
    document_date = fields.Date(required=True, allow_none=True)
    link_url = fields.String(required=True)


class ClaimReviewSchema(Schema):
    verdict = fields.Enum(Verdict, by_value=True, required=True)
    accepted_level = fields.Integer(required=True)
    note = fields.String(required=True)
    reviewer = fields.String(required=True, allow_none=True, metadata={"description": "name"})
    decided_at = fields.DateTime(required=True)
    claim_changed = fields.Boolean(
        required=True,
        metadata={"description": "the claim changed after this decision: it waits for review"},
    )


class ClaimSchema(Schema):
    indicator_id = fields.Integer(required=True)
    indicator_number = fields.Integer(required=True)
    indicator_name = fields.String(required=True)
    variable = fields.String(required=True)
    weight = _score(required=True)
    mandatory = fields.Boolean(required=True)
    level = fields.Integer(required=True, metadata={"description": "claimed: 0, or P1–P3"})
    counted_level = fields.Integer(
        required=True, metadata={"description": "the level that scores (0 without evidence)"}
    )
    score = _score(required=True)
    note = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "0: nothing claimed yet"})
    evidence = fields.List(fields.Nested(ClaimEvidenceSchema), required=True)
    review = fields.Nested(ClaimReviewSchema, required=True, allow_none=True)


class SelfAssessmentSchema(Schema):
    innovation_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    year_status = fields.Enum(YearStatus, by_value=True, required=True)
    score = _score(required=True)
    maximum = _score(required=True)
    mandatory_at_zero = fields.List(fields.Integer(), required=True)
    claims = fields.List(fields.Nested(ClaimSchema), required=True)


class ClaimArgs(Schema):
    year = fields.Integer(
        validate=validate.Range(2000, 2200),
        metadata={"description": "the assessment year; the catalogue's newest when left out"},
    )


def _year_or_404(year: int | None) -> AssessmentYear:
    if year is None:
        known = queries.years()
        chosen = known[-1] if known else None
    else:
        chosen = queries.year_with_catalogue(year)
    if chosen is None:
        raise Problem(404, "not_found", _("The assessment catalogue has no such year."))
    return chosen


@bp.route("/<int:innovation_id>/claims")
@api_requires(can_use_app)
@bp.arguments(ClaimArgs, location="query", as_kwargs=True)
@bp.response(200, SelfAssessmentSchema)
def list_claims(innovation_id: int, year: int | None = None) -> Any:
    """The innovation's claims of every SID indicator of the year, scored."""
    innovation = innovation_or_404(innovation_id)
    assessment_year = _year_or_404(year)
    state = scoring.self_assessment(assessment_year, innovation)
    decisions = review_queries.current_for(innovation.id, assessment_year.id)
    claims = []
    for row in state.rows:
        version = row.claim.version if row.claim else 0
        decision = decisions.get(row.indicator.id)
        review = None
        if decision is not None:
            review = {
                "verdict": decision.verdict,
                "accepted_level": decision.accepted_level,
                "note": decision.note,
                "reviewer": decision.reviewer.name if decision.reviewer else None,
                "decided_at": decision.created_at,
                "claim_changed": decision.claim_version != version,
            }
        claims.append(
            {
                "indicator_id": row.indicator.id,
                "indicator_number": row.indicator.number,
                "indicator_name": row.indicator.name,
                "variable": row.indicator.variable,
                "weight": row.indicator.weight,
                "mandatory": row.indicator.mandatory,
                "level": row.level,
                "counted_level": row.counted,
                "score": row.score,
                "note": row.claim.note if row.claim else "",
                "version": version,
                "evidence": list(row.evidence),
                "review": review,
            }
        )
    return {
        "innovation_id": innovation.id,
        "year": assessment_year.year,
        "year_status": assessment_year.status,
        "score": state.score.sid_sum,
        "maximum": state.maximum,
        "mandatory_at_zero": list(state.score.mandatory_at_zero),
        "claims": claims,
    }
