"""Innovation profiles (DOMAIN §2.1) and their stage history.

An innovation belongs to one agency (the tenant) and, through it, one region: the name is unique
within the region (`name_key` is the name folded for comparison). Children repeat `agency_id` and
reference the innovation by `(innovation_id, agency_id)`, so a child cannot point into another
agency. The profile carries a version column; forms send the version they were opened at, so a
stale save is refused instead of overwriting someone else's work.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.db import UNMAPPED_SCHEMA_PREFIXES, AgencyScoped, Base, TimestampMixin
from puja_indah.core.models import Agency, Region, User, enum_column
from puja_indah.reference.models import Affair, InitiatorKind, Theme

if TYPE_CHECKING:
    from puja_indah.agencies.models import Appointment


class Stage(enum.StrEnum):
    """Tahapan, in order (PP 38/2017)."""

    INITIATIVE = "inisiatif"
    TRIAL = "uji_coba"
    IMPLEMENTATION = "penerapan"

    @property
    def rank(self) -> int:
        return list(Stage).index(self)


class Origin(enum.StrEnum):
    ASSIGNED = "assigned"  # the agency's assigned innovation of an SK appointment
    OWN = "own"  # the agency's own initiative
    REPLICATION = "replication"  # a replica of an innovation that works elsewhere (duty 2)


class InnovationKind(enum.StrEnum):
    """Jenis."""

    DIGITAL = "digital"
    NON_DIGITAL = "non_digital"


class InnovationForm(enum.StrEnum):
    """Bentuk."""

    GOVERNANCE = "tata_kelola"
    PUBLIC_SERVICE = "pelayanan_publik"
    OTHER = "lainnya"


class ProfileStatus(enum.StrEnum):
    DRAFT = "draft"  # saved with any subset of fields
    COMPLETE = "complete"  # submitted as complete: validated in full


# The rancang bangun sections, in IID order; together at least DESIGN_MIN_WORDS words.
DESIGN_SECTIONS = (
    "design_legal_basis",
    "design_problem",
    "design_strategic_issues",
    "design_method",
    "design_advantages",
    "design_how_it_works",
)
DESIGN_MIN_WORDS = 300


class Innovation(AgencyScoped, TimestampMixin, Base):
    __tablename__ = "innovations"
    __table_args__ = (
        # Target of the children's (innovation_id, agency_id) keys.
        UniqueConstraint("id", "agency_id"),
        UniqueConstraint("region_id", "name_key"),
        # The list's and the API's sort orders: a page is read in index order and the scan stops
        # after it, instead of sorting every innovation in scope (30,000 nationally).
        Index("ix_innovations_name_key_id", "name_key", "id"),
        Index("ix_innovations_updated_at_id", "updated_at", "id"),
        # The region is the agency's region: checked by the database, not remembered.
        ForeignKeyConstraint(["agency_id", "region_id"], ["agencies.id", "agencies.region_id"]),
        CheckConstraint(
            "trial_date IS NULL OR implementation_date IS NULL"
            " OR trial_date <= implementation_date",
            name="trial_before_implementation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"), index=True
    )
    origin: Mapped[Origin] = mapped_column(enum_column(Origin, "innovation_origin"))
    status: Mapped[ProfileStatus] = mapped_column(
        enum_column(ProfileStatus, "innovation_profile_status"), default=ProfileStatus.DRAFT
    )
    stage: Mapped[Stage] = mapped_column(
        enum_column(Stage, "innovation_stage"), default=Stage.INITIATIVE, index=True
    )

    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    initiator_kind_id: Mapped[int | None] = mapped_column(ForeignKey("initiator_kinds.id"))
    initiator_name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[InnovationKind | None] = mapped_column(
        enum_column(InnovationKind, "innovation_kind")
    )
    form: Mapped[InnovationForm | None] = mapped_column(
        enum_column(InnovationForm, "innovation_form")
    )
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), index=True)
    affair_id: Mapped[int | None] = mapped_column(ForeignKey("affairs.id"), index=True)
    trial_date: Mapped[date | None] = mapped_column()
    implementation_date: Mapped[date | None] = mapped_column()
    developed_further: Mapped[bool | None] = mapped_column()
    developed_note: Mapped[str] = mapped_column(Text, default="")

    # Rancang bangun, in its IID sections.
    design_legal_basis: Mapped[str] = mapped_column(Text, default="")
    design_problem: Mapped[str] = mapped_column(Text, default="")
    design_strategic_issues: Mapped[str] = mapped_column(Text, default="")
    design_method: Mapped[str] = mapped_column(Text, default="")
    design_advantages: Mapped[str] = mapped_column(Text, default="")
    design_how_it_works: Mapped[str] = mapped_column(Text, default="")

    goals: Mapped[str] = mapped_column(Text, default="")
    benefits: Mapped[str] = mapped_column(Text, default="")
    results_before: Mapped[str] = mapped_column(Text, default="")
    results_after: Mapped[str] = mapped_column(Text, default="")
    # The IID's document fields are described here; their files live in the evidence vault.
    budget_note: Mapped[str] = mapped_column(Text, default="")
    business_profile: Mapped[str] = mapped_column(Text, default="")
    ip_note: Mapped[str] = mapped_column(Text, default="")
    awards: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")

    # OECD OPSI additions.
    challenges: Mapped[str] = mapped_column(Text, default="")
    success_conditions: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    replication_prerequisites: Mapped[str] = mapped_column(Text, default="")

    # Public catalogue: nothing is public until the agency publishes it.
    published: Mapped[bool] = mapped_column(default=False, index=True)
    published_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it

    agency: Mapped[Agency] = relationship(foreign_keys=lambda: [Innovation.agency_id])
    region: Mapped[Region] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    initiator_kind: Mapped[InitiatorKind | None] = relationship()
    theme: Mapped[Theme | None] = relationship()
    affair: Mapped[Affair | None] = relationship()
    updated_by: Mapped[User | None] = relationship()
    other_affairs: Mapped[list[InnovationAffair]] = relationship(
        back_populates="innovation", cascade="all, delete-orphan", overlaps="agency"
    )
    stage_changes: Mapped[list[StageChange]] = relationship(
        back_populates="innovation",
        cascade="all, delete-orphan",
        order_by="(StageChange.changed_on, StageChange.id)",
        overlaps="agency",
    )

    def design_word_count(self) -> int:
        return sum(len((getattr(self, field) or "").split()) for field in DESIGN_SECTIONS)

    def __str__(self) -> str:
        return self.name


class InnovationAffair(AgencyScoped, Base):
    """Another urusan the innovation touches, besides its main one (an agency-owned link row, so
    the tenancy criteria cover it like any other row)."""

    __tablename__ = "innovation_affairs"
    __table_args__ = (
        UniqueConstraint("innovation_id", "affair_id"),
        ForeignKeyConstraint(
            ["innovation_id", "agency_id"],
            ["innovations.id", "innovations.agency_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(index=True)
    affair_id: Mapped[int] = mapped_column(ForeignKey("affairs.id"))

    innovation: Mapped[Innovation] = relationship(back_populates="other_affairs", overlaps="agency")
    affair: Mapped[Affair] = relationship()


class StageChange(AgencyScoped, TimestampMixin, Base):
    """A dated move between stages, kept as history (the first row records the starting stage)."""

    __tablename__ = "innovation_stage_changes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["innovation_id", "agency_id"],
            ["innovations.id", "innovations.agency_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(index=True)
    # Each CHECK needs its own name within the table.
    from_stage: Mapped[Stage | None] = mapped_column(enum_column(Stage, "innovation_stage_from"))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage, "innovation_stage_to"))
    changed_on: Mapped[date] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    innovation: Mapped[Innovation] = relationship(back_populates="stage_changes", overlaps="agency")
    user: Mapped[User | None] = relationship()


# Full-text search (innovations/search.py): on PostgreSQL a stored generated tsvector column with
# a GIN index (`ix_innovations_search_document`), an FTS5 table kept in sync by triggers on
# SQLite. Created by the migrations only; no model maps them.
SEARCH_TABLE = "innovations_search"
SEARCH_INDEX = "ix_innovations_search"
SEARCH_DOCUMENT = "search_document"
# The searched text, in this order: name, summary, goals and the rancang bangun sections.
SEARCH_COLUMNS = ("name", "summary", "goals", *DESIGN_SECTIONS)
UNMAPPED_SCHEMA_PREFIXES.update({SEARCH_TABLE, SEARCH_INDEX, SEARCH_DOCUMENT})
