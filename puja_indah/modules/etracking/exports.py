"""CSV and XLSX exports of an analytics report: the same figures as the page, same filters."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _

from puja_indah.core.exports import CsvWriter, XlsxBook
from puja_indah.modules.etracking.analytics import PeriodFigures, Report


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


def _sections(report: Report) -> list[tuple[str, Iterator[list[Any]]]]:
    return [
        (_("Per stage"), stage_table(report)),
        (_("Daily"), daily_table(report)),
        (_("Peak period"), peak_table(report)),
    ]


def to_csv(report: Report) -> bytes:
    """UTF-8 with a BOM (core.exports); sections separated by a blank line and headed by their
    title."""
    buffer = io.BytesIO()
    writer = CsvWriter(buffer)
    writer.row([report.process.name])
    writer.row([_("Period"), report.period.start.isoformat(), report.period.end.isoformat()])
    for title, table in _sections(report):
        writer.row([])
        writer.row([title])
        for row in table:
            writer.row(row)
    writer.close()
    return buffer.getvalue()


def to_xlsx(report: Report) -> bytes:
    """Three sheets (per stage, daily, peak), written row by row (core.exports, constant
    memory)."""
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    for title, table in _sections(report):
        header = next(table)
        book.sheet(title, header, table, widths=[34, *([16] * 7)])
    book.close()
    return buffer.getvalue()
