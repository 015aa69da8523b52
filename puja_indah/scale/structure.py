"""Regions, agencies, accounts, decrees and e-tracking desks of the generated world — and the
host regions (e.g. the demo's Bombana) whose existing agencies and desks receive generated data.

Generated regions take province codes Kemendagri does not use (names.UNUSED_PROVINCE_CODES),
"NN" for a province and "NN.NN" for a kabupaten (01…) or kota (71…). Each has the usual OPD
(names.AGENCY_TEMPLATES, "(contoh)"), one region-monitor account, and a decree appointing some of
its agencies; a share of them run e-tracking with the preset process the engine installs
(engine.install_preset's rows, written in bulk).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from argon2 import Type
from argon2.low_level import hash_secret
from sqlalchemy import select

from puja_indah.core import passwords
from puja_indah.core.models import RegionKind, Role
from puja_indah.modules.etracking import engine
from puja_indah.scale import names
from puja_indah.scale.world import AgencyInfo, Desk, RegionInfo, StageInfo, World


class PlanRefused(Exception):
    """The database cannot take this plan (a prerequisite is missing); the message says why."""


def account_password_hash(seed: int, password: str) -> str:
    """The generated accounts' password hash: argon2id at the production cost, with a salt taken
    from the seed (not random) so the rows are the same for the same seed."""
    salt = hashlib.sha256(f"{seed}/accounts".encode()).digest()[:16]
    return hash_secret(
        password.encode(),
        salt,
        time_cost=passwords.ARGON2_TIME_COST,
        memory_cost=passwords.ARGON2_MEMORY_KIB,
        parallelism=passwords.ARGON2_PARALLELISM,
        hash_len=32,
        type=Type.ID,
    ).decode()


def load_hosts(world: World) -> None:
    """The existing regions that receive generated rows, with their agencies."""
    session = world.writer.session
    regions = world.writer.table("regions")
    agencies = world.writer.table("agencies")
    for code in world.plan.host_regions:
        row = session.execute(
            select(regions.c.id, regions.c.name).where(regions.c.code == code)
        ).first()
        if row is None:
            raise PlanRefused(
                f"Region {code} is not in the database: load the demo data first (flask seed demo)."
            )
        region = RegionInfo(id=row.id, code=code, name=row.name, generated=False)
        for agency in session.execute(
            select(agencies.c.id, agencies.c.code, agencies.c.name)
            .where(agencies.c.region_id == row.id, agencies.c.active.is_(True))
            .order_by(agencies.c.id)
        ):
            region.agencies.append(
                AgencyInfo(
                    id=agency.id,
                    region_id=row.id,
                    region_name=row.name,
                    code=agency.code,
                    name=agency.name,
                    generated=False,
                )
            )
        world.regions.append(region)


def region_codes(world: World) -> list[tuple[str, str, str | None]]:
    """(code, kind, parent code) of every generated region, provinces first."""
    plan = world.plan
    if plan.provinces > len(names.UNUSED_PROVINCE_CODES):
        raise PlanRefused(f"At most {len(names.UNUSED_PROVINCE_CODES)} generated provinces.")
    rng = world.rng("regions")
    provinces = [f"{code:02d}" for code in names.UNUSED_PROVINCE_CODES[: plan.provinces]]
    result: list[tuple[str, str, str | None]] = [
        (code, RegionKind.PROVINCE.value, None) for code in provinces
    ]
    if not provinces:
        return result
    # Kabupaten and kota spread over the provinces as evenly as the numbers allow.
    share, extra = divmod(plan.regencies, len(provinces))
    for index, province in enumerate(provinces):
        count = share + (1 if index < extra else 0)
        kabupaten = kota = 0
        for _ in range(count):
            if rng.random() < 0.19:  # 98 of the 514 kabupaten/kota are cities
                kota += 1
                result.append((f"{province}.{70 + kota:02d}", RegionKind.CITY.value, province))
            else:
                kabupaten += 1
                result.append((f"{province}.{kabupaten:02d}", RegionKind.REGENCY.value, province))
    return result


def build_regions(world: World) -> None:
    """Generated regions with their agencies and one monitor account each."""
    writer = world.writer
    codes = region_codes(world)
    if not codes:
        return
    session = writer.session
    regions = writer.table("regions")
    taken = set(
        session.execute(
            select(regions.c.code).where(regions.c.code.in_([code for code, _k, _p in codes]))
        ).scalars()
    )
    if taken:
        raise PlanRefused(f"Region codes already used: {', '.join(sorted(taken)[:5])}…")
    created = world.at(world.beginning, 8)
    ids: dict[str, int] = {}
    number = 0
    for code, kind, parent in codes:
        region_id = writer.new_id("regions")
        ids[code] = region_id
        if kind == RegionKind.PROVINCE.value:
            name = names.region_name(kind, int(code))
        else:
            number += 1
            name = names.region_name(kind, number)
        writer.add(
            "regions",
            {
                "id": region_id,
                "code": code,
                "name": name,
                "kind": kind,
                "parent_id": ids[parent] if parent else None,
                "is_demo": True,
                "created_at": created,
                "updated_at": created,
            },
        )
        region = RegionInfo(id=region_id, code=code, name=name, generated=True)
        world.regions.append(region)
        _agencies(world, region, created)
    _accounts(world, [r for r in world.regions if r.generated], created)


def _agencies(world: World, region: RegionInfo, created: object) -> None:
    writer = world.writer
    templates = names.AGENCY_TEMPLATES[: world.plan.agencies_per_region]
    by_code: dict[str, int] = {}
    for code, short_name, name, parent in templates:
        agency_id = writer.new_id("agencies")
        by_code[code] = agency_id
        writer.add(
            "agencies",
            {
                "id": agency_id,
                "region_id": region.id,
                "parent_id": by_code.get(parent) if parent else None,
                "code": code,
                "name": names.agency_name(name),
                "short_name": short_name,
                "active": True,
                "is_demo": True,
                "created_at": created,
                "updated_at": created,
            },
        )
        region.agencies.append(
            AgencyInfo(
                id=agency_id,
                region_id=region.id,
                region_name=region.name,
                code=code,
                name=names.agency_name(name),
                generated=True,
            )
        )


def _accounts(world: World, regions: list[RegionInfo], created: object) -> None:
    """One region monitor per generated region: monitor.<code>@contoh.pujaindah.id, with the
    demo password (printed by the command)."""
    from puja_indah.seed import DEMO_PASSWORD

    writer = world.writer
    password_hash = account_password_hash(world.seed, DEMO_PASSWORD)
    for region in regions:
        user_id = writer.new_id("users")
        writer.add(
            "users",
            {
                "id": user_id,
                "email": monitor_email(region.code),
                "name": f"Monitor {region.name}",
                "password_hash": password_hash,
                "locale": "id",
                "locked_at": None,
                "password_changed_at": None,
                "is_demo": True,
                "created_at": created,
                "updated_at": created,
            },
        )
        writer.add(
            "memberships",
            {
                "id": writer.new_id("memberships"),
                "user_id": user_id,
                "role": Role.REGION_MONITOR.value,
                "agency_id": None,
                "region_id": region.id,
                "created_at": created,
                "updated_at": created,
            },
        )


def monitor_email(region_code: str) -> str:
    return f"monitor.{region_code.replace('.', '-')}@{names.ACCOUNT_DOMAIN}"


def build_decrees(world: World) -> None:
    """A decree per generated region appointing agencies (the coordinator excepted); their
    assigned innovations are made with the other innovations (`world.appointments`)."""
    writer = world.writer
    rng = world.rng("decrees")
    per_region = world.plan.appointments_per_region
    for region in world.regions:
        if not region.generated or per_region <= 0:
            continue
        candidates = [a for a in region.agencies if a.code != names.COORDINATOR]
        appointed = candidates[:per_region]
        if not appointed:
            continue
        signed = world.beginning + timedelta(days=rng.randrange(0, 365))
        created = world.at(signed, 10)
        decree_id = writer.new_id("decrees")
        writer.add(
            "decrees",
            {
                "id": decree_id,
                "region_id": region.id,
                "number": f"{rng.randrange(100, 999)}/{signed.year} (contoh)",
                "signed_on": signed,
                "title": (
                    "Penunjukan Perangkat Daerah Pelaksana Inovasi Daerah di "
                    f"{region.name} (data contoh)"
                ),
                "pdf_key": None,
                "pdf_sha256": None,
                "pdf_size": None,
                "created_at": created,
                "updated_at": created,
            },
        )
        world.notes.setdefault("decrees", []).append((decree_id, signed, appointed))


def build_desks(world: World) -> None:
    """E-tracking desks: a share of generated regions' BKD and DPMPTSP switch the module on and
    get the preset's process; the host regions' desks are used as they are."""
    _host_desks(world)
    generated = [r for r in world.regions if r.generated]
    if not generated:
        return
    rng = world.rng("desks")
    presets = engine.presets()
    installed = world.at(world.base_date - timedelta(days=400), 8)
    for code, share in (
        ("BKD", world.plan.bkd_desk_share),
        ("DPMPTSP", world.plan.dpmptsp_desk_share),
    ):
        chosen = rng.sample(generated, round(share * len(generated)))
        for region in sorted(chosen, key=lambda r: r.id):
            agency = next((a for a in region.agencies if a.code == code), None)
            if agency is None:
                continue
            preset = names.DESK_PRESETS[code]
            world.desks.append(_install(world, agency, preset, presets[preset], installed))
            if code == "BKD":
                # As in Bombana, a region running the BKD desk has its education office on
                # e-pintar, so its board shows the same kinds of module figures.
                education = next((a for a in region.agencies if a.code == "DIKBUD"), None)
                if education is not None:
                    _switch_on(world, education, "epintar", installed)


def _switch_on(world: World, agency: AgencyInfo, module_code: str, at: object) -> None:
    world.writer.add(
        "module_activations",
        {
            "id": world.writer.new_id("module_activations"),
            "agency_id": agency.id,
            "module_code": module_code,
            "enabled": True,
            "settings": {},
            "changed_at": at,
            "changed_by_id": None,
            "created_at": at,
            "updated_at": at,
        },
    )


def _install(world: World, agency: AgencyInfo, preset: str, spec: dict, at: object) -> Desk:
    """The rows engine.install_preset writes (process, version 1, stages, file kinds) and the
    module switched on."""
    writer = world.writer
    _switch_on(world, agency, "etracking", at)
    process_id = writer.new_id("et_processes")
    submitted = bool(spec.get("submitted_by_agencies", True))
    writer.add(
        "et_processes",
        {
            "id": process_id,
            "agency_id": agency.id,
            "code": spec["code"],
            "name": spec["name"],
            "preset": preset,
            "submitted_by_agencies": submitted,
            "active": True,
            "created_at": at,
            "updated_at": at,
        },
    )
    version_id = writer.new_id("et_process_versions")
    writer.add(
        "et_process_versions",
        {
            "id": version_id,
            "agency_id": agency.id,
            "process_id": process_id,
            "number": 1,
            "note": "",
            "created_at": at,
            "updated_at": at,
        },
    )
    stages: list[StageInfo] = []
    for position, stage in enumerate(spec["stages"]):
        stage_id = writer.new_id("et_stages")
        info = StageInfo(
            id=stage_id,
            position=position,
            sla_minutes=stage.get("sla_minutes"),
            may_return=bool(stage.get("may_return", False)),
            terminal=bool(stage.get("terminal", False)),
        )
        stages.append(info)
        writer.add(
            "et_stages",
            {
                "id": stage_id,
                "agency_id": agency.id,
                "version_id": version_id,
                "position": position,
                "code": stage["code"],
                "name": stage["name"],
                "public_label": stage["public_label"],
                "roles": stage.get("roles", "agency_officer,agency_lead"),
                "sla_minutes": info.sla_minutes,
                "may_return": info.may_return,
                "terminal": info.terminal,
            },
        )
    kinds: list[tuple[int, list[str]]] = []
    for position, kind in enumerate(spec["file_kinds"]):
        kind_id = writer.new_id("et_file_kinds")
        kinds.append((kind_id, list(kind["checklist"])))
        writer.add(
            "et_file_kinds",
            {
                "id": kind_id,
                "agency_id": agency.id,
                "version_id": version_id,
                "position": position,
                "code": kind["code"],
                "name": kind["name"],
                "checklist": list(kind["checklist"]),
            },
        )
    return Desk(
        agency=agency,
        process_id=process_id,
        process_code=spec["code"],
        version_id=version_id,
        submitted_by_agencies=submitted,
        stages=stages,
        kinds=kinds,
        weight=4.0 if submitted else 1.0,
    )


def _host_desks(world: World) -> None:
    """The e-tracking processes the host regions' desks already run (from the two presets)."""
    writer = world.writer
    session = writer.session
    activations = writer.table("module_activations")
    processes = writer.table("et_processes")
    versions = writer.table("et_process_versions")
    stages = writer.table("et_stages")
    kinds = writer.table("et_file_kinds")
    for region in world.regions:
        if region.generated:
            continue
        for agency in region.agencies:
            enabled = session.execute(
                select(activations.c.id).where(
                    activations.c.agency_id == agency.id,
                    activations.c.module_code == "etracking",
                    activations.c.enabled.is_(True),
                )
            ).first()
            if enabled is None:
                continue
            for process in session.execute(
                select(processes)
                .where(
                    processes.c.agency_id == agency.id,
                    processes.c.preset.in_(list(names.DESK_PRESETS.values())),
                    processes.c.active.is_(True),
                )
                .order_by(processes.c.id)
            ):
                version_id = session.execute(
                    select(versions.c.id)
                    .where(versions.c.process_id == process.id)
                    .order_by(versions.c.number.desc())
                    .limit(1)
                ).scalar()
                if version_id is None:
                    continue
                world.desks.append(
                    Desk(
                        agency=agency,
                        process_id=process.id,
                        process_code=process.code,
                        version_id=version_id,
                        submitted_by_agencies=process.submitted_by_agencies,
                        stages=[
                            StageInfo(s.id, s.position, s.sla_minutes, s.may_return, s.terminal)
                            for s in session.execute(
                                select(stages)
                                .where(stages.c.version_id == version_id)
                                .order_by(stages.c.position)
                            )
                        ],
                        kinds=[
                            (k.id, list(k.checklist))
                            for k in session.execute(
                                select(kinds)
                                .where(kinds.c.version_id == version_id)
                                .order_by(kinds.c.position)
                            )
                        ],
                        weight=4.0 if process.submitted_by_agencies else 1.0,
                    )
                )
