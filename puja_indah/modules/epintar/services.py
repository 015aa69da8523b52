"""e-pintar's writes: validate, change, flush — never commit (the view commits once).

A refused change raises `Refused(message, field)`; the view rolls back and shows the message
beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from puja_indah.core.db import utcnow
from puja_indah.core.tenancy import Scope, cross_agency_read
from puja_indah.extensions import db
from puja_indah.modules.epintar.models import (
    Announcement,
    Feedback,
    FeedbackRole,
    FeedbackStatus,
    School,
    SchoolLevel,
)

NPSN_READ = "e-pintar: NPSN is unique nationally"


class Refused(Exception):
    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class SchoolData:
    npsn: str
    name: str
    level: str
    district: str
    address: str = ""
    active: bool = True


def _npsn_taken(npsn: str, except_id: int | None) -> bool:
    """NPSN is national: a school of any agency (another region's too) already holding it counts.
    A named cross-agency read that answers yes or no, nothing else."""
    with cross_agency_read(NPSN_READ, db.engine) as session:
        query = select(School.id).where(School.npsn == npsn)
        if except_id is not None:
            query = query.where(School.id != except_id)
        return session.scalar(query.limit(1)) is not None


def _check_school(data: SchoolData, except_id: int | None) -> None:
    if not (len(data.npsn) == 8 and data.npsn.isascii() and data.npsn.isdigit()):
        raise Refused(_("The NPSN has exactly 8 digits, e.g. 40404040."), "npsn")
    if data.level not in {level.value for level in SchoolLevel}:
        raise Refused(_("Choose one of the listed options."), "level")
    if _npsn_taken(data.npsn, except_id):
        raise Refused(_("A school with this NPSN is already registered."), "npsn")


def _apply(school: School, data: SchoolData) -> None:
    school.npsn = data.npsn
    school.name = data.name
    school.level = SchoolLevel(data.level)
    school.district = data.district
    school.address = data.address
    school.active = data.active


def create_school(scope: Scope, data: SchoolData) -> School:
    _check_school(data, None)
    school = School(agency_id=scope.agency_id)
    _apply(school, data)
    db.session.add(school)
    db.session.flush()
    return school


def update_school(school: School, data: SchoolData) -> None:
    _check_school(data, school.id)
    _apply(school, data)
    db.session.flush()


def _own_school(school_id: int | None) -> int | None:
    if school_id is None:
        return None
    found = db.session.scalar(select(School.id).where(School.id == school_id))
    if found is None:
        raise Refused(_("Choose one of the listed options."), "school_id")
    return int(found)


def save_announcement(
    scope: Scope,
    announcement: Announcement | None,
    *,
    school_id: int | None,
    title: str,
    body: str,
    expires_on: date | None,
    user_id: int | None,
) -> Announcement:
    """Create (announcement None) or change an announcement; a new one starts as a draft."""
    school_id = _own_school(school_id)
    if announcement is None:
        announcement = Announcement(agency_id=scope.agency_id, created_by_id=user_id)
        db.session.add(announcement)
    announcement.school_id = school_id
    announcement.title = title
    announcement.body = body
    announcement.expires_on = expires_on
    db.session.flush()
    return announcement


def publish(announcement: Announcement, now: datetime | None = None) -> None:
    if announcement.published_at is None:
        announcement.published_at = now or utcnow()
    db.session.flush()


def unpublish(announcement: Announcement) -> None:
    announcement.published_at = None
    db.session.flush()


@dataclass(frozen=True)
class FeedbackData:
    rating: int
    comment: str
    sender_name: str
    sender_role: str


def receive_feedback(agency_id: int, school_id: int, data: FeedbackData) -> Feedback:
    """A visitor's feedback on a public school page, held for moderation. The caller runs this in
    the named system scope of public feedback (no one is signed in) and has checked that the
    school is active and its agency runs e-pintar."""
    if not 1 <= data.rating <= 5:
        raise Refused(_("Choose a rating from 1 to 5."), "rating")
    if data.sender_role not in {role.value for role in FeedbackRole}:
        raise Refused(_("Choose who you are."), "sender_role")
    feedback = Feedback(
        agency_id=agency_id,
        school_id=school_id,
        rating=data.rating,
        comment=data.comment,
        sender_name=data.sender_name,
        sender_role=FeedbackRole(data.sender_role),
        status=FeedbackStatus.PENDING,
    )
    db.session.add(feedback)
    db.session.flush()
    return feedback


def moderate(feedback: Feedback, decision: str, user_id: int | None) -> None:
    if decision not in (FeedbackStatus.APPROVED.value, FeedbackStatus.HIDDEN.value):
        raise Refused(_("Choose approve or hide."), "decision")
    feedback.status = FeedbackStatus(decision)
    feedback.moderated_at = utcnow()
    feedback.moderated_by_id = user_id
    db.session.flush()
