"""e-pintar's reads.

Staff screens read through the request's session: agency scoping is the ORM's (tenancy).
The public school pages are a named cross-agency read, "e-pintar: public school pages": active
schools of agencies that run e-pintar, published and unexpired announcements, approved feedback
only — returned as plain values, never ORM objects. Participation figures are grouped queries,
one per figure, whatever the number of schools.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from puja_indah.core.clock import WITA, today_wita
from puja_indah.core.models import Agency
from puja_indah.core.registry import ModuleActivation
from puja_indah.core.tenancy import cross_agency_read
from puja_indah.extensions import db
from puja_indah.modules.epintar.models import (
    Announcement,
    Feedback,
    FeedbackStatus,
    School,
    SchoolLevel,
)

CODE = "epintar"
PUBLIC_READ = "e-pintar: public school pages"
PUBLIC_FEEDBACK_SHOWN = 50
MAX_SCHOOLS_LISTED = 500


def _month_key(column: Any) -> ColumnElement[str]:
    """'YYYY-MM' of a stored UTC datetime, in WITA (UTC+8, no daylight saving)."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Makassar", column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+8 hours")


def last_months(count: int = 12, today: date | None = None) -> list[str]:
    """The `count` months up to this one, oldest first, as 'YYYY-MM'."""
    today = today or today_wita()
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def _month_start_utc(key: str) -> datetime:
    year, month = (int(part) for part in key.split("-"))
    return datetime(year, month, 1, tzinfo=WITA).astimezone(UTC)


# --- staff screens ------------------------------------------------------------------------------


def schools(include_inactive: bool = True) -> list[School]:
    query = select(School).order_by(School.district, School.name)
    if not include_inactive:
        query = query.where(School.active.is_(True))
    return list(db.session.scalars(query))


def announcements() -> list[Announcement]:
    return list(
        db.session.scalars(
            select(Announcement).order_by(
                Announcement.published_at.is_(None).desc(),
                Announcement.published_at.desc(),
                Announcement.id.desc(),
            )
        )
    )


def feedback_queue(status: FeedbackStatus | None) -> list[Feedback]:
    query = select(Feedback).order_by(Feedback.received_at.desc(), Feedback.id.desc())
    if status is not None:
        query = query.where(Feedback.status == status)
    return list(db.session.scalars(query.limit(200)))


def feedback_counts() -> dict[str, int]:
    rows = db.session.execute(select(Feedback.status, func.count()).group_by(Feedback.status))
    return {str(getattr(status, "value", status)): count for status, count in rows}


@dataclass
class SchoolFigures:
    school_id: int
    name: str
    npsn: str
    district: str
    is_demo: bool
    announcements: int = 0
    received: int = 0
    approved: int = 0
    average_rating: float | None = None
    by_month: dict[str, int] = field(default_factory=dict)


@dataclass
class Participation:
    schools: list[SchoolFigures]
    months: list[str]
    # Announcements to every school of the agency (no school named).
    all_school_announcements: int
    total_by_month: dict[str, int]


def participation(today: date | None = None) -> Participation:
    """The current agency's figures per school: three grouped queries in all."""
    months = last_months(12, today)
    figures = {
        s.id: SchoolFigures(s.id, s.name, s.npsn, s.district, s.is_demo)
        for s in schools(include_inactive=True)
    }
    published = db.session.execute(
        select(Announcement.school_id, func.count())
        .where(Announcement.published_at.is_not(None))
        .group_by(Announcement.school_id)
    )
    all_schools = 0
    for school_id, count in published:
        if school_id is None:
            all_schools = count
        elif school_id in figures:
            figures[school_id].announcements = count
    approved = Feedback.status == FeedbackStatus.APPROVED
    rows = db.session.execute(
        select(
            Feedback.school_id,
            func.count(),
            func.sum(case((approved, 1), else_=0)),
            func.avg(case((approved, Feedback.rating), else_=None)),
        ).group_by(Feedback.school_id)
    )
    for school_id, received, approved_count, average in rows:
        if school_id in figures:
            entry = figures[school_id]
            entry.received = received
            entry.approved = int(approved_count or 0)
            entry.average_rating = None if average is None else round(float(average), 2)
    month = _month_key(Feedback.received_at)
    totals: dict[str, int] = {}
    rows = db.session.execute(
        select(Feedback.school_id, month, func.count())
        .where(Feedback.received_at >= _month_start_utc(months[0]))
        .group_by(Feedback.school_id, month)
    )
    for school_id, key, count in rows:
        if school_id in figures:
            figures[school_id].by_month[key] = count
        totals[key] = totals.get(key, 0) + count
    return Participation(list(figures.values()), months, all_schools, totals)


def agency_metrics(agency_id: int, today: date | None = None) -> tuple[int, int, float | None]:
    """Schools reached (active), feedback received this calendar year (WITA) and the average
    rating of approved feedback, for one agency (see `agency_metrics_many`)."""
    return agency_metrics_many([agency_id], today)[agency_id]


def agency_metrics_many(
    agency_ids: Sequence[int], today: date | None = None
) -> dict[int, tuple[int, int, float | None]]:
    """`agency_metrics` of each agency, two grouped queries whatever their number — filtered by
    `agency_id` explicitly, in whatever scope the caller reads in."""
    ids = list(dict.fromkeys(agency_ids))
    if not ids:
        return {}
    today = today or today_wita()
    year_start = datetime(today.year, 1, 1, tzinfo=WITA).astimezone(UTC)
    active = {
        int(agency_id): int(n)
        for agency_id, n in db.session.execute(
            select(School.agency_id, func.count(School.id))
            .where(School.agency_id.in_(ids), School.active.is_(True))
            .group_by(School.agency_id)
        )
    }
    approved = Feedback.status == FeedbackStatus.APPROVED
    feedback = {
        int(agency_id): (int(received or 0), None if average is None else float(average))
        for agency_id, received, average in db.session.execute(
            select(
                Feedback.agency_id,
                func.sum(case((Feedback.received_at >= year_start, 1), else_=0)),
                func.avg(case((approved, Feedback.rating), else_=None)),
            )
            .where(Feedback.agency_id.in_(ids))
            .group_by(Feedback.agency_id)
        )
    }
    return {
        agency_id: (active.get(agency_id, 0), *feedback.get(agency_id, (0, None)))
        for agency_id in ids
    }


# --- public school pages (named cross-agency read) ----------------------------------------------


@dataclass(frozen=True)
class PublicSchool:
    id: int
    name: str
    npsn: str
    level: SchoolLevel
    district: str
    address: str
    agency_name: str
    is_demo: bool


@dataclass(frozen=True)
class PublicAnnouncement:
    title: str
    body: str
    published_at: datetime | None
    expires_on: date | None
    for_all_schools: bool
    is_demo: bool


@dataclass(frozen=True)
class PublicFeedback:
    rating: int
    comment: str
    sender_name: str
    sender_role: str
    received_at: datetime


@dataclass(frozen=True)
class PublicSummary:
    announcements: int
    approved_feedback: int
    average_rating: float | None


@dataclass(frozen=True)
class PublicSchoolPage:
    school: PublicSchool
    agency_id: int
    announcements: list[PublicAnnouncement]
    feedback: list[PublicFeedback]
    summary: PublicSummary


def _running_epintar() -> Any:
    return select(ModuleActivation.agency_id).where(
        ModuleActivation.module_code == CODE, ModuleActivation.enabled.is_(True)
    )


def _public_school_query() -> Any:
    return (
        select(
            School.id,
            School.name,
            School.npsn,
            School.level,
            School.district,
            School.address,
            Agency.name,
            School.is_demo,
            School.agency_id,
        )
        .join(Agency, Agency.id == School.agency_id)
        .where(School.active.is_(True), School.agency_id.in_(_running_epintar()))
    )


def _public_school(row: Any) -> PublicSchool:
    return PublicSchool(*row[:8])


def public_schools(district: str | None) -> tuple[list[PublicSchool], list[str]]:
    """Active schools of agencies running e-pintar (optionally of one district), and every
    district that has one."""
    with cross_agency_read(PUBLIC_READ, db.engine) as session:
        query = _public_school_query()
        districts = sorted(
            {
                str(d)
                for d in session.scalars(
                    select(School.district)
                    .where(School.active.is_(True), School.agency_id.in_(_running_epintar()))
                    .distinct()
                )
                if d
            }
        )
        if district:
            query = query.where(School.district == district)
        rows = session.execute(
            query.order_by(School.district, School.name).limit(MAX_SCHOOLS_LISTED)
        ).all()
        return [_public_school(row) for row in rows], districts


def _visible_announcements(school_id: int, agency_id: int, today: date) -> Any:
    return and_(
        Announcement.agency_id == agency_id,
        or_(Announcement.school_id == school_id, Announcement.school_id.is_(None)),
        Announcement.published_at.is_not(None),
        or_(Announcement.expires_on.is_(None), Announcement.expires_on >= today),
    )


def public_school(school_id: int, today: date | None = None) -> PublicSchoolPage | None:
    """One school's public page, or None when it is unknown, inactive, or its agency does not run
    e-pintar (the view answers 404 for all three alike)."""
    today = today or today_wita()
    with cross_agency_read(PUBLIC_READ, db.engine) as session:
        row = session.execute(_public_school_query().where(School.id == school_id)).first()
        if row is None:
            return None
        agency_id = int(row[8])
        visible = _visible_announcements(school_id, agency_id, today)
        notices = [
            PublicAnnouncement(title, body, published, expires, school is None, demo)
            for title, body, published, expires, school, demo in session.execute(
                select(
                    Announcement.title,
                    Announcement.body,
                    Announcement.published_at,
                    Announcement.expires_on,
                    Announcement.school_id,
                    Announcement.is_demo,
                )
                .where(visible)
                .order_by(Announcement.published_at.desc(), Announcement.id.desc())
            )
        ]
        shown = and_(
            Feedback.agency_id == agency_id,
            Feedback.school_id == school_id,
            Feedback.status == FeedbackStatus.APPROVED,
        )
        feedback = [
            PublicFeedback(rating, comment, name, getattr(role, "value", role), received)
            for rating, comment, name, role, received in session.execute(
                select(
                    Feedback.rating,
                    Feedback.comment,
                    Feedback.sender_name,
                    Feedback.sender_role,
                    Feedback.received_at,
                )
                .where(shown)
                .order_by(Feedback.received_at.desc(), Feedback.id.desc())
                .limit(PUBLIC_FEEDBACK_SHOWN)
            )
        ]
        count, average = session.execute(
            select(func.count(Feedback.id), func.avg(Feedback.rating)).where(shown)
        ).one()
        published = session.scalar(
            select(func.count(Announcement.id)).where(
                Announcement.agency_id == agency_id,
                or_(Announcement.school_id == school_id, Announcement.school_id.is_(None)),
                Announcement.published_at.is_not(None),
            )
        )
        summary = PublicSummary(
            int(published or 0), int(count or 0), None if average is None else float(average)
        )
        return PublicSchoolPage(_public_school(row), agency_id, notices, feedback, summary)
