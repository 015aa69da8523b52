"""Reads of the users feature: which accounts a scope may manage, and what it may grant.

The single-account decision is core's `can_manage_account(scope, target)` (every membership of
the target must be one the actor may manage, see `Membership.writable_in`). The list query below
is its SQL twin so that the list shows exactly the accounts whose pages open; a test compares the
two for every managing role.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import selectinload

from puja_indah.core.models import Agency, Membership, Region, Role, User
from puja_indah.core.permissions import can_manage_account
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db

PER_PAGE = 25
AGENCY_ROLES = (Role.AGENCY_OFFICER, Role.AGENCY_LEAD)


def _is_admin(scope: Scope) -> bool:
    return scope.role is Role.PLATFORM_ADMIN and not scope.read_only


def manageable_membership(scope: Scope) -> ColumnElement[bool]:
    """SQL form of `Membership.writable_in(scope)` for rows of `memberships`."""
    if scope.read_only:
        return false()
    if scope.kind in ("system", "national"):
        return true()
    if scope.kind == "region":
        return and_(
            Membership.role.in_(AGENCY_ROLES),
            Membership.agency_id.in_(select(Agency.id).where(Agency.region_id == scope.region_id)),
        )
    if scope.kind == "agency" and scope.role is Role.AGENCY_LEAD:
        return and_(Membership.role == Role.AGENCY_OFFICER, Membership.agency_id == scope.agency_id)
    return false()


def manageable_users(scope: Scope, actor_id: int | None) -> Select[User]:
    """Accounts the scope may manage, never the actor's own (that is the password page's job)."""
    stmt = select(User).where(User.id != (actor_id or 0))
    if _is_admin(scope):
        return stmt
    allowed = manageable_membership(scope)
    has_allowed = exists().where(Membership.user_id == User.id, allowed)
    has_other = exists().where(Membership.user_id == User.id, not_(allowed))
    return stmt.where(has_allowed, ~has_other)


def get_manageable_user(scope: Scope, actor_id: int | None, user_id: int) -> User | None:
    """The account `user_id` if the scope may manage it; None for unknown, foreign or own ids."""
    user = db.session.get(User, user_id)
    if user is None or user.id == actor_id or not can_manage_account(scope, user):
        return None
    return user


@dataclass(frozen=True)
class UserFilters:
    text: str = ""
    role: Role | None = None
    region_id: int | None = None
    agency_id: int | None = None


def list_users(scope: Scope, actor_id: int | None, filters: UserFilters, page: int) -> Pagination:
    stmt = manageable_users(scope, actor_id).options(
        selectinload(User.memberships).selectinload(Membership.agency),
        selectinload(User.memberships).selectinload(Membership.region),
    )
    if filters.text:
        term = filters.text.lower()
        stmt = stmt.where(
            or_(
                func.lower(User.name).contains(term, autoescape=True),
                func.lower(User.email).contains(term, autoescape=True),
            )
        )
    if filters.role is not None:
        stmt = stmt.where(
            exists().where(Membership.user_id == User.id, Membership.role == filters.role)
        )
    if filters.region_id is not None:
        # A role in one of the region's agencies, or the region's own monitor role.
        stmt = stmt.where(
            exists().where(
                Membership.user_id == User.id,
                or_(
                    Membership.region_id == filters.region_id,
                    Membership.agency_id.in_(
                        select(Agency.id).where(Agency.region_id == filters.region_id)
                    ),
                ),
            )
        )
    if filters.agency_id is not None:
        stmt = stmt.where(
            exists().where(Membership.user_id == User.id, Membership.agency_id == filters.agency_id)
        )
    stmt = stmt.order_by(func.lower(User.name), User.id)
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def email_in_use(email: str) -> bool:
    """Case-insensitive: e-mails are stored lower-case, but older rows may not be."""
    return (
        db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower()).limit(1))
        is not None
    )


# --- what a scope may grant ----------------------------------------------------------------------


@dataclass(frozen=True)
class GrantOptions:
    """Roles and agencies offered in the create and add-role forms of a scope.

    `by_region`: a national administrator may grant roles in every agency of the country
    (~17,000), so it gets no agencies here: its forms and its list filter choose a region first,
    then offer only that region's agencies (core/region_filter.py). Monitors and leads keep their
    own few agencies as options."""

    roles: tuple[Role, ...]
    agencies: tuple[Agency, ...]
    by_region: bool = False

    def agency(self, agency_id: int | None) -> Agency | None:
        """The chosen agency; the form has checked it is one of the options it showed."""
        if agency_id is None:
            return None
        if self.by_region:
            return db.session.get(Agency, agency_id)
        return next((a for a in self.agencies if a.id == agency_id), None)

    def region(self, region_id: int | None) -> Region | None:
        """The chosen region (only a national administrator grants region roles)."""
        if region_id is None or not self.by_region:
            return None
        return db.session.get(Region, region_id)


def _agencies(where: ColumnElement[bool], *, active_only: bool) -> tuple[Agency, ...]:
    stmt = select(Agency).where(where).order_by(Agency.name, Agency.id)
    if active_only:
        stmt = stmt.where(Agency.active.is_(True))
    return tuple(db.session.scalars(stmt))


def _agency_scope_clause(scope: Scope) -> ColumnElement[bool]:
    """The agencies a monitor or lead grants in; none for a national administrator, whose
    agencies come one region at a time (`GrantOptions.by_region`)."""
    if scope.kind == "region":
        return Agency.region_id == scope.region_id
    if scope.kind == "agency" and scope.role is Role.AGENCY_LEAD:
        return Agency.id == scope.agency_id
    return false()


def grant_options(scope: Scope) -> GrantOptions:
    """What the scope may grant; the services check every grant again with `writable_in`."""
    if _is_admin(scope):
        return GrantOptions(tuple(Role), (), by_region=True)
    agencies = _agencies(_agency_scope_clause(scope), active_only=True)
    if scope.kind == "region" and not scope.read_only:
        return GrantOptions(AGENCY_ROLES, agencies)
    if scope.kind == "agency" and scope.role is Role.AGENCY_LEAD:
        return GrantOptions((Role.AGENCY_OFFICER,), agencies)
    return GrantOptions((), ())


def filter_agencies(scope: Scope) -> tuple[Agency, ...]:
    """Agencies offered in a monitor's or lead's list filter (inactive ones too: their accounts
    still exist). A national administrator's filter chooses a region first instead."""
    return _agencies(_agency_scope_clause(scope), active_only=False)
