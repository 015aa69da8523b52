"""Server-side login sessions and sign-in failures.

A cookie-only session cannot be ended on another device, so each login is a row: the cookie holds a
random token whose SHA-256 is stored here. Ending a row ends that login everywhere at once.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.audit import skip_model
from puja_indah.core.db import Base, utcnow
from puja_indah.core.models import Membership, User, enum_column


class LoginSession(Base):
    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_reason: Mapped[str] = mapped_column(String(40), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    # The membership (role and scope) this login works in; None means the user's first one.
    membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("memberships.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip_address: Mapped[str] = mapped_column(String(45), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# Sign-ins, failures and session ends are recorded as explicit audit events instead.
skip_model("LoginSession")
skip_model("LoginFailure")
# Token creation and revocation are recorded as explicit audit events; last_used_at is bookkeeping.
skip_model("PersonalAccessToken")


class TokenScope(enum.StrEnum):
    """What a personal access token may do: read only, or read and write."""

    READ = "read"
    WRITE = "write"


class PersonalAccessToken(Base):
    """A user's key to the API (`Authorization: Bearer pi_…`). Like a login it is stored as the
    SHA-256 of a random secret, shown to its owner once. It works in one membership — the role
    and scope chosen when it was made — so a token never reaches further than that role's pages
    would; a read token puts the request in a read-only scope."""

    __tablename__ = "personal_access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope, "token_scope"))
    # The first characters of the secret, shown in the list so its owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()
    membership: Mapped[Membership] = relationship()

    @property
    def can_write(self) -> bool:
        return self.scope is TokenScope.WRITE
