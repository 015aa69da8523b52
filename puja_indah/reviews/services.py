"""The reviewer's one write: a review decision. Validate, add, flush — never commit (the view
commits once).

Refusals, each with a message and nothing changed (the view rolls back):
- a scope that is not a national reviewer's (`NotAllowed` → 403; the flush guard in
  core/tenancy.py is the backstop, and row-level security behind it);
- a verdict, level or note the indicator does not allow (`DecisionError`, naming the field);
- a decision saved by someone else after the form was opened (`StaleDecision`, carrying what
  is current now, so the view can show it).
A closed assessment year is reviewed like any other: closing freezes the agency's claims, which
is when a reviewer's verdict on them matters most.
A decision identical to the current one (same verdict, level, note, on the same claim version)
adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from puja_indah.assessment.models import Indicator
from puja_indah.core.models import Role
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation
from puja_indah.reviews import queries
from puja_indah.reviews.models import MAX_NOTE, ReviewDecision, Verdict


class ServiceError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """Only a national reviewer records decisions."""


class DecisionError(ServiceError):
    """A value of the decision is refused; `field` names the form field."""


class StaleDecision(ServiceError):
    """Another decision was saved after the form was opened; `current` is what is saved now."""

    def __init__(self, current: ReviewDecision | None) -> None:
        super().__init__(
            _(
                "Another reviewer saved a decision on this indicator after you opened the page."
                " Nothing of yours was saved: read theirs below and save again if you disagree."
            )
        )
        self.current = current


@dataclass(frozen=True)
class DecisionInput:
    verdict: str
    accepted_level: int
    note: str
    # The version of the current decision when the form was opened (0: there was none);
    # None when the form lost it.
    seen_version: int | None


def may_decide(scope: Scope) -> bool:
    return scope.kind == "national" and scope.role is Role.NATIONAL_REVIEWER


def validate(indicator: Indicator, data: DecisionInput) -> tuple[Verdict, int, str]:
    try:
        verdict = Verdict(data.verdict)
    except ValueError:
        raise DecisionError(_("Choose a verdict: valid or needs revision."), "verdict") from None
    note = data.note.strip()
    if len(note) > MAX_NOTE:
        raise DecisionError(_("Use at most %(max)d characters.", max=MAX_NOTE), "note")
    if verdict is Verdict.NEEDS_REVISION and not note:
        raise DecisionError(_("Say what needs revising: a note is required."), "note")
    levels = {level.level for level in indicator.levels}
    if data.accepted_level not in levels | {0}:
        raise DecisionError(_("Choose one of the indicator's levels."), "accepted_level")
    if verdict is Verdict.VALID and data.accepted_level == 0:
        raise DecisionError(
            _("A valid claim is accepted at one of the indicator's levels."), "accepted_level"
        )
    return verdict, data.accepted_level, note


def decide(
    scope: Scope,
    innovation: Innovation,
    indicator: Indicator,
    data: DecisionInput,
    user_id: int | None,
) -> ReviewDecision | None:
    """Record the reviewer's decision as the next version; returns it, or None when it repeats
    the current decision unchanged."""
    if not may_decide(scope):
        raise NotAllowed(_("Only a national reviewer records review decisions."))
    verdict, level, note = validate(indicator, data)
    current = queries.current_decision(innovation.id, indicator.id)
    seen = current.version if current is not None else 0
    if data.seen_version != seen:
        raise StaleDecision(current)
    claim = queries.claim_of(innovation.id, indicator.id)
    claim_level = claim.level if claim is not None else 0
    claim_version = claim.version if claim is not None else 0
    if current is not None and (
        current.verdict,
        current.accepted_level,
        current.note,
        current.claim_version,
    ) == (verdict, level, note, claim_version):
        return None
    decision = ReviewDecision(
        agency_id=innovation.agency_id,
        innovation_id=innovation.id,
        indicator_id=indicator.id,
        version=seen + 1,
        verdict=verdict,
        accepted_level=level,
        note=note,
        claim_level=claim_level,
        claim_version=claim_version,
        reviewer_id=user_id,
    )
    db.session.add(decision)
    db.session.flush()
    return decision
