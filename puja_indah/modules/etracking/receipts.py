"""Receipts for files received at the desk: a printable page and a PDF, in two sizes.

A6 (105 × 148 mm) for an office printer, and a 58 mm thermal roll (height fitted to what is on
it). Both show the desk, the process and file type, the internal number, when the file was
received, its public code and a QR code of the public status address — never the amount. The
QR holds only that address (DOMAIN §3): the status page shows public fields only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import segno
from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from puja_indah.core.models import Agency
from puja_indah.core.permissions import MAX_ID, can_work_desk, requires
from puja_indah.extensions import db
from puja_indah.modules.etracking import codes
from puja_indah.modules.etracking.blueprint import bp
from puja_indah.modules.etracking.models import TrackedFile
from puja_indah.modules.etracking.status import wita

if TYPE_CHECKING:
    from fpdf import FPDF

SIZES = ("a6", "58mm")
DEFAULT_SIZE = "a6"
# Printed QR codes get scuffed: level M restores up to ~15 % of the symbol.
QR_ERROR = "m"


def status_url(code: str) -> str:
    """The absolute address of the file's public status page: all the QR code holds."""
    return url_for("tracking.status", tracking_code=code, _external=True)


def short_address(url: str) -> str:
    """An address as a person types it: without the scheme."""
    return url.split("://", 1)[-1]


def receipt_qr(code: str) -> segno.QRCode:
    return segno.make(status_url(code), error=QR_ERROR, micro=False, boost_error=False)


@dataclass(frozen=True)
class Receipt:
    agency_name: str
    process_name: str
    file_kind_name: str
    internal_number: str
    received_at: datetime
    code: str
    status_url: str
    lookup_url: str

    @property
    def display_code(self) -> str:
        return codes.display(self.code)


def _receipt(tracked_id: int) -> Receipt:
    # The ORM's tenancy criteria keep this to the desk agency's own files: another's is a 404.
    tracked = db.session.scalar(select(TrackedFile).where(TrackedFile.id == tracked_id))
    if tracked is None:
        abort(404)
    agency_name = db.session.scalar(select(Agency.name).where(Agency.id == tracked.agency_id))
    return Receipt(
        agency_name=agency_name or "",
        process_name=tracked.version.process.name,
        file_kind_name=tracked.file_kind.name,
        internal_number=tracked.internal_number,
        received_at=tracked.received_at,
        code=tracked.public_code,
        status_url=status_url(tracked.public_code),
        lookup_url=url_for("tracking.lookup", _external=True),
    )


def _size() -> str:
    size = request.args.get("size", DEFAULT_SIZE)
    return size if size in SIZES else DEFAULT_SIZE


@bp.route(f"/files/<int(max={MAX_ID}):tracked_id>/receipt")
@requires(can_work_desk)
def receipt(tracked_id: int) -> str:
    data = _receipt(tracked_id)
    svg = receipt_qr(data.code).svg_inline(
        scale=4, border=2, omitsize=True, svgclass="qr", lineclass=None
    )
    return render_template(
        "etracking/receipt.html",
        r=data,
        size=_size(),
        sizes=SIZES,
        qr_svg=Markup(svg),  # noqa: S704 - segno's own SVG of our own URL
        wita=wita,
        short_address=short_address,
    )


@bp.route(f"/files/<int(max={MAX_ID}):tracked_id>/receipt.pdf")
@requires(can_work_desk)
def receipt_pdf(tracked_id: int) -> Response:
    data = _receipt(tracked_id)
    size = _size()
    response = Response(receipt_pdf_bytes(data, size), mimetype="application/pdf")
    filename = f"tanda-terima-{data.code}-{size}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- PDF -----------------------------------------------------------------------------------------

# The core PDF fonts know Latin-1 only: typographic characters are spelled out, anything else left
# becomes "?", so no name a desk types can break the receipt.
_LATIN1 = str.maketrans(
    {
        "→": "->",
        "←": "<-",
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "•": "·",
        "\u00a0": " ",
    }
)


def latin1(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


@dataclass(frozen=True)
class _Layout:
    width: float
    margin: float
    title: float  # font sizes in points
    body: float
    small: float
    code: float
    qr: float  # mm
    line: float  # mm per body line


LAYOUTS = {
    "a6": _Layout(width=105, margin=8, title=12, body=9, small=7.5, code=14, qr=38, line=4.4),
    "58mm": _Layout(width=58, margin=3, title=10, body=8, small=6.5, code=10.5, qr=34, line=3.8),
}
A6_HEIGHT = 148
ROLL_MAX_HEIGHT = 1000  # a generous page to measure on; the real one is cut to fit


def receipt_pdf_bytes(data: Receipt, size: str) -> bytes:
    layout = LAYOUTS.get(size, LAYOUTS[DEFAULT_SIZE])
    png = io.BytesIO()
    receipt_qr(data.code).save(png, kind="png", scale=8, border=2)
    title = f"{_('File receipt')} {data.display_code}"
    # Lay it out once on a long strip to learn the height it needs.
    needed = _draw(_new_pdf(layout, ROLL_MAX_HEIGHT, title), data, layout, png) + layout.margin
    if size == "58mm":
        height = needed  # the roll is cut to fit
    else:
        height = A6_HEIGHT
        if needed > height:
            # Very long names: the QR code gives up the room (still scannable at 24 mm).
            layout = replace(layout, qr=max(layout.qr - (needed - height), 24))
    pdf = _new_pdf(layout, height, title)
    _draw(pdf, data, layout, png)
    return bytes(pdf.output())


def _new_pdf(layout: _Layout, height: float, title: str) -> FPDF:
    # fpdf2 (with fontTools) is ~20 MB resident: loaded by the first receipt, not by every worker.
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=(layout.width, height))
    pdf.set_margins(layout.margin, layout.margin, layout.margin)
    pdf.set_auto_page_break(False)
    pdf.set_title(latin1(title))
    pdf.add_page()
    return pdf


def _draw(pdf: FPDF, data: Receipt, layout: _Layout, png: io.BytesIO) -> float:
    """Draw the receipt; returns where the content ends (mm from the top)."""
    inner = layout.width - 2 * layout.margin
    line = layout.line

    def text(
        value: str, size: float, style: str = "", align: str = "L", family: str = "Helvetica"
    ) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(
            inner, line * size / layout.body, latin1(value), align=align, new_x="LMARGIN"
        )

    text(_("File receipt").upper(), layout.title, "B", "C")
    text(data.agency_name, layout.body, "B", "C")
    pdf.ln(1.5)
    for label, value in (
        (_("Process"), data.process_name),
        (_("File type"), data.file_kind_name),
        (_("Internal number"), data.internal_number),
        (_("Received"), wita(data.received_at)),
    ):
        text(label, layout.small)
        text(value, layout.body, "B")
        pdf.ln(0.6)
    pdf.ln(1.5)
    text(_("Tracking code"), layout.small, align="C")
    text(data.display_code, layout.code, "B", "C", family="Courier")
    png.seek(0)
    top = pdf.get_y() + 1
    pdf.image(png, x=(layout.width - layout.qr) / 2, y=top, w=layout.qr, h=layout.qr)
    pdf.set_y(top + layout.qr + 1)
    text(
        _("Scan the QR code or open %(url)s", url=short_address(data.status_url)),
        layout.small,
        align="C",
    )
    text(
        _("or enter the code at %(url)s", url=short_address(data.lookup_url)),
        layout.small,
        align="C",
    )
    return float(pdf.get_y())
