"""Reference data: government affairs (urusan), yearly themes and initiator kinds.

National lists, shared by every region; monitors and administrators keep them (issue 3 point 3).
The flush guard asks `writable_in`, so a national reviewer or an agency cannot change them.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from puja_indah.core.db import Base, TimestampMixin
from puja_indah.core.models import RegionManaged, Role
from puja_indah.core.tenancy import Scope


class NationalReference(RegionManaged):
    """Writable by region monitors, platform administrators and system jobs."""

    def owning_region_id(self) -> int | None:
        return None

    def writable_in(self, scope: Scope) -> bool:
        if scope.read_only:
            return False
        if scope.kind == "system":
            return True
        return scope.role in (Role.REGION_MONITOR, Role.PLATFORM_ADMIN)


class Affair(NationalReference, TimestampMixin, Base):
    """A government affair (urusan pemerintahan); six are basic services (wajib pelayanan dasar)."""

    __tablename__ = "affairs"
    __table_args__ = (UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    basic_service: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name


class Theme(NationalReference, TimestampMixin, Base):
    """A theme (tematik) of one assessment year's list."""

    __tablename__ = "themes"
    __table_args__ = (
        UniqueConstraint("year", "name"),
        CheckConstraint("year BETWEEN 2000 AND 2200", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # The sources give no theme list: seeded themes are demo data until replaced.
    is_demo: Mapped[bool] = mapped_column(default=False)

    def __str__(self) -> str:
        return self.name


class InitiatorKind(NationalReference, TimestampMixin, Base):
    """Who initiated an innovation: kepala daerah, anggota DPRD, perangkat daerah, ASN, public."""

    __tablename__ = "initiator_kinds"
    __table_args__ = (UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name
