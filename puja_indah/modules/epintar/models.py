"""e-pintar's data (DOMAIN §4): schools, parents and the community take part in education.

- `School`: a school under the education agency (NPSN is the national school number: unique).
- `Announcement`: to the parents of one school, or of every school of the agency (no school).
  A draft has no `published_at`; it shows on the public page while published and not expired.
- `Feedback`: what a visitor sent from a school's public page. It is moderated before it shows:
  only `approved` feedback is public; who moderated and when is kept.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.db import AgencyScoped, Base, TimestampMixin, utcnow
from puja_indah.core.models import User, enum_column


class SchoolLevel(enum.StrEnum):
    PAUD = "paud"
    SD = "sd"
    SMP = "smp"
    SMA = "sma"
    SMK = "smk"
    SLB = "slb"


class School(AgencyScoped, TimestampMixin, Base):
    __tablename__ = "ep_schools"
    __table_args__ = (UniqueConstraint("id", "agency_id"), UniqueConstraint("npsn"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nomor Pokok Sekolah Nasional: 8 digits, one per school in the whole country.
    npsn: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[SchoolLevel] = mapped_column(enum_column(SchoolLevel, "ep_school_level"))
    district: Mapped[str] = mapped_column(String(80), default="", index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)


class Announcement(AgencyScoped, TimestampMixin, Base):
    __tablename__ = "ep_announcements"
    __table_args__ = (
        # A school's announcement must name a school of the same agency; no school: all schools.
        ForeignKeyConstraint(["school_id", "agency_id"], ["ep_schools.id", "ep_schools.agency_id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    # Plain text: shown escaped, line by line.
    body: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column()
    expires_on: Mapped[date | None] = mapped_column()
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    school: Mapped[School | None] = relationship(overlaps="agency")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class FeedbackRole(enum.StrEnum):
    PARENT = "parent"
    STUDENT = "student"
    OTHER = "other"


class FeedbackStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    HIDDEN = "hidden"


class Feedback(AgencyScoped, Base):
    __tablename__ = "ep_feedback"
    __table_args__ = (
        ForeignKeyConstraint(["school_id", "agency_id"], ["ep_schools.id", "ep_schools.agency_id"]),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(index=True)
    rating: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    # Optional: anonymous feedback is welcome. No address or contact is stored.
    sender_name: Mapped[str] = mapped_column(String(120), default="")
    sender_role: Mapped[FeedbackRole] = mapped_column(
        enum_column(FeedbackRole, "ep_feedback_role"), default=FeedbackRole.OTHER
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[FeedbackStatus] = mapped_column(
        enum_column(FeedbackStatus, "ep_feedback_status"),
        default=FeedbackStatus.PENDING,
        index=True,
    )
    moderated_at: Mapped[datetime | None] = mapped_column()
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    school: Mapped[School] = relationship(overlaps="agency")
    moderated_by: Mapped[User | None] = relationship()
