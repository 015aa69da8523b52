"""PDF reports laid out with fpdf2 (pure Python, like the e-tracking receipts): the region report
(letterhead, summary figures, a bar chart drawn with fpdf2's own rectangles, tables) and the
one-innovation dossier (profile, milestones, claims with their evidence, replications).

Text uses DejaVu Sans from Debian's `fonts-dejavu-core` when it is installed (any Indonesian or
typographic character prints); without it, the core Helvetica font and the receipts' Latin-1
spelling (modules/etracking/receipts.py's rule: typographic characters spelled out, the rest "?").
Everything shown is read in the current scope, like the datasets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from flask_babel import format_date
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy import func, select

from puja_indah.core.models import Agency, Region, RegionKind
from puja_indah.core.tenancy import current_scope
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Stage
from puja_indah.progress.models import Milestone
from puja_indah.reports import datasets
from puja_indah.reports.datasets import PROFILE_HEADERS, STAGE_IID, Filters, region_of

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_LATIN1 = str.maketrans(
    {
        "→": "->",
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "\u00a0": " ",
    }
)
GOVERNMENT = {
    RegionKind.REGENCY: "Pemerintah Kabupaten",
    RegionKind.CITY: "Pemerintah Kota",
    RegionKind.PROVINCE: "Pemerintah Provinsi",
}
BAR_COLOUR = (31, 95, 153)


class ReportPDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)
        self._unicode = False
        for folder in FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.exists() and bold.exists():
                self.add_font("DejaVu", "", str(regular))
                self.add_font("DejaVu", "B", str(bold))
                self._unicode = True
                break
        self._family = "DejaVu" if self._unicode else "Helvetica"
        self.set_title(self.t(title))
        self.set_creator("PUJA INDAH")

    def t(self, value: Any) -> str:
        text = "" if value is None else str(value)
        if self._unicode:
            return text
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def use_font(self, size: float, bold: bool = False) -> None:
        self.set_font(self._family, "B" if bold else "", size)

    def footer(self) -> None:
        self.set_y(-12)
        self.use_font(8)
        self.cell(0, 6, self.t(f"{self.report_title} · {self.page_no()}"), align="C")

    # --- blocks ---

    def letterhead(self, government: str, region: str, subtitle: str, day: str) -> None:
        self.use_font(14, True)
        self.cell(0, 7, self.t(government.upper()), new_x="LMARGIN", new_y="NEXT", align="C")
        self.use_font(11)
        self.cell(
            0,
            6,
            self.t("Pusat Jejaring Inovasi Daerah (PUJA INDAH)"),
            new_x="LMARGIN",
            new_y="NEXT",
            align="C",
        )
        self.set_line_width(0.8)
        y = self.get_y() + 2
        self.line(15, y, 195, y)
        self.set_line_width(0.2)
        self.line(15, y + 1.2, 195, y + 1.2)
        self.set_y(y + 5)
        self.use_font(13, True)
        self.cell(0, 7, self.t(subtitle), new_x="LMARGIN", new_y="NEXT", align="C")
        self.use_font(10)
        self.cell(0, 6, self.t(f"{region} · {day}"), new_x="LMARGIN", new_y="NEXT", align="C")
        self.ln(3)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.use_font(12, True)
        self.cell(0, 7, self.t(text), new_x="LMARGIN", new_y="NEXT")
        self.use_font(9)

    def figures(self, items: Sequence[tuple[str, Any]]) -> None:
        width = 180 / max(len(items), 1)
        top = self.get_y()
        for index, (label, value) in enumerate(items):
            x = 15 + index * width
            self.rect(x, top, width - 2, 18)
            self.set_xy(x, top + 1.5)
            self.use_font(14, True)
            self.cell(width - 2, 8, self.t(value), align="C")
            self.set_xy(x, top + 10)
            self.use_font(7.5)
            self.cell(width - 2, 6, self.t(label), align="C")
        self.set_xy(15, top + 21)

    def bar_chart(self, title: str, bars: Sequence[tuple[str, int]]) -> None:
        """Horizontal bars drawn with rectangles, the number at each bar's end."""
        self.heading(title)
        highest = max((value for _label, value in bars), default=0) or 1
        label_width, bar_space = 60, 105
        for label, value in bars:
            if self.will_page_break(7):
                self.add_page()
            y = self.get_y()
            self.use_font(8.5)
            self.cell(label_width, 6, self.t(label)[:42])
            self.set_fill_color(*BAR_COLOUR)
            length = bar_space * value / highest
            if length > 0:
                self.rect(15 + label_width, y + 1, length, 4, style="F")
            self.set_xy(15 + label_width + length + 2, y)
            self.cell(15, 6, str(value))
            self.set_xy(15, y + 6.5)
        self.ln(2)

    def data_table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[Any]],
        widths: Sequence[float],
        on_row: Callable[[int], None] | None = None,
    ) -> int:
        self.use_font(8)
        count = 0
        with super().table(
            col_widths=tuple(widths),
            width=sum(widths),
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 243)),
            line_height=4.5,
            text_align="LEFT",
        ) as table:
            head = table.row()
            for header in headers:
                head.cell(self.t(header))
            for count, values in enumerate(rows, start=1):
                row = table.row()
                for value in values:
                    row.cell(self.t(value))
                if on_row:
                    on_row(count)
        if not count:
            self.use_font(9)
            self.cell(0, 6, self.t(_("Nothing to show.")), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)
        return count


def government_of(region: Region) -> str:
    """ "Pemerintah Kabupaten Bombana": the region's name already says which kind it is in the
    demo data ("Kabupaten Bombana"); a bare name gets its kind added."""
    first = region.name.split(" ", 1)[0].casefold()
    if first in ("kabupaten", "kota", "provinsi"):
        return f"Pemerintah {region.name}"
    return f"{GOVERNMENT.get(region.kind, 'Pemerintah')} {region.name}"


def _government(filters: Filters) -> tuple[str, str]:
    region_id = region_of(current_scope(), filters)
    scope = current_scope()
    if region_id is None and scope.kind == "agency" and scope.agency_id is not None:
        agency = db.session.get(Agency, scope.agency_id)
        region_id = agency.region_id if agency else None
    region = db.session.get(Region, region_id) if region_id is not None else None
    if region is None:
        return "Kementerian Dalam Negeri", _("All regions")
    return government_of(region), region.name


def _today() -> str:
    return format_date(datasets.today_local(), format="long")


def _latest_progress() -> dict[int, int]:
    newest = (
        select(Milestone.innovation_id, func.max(Milestone.happened_on).label("day"))
        .group_by(Milestone.innovation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Milestone.innovation_id, func.max(Milestone.progress))
        .join(
            newest,
            (newest.c.innovation_id == Milestone.innovation_id)
            & (newest.c.day == Milestone.happened_on),
        )
        .group_by(Milestone.innovation_id)
    )
    return {innovation_id: int(progress or 0) for innovation_id, progress in rows}


def region_report(
    filters: Filters, out: IO[bytes], on_row: Callable[[int], None] | None = None
) -> None:
    government, region = _government(filters)
    pdf = ReportPDF(_("Regional innovation report"))
    pdf.add_page()
    pdf.letterhead(government, region, _("Regional innovation report"), _today())

    innovations = datasets._in_region(select(Innovation), Innovation.region_id, filters)
    base = innovations.subquery()
    by_stage: dict[Any, int] = dict(
        db.session.execute(select(base.c.stage, func.count()).group_by(base.c.stage)).all()
    )
    agency_counts = db.session.execute(
        select(Agency.short_name, func.count(base.c.id))
        .join(base, base.c.agency_id == Agency.id)
        .group_by(Agency.id, Agency.short_name)
        .order_by(func.count(base.c.id).desc(), Agency.short_name)
    ).all()
    replications = datasets.count_replications(filters)
    documents = int(
        db.session.scalar(
            select(func.count(Evidence.id)).where(
                Evidence.deleted_at.is_(None), Evidence.innovation_id.in_(select(base.c.id))
            )
        )
        or 0
    )
    total = sum(by_stage.values())
    pdf.heading(_("Summary"))
    pdf.figures(
        [
            (_("Agencies with innovations"), len(agency_counts)),
            (_("Innovations"), total),
            (_("Implemented"), by_stage.get(Stage.IMPLEMENTATION, 0)),
            (_("Replications"), replications),
            (_("Evidence documents"), documents),
        ]
    )
    pdf.bar_chart(
        _("Innovations by stage"),
        [(STAGE_IID[stage], int(by_stage.get(stage, 0))) for stage in Stage],
    )
    pdf.data_table(
        [_("Stage"), _("Innovations")],
        [(STAGE_IID[stage], int(by_stage.get(stage, 0))) for stage in Stage],
        [60, 30],
    )
    if agency_counts:
        pdf.bar_chart(
            _("Innovations by agency"), [(name, int(n)) for name, n in agency_counts[:20]]
        )

    progress = _latest_progress()
    pdf.heading(_("Innovations"))
    rows = (
        (
            innovation.name,
            innovation.agency.short_name,
            STAGE_IID[innovation.stage],
            f"{progress.get(innovation.id, 0)}%",
        )
        for innovation in db.session.scalars(
            innovations.order_by(Innovation.agency_id, Innovation.name_key).execution_options(
                yield_per=datasets.BATCH
            )
        )
    )
    pdf.data_table(
        [_("Innovation"), _("Agency"), _("Stage"), _("Progress")], rows, [85, 45, 30, 20], on_row
    )
    pdf.heading(_("Replications"))
    pdf.data_table(
        [_("Replica innovation"), _("Source innovation"), _("Status")],
        ((r[0], r[2], r[6]) for r in datasets.replication_rows(filters)),
        [70, 80, 30],
    )
    out.write(bytes(pdf.output()))


def dossier(filters: Filters, out: IO[bytes]) -> None:
    innovation = db.session.scalar(select(Innovation).where(Innovation.id == filters.innovation_id))
    if innovation is None:
        raise LookupError("innovation not visible in this scope")
    region = innovation.region
    government = government_of(region)
    pdf = ReportPDF(_("Innovation dossier"))
    pdf.add_page()
    pdf.letterhead(government, innovation.agency.name, _("Innovation dossier"), _today())
    pdf.use_font(15, True)
    pdf.multi_cell(0, 8, pdf.t(innovation.name), new_x="LMARGIN", new_y="NEXT")

    pdf.heading(_("Profile"))
    # The export's own row for this innovation (filters.innovation_id): the same values.
    row = next(datasets.profile_rows(filters), [])
    profile = [
        (header, value)
        for header, value in zip(PROFILE_HEADERS, row, strict=False)
        if value not in (None, "")
    ]
    pdf.data_table(
        [_("Field"), _("Value")],
        (
            (label, value.isoformat() if hasattr(value, "isoformat") else value)
            for label, value in profile
        ),
        [55, 125],
    )

    pdf.heading(_("Milestones"))
    milestones = db.session.scalars(
        select(Milestone)
        .where(Milestone.innovation_id == innovation.id)
        .order_by(Milestone.happened_on, Milestone.id)
    )
    pdf.data_table(
        [_("Date"), _("Milestone"), _("Progress")],
        ((m.happened_on.isoformat(), m.title, f"{m.progress}%") for m in milestones),
        [25, 130, 25],
    )

    pdf.heading(_("Indicator claims and their evidence"))
    pdf.data_table(
        [_("Year"), _("Indicator"), _("Level"), _("Evidence")],
        ((r[0], f"{r[3]}. {r[4]}", r[7], r[9]) for r in datasets.claim_rows(filters)),
        [15, 70, 15, 80],
    )

    pdf.heading(_("Replications"))
    pdf.data_table(
        [_("Source innovation"), _("Source region"), _("Mode"), _("Status"), _("Status since")],
        ((r[2], r[3], r[5], r[6], r[7].isoformat()) for r in datasets.replication_rows(filters)),
        [60, 40, 25, 25, 30],
    )
    out.write(bytes(pdf.output()))
