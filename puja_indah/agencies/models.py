from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.db import AgencyScoped, Base, TimestampMixin
from puja_indah.core.models import Agency, Region, RegionManaged


class Decree(RegionManaged, TimestampMixin, Base):
    """A regional head's decree (SK) appointing agencies, e.g. SK Bupati Bombana 193/2018."""

    __tablename__ = "decrees"
    __table_args__ = (UniqueConstraint("region_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    # Unknown for SK 193/2018 in public sources: left empty rather than invented.
    signed_on: Mapped[date | None] = mapped_column()
    title: Mapped[str] = mapped_column(String(300))
    # The scanned decree, kept by the storage layer under a random key (never the user's name).
    pdf_key: Mapped[str | None] = mapped_column(String(80))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None] = mapped_column()

    region: Mapped[Region] = relationship()
    appointments: Mapped[list[Appointment]] = relationship(
        back_populates="decree", cascade="all, delete-orphan", order_by="Appointment.id"
    )

    def owning_region_id(self) -> int | None:
        return self.region_id


class Appointment(RegionManaged, TimestampMixin, Base):
    """An agency appointed by a decree, with its two duties (DOMAIN §1): implement the assigned
    innovation, and replicate innovations that already work elsewhere."""

    __tablename__ = "appointments"
    __table_args__ = (UniqueConstraint("decree_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decree_id: Mapped[int] = mapped_column(ForeignKey("decrees.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    # Empty for a coordinating agency such as Diskominfos.
    innovation_name: Mapped[str] = mapped_column(String(200), default="")
    innovation_description: Mapped[str] = mapped_column(Text, default="")
    must_implement: Mapped[bool] = mapped_column(default=True)
    must_replicate: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)

    decree: Mapped[Decree] = relationship(back_populates="appointments")
    agency: Mapped[Agency] = relationship()

    def owning_region_id(self) -> int | None:
        return self.decree.region_id if self.decree is not None else None


class AgencyProfile(AgencyScoped, TimestampMixin, Base):
    """The agency's own office details, kept by its officers; the public status pages of its
    service modules show the contact part."""

    __tablename__ = "agency_profiles"
    __table_args__ = (UniqueConstraint("agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    office_hours: Mapped[str] = mapped_column(String(120), default="")
    head_name: Mapped[str] = mapped_column(String(120), default="")
    innovation_contact: Mapped[str] = mapped_column(String(120), default="")
    # The form carries the version it was opened at, so a stale save is refused, not applied.
    version: Mapped[int] = mapped_column(default=1)

    agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it


__all__ = ["Agency", "AgencyProfile", "Appointment", "Decree", "Optional"]
