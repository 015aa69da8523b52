"""A ZIP of evidence files with an index: one innovation's, or every one the asker may see in the
region. Files are read through the one file store (core/storage.py, by their random key), never
by the uploader's file name; the name inside the ZIP is built from ids and a cleaned name.

`index.csv` (UTF-8 with BOM, neutralised like every CSV) lists each file: its name inside the
ZIP, the document's title, the indicators it supports, its document number and the sha256 of
the stored bytes (as recorded at upload, and checked again while copying). Only the current
version of each live (not deleted) document goes in. Agency-wide documents without an innovation
are left out: the ZIP is about innovations.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from puja_indah.assessment.models import Claim, ClaimEvidence, Indicator
from puja_indah.core import exports
from puja_indah.core.storage import StorageKeyError
from puja_indah.evidence.models import Evidence, EvidenceFile
from puja_indah.evidence.services import evidence_files
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation
from puja_indah.reports.datasets import BATCH, Filters, _in_region

COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    innovation_id: int
    innovation: str
    evidence_id: int
    title: str
    document_number: str
    version: int
    storage_key: str
    sha256: str
    original_name: str


def safe_name(name: str, limit: int = 80) -> str:
    """A file name safe in any ZIP tool: ASCII letters, digits, dot, dash, underscore; no path,
    no leading dot."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")
    return (text or "file")[-limit:]


def _current_files() -> Any:
    """The newest version number of each document."""
    return (
        select(EvidenceFile.evidence_id, func.max(EvidenceFile.number).label("number"))
        .group_by(EvidenceFile.evidence_id)
        .subquery()
    )


def _entries_stmt(filters: Filters) -> Any:
    newest = _current_files()
    stmt = (
        select(
            Innovation.id,
            Innovation.name,
            Evidence.id,
            Evidence.title,
            Evidence.document_number,
            EvidenceFile.number,
            EvidenceFile.storage_key,
            EvidenceFile.sha256,
            EvidenceFile.original_name,
        )
        .join(Innovation, Evidence.innovation_id == Innovation.id)
        .join(newest, newest.c.evidence_id == Evidence.id)
        .join(
            EvidenceFile,
            (EvidenceFile.evidence_id == Evidence.id) & (EvidenceFile.number == newest.c.number),
        )
        .where(Evidence.deleted_at.is_(None))
    )
    if filters.innovation_id is not None:
        stmt = stmt.where(Innovation.id == filters.innovation_id)
    return _in_region(stmt, Innovation.region_id, filters)


def count(filters: Filters) -> int:
    return int(
        db.session.scalar(select(func.count()).select_from(_entries_stmt(filters).subquery())) or 0
    )


def entries(filters: Filters) -> Iterator[Entry]:
    stmt = _entries_stmt(filters).order_by(Innovation.id, Evidence.id)
    for row in db.session.execute(stmt.execution_options(yield_per=BATCH)):
        yield Entry(*row)


def indicators_of(evidence_ids: list[int]) -> dict[int, str]:
    """ "16, 17" — the indicator numbers of the claims each document supports."""
    found: dict[int, list[int]] = {}
    if evidence_ids:
        rows = db.session.execute(
            select(ClaimEvidence.evidence_id, Indicator.number)
            .join(Claim, ClaimEvidence.claim_id == Claim.id)
            .join(Indicator, Claim.indicator_id == Indicator.id)
            .where(ClaimEvidence.evidence_id.in_(evidence_ids))
            .order_by(Indicator.number)
        )
        for evidence_id, number in rows:
            numbers = found.setdefault(evidence_id, [])
            if number not in numbers:
                numbers.append(number)
    return {k: ", ".join(str(n) for n in v) for k, v in found.items()}


def zip_name(entry: Entry) -> str:
    folder = f"{entry.innovation_id}-{safe_name(entry.innovation, 40)}"
    return f"{folder}/{entry.evidence_id}-v{entry.version}-{safe_name(entry.original_name)}"


def _copy(store: Any, entry: Entry, member: IO[bytes]) -> str:
    digest = hashlib.sha256()
    with store.stream(entry.storage_key) as source:
        while chunk := source.read(COPY_CHUNK):
            digest.update(chunk)
            member.write(chunk)
    return digest.hexdigest()


def write(filters: Filters, out: IO[bytes], on_row: Callable[[int], None] | None = None) -> int:
    store = evidence_files()
    index_rows: list[list[Any]] = []
    done = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        batch: list[Entry] = []

        def flush() -> None:
            nonlocal done
            indicators = indicators_of([e.evidence_id for e in batch])
            for entry in batch:
                name = zip_name(entry)
                try:
                    with archive.open(name, "w", force_zip64=True) as member:
                        digest = _copy(store, entry, member)
                except StorageKeyError:
                    name, digest = "", ""  # the stored file is missing: listed, not copied
                index_rows.append(
                    [
                        name or _("(file missing from storage)"),
                        entry.innovation,
                        entry.title,
                        indicators.get(entry.evidence_id, ""),
                        entry.document_number,
                        digest or entry.sha256,
                    ]
                )
                done += 1
                if on_row:
                    on_row(done)
            batch.clear()

        for entry in entries(filters):
            batch.append(entry)
            if len(batch) >= BATCH:
                flush()
        flush()
        table = exports.Table(
            "index",
            "index",
            [
                exports.Column("file", _("File in the ZIP")),
                exports.Column("innovation", "Nama Inovasi"),
                exports.Column("title", _("Title")),
                exports.Column("indicators", _("Indicators")),
                exports.Column("document_number", _("Document number")),
                exports.Column("sha256", "sha256"),
            ],
            index_rows,
        )
        with archive.open("index.csv", "w") as member:
            exports.write_csv(member, table)
    return done
