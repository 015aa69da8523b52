"""Extra regions and agencies for the tests of the national administrator's forms: what a form
offers must not grow with the number of agencies in the country, only with its chosen region's."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from puja_indah.core.models import Agency, Region, RegionKind
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db


@dataclass(frozen=True)
class ExtraRegion:
    id: int
    active: list[int]
    inactive: list[int]


def add_region(app: Flask, code: str, *, active: int, inactive: int = 0) -> ExtraRegion:
    """A regency under the demo province (74) with `active` + `inactive` agencies."""
    with app.app_context(), scoped(Scope.system("tests: extra region"), db.session):
        province = db.session.scalar(sa.select(Region.id).where(Region.code == "74"))
        region = Region(
            code=code, name=f"Kabupaten Uji {code}", kind=RegionKind.REGENCY, parent_id=province
        )
        db.session.add(region)
        db.session.flush()
        agencies = [
            Agency(
                region_id=region.id,
                code=f"UJI{n:03d}",
                name=f"Dinas Uji {code} {n:03d}",
                short_name=f"Uji {n}",
                active=n < active,
            )
            for n in range(active + inactive)
        ]
        db.session.add_all(agencies)
        db.session.commit()
        extra = ExtraRegion(
            region.id,
            [a.id for a in agencies if a.active],
            [a.id for a in agencies if not a.active],
        )
        db.session.remove()
    return extra


def add_agencies(app: Flask, region_id: int, count: int, prefix: str = "TAMBAH") -> None:
    """More agencies in an existing region (the country growing, its regions not)."""
    with app.app_context(), scoped(Scope.system("tests: more agencies"), db.session):
        db.session.add_all(
            Agency(
                region_id=region_id,
                code=f"{prefix}{n:03d}",
                name=f"Dinas Tambahan {n:03d}",
                short_name=f"Tambah {n}",
            )
            for n in range(count)
        )
        db.session.commit()
        db.session.remove()


def select_html(page: str, name: str) -> str:
    found = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    assert found, f"no <select name={name}>"
    return found.group(0)


def option_values(page: str, name: str) -> list[str]:
    """The values offered by one select, "no choice" included."""
    return re.findall(r'<option[^>]*\bvalue="([^"]*)"', select_html(page, name))
