"""Reads for the landing pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from puja_indah.agencies.models import AgencyProfile, Appointment, Decree
from puja_indah.core.models import Agency, Membership, Region
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db


def agency_home(scope: Scope) -> dict[str, Any]:
    agency = db.session.get(Agency, scope.agency_id)
    appointments = db.session.scalars(
        select(Appointment)
        .join(Appointment.decree)
        .where(Appointment.agency_id == scope.agency_id)
        .order_by(Decree.signed_on.desc())
    ).all()
    profile = db.session.scalar(select(AgencyProfile))  # tenancy limits it to this agency
    officers = db.session.scalar(
        select(func.count()).select_from(Membership).where(Membership.agency_id == scope.agency_id)
    )
    return {
        "agency": agency,
        "appointments": appointments,
        "profile": profile,
        "officers": officers,
    }


def region_home(region_id: int | None) -> dict[str, Any]:
    region = db.session.get(Region, region_id) if region_id else None
    decrees = db.session.scalars(
        select(Decree).where(Decree.region_id == region_id).order_by(Decree.signed_on.desc())
    ).all()
    agencies = db.session.scalar(
        select(func.count()).select_from(Agency).where(Agency.region_id == region_id)
    )
    return {"region": region, "decrees": decrees, "agency_count": agencies}


def national_home() -> dict[str, Any]:
    rows = db.session.execute(
        select(Region, func.count(Agency.id))
        .outerjoin(Agency, Agency.region_id == Region.id)
        .group_by(Region.id)
        .order_by(Region.name)
    ).all()
    return {"regions": rows}
