"""Replication log (duty 2 of SK 193/2018): an agency's record of replicating an innovation that
works elsewhere.

The replica is the agency's OWN innovation (origin = replication), referenced by
`(replica_id, agency_id)` so it cannot point into another agency. The source is either an
innovation on the platform, in any region — `source_innovation_id` is a plain foreign key, a
deliberate cross-agency reference that is only ever read through the named cross-agency reads of
`replications/queries.py` — or an innovation outside the platform, described by name, region,
agency and link. The source's name, region and agency are copied when the replication is logged,
so the agency's own screens never need to read another agency's row.

Status moves forward (minat → perjanjian → uji coba → diterapkan) or stops (dihentikan) from any
status that is not final; every change is dated and kept in `ReplicationStatusChange`. Agreement
documents are evidence documents of the same agency, linked by `ReplicationDocument`.
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
from puja_indah.evidence.models import Evidence
from puja_indah.innovations.models import Innovation


class ReplicationMode(enum.StrEnum):
    ADOPT = "adopt"  # taken over as it is
    ADAPT = "adapt"  # changed to fit the region


class ReplicationStatus(enum.StrEnum):
    INTEREST = "minat"
    AGREEMENT = "perjanjian"
    TRIAL = "uji_coba"
    APPLIED = "diterapkan"
    STOPPED = "dihentikan"

    @property
    def rank(self) -> int:
        return PROGRESS.index(self) if self in PROGRESS else len(PROGRESS)

    @property
    def final(self) -> bool:
        return self in (ReplicationStatus.APPLIED, ReplicationStatus.STOPPED)


# The forward path; dihentikan leaves it from any status that is not final.
PROGRESS = (
    ReplicationStatus.INTEREST,
    ReplicationStatus.AGREEMENT,
    ReplicationStatus.TRIAL,
    ReplicationStatus.APPLIED,
)
# Statuses that count for indicator 31 (replicated by 1 / 2 / 3 regions): an agreement was
# signed and the replication was not stopped. Interest alone is not a replication.
COUNTED_STATUSES = (
    ReplicationStatus.AGREEMENT,
    ReplicationStatus.TRIAL,
    ReplicationStatus.APPLIED,
)


def allowed_next(status: ReplicationStatus) -> list[ReplicationStatus]:
    """Forward to any later status of the path (a replication logged late may skip one), or stop;
    nothing after a final status."""
    if status.final:
        return []
    return [s for s in PROGRESS if s.rank > status.rank] + [ReplicationStatus.STOPPED]


class Replication(AgencyScoped, TimestampMixin, Base):
    __tablename__ = "replications"
    __table_args__ = (
        UniqueConstraint("id", "agency_id"),
        # One replica innovation records one replication.
        UniqueConstraint("replica_id"),
        ForeignKeyConstraint(
            ["replica_id", "agency_id"],
            ["innovations.id", "innovations.agency_id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint(
            "source_innovation_id IS NOT NULL OR source_name <> ''", name="source_named"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    replica_id: Mapped[int] = mapped_column(index=True)
    # A deliberate cross-agency reference (see the module docstring).
    source_innovation_id: Mapped[int | None] = mapped_column(
        ForeignKey("innovations.id", ondelete="SET NULL"), index=True
    )
    source_name: Mapped[str] = mapped_column(String(200))
    source_region_name: Mapped[str] = mapped_column(String(120), default="")
    source_agency_name: Mapped[str] = mapped_column(String(200), default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    mode: Mapped[ReplicationMode] = mapped_column(enum_column(ReplicationMode, "replication_mode"))
    status: Mapped[ReplicationStatus] = mapped_column(
        enum_column(ReplicationStatus, "replication_status"),
        default=ReplicationStatus.INTEREST,
        index=True,
    )
    status_on: Mapped[date] = mapped_column()
    lessons: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it

    replica: Mapped[Innovation] = relationship(
        foreign_keys="[Replication.replica_id, Replication.agency_id]", overlaps="agency"
    )
    changes: Mapped[list[ReplicationStatusChange]] = relationship(
        back_populates="replication",
        cascade="all, delete-orphan",
        order_by="(ReplicationStatusChange.changed_on, ReplicationStatusChange.id)",
        overlaps="agency",
    )
    documents: Mapped[list[ReplicationDocument]] = relationship(
        back_populates="replication",
        cascade="all, delete-orphan",
        order_by="ReplicationDocument.id",
        overlaps="agency",
    )

    @property
    def from_platform(self) -> bool:
        return self.source_innovation_id is not None

    def __str__(self) -> str:
        return self.source_name


class ReplicationStatusChange(AgencyScoped, TimestampMixin, Base):
    """A dated status change (the first row records the starting status)."""

    __tablename__ = "replication_status_changes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["replication_id", "agency_id"],
            ["replications.id", "replications.agency_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    replication_id: Mapped[int] = mapped_column(index=True)
    from_status: Mapped[ReplicationStatus | None] = mapped_column(
        enum_column(ReplicationStatus, "replication_status_from")
    )
    to_status: Mapped[ReplicationStatus] = mapped_column(
        enum_column(ReplicationStatus, "replication_status_to")
    )
    changed_on: Mapped[date] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    replication: Mapped[Replication] = relationship(back_populates="changes", overlaps="agency")
    user: Mapped[User | None] = relationship()


class ReplicationDocument(AgencyScoped, Base):
    """An agreement document (MoU, statement) of the replication: an evidence document of the
    same agency."""

    __tablename__ = "replication_documents"
    __table_args__ = (
        UniqueConstraint("replication_id", "evidence_id"),
        ForeignKeyConstraint(
            ["replication_id", "agency_id"],
            ["replications.id", "replications.agency_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["evidence_id", "agency_id"],
            ["evidence.id", "evidence.agency_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    replication_id: Mapped[int] = mapped_column(index=True)
    evidence_id: Mapped[int] = mapped_column(index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    replication: Mapped[Replication] = relationship(back_populates="documents", overlaps="agency")
    evidence: Mapped[Evidence] = relationship(overlaps="agency,replication,documents")
