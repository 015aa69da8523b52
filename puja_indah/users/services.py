"""Writes of the users feature: create accounts, lock, unlock, reset passwords, grant and revoke
roles. Every function checks the grant with core's `Membership.writable_in`, flushes and never
commits: the view commits once per request.

Why the named audit events (`account_locked`, `role_granted`, ...) next to the automatic row-change
entries: a user and a membership belong to no single agency, so core records their row changes
without an agency or region, and only reviewers and administrators would see them. The named event
carries the agency and region of the account, so the monitor and the lead who may manage the
account also see what was done to it (audit/queries.entries_visible_in).

Passwords: the initial or temporary password is returned to the view, which shows it once; it is
never stored in plain text, logged or put into an audit entry.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from puja_indah.auth import services as auth_services
from puja_indah.core import audit
from puja_indah.core.audit import REDACTED
from puja_indah.core.models import Agency, Membership, Region, Role, User
from puja_indah.core.passwords import hash_password
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db
from puja_indah.users.queries import email_in_use

DUPLICATE_EMAIL = _l(
    "An account with this e-mail address already exists. Search for it in the list."
)


class AccountError(Exception):
    """A change refused for a reason the user can fix; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(Exception):
    """A grant outside the actor's scope (the forms never offer one: a crafted request)."""


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _only(values: set[int]) -> int | None:
    return next(iter(values)) if len(values) == 1 else None


def _owner_of_membership(membership: Membership) -> tuple[int | None, int | None]:
    return membership.agency_id, membership.owning_region_id()


def _owner_of_account(user: User) -> tuple[int | None, int | None]:
    """The agency and region an account belongs to when all its memberships agree on one."""
    agencies = {m.agency for m in user.memberships if m.agency is not None}
    if len(agencies) == 1:
        agency = next(iter(agencies))
        return agency.id, agency.region_id
    regions = {r for m in user.memberships if (r := m.owning_region_id()) is not None}
    return None, _only(regions)


def _record(
    action: str,
    user: User,
    changes: dict[str, Any],
    owner: tuple[int | None, int | None] | None = None,
) -> None:
    agency_id, region_id = owner if owner is not None else _owner_of_account(user)
    audit.append(
        db.session,
        action=action,
        object_type="User",
        object_id=str(user.id),
        agency_id=agency_id,
        region_id=region_id,
        changes=changes,
    )


def _new_membership(
    scope: Scope, role: Role, agency: Agency | None, region: Region | None
) -> Membership:
    """A transient membership, refused unless the scope may grant it."""
    if role.scope_level == "agency":
        region = None
        if agency is None:
            raise AccountError(_("Choose the agency."), field="agency")
    elif role is Role.REGION_MONITOR:
        agency = None
        if region is None:
            raise AccountError(_("Choose the region."), field="region")
    else:
        agency = region = None
    membership = Membership(role=role, agency=agency, region=region)
    membership.agency_id = agency.id if agency is not None else None
    membership.region_id = region.id if region is not None else None
    if not membership.writable_in(scope):
        raise NotPermitted(f"{role.value} is not grantable in scope {scope.label()}")
    return membership


def _describe(membership: Membership) -> dict[str, Any]:
    return membership.describe()


# --- accounts ------------------------------------------------------------------------------------


def create_account(
    scope: Scope,
    *,
    name: str,
    email: str,
    role: Role,
    agency: Agency | None = None,
    region: Region | None = None,
) -> tuple[User, str]:
    """Create an account with one role and a random initial password; returns both."""
    email = auth_services.normalise_email(email)
    if email_in_use(email):
        raise AccountError(str(DUPLICATE_EMAIL), field="email")
    membership = _new_membership(scope, role, agency, region)
    password = auth_services.generate_password()
    user = User(email=email, name=" ".join(name.split()), password_hash=hash_password(password))
    user.locale = "id"
    user.memberships.append(membership)
    db.session.add(user)
    db.session.flush()
    _record(
        "account_created",
        user,
        {
            "email": {"before": None, "after": user.email},
            "name": {"before": None, "after": user.name},
            "membership": {"before": None, "after": _describe(membership)},
        },
        owner=_owner_of_membership(membership),
    )
    return user, password


def lock_account(user: User) -> bool:
    """Lock and sign out everywhere; False when the account was locked already."""
    if user.locked_at is not None:
        return False
    auth_services.lock(user)
    db.session.flush()
    _record("account_locked", user, {"locked_at": {"before": None, "after": _iso(user.locked_at)}})
    return True


def unlock_account(user: User) -> bool:
    """Unlock and clear the sign-in throttling of the account; True when it was locked."""
    before = user.locked_at
    auth_services.unlock(user)
    db.session.flush()
    _record(
        "account_unlocked" if before is not None else "sign_in_failures_cleared",
        user,
        {"locked_at": {"before": _iso(before), "after": None}, "throttling": "cleared"},
    )
    return before is not None


def reset_password(user: User) -> str:
    """Set a temporary password and sign the user out everywhere; returns it to show once."""
    before = user.password_changed_at
    temporary = auth_services.reset_password(user)
    db.session.flush()
    _record(
        "password_reset",
        user,
        {
            "password_hash": {"before": REDACTED, "after": REDACTED},
            "password_changed_at": {
                "before": _iso(before),
                "after": _iso(user.password_changed_at),
            },
        },
    )
    return temporary


# --- roles ---------------------------------------------------------------------------------------


def grant_role(
    scope: Scope,
    user: User,
    role: Role,
    agency: Agency | None = None,
    region: Region | None = None,
) -> Membership:
    membership = _new_membership(scope, role, agency, region)
    for existing in user.memberships:
        if (existing.role, existing.agency_id, existing.region_id) == (
            membership.role,
            membership.agency_id,
            membership.region_id,
        ):
            raise AccountError(_("This account already has that role."), field="role")
    user.memberships.append(membership)
    db.session.flush()
    _record(
        "role_granted",
        user,
        {"membership": {"before": None, "after": _describe(membership)}},
        owner=_owner_of_membership(membership),
    )
    return membership


def revoke_role(scope: Scope, user: User, membership: Membership) -> None:
    if membership.user_id != user.id:
        raise LookupError("membership of another account")
    if not membership.writable_in(scope):
        raise NotPermitted(f"membership {membership.id} is not writable in {scope.label()}")
    if len(user.memberships) <= 1:
        raise AccountError(
            _("An account keeps at least one role. Lock the account instead."), field=None
        )
    described, owner = _describe(membership), _owner_of_membership(membership)
    user.memberships.remove(membership)
    db.session.flush()
    _record("role_revoked", user, {"membership": {"before": described, "after": None}}, owner=owner)


__all__ = [
    "AccountError",
    "NotPermitted",
    "create_account",
    "grant_role",
    "lock_account",
    "reset_password",
    "revoke_role",
    "unlock_account",
]
