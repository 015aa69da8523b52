"""The progress screens: an innovation's timeline (milestones merged with stage changes), the
milestone forms, and the progress roll-up. Thin: policies come from core.permissions, reads from
queries, writes from services, and each request commits at most once.

Officers and leads write milestones of their own agency's innovations; monitors and reviewers
read (another agency's or region's innovation answers 404, through the tenancy criteria).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from puja_indah.core import staleness
from puja_indah.core.permissions import (
    MAX_ID,
    can_edit_own_agency_content,
    can_use_app,
    requires,
)
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Stage
from puja_indah.progress import queries, services
from puja_indah.progress.forms import DeleteForm, MilestoneForm, RollUpFilterForm
from puja_indah.progress.models import Milestone

bp = Blueprint("progress", __name__, template_folder="templates")

INNOVATION_ID = f"<int(max={MAX_ID}):innovation_id>"
MILESTONE_ID = f"<int(max={MAX_ID}):milestone_id>"


STAGE_LABELS = {
    Stage.INITIATIVE: _l("Initiative"),
    Stage.TRIAL: _l("Trial"),
    Stage.IMPLEMENTATION: _l("Implementation"),
}


@bp.context_processor
def helpers() -> dict[str, Any]:
    def stage_label(stage: Stage) -> str:
        return str(STAGE_LABELS[Stage(stage)])

    def format_day(day: date) -> str:
        return str(format_date(day, "long"))

    def format_percent(value: float) -> str:
        return f"{format_decimal(round(float(value), 1), '0.0')} %"

    return {"stage_label": stage_label, "format_day": format_day, "format_percent": format_percent}


def _innovation_or_404(innovation_id: int) -> Innovation:
    innovation = queries.innovation(innovation_id)
    if innovation is None:
        abort(404)
    return innovation


def _editable_innovation(innovation_id: int) -> Innovation:
    """An innovation of the officer's own agency: the routes that use this require an agency
    scope, whose tenancy criteria hide every other agency's innovation (404). The service checks
    the ownership again before writing."""
    return _innovation_or_404(innovation_id)


def _milestone_or_404(innovation: Innovation, milestone_id: int) -> Milestone:
    milestone = queries.milestone_of(innovation, milestone_id)
    if milestone is None:
        abort(404)
    return milestone


def detail_url(innovation: Innovation) -> str | None:
    """The innovation's profile page, once the innovations feature provides it."""
    if "innovations.detail" not in current_app.view_functions:
        return None
    return url_for("innovations.detail", innovation_id=innovation.id)


# --- timeline ------------------------------------------------------------------------------------


@bp.route(f"/innovations/{INNOVATION_ID}/timeline")
@requires(can_use_app)
def timeline(innovation_id: int) -> Any:
    innovation = _innovation_or_404(innovation_id)
    scope = current_scope()
    return render_template(
        "progress/timeline.html",
        timeline=queries.timeline(innovation),
        detail_url=detail_url(innovation),
        may_edit=can_edit_own_agency_content(scope) and innovation.agency_id == scope.agency_id,
    )


def _input(form: MilestoneForm) -> services.MilestoneInput:
    return services.MilestoneInput(
        happened_on=form.happened_on.data,
        title=form.title.data or "",
        description=form.description.data or "",
        progress=int(form.progress.data or 0),
        public=bool(form.public.data),
        evidence_ids=list(form.evidence_ids.data or []),
        new_link_title=form.new_link_title.data or "",
        new_link_url=form.new_link_url.data or "",
    )


def _refused(form: MilestoneForm, error: services.ServiceError) -> None:
    db.session.rollback()
    if isinstance(error, services.NotAllowed):
        abort(403)
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "danger")


def _form(innovation: Innovation, milestone: Milestone | None) -> MilestoneForm:
    if request.method == "GET":
        form = MilestoneForm(obj=milestone)
        if milestone is not None:
            form.evidence_ids.data = [a.evidence_id for a in milestone.attachments]
        else:
            form.happened_on.data = services.today_wita()
        form.version.data = str(milestone.version) if milestone is not None else ""
        form.opened.data = staleness.encode_snapshot(services.milestone_values(milestone))
    else:
        form = MilestoneForm()
    form.evidence_ids.choices = queries.evidence_choices(innovation)
    return form


@bp.route(f"/innovations/{INNOVATION_ID}/milestones/new", methods=["GET", "POST"])
@requires(can_edit_own_agency_content)
def new_milestone(innovation_id: int) -> Any:
    scope = current_scope()
    innovation = _editable_innovation(innovation_id)
    form = _form(innovation, None)
    if form.validate_on_submit():
        try:
            services.save_milestone(scope, innovation, None, _input(form), user_id=current_user.id)
            db.session.commit()
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Milestone added."), "success")
            return redirect(url_for(".timeline", innovation_id=innovation.id))
    return render_template(
        "progress/milestone_form.html", form=form, innovation=innovation, milestone=None
    )


@bp.route(f"/innovations/{INNOVATION_ID}/milestones/{MILESTONE_ID}/edit", methods=["GET", "POST"])
@requires(can_edit_own_agency_content)
def edit_milestone(innovation_id: int, milestone_id: int) -> Any:
    scope = current_scope()
    innovation = _editable_innovation(innovation_id)
    milestone = _milestone_or_404(innovation, milestone_id)
    form = _form(innovation, milestone)
    conflict: services.ConflictReport | None = None
    if form.validate_on_submit():
        data = _input(form)
        try:
            services.save_milestone(
                scope,
                innovation,
                milestone,
                data,
                opened_version=staleness.parse_version(form.version.data),
                user_id=current_user.id,
            )
            db.session.commit()
        except services.MilestoneConflict:
            db.session.rollback()
            current = queries.milestone_of(innovation, milestone_id)
            conflict = services.describe_conflict(
                current,
                services.decode_snapshot(form.opened.data),
                services.input_values(data),
            )
            # The user's input stays on screen; saving again now knowingly replaces the other's.
            form.version.data = str(conflict.version)
            form.opened.data = staleness.encode_snapshot(conflict.current)
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Milestone saved."), "success")
            return redirect(url_for(".timeline", innovation_id=innovation.id))
    labels = {str(c.value): c.label for c in form.evidence_ids.choices or []}
    return render_template(
        "progress/milestone_form.html",
        form=form,
        innovation=innovation,
        milestone=milestone,
        conflict=conflict,
        document_labels=labels,
    ), (409 if conflict else 200)


@bp.route(f"/innovations/{INNOVATION_ID}/milestones/{MILESTONE_ID}/delete", methods=["GET", "POST"])
@requires(can_edit_own_agency_content)
def delete_milestone(innovation_id: int, milestone_id: int) -> Any:
    """GET asks for confirmation; POST deletes (recorded by the audit trail)."""
    scope = current_scope()
    innovation = _editable_innovation(innovation_id)
    milestone = _milestone_or_404(innovation, milestone_id)
    form = DeleteForm()
    if form.validate_on_submit():
        title = milestone.title
        try:
            services.delete_milestone(scope, innovation, milestone)
            db.session.commit()
        except services.MilestoneConflict:
            db.session.rollback()
            flash(
                _("The milestone was changed or deleted meanwhile; nothing was deleted."), "warning"
            )
        except services.ServiceError as error:
            _refused(MilestoneForm(formdata=None), error)
        else:
            flash(_("Milestone %(title)s deleted.", title=title), "success")
        return redirect(url_for(".timeline", innovation_id=innovation.id))
    return render_template(
        "progress/milestone_delete.html", form=form, innovation=innovation, milestone=milestone
    )


# --- roll-up -------------------------------------------------------------------------------------


@bp.route("/progress")
@requires(can_use_app)
def roll_up() -> Any:
    scope = current_scope()
    form = RollUpFilterForm(request.args)
    region: int | None = None
    if scope.kind == "national":
        form.region.choices = [SelectChoice("", _("All regions")), *queries.region_choices()]
        if form.validate() and form.region.data:
            region = form.region.data
    else:
        del form.region
    return render_template(
        "progress/roll_up.html", form=form, rollup=queries.roll_up(scope, region)
    )
