"""Review decisions: a national reviewer's verdict on one SID indicator of one innovation (the
indicator fixes the assessment year), kept apart from the agency's claim (issue 5 point 3).

History: **append-only rows, the latest being current.** Each save inserts a new row whose
`version` is the previous one's plus one; nothing is ever updated or deleted outside a system
scope (flush guard, bulk guard and, on PostgreSQL, row-level security). Chosen over a "current"
table plus a history table because
- the history is exact by construction (a second table would be kept in step by hand);
- the reviewer's single write is an INSERT, so the database can refuse every UPDATE and DELETE
  for the application (rls.enable_reviewer_rls) — the one exception to "reviewers are read-only"
  stays as narrow as it can be;
- the unique key (innovation, indicator, version) is the version check: two reviewers who opened
  the same decision both try to insert version n+1 and the database lets only one through; the
  other is told what was saved meanwhile (views.py), never silently overwritten.
The current decision is the row with no later version (queries.current_filter()).

`agency_id` is the agency whose innovation is reviewed: the tenancy criteria let that agency (and
its region's monitor) read its decisions and nobody else's; `reviewer_writes` lets a national
reviewer's read-only scope insert them and forbids the agency to write them (core/tenancy.py).
"""

from __future__ import annotations

import enum
from typing import ClassVar

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.assessment.models import Indicator
from puja_indah.core.db import AgencyScoped, Base, TimestampMixin
from puja_indah.core.models import User, enum_column
from puja_indah.innovations.models import Innovation

MAX_NOTE = 2000


class Verdict(enum.StrEnum):
    VALID = "valid"
    NEEDS_REVISION = "needs_revision"


class ReviewDecision(AgencyScoped, TimestampMixin, Base):
    __tablename__ = "review_decisions"
    __table_args__ = (
        UniqueConstraint("innovation_id", "indicator_id", "version"),
        ForeignKeyConstraint(
            ["innovation_id", "agency_id"],
            ["innovations.id", "innovations.agency_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("accepted_level BETWEEN 0 AND 3", name="accepted_level_range"),
        CheckConstraint("claim_level BETWEEN 0 AND 3", name="claim_level_range"),
        CheckConstraint("claim_version >= 0", name="claim_version_min"),
        CheckConstraint(
            "verdict <> 'needs_revision' OR length(note) > 0", name="revision_needs_note"
        ),
    )

    reviewer_writes: ClassVar[bool] = True

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(index=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_indicators.id", ondelete="RESTRICT"), index=True
    )
    # 1, 2, 3 … per (innovation, indicator): the highest is the current decision.
    version: Mapped[int] = mapped_column(default=1)
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict, "review_verdict"))
    # The level the reviewer accepts (0: none of the indicator's levels is proven).
    accepted_level: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    # What the reviewer saw: the claimed level and the claim's version (0: there was no claim).
    # A claim changed after its decision (another version) is pending review again.
    claim_level: Mapped[int] = mapped_column(default=0)
    claim_version: Mapped[int] = mapped_column(default=0)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    innovation: Mapped[Innovation] = relationship(overlaps="agency")
    indicator: Mapped[Indicator] = relationship()
    reviewer: Mapped[User | None] = relationship()

    @property
    def needs_revision(self) -> bool:
        return self.verdict is Verdict.NEEDS_REVISION
