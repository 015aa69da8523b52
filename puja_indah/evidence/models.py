"""Evidence (bukti dukung): a document an agency keeps to prove a claim, a milestone or an
agreement, with every uploaded version of its file.

A document has the IID's descriptive fields (number, date, subject) and either files, a link, or
both. Files are stored by the storage layer under random keys outside the web root; each upload
adds an `EvidenceFile` version (nothing is overwritten), with its SHA-256. Deletion is soft
(`deleted_at`) and audited; a deleted document is hidden from lists but kept.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.db import AgencyScoped, Base, TimestampMixin
from puja_indah.core.models import User

if TYPE_CHECKING:
    from puja_indah.innovations.models import Innovation


class Evidence(AgencyScoped, TimestampMixin, Base):
    __tablename__ = "evidence"
    __table_args__ = (
        # Target of (evidence_id, agency_id) keys of rows that cite a document.
        UniqueConstraint("id", "agency_id"),
        ForeignKeyConstraint(
            ["innovation_id", "agency_id"],
            ["innovations.id", "innovations.agency_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The innovation it proves; NULL for an agency-wide document (e.g. an assignment letter).
    innovation_id: Mapped[int | None] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    document_number: Mapped[str] = mapped_column(String(120), default="")
    document_date: Mapped[date | None] = mapped_column()
    subject: Mapped[str] = mapped_column(String(300), default="")
    link_url: Mapped[str] = mapped_column(String(500), default="")
    # Evidence is never public unless the agency marks it so (public catalogue).
    public: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None] = mapped_column()
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it

    innovation: Mapped[Innovation | None] = relationship(overlaps="agency")
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="evidence",
        order_by="EvidenceFile.number",
        cascade="all, delete-orphan",
        overlaps="agency",
    )

    @property
    def current_file(self) -> EvidenceFile | None:
        return self.files[-1] if self.files else None


class EvidenceFile(AgencyScoped, Base):
    """One uploaded version of a document's file; versions are numbered from 1 and kept."""

    __tablename__ = "evidence_files"
    __table_args__ = (
        UniqueConstraint("evidence_id", "number"),
        ForeignKeyConstraint(
            ["evidence_id", "agency_id"],
            ["evidence.id", "evidence.agency_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(index=True)
    number: Mapped[int] = mapped_column()
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column()
    # Detected from the content ("application/pdf", "image/png", …), never taken from the client.
    content_type: Mapped[str] = mapped_column(String(100))
    # The uploader's file name, cleaned, used only as the download name.
    original_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    evidence: Mapped[Evidence] = relationship(back_populates="files", overlaps="agency")
    uploaded_by: Mapped[User | None] = relationship()
