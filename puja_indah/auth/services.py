"""Writes of the auth feature: sign in and out, throttling, password and lock changes.

Functions flush and audit but never commit: the view commits once per request.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from puja_indah.auth.models import LoginFailure, LoginSession
from puja_indah.core import audit
from puja_indah.core.db import utcnow
from puja_indah.core.models import Membership, User
from puja_indah.core.passwords import hash_password, needs_rehash, verify_password
from puja_indah.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- throttling ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    blocked: bool
    retry_minutes: int = 0


def check_throttle(email: str, ip_address: str) -> Throttle:
    """Blocked when the account or the address has too many recent failures. The answer carries
    the minutes until the oldest counted failure leaves the window."""
    config = current_app.config
    window = config["LOGIN_THROTTLE_WINDOW"]
    since = utcnow() - window
    retry_at: datetime | None = None
    for column, value, limit in (
        (LoginFailure.email, normalise_email(email), config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        (LoginFailure.ip_address, ip_address, config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    ):
        times = db.session.scalars(
            select(LoginFailure.occurred_at)
            .where(column == value, LoginFailure.occurred_at > since)
            .order_by(LoginFailure.occurred_at.desc())
            .limit(limit)
        ).all()
        if len(times) >= limit:
            candidate = times[-1] + window
            retry_at = candidate if retry_at is None else max(retry_at, candidate)
    if retry_at is None:
        return Throttle(blocked=False)
    minutes = max(1, math.ceil((retry_at - utcnow()).total_seconds() / 60))
    return Throttle(blocked=True, retry_minutes=minutes)


def record_failure(email: str, ip_address: str) -> None:
    db.session.add(LoginFailure(email=normalise_email(email)[:254], ip_address=ip_address[:45]))
    audit.append(
        db.session,
        action="sign_in_failed",
        object_type="User",
        changes={"email": normalise_email(email)[:254]},
    )


# --- sign in and out -----------------------------------------------------------------------------


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if not verify_password(user.password_hash if user else None, password):
        return None
    assert user is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def open_session(user: User, ip_address: str, user_agent: str) -> str:
    """Start a new login (a new token: protection against session fixation)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            user_id=user.id,
            token_hash=token_hash(token),
            ip_address=ip_address[:45],
            user_agent=user_agent[:200],
        )
    )
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))
    user.session_token = token
    audit.append(db.session, action="sign_in", object_type="User", object_id=str(user.id))
    return token


def end_all_sessions(user: User, reason: str) -> int:
    """End every login of `user` on every device. Returns how many were open."""
    result = db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    count = getattr(result, "rowcount", 0) or 0
    audit.append(
        db.session,
        action="sessions_ended",
        object_type="User",
        object_id=str(user.id),
        changes={"reason": reason, "count": count},
    )
    return count


def load_session(token: str) -> LoginSession | None:
    """The open login for `token`, or None when it ended, idled out or outlived its maximum age."""
    # One statement for what every signed-in request needs: the login, its user and the user's
    # roles (they decide the request's scope).
    login = (
        db.session.execute(
            select(LoginSession)
            .where(LoginSession.token_hash == token_hash(token))
            .options(joinedload(LoginSession.user).joinedload(User.memberships))
        )
        .unique()
        .scalar_one_or_none()
    )
    if login is None or login.ended_at is not None:
        return None
    now = utcnow()
    config = current_app.config
    reason = ""
    if now - login.last_seen_at > config["SESSION_IDLE_TIMEOUT"]:
        reason = "idle"
    elif now - login.created_at > config["SESSION_ABSOLUTE_TIMEOUT"]:
        reason = "expired"
    elif not login.user.is_active:
        reason = "locked"
    if reason:
        login.ended_at, login.ended_reason = now, reason
        db.session.commit()
        return None
    # Write the activity stamp at most once a minute: the idle limit needs no finer grain.
    if (now - login.last_seen_at).total_seconds() > 60:
        login.last_seen_at = now
        db.session.commit()
    login.user.session_token = token
    return login


def choose_membership(login: LoginSession, membership_id: int) -> bool:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != login.user_id:
        return False
    login.membership_id = membership.id
    return True


# --- account changes -----------------------------------------------------------------------------


def change_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(user, "password_changed")


def lock(user: User) -> None:
    user.locked_at = utcnow()
    end_all_sessions(user, "locked")


def unlock(user: User) -> None:
    user.locked_at = None
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))


def reset_password(user: User) -> str:
    """Set a random temporary password that meets the policy and end the user's sessions."""
    temporary = generate_password()
    change_password(user, temporary)
    return temporary


def generate_password() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    core = "".join(secrets.choice(alphabet) for _ in range(14))
    # The suffix guarantees every character class the policy asks for.
    return f"{core[:7]}-{core[7:]}#{secrets.randbelow(10)}Ab"


def open_session_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        )
        or 0
    )
