"""Board settings of a region (kept by its monitor) and the record of weekly digests sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.db import Base, TimestampMixin, utcnow
from puja_indah.core.models import Region, RegionManaged

DEFAULT_STALE_DAYS = 30
MIN_STALE_DAYS, MAX_STALE_DAYS = 1, 365


class BoardSettings(RegionManaged, TimestampMixin, Base):
    """How the board of one region judges freshness: an agency whose last activity is older than
    `stale_after_days` is flagged stale. One row per region, made on the first save; without a row
    the default applies."""

    __tablename__ = "board_settings"
    __table_args__ = (
        UniqueConstraint("region_id"),
        CheckConstraint(
            f"stale_after_days BETWEEN {MIN_STALE_DAYS} AND {MAX_STALE_DAYS}",
            name="stale_days_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    stale_after_days: Mapped[int] = mapped_column(default=DEFAULT_STALE_DAYS)
    # The form carries the version it was opened at, so a stale save is refused.
    version: Mapped[int] = mapped_column(default=1)

    region: Mapped[Region] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it

    def owning_region_id(self) -> int | None:
        return self.region_id


class DigestDelivery(Base):
    """One weekly digest mailed to one monitor for one region: the unique key makes a second
    worker, or a retry after a crash between the mail and the commit, skip a week already sent."""

    __tablename__ = "board_digest_deliveries"
    __table_args__ = (UniqueConstraint("user_id", "region_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    # ISO week, e.g. "2026-W48".
    week: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    destination: Mapped[str] = mapped_column(String(300), default="")
