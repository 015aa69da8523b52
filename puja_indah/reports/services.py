"""Asking for an export: validate the parameters in the asker's scope, then either write the file
now (small) or record an `ExportJob` for the queue (large). Both paths call `produce`, so a file is
the same whichever way it was made. Services validate and flush, never commit.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from puja_indah.assessment.models import AssessmentYear
from puja_indah.core import audit, exports
from puja_indah.core.db import utcnow
from puja_indah.core.models import Agency, Region
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation
from puja_indah.reports import datasets
from puja_indah.reports.datasets import DATASETS, REGION_WORKBOOK, Filters
from puja_indah.reports.models import ExportJob, JobStatus

# kind -> formats it can be written in (the first is the default).
KINDS: dict[str, tuple[str, ...]] = {
    "region": ("xlsx", "csv", "json", "pdf"),
    "profiles": ("xlsx", "csv", "json"),
    "claims": ("xlsx", "csv", "json"),
    "replications": ("xlsx", "csv", "json"),
    "sla": ("xlsx", "csv", "json"),
    "dossier": ("pdf",),
    "evidence": ("zip",),
}
KIND_LABELS = {
    "region": _l("Region workbook"),
    "profiles": _l("Innovation profiles (IID order)"),
    "claims": _l("Indicator claims with evidence"),
    "replications": _l("Replications"),
    "sla": _l("E-tracking SLA"),
    "dossier": _l("Innovation dossier"),
    "evidence": _l("Evidence files (ZIP)"),
}
FORMAT_LABELS = {
    "xlsx": _l("Excel (XLSX)"),
    "csv": _l("CSV"),
    "json": _l("JSON"),
    "pdf": _l("PDF"),
    "zip": _l("ZIP"),
}
EXTENSIONS = {"xlsx": "xlsx", "csv": "csv", "json": "json", "pdf": "pdf", "zip": "zip"}
MIMETYPES = {
    "xlsx": exports.XLSX_MIMETYPE,
    "csv": exports.CSV_MIMETYPE,
    "json": exports.JSON_MIMETYPE,
    "pdf": "application/pdf",
    "zip": "application/zip",
}
# Kinds that always run as jobs: their cost is not in the row count (PDF layout, file copies).
ALWAYS_JOB = {"pdf", "zip"}
YEAR_MIN, YEAR_MAX = 2000, 2100
MAX_ID = 2**31 - 1
STORAGE_AREA = "exports"


class ExportRefused(Exception):
    """A request the asker may not make, or one with bad parameters: the message is shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ExportRequest:
    kind: str
    format: str
    filters: Filters

    def params(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self.filters).items() if v is not None}

    @classmethod
    def from_job(cls, job: ExportJob) -> ExportRequest:
        params = job.params or {}
        return cls(
            job.kind,
            job.format,
            Filters(
                region_id=params.get("region_id"),
                year=params.get("year"),
                innovation_id=params.get("innovation_id"),
            ),
        )


# --- validation -----------------------------------------------------------------------------------


def _int_param(raw: Any, label: str, low: int, high: int) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,10}", text) or not low <= int(text) <= high:
        raise ExportRefused(_("%(field)s is out of range.", field=label))
    return int(text)


def _agency_region(scope: Scope) -> int | None:
    if scope.agency_id is None:
        return None
    agency = db.session.get(Agency, scope.agency_id)
    return agency.region_id if agency else None


def validate(scope: Scope, data: Mapping[str, Any]) -> ExportRequest:
    """The export asked for, checked against the asker's scope; ExportRefused otherwise. Reads
    only: nothing is created for a refused request."""
    if scope.kind not in ("agency", "region", "national"):
        raise ExportRefused(_("Exports are made in an agency, region or national scope."))
    kind = str(data.get("kind") or "")[:30]
    if kind not in KINDS:
        raise ExportRefused(_("Unknown kind of export."))
    fmt = str(data.get("format") or KINDS[kind][0])[:10]
    if fmt not in KINDS[kind]:
        raise ExportRefused(_("This export cannot be written in that format."))
    region_id = _int_param(data.get("region_id"), _("Region"), 1, MAX_ID)
    year = _int_param(data.get("year"), _("Year"), YEAR_MIN, YEAR_MAX)
    innovation_id = _int_param(data.get("innovation_id"), _("Innovation"), 1, MAX_ID)

    if region_id is not None:
        if scope.kind == "region" and region_id != scope.region_id:
            raise ExportRefused(_("You may export your own region only."))
        if scope.kind == "agency" and region_id != _agency_region(scope):
            raise ExportRefused(_("You may export your own region only."))
        if db.session.get(Region, region_id) is None:
            raise ExportRefused(_("No such region."))
        if scope.kind != "national":
            region_id = None  # implied by the scope
    if year is not None and (
        db.session.scalar(select(AssessmentYear.id).where(AssessmentYear.year == year)) is None
    ):
        raise ExportRefused(_("There is no assessment catalogue for that year."))
    if kind == "dossier" and innovation_id is None:
        raise ExportRefused(_("Choose the innovation of the dossier."))
    if innovation_id is not None:
        # Read in the asker's scope: another agency's or region's innovation is not found.
        found = db.session.scalar(select(Innovation.id).where(Innovation.id == innovation_id))
        if found is None:
            raise ExportRefused(_("No such innovation, or it is not yours to export."))
    return ExportRequest(kind, fmt, Filters(region_id, year, innovation_id))


# --- size, names ------------------------------------------------------------------------------


def estimate_rows(request: ExportRequest) -> int:
    """How many rows the file will have (the job's progress total)."""
    filters = request.filters
    if request.kind == "region":
        return sum(DATASETS[key][1](filters) for key in REGION_WORKBOOK)
    if request.kind in DATASETS:
        return DATASETS[request.kind][1](filters)
    if request.kind == "evidence":
        from puja_indah.reports import evidence_zip

        return evidence_zip.count(filters)
    return datasets.count_profiles(filters)  # dossier: one innovation (or none)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "data"


def filename(request: ExportRequest) -> str:
    base = {"region": "laporan", "dossier": "dosir", "evidence": "bukti-dukung"}.get(
        request.kind, request.kind
    )
    place = slug(datasets.region_name(request.filters))
    if request.filters.innovation_id is not None:
        place = f"inovasi-{request.filters.innovation_id}"
    day = datasets.today_local().isoformat()
    return f"{base}-{place}-{day}.{EXTENSIONS[request.format]}"


def inline_allowed(request: ExportRequest, rows: int) -> bool:
    if request.format in ALWAYS_JOB:
        return False
    return rows <= int(current_app.config.get("EXPORT_INLINE_MAX_ROWS", 200))


# --- writing ----------------------------------------------------------------------------------


def _tables(request: ExportRequest) -> list[exports.Table]:
    keys = REGION_WORKBOOK if request.kind == "region" else (request.kind,)
    return [DATASETS[key][0](request.filters) for key in keys]


def produce(
    request: ExportRequest, out: IO[bytes], on_row: Callable[[int], None] | None = None
) -> None:
    """Write the export to a binary stream, calling `on_row(rows so far)` as it goes."""
    fmt = request.format
    if request.kind == "dossier":
        from puja_indah.reports import pdf

        pdf.dossier(request.filters, out)
        if on_row:
            on_row(1)
        return
    if request.kind == "evidence":
        from puja_indah.reports import evidence_zip

        evidence_zip.write(request.filters, out, on_row)
        return
    if fmt == "pdf":
        from puja_indah.reports import pdf

        pdf.region_report(request.filters, out, on_row)
        return
    tables = _tables(request)
    if fmt == "xlsx":
        exports.write_xlsx(out, tables, on_row)
    elif fmt == "json":
        exports.write_json(out, tables, on_row)
    elif len(tables) == 1:
        exports.write_csv(out, tables[0], on_row)
    else:
        # One dataset per CSV file, all of them in a ZIP.
        done = 0

        def counted(count: int) -> None:
            if on_row:
                on_row(done + count)

        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for table in tables:
                with archive.open(f"{table.key}.csv", "w") as member:
                    done += exports.write_csv(member, table, counted)


def result_format(request: ExportRequest) -> tuple[str, str]:
    """(file extension, mimetype): a region CSV is a ZIP of CSV files."""
    if request.kind == "region" and request.format == "csv":
        return "zip", MIMETYPES["zip"]
    return EXTENSIONS[request.format], MIMETYPES[request.format]


def download_name(request: ExportRequest) -> str:
    extension, _mimetype = result_format(request)
    return filename(request).rsplit(".", 1)[0] + "." + extension


# --- jobs -------------------------------------------------------------------------------------


def expiry_hours() -> int:
    return int(current_app.config.get("EXPORT_EXPIRY_HOURS", 24))


def create_job(scope: Scope, user_id: int, request: ExportRequest, total: int) -> ExportJob:
    if scope.role is None:
        raise ExportRefused(_("Exports are made in an agency, region or national scope."))
    now = utcnow()
    _extension, mimetype = result_format(request)
    job = ExportJob(
        user_id=user_id,
        scope_kind=scope.kind,
        scope_role=scope.role,
        scope_region_id=scope.region_id,
        scope_agency_id=scope.agency_id,
        kind=request.kind,
        format=request.format,
        params=request.params(),
        status=JobStatus.QUEUED,
        progress_total=max(total, 0),
        filename=download_name(request),
        mimetype=mimetype,
        created_at=now,
        expires_at=now + timedelta(hours=expiry_hours()),
    )
    db.session.add(job)
    db.session.flush()
    record_export(scope, request, job.id)
    return job


def record_export(scope: Scope, request: ExportRequest, job_id: int | None = None) -> None:
    """One audit entry per export asked for (a job's or one sent straight back)."""
    audit.append(
        db.session,
        action="exported",
        object_type="ExportJob" if job_id is not None else "export",
        object_id=str(job_id or request.kind),
        agency_id=scope.agency_id,
        region_id=scope.region_id,
        changes={"kind": request.kind, "format": request.format, "params": request.params()},
    )


def job_scope(job: ExportJob) -> Scope:
    """The scope the job was asked in, read-only: an export never writes agency data."""
    scope = Scope.for_membership(job.scope_role, job.scope_agency_id, job.scope_region_id)
    if scope.kind != job.scope_kind:
        raise ValueError("the recorded scope does not match its role")
    return scope.as_read_only(f"export job {job.id}")


def fail_stalled(now: datetime) -> int:
    """Mark failed every job still running `EXPORT_MAX_RUN_MINUTES` after it started: its worker
    died (a killed or restarted process never reaches the job's own failure handling). A job
    that is in fact still running finds its row failed and its file is never offered."""
    from flask_babel import force_locale

    limit = now - timedelta(minutes=int(current_app.config.get("EXPORT_MAX_RUN_MINUTES", 60)))
    stalled = db.session.scalars(
        select(ExportJob).where(ExportJob.status == JobStatus.RUNNING, ExportJob.started_at < limit)
    ).all()
    for job in stalled:
        with force_locale((job.params or {}).get("lang", "id")):
            job.error = _(
                "The export stopped before it was finished (its worker was interrupted)."
                " Please ask for it again."
            )
        job.status, job.finished_at = JobStatus.FAILED, now
    db.session.flush()
    return len(stalled)


def purge_expired() -> tuple[int, int]:
    """Delete the stored files and rows of expired jobs; returns (files, rows). The file goes
    first: a row left behind is purged next time, a file without a row would never be."""
    from puja_indah.core.storage import file_store
    from puja_indah.reports.queries import expired_jobs

    store = file_store(STORAGE_AREA)
    files = rows = 0
    for job in expired_jobs():
        if job.result_key and store.exists(job.result_key):
            store.delete(job.result_key)
            files += 1
        db.session.delete(job)
        rows += 1
    db.session.flush()
    return files, rows
