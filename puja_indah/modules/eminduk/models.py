"""e-minduk's data: a civil-registration request rides on an e-tracking file (stages, SLA,
public code, history are the engine's); this table adds what only e-minduk knows — the NIK,
the applicant's phone and the hand-over batch for the national registry operator.

Personal data: `nik` and `phone` are never written to the audit trail in clear
(`audit_redacted`), and screens show the NIK masked unless `can_see_full_nik` allows it.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.db import AgencyScoped, Base, TimestampMixin
from puja_indah.core.models import User
from puja_indah.modules.etracking.models import TrackedFile


class HandoverBatch(AgencyScoped, TimestampMixin, Base):
    """Completed requests handed over together to the national registry operator."""

    __tablename__ = "emd_batches"
    __table_args__ = (UniqueConstraint("id", "agency_id"), UniqueConstraint("agency_id", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # "SERAH/2026/0001": per agency and year, shown on the list and in the CSV's file name.
    number: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()
    requests: Mapped[list[CivilRequest]] = relationship(
        back_populates="batch", order_by="CivilRequest.id", overlaps="agency,file"
    )


class CivilRequest(AgencyScoped, TimestampMixin, Base):
    __tablename__ = "emd_requests"
    __table_args__ = (
        UniqueConstraint("id", "agency_id"),
        # One request per e-tracking file.
        UniqueConstraint("file_id"),
        ForeignKeyConstraint(["file_id", "agency_id"], ["et_files.id", "et_files.agency_id"]),
        # A request is in at most one batch (one column), of its own agency (composite key).
        ForeignKeyConstraint(
            ["batch_id", "agency_id"], ["emd_batches.id", "emd_batches.agency_id"]
        ),
        CheckConstraint("length(nik) = 16", name="nik_length"),
    )
    # Columns the audit trail records as "[disembunyikan]" (core/audit.py).
    audit_redacted = frozenset({"nik", "phone"})

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column()
    nik: Mapped[str] = mapped_column(String(16), index=True)
    phone: Mapped[str] = mapped_column(String(30), default="")
    batch_id: Mapped[int | None] = mapped_column(index=True)

    file: Mapped[TrackedFile] = relationship(overlaps="agency,requests")
    batch: Mapped[HandoverBatch | None] = relationship(
        back_populates="requests", overlaps="agency,file"
    )
