"""Reads of the desk's settings screens. Agency scoping is the ORM's (tenancy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from puja_indah.core.models import Agency, Region
from puja_indah.extensions import db
from puja_indah.modules.etracking.models import (
    CollectiveLeave,
    Process,
    ProcessVersion,
    TrackedFile,
)
from puja_indah.modules.etracking.worktime import national_holidays


@dataclass(frozen=True)
class DayOff:
    day: date
    name: str
    national: bool


def get_process(process_id: int) -> Process | None:
    """One process of the current agency (a query, so another agency's id finds nothing)."""
    return db.session.scalar(select(Process).where(Process.id == process_id))


def files_per_version(process_id: int) -> dict[int, int]:
    """How many files each version of the process carries (one grouped query)."""
    rows = db.session.execute(
        select(TrackedFile.version_id, func.count(TrackedFile.id))
        .join(ProcessVersion, TrackedFile.version_id == ProcessVersion.id)
        .where(ProcessVersion.process_id == process_id)
        .group_by(TrackedFile.version_id)
    )
    return {version_id: count for version_id, count in rows}


def region_of_agency(agency_id: int) -> Region | None:
    return db.session.scalar(select(Region).join(Agency).where(Agency.id == agency_id))


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.name)))


def leave_days(region_id: int, year: int | None = None) -> list[CollectiveLeave]:
    query = select(CollectiveLeave).where(CollectiveLeave.region_id == region_id)
    if year is not None:
        query = query.where(
            CollectiveLeave.day >= date(year, 1, 1), CollectiveLeave.day <= date(year, 12, 31)
        )
    return list(db.session.scalars(query.order_by(CollectiveLeave.day)))


def days_off(region_id: int | None, year: int) -> list[DayOff]:
    """The year's days the SLA clock skips: national holidays and the region's collective leave."""
    found = [DayOff(day, name, True) for day, name in national_holidays([year]).items()]
    if region_id is not None:
        found += [DayOff(row.day, row.name, False) for row in leave_days(region_id, year)]
    return sorted(found, key=lambda d: (d.day, not d.national))
