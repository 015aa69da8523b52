"""Reads of the audit trail. Every read starts from `entries_visible_in(scope)`: the one place that
says who sees which entries.

- platform administrators and national reviewers: every entry;
- region monitors: entries stamped with their region (`AuditEntry.region_id`);
- agency leads: entries stamped with their agency (`AuditEntry.agency_id`);
- anyone else: nothing.

Entries are never changed or removed through the app: there is no write here, and the database
refuses UPDATE and DELETE on the table (core/rls.make_append_only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, false, func, select, true

from puja_indah.core.audit import AuditEntry
from puja_indah.core.models import Agency, Region, Role
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db

PER_PAGE = 50


def _visibility(scope: Scope) -> ColumnElement[bool]:
    if scope.kind == "national" and scope.role in (Role.PLATFORM_ADMIN, Role.NATIONAL_REVIEWER):
        return true()
    if scope.kind == "region" and scope.role is Role.REGION_MONITOR and scope.region_id:
        return AuditEntry.region_id == scope.region_id
    if scope.kind == "agency" and scope.role is Role.AGENCY_LEAD and scope.agency_id:
        return AuditEntry.agency_id == scope.agency_id
    return false()


def entries_visible_in(scope: Scope) -> Select[AuditEntry]:
    """The audit entries `scope` may read. Every audit read builds on this statement."""
    return select(AuditEntry).where(_visibility(scope))


def get_visible_entry(scope: Scope, entry_id: int) -> AuditEntry | None:
    return db.session.scalar(entries_visible_in(scope).where(AuditEntry.id == entry_id))


def count_visible(scope: Scope) -> int:
    stmt = select(func.count()).select_from(entries_visible_in(scope).subquery())
    return int(db.session.scalar(stmt) or 0)


def entries_about(
    scope: Scope, object_type: str, object_id: str, limit: int = 10
) -> list[AuditEntry]:
    """The latest entries about one object that `scope` may read (e.g. a user's detail page)."""
    stmt = (
        entries_visible_in(scope)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def distinct_values(scope: Scope, column: str) -> list[str]:
    """The actions or object types present among the visible entries (for the filter lists)."""
    col = getattr(AuditEntry, column)
    stmt = (
        entries_visible_in(scope).with_only_columns(col).where(col != "").distinct().order_by(col)
    )
    return [str(v) for v in db.session.scalars(stmt)]


def visible_agencies(scope: Scope) -> list[Agency]:
    """Agencies a region or agency scope may filter by: its region's, or its own (a national
    scope chooses a region first, then its agencies: core/region_filter.py)."""
    stmt = select(Agency).order_by(Agency.name, Agency.id)
    if scope.kind == "region":
        stmt = stmt.where(Agency.region_id == scope.region_id)
    elif scope.kind == "agency":
        stmt = stmt.where(Agency.id == scope.agency_id)
    else:
        stmt = stmt.where(false())
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    object_type: str = ""
    actor: str = ""
    date_from: date | None = None
    date_to: date | None = None
    region_id: int | None = None
    agency_id: int | None = None


def local_day_start(day: date) -> datetime:
    """Midnight of `day` in the display zone (WITA), as an aware datetime."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Makassar"))
    return datetime.combine(day, time.min, tzinfo=zone)


def list_entries(scope: Scope, filters: AuditFilters, page: int) -> Pagination:
    stmt = entries_visible_in(scope)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.object_type:
        stmt = stmt.where(AuditEntry.object_type == filters.object_type)
    if filters.actor:
        stmt = stmt.where(
            func.lower(AuditEntry.actor_label).contains(filters.actor.lower(), autoescape=True)
        )
    if filters.date_from is not None:
        stmt = stmt.where(AuditEntry.occurred_at >= local_day_start(filters.date_from))
    if filters.date_to is not None:
        end = local_day_start(filters.date_to + timedelta(days=1))
        stmt = stmt.where(AuditEntry.occurred_at < end)
    if filters.region_id is not None:
        stmt = stmt.where(AuditEntry.region_id == filters.region_id)
    if filters.agency_id is not None:
        stmt = stmt.where(AuditEntry.agency_id == filters.agency_id)
    stmt = stmt.order_by(AuditEntry.id.desc())
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def names_of(entries: list[AuditEntry]) -> tuple[dict[int, Agency], dict[int, Region]]:
    """Agencies and regions named by `entries`, for display."""
    agency_ids = {e.agency_id for e in entries if e.agency_id is not None}
    region_ids = {e.region_id for e in entries if e.region_id is not None}
    agencies = (
        {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(agency_ids)))}
        if agency_ids
        else {}
    )
    regions = (
        {r.id: r for r in db.session.scalars(select(Region).where(Region.id.in_(region_ids)))}
        if region_ids
        else {}
    )
    return agencies, regions
