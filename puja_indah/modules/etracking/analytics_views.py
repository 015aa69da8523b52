"""SLA analytics pages and exports of a desk process, and the lead's choice of the innovation
the module's figures are evidence for. Thin views: the figures come from analytics.py."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectField

from puja_indah.core.db import utcnow
from puja_indah.core.forms import BaseForm
from puja_indah.core.models import Agency
from puja_indah.core.permissions import (
    MAX_ID,
    can_configure_desk,
    can_read_across_agencies,
    can_work_desk,
    get_managed_or_404,
    requires,
)
from puja_indah.core.registry import ModuleActivation, require_enabled
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation
from puja_indah.modules.etracking import analytics, charts, exports
from puja_indah.modules.etracking.blueprint import bp
from puja_indah.modules.etracking.models import Process
from puja_indah.modules.etracking.worktime import WITA

PROCESS_ID = f"<int(max={MAX_ID}):process_id>"
AGENCY_ID = f"<int(max={MAX_ID}):agency_id>"


def _process_or_404(process_id: int, agency_id: int | None = None) -> Process:
    """A process the scope may read (the ORM hides other agencies'), of `agency_id` if given."""
    query = select(Process).where(Process.id == process_id)
    if agency_id is not None:
        query = query.where(Process.agency_id == agency_id)
    process = db.session.scalar(query)
    if process is None:
        abort(404)
    return process


def _report(process: Process, page: bool = True) -> analytics.Report:
    today = utcnow().astimezone(WITA).date()
    period, problems = analytics.parse_period(request.args, today)
    # A download carries no page to show the message on: it names its period in the file.
    for problem in problems if page else ():
        flash(_("%(problem)s The last 12 months are shown.", problem=problem), "warning")
    report = analytics.build_report(process, period)
    report.problems = problems
    return report


def _page(report: analytics.Report, **links: Any) -> str:
    stage_chart = charts.stage_chart(
        [(row.name, row.p50, row.p90, row.sla_minutes) for row in report.stages]
    )
    return render_template(
        "etracking/analytics.html",
        report=report,
        stage_chart=stage_chart,
        throughput_chart=charts.series_chart(
            [(d.day, d.completed) for d in report.days], as_line=False
        ),
        backlog_chart=charts.series_chart([(d.day, d.backlog) for d in report.days], as_line=True),
        **links,
    )


def _export(report: analytics.Report, kind: str) -> Response:
    if kind == "csv":
        body, mimetype = exports.to_csv(report), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(report)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(report, kind)}"'
    )
    return response


def _filters() -> dict[str, Any]:
    return {k: v for k in ("from", "to") if (v := request.args.get(k, "")[:20])}


# --- the desk's own process ----------------------------------------------------------------------


@bp.route(f"/{PROCESS_ID}/analytics")
@requires(can_work_desk)
def analytics_page(process_id: int) -> Any:
    report = _report(_process_or_404(process_id))
    filters = _filters()
    return _page(
        report,
        form_action=url_for(".analytics_page", process_id=process_id),
        csv_url=url_for(".analytics_csv", process_id=process_id, **filters),
        xlsx_url=url_for(".analytics_xlsx", process_id=process_id, **filters),
        processes=[],
        evidence_form=_evidence_form() if can_configure_desk(current_scope()) else None,
    )


@bp.route(f"/{PROCESS_ID}/analytics.csv")
@requires(can_work_desk)
def analytics_csv(process_id: int) -> Response:
    return _export(_report(_process_or_404(process_id), page=False), "csv")


@bp.route(f"/{PROCESS_ID}/analytics.xlsx")
@requires(can_work_desk)
def analytics_xlsx(process_id: int) -> Response:
    return _export(_report(_process_or_404(process_id), page=False), "xlsx")


# --- monitors and national readers: one agency's processes ---------------------------------------


def _agency_process(
    agency_id: int, page: bool = True
) -> tuple[Agency, list[Process], Process | None]:
    agency = get_managed_or_404(Agency, agency_id)
    require_enabled("etracking", agency.id)
    processes = list(
        db.session.scalars(
            select(Process).where(Process.agency_id == agency.id).order_by(Process.name)
        )
    )
    chosen = request.args.get("process", "")
    picked = next((p for p in processes if str(p.id) == chosen), None)
    if chosen and picked is None:
        if not page:
            abort(404)
        flash(_("That process is not one of this agency's."), "warning")
    return agency, processes, picked or (processes[0] if processes else None)


@bp.route(f"/agency/{AGENCY_ID}/analytics")
@requires(can_read_across_agencies)
def agency_analytics(agency_id: int) -> Any:
    agency, processes, process = _agency_process(agency_id)
    if process is None:
        return render_template("etracking/analytics_none.html", agency=agency)
    report = _report(process)
    filters: dict[str, Any] = _filters() | {"process": str(process.id)}
    return _page(
        report,
        agency=agency,
        processes=processes,
        form_action=url_for(".agency_analytics", agency_id=agency.id),
        csv_url=url_for(".agency_analytics_csv", agency_id=agency.id, **filters),
        xlsx_url=url_for(".agency_analytics_xlsx", agency_id=agency.id, **filters),
        evidence_form=None,
    )


@bp.route(f"/agency/{AGENCY_ID}/analytics.csv")
@requires(can_read_across_agencies)
def agency_analytics_csv(agency_id: int) -> Response:
    _agency, _processes, process = _agency_process(agency_id, page=False)
    if process is None:
        abort(404)
    return _export(_report(process, page=False), "csv")


@bp.route(f"/agency/{AGENCY_ID}/analytics.xlsx")
@requires(can_read_across_agencies)
def agency_analytics_xlsx(agency_id: int) -> Response:
    _agency, _processes, process = _agency_process(agency_id, page=False)
    if process is None:
        abort(404)
    return _export(_report(process, page=False), "xlsx")


# --- which innovation the figures are evidence for (the lead) ------------------------------------


class EvidenceForm(BaseForm):
    innovation_id = SelectField(coerce=int, validate_choice=True)


def _evidence_form() -> EvidenceForm:
    scope = current_scope()
    form = EvidenceForm()
    innovations = db.session.execute(
        select(Innovation.id, Innovation.name)
        .where(Innovation.agency_id == scope.agency_id)
        .order_by(Innovation.name)
    ).all()
    form.innovation_id.label.text = _("Innovation these figures are evidence for")
    form.innovation_id.choices = [(0, _("— the agency's assigned innovation —"))] + [
        (row.id, row.name) for row in innovations
    ]
    if request.method == "GET" and scope.agency_id is not None:
        form.innovation_id.data = _chosen_setting(scope.agency_id) or 0
    return form


def _activation(agency_id: int) -> ModuleActivation | None:
    return db.session.scalar(
        select(ModuleActivation).where(
            ModuleActivation.agency_id == agency_id, ModuleActivation.module_code == "etracking"
        )
    )


def _chosen_setting(agency_id: int) -> int | None:
    activation = _activation(agency_id)
    value = (activation.settings or {}).get("innovation_id") if activation else None
    return value if isinstance(value, int) else None


@bp.route("/evidence", methods=["POST"])
@requires(can_configure_desk)
def evidence_settings() -> Any:
    scope = current_scope()
    assert scope.agency_id is not None  # can_configure_desk: an agency scope
    form = _evidence_form()
    back = request.form.get("back", "")
    target = back if back.startswith("/m/etracking/") and "//" not in back else url_for(".desk")
    if not form.validate_on_submit():
        flash(_("Choose one of the agency's innovations."), "danger")
        return redirect(target)
    activation = _activation(scope.agency_id)
    if activation is None:
        abort(404)
    settings = dict(activation.settings or {})
    if form.innovation_id.data:
        settings["innovation_id"] = int(form.innovation_id.data)
    else:
        settings.pop("innovation_id", None)
    activation.settings = settings
    db.session.commit()
    flash(_("Saved: the module's figures appear on the chosen innovation."), "success")
    return redirect(target)
