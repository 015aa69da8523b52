"""Writes of the progress feature: add, change and delete milestones and their attachments.

Every function checks the policy and the input first and raises `ServiceError` with a message in
the user's language, so a refused change never reaches the database; the tenancy flush guard (an
officer writes its own agency only) and the composite keys are the backstops. Functions flush but
never commit: the view commits once per request. Deletions are audited by the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from puja_indah.core import staleness
from puja_indah.core.clock import today_wita
from puja_indah.core.db import utcnow
from puja_indah.core.permissions import can_edit_own_agency_content
from puja_indah.core.tenancy import Scope
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation
from puja_indah.progress.models import Milestone, MilestoneAttachment

EARLIEST = date(2000, 1, 1)
MAX_ATTACHMENTS = 20
# The fields a milestone form shows, in order (also the keys of a conflict report).
FIELDS = ("happened_on", "title", "description", "progress", "public", "evidence_ids")


class ServiceError(Exception):
    """A change refused with a message for the user; `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The scope may not make this change (the view answers 403)."""


class MilestoneConflict(Exception):
    """Someone changed or deleted the milestone after this form was opened."""


@dataclass
class MilestoneInput:
    happened_on: date
    title: str
    description: str
    progress: int
    public: bool
    evidence_ids: list[int] = field(default_factory=list)
    # A link-only document to create and attach (both or neither).
    new_link_title: str = ""
    new_link_url: str = ""


def _ensure_editable(scope: Scope, innovation: Innovation) -> None:
    if not (can_edit_own_agency_content(scope) and innovation.agency_id == scope.agency_id):
        raise NotAllowed(_("Your role does not allow this change."))


def _validate(innovation: Innovation, data: MilestoneInput) -> list[Evidence]:
    if not 0 <= data.progress <= 100:
        raise ServiceError(_("Enter a whole number from 0 to 100."), "progress")
    if data.happened_on > today_wita():
        raise ServiceError(_("The date cannot be in the future."), "happened_on")
    if data.happened_on < EARLIEST:
        raise ServiceError(_("Enter a date from the year 2000 on."), "happened_on")
    if not data.title.strip():
        raise ServiceError(_("Fill in this field."), "title")
    if bool(data.new_link_title) != bool(data.new_link_url):
        raise ServiceError(
            _("Give both a title and an address for the new linked document."),
            "new_link_title" if not data.new_link_title else "new_link_url",
        )
    wanted = set(data.evidence_ids)
    if len(wanted) > MAX_ATTACHMENTS:
        raise ServiceError(_("Attach at most %(n)d documents.", n=MAX_ATTACHMENTS), "evidence_ids")
    # Documents of this innovation only (another agency's are not even visible: criteria).
    found = (
        list(
            db.session.scalars(
                select(Evidence).where(
                    Evidence.id.in_(wanted),
                    Evidence.innovation_id == innovation.id,
                    Evidence.deleted_at.is_(None),
                )
            )
        )
        if wanted
        else []
    )
    if len(found) != len(wanted):
        raise ServiceError(_("Choose documents of this innovation only."), "evidence_ids")
    return found


def save_milestone(
    scope: Scope,
    innovation: Innovation,
    milestone: Milestone | None,
    data: MilestoneInput,
    *,
    opened_version: int | None = None,
    user_id: int | None = None,
) -> Milestone:
    """Add (`milestone` None) or change a milestone of `innovation`. A change needs the version
    the form was opened at; a stale one raises MilestoneConflict."""
    _ensure_editable(scope, innovation)
    if milestone is not None and (opened_version is None or opened_version != milestone.version):
        raise MilestoneConflict()
    documents = _validate(innovation, data)
    if data.new_link_title:
        link = Evidence(
            agency_id=innovation.agency_id,
            innovation_id=innovation.id,
            title=data.new_link_title,
            link_url=data.new_link_url,
        )
        db.session.add(link)
        documents.append(link)

    if milestone is None:
        milestone = Milestone(agency_id=innovation.agency_id, innovation_id=innovation.id)
        db.session.add(milestone)
    changed = False
    for name in ("happened_on", "title", "description", "progress", "public"):
        value = getattr(data, name)
        if getattr(milestone, name) != value:
            setattr(milestone, name, value)
            changed = True
    # Attachments: keep the ones still chosen, drop the others, add the new ones.
    current = {a.evidence_id for a in milestone.attachments}
    wanted_ids = {d.id for d in documents if d.id is not None}
    for attachment in list(milestone.attachments):
        if attachment.evidence_id not in wanted_ids:
            milestone.attachments.remove(attachment)
            changed = True
    for document in documents:
        if document.id is None or document.id not in current:
            milestone.attachments.append(
                MilestoneAttachment(agency_id=innovation.agency_id, evidence=document)
            )
            changed = True
    if changed or milestone.id is None:
        # Touching the row bumps its version even when only attachments changed.
        milestone.updated_at = utcnow()
        milestone.updated_by_id = user_id
    try:
        db.session.flush()
    except StaleDataError:
        raise MilestoneConflict() from None
    except IntegrityError:
        raise ServiceError(_("Choose documents of this innovation only."), "evidence_ids") from None
    return milestone


def delete_milestone(scope: Scope, innovation: Innovation, milestone: Milestone) -> None:
    _ensure_editable(scope, innovation)
    db.session.delete(milestone)
    try:
        db.session.flush()
    except StaleDataError:
        raise MilestoneConflict() from None


# --- the stale-form check ------------------------------------------------------------------------


def milestone_values(milestone: Milestone | None) -> dict[str, str]:
    """What a form shows of a milestone, as text (the snapshot a conflict is judged against)."""
    if milestone is None:
        return dict.fromkeys(FIELDS, "")
    return {
        "happened_on": milestone.happened_on.isoformat(),
        "title": milestone.title,
        "description": milestone.description or "",
        "progress": str(milestone.progress),
        "public": "1" if milestone.public else "",
        "evidence_ids": ",".join(
            str(i) for i in sorted(a.evidence_id for a in milestone.attachments)
        ),
    }


def input_values(data: MilestoneInput) -> dict[str, str]:
    return {
        "happened_on": data.happened_on.isoformat(),
        "title": data.title,
        "description": data.description,
        "progress": str(data.progress),
        "public": "1" if data.public else "",
        "evidence_ids": ",".join(str(i) for i in sorted(set(data.evidence_ids))),
    }


def decode_snapshot(text: str | None) -> dict[str, str] | None:
    return staleness.decode_snapshot(text, FIELDS)


@dataclass(frozen=True)
class ConflictReport:
    deleted: bool
    changes: list[tuple[str, str]]  # (field name, the stored value now)
    version: int
    current: dict[str, str]


def describe_conflict(
    milestone: Milestone | None, opened: dict[str, str] | None, submitted: dict[str, str]
) -> ConflictReport:
    """What the other person changed: fields whose stored value differs from what the form was
    opened with (or, when that is unknown, from what this user submitted)."""
    if milestone is None:
        return ConflictReport(True, [], 0, dict.fromkeys(FIELDS, ""))
    current = milestone_values(milestone)
    basis = opened if opened is not None else submitted
    changes = [(name, current[name]) for name in FIELDS if current[name] != basis[name]]
    return ConflictReport(False, changes, milestone.version, current)
