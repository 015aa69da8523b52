"""Personal access tokens: make one (its secret is returned once), list, revoke, and resolve the
secret an API client sends.

Functions flush and audit but never commit: the view commits once per request.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from puja_indah.auth.models import PersonalAccessToken, TokenScope
from puja_indah.auth.services import token_hash
from puja_indah.core import audit
from puja_indah.core.db import utcnow
from puja_indah.core.models import Membership, User
from puja_indah.extensions import db

# "pi_" marks the secret as ours (secret scanners can be taught the pattern); 32 random bytes.
SECRET_PREFIX = "pi_"  # noqa: S105 - a marker, not a secret
SECRET_SHAPE = re.compile(r"^pi_[A-Za-z0-9_-]{43}$")
# Shown in the token list so the owner can tell tokens apart; not enough to guess the rest.
SHOWN_CHARS = 8
EXPIRY_CHOICES = (7, 30, 90, 365)


@dataclass(frozen=True)
class Resolved:
    """The outcome of reading a bearer secret: the token, or why it was refused."""

    token: PersonalAccessToken | None
    refusal: str = ""  # malformed | unknown | expired | revoked | locked


def create(
    user: User, membership: Membership, name: str, scope: TokenScope, days: int
) -> tuple[PersonalAccessToken, str]:
    """A new token for `user` working in `membership`; returns it with its secret, which is not
    stored and cannot be shown again."""
    if membership.user_id != user.id:
        raise ValueError("a token works in one of its owner's own memberships")
    if days not in EXPIRY_CHOICES:
        raise ValueError(f"expiry must be one of {EXPIRY_CHOICES} days")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = PersonalAccessToken(
        user_id=user.id,
        membership_id=membership.id,
        name=name.strip()[:80],
        scope=scope,
        prefix=secret[: len(SECRET_PREFIX) + SHOWN_CHARS],
        token_hash=token_hash(secret),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    audit.append(
        db.session,
        action="token_created",
        object_type="PersonalAccessToken",
        object_id=str(token.id),
        changes={"name": token.name, "scope": scope.value, "days": days},
    )
    return token, secret


def tokens_of(user: User) -> list[PersonalAccessToken]:
    return list(
        db.session.scalars(
            select(PersonalAccessToken)
            .where(PersonalAccessToken.user_id == user.id)
            .order_by(PersonalAccessToken.created_at.desc(), PersonalAccessToken.id.desc())
        )
    )


def token_of(user: User, token_id: int) -> PersonalAccessToken | None:
    """One of `user`'s own tokens, or None (unknown or another user's: the page answers 404)."""
    token = db.session.get(PersonalAccessToken, token_id)
    return token if token is not None and token.user_id == user.id else None


def status(token: PersonalAccessToken, now: datetime | None = None) -> str:
    """active | expired | revoked, as the token list shows it (revoked wins over expired)."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


def revoke(user: User, token_id: int) -> bool:
    """Revoke one of `user`'s own tokens; False when it is not theirs or already revoked."""
    token = db.session.get(PersonalAccessToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.append(
        db.session,
        action="token_revoked",
        object_type="PersonalAccessToken",
        object_id=str(token.id),
        changes={"name": token.name},
    )
    return True


def resolve(secret: str) -> Resolved:
    """The live token for `secret`. A refusal names its reason (the API's 401 says it) but never
    tells a guessed secret from a malformed one beyond its shape."""
    if not SECRET_SHAPE.match(secret):
        return Resolved(None, "malformed")
    # One statement: the token with its user and role (they decide the request's scope).
    token = db.session.scalar(
        select(PersonalAccessToken)
        .where(PersonalAccessToken.token_hash == token_hash(secret))
        .options(joinedload(PersonalAccessToken.user), joinedload(PersonalAccessToken.membership))
    )
    if token is None:
        return Resolved(None, "unknown")
    now = utcnow()
    if token.revoked_at is not None:
        return Resolved(None, "revoked")
    if token.expires_at <= now:
        return Resolved(None, "expired")
    if not token.user.is_active:
        return Resolved(None, "locked")
    # The use stamp is written at most once a minute, like a login's activity stamp.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        db.session.commit()
    return Resolved(token)
