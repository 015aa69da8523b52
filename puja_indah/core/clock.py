"""Bombana's clock. Times are stored in UTC; days are counted in WITA (Asia/Makassar), the zone
of the region the platform serves — "today", a deadline, a stale day all mean a WITA day.

Features import `today_wita` by name, so a test can pin "today" per feature with monkeypatch.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")


def today_wita(now: datetime | None = None) -> date:
    """The WITA calendar day of `now` (an aware time; default: this moment)."""
    return (now or datetime.now(WITA)).astimezone(WITA).date()
