"""Reads for the module screen: which agencies the caller manages, and their switches."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from puja_indah.core import registry
from puja_indah.core.models import Agency, Region
from puja_indah.core.registry import ModuleActivation, ServiceModule
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db


@dataclass
class AgencyModules:
    agency: Agency
    states: dict[str, bool]


def agencies_in_view(scope: Scope, region_id: int | None) -> list[Agency]:
    query = select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)
    if scope.kind == "agency":
        query = query.where(Agency.id == scope.agency_id)
    elif scope.kind == "region":
        query = query.where(Agency.region_id == scope.region_id)
    elif region_id is not None:
        query = query.where(Agency.region_id == region_id)
    else:
        return []
    return list(db.session.scalars(query))


def switchboard(agencies: list[Agency]) -> list[AgencyModules]:
    ids = [a.id for a in agencies]
    rows = db.session.execute(
        select(
            ModuleActivation.agency_id, ModuleActivation.module_code, ModuleActivation.enabled
        ).where(ModuleActivation.agency_id.in_(ids))
    ).all()
    states: dict[int, dict[str, bool]] = {i: {} for i in ids}
    for agency_id, code, enabled in rows:
        states[agency_id][code] = bool(enabled)
    return [AgencyModules(a, states[a.id]) for a in agencies]


def modules() -> list[ServiceModule]:
    return list(registry.registered().values())


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.name)))
