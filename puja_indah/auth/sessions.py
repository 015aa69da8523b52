"""Flask-Login wiring: the cookie carries a login token; the scope comes from its membership.

API requests (under `/api/`) may instead send `Authorization: Bearer <personal access token>`.
Then the token alone decides who is asking — a cookie sent beside it is ignored — and the scope
is the token's membership, read-only for a read token. Tokens open no HTML page.
"""

from __future__ import annotations

from flask import Request, g, request
from flask_login import current_user

from puja_indah.auth import tokens
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


API_PATH_PREFIX = "/api/"


def bearer_secret(req: Request) -> str | None:
    """The bearer secret of an API request, "" for a malformed Authorization header, None when
    the request is not an API request or sends no Authorization header."""
    if not req.path.startswith(API_PATH_PREFIX) or "Authorization" not in req.headers:
        return None
    kind, _sep, secret = req.headers["Authorization"].strip().partition(" ")
    return secret.strip() if kind.lower() == "bearer" else ""


@login_manager.user_loader
def load_user(token: str) -> User | None:
    if bearer_secret(request) is not None:
        return None  # the bearer token decides (load_user_from_token)
    login = load_session(token)
    if login is None:
        return None
    g.login_session = login
    return login.user


@login_manager.request_loader
def load_user_from_token(req: Request) -> User | None:
    secret = bearer_secret(req)
    if secret is None:
        return None
    resolved = tokens.resolve(secret)
    if resolved.token is None:
        g.token_refusal = resolved.refusal or "malformed"
        return None
    g.api_token = resolved.token
    return resolved.token.user


def active_membership(user: User) -> Membership | None:
    token = g.get("api_token")
    if token is not None:
        return token.membership
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
    scope = Scope.for_membership(membership.role, membership.agency_id, membership.region_id)
    token = g.get("api_token")
    if token is not None and not token.can_write:
        return scope.as_read_only("read token")
    return scope
