"""The progress board screens: the region's board (sort, filter, charts), one agency's drill-down,
a decree's duties, and the region's board settings. Thin: policies from core.permissions, reads
from queries, the one write from services; a request commits at most once.

Monitors see their own region; national reviewers and platform administrators choose one with
`?region=` (default: the first region with a decree). Another region's agency or decree answers
404 to a monitor (`get_managed_or_404`).
"""

from __future__ import annotations

from typing import Any

from babel import numbers
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from puja_indah.agencies.models import Decree
from puja_indah.board import charts, queries, services
from puja_indah.board.forms import INVALID_CHOICE, BoardFilterForm, SettingsForm
from puja_indah.board.models import DEFAULT_STALE_DAYS
from puja_indah.board.rules import DutyStatus
from puja_indah.core import dataversion, registry
from puja_indah.core.clock import today_wita
from puja_indah.core.models import Agency, Region
from puja_indah.core.pagecache import kept_page
from puja_indah.core.permissions import (
    MAX_ID,
    can_configure_board,
    can_view_board,
    get_managed_or_404,
    requires,
)
from puja_indah.core.staleness import parse_version
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.innovations.models import Stage
from puja_indah.replications.models import ReplicationStatus

bp = Blueprint("board", __name__, template_folder="templates")

AGENCY_ID = f"<int(max={MAX_ID}):agency_id>"
DECREE_ID = f"<int(max={MAX_ID}):decree_id>"

STAGE_LABELS = {
    "inisiatif": _l("Initiative"),
    "uji_coba": _l("Trial"),
    "penerapan": _l("Implementation"),
    "none": _l("no innovation linked"),
}
DUTY_LABELS = {
    DutyStatus.DONE: _l("done"),
    DutyStatus.UNDER_WAY: _l("under way"),
    DutyStatus.MISSING: _l("missing"),
    DutyStatus.NOT_REQUIRED: _l("not required"),
}
DUTY_CLASSES = {
    DutyStatus.DONE: "text-bg-success",
    DutyStatus.UNDER_WAY: "text-bg-info",
    DutyStatus.MISSING: "text-bg-danger",
    DutyStatus.NOT_REQUIRED: "text-bg-light",
}
REPLICATION_LABELS = {
    ReplicationStatus.INTEREST: _l("interest"),
    ReplicationStatus.AGREEMENT: _l("agreement"),
    ReplicationStatus.TRIAL: _l("trial"),
    ReplicationStatus.APPLIED: _l("applied"),
    ReplicationStatus.STOPPED: _l("stopped"),
}
BUCKET_LABELS = {
    "lt7": _l("under 7 days"),
    "7to30": _l("7–30 days"),
    "30to90": _l("31–90 days"),
    "gt90": _l("over 90 days"),
    "never": _l("never"),
}
DUTY_RULES = (
    _l(
        "Implement: done when the assigned innovation is at stage Implementation (penerapan) or"
        " its progress is 100 percent; under way when it exists and has at least one milestone;"
        " missing otherwise (no innovation linked to the appointment, or no milestone yet)."
    ),
    _l(
        "Replicate: done when a replication reached the status applied (diterapkan); under way"
        " when one exists that was not stopped (interest, agreement, trial); missing otherwise."
    ),
)


@bp.context_processor
def helpers() -> dict[str, Any]:
    # The labels are translated once per page, not once per table cell, and numbers are
    # formatted with the request's locale looked up once (babel's own functions, same output).
    stage_labels = {key: str(label) for key, label in STAGE_LABELS.items()}
    duty_labels = {status: str(label) for status, label in DUTY_LABELS.items()}
    replication_labels = {status: str(label) for status, label in REPLICATION_LABELS.items()}
    locale = get_locale()

    def stage_label(stage: Any) -> str:
        key = stage.value if isinstance(stage, Stage) else (stage or "none")
        return stage_labels.get(key, key)

    def percent(value: float | None) -> str:
        if value is None:
            return "–"
        return f"{numbers.format_decimal(round(float(value), 1), '0.#', locale=locale)} %"

    def number(value: Any) -> str:
        if value is None:
            return "–"
        return str(numbers.format_decimal(value, "#,##0.##", locale=locale))

    return {
        "stage_label": stage_label,
        "duty_label": lambda s: duty_labels[DutyStatus(s)],
        "duty_class": lambda s: DUTY_CLASSES[DutyStatus(s)],
        "replication_label": lambda s: replication_labels[ReplicationStatus(s)],
        "bucket_label": lambda b: str(BUCKET_LABELS[b]),
        "percent": percent,
        "number": number,
        "format_day": lambda d: str(format_date(d, "medium")),
    }


# --- region choice, sort and filter ---------------------------------------------------------------


def _region(form: BoardFilterForm, regions: list[Region]) -> Region | None:
    """The monitor's own region; for national readers the chosen one (or the first with a
    decree). A region that is not on the list is refused with a message, never a 500."""
    scope = current_scope()
    if scope.kind == "region":
        return db.session.get(Region, scope.region_id)
    chosen = form.region.data if not form.region.errors else None
    by_id = {r.id: r for r in regions}
    region = by_id.get(chosen) if chosen is not None else None
    if region is None:
        region = regions[0] if regions else None
    if region is not None:
        form.region.data = region.id
    return region


def _apply(form: BoardFilterForm, rows: list[queries.Row]) -> list[queries.Row]:
    def ok(field: Any) -> str:
        """The field's value when it is one of its choices, else "" (no filter, default sort).
        WTForms' Optional() lets whitespace through without checking the choices."""
        allowed = {str(choice.value) for choice in field.choices}
        value = field.data or ""
        return value if not field.errors and value in allowed else ""

    stage, implement, replicate, module = (
        ok(form.stage),
        ok(form.implement),
        ok(form.replicate),
        ok(form.module),
    )
    out = queries.filter_rows(
        rows,
        stage=stage,
        implement=implement,
        replicate=replicate,
        module=module,
        stale_only=bool(form.stale.data),
    )
    return queries.sort_rows(out, ok(form.sort) or "agency", descending=ok(form.order) == "desc")


_KEPT_ARGS = ("region", "stage", "implement", "replicate", "module", "stale")


def _sort_links(sort: str, order: str) -> dict[str, str]:
    """Column headers sort by their column (a second click reverses), keeping the filters."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in _KEPT_ARGS}
    return {
        key: url_for(
            ".board",
            **args,
            sort=key,
            order="desc" if key == sort and order == "asc" else "asc",
        )
        for key in queries.SORTERS
    }


def _filter_form() -> tuple[BoardFilterForm, list[Region]]:
    form = BoardFilterForm(request.args)
    regions = [] if current_scope().kind == "region" else queries.regions_with_decrees()
    form.region.choices = [SelectChoice(r.id, f"{r.code} · {r.name}") for r in regions]
    if not regions:
        form.region.validators = [Optional()]
    form.module.choices = [SelectChoice("", _("any"))] + [
        SelectChoice(code, str(module.name))
        for code, module in sorted(registry.registered().items())
    ]
    form.validate()
    for field in (form.sort, form.order, form.stage, form.implement, form.replicate, form.module):
        # Optional() stops WTForms' own choice check for blank-looking input: check it here.
        allowed = {str(choice.value) for choice in field.choices}
        if field.data and field.data not in allowed and not field.errors:
            field.errors = [str(INVALID_CHOICE)]
    return form, regions


# --- the board -----------------------------------------------------------------------------------


@bp.route("/board")
@requires(can_view_board)
@kept_page
def board() -> Any:
    form, regions = _filter_form()
    region = _region(form, regions)
    problems = [error for field in form for error in field.errors]
    if region is None:
        return render_template("board/empty.html", form=form, problems=problems)
    today = today_wita()
    known_sort = form.sort.data in queries.SORTERS and not form.sort.errors
    sort = form.sort.data if known_sort else "agency"
    order = "desc" if form.order.data == "desc" and not form.order.errors else "asc"
    region_arg = region.id if current_scope().kind != "region" else None
    can_configure = can_configure_board(current_scope(), region.id)
    # Everything the cached part shows depends on: the data (the version), who reads (the role's
    # read rules), the region, the day (staleness, "days ago"), the language, the choices in the
    # URL and one permission.
    key = (
        dataversion.scope_key(),
        region.id,
        today,
        str(get_locale()),
        can_configure,
        region_arg,
        sort,
        order,
        tuple(request.args.get(name) for name in _KEPT_ARGS),
    )
    parts = dataversion.remember(
        "board",
        key,
        lambda: _render_parts(form, region.id, today, sort, order, region_arg, can_configure),
    )
    return render_template(
        "board/board.html",
        form=form,
        problems=problems,
        region=region,
        region_arg=region_arg,
        parts=parts,
    )


def _render_parts(
    form: BoardFilterForm,
    region_id: int,
    today: Any,
    sort: str,
    order: str,
    region_arg: int | None,
    can_configure: bool,
) -> dict[str, Markup]:
    """The board's figures, rendered: the intro with its links, and the table with the charts."""
    year = queries.current_year(today)
    stale_after = queries.stale_after_days(region_id)
    all_rows = queries.rows(region_id, today, year=year, stale_after=stale_after)
    shown = _apply(form, all_rows)
    stages = queries.stage_counts(all_rows)
    freshness = queries.freshness_counts(all_rows)
    over_time = queries.progress_over_time(all_rows, today)
    months = [(str(format_date(end, "MMM yyyy")), value) for end, value in over_time]
    decrees = db.session.scalars(
        select(Decree).where(Decree.region_id == region_id).order_by(Decree.number)
    ).all()
    intro = render_template(
        "board/_board_intro.html",
        stale_after=stale_after,
        year=year,
        decrees=decrees,
        region_arg=region_arg,
        can_configure=can_configure,
    )
    table = render_template(
        "board/_board_table.html",
        sort=sort,
        order=order,
        sort_links=_sort_links(sort, order),
        rows=shown,
        total=len(all_rows),
        stale_count=sum(1 for r in all_rows if r.stale),
        stages=stages,
        stage_chart=charts.bar_chart([(str(STAGE_LABELS[k]), v) for k, v in stages]),
        freshness=freshness,
        freshness_chart=charts.bar_chart([(str(BUCKET_LABELS[k]), v) for k, v in freshness]),
        months=months,
        progress_chart=charts.line_chart(months),
    )
    # Autoescaped template output: already safe HTML.
    return {"intro": Markup(intro), "table": Markup(table)}  # noqa: S704


# --- one agency ----------------------------------------------------------------------------------


@bp.route(f"/board/agency/{AGENCY_ID}")
@requires(can_view_board)
def agency(agency_id: int) -> Any:
    target = get_managed_or_404(Agency, agency_id)
    page = queries.agency_page(target.region_id, target.id, today_wita())
    if page is None:
        abort(404)  # not appointed by any decree: not on the board
    return render_template(
        "board/agency.html",
        page=page,
        row=page.row,
        region_arg=target.region_id if current_scope().kind != "region" else None,
    )


# --- one decree ----------------------------------------------------------------------------------


@bp.route(f"/board/decree/{DECREE_ID}")
@requires(can_view_board)
def decree(decree_id: int) -> Any:
    target = get_managed_or_404(Decree, decree_id)
    rows = queries.rows(target.region_id, today_wita(), decree_id=target.id, modules=False)
    rows.sort(key=lambda r: (r.agency.name.lower(), r.agency.id))
    return render_template(
        "board/decree.html",
        decree=target,
        rows=rows,
        rules=[str(rule) for rule in DUTY_RULES],
        region_arg=target.region_id if current_scope().kind != "region" else None,
    )


# --- settings ------------------------------------------------------------------------------------


@bp.route("/board/settings", methods=["GET", "POST"])
@requires(can_configure_board)
def settings() -> Any:
    scope = current_scope()
    if scope.kind == "region":
        region = db.session.get(Region, scope.region_id)
    else:
        # An administrator: the region named by ?region=, by default the first with a decree.
        raw = request.args.get("region", "")
        regions = {r.id: r for r in queries.regions_with_decrees()}
        if raw:
            region_id = int(raw) if raw.isdigit() and len(raw) <= 10 else None
            region = regions.get(region_id) if region_id is not None else None
        else:
            region = next(iter(regions.values()), None)
    if region is None:
        abort(404)
    row = queries.settings_of(region.id)
    form = SettingsForm()
    if request.method == "GET":
        form.stale_after_days.data = row.stale_after_days if row else DEFAULT_STALE_DAYS
        form.version.data = str(row.version if row else 0)
    elif form.validate_on_submit():
        try:
            services.save_settings(
                scope,
                region.id,
                stale_after_days=int(form.stale_after_days.data or 0),
                opened_version=parse_version(form.version.data),
            )
        except services.SettingsRefused as refused:
            db.session.rollback()
            flash(refused.message, "danger")
        else:
            db.session.commit()
            flash(_("Board settings saved."), "success")
            if scope.kind == "region":
                return redirect(url_for(".board"))
            return redirect(url_for(".board", region=region.id))
    else:
        flash(_("Nothing was saved: check the form."), "danger")
    return render_template(
        "board/settings.html",
        form=form,
        region=region,
        region_arg=region.id if scope.kind != "region" else None,
    )
