"""e-minduk's screens, mounted at /m/eminduk and guarded (404 for an agency that has it off).
Thin views: the services validate and flush, the view commits once or rolls back.

Who sees what (core/permissions.py, "e-minduk" block): the desk's officers and lead register
requests, hand them over and see the full NIK (`can_see_full_nik`); monitors, reviewers and
administrators read the list and a request's page with the NIK masked and without the phone.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from puja_indah.core.models import Agency, Region
from puja_indah.core.permissions import (
    can_see_full_nik,
    can_view_civil_requests,
    can_work_desk,
    requires,
)
from puja_indah.core.registry import require_enabled
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.modules.eminduk import nik as nik_rules
from puja_indah.modules.eminduk import queries, services
from puja_indah.modules.eminduk.forms import BatchForm, RequestForm
from puja_indah.modules.eminduk.models import CivilRequest
from puja_indah.modules.etracking import codes, engine
from puja_indah.modules.etracking.models import FileAction, FileStatus

bp = Blueprint("eminduk", __name__, template_folder="templates")

MAX_ID = 2**31 - 1


def shown_nik(civil: CivilRequest) -> str:
    """The NIK as the current viewer may see it."""
    if can_see_full_nik(current_scope(), civil.agency_id):
        return civil.nik
    return nik_rules.mask(civil.nik)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "emd_nik": shown_nik,
        "emd_status": engine.status_label,
        "emd_code": codes.display,
        "emd_action": action_label,
    }


def action_label(action: FileAction) -> str:
    return {
        FileAction.RECEIVE: _("received"),
        FileAction.ADVANCE: _("moved on"),
        FileAction.RETURN: _("returned for correction"),
        FileAction.RESUME: _("resumed"),
        FileAction.REJECT: _("rejected"),
        FileAction.COMPLETE: _("completed"),
    }[action]


@bp.route("/")
@requires(can_view_civil_requests)
def home() -> Any:
    return redirect(url_for(".list_requests"))


@bp.route("/requests")
@requires(can_view_civil_requests)
def list_requests() -> Any:
    kind = request.args.get("kind", "")[:20]
    if not (kind.isascii() and kind.isalnum()):
        kind = ""  # kind codes are short ASCII words; anything else (a NUL…) filters nothing
    status_arg = request.args.get("status", "")
    status = FileStatus(status_arg) if status_arg in {s.value for s in FileStatus} else None
    return render_template(
        "eminduk/requests.html",
        rows=queries.requests(kind or None, status),
        kinds=queries.kind_choices(),
        statuses=list(FileStatus),
        kind=kind,
        status=status.value if status else "",
        process=services.civil_process(),
        limit=queries.LIST_LIMIT,
    )


@bp.route("/requests/new", methods=["GET", "POST"])
@requires(can_work_desk)
def new_request() -> Any:
    process = services.civil_process()
    if process is None:
        flash(
            _(
                "This desk has no civil-registration process yet. Ask your agency lead to set"
                " one up on the e-Tracking desk."
            ),
            "warning",
        )
        return render_template("eminduk/new_request.html", process=None, kinds=[], kind=None)
    kinds = engine.current_version(process).file_kinds
    form = RequestForm()
    chosen = (form.kind.data if request.method == "POST" else request.args.get("kind")) or ""
    kind = next((k for k in kinds if k.code == chosen), None)
    if kind is None:
        if request.method == "POST":
            flash(_("Choose a request kind."), "danger")
        return render_template("eminduk/new_request.html", process=process, kinds=kinds, kind=None)
    form.kind.data = kind.code
    form.ticked.choices = [(item, item) for item in kind.checklist]
    if form.validate_on_submit():
        scope = current_scope()
        try:
            civil = services.register_request(
                scope,
                process,
                services.RequestIntake(
                    file_kind_id=kind.id,
                    applicant_name=form.applicant_name.data or "",
                    nik=form.nik.data or "",
                    phone=form.phone.data or "",
                    ticked=list(form.ticked.data or []),
                ),
                getattr(current_user, "id", None),
            )
            db.session.commit()
        except engine.EngineRefused as refused:
            db.session.rollback()
            field = getattr(form, refused.field or "", None)
            if field is not None:
                field.errors = [*field.errors, refused.message]
            else:
                flash(refused.message, "danger")
        else:
            flash(
                _(
                    "Request registered. Tracking code: %(code)s.",
                    code=codes.display(civil.file.public_code),
                ),
                "success",
            )
            region = _desk_region_code(civil.agency_id)
            if region and nik_rules.region_differs(civil.nik, region):
                flash(
                    _(
                        "Note: this NIK was issued outside this regency (%(region)s). Check the"
                        " resident's current family card (KK).",
                        region=region,
                    ),
                    "warning",
                )
            return redirect(url_for(".request_detail", request_id=civil.id))
    elif request.method == "POST":
        flash(_("Check the highlighted fields."), "danger")
    return render_template(
        "eminduk/new_request.html", process=process, kinds=kinds, kind=kind, form=form
    )


def _desk_region_code(agency_id: int) -> str:
    return (
        db.session.scalar(
            select(Region.code)
            .join(Agency, Agency.region_id == Region.id)
            .where(Agency.id == agency_id)
        )
        or ""
    )


@bp.route(f"/requests/<int(max={MAX_ID}):request_id>")
@requires(can_view_civil_requests)
def request_detail(request_id: int) -> Any:
    civil = queries.request_or_404(request_id)
    require_enabled("eminduk", civil.agency_id)  # a reader's view of an agency that has it off
    return render_template(
        "eminduk/request.html",
        civil=civil,
        tracked=civil.file,
        full=can_see_full_nik(current_scope(), civil.agency_id),
        desk_url=queries.desk_file_url(civil.file_id),
    )


# --- hand-over batches ----------------------------------------------------------------------------


@bp.route("/batches")
@requires(can_work_desk)
def list_batches() -> Any:
    return render_template(
        "eminduk/batches.html",
        batches=queries.batches(),
        ready=queries.ready_for_handover(),
        form=BatchForm(),
    )


@bp.route("/batches/new", methods=["POST"])
@requires(can_work_desk)
def new_batch() -> Any:
    form = BatchForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "danger")
        return redirect(url_for(".list_batches"))
    raw = request.form.getlist("request_ids")
    ids = [int(v) for v in raw if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID]
    try:
        if len(ids) != len(raw):
            raise engine.EngineRefused(_("The chosen requests are not valid. Reload the page."))
        batch = services.create_batch(current_scope(), ids, getattr(current_user, "id", None))
        db.session.commit()
    except engine.EngineRefused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        return redirect(url_for(".list_batches"))
    flash(
        _("Batch %(number)s made with %(count)s requests.", number=batch.number, count=len(ids)),
        "success",
    )
    return redirect(url_for(".batch_detail", batch_id=batch.id))


@bp.route(f"/batches/<int(max={MAX_ID}):batch_id>")
@requires(can_work_desk)
def batch_detail(batch_id: int) -> Any:
    batch = queries.batch_or_404(batch_id)
    return render_template("eminduk/batch.html", batch=batch)


@bp.route(f"/batches/<int(max={MAX_ID}):batch_id>/csv")
@requires(can_see_full_nik)
def batch_csv(batch_id: int) -> Any:
    batch = queries.batch_or_404(batch_id)
    response = make_response(services.batch_csv(batch))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{services.batch_filename(batch)}"'
    )
    response.headers["Cache-Control"] = "no-store"  # holds full NIKs
    return response
