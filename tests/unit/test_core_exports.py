"""core/exports.py: the one set of writers (CSV, XLSX, JSON) and the formula guard."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from puja_indah.core import exports
from puja_indah.core.exports import Column, Table

RISKY = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]


def _table(rows: list[list[object]]) -> Table:
    return Table(
        "things",
        "Things [x]: a/b",
        [Column("name", "Nama"), Column("day", "Tanggal"), Column("count", "Jumlah")],
        rows,
    )


@pytest.mark.parametrize("value", RISKY)
def test_formula_like_text_is_neutralised(value: str) -> None:
    assert exports.neutralise(value) == "'" + value
    assert exports.neutralise(-1) == -1 and exports.neutralise("Diterima") == "Diterima"


def test_csv_has_a_bom_neutralised_cells_and_iso_dates() -> None:
    data = exports.csv_bytes(_table([["=HYPERLINK(1)", date(2026, 1, 2), 3]]))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Nama", "Tanggal", "Jumlah"], ["'=HYPERLINK(1)", "2026-01-02", "3"]]


def test_xlsx_has_real_cells_a_frozen_filtered_header_and_safe_sheet_names() -> None:
    out = io.BytesIO()
    seen: list[int] = []
    second = _table([["b", None, 2]])
    count = exports.write_xlsx(
        out,
        [
            _table([["=cmd|' /C calc'!A0", date(2026, 3, 4), Decimal("2.5")], ["ä", None, 7]]),
            second,
        ],
        seen.append,
    )
    assert count == 3 and seen == [1, 2, 3]
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["Things  x   a b", "Things  x   a b (2)"]
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C3"
    assert sheet["A1"].font.b
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == datetime(2026, 3, 4) and sheet["B2"].is_date
    assert sheet["C2"].value == 2.5 and sheet["C3"].value == 7
    assert sheet["B3"].value is None


def test_json_streams_objects_by_column_name() -> None:
    def rows() -> Iterator[list[object]]:
        yield ["a", datetime(2026, 1, 1, 1, 0, tzinfo=UTC), 1]
        yield ["b", None, 2]

    out = io.BytesIO()
    assert exports.write_json(out, [_table(list(rows())), Table("empty", "E", [])]) == 2
    assert json.loads(out.getvalue()) == {
        "things": [
            {"name": "a", "day": "2026-01-01T01:00:00+00:00", "count": 1},
            {"name": "b", "day": None, "count": 2},
        ],
        "empty": [],
    }
