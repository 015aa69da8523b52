"""The board's judgements as pure functions: the two duties of an appointment (SK 193/2018) and
freshness. The decree page prints these rules in words (`DUTY_RULES` in views); change both."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime

from puja_indah.core.clock import WITA
from puja_indah.innovations.models import Stage
from puja_indah.replications.models import ReplicationStatus


class DutyStatus(enum.StrEnum):
    DONE = "done"
    UNDER_WAY = "under_way"
    MISSING = "missing"
    NOT_REQUIRED = "not_required"


def implement_status(
    *, required: bool, stage: Stage | None, progress: int | None, milestones: int
) -> DutyStatus:
    """Duty 1, implement the assigned innovation: done when the innovation is at stage
    *penerapan* (implementation) or its progress is 100 %; under way when it exists and has at
    least one milestone; missing otherwise (no innovation linked, or one without milestones)."""
    if not required:
        return DutyStatus.NOT_REQUIRED
    if stage is None:
        return DutyStatus.MISSING
    if stage is Stage.IMPLEMENTATION or (progress or 0) >= 100:
        return DutyStatus.DONE
    if milestones > 0:
        return DutyStatus.UNDER_WAY
    return DutyStatus.MISSING


def replicate_status(*, required: bool, statuses: Mapping[ReplicationStatus, int]) -> DutyStatus:
    """Duty 2, replicate an innovation that works elsewhere: done when a replication reached
    *diterapkan* (applied); under way when one exists that was not stopped (interest, agreement,
    trial); missing otherwise (none, or only stopped ones)."""
    if not required:
        return DutyStatus.NOT_REQUIRED
    if statuses.get(ReplicationStatus.APPLIED, 0) > 0:
        return DutyStatus.DONE
    live = sum(n for s, n in statuses.items() if s is not ReplicationStatus.STOPPED)
    return DutyStatus.UNDER_WAY if live > 0 else DutyStatus.MISSING


# Freshness buckets of the chart: days since last activity.
BUCKETS = ("lt7", "7to30", "30to90", "gt90", "never")


def days_since(last: datetime | None, today: date) -> int | None:
    if last is None:
        return None
    return max(0, (today - last.astimezone(WITA).date()).days)


def bucket(days: int | None) -> str:
    if days is None:
        return "never"
    if days < 7:
        return "lt7"
    if days <= 30:
        return "7to30"
    if days <= 90:
        return "30to90"
    return "gt90"


def is_stale(days: int | None, stale_after: int) -> bool:
    """Stale when nothing happened for more than `stale_after` days, or never: an agency that has
    never entered anything is the quietest of all."""
    return days is None or days > stale_after
