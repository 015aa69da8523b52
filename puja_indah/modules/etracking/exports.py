"""CSV and XLSX exports of an analytics report: the same figures as the page, same filters."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import xlsxwriter
from flask_babel import gettext as _

from puja_indah.modules.etracking.analytics import PeriodFigures, Report

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text starting like a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _round(value: float | None, digits: int = 1) -> float | str:
    return "" if value is None else round(value, digits)


def stage_table(report: Report) -> Iterator[list[Any]]:
    yield [
        _("Stage"),
        _("SLA (working minutes)"),
        _("Files that left the stage"),
        _("Median (working minutes)"),
        _("p90 (working minutes)"),
        _("SLA breaches"),
        _("Breach share (%)"),
        _("Open now"),
    ]
    for row in report.stages:
        yield [
            row.name,
            "" if row.sla_minutes is None else row.sla_minutes,
            row.exits,
            _round(row.p50),
            _round(row.p90),
            row.breaches,
            "" if row.breach_share is None else round(100 * row.breach_share, 1),
            row.open_now,
        ]


def daily_table(report: Report) -> Iterator[list[Any]]:
    yield [_("Day"), _("Files received"), _("Files completed"), _("Open at the end of the day")]
    for row in report.days:
        yield [row.day.isoformat(), row.received, row.completed, row.backlog]


def _figures(label: str, figures: PeriodFigures, per_day: int) -> list[Any]:
    median_days = None if figures.median_minutes is None else figures.median_minutes / per_day
    return [
        label,
        figures.files,
        _round(median_days, 2),
        "" if figures.breach_share is None else round(100 * figures.breach_share, 1),
    ]


def peak_table(report: Report) -> Iterator[list[Any]]:
    yield [
        _("Period"),
        _("Files received"),
        _("Median working days, receipt to completion"),
        _("Files with an SLA breach (%)"),
    ]
    yield _figures(_("October–November"), report.peak, report.minutes_per_day)
    yield _figures(_("Rest of the period"), report.rest, report.minutes_per_day)
    yield []
    yield [_("Files completed in the period"), report.completed]
    yield [_("Working days, receipt to result (median)"), _round(report.total_days_p50, 2)]
    yield [_("Working days, receipt to result (p90)"), _round(report.total_days_p90, 2)]


def filename(report: Report, extension: str) -> str:
    code = re.sub(r"[^A-Za-z0-9_-]+", "-", report.process.code).strip("-") or "process"
    return (
        f"sla-{code}-{report.period.start.isoformat()}-{report.period.end.isoformat()}.{extension}"
    )


def to_csv(report: Report) -> bytes:
    """UTF-8 with a BOM (so spreadsheets read Indonesian text right); sections separated by a
    blank line and headed by their title."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(report.process.name)])
    writer.writerow([_("Period"), report.period.start.isoformat(), report.period.end.isoformat()])
    for title, table in (
        (_("Per stage"), stage_table(report)),
        (_("Daily"), daily_table(report)),
        (_("Peak period"), peak_table(report)),
    ):
        writer.writerow([])
        writer.writerow([title])
        for row in table:
            writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    """Three sheets (per stage, daily, peak), written row by row (constant memory)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    for title, table in (
        (_("Per stage"), stage_table(report)),
        (_("Daily"), daily_table(report)),
        (_("Peak period"), peak_table(report)),
    ):
        sheet = book.add_worksheet(title[:31])
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 7, 16)
        for index, row in enumerate(table):
            for column, cell in enumerate(row):
                if isinstance(cell, str):
                    sheet.write_string(
                        index, column, neutralise(cell), bold if index == 0 else None
                    )
                else:
                    sheet.write_number(index, column, cell)
    book.close()
    return buffer.getvalue()
