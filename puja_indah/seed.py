"""Idempotent loading of the demo data file (puja_indah/data/demo_bombana.yaml)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from puja_indah.agencies.models import Appointment, Decree
from puja_indah.assessment import services as assessment_services
from puja_indah.core.clock import WITA
from puja_indah.core.models import Agency, Membership, Region, RegionKind, Role, User
from puja_indah.core.passwords import hash_password
from puja_indah.extensions import db
from puja_indah.innovations.models import (
    Innovation,
    Origin,
    ProfileStatus,
    Stage,
    StageChange,
)
from puja_indah.innovations.rules import fold_name
from puja_indah.reference import services as reference_services

DEMO_FILE = Path(__file__).parent / "data" / "demo_bombana.yaml"
# Printed by the CLI; meets the password policy. Demo only: every demo user is flagged is_demo.
DEMO_PASSWORD = "PujaIndah#2026demo"  # noqa: S105 - published demo credential


def load_demo(path: Path = DEMO_FILE, password: str = DEMO_PASSWORD) -> dict[str, int]:
    """Create or update the demo rows; running it twice changes nothing. Caller commits and sets
    a system scope."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    created = {
        "regions": 0,
        "agencies": 0,
        "decrees": 0,
        "appointments": 0,
        "innovations": 0,
        "users": 0,
    }

    regions: dict[str, Region] = {}
    for row in data["regions"]:
        region = db.session.scalar(select(Region).where(Region.code == row["code"]))
        if region is None:
            region = Region(code=row["code"])
            db.session.add(region)
            created["regions"] += 1
        region.name = row["name"]
        region.kind = RegionKind(row["kind"])
        region.is_demo = bool(row.get("demo", False))
        region.parent = regions.get(row.get("parent", ""))
        regions[row["code"]] = region
    db.session.flush()

    agencies: dict[tuple[str, str], Agency] = {}
    for region_code, rows in data["agencies"].items():
        region = regions[region_code]
        for row in rows:
            agency = db.session.scalar(
                select(Agency).where(Agency.region_id == region.id, Agency.code == row["code"])
            )
            if agency is None:
                agency = Agency(region=region, code=row["code"])
                db.session.add(agency)
                created["agencies"] += 1
            agency.name = row["name"]
            agency.short_name = row["short_name"]
            agency.is_demo = bool(row.get("demo", False))
            agency.parent = agencies.get((region_code, row.get("parent", "")))
            agencies[(region_code, row["code"])] = agency
    db.session.flush()

    for row in data["decrees"]:
        region = regions[row["region"]]
        decree = db.session.scalar(
            select(Decree).where(Decree.region_id == region.id, Decree.number == row["number"])
        )
        if decree is None:
            decree = Decree(region=region, number=row["number"], title=row["title"])
            db.session.add(decree)
            created["decrees"] += 1
        decree.title = " ".join(row["title"].split())
        db.session.flush()
        for item in row["appointments"]:
            agency = agencies[(row["region"], item["agency"])]
            appointment = db.session.scalar(
                select(Appointment).where(
                    Appointment.decree_id == decree.id, Appointment.agency_id == agency.id
                )
            )
            if appointment is None:
                appointment = Appointment(decree=decree, agency=agency)
                db.session.add(appointment)
                created["appointments"] += 1
            appointment.innovation_name = item.get("innovation", "")
            appointment.innovation_description = " ".join(item.get("description", "").split())
            appointment.is_demo = bool(item.get("demo", False))
            db.session.flush()
            if not appointment.is_demo and appointment.innovation_name:
                created["innovations"] += _assigned_innovation(appointment, item)
    db.session.flush()

    password_hash = hash_password(password)
    for row in data["users"]:
        user = db.session.scalar(select(User).where(User.email == row["email"]))
        if user is None:
            user = User(email=row["email"], name=row["name"], password_hash=password_hash)
            user.is_demo = True
            db.session.add(user)
            created["users"] += 1
        role = Role(row["role"])
        agency_id = region_id = None
        if "agency" in row:
            agency_id = agencies[(row.get("agency_region", "74.06"), row["agency"])].id
        if "region" in row:
            region_id = regions[row["region"]].id
        db.session.flush()
        exists = db.session.scalar(
            select(Membership).where(
                Membership.user_id == user.id,
                Membership.role == role,
                Membership.agency_id.is_(agency_id)
                if agency_id is None
                else Membership.agency_id == agency_id,
                Membership.region_id.is_(region_id)
                if region_id is None
                else Membership.region_id == region_id,
            )
        )
        if exists is None:
            db.session.add(
                Membership(user=user, role=role, agency_id=agency_id, region_id=region_id)
            )
    db.session.flush()
    created["modules"] = _switch_on_modules(data.get("modules", []), agencies)
    # --- e-pintar (Dinas Pendidikan): demo schools and a demo announcement ---
    from puja_indah.modules.epintar.demo import seed_demo as seed_epintar_demo

    created["epintar_schools"] = seed_epintar_demo(agencies[("74.06", "DIKBUD")].id)
    # --- e-tracking: demo file histories, so the SLA analytics have something to show ---
    from puja_indah.modules.etracking import demo_files

    created["demo_files"] = 0
    for row in data.get("etracking_demo_files", []):
        agency = agencies[(row.get("agency_region", "74.06"), row["agency"])]
        created["demo_files"] += demo_files.generate(agency.id, int(row["count"]), seed=1)
    # --- e-minduk: a few demo requests at Disdukcapil's desk ---
    from puja_indah.modules.eminduk.demo import seed_requests

    created["civil_requests"] = seed_requests(agencies.get(("74.06", "DISDUKCAPIL")))
    # National lists and the assessment catalogue, so the demo app can fill a whole profile.
    created.update(reference_services.seed())
    outcome = assessment_services.seed()
    created["assessment_years"] = sum(1 for what in outcome.values() if what == "created")
    return created


def _switch_on_modules(rows: list[dict[str, Any]], agencies: dict[tuple[str, str], Agency]) -> int:
    """Switch the demo's modules on (once) and install each desk's process preset."""
    from puja_indah.core.registry import ModuleActivation
    from puja_indah.modules.etracking import engine

    switched = 0
    for row in rows:
        agency = agencies[(row.get("agency_region", "74.06"), row["agency"])]
        activation = db.session.scalar(
            select(ModuleActivation).where(
                ModuleActivation.agency_id == agency.id,
                ModuleActivation.module_code == row["module"],
            )
        )
        if activation is None:
            db.session.add(
                ModuleActivation(
                    agency=agency, agency_id=agency.id, module_code=row["module"], enabled=True
                )
            )
            switched += 1
        if row.get("preset"):
            engine.install_preset(agency.id, row["preset"])
    db.session.flush()
    return switched


def _assigned_innovation(appointment: Appointment, item: dict[str, Any]) -> int:
    """The appointment's assigned innovation as a draft profile, once (matched by its folded name
    in the region). Only the facts of the sources: name, what it does, and the stage when the
    sources say it is implemented. Returns 1 when it was created."""
    name = " ".join(str(item["innovation"]).split())
    key = fold_name(name)
    region_id = appointment.agency.region_id
    exists = db.session.scalar(
        select(Innovation.id).where(Innovation.region_id == region_id, Innovation.name_key == key)
    )
    if exists is not None:
        return 0
    stage = Stage(item.get("stage", Stage.INITIATIVE.value))
    implemented = item.get("implemented_on")
    started = implemented if isinstance(implemented, date) else datetime.now(WITA).date()
    innovation = Innovation(
        agency_id=appointment.agency_id,
        region_id=region_id,
        appointment_id=appointment.id,
        origin=Origin.ASSIGNED,
        status=ProfileStatus.DRAFT,
        stage=stage,
        name=name,
        name_key=key,
        summary=appointment.innovation_description,
        implementation_date=implemented if isinstance(implemented, date) else None,
    )
    innovation.stage_changes.append(
        StageChange(
            agency_id=appointment.agency_id, from_stage=None, to_stage=stage, changed_on=started
        )
    )
    db.session.add(innovation)
    db.session.flush()
    return 1


def demo_logins(path: Path = DEMO_FILE) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(row["email"], row["role"]) for row in data["users"]]
