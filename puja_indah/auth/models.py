"""Server-side login sessions and sign-in failures.

A cookie-only session cannot be ended on another device, so each login is a row: the cookie holds a
random token whose SHA-256 is stored here. Ending a row ends that login everywhere at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.audit import skip_model
from puja_indah.core.db import Base, utcnow
from puja_indah.core.models import User


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
