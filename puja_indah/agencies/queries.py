"""Reads of the agencies feature: lists, details and the choices forms offer.

Region-managed rows (agencies, decrees, appointments) are not agency-scoped, so every list here
narrows itself to the scope's region; single rows are loaded by id through
`core.permissions.get_managed_or_404` in the views.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from puja_indah.agencies.models import AgencyProfile, Appointment, Decree
from puja_indah.core.models import Agency, Region
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db

PER_PAGE = 25


def visible_region_id(scope: Scope, requested: int | None) -> int | None:
    """The region a list shows: a monitor always sees its own; national scopes may filter."""
    if scope.kind == "region":
        return scope.region_id
    return requested


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))


NO_CHOICE = SelectChoice("", "—")


def region_choices() -> list[SelectChoice]:
    return [SelectChoice(str(r.id), f"{r.code} · {r.name}") for r in regions()]


def filtered_agencies(
    scope: Scope, *, q: str | None, status: str | None, region_id: int | None
) -> Select[Agency]:
    """The agencies the scope may see (`can_view_agency` as a query: its own agency, its region,
    or all), narrowed by the filters; unsorted (the web list and the API sort and page it)."""
    stmt = select(Agency).options(selectinload(Agency.parent), selectinload(Agency.region))
    if scope.kind == "agency":
        stmt = stmt.where(Agency.id == scope.agency_id)
    elif scope.kind not in ("region", "national"):
        stmt = stmt.where(false())
    region = visible_region_id(scope, region_id)
    if region is not None:
        stmt = stmt.where(Agency.region_id == region)
    if q:
        stmt = stmt.where(
            or_(
                Agency.name.icontains(q, autoescape=True),
                Agency.short_name.icontains(q, autoescape=True),
                Agency.code.icontains(q, autoescape=True),
            )
        )
    if status == "active":
        stmt = stmt.where(Agency.active.is_(True))
    elif status == "inactive":
        stmt = stmt.where(Agency.active.is_(False))
    return stmt


def agency_page(
    scope: Scope, *, q: str | None, status: str | None, region_id: int | None, page: int = 1
) -> Pagination:
    stmt = filtered_agencies(scope, q=q, status=status, region_id=region_id)
    stmt = stmt.order_by(Agency.region_id, Agency.name, Agency.id)
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def decree_page(scope: Scope, *, q: str | None, region_id: int | None, page: int = 1) -> Pagination:
    stmt: Select[Any] = select(Decree).options(
        selectinload(Decree.region), selectinload(Decree.appointments)
    )
    region = visible_region_id(scope, region_id)
    if region is not None:
        stmt = stmt.where(Decree.region_id == region)
    if q:
        stmt = stmt.where(
            or_(
                Decree.number.icontains(q, autoescape=True),
                Decree.title.icontains(q, autoescape=True),
            )
        )
    stmt = stmt.order_by(Decree.signed_on.desc().nulls_last(), Decree.id.desc())
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


@dataclass(frozen=True)
class AgencyDetail:
    agency: Agency
    units: list[Agency]
    appointments: list[Appointment]
    profile: AgencyProfile | None


def agency_detail(agency: Agency) -> AgencyDetail:
    units = db.session.scalars(
        select(Agency).where(Agency.parent_id == agency.id).order_by(Agency.name)
    ).all()
    appointments = db.session.scalars(
        select(Appointment)
        .join(Appointment.decree)
        .where(Appointment.agency_id == agency.id)
        .options(selectinload(Appointment.decree))
        .order_by(Decree.signed_on.desc().nulls_last(), Decree.id.desc())
    ).all()
    # Agency-scoped: the tenancy layer limits it to what the scope may read.
    profile = db.session.scalar(select(AgencyProfile).where(AgencyProfile.agency_id == agency.id))
    return AgencyDetail(agency, list(units), list(appointments), profile)


def decree_appointments(decree: Decree) -> list[Appointment]:
    return list(
        db.session.scalars(
            select(Appointment)
            .join(Appointment.agency)
            .where(Appointment.decree_id == decree.id)
            .options(selectinload(Appointment.agency))
            .order_by(Agency.name, Appointment.id)
        )
    )


def region_agencies(region_id: int) -> list[Agency]:
    return list(
        db.session.scalars(
            select(Agency).where(Agency.region_id == region_id).order_by(Agency.name, Agency.id)
        )
    )


def parent_choices(region_id: int, exclude: set[int] | None = None) -> list[SelectChoice]:
    """Agencies of one region that may be chosen as parent. A national administrator creating an
    agency chooses the region first (core/region_filter.py); the service checks the match."""
    exclude = exclude or set()
    return [
        NO_CHOICE,
        *(
            SelectChoice(str(agency.id), f"{agency.name} ({agency.code})")
            for agency in region_agencies(region_id)
            if agency.id not in exclude
        ),
    ]


def appointment_choices(decree: Decree, current: Agency | None = None) -> list[SelectChoice]:
    """Active agencies of the decree's region (and the current one, even if inactive)."""
    choices = [NO_CHOICE]
    for agency in region_agencies(decree.region_id):
        if agency.active or (current is not None and agency.id == current.id):
            choices.append(SelectChoice(str(agency.id), f"{agency.name} ({agency.code})"))
    return choices


def own_profile(agency_id: int) -> AgencyProfile | None:
    return db.session.scalar(select(AgencyProfile).where(AgencyProfile.agency_id == agency_id))
