"""The one place file writers live: CSV, XLSX and JSON (ARCHITECTURE §2, `core/exports.py`).

Every writer takes rows from an iterator and writes them as they come, so an export of any size
runs in flat memory: CSV and JSON go straight to a stream, XLSX through XlsxWriter's
`constant_memory` mode (one row in memory at a time). The same guard applies everywhere:

- CSV: UTF-8 with a byte-order mark (spreadsheets then read Indonesian text right); any text cell
  that starts like a formula (= + - @ tab CR) gets a leading apostrophe (`neutralise`), so a
  spreadsheet shows it instead of running it (CSV injection).
- XLSX: real number and date cells (a date is a date, not text); text is written as text
  (`strings_to_formulas` off, and neutralised as well, since a user may re-save the sheet as
  CSV); a bold, frozen header row with a filter.
- JSON: the same rows as objects keyed by the column's stable name, one table per key.

A table is a `Table`: its columns (a stable `name` for JSON, a `header` shown to people) and an
iterable of rows (lists in column order). `on_row(count)` is called after every row, which is how
a background job reports its progress without the writer knowing about jobs.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from puja_indah.core.clock import WITA

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_MIMETYPE = "application/json"
# Excel's own limits on a sheet's name.
SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})

RowCallback = Callable[[int], None]


def neutralise(value: Any) -> Any:
    """Text starting like a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    name: str  # stable key (JSON objects)
    header: str  # what people read (CSV and XLSX header row)
    width: int = 18  # XLSX column width in characters


@dataclass
class Table:
    key: str  # file or JSON key: letters, digits, dash and underscore
    title: str  # sheet name
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def local(value: datetime) -> datetime:
    """An aware UTC time as a naive WITA time (what a spreadsheet cell can hold)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(WITA).replace(tzinfo=None)


def text_cell(value: Any) -> Any:
    """One cell as CSV text: dates ISO, times in WITA, booleans as 1/0, None empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    return neutralise(value)


# --- CSV ------------------------------------------------------------------------------------------


class CsvWriter:
    """Rows to a binary stream as UTF-8 CSV with a BOM; every cell neutralised."""

    def __init__(self, out: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self._text.write("\ufeff")
        self._writer = csv.writer(self._text)

    def row(self, cells: Iterable[Any]) -> None:
        self._writer.writerow([text_cell(cell) for cell in cells])

    def close(self) -> None:
        """Flush and let go of the stream without closing it (the caller owns it)."""
        self._text.flush()
        self._text.detach()


def write_csv(out: IO[bytes], table: Table, on_row: RowCallback | None = None) -> int:
    writer = CsvWriter(out)
    writer.row(table.headers)
    count = 0
    for row in table.rows:
        writer.row(row)
        count += 1
        if on_row:
            on_row(count)
    writer.close()
    return count


def csv_bytes(table: Table) -> bytes:
    out = io.BytesIO()
    write_csv(out, table)
    return out.getvalue()


# --- XLSX -----------------------------------------------------------------------------------------


def sheet_name(title: str, taken: set[str]) -> str:
    name = (title.translate(_SHEET_NAME_FORBIDDEN).strip("' ") or "Sheet")[:SHEET_NAME_MAX]
    base, number = name, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        number += 1
    taken.add(name.casefold())
    return name


class XlsxBook:
    """A workbook written row by row (`constant_memory`): real numbers and dates, text as text,
    a bold frozen header row with a filter on every sheet."""

    def __init__(self, target: str | IO[bytes]) -> None:
        import xlsxwriter  # loaded by the first workbook, not by every worker

        self.book = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.bold = self.book.add_format({"bold": True})
        self.date_format = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.time_format = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self._names: set[str] = set()

    def _cell(self, sheet: Any, row: int, column: int, value: Any, bold: bool) -> None:
        """One cell, its type looked at (the header row, and a column's first values)."""
        if value is None or value == "":
            return
        self._writer_for(value)(sheet, row, column, value, self.bold if bold else None)

    # Per-type writers: (sheet, row, column, value, format). Text is always neutralised.
    def _write_text(self, sheet: Any, row: int, column: int, value: Any, fmt: Any) -> None:
        if value.__class__ is not str:
            value = str(value)
        if value.startswith(FORMULA_START):
            value = "'" + value
        sheet.write_string(row, column, value, fmt)

    def _write_number(self, sheet: Any, row: int, column: int, value: Any, _fmt: Any) -> None:
        sheet.write_number(row, column, float(value) if isinstance(value, Decimal) else value)

    def _write_bool(self, sheet: Any, row: int, column: int, value: Any, _fmt: Any) -> None:
        sheet.write_boolean(row, column, value)

    def _write_datetime(self, sheet: Any, row: int, column: int, value: Any, _fmt: Any) -> None:
        sheet.write_datetime(row, column, local(value), self.time_format)

    def _write_date(self, sheet: Any, row: int, column: int, value: Any, _fmt: Any) -> None:
        sheet.write_datetime(
            row, column, datetime(value.year, value.month, value.day), self.date_format
        )

    def _writer_for(self, value: Any) -> Callable[[Any, int, int, Any, Any], None]:
        if isinstance(value, bool):
            return self._write_bool
        if isinstance(value, int | float | Decimal):
            return self._write_number
        if isinstance(value, datetime):
            return self._write_datetime
        if isinstance(value, date):
            return self._write_date
        return self._write_text

    def sheet(
        self,
        title: str,
        header: Sequence[Any],
        rows: Iterable[Sequence[Any]],
        *,
        widths: Sequence[int] = (),
        on_row: RowCallback | None = None,
    ) -> int:
        """Write one sheet; returns the number of data rows.

        Each column's writer is decided once, by the class of its first value, and looked at
        again only when a value of another class turns up (a column is almost always of one
        type, so a 30,000-row sheet does not pay a chain of type checks per cell)."""
        sheet = self.book.add_worksheet(sheet_name(title, self._names))
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        for column, value in enumerate(header):
            self._cell(sheet, 0, column, value, True)
        count, last_column = 0, max(len(header) - 1, 0)
        kinds: list[type | None] = []
        writers: list[Callable[[Any, int, int, Any, Any], None]] = []
        for count, row in enumerate(rows, start=1):
            if len(row) > len(kinds):
                kinds.extend([None] * (len(row) - len(kinds)))
                writers.extend([self._write_text] * (len(row) - len(writers)))
                last_column = max(last_column, len(row) - 1)
            for column, value in enumerate(row):
                if value is None or value == "":
                    continue
                if value.__class__ is not kinds[column]:
                    kinds[column] = value.__class__
                    writers[column] = self._writer_for(value)
                writers[column](sheet, count, column, value, None)
            if on_row:
                on_row(count)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(count, 1), last_column)
        return count

    def table(self, table: Table, on_row: RowCallback | None = None) -> int:
        return self.sheet(
            table.title,
            table.headers,
            table.rows,
            widths=[c.width for c in table.columns],
            on_row=on_row,
        )

    def close(self) -> None:
        self.book.close()


def write_xlsx(
    target: str | IO[bytes], tables: Iterable[Table], on_row: RowCallback | None = None
) -> int:
    """Every table on a sheet of its own; `on_row` counts rows across the whole book."""
    book = XlsxBook(target)
    done = 0

    def counted(count: int) -> None:
        if on_row:
            on_row(done + count)

    for table in tables:
        done += book.table(table, counted)
    book.close()
    return done


# --- JSON -----------------------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _json_objects(table: Table) -> Iterator[str]:
    names = [c.name for c in table.columns]
    for row in table.rows:
        yield json.dumps(
            {name: json_value(value) for name, value in zip(names, row, strict=False)},
            ensure_ascii=False,
        )


def write_json(out: IO[bytes], tables: Iterable[Table], on_row: RowCallback | None = None) -> int:
    """`{"<table key>": [{column name: value, …}, …], …}`, streamed object by object."""
    count = 0
    out.write(b"{")
    for index, table in enumerate(tables):
        out.write((("," if index else "") + json.dumps(table.key) + ":[").encode())
        for position, text in enumerate(_json_objects(table)):
            out.write(((",\n" if position else "\n") + text).encode("utf-8"))
            count += 1
            if on_row:
                on_row(count)
        out.write(b"]")
    out.write(b"}\n")
    return count
