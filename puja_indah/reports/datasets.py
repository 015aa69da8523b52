"""What an export contains: four datasets, each a generator of rows read in the CURRENT scope.

The caller (a request, or the export task after re-entering the asker's recorded scope) sets the
scope; the tenancy layer's criteria then limit every agency-owned row to what the asker may see —
an officer's own agency, a monitor's region, everything for a national scope. A national scope
may narrow to one region (`Filters.region_id`); a monitor's region is its own whatever it asks.
Rows come out one at a time (`yield_per`), so memory stays flat however large the region.

The profile sheet follows the IID form's field order with the IID's own Indonesian headers
(DOMAIN §2.1): Kemendagri reviewers carry it to the national index field by field, so its headers
and values are the IID's words, not the UI language. Our additions (OECD OPSI fields, ids) come
after the IID fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from puja_indah.assessment.models import AssessmentYear, Claim, ClaimEvidence, Indicator
from puja_indah.core.clock import today_wita
from puja_indah.core.exports import Column, Table
from puja_indah.core.models import Agency, Region
from puja_indah.core.registry import ModuleActivation
from puja_indah.core.tenancy import Scope, current_scope
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import (
    Innovation,
    InnovationAffair,
    InnovationForm,
    InnovationKind,
    Stage,
)
from puja_indah.reference.models import Affair, InitiatorKind, Theme
from puja_indah.replications.models import Replication, ReplicationMode, ReplicationStatus

BATCH = 200

# IID values, in the IID's words.
STAGE_IID = {
    Stage.INITIATIVE: "Inisiatif",
    Stage.TRIAL: "Uji Coba",
    Stage.IMPLEMENTATION: "Penerapan",
}
KIND_IID = {InnovationKind.DIGITAL: "Digital", InnovationKind.NON_DIGITAL: "Non Digital"}
FORM_IID = {
    InnovationForm.GOVERNANCE: "Tata Kelola Pemerintahan Daerah",
    InnovationForm.PUBLIC_SERVICE: "Pelayanan Publik",
    InnovationForm.OTHER: "Inovasi Daerah Lainnya",
}
YES_NO_IID = {True: "Ya", False: "Tidak"}


@dataclass(frozen=True)
class Filters:
    """Validated export parameters (reports/services.py validates them)."""

    region_id: int | None = None  # national scopes only: narrow to one region
    year: int | None = None  # claims: one assessment year (None: every year)
    innovation_id: int | None = None  # dossier and evidence ZIP


def region_of(scope: Scope, filters: Filters) -> int | None:
    """The region an export is limited to: a monitor's own, a national scope's chosen one, none
    for an agency (its rows are its own agency's anyway)."""
    if scope.kind == "region":
        return scope.region_id
    if scope.kind == "national":
        return filters.region_id
    return None


def _in_region(stmt: Any, column: Any, filters: Filters) -> Any:
    region = region_of(current_scope(), filters)
    return stmt if region is None else stmt.where(column == region)


# --- profiles (IID field order) -----------------------------------------------------------------
# Read with one select of the needed columns (joins for the one-sided parts) rather than ORM
# objects: a national export is 30,000 innovations, and building and identity-mapping an object
# graph per row cost more than writing the workbook. The select names ORM attributes, so it runs
# as an ORM statement and the tenancy criteria apply to it as they do to `select(Innovation)`.
# The many-sided part (other affairs) is read per batch of rows, one query per batch.


def _or_empty(value: Any) -> Any:
    return "" if value is None else value


def _iid(mapping: dict[Any, str]) -> Callable[[Any], str]:
    return lambda value: "" if value is None else mapping.get(value, "")


# (name, IID header, selected expression or None for other affairs, conversion or None, width)
Field = tuple[str, str, Any, Callable[[Any], Any] | None, int]
PROFILE_FIELDS: tuple[Field, ...] = (
    ("name", "Nama Inovasi", Innovation.name, None, 40),
    ("agency", "Perangkat Daerah Pengusul", Agency.name, None, 36),
    ("stage", "Tahapan Inovasi", Innovation.stage, STAGE_IID.__getitem__, 14),
    ("initiator_kind", "Inisiator Inovasi Daerah", InitiatorKind.name, _or_empty, 20),
    ("initiator_name", "Nama Inisiator", Innovation.initiator_name, None, 24),
    ("kind", "Jenis Inovasi", Innovation.kind, _iid(KIND_IID), 14),
    ("form", "Bentuk Inovasi Daerah", Innovation.form, _iid(FORM_IID), 24),
    ("theme", "Tematik", Theme.name, _or_empty, 24),
    ("affair", "Urusan Pemerintahan", Affair.name, _or_empty, 28),
    ("other_affairs", "Urusan Lain yang Beririsan", None, None, 28),
    ("trial_date", "Waktu Uji Coba Inovasi Daerah", Innovation.trial_date, None, 14),
    (
        "implementation_date",
        "Waktu Penerapan Inovasi Daerah",
        Innovation.implementation_date,
        None,
        14,
    ),
    (
        "developed_further",
        "Apakah Inovasi Dikembangkan?",
        Innovation.developed_further,
        _iid(YES_NO_IID),
        12,
    ),
    ("developed_note", "Keterangan Pengembangan", Innovation.developed_note, None, 30),
    ("design_legal_basis", "Rancang Bangun: Dasar Hukum", Innovation.design_legal_basis, None, 40),
    ("design_problem", "Rancang Bangun: Permasalahan", Innovation.design_problem, None, 40),
    (
        "design_strategic_issues",
        "Rancang Bangun: Isu Strategis",
        Innovation.design_strategic_issues,
        None,
        40,
    ),
    ("design_method", "Rancang Bangun: Metode Pembaharuan", Innovation.design_method, None, 40),
    (
        "design_advantages",
        "Rancang Bangun: Keunggulan dan Kebaruan",
        Innovation.design_advantages,
        None,
        40,
    ),
    (
        "design_how_it_works",
        "Rancang Bangun: Cara Kerja",
        Innovation.design_how_it_works,
        None,
        40,
    ),
    ("goals", "Tujuan Inovasi", Innovation.goals, None, 30),
    ("benefits", "Manfaat yang Diperoleh", Innovation.benefits, None, 30),
    ("results_before", "Hasil Inovasi: Sebelum", Innovation.results_before, None, 30),
    ("results_after", "Hasil Inovasi: Sesudah", Innovation.results_after, None, 30),
    ("budget", "Anggaran", Innovation.budget_note, None, 24),
    ("business_profile", "Profil Bisnis", Innovation.business_profile, None, 24),
    ("ip", "Dokumen HAKI", Innovation.ip_note, None, 24),
    ("awards", "Penghargaan", Innovation.awards, None, 24),
    ("video", "Video Inovasi", Innovation.video_url, None, 30),
    # --- our additions (OECD OPSI), after the IID fields ---
    ("challenges", "Tantangan dan Kegagalan", Innovation.challenges, None, 30),
    ("success_conditions", "Syarat Keberhasilan", Innovation.success_conditions, None, 30),
    ("lessons", "Pelajaran", Innovation.lessons, None, 30),
    (
        "replication_prerequisites",
        "Prasyarat Replikasi",
        Innovation.replication_prerequisites,
        None,
        30,
    ),
    ("region", "Pemerintah Daerah", Region.name, None, 24),
    ("id", "ID PUJA INDAH", Innovation.id, None, 10),
)
PROFILE_HEADERS = tuple(header for _name, header, _source, _convert, _w in PROFILE_FIELDS)
_OTHER_AFFAIRS = next(i for i, f in enumerate(PROFILE_FIELDS) if f[0] == "other_affairs")
_ID = next(i for i, f in enumerate(PROFILE_FIELDS) if f[0] == "id")


def _innovations(filters: Filters) -> Any:
    stmt = select(Innovation)
    if filters.innovation_id is not None:
        stmt = stmt.where(Innovation.id == filters.innovation_id)
    return _in_region(stmt, Innovation.region_id, filters)


def count_profiles(filters: Filters) -> int:
    return int(
        db.session.scalar(select(func.count()).select_from(_innovations(filters).subquery())) or 0
    )


def _profile_select(filters: Filters) -> Any:
    columns = [
        (Innovation.id if source is None else source).label(name)
        for name, _header, source, _convert, _w in PROFILE_FIELDS
    ]
    stmt = (
        select(*columns)
        .select_from(Innovation)
        .join(Agency, Innovation.agency_id == Agency.id)
        .join(Region, Innovation.region_id == Region.id)
        .outerjoin(InitiatorKind, Innovation.initiator_kind_id == InitiatorKind.id)
        .outerjoin(Theme, Innovation.theme_id == Theme.id)
        .outerjoin(Affair, Innovation.affair_id == Affair.id)
    )
    if filters.innovation_id is not None:
        stmt = stmt.where(Innovation.id == filters.innovation_id)
    stmt = _in_region(stmt, Innovation.region_id, filters)
    return stmt.order_by(
        Innovation.region_id, Innovation.agency_id, Innovation.name_key, Innovation.id
    )


def other_affairs(innovation_ids: list[int]) -> dict[int, str]:
    """Each innovation's other affairs, names sorted and joined with "; " (one query)."""
    names: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(InnovationAffair.innovation_id, Affair.name)
        .join(Affair, InnovationAffair.affair_id == Affair.id)
        .where(InnovationAffair.innovation_id.in_(innovation_ids))
    )
    for innovation_id, name in rows:
        names.setdefault(innovation_id, []).append(name)
    return {key: "; ".join(sorted(value)) for key, value in names.items()}


def profile_rows(filters: Filters) -> Iterator[list[Any]]:
    conversions = [
        (index, convert)
        for index, (_name, _header, _source, convert, _w) in enumerate(PROFILE_FIELDS)
        if convert is not None
    ]
    result = db.session.execute(_profile_select(filters).execution_options(yield_per=BATCH))
    for batch in result.partitions():
        affairs = other_affairs([row[_ID] for row in batch])
        for row in batch:
            cells = list(row)
            for index, convert in conversions:
                cells[index] = convert(cells[index])
            cells[_OTHER_AFFAIRS] = affairs.get(cells[_ID], "")
            yield cells


def profiles(filters: Filters) -> Table:
    return Table(
        "profiles",
        "Profil Inovasi",
        [Column(name, header, width) for name, header, _source, _convert, width in PROFILE_FIELDS],
        profile_rows(filters),
    )


# --- indicator claims with their evidence ---------------------------------------------------------


def _claims(filters: Filters) -> Any:
    stmt = (
        select(Claim, Innovation, Indicator, AssessmentYear.year, Agency.name)
        .join(Innovation, Claim.innovation_id == Innovation.id)
        .join(Indicator, Claim.indicator_id == Indicator.id)
        .join(AssessmentYear, Indicator.year_id == AssessmentYear.id)
        .join(Agency, Innovation.agency_id == Agency.id)
    )
    if filters.year is not None:
        stmt = stmt.where(AssessmentYear.year == filters.year)
    if filters.innovation_id is not None:
        stmt = stmt.where(Innovation.id == filters.innovation_id)
    return _in_region(stmt, Innovation.region_id, filters)


def count_claims(filters: Filters) -> int:
    return int(
        db.session.scalar(select(func.count()).select_from(_claims(filters).subquery())) or 0
    )


def claim_evidence(claim_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(title, document number) of the live documents attached to each claim."""
    found: dict[int, list[tuple[str, str]]] = {}
    if not claim_ids:
        return found
    rows = db.session.execute(
        select(ClaimEvidence.claim_id, Evidence.title, Evidence.document_number)
        .join(Evidence, ClaimEvidence.evidence_id == Evidence.id)
        .where(ClaimEvidence.claim_id.in_(claim_ids), Evidence.deleted_at.is_(None))
        .order_by(ClaimEvidence.claim_id, Evidence.title, Evidence.id)
    )
    for claim_id, title, number in rows:
        found.setdefault(claim_id, []).append((title, number))
    return found


def evidence_text(documents: list[tuple[str, str]]) -> str:
    return "; ".join(f"{title} ({number})" if number else title for title, number in documents)


def claim_rows(filters: Filters) -> Iterator[list[Any]]:
    stmt = _claims(filters).order_by(
        AssessmentYear.year, Innovation.name_key, Innovation.id, Indicator.number
    )
    batch: list[Any] = []

    def flush() -> Iterator[list[Any]]:
        documents = claim_evidence([row[0].id for row in batch])
        for claim, innovation, indicator, year, agency in batch:
            docs = documents.get(claim.id, [])
            yield [
                year,
                innovation.name,
                agency,
                indicator.number,
                indicator.name,
                YES_NO_IID[bool(indicator.mandatory)],
                float(indicator.weight),
                claim.level,
                len(docs),
                evidence_text(docs),
                innovation.id,
            ]
        batch.clear()

    for row in db.session.execute(stmt.execution_options(yield_per=BATCH)):
        batch.append(tuple(row))
        if len(batch) >= BATCH:
            yield from flush()
    yield from flush()


def claims(filters: Filters) -> Table:
    return Table(
        "claims",
        _("Indicator claims"),
        [
            Column("year", _("Year"), 8),
            Column("innovation", "Nama Inovasi", 36),
            Column("agency", "Perangkat Daerah", 32),
            Column("indicator_number", _("Indicator no."), 10),
            Column("indicator", _("Indicator"), 36),
            Column("mandatory", _("Mandatory"), 10),
            Column("weight", _("Weight"), 8),
            Column("level", _("Level claimed (0–3)"), 12),
            Column("evidence_count", _("Evidence documents"), 12),
            Column("evidence", _("Evidence (title and document number)"), 60),
            Column("innovation_id", "ID PUJA INDAH", 10),
        ],
        claim_rows(filters),
    )


# --- replications ---------------------------------------------------------------------------------

MODE_LABELS = {ReplicationMode.ADOPT: "Adopsi", ReplicationMode.ADAPT: "Adaptasi"}
STATUS_LABELS = {
    ReplicationStatus.INTEREST: "Minat",
    ReplicationStatus.AGREEMENT: "Perjanjian",
    ReplicationStatus.TRIAL: "Uji coba",
    ReplicationStatus.APPLIED: "Diterapkan",
    ReplicationStatus.STOPPED: "Dihentikan",
}


def _replications(filters: Filters) -> Any:
    stmt = (
        select(Replication, Innovation.name, Agency.name)
        .join(Innovation, Replication.replica_id == Innovation.id)
        .join(Agency, Innovation.agency_id == Agency.id)
    )
    if filters.innovation_id is not None:
        stmt = stmt.where(Innovation.id == filters.innovation_id)
    return _in_region(stmt, Innovation.region_id, filters)


def count_replications(filters: Filters) -> int:
    return int(
        db.session.scalar(select(func.count()).select_from(_replications(filters).subquery())) or 0
    )


def replication_rows(filters: Filters) -> Iterator[list[Any]]:
    stmt = _replications(filters).order_by(Agency.name, Innovation.name_key, Replication.id)
    for replication, name, agency in db.session.execute(stmt.execution_options(yield_per=BATCH)):
        yield [
            name,
            agency,
            replication.source_name,
            replication.source_region_name,
            replication.source_agency_name,
            MODE_LABELS.get(replication.mode, str(replication.mode)),
            STATUS_LABELS.get(replication.status, str(replication.status)),
            replication.status_on,
            replication.lessons,
            replication.replica_id,
        ]


def replications(filters: Filters) -> Table:
    return Table(
        "replications",
        _("Replications"),
        [
            Column("replica", _("Replica innovation"), 36),
            Column("agency", "Perangkat Daerah", 32),
            Column("source", _("Source innovation"), 36),
            Column("source_region", _("Source region"), 24),
            Column("source_agency", _("Source agency"), 28),
            Column("mode", _("Mode"), 10),
            Column("status", _("Status"), 12),
            Column("status_on", _("Status since"), 12),
            Column("lessons", _("Lessons"), 40),
            Column("innovation_id", "ID PUJA INDAH", 10),
        ],
        replication_rows(filters),
    )


# --- e-tracking SLA per process and stage (the module's own analytics) ----------------------------


def _processes(filters: Filters) -> Any:
    from puja_indah.modules.etracking.models import Process

    stmt = (
        select(Process, Agency.name)
        .join(Agency, Process.agency_id == Agency.id)
        .join(
            ModuleActivation,
            (ModuleActivation.agency_id == Agency.id)
            & (ModuleActivation.module_code == "etracking")
            & ModuleActivation.enabled.is_(True),
        )
        .where(Process.active.is_(True))
    )
    return _in_region(stmt, Agency.region_id, filters)


def count_sla(filters: Filters) -> int:
    from puja_indah.modules.etracking.models import StageDefinition

    processes = [p for p, _name in db.session.execute(_processes(filters))]
    # One row per non-terminal stage of each process's newest version.
    total = 0
    for process in processes:
        version = process.versions[-1] if process.versions else None
        if version is not None:
            total += int(
                db.session.scalar(
                    select(func.count(StageDefinition.id)).where(
                        StageDefinition.version_id == version.id,
                        StageDefinition.terminal.is_(False),
                    )
                )
                or 0
            )
    return total


def sla_period() -> Any:
    from puja_indah.core.db import utcnow
    from puja_indah.modules.etracking import analytics

    return analytics.default_period(today_wita(utcnow()))


def sla_rows(filters: Filters) -> Iterator[list[Any]]:
    from puja_indah.modules.etracking import analytics
    from puja_indah.modules.etracking.models import Process

    period = sla_period()
    stmt = _processes(filters).order_by(Agency.name, Process.name, Process.id)
    for process, agency in list(db.session.execute(stmt)):
        report = analytics.build_report(process, period)
        for row in report.stages:
            yield [
                agency,
                process.name,
                period.start,
                period.end,
                row.name,
                row.sla_minutes,
                row.exits,
                None if row.p50 is None else round(row.p50, 1),
                None if row.p90 is None else round(row.p90, 1),
                row.breaches,
                None if row.breach_share is None else round(100 * row.breach_share, 1),
                row.open_now,
            ]


def sla(filters: Filters) -> Table:
    return Table(
        "sla",
        _("E-tracking SLA"),
        [
            Column("agency", "Perangkat Daerah", 30),
            Column("process", _("Process"), 30),
            Column("period_start", _("Period from"), 12),
            Column("period_end", _("Period to"), 12),
            Column("stage", _("Stage"), 30),
            Column("sla_minutes", _("SLA (working minutes)"), 12),
            Column("exits", _("Files that left the stage"), 12),
            Column("p50", _("Median (working minutes)"), 12),
            Column("p90", _("p90 (working minutes)"), 12),
            Column("breaches", _("SLA breaches"), 12),
            Column("breach_share", _("Breach share (%)"), 12),
            Column("open_now", _("Open now"), 12),
        ],
        sla_rows(filters),
    )


# --- registry -------------------------------------------------------------------------------------

DATASETS: dict[str, tuple[Callable[[Filters], Table], Callable[[Filters], int]]] = {
    "profiles": (profiles, count_profiles),
    "claims": (claims, count_claims),
    "replications": (replications, count_replications),
    "sla": (sla, count_sla),
}
REGION_WORKBOOK = ("profiles", "claims", "replications", "sla")


def region_name(filters: Filters) -> str:
    region = region_of(current_scope(), filters)
    if region is None:
        scope = current_scope()
        if scope.kind == "agency" and scope.agency_id is not None:
            agency = db.session.get(Agency, scope.agency_id)
            if agency is not None:
                return db.session.get(Region, agency.region_id).name  # type: ignore[union-attr]
        return _("All regions")
    found = db.session.get(Region, region)
    return found.name if found else ""


def today_local() -> date:
    from puja_indah.core.db import utcnow

    return today_wita(utcnow())
