"""Import a decree's list of agencies and their assignments from CSV or XLSX.

Columns (first row, any order, case-insensitive): `kode_opd`, `nama_opd`, `singkatan`, `inovasi`,
`deskripsi`, and optionally `induk` (code of the parent agency), `wajib_laksana` and
`wajib_replikasi` (ya/tidak; empty means ya). CSV is UTF-8 with or without BOM, separated by
commas or semicolons; XLSX is read from its first sheet.

All or nothing: every row is checked first and any problem rejects the whole file with a
row-by-row report (row number as a spreadsheet shows it, column, message). Otherwise agencies are
created or updated by code within the decree's region and their appointments by agency; values
that already match are left alone, so importing the same file twice changes nothing the second
time. Rows named by the file are real data: their demo flag is cleared.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from puja_indah.agencies.forms import CODE_PATTERN, MAX_DESCRIPTION
from puja_indah.agencies.models import Appointment, Decree
from puja_indah.agencies.services import NotAllowed, assign, may_edit, normalise_code
from puja_indah.core.models import Agency
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
# An XLSX is a zip: refuse one that would unpack to far more than any real list (a zip bomb).
MAX_XLSX_UNPACKED = 30 * 1024 * 1024
MAX_REPORTED_ERRORS = 300

Parent = aliased(Agency)

REQUIRED_COLUMNS = ("kode_opd", "nama_opd", "singkatan", "inovasi", "deskripsi")
OPTIONAL_COLUMNS = ("induk", "wajib_laksana", "wajib_replikasi")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
LIMITS = {"kode_opd": 32, "nama_opd": 200, "singkatan": 40, "induk": 32, "inovasi": 200}
YES = {"ya", "y", "1", "true", "benar", "yes", "x", "v", "✓"}
NO = {"tidak", "t", "0", "false", "salah", "no", "n", "-"}


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)d", row=self.row) if self.row else _("file")
        return f"{where}, {self.column or '–'}: {self.message}"


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


@dataclass
class ImportRow:
    row: int
    code: str
    name: str
    short_name: str
    innovation: str
    description: str
    must_implement: bool
    must_replicate: bool
    # None: no parent; absent column: the parent is left as it is.
    parent_code: str | None = None


@dataclass
class ParsedFile:
    rows: list[ImportRow]
    has_parent_column: bool


@dataclass
class ImportResult:
    rows: int = 0
    agencies_created: int = 0
    agencies_updated: int = 0
    appointments_created: int = 0
    appointments_updated: int = 0
    appointments_removed: int = 0
    not_named: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.agencies_created,
                self.agencies_updated,
                self.appointments_created,
                self.appointments_updated,
                self.appointments_removed,
            )
        )

    def summary(self) -> str:
        if not self.changed:
            return _(
                "%(rows)d rows read. Nothing changed: the data already matches the file.",
                rows=self.rows,
            )
        return _(
            "%(rows)d rows read. Agencies: %(ac)d new, %(au)d updated. Appointments: %(pc)d new,"
            " %(pu)d updated, %(pr)d removed.",
            rows=self.rows,
            ac=self.agencies_created,
            au=self.agencies_updated,
            pc=self.appointments_created,
            pu=self.appointments_updated,
            pr=self.appointments_removed,
        )


# --- reading -------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _file_error(message: str) -> ImportRejected:
    return ImportRejected([RowError(0, "", message)])


def read_table(data: bytes) -> list[tuple[int, list[str]]]:
    """The file's rows as text cells with their row numbers (header first). The content decides
    the format, not the file name."""
    if not data:
        raise _file_error(_("The file is empty."))
    if len(data) > MAX_IMPORT_BYTES:
        raise _file_error(
            _("The file is larger than %(size)d MB.", size=MAX_IMPORT_BYTES // (1024 * 1024))
        )
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    # Anywhere in the file, not just its start: a NUL would reach PostgreSQL, which refuses it.
    if b"\x00" in data:
        raise _file_error(_("This is neither a CSV nor an XLSX file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(
            _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8” or as XLSX.")
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_ROWS + 1:
                raise _file_error(_("The file has more than %(n)d rows.", n=MAX_ROWS))
            rows.append((number, [cell.strip() for cell in cells]))
    except csv.Error:
        raise ImportRejected(
            [RowError(number + 1, "", _("This row cannot be read (check the quotation marks)."))]
        ) from None
    return rows


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    unreadable = _("The file is not a readable XLSX workbook.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
                raise _file_error(_("The workbook is too large once unpacked."))
    except (zipfile.BadZipFile, zipfile.LargeZipFile):
        raise _file_error(unreadable) from None

    import openpyxl

    rows: list[tuple[int, list[str]]] = []
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; neither matters for values.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    if number > MAX_ROWS + 1:
                        raise _file_error(_("The file has more than %(n)d rows.", n=MAX_ROWS))
                    rows.append((number, [_cell_text(v) for v in values]))
            finally:
                workbook.close()
    except ImportRejected:
        raise
    except Exception:
        raise _file_error(unreadable) from None
    return rows


# --- checking ------------------------------------------------------------------------------------


def _header(cells: list[str]) -> tuple[list[str], list[RowError]]:
    names = [re.sub(r"\s+", "_", c.strip().lstrip("\ufeff").lower()) for c in cells]
    while names and names[-1] == "":
        names.pop()
    errors: list[RowError] = []
    for index, name in enumerate(names):
        if name and name not in COLUMNS:
            errors.append(RowError(1, name, _("Unknown column.")))
        elif not name:
            errors.append(RowError(1, f"#{index + 1}", _("This column has no name.")))
        elif names.index(name) != index:
            errors.append(RowError(1, name, _("This column appears twice.")))
    for name in REQUIRED_COLUMNS:
        if name not in names:
            errors.append(RowError(1, name, _("This column is missing.")))
    return names, errors


def _add_error(errors: list[RowError], row: int, column: str, message: str) -> None:
    errors.append(RowError(row, column, message))


def _flag(value: str) -> bool | None:
    text = value.strip().lower()
    if text == "" or text in YES:
        return True
    if text in NO:
        return False
    return None


def validate(region_id: int, table: list[tuple[int, list[str]]]) -> ParsedFile:
    """Check every row against the file and the region's agencies; raise ImportRejected with
    every problem found, or return the rows ready to apply."""
    if not table:
        raise _file_error(_("The file is empty."))
    columns, errors = _header(table[0][1])
    if errors:
        raise ImportRejected(errors)

    existing = {
        normalise_code(code): (normalise_code(parent) if parent else None)
        for code, parent in db.session.execute(
            select(Agency.code, Parent.code)
            .outerjoin(Parent, Agency.parent_id == Parent.id)
            .where(Agency.region_id == region_id)
        )
    }
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    for number, cells in table[1:]:
        if not any(cells):
            continue  # blank lines are ignored
        if len(cells) > len(columns) and any(cells[len(columns) :]):
            errors.append(
                RowError(number, "", _("This row has more values than the header has columns."))
            )
            continue
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns)}
        row_errors: list[RowError] = []
        problem = functools.partial(_add_error, row_errors, number)

        for column, limit in LIMITS.items():
            if len(values.get(column, "")) > limit:
                problem(column, _("Use at most %(max)d characters.", max=limit))
        if len(values.get("deskripsi", "")) > MAX_DESCRIPTION:
            problem("deskripsi", _("Use at most %(max)d characters.", max=MAX_DESCRIPTION))

        code = normalise_code(values["kode_opd"])
        if not code:
            problem("kode_opd", _("Fill in the agency code."))
        elif not re.fullmatch(CODE_PATTERN, code):
            problem(
                "kode_opd",
                _("Use letters, digits, dots, dashes or underscores, without spaces."),
            )
        elif code in seen:
            problem(
                "kode_opd",
                _("The code %(code)s already appears in row %(row)d.", code=code, row=seen[code]),
            )
        else:
            seen[code] = number
        name = " ".join(values["nama_opd"].split())
        if not name:
            problem("nama_opd", _("Fill in the agency name."))
        short_name = " ".join(values["singkatan"].split()) or code[:40]
        flags = {}
        for column in ("wajib_laksana", "wajib_replikasi"):
            flag = _flag(values.get(column, ""))
            if flag is None:
                problem(column, _("Write ya or tidak (empty means ya)."))
            flags[column] = bool(flag) if flag is not None else True
        parent_code = normalise_code(values.get("induk", "")) or None
        if parent_code is not None and parent_code == code:
            problem("induk", _("An agency cannot be its own parent."))

        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            ImportRow(
                row=number,
                code=code,
                name=name,
                short_name=short_name,
                innovation=" ".join(values["inovasi"].split()),
                description=values["deskripsi"].strip(),
                must_implement=flags["wajib_laksana"],
                must_replicate=flags["wajib_replikasi"],
                parent_code=parent_code,
            )
        )

    has_parent_column = "induk" in columns
    if has_parent_column:
        errors.extend(_parent_problems(rows, existing))
    if not rows and not errors:
        errors.append(RowError(0, "", _("The file has no rows below the header.")))
    if errors:
        errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else 99))
        raise ImportRejected(errors)
    return ParsedFile(rows=rows, has_parent_column=has_parent_column)


def _parent_problems(rows: list[ImportRow], existing: dict[str, str | None]) -> list[RowError]:
    """Every parent must be named in the file or exist in the region, and no chain may loop."""
    parents = dict(existing)
    parents.update({row.code: row.parent_code for row in rows})
    errors: list[RowError] = []
    for row in rows:
        if row.parent_code is None:
            continue
        if row.parent_code not in parents:
            errors.append(
                RowError(
                    row.row,
                    "induk",
                    _(
                        "No agency with code %(code)s in this file or this region.",
                        code=row.parent_code,
                    ),
                )
            )
            continue
        step: str | None = row.parent_code
        hops = 0
        while step is not None and hops <= len(parents):
            if step == row.code:
                errors.append(
                    RowError(row.row, "induk", _("This parent makes the chain of units loop."))
                )
                break
            step, hops = parents.get(step), hops + 1
    return errors


# --- applying ------------------------------------------------------------------------------------


def apply(
    scope: Scope, decree: Decree, parsed: ParsedFile, *, replace: bool = False
) -> ImportResult:
    """Create or update agencies and appointments; flush, never commit."""
    if not may_edit(scope, decree):
        raise NotAllowed(_("Your role does not allow this change."))
    region_id = decree.region_id
    result = ImportResult(rows=len(parsed.rows))
    by_code = {
        normalise_code(a.code): a
        for a in db.session.scalars(select(Agency).where(Agency.region_id == region_id))
    }
    created: set[str] = set()
    updated: set[str] = set()
    for row in parsed.rows:
        agency = by_code.get(row.code)
        if agency is None:
            agency = Agency(
                region_id=region_id,
                code=row.code,
                name=row.name,
                short_name=row.short_name,
                is_demo=False,
            )
            db.session.add(agency)
            by_code[row.code] = agency
            created.add(row.code)
            continue
        changed = [
            assign(agency, "name", row.name),
            assign(agency, "short_name", row.short_name),
            assign(agency, "is_demo", False),
        ]
        if any(changed):
            updated.add(row.code)
    db.session.flush()

    if parsed.has_parent_column:
        for row in parsed.rows:
            agency = by_code[row.code]
            parent = by_code[row.parent_code] if row.parent_code else None
            if agency.parent_id != (parent.id if parent else None):
                agency.parent = parent
                if row.code not in created:
                    updated.add(row.code)

    current = {
        a.agency_id: a
        for a in db.session.scalars(select(Appointment).where(Appointment.decree_id == decree.id))
    }
    named: set[int] = set()
    for row in parsed.rows:
        agency = by_code[row.code]
        named.add(agency.id)
        appointment = current.get(agency.id)
        if appointment is None:
            appointment = Appointment(decree=decree, agency=agency)
            db.session.add(appointment)
            result.appointments_created += 1
        changed = [
            assign(appointment, "innovation_name", row.innovation),
            assign(appointment, "innovation_description", row.description),
            assign(appointment, "must_implement", row.must_implement),
            assign(appointment, "must_replicate", row.must_replicate),
            assign(appointment, "is_demo", False),
        ]
        if any(changed) and agency.id in current:
            result.appointments_updated += 1
    for agency_id, appointment in current.items():
        if agency_id in named:
            continue
        if replace:
            db.session.delete(appointment)
            result.appointments_removed += 1
        else:
            result.not_named.append(appointment.agency.name)
    db.session.flush()
    result.agencies_created, result.agencies_updated = len(created), len(updated)
    return result


def import_file(
    scope: Scope, decree: Decree, data: bytes, *, replace: bool = False
) -> ImportResult:
    """Read, check, then apply: raises ImportRejected (nothing changed) or returns the result."""
    if not may_edit(scope, decree):
        raise NotAllowed(_("Your role does not allow this change."))
    parsed = validate(decree.region_id, read_table(data))
    return apply(scope, decree, parsed, replace=replace)
