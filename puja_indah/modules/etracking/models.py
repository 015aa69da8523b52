"""The e-tracking engine's data (ARCHITECTURE §4, DOMAIN §3).

- `Process` / `ProcessVersion` / `StageDefinition` / `FileKind`: versioned process definitions
  owned by the desk agency (BKD for SPM → SP2D, DPMPTSP for licences). A version that a file has
  used is never changed: editing makes the next version, and a running file keeps the version it
  started with.
- `WorkingCalendar` (per agency) and `CollectiveLeave` (per region): the working time an SLA is
  counted in, on top of the national holidays of the `holidays` package.
- `TrackedFile` and `FileEvent`: a file at the desk and its history. Events are numbered per file
  (`sequence`, unique): two clerks acting on the same file at once cannot both append the same
  next step — one insert wins, the other is refused and told why.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.db import AgencyScoped, Base, TimestampMixin
from puja_indah.core.models import Agency, Region, RegionManaged, User, enum_column


class Process(AgencyScoped, TimestampMixin, Base):
    """A kind of file a desk handles, e.g. "Pencairan anggaran (SPM → SP2D)"."""

    __tablename__ = "et_processes"
    __table_args__ = (UniqueConstraint("id", "agency_id"), UniqueConstraint("agency_id", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    # Which preset it was made from ("bkd_spm", "dpmptsp_permit"), empty when built by hand.
    preset: Mapped[str] = mapped_column(String(40), default="")
    # Files from other agencies (SPM) or from the public (licences): who appears as submitter.
    submitted_by_agencies: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)

    versions: Mapped[list[ProcessVersion]] = relationship(
        back_populates="process", order_by="ProcessVersion.number", overlaps="agency"
    )


class ProcessVersion(AgencyScoped, TimestampMixin, Base):
    __tablename__ = "et_process_versions"
    __table_args__ = (
        UniqueConstraint("id", "agency_id"),
        UniqueConstraint("process_id", "number"),
        ForeignKeyConstraint(
            ["process_id", "agency_id"], ["et_processes.id", "et_processes.agency_id"]
        ),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(index=True)
    number: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")

    process: Mapped[Process] = relationship(back_populates="versions", overlaps="agency")
    stages: Mapped[list[StageDefinition]] = relationship(
        back_populates="version", order_by="StageDefinition.position", overlaps="agency"
    )
    file_kinds: Mapped[list[FileKind]] = relationship(
        back_populates="version", order_by="FileKind.position", overlaps="agency"
    )


class StageDefinition(AgencyScoped, Base):
    __tablename__ = "et_stages"
    __table_args__ = (
        UniqueConstraint("id", "agency_id"),
        UniqueConstraint("version_id", "position"),
        UniqueConstraint("version_id", "code"),
        ForeignKeyConstraint(
            ["version_id", "agency_id"], ["et_process_versions.id", "et_process_versions.agency_id"]
        ),
        CheckConstraint("position >= 0", name="position_not_negative"),
        CheckConstraint("sla_minutes IS NULL OR sla_minutes > 0", name="sla_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column()
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    # What the public status page says; never internal detail.
    public_label: Mapped[str] = mapped_column(String(120))
    # Roles that may act on a file in this stage: "agency_officer", "agency_lead" (comma list).
    roles: Mapped[str] = mapped_column(String(120), default="agency_officer,agency_lead")
    sla_minutes: Mapped[int | None] = mapped_column()
    may_return: Mapped[bool] = mapped_column(default=False)
    terminal: Mapped[bool] = mapped_column(default=False)

    version: Mapped[ProcessVersion] = relationship(back_populates="stages", overlaps="agency")

    @property
    def role_list(self) -> list[str]:
        return [part.strip() for part in self.roles.split(",") if part.strip()]


class FileKind(AgencyScoped, Base):
    """A type of file with its document checklist, e.g. SPM-LS."""

    __tablename__ = "et_file_kinds"
    __table_args__ = (
        UniqueConstraint("id", "agency_id"),
        UniqueConstraint("version_id", "code"),
        ForeignKeyConstraint(
            ["version_id", "agency_id"], ["et_process_versions.id", "et_process_versions.agency_id"]
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    # The documents the desk ticks at intake, in order.
    checklist: Mapped[list[str]] = mapped_column(JSON, default=list)

    version: Mapped[ProcessVersion] = relationship(back_populates="file_kinds", overlaps="agency")


class WorkingCalendar(AgencyScoped, TimestampMixin, Base):
    """The desk agency's office hours; absent means 08:00–16:00 WITA, Monday to Friday."""

    __tablename__ = "et_calendars"
    __table_args__ = (
        UniqueConstraint("agency_id"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opens: Mapped[time] = mapped_column(default=time(8, 0))
    closes: Mapped[time] = mapped_column(default=time(16, 0))
    # ISO weekday numbers as Python counts them (Monday 0), comma-separated.
    weekdays: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4")
    zone: Mapped[str] = mapped_column(String(40), default="Asia/Makassar")
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it


class CollectiveLeave(RegionManaged, TimestampMixin, Base):
    """A local day off (cuti bersama) of a region, entered by its monitor or an administrator."""

    __tablename__ = "et_collective_leave"
    __table_args__ = (UniqueConstraint("region_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(120))

    region: Mapped[Region] = relationship()

    def owning_region_id(self) -> int | None:
        return self.region_id


class FileStatus(enum.StrEnum):
    OPEN = "open"  # at one of the desk's stages
    RETURNED = "returned"  # with the submitter for correction: the SLA clock pauses
    REJECTED = "rejected"  # terminal, with a reason
    COMPLETED = "completed"  # reached the terminal stage


class TrackedFile(AgencyScoped, TimestampMixin, Base):
    """A file at the desk (an SPM, a licence application). Owned by the desk agency; the
    submitting agency reads it through a named cross-agency view, never directly."""

    __tablename__ = "et_files"
    __table_args__ = (
        UniqueConstraint("id", "agency_id"),
        UniqueConstraint("public_code"),
        ForeignKeyConstraint(
            ["version_id", "agency_id"], ["et_process_versions.id", "et_process_versions.agency_id"]
        ),
        ForeignKeyConstraint(
            ["file_kind_id", "agency_id"], ["et_file_kinds.id", "et_file_kinds.agency_id"]
        ),
        ForeignKeyConstraint(["stage_id", "agency_id"], ["et_stages.id", "et_stages.agency_id"]),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(index=True)
    file_kind_id: Mapped[int] = mapped_column(index=True)
    stage_id: Mapped[int] = mapped_column(index=True)
    status: Mapped[FileStatus] = mapped_column(
        enum_column(FileStatus, "et_file_status"), default=FileStatus.OPEN, index=True
    )
    # Random, checked, human-friendly (codes.py); the only thing the public page is found by.
    public_code: Mapped[str] = mapped_column(String(13))
    internal_number: Mapped[str] = mapped_column(String(80), default="")
    # Private: never on the public page, the receipt's public part, or the submitter's list.
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    submitter_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    checklist_ticked: Mapped[list[str]] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime] = mapped_column(index=True)
    # When the current stage began (the SLA clock of that stage starts here).
    stage_entered_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    # The sequence number of the last event: the next step must be exactly this + 1.
    last_sequence: Mapped[int] = mapped_column(default=0)

    version: Mapped[ProcessVersion] = relationship(overlaps="agency")
    file_kind: Mapped[FileKind] = relationship(overlaps="agency,version")
    stage: Mapped[StageDefinition] = relationship(overlaps="agency,version,file_kind")
    submitter_agency: Mapped[Agency | None] = relationship(foreign_keys=[submitter_agency_id])
    events: Mapped[list[FileEvent]] = relationship(
        back_populates="file", order_by="FileEvent.sequence", overlaps="agency"
    )


class FileAction(enum.StrEnum):
    RECEIVE = "receive"
    ADVANCE = "advance"
    RETURN = "return"
    RESUME = "resume"
    REJECT = "reject"
    COMPLETE = "complete"


class FileEvent(AgencyScoped, Base):
    """One step in a file's history; append-only."""

    __tablename__ = "et_file_events"
    __table_args__ = (
        UniqueConstraint("file_id", "sequence"),
        ForeignKeyConstraint(["file_id", "agency_id"], ["et_files.id", "et_files.agency_id"]),
        ForeignKeyConstraint(
            ["from_stage_id", "agency_id"], ["et_stages.id", "et_stages.agency_id"]
        ),
        ForeignKeyConstraint(["to_stage_id", "agency_id"], ["et_stages.id", "et_stages.agency_id"]),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        CheckConstraint(
            "working_minutes IS NULL OR working_minutes >= 0", name="working_minutes_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(index=True)
    sequence: Mapped[int] = mapped_column()
    action: Mapped[FileAction] = mapped_column(enum_column(FileAction, "et_file_action"))
    from_stage_id: Mapped[int | None] = mapped_column()
    to_stage_id: Mapped[int | None] = mapped_column()
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    # Working minutes the file spent in `from_stage` (pauses excluded), stored when it left it:
    # the SLA analytics read these instead of recomputing calendars over a million events.
    working_minutes: Mapped[int | None] = mapped_column()
    breached: Mapped[bool | None] = mapped_column()

    file: Mapped[TrackedFile] = relationship(back_populates="events", overlaps="agency")
    # Read-only paths: the ids are written by the services (and are checked by the
    # composite keys to be stages of the same agency).
    from_stage: Mapped[StageDefinition | None] = relationship(
        primaryjoin="FileEvent.from_stage_id == StageDefinition.id",
        foreign_keys=[from_stage_id],
        viewonly=True,
    )
    to_stage: Mapped[StageDefinition | None] = relationship(
        primaryjoin="FileEvent.to_stage_id == StageDefinition.id",
        foreign_keys=[to_stage_id],
        viewonly=True,
    )
    user: Mapped[User | None] = relationship()
