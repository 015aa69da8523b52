"""E-mail notifications of the submitting agency (issue 4, point 10).

- `FileSubscription`: a user of the submitting agency asked for an e-mail whenever one file
  changes stage. Owned by the subscriber's agency (not the desk's): the submitter reads and
  changes its own subscriptions under ordinary tenancy, the desk never sees them.
- `Notification`: one e-mail for one step to one subscriber — makes the sending idempotent (a
  retried or repeated job never mails twice) and records a delivery that finally failed.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from puja_indah.core.db import AgencyScoped, Base, TimestampMixin
from puja_indah.core.models import enum_column


class FileSubscription(AgencyScoped, TimestampMixin, Base):
    __tablename__ = "et_file_subscriptions"
    __table_args__ = (UniqueConstraint("file_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A file of another agency (the desk): a plain reference, read through the named
    # cross-agency read "e-tracking: files our agency submitted".
    file_id: Mapped[int] = mapped_column(ForeignKey("et_files.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class NotificationStatus(enum.StrEnum):
    SENT = "sent"
    FAILED = "failed"  # every retry failed; kept so an administrator can see it


class Notification(AgencyScoped, Base):
    __tablename__ = "et_notifications"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("et_file_events.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[NotificationStatus] = mapped_column(
        enum_column(NotificationStatus, "et_notification_status")
    )
    attempts: Mapped[int] = mapped_column(default=0)
    # Where it went ("smtp" or the .eml file) or the last error.
    detail: Mapped[str] = mapped_column(Text, default="")
    recipient: Mapped[str] = mapped_column(String(254), default="")
    at: Mapped[datetime] = mapped_column()
