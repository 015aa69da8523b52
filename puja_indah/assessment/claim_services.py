"""Writes of the self-assessment: an innovation's SID claims with their evidence, and a region's
SPD claims. Validate, change, flush — never commit (the view commits once).

Refusals, each with a message and nothing changed (the view rolls back):
- a closed year (`YearClosed`; the flush guard in guard.py is the backstop);
- a scope that may not write (`NotAllowed` → 403): SID claims only in the innovation's own agency
  scope, SPD claims by the region's monitor or an administrator (the core flush guard again is
  the backstop);
- a form opened before someone else saved (`StaleForm`): every row carries the version it showed;
- a document that is not among the innovation's evidence (`ClaimError`);
- a new document's file that is not one of the indicator's file types, or is damaged, too large
  or hostile (`ClaimError` naming the row and its field). Files are checked and stored by the
  evidence vault (`evidence.services.create_document`); a rollback deletes what was stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from puja_indah.assessment import scoring
from puja_indah.assessment.models import (
    AspectCode,
    AssessmentYear,
    Claim,
    ClaimEvidence,
    Indicator,
    RegionClaim,
    YearStatus,
)
from puja_indah.assessment.services import ServiceError, YearClosed
from puja_indah.core import uploads
from puja_indah.core.db import utcnow
from puja_indah.core.models import Region
from puja_indah.core.tenancy import Scope
from puja_indah.evidence import services as evidence_services
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation


class NotAllowed(ServiceError):
    """The scope may not make this change (the view answers 403)."""


class StaleForm(ServiceError):
    """Someone saved these claims after the form was opened."""


class ClaimError(ServiceError):
    """A value of one indicator's row is refused; `indicator_id` says which row and `field`, when
    known, which field of that row's form (`doc_file`, `doc_date`, …)."""

    def __init__(
        self, message: str, indicator_id: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.indicator_id = indicator_id
        self.field = field


# The evidence vault's field names → the claim row's fields of the same value.
DOCUMENT_FIELDS = {
    "title": "doc_subject",
    "document_number": "doc_number",
    "document_date": "doc_date",
    "subject": "doc_subject",
    "link_url": "doc_link",
    "file": "doc_file",
}


def ensure_claims_open(year: AssessmentYear) -> None:
    if year.status is YearStatus.CLOSED:
        raise YearClosed(
            _(
                "Assessment year %(year)s is closed: its claims can no longer change.",
                year=year.year,
            )
        )


def _stale() -> StaleForm:
    return StaleForm(
        _("Someone saved these claims after you opened the form. Reload the page and try again.")
    )


@dataclass
class NewDocument:
    document_number: str
    document_date: date | None
    subject: str
    link_url: str
    upload: FileStorage | None = None


@dataclass
class ClaimInput:
    indicator_id: int
    level: int
    note: str = ""
    version: int = 0  # the claim's version when the form was opened; 0: there was none
    evidence_ids: list[int] = field(default_factory=list)
    new_document: NewDocument | None = None


def save_claims(
    scope: Scope,
    year: AssessmentYear,
    innovation: Innovation,
    rows: Sequence[ClaimInput],
    user_id: int | None,
) -> int:
    """Create or update the innovation's claims of `year`; returns how many claims changed."""
    if scope.read_only or scope.kind != "agency" or scope.agency_id != innovation.agency_id:
        raise NotAllowed(_("You may not change these claims."))
    ensure_claims_open(year)
    indicators = {ind.id: ind for ind in scoring.indicators_of(year, AspectCode.SID)}
    existing = {claim.indicator_id: claim for claim in scoring.claims_of([innovation.id], year)}
    allowed = {doc.id: doc for doc in scoring.evidence_choices(innovation)}
    for row in rows:
        if row.indicator_id not in indicators:
            raise ClaimError(_("This indicator is not part of the year's catalogue."))
        claim = existing.get(row.indicator_id)
        if (claim.version if claim else 0) != row.version:
            raise _stale()
        if not 0 <= row.level <= 3:
            raise ClaimError(_("Choose one of the listed options."), row.indicator_id)
        unknown = [doc_id for doc_id in row.evidence_ids if doc_id not in allowed]
        if unknown:
            raise ClaimError(
                _("Choose documents of this innovation only."), indicator_id=row.indicator_id
            )
    changed = 0
    for row in rows:
        claim = existing.get(row.indicator_id)
        wanted = set(row.evidence_ids)
        if row.new_document is not None:
            doc = _new_document(scope, innovation, indicators[row.indicator_id], row.new_document)
            wanted.add(doc.id)
            allowed[doc.id] = doc
        if claim is None:
            if row.level == 0 and not wanted and not row.note:
                continue
            claim = Claim(innovation_id=innovation.id, indicator_id=row.indicator_id)
            db.session.add(claim)
        current = {link.evidence_id for link in claim.evidence_links}
        if (
            claim.id is not None
            and claim.level == row.level
            and claim.note == row.note
            and current == wanted
        ):
            continue
        claim.level = row.level
        claim.note = row.note
        claim.updated_by_id = user_id
        # The links are rows of their own: touching the claim bumps its version for them too.
        claim.updated_at = utcnow()
        for link in list(claim.evidence_links):
            if link.evidence_id not in wanted:
                claim.evidence_links.remove(link)
        for doc_id in sorted(wanted - current):
            claim.evidence_links.append(ClaimEvidence(evidence=allowed[doc_id]))
        changed += 1
    db.session.flush()
    return changed


def _new_document(
    scope: Scope, innovation: Innovation, indicator: Indicator, data: NewDocument
) -> Evidence:
    """A real evidence document, described now. With a file, the evidence vault checks it against
    the indicator's file types and stores it as the document's first version; without one, the
    file can be uploaded later in the evidence vault."""
    title = data.subject or data.document_number or data.link_url
    if data.upload is not None:
        return _new_document_with_file(scope, innovation, indicator, data, title[:200])
    doc = Evidence(
        innovation_id=innovation.id,
        title=title[:200],
        document_number=data.document_number,
        document_date=data.document_date,
        subject=data.subject,
        link_url=data.link_url,
    )
    db.session.add(doc)
    db.session.flush()
    return doc


def _new_document_with_file(
    scope: Scope, innovation: Innovation, indicator: Indicator, data: NewDocument, title: str
) -> Evidence:
    allowed = indicator.file_type_list
    if not uploads.normalise_types(allowed):
        raise ClaimError(
            _("This indicator takes no uploaded file: give a link to the document instead."),
            indicator.id,
            "doc_file",
        )
    try:
        return evidence_services.create_document(
            innovation,
            title,
            document_number=data.document_number,
            document_date=data.document_date,
            subject=data.subject,
            link=data.link_url,
            upload=data.upload,
            allowed_types=allowed,
            scope=scope,
        )
    except evidence_services.NotAllowed:
        raise NotAllowed(_("You may not change these claims.")) from None
    except evidence_services.ServiceError as error:
        name = DOCUMENT_FIELDS.get(error.field or "", "doc_file")
        raise ClaimError(error.message, indicator.id, name) from None


@dataclass
class RegionClaimInput:
    indicator_id: int
    level: int
    document_number: str = ""
    document_date: date | None = None
    subject: str = ""
    link_url: str = ""
    note: str = ""
    version: int = 0


def save_region_claims(
    scope: Scope,
    year: AssessmentYear,
    region: Region,
    rows: Sequence[RegionClaimInput],
    user_id: int | None,
) -> int:
    """Create or update the region's SPD claims of `year`; returns how many changed."""
    if not RegionClaim(region_id=region.id).writable_in(scope):
        raise NotAllowed(_("You may not change these claims."))
    ensure_claims_open(year)
    existing = {row.indicator.id: row.claim for row in scoring.region_rows(year, region)}
    for row in rows:
        if row.indicator_id not in existing:
            raise ClaimError(_("This indicator is not part of the year's catalogue."))
        claim = existing[row.indicator_id]
        if (claim.version if claim else 0) != row.version:
            raise _stale()
        if not 0 <= row.level <= 3:
            raise ClaimError(_("Choose one of the listed options."), row.indicator_id)
    changed = 0
    fields = ("level", "document_number", "document_date", "subject", "link_url", "note")
    for row in rows:
        claim = existing[row.indicator_id]
        values = {name: getattr(row, name) for name in fields}
        if claim is None:
            if not any(values.values()):
                continue
            claim = RegionClaim(region_id=region.id, indicator_id=row.indicator_id)
            db.session.add(claim)
        elif all(getattr(claim, name) == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(claim, name, value)
        claim.updated_by_id = user_id
        changed += 1
    db.session.flush()
    return changed
