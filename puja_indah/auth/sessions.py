"""Flask-Login wiring: the cookie carries a login token; the scope comes from its membership."""

from __future__ import annotations

from flask import g
from flask_login import current_user

from puja_indah.auth.services import load_session
from puja_indah.core.models import Membership, User
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import login_manager

# Landing order when a user holds several memberships and has not chosen one.
ROLE_PRIORITY = [
    "platform_admin",
    "region_monitor",
    "national_reviewer",
    "agency_lead",
    "agency_officer",
]


@login_manager.user_loader
def load_user(token: str) -> User | None:
    login = load_session(token)
    if login is None:
        return None
    g.login_session = login
    return login.user


def active_membership(user: User) -> Membership | None:
    login = g.get("login_session")
    memberships = sorted(user.memberships, key=lambda m: ROLE_PRIORITY.index(m.role.value))
    if login is not None and login.membership_id is not None:
        for membership in memberships:
            if membership.id == login.membership_id:
                return membership
    return memberships[0] if memberships else None


def request_scope() -> Scope:
    if not current_user.is_authenticated:
        return Scope.anonymous()
    membership = active_membership(current_user)
    g.membership = membership
    if membership is None:
        # Signed in but given no role yet: nothing agency-scoped is visible or writable.
        return Scope.anonymous()
    return Scope.for_membership(membership.role, membership.agency_id, membership.region_id)
