"""The tenancy spine every feature relies on: regions, agencies (tenants), users and memberships.

Kept in core because the tenancy layer and the policy functions need them; feature-owned data
lives in feature packages.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.db import Base, TimestampMixin

if TYPE_CHECKING:
    from puja_indah.agencies.models import AgencyProfile
    from puja_indah.core.tenancy import Scope


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """Store enum *values* (stable lowercase words) with a named CHECK, portable to SQLite."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class RegionKind(enum.StrEnum):
    PROVINCE = "provinsi"
    REGENCY = "kabupaten"
    CITY = "kota"


class Role(enum.StrEnum):
    AGENCY_OFFICER = "agency_officer"
    AGENCY_LEAD = "agency_lead"
    REGION_MONITOR = "region_monitor"
    NATIONAL_REVIEWER = "national_reviewer"
    PLATFORM_ADMIN = "platform_admin"

    @property
    def scope_level(self) -> str:
        if self in (Role.AGENCY_OFFICER, Role.AGENCY_LEAD):
            return "agency"
        if self is Role.REGION_MONITOR:
            return "region"
        return "national"


class RegionManaged:
    """Marks data a region monitor (or a platform admin) manages: agencies, decrees, appointments.

    The flush guard asks `writable_in(scope)` before any insert, update or delete.
    """

    def owning_region_id(self) -> int | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def writable_in(self, scope: Scope) -> bool:
        if scope.read_only:
            return False
        if scope.kind in ("system", "national"):
            return True
        return scope.kind == "region" and scope.region_id == self.owning_region_id()


class Region(RegionManaged, TimestampMixin, Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kemendagri region code, e.g. "74.06" (Kabupaten Bombana).
    code: Mapped[str] = mapped_column(String(13), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[RegionKind] = mapped_column(enum_column(RegionKind, "region_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    is_demo: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[Region | None] = relationship(remote_side=[id])
    agencies: Mapped[list[Agency]] = relationship(back_populates="region", order_by="Agency.name")

    def owning_region_id(self) -> int | None:
        return self.id

    def writable_in(self, scope: Scope) -> bool:
        # Regions are the platform's own reference data.
        return not scope.read_only and scope.kind in ("system", "national")

    def __str__(self) -> str:
        return self.name


class Agency(RegionManaged, TimestampMixin, Base):
    """An OPD: the tenant. UPTD units (e.g. Puskesmas) have a parent agency."""

    __tablename__ = "agencies"
    __table_args__ = (
        UniqueConstraint("region_id", "code"),
        # Target of (agency_id, region_id) keys: a row's region is its agency's region.
        UniqueConstraint("id", "region_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)
    # Rows not given by public sources are demo data until an administrator imports the real list.
    is_demo: Mapped[bool] = mapped_column(default=False)

    region: Mapped[Region] = relationship(back_populates="agencies")
    parent: Mapped[Agency | None] = relationship(remote_side=[id])
    # Agency-owned, so the tenancy criteria apply when it is loaded through this relationship.
    profile: Mapped[AgencyProfile | None] = relationship(viewonly=True, uselist=False)

    def owning_region_id(self) -> int | None:
        return self.region_id

    def __str__(self) -> str:
        return self.short_name or self.name


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="id")
    locked_at: Mapped[datetime | None] = mapped_column()
    password_changed_at: Mapped[datetime | None] = mapped_column()
    is_demo: Mapped[bool] = mapped_column(default=False)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id"
    )

    # Flask-Login protocol. The session id, not the user id, identifies a login (auth/sessions).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.locked_at is None

    # Set by auth when a login session is opened or loaded: Flask-Login stores this token, never
    # the user id, so that a server-side session can be ended on every device at once.
    session_token = cast("str | None", None)  # not a column: set per request

    def get_id(self) -> str | None:
        return self.session_token

    def __str__(self) -> str:
        return self.name


class Membership(RegionManaged, TimestampMixin, Base):
    """A user's role in one scope: one agency, one region, or national."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint(
            "(role IN ('agency_officer', 'agency_lead') AND agency_id IS NOT NULL"
            " AND region_id IS NULL)"
            " OR (role = 'region_monitor' AND region_id IS NOT NULL AND agency_id IS NULL)"
            " OR (role IN ('national_reviewer', 'platform_admin') AND agency_id IS NULL"
            " AND region_id IS NULL)",
            name="scope_matches_role",
        ),
        UniqueConstraint("user_id", "role", "agency_id", "region_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)

    user: Mapped[User] = relationship(back_populates="memberships")
    agency: Mapped[Agency | None] = relationship()
    region: Mapped[Region | None] = relationship()

    def owning_region_id(self) -> int | None:
        if self.region_id is not None:
            return self.region_id
        return self.agency.region_id if self.agency is not None else None

    def writable_in(self, scope: Scope) -> bool:
        if scope.read_only:
            return False
        if scope.kind in ("system", "national"):
            return True
        if scope.kind == "region":
            # A monitor manages the agency accounts of its own region.
            return (
                self.role in (Role.AGENCY_OFFICER, Role.AGENCY_LEAD)
                and self.owning_region_id() == scope.region_id
            )
        # An agency lead manages the officers of its own agency, nothing else.
        return (
            scope.kind == "agency"
            and scope.role == Role.AGENCY_LEAD
            and self.role == Role.AGENCY_OFFICER
            and self.agency_id == scope.agency_id
        )

    def describe(self) -> dict[str, Any]:
        return {"role": self.role.value, "agency_id": self.agency_id, "region_id": self.region_id}
