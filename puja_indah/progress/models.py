"""Milestones: a dated, story-like record of an innovation's progress (DOMAIN §5, after Decidim's
accountability results).

A milestone belongs to one innovation of one agency and states how far the innovation has come
(progress %, 0–100). The innovation's progress is the progress of its latest milestone by date
(see `progress.rules`). Attachments cite evidence documents of the same agency; both links are
composite `(…_id, agency_id)` keys, so a milestone can neither sit under nor cite another agency's
rows. The version column lets an edit form opened earlier be refused instead of overwriting.
"""

from __future__ import annotations

from datetime import date

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

from puja_indah.core.db import AgencyScoped, Base, TimestampMixin
from puja_indah.core.models import User
from puja_indah.evidence.models import Evidence
from puja_indah.innovations.models import Innovation


class Milestone(AgencyScoped, TimestampMixin, Base):
    __tablename__ = "milestones"
    __table_args__ = (
        # Target of the attachments' (milestone_id, agency_id) key.
        UniqueConstraint("id", "agency_id"),
        ForeignKeyConstraint(
            ["innovation_id", "agency_id"],
            ["innovations.id", "innovations.agency_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        # The roll-ups pick each innovation's latest milestone: (innovation, date, id) serves it.
        Index("ix_milestones_latest", "innovation_id", "happened_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(index=True)
    happened_on: Mapped[date] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int] = mapped_column(default=0)
    # Shown in the public catalogue once the innovation is published; otherwise internal.
    public: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it

    innovation: Mapped[Innovation] = relationship(overlaps="agency")
    updated_by: Mapped[User | None] = relationship()
    attachments: Mapped[list[MilestoneAttachment]] = relationship(
        back_populates="milestone",
        cascade="all, delete-orphan",
        order_by="MilestoneAttachment.id",
        overlaps="agency",
    )

    def __str__(self) -> str:
        return self.title


class MilestoneAttachment(AgencyScoped, Base):
    """A milestone cites one of its agency's evidence documents."""

    __tablename__ = "milestone_attachments"
    __table_args__ = (
        UniqueConstraint("milestone_id", "evidence_id"),
        ForeignKeyConstraint(
            ["milestone_id", "agency_id"],
            ["milestones.id", "milestones.agency_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["evidence_id", "agency_id"],
            ["evidence.id", "evidence.agency_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(index=True)
    evidence_id: Mapped[int] = mapped_column(index=True)

    milestone: Mapped[Milestone] = relationship(back_populates="attachments", overlaps="agency")
    evidence: Mapped[Evidence] = relationship(overlaps="agency,milestone,attachments")
