"""Innovations and everything that hangs off them: the stage history, other urusan, evidence
documents (a sample with real files in the store), SID claims with their evidence, milestones
with attachments, the decree appointments of assigned innovations, and replications between
regions.

Two passes. The *skeleton* decides, cheaply and for all innovations at once, who owns each one,
its origin, stage, dates, whether it is complete and published, and for replicas their source
and status path — what other rows need to know about an innovation. The second pass writes the
rows in chunks, with the long texts, so memory stays flat at national size.

The rows are what the services would write: a complete profile meets `innovations.rules` for
its stage (rancang bangun ≥ 300 words, stage dates), stage changes move forward with dates in
order, a claim cites documents of its own innovation, a milestone's progress grows over time,
a replica is an innovation of the replicating agency with origin "replication", its source a
published innovation of another agency (copied names, as `create_replication` does), its status
history moves forward. Nothing is dated after the base date.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from puja_indah.core.storage import file_store
from puja_indah.innovations.models import (
    DESIGN_SECTIONS,
    InnovationForm,
    InnovationKind,
    Origin,
    ProfileStatus,
    Stage,
)
from puja_indah.innovations.rules import fold_name
from puja_indah.replications.models import PROGRESS, ReplicationMode, ReplicationStatus
from puja_indah.scale import names
from puja_indah.scale.world import AgencyInfo, World

CHUNK = 1_000
STAGE_SHARES = ((Stage.INITIATIVE, 0.30), (Stage.TRIAL, 0.25), (Stage.IMPLEMENTATION, 0.45))
COMPLETE_SHARE = {Stage.INITIATIVE: 0.3, Stage.TRIAL: 0.5, Stage.IMPLEMENTATION: 0.7}
EVIDENCE_WEIGHT = {Stage.INITIATIVE: 1.0, Stage.TRIAL: 2.5, Stage.IMPLEMENTATION: 4.0}
REPLICATION_OUTCOMES = (
    (ReplicationStatus.INTEREST, 0.2),
    (ReplicationStatus.AGREEMENT, 0.2),
    (ReplicationStatus.TRIAL, 0.2),
    (ReplicationStatus.APPLIED, 0.3),
    (ReplicationStatus.STOPPED, 0.1),
)


@dataclass
class Replica:
    source: Meta | None  # None: an innovation outside the platform
    statuses: list[tuple[ReplicationStatus, date]]
    mode: ReplicationMode


@dataclass
class Meta:
    id: int
    number: int
    agency: AgencyInfo
    origin: Origin
    stage: Stage
    complete: bool
    start: date
    trial: date | None = None
    implementation: date | None = None
    published: bool = False
    name: str = ""
    appointment_id: int | None = None
    replica: Replica | None = None
    evidence_ids: list[int] = field(default_factory=list)


# --- the skeleton --------------------------------------------------------------------------------


def skeleton(world: World) -> list[Meta]:
    plan = world.plan
    rng = world.rng("skeleton")
    agencies = world.agencies
    if not agencies:
        return []
    owners: list[tuple[AgencyInfo, Origin, tuple[int, date] | None]] = []
    for _decree_id, signed, appointed in world.notes.get("decrees", []):
        owners += [(agency, Origin.ASSIGNED, (_decree_id, signed)) for agency in appointed]
    owners = owners[: plan.innovations]
    # Some agencies innovate a lot, many a little: a long-tailed weight per agency.
    weights = [min(rng.paretovariate(1.2), 25.0) for _ in agencies]
    remaining = plan.innovations - len(owners)
    for agency in rng.choices(agencies, weights=weights, k=remaining):
        origin = Origin.REPLICATION if rng.random() < plan.replica_share else Origin.OWN
        owners.append((agency, origin, None))

    metas: list[Meta] = []
    span = (world.base_date - world.beginning).days
    for number, (agency, origin, decree) in enumerate(owners, start=1):
        stage = _pick(rng, STAGE_SHARES)
        start = world.beginning + timedelta(days=rng.randrange(0, span - 30))
        meta = Meta(
            id=world.writer.new_id("innovations"),
            number=number,
            agency=agency,
            origin=origin,
            stage=stage,
            complete=rng.random() < COMPLETE_SHARE[stage],
            start=start,
            name=names.innovation_name(number, rng),
        )
        if decree is not None:
            decree_id, signed = decree
            meta.start = max(meta.start, signed)
            meta.appointment_id = world.writer.new_id("appointments")
            world.appointments[meta.appointment_id] = decree_id
        _stage_dates(world, rng, meta)
        meta.published = meta.complete and rng.random() < 0.5
        metas.append(meta)
    _replicas(world, rng, metas)
    return metas


def _pick(rng: random.Random, shares: tuple[tuple[Any, float], ...]) -> Any:
    values, weights = zip(*shares, strict=True)
    return rng.choices(values, weights=weights)[0]


def _stage_dates(world: World, rng: random.Random, meta: Meta) -> None:
    meta.trial = meta.implementation = None
    if meta.stage.rank >= Stage.TRIAL.rank:
        meta.trial = min(meta.start + timedelta(days=rng.randrange(14, 365)), world.base_date)
    if meta.stage is Stage.IMPLEMENTATION:
        assert meta.trial is not None
        meta.implementation = min(
            meta.trial + timedelta(days=rng.randrange(30, 540)), world.base_date
        )


def _replicas(world: World, rng: random.Random, metas: list[Meta]) -> None:
    """Each replica's status path (its stage follows) and its source: a published innovation of
    another agency made before it (so lineage never loops), mostly in another region, sometimes
    one outside the platform."""
    replicas = [m for m in metas if m.origin is Origin.REPLICATION]
    outcomes: dict[int, ReplicationStatus] = {}
    for meta in replicas:
        outcome = _pick(rng, REPLICATION_OUTCOMES)
        outcomes[meta.id] = outcome
        reached = (
            outcome if outcome is not ReplicationStatus.STOPPED else ReplicationStatus.INTEREST
        )
        meta.stage = {
            ReplicationStatus.APPLIED: Stage.IMPLEMENTATION,
            ReplicationStatus.TRIAL: Stage.TRIAL,
        }.get(reached, Stage.INITIATIVE)
        meta.complete = meta.complete and meta.stage is not Stage.INITIATIVE
        meta.published = meta.published and meta.complete
    published = [m for m in metas if m.published]  # in number order
    numbers = [m.number for m in published]
    for meta in replicas:
        earlier = published[: bisect_left(numbers, meta.number)]
        source: Meta | None = None
        if earlier and rng.random() < 0.9:
            for attempt in range(8):
                candidate = rng.choice(earlier)
                other_region = candidate.agency.region_id != meta.agency.region_id
                if candidate.agency.id != meta.agency.id and (other_region or attempt >= 4):
                    source = candidate
                    break
        if source is not None:
            meta.start = min(max(meta.start, source.start + timedelta(days=30)), world.base_date)
        outcome = outcomes[meta.id]
        day = meta.start
        statuses = [(ReplicationStatus.INTEREST, day)]
        target = PROGRESS.index(outcome) if outcome in PROGRESS else rng.randrange(0, 3)
        for status in PROGRESS[1 : target + 1]:
            day = min(day + timedelta(days=rng.randrange(20, 200)), world.base_date)
            statuses.append((status, day))
        if outcome is ReplicationStatus.STOPPED:
            day = min(day + timedelta(days=rng.randrange(20, 200)), world.base_date)
            statuses.append((ReplicationStatus.STOPPED, day))
        meta.replica = Replica(
            source=source,
            statuses=statuses,
            mode=rng.choice((ReplicationMode.ADOPT, ReplicationMode.ADAPT)),
        )
        _stage_dates(world, rng, meta)
        label = source.name.split(": ", 1)[-1] if source else "Inovasi Luar Platform"
        meta.name = f"{names.INNOVATION_PREFIX}{meta.number:05d}: Replikasi {label}"


# --- the rows ------------------------------------------------------------------------------------


def write(world: World, metas: list[Meta]) -> None:
    """Write the innovations and their children, CHUNK innovations at a time."""
    plan = world.plan
    rng = world.rng("evidence-allocation")
    weights = [EVIDENCE_WEIGHT[m.stage] * (1.5 if m.complete else 1.0) for m in metas]
    total = sum(weights) or 1.0
    counts = [int(plan.evidence * w / total) for w in weights]
    for index in rng.sample(range(len(metas)), min(len(metas), plan.evidence - sum(counts))):
        counts[index] += 1
    sample = set(rng.sample(range(plan.evidence), min(plan.files_sample, plan.evidence)))
    appointments = _appointments(world, metas)
    ordinal = 0
    for start in range(0, len(metas), CHUNK):
        rng = world.rng(f"innovations/{start // CHUNK}")
        for meta, count in zip(
            metas[start : start + CHUNK], counts[start : start + CHUNK], strict=True
        ):
            if meta.appointment_id is not None:
                world.writer.add("appointments", appointments[meta.appointment_id])
            _innovation(world, rng, meta)
            docs = _evidence(world, rng, meta, count, ordinal, sample)
            ordinal += count
            if meta.origin is Origin.REPLICATION:
                meta.evidence_ids = docs
            _claims(world, rng, meta, docs)
            _milestones(world, rng, meta, docs)
        world.writer.progress("innovations", min(start + CHUNK, len(metas)), len(metas))
    _replications(world, metas)


def _appointments(world: World, metas: list[Meta]) -> dict[int, dict[str, Any]]:
    signed = {decree_id: day for decree_id, day, _agencies in world.notes.get("decrees", [])}
    rows: dict[int, dict[str, Any]] = {}
    for meta in metas:
        if meta.appointment_id is None:
            continue
        decree_id = world.appointments[meta.appointment_id]
        at = world.at(signed[decree_id], 10)
        rows[meta.appointment_id] = {
            "id": meta.appointment_id,
            "decree_id": decree_id,
            "agency_id": meta.agency.id,
            "innovation_name": meta.name,
            "innovation_description": names.GENERATED_NOTE,
            "must_implement": True,
            "must_replicate": True,
            "is_demo": True,
            "created_at": at,
            "updated_at": at,
        }
    return rows


def _text(rng: random.Random, low: int, high: int) -> str:
    return names.words(rng, rng.randint(low, high))


def _innovation(world: World, rng: random.Random, meta: Meta) -> None:
    full = meta.complete
    changes: list[tuple[Stage | None, Stage, date]] = [(None, Stage.INITIATIVE, meta.start)]
    if meta.trial is not None:
        changes.append((Stage.INITIATIVE, Stage.TRIAL, meta.trial))
    if meta.implementation is not None:
        changes.append((Stage.TRIAL, Stage.IMPLEMENTATION, meta.implementation))
    last_change = changes[-1][2]
    completed = published = None
    if full:
        completed = world.at(
            min(last_change + timedelta(days=rng.randrange(0, 60)), world.base_date), 11
        )
    if meta.published and completed is not None:
        day = min(completed.date() + timedelta(days=rng.randrange(0, 30)), world.base_date)
        published = max(world.at(day, 13), completed)
    created = world.at(meta.start, 9)
    updated = max(t for t in (created, world.at(last_change, 9), completed, published) if t)

    def some(value: Any, share: float = 0.6) -> Any:
        return value if full or rng.random() < share else None

    def some_text(low: int, high: int, share: float = 0.5) -> str:
        return _text(rng, low, high) if full or rng.random() < share else ""

    affair = some(rng.choice(world.affairs)) if world.affairs else None
    design = {
        name: (_text(rng, 52, 60) if full else some_text(10, 30, 0.3)) for name in DESIGN_SECTIONS
    }
    implemented = meta.stage is Stage.IMPLEMENTATION
    world.writer.add(
        "innovations",
        {
            "id": meta.id,
            "agency_id": meta.agency.id,
            "region_id": meta.agency.region_id,
            "appointment_id": meta.appointment_id,
            "origin": meta.origin.value,
            "status": (ProfileStatus.COMPLETE if full else ProfileStatus.DRAFT).value,
            "stage": meta.stage.value,
            "name": meta.name,
            "name_key": fold_name(meta.name),
            "summary": f"{names.GENERATED_NOTE} {_text(rng, 12, 25)}",
            "initiator_kind_id": some(rng.choice(world.initiator_kinds))
            if world.initiator_kinds
            else None,
            "initiator_name": f"Tim Inovasi {meta.agency.name}"[:200] if some(True) else "",
            "kind": some(rng.choice(list(InnovationKind)).value),
            "form": some(rng.choice(list(InnovationForm)).value),
            "theme_id": some(rng.choice(world.themes)) if world.themes else None,
            "affair_id": affair,
            "trial_date": meta.trial,
            "implementation_date": meta.implementation,
            "developed_further": some(rng.random() < 0.4),
            "developed_note": "",
            **design,
            "goals": some_text(20, 40),
            "benefits": some_text(20, 40),
            "results_before": _text(rng, 15, 30) if implemented and full else "",
            "results_after": _text(rng, 15, 30) if implemented and full else "",
            "budget_note": some_text(8, 20, 0.3),
            "business_profile": "",
            "ip_note": "",
            "awards": "",
            "video_url": f"{names.EXAMPLE_LINK}video/{meta.number:05d}"
            if full and rng.random() < 0.5
            else "",
            "challenges": _text(rng, 15, 30) if full and implemented else "",
            "success_conditions": _text(rng, 15, 30) if full and implemented else "",
            "lessons": _text(rng, 15, 30) if full and implemented else "",
            "replication_prerequisites": _text(rng, 10, 25) if full and implemented else "",
            "published": meta.published,
            "published_at": published,
            "completed_at": completed,
            "updated_by_id": None,
            "version": 1,
            "created_at": created,
            "updated_at": updated,
        },
    )
    for from_stage, to_stage, day in changes:
        at = world.at(day, 9)
        world.writer.add(
            "innovation_stage_changes",
            {
                "id": world.writer.new_id("innovation_stage_changes"),
                "agency_id": meta.agency.id,
                "innovation_id": meta.id,
                "from_stage": from_stage.value if from_stage else None,
                "to_stage": to_stage.value,
                "changed_on": day,
                "note": "",
                "user_id": None,
                "created_at": at,
                "updated_at": at,
            },
        )
    if affair is not None:
        others = [a for a in world.affairs if a != affair]
        for other in rng.sample(others, min(len(others), rng.choice((0, 0, 1, 2)))):
            world.writer.add(
                "innovation_affairs",
                {
                    "id": world.writer.new_id("innovation_affairs"),
                    "agency_id": meta.agency.id,
                    "innovation_id": meta.id,
                    "affair_id": other,
                },
            )


def _day_between(rng: random.Random, first: date, last: date) -> date:
    span = (last - first).days
    return first + timedelta(days=rng.randrange(0, span + 1)) if span > 0 else last


def _evidence(
    world: World, rng: random.Random, meta: Meta, count: int, first_ordinal: int, sample: set[int]
) -> list[int]:
    ids: list[int] = []
    topic = meta.name.split(": ", 1)[-1]
    for offset in range(count):
        ordinal = first_ordinal + offset + 1
        evidence_id = world.writer.new_id("evidence")
        ids.append(evidence_id)
        kind = rng.choice(names.DOCUMENT_KINDS)
        day = _day_between(rng, meta.start, world.base_date)
        at = world.at(day, 10, rng.randrange(0, 60))
        world.writer.add(
            "evidence",
            {
                "id": evidence_id,
                "agency_id": meta.agency.id,
                "innovation_id": meta.id,
                "title": f"Bukti contoh {ordinal:06d}: {kind}"[:200],
                "document_number": f"CONTOH/{ordinal:06d}/{day.year}",
                "document_date": day,
                "subject": f"{kind} — {topic} (data contoh)"[:300],
                "link_url": f"{names.EXAMPLE_LINK}bukti/{ordinal:06d}"
                if rng.random() < 0.35
                else "",
                "public": meta.published and rng.random() < 0.5,
                "deleted_at": None,
                "deleted_by_id": None,
                "version": 1,
                "created_at": at,
                "updated_at": at,
            },
        )
        if ordinal - 1 in sample:
            _stored_file(world, meta, evidence_id, ordinal, at)
    return ids


def sample_pdf(text: str) -> bytes:
    """A small, valid one-page PDF saying what it is (nothing active in it)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = f"BT /F1 12 Tf 72 770 Td ({safe}) Tj ET".encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n".encode()
    out += b"%%EOF\n"
    return bytes(out)


def _stored_file(world: World, meta: Meta, evidence_id: int, ordinal: int, at: datetime) -> None:
    data = sample_pdf(
        f"Dokumen contoh PUJA INDAH - bukti contoh {ordinal:06d} untuk inovasi contoh"
        f" {meta.number:05d}. Data buatan generator, bukan dokumen nyata."
    )
    key = hashlib.sha256(f"{world.seed}/evidence-file/{ordinal}".encode()).hexdigest()[:32]
    file_store("evidence").save_as(key, data)
    world.stored_files.append(key)
    world.writer.add(
        "evidence_files",
        {
            "id": world.writer.new_id("evidence_files"),
            "agency_id": meta.agency.id,
            "evidence_id": evidence_id,
            "number": 1,
            "storage_key": key,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "content_type": "application/pdf",
            "original_name": f"bukti-contoh-{ordinal:06d}.pdf",
            "uploaded_at": at,
            "uploaded_by_id": None,
        },
    )


def _claims(world: World, rng: random.Random, meta: Meta, docs: list[int]) -> None:
    """SID claims of the assessment year: the mandatory indicators and some others."""
    if not world.indicators or (meta.stage is Stage.INITIATIVE and not meta.complete):
        return
    mandatory = [i for i in world.indicators if i[2]]
    others = [i for i in world.indicators if not i[2]]
    chosen = mandatory + rng.sample(others, min(len(others), rng.randint(2, 10)))
    for indicator_id, _number, _mandatory in sorted(chosen, key=lambda i: i[1]):
        day = _day_between(rng, meta.trial or meta.start, world.base_date)
        at = world.at(day, 15, rng.randrange(0, 60))
        claim_id = world.writer.new_id("assessment_claims")
        world.writer.add(
            "assessment_claims",
            {
                "id": claim_id,
                "agency_id": meta.agency.id,
                "innovation_id": meta.id,
                "indicator_id": indicator_id,
                "level": rng.choices((1, 2, 3), weights=(3, 4, 3))[0],
                "note": "",
                "updated_by_id": None,
                "version": 1,
                "created_at": at,
                "updated_at": at,
            },
        )
        if docs:
            for evidence_id in rng.sample(docs, min(len(docs), 1 if rng.random() < 0.8 else 2)):
                world.writer.add(
                    "assessment_claim_evidence",
                    {
                        "id": world.writer.new_id("assessment_claim_evidence"),
                        "agency_id": meta.agency.id,
                        "claim_id": claim_id,
                        "evidence_id": evidence_id,
                    },
                )


def _milestones(world: World, rng: random.Random, meta: Meta, docs: list[int]) -> None:
    count = {
        Stage.INITIATIVE: rng.randint(0, 2),
        Stage.TRIAL: rng.randint(1, 4),
        Stage.IMPLEMENTATION: rng.randint(2, 6),
    }[meta.stage]
    days = sorted(_day_between(rng, meta.start, world.base_date) for _ in range(count))
    ceiling = {Stage.INITIATIVE: 30, Stage.TRIAL: 70, Stage.IMPLEMENTATION: 100}[meta.stage]
    progress = sorted(rng.randint(5, ceiling) for _ in range(count))
    for index, (day, percent) in enumerate(zip(days, progress, strict=True), start=1):
        at = world.at(day, 14)
        milestone_id = world.writer.new_id("milestones")
        world.writer.add(
            "milestones",
            {
                "id": milestone_id,
                "agency_id": meta.agency.id,
                "innovation_id": meta.id,
                "happened_on": day,
                "title": f"{rng.choice(names.MILESTONE_TITLES)} (contoh {index})",
                "description": _text(rng, 12, 30),
                "progress": percent,
                "public": meta.published and rng.random() < 0.6,
                "updated_by_id": None,
                "version": 1,
                "created_at": at,
                "updated_at": at,
            },
        )
        if docs and rng.random() < 0.4:
            world.writer.add(
                "milestone_attachments",
                {
                    "id": world.writer.new_id("milestone_attachments"),
                    "agency_id": meta.agency.id,
                    "milestone_id": milestone_id,
                    "evidence_id": rng.choice(docs),
                },
            )


def _replications(world: World, metas: list[Meta]) -> None:
    rng = world.rng("replications")
    for meta in metas:
        plan = meta.replica
        if plan is None:
            continue
        source = plan.source
        first_day = plan.statuses[0][1]
        last_status, last_day = plan.statuses[-1]
        replication_id = world.writer.new_id("replications")
        world.writer.add(
            "replications",
            {
                "id": replication_id,
                "agency_id": meta.agency.id,
                "replica_id": meta.id,
                "source_innovation_id": source.id if source else None,
                "source_name": source.name
                if source
                else f"Inovasi luar platform (contoh) {meta.number:05d}",
                "source_region_name": source.agency.region_name
                if source
                else "Kabupaten Contoh Luar Platform",
                "source_agency_name": source.agency.name if source else "",
                "source_url": "" if source else f"{names.EXAMPLE_LINK}luar/{meta.number:05d}",
                "mode": plan.mode.value,
                "status": last_status.value,
                "status_on": last_day,
                "lessons": _text(rng, 15, 30) if last_status is ReplicationStatus.APPLIED else "",
                "created_by_id": None,
                "version": 1,
                "created_at": world.at(first_day, 10),
                "updated_at": world.at(last_day, 10),
            },
        )
        previous: ReplicationStatus | None = None
        for status, day in plan.statuses:
            at = world.at(day, 10)
            world.writer.add(
                "replication_status_changes",
                {
                    "id": world.writer.new_id("replication_status_changes"),
                    "agency_id": meta.agency.id,
                    "replication_id": replication_id,
                    "from_status": previous.value if previous else None,
                    "to_status": status.value,
                    "changed_on": day,
                    "note": "Dihentikan (data contoh)."
                    if status is ReplicationStatus.STOPPED
                    else "",
                    "user_id": None,
                    "created_at": at,
                    "updated_at": at,
                },
            )
            previous = status
        agreed = any(s is ReplicationStatus.AGREEMENT for s, _d in plan.statuses)
        if agreed and meta.evidence_ids:
            world.writer.add(
                "replication_documents",
                {
                    "id": world.writer.new_id("replication_documents"),
                    "agency_id": meta.agency.id,
                    "replication_id": replication_id,
                    "evidence_id": rng.choice(meta.evidence_ids),
                    "added_at": world.at(last_day, 11),
                },
            )
    world.writer.progress(
        "replications", sum(1 for m in metas if m.replica), sum(1 for m in metas if m.replica)
    )


def load_reference(world: World) -> None:
    """The national lists and the assessment year's SID indicators the profiles and claims use."""
    session = world.writer.session
    affairs = world.writer.table("affairs")
    kinds = world.writer.table("initiator_kinds")
    themes = world.writer.table("themes")
    world.affairs = list(
        session.execute(
            select(affairs.c.id).where(affairs.c.active.is_(True)).order_by(affairs.c.id)
        ).scalars()
    )
    world.initiator_kinds = list(
        session.execute(
            select(kinds.c.id).where(kinds.c.active.is_(True)).order_by(kinds.c.id)
        ).scalars()
    )
    world.themes = list(
        session.execute(
            select(themes.c.id)
            .where(themes.c.active.is_(True), themes.c.year == world.year)
            .order_by(themes.c.id)
        ).scalars()
    ) or list(
        session.execute(
            select(themes.c.id).where(themes.c.active.is_(True)).order_by(themes.c.id)
        ).scalars()
    )
