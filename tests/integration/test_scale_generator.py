"""The scale generator (`flask scale generate`, puja_indah/scale) at its tiny size: three
generated regions and a few rows on top of the demo's Bombana.

It must be deterministic (same seed → same rows, another seed → other rows), refuse a second run
without --replace and a database without schema, keep tenancy (children carry their parent's
agency; an agency scope sees its own generated rows only), write rows the app's rules accept
(complete profiles, e-tracking events in working time with the engine's minutes), and leave the
app's pages working on them.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import selectinload

from puja_indah.core import audit, uploads
from puja_indah.core.models import Agency, Region, Role
from puja_indah.core.storage import file_store
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence.models import Evidence, EvidenceFile
from puja_indah.extensions import db
from puja_indah.innovations import rules, search, services
from puja_indah.innovations.models import Innovation, ProfileStatus
from puja_indah.modules.etracking import codes, engine
from puja_indah.modules.etracking.models import FileAction, FileStatus, Process, TrackedFile
from puja_indah.modules.etracking.worktime import active_minutes
from puja_indah.scale import markers
from puja_indah.scale.structure import monitor_email
from puja_indah.seed import DEMO_PASSWORD
from tests.conftest import TestDatabase, make_test_config

GENERATED = Innovation.name_key.like("inovasi contoh %")


def generate(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["scale", "generate", "--size", "tiny", *args])


@pytest.fixture
def system(app: Flask) -> Iterator[None]:
    with app.app_context(), scoped(Scope.system("tests: scale generator"), db.session):
        yield
        db.session.remove()


@pytest.fixture
def generated(app: Flask) -> None:
    result = generate(app, "--seed", "5")
    assert result.exit_code == 0, result.output


def fingerprint(app: Flask) -> tuple[str, dict[str, int]]:
    with app.app_context(), scoped(Scope.system("tests: fingerprint"), db.session):
        found = markers.fingerprint(db.session)
        db.session.remove()
    return found


def test_same_seed_same_rows_other_seed_other_rows_and_never_twice(app: Flask) -> None:
    first = generate(app, "--seed", "11")
    assert first.exit_code == 0, first.output
    assert "innovations" in first.output and "Elapsed" in first.output
    digest, counts = fingerprint(app)
    assert counts["regions"] == 3 and counts["innovations"] == 40
    assert counts["evidence"] == 160 and counts["evidence_files"] == 6
    assert counts["et_files"] == 40 and counts["et_file_events"] > 40

    again = generate(app, "--seed", "11")
    assert again.exit_code == 1 and "--replace" in again.output
    assert fingerprint(app)[0] == digest

    replaced = generate(app, "--seed", "11", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert fingerprint(app) == (digest, counts)

    other = generate(app, "--seed", "12", "--replace")
    assert other.exit_code == 0, other.output
    assert fingerprint(app)[0] != digest

    with app.app_context(), scoped(Scope.system("tests: audit"), db.session):
        runs = db.session.scalars(
            sa.select(audit.AuditEntry)
            .where(audit.AuditEntry.action == "scale_generate")
            .order_by(audit.AuditEntry.id)
        ).all()
        assert [run.changes["seed"] for run in runs[-3:]] == [11, 11, 12]
        assert audit.verify_chain(db.session) == []
        db.session.remove()

    removed = app.test_cli_runner().invoke(args=["scale", "delete"])
    assert removed.exit_code == 0, removed.output
    assert fingerprint(app) == (hashlib.sha256().hexdigest(), {})


def test_refuses_a_database_without_schema(tmp_path) -> None:
    from puja_indah import create_app

    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    empty = create_app(make_test_config(TestDatabase("sqlite", url, url)))
    result = empty.test_cli_runner().invoke(args=["scale", "generate", "--size", "tiny"])
    assert result.exit_code == 1
    assert "flask db upgrade" in result.output
    with empty.app_context():
        db.engine.dispose()


@pytest.mark.usefixtures("generated")
def test_generated_rows_are_marked_and_follow_the_apps_rules(system: None) -> None:
    innovations = db.session.scalars(sa.select(Innovation).where(GENERATED)).all()
    assert len(innovations) == 40
    for innovation in innovations:
        assert "bukan data nyata" in innovation.summary
        values = {name: getattr(innovation, name) for name in (*services.rules_fields(), "stage")}
        found = rules.problems(values) if innovation.status is ProfileStatus.COMPLETE else {}
        assert found == {}, (innovation.name, found)
        days = [change.changed_on for change in innovation.stage_changes]
        assert days == sorted(days) and days[-1] <= date(2026, 11, 27)
        assert innovation.stage_changes[-1].to_stage is innovation.stage
        assert innovation.published is False or innovation.status is ProfileStatus.COMPLETE
    regions = db.session.scalars(sa.select(Region).where(Region.name.like("% Contoh %"))).all()
    assert len(regions) == 3 and all(region.is_demo for region in regions)
    assert all(a.is_demo and a.name.endswith("(contoh)") for r in regions for a in r.agencies)

    # Sampled evidence has real files in the store: the bytes match the recorded SHA-256 and the
    # vault's own upload check accepts them.
    store = file_store("evidence")
    for version in db.session.scalars(sa.select(EvidenceFile)).all():
        data = store.open(version.storage_key)
        assert hashlib.sha256(data).hexdigest() == version.sha256 and len(data) == version.size
        assert uploads.upload_problem(data, version.original_name, ["pdf"]) is None


@pytest.mark.usefixtures("generated")
def test_etracking_histories_are_the_engines(system: None) -> None:
    """Replaying each generated file with the engine's own functions gives the stored minutes,
    breaches, sequence, stage and status."""
    files = db.session.scalars(
        sa.select(TrackedFile)
        .where(TrackedFile.internal_number.like("CONTOH/%"))
        .options(selectinload(TrackedFile.events), selectinload(TrackedFile.version))
    ).all()
    assert len(files) == 40
    statuses = set()
    for tracked in files:
        assert codes.normalise(tracked.public_code) == tracked.public_code
        calendar = engine.calendar_for(tracked.agency_id, date(2026, 11, 27))
        stages = {stage.id: stage for stage in tracked.version.stages}
        events = tracked.events
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        assert tracked.last_sequence == len(events)
        assert all(a.at < b.at for a, b in itertools.pairwise(events))
        assert events[0].action is FileAction.RECEIVE and events[0].at == tracked.received_at
        entered = events[0].at
        for event in events[1:]:
            if event.action in (FileAction.ADVANCE, FileAction.COMPLETE, FileAction.REJECT):
                pauses = engine.pauses_in_stage(events, entered, event.at)
                minutes = active_minutes(calendar, entered, event.at, pauses)
                assert event.working_minutes == minutes
                stage = stages[event.from_stage_id]
                if event.action is not FileAction.REJECT:
                    assert event.breached == (
                        stage.sla_minutes is not None and minutes > stage.sla_minutes
                    )
                    assert stages[event.to_stage_id].position == stage.position + 1
                    entered = event.at
        assert tracked.stage_entered_at == entered
        assert (tracked.status is FileStatus.COMPLETED) == stages[tracked.stage_id].terminal
        assert (tracked.closed_at is not None) == (
            tracked.status in (FileStatus.COMPLETED, FileStatus.REJECTED)
        )
        statuses.add(tracked.status)
    assert FileStatus.COMPLETED in statuses

    # The generated desks' processes are the presets' version 1, as engine.install_preset makes it.
    presets = engine.presets()
    processes = db.session.scalars(
        sa.select(Process).join(Agency, Process.agency_id == Agency.id).where(Agency.is_demo)
    ).all()
    assert processes
    for process in processes:
        spec = presets[process.preset]
        assert (process.code, process.name) == (spec["code"], spec["name"])
        (version,) = process.versions
        assert version.number == 1
        assert [
            (s.position, s.code, s.name, s.public_label, s.sla_minutes, s.may_return, s.terminal)
            for s in version.stages
        ] == [
            (
                i,
                s["code"],
                s["name"],
                s["public_label"],
                s.get("sla_minutes"),
                bool(s.get("may_return", False)),
                bool(s.get("terminal", False)),
            )
            for i, s in enumerate(spec["stages"])
        ]
        assert [(k.code, k.checklist) for k in version.file_kinds] == [
            (k["code"], k["checklist"]) for k in spec["file_kinds"]
        ]


@pytest.mark.usefixtures("generated")
def test_children_carry_their_parents_agency_and_scopes_see_their_own(system: None) -> None:
    # Every composite (parent_id, agency_id) key of a generated row names its parent's agency.
    checked = 0
    for table in markers.tables():
        condition = markers.generated(table)
        if condition is None or "agency_id" not in table.c:
            continue
        for fk in table.foreign_key_constraints:
            pairs = {e.parent.name: e.column for e in fk.elements}
            if len(pairs) != 2 or getattr(pairs.get("agency_id"), "name", "") != "agency_id":
                continue
            ((local, remote),) = [(n, c) for n, c in pairs.items() if n != "agency_id"]
            parent = remote.table
            mismatched = db.session.execute(
                sa.select(sa.func.count())
                .select_from(table.join(parent, table.c[local] == parent.c.id))
                .where(condition, table.c.agency_id != parent.c.agency_id)
            ).scalar()
            assert mismatched == 0, (table.name, local)
            checked += 1
    assert checked > 10
    wrong_region = db.session.execute(
        sa.select(sa.func.count())
        .select_from(Innovation)
        .join(Agency, Innovation.agency_id == Agency.id)
        .where(GENERATED, Innovation.region_id != Agency.region_id)
    ).scalar()
    assert wrong_region == 0

    owners = db.session.execute(
        sa.select(Innovation.agency_id, Agency.region_id, sa.func.count())
        .join(Agency, Innovation.agency_id == Agency.id)
        .where(GENERATED)
        .group_by(Innovation.agency_id, Agency.region_id)
    ).all()
    agency_id, region_id, count = max(owners, key=lambda row: row[2])
    region_total = sum(row[2] for row in owners if row[1] == region_id)
    with scoped(Scope.for_membership(Role.AGENCY_OFFICER, agency_id, region_id), db.session):
        seen = db.session.scalars(sa.select(Innovation).where(GENERATED)).all()
        assert len(seen) == count and {i.agency_id for i in seen} == {agency_id}
        documents = db.session.scalars(sa.select(Evidence)).all()
        assert documents and {d.agency_id for d in documents} == {agency_id}
    with scoped(Scope.for_membership(Role.REGION_MONITOR, None, region_id), db.session):
        seen = db.session.scalars(sa.select(Innovation).where(GENERATED)).all()
        assert len(seen) == region_total and {i.region_id for i in seen} == {region_id}


@pytest.mark.usefixtures("generated")
def test_search_finds_generated_innovations(system: None, test_database: TestDatabase) -> None:
    innovation = db.session.scalars(sa.select(Innovation).where(GENERATED).limit(1)).one()
    word = innovation.name.split(": ", 1)[1].split()[0]
    dialect = db.session.get_bind().dialect.name
    condition = search.condition(f"contoh {innovation.name.split()[2]} {word}", dialect)
    assert condition is not None
    found = db.session.scalars(sa.select(Innovation.id).where(condition)).all()
    assert innovation.id in found


def _sign_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/masuk", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"sign-in as {email} failed"
    return client


@pytest.mark.usefixtures("generated")
def test_a_generated_regions_monitor_uses_the_app(app: Flask) -> None:
    with app.app_context(), scoped(Scope.system("tests: pick rows"), db.session):
        region = db.session.scalars(
            sa.select(Region).where(Region.name.like("Kabupaten Contoh %")).order_by(Region.id)
        ).first()
        assert region is not None
        code, region_id = region.code, region.id
        mine = db.session.scalars(
            sa.select(Innovation).where(GENERATED, Innovation.region_id == region_id)
        ).all()
        theirs = db.session.scalars(
            sa.select(Innovation.name).where(GENERATED, Innovation.region_id != region_id)
        ).all()
        desk = db.session.scalars(
            sa.select(TrackedFile.agency_id)
            .join(Agency, TrackedFile.agency_id == Agency.id)
            .where(Agency.region_id == region_id)
        ).first()
        names_mine = [i.name for i in mine]
        first_id = mine[0].id
        db.session.remove()

    monitor = _sign_in(app, monitor_email(code))
    listing = monitor.get("/innovations")
    assert listing.status_code == 200
    assert any(name in listing.text for name in names_mine)
    assert not any(name in listing.text for name in theirs)
    assert monitor.get(f"/innovations/{first_id}").status_code == 200
    assert monitor.get("/innovations?q=contoh").status_code == 200
    board = monitor.get("/board")
    assert board.status_code == 200 and "(contoh)" in board.text
    if desk is not None:
        url = f"/m/etracking/agency/{desk}/analytics?from=2025-11-27&to=2026-11-27"
        assert monitor.get(url).status_code == 200


@pytest.mark.usefixtures("generated")
def test_a_sampled_evidence_file_downloads_with_its_hash(app: Flask) -> None:
    with app.app_context(), scoped(Scope.system("tests: pick a file"), db.session):
        version = db.session.scalars(sa.select(EvidenceFile).order_by(EvidenceFile.id)).first()
        assert version is not None
        evidence = db.session.get(Evidence, version.evidence_id)
        assert evidence is not None and evidence.innovation_id is not None
        region = db.session.scalar(
            sa.select(Region).join(Agency).where(Agency.id == evidence.agency_id)
        )
        assert region is not None
        email = monitor_email(region.code) if region.is_demo else "monitor@demo.pujaindah.id"
        url = f"/innovations/{evidence.innovation_id}/evidence/{evidence.id}/files/{version.id}"
        sha256 = version.sha256
        db.session.remove()
    response = _sign_in(app, email).get(url)
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == sha256
