"""The education agency's e-pintar screens (guarded: 404 for an agency that has the module off).
Thin views: the services validate and flush, the view commits once."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from puja_indah.core.permissions import MAX_ID, can_edit_own_agency_content, requires
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.modules.epintar import queries, services
from puja_indah.modules.epintar.blueprint import bp
from puja_indah.modules.epintar.forms import (
    ActionForm,
    AnnouncementForm,
    ModerationForm,
    SchoolForm,
)
from puja_indah.modules.epintar.models import Announcement, Feedback, FeedbackStatus, School

# Officers and the lead of the agency that runs e-pintar (the module guard admits no other).
staff = requires(can_edit_own_agency_content)
SCHOOL_ID = f"<int(max={MAX_ID}):school_id>"
ANNOUNCEMENT_ID = f"<int(max={MAX_ID}):announcement_id>"
FEEDBACK_ID = f"<int(max={MAX_ID}):feedback_id>"


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _one_or_404(model: Any, object_id: int) -> Any:
    """Through the ORM's agency criteria: another agency's row is simply not found."""
    found = db.session.scalar(select(model).where(model.id == object_id))
    if found is None:
        abort(404)
    return found


# --- schools --------------------------------------------------------------------------------------


@bp.route("/")
@staff
def schools() -> Any:
    return render_template("epintar/schools.html", schools=queries.schools())


def _school_data(form: SchoolForm) -> services.SchoolData:
    return services.SchoolData(
        npsn=form.npsn.data or "",
        name=form.name.data or "",
        level=form.level.data or "",
        district=form.district.data or "",
        address=form.address.data or "",
        active=bool(form.active.data),
    )


def _save_school(form: SchoolForm, school: School | None) -> Any:
    if form.validate_on_submit():
        try:
            if school is None:
                services.create_school(current_scope(), _school_data(form))
            else:
                services.update_school(school, _school_data(form))
            db.session.commit()
        except services.Refused as refused:
            db.session.rollback()
            form[refused.field or "npsn"].errors.append(refused.message)
        except IntegrityError:
            # Two people saving the same NPSN at once: the unique constraint decides.
            db.session.rollback()
            form.npsn.errors.append(_("A school with this NPSN is already registered."))
        else:
            flash(_("The school is saved."), "success")
            return redirect(url_for(".schools"))
    return render_template("epintar/school_form.html", form=form, school=school)


@bp.route("/schools/new", methods=["GET", "POST"])
@staff
def new_school() -> Any:
    return _save_school(SchoolForm(), None)


@bp.route(f"/schools/{SCHOOL_ID}/edit", methods=["GET", "POST"])
@staff
def edit_school(school_id: int) -> Any:
    school = _one_or_404(School, school_id)
    form = SchoolForm(obj=school) if request.method == "GET" else SchoolForm()
    if request.method == "GET":
        form.level.data = school.level.value
    return _save_school(form, school)


# --- announcements --------------------------------------------------------------------------------


@bp.route("/announcements")
@staff
def announcements() -> Any:
    return render_template(
        "epintar/announcements.html",
        announcements=queries.announcements(),
        form=ActionForm(),
        today=queries.today_wita(),
    )


def _announcement_form(announcement: Announcement | None) -> AnnouncementForm:
    form = (
        AnnouncementForm(obj=announcement)
        if request.method == "GET" and announcement is not None
        else AnnouncementForm()
    )
    form.school_id.choices = [
        SelectChoice("", _("All schools")),
        *(SelectChoice(s.id, s.name) for s in queries.schools()),
    ]
    return form


def _save_announcement(announcement: Announcement | None) -> Any:
    form = _announcement_form(announcement)
    if form.validate_on_submit():
        try:
            services.save_announcement(
                current_scope(),
                announcement,
                school_id=form.school_id.data,
                title=form.title.data or "",
                body=form.body.data or "",
                expires_on=form.expires_on.data,
                user_id=_user_id(),
            )
            db.session.commit()
        except services.Refused as refused:
            db.session.rollback()
            form[refused.field or "title"].errors.append(refused.message)
        else:
            flash(_("The announcement is saved."), "success")
            return redirect(url_for(".announcements"))
    return render_template("epintar/announcement_form.html", form=form, announcement=announcement)


@bp.route("/announcements/new", methods=["GET", "POST"])
@staff
def new_announcement() -> Any:
    return _save_announcement(None)


@bp.route(f"/announcements/{ANNOUNCEMENT_ID}/edit", methods=["GET", "POST"])
@staff
def edit_announcement(announcement_id: int) -> Any:
    return _save_announcement(_one_or_404(Announcement, announcement_id))


def _publication(announcement_id: int, publish: bool) -> Any:
    announcement = _one_or_404(Announcement, announcement_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "danger")
        return redirect(url_for(".announcements"))
    if publish:
        services.publish(announcement)
        message = _("The announcement is published.")
    else:
        services.unpublish(announcement)
        message = _("The announcement is back to draft.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".announcements"))


@bp.route(f"/announcements/{ANNOUNCEMENT_ID}/publish", methods=["POST"])
@staff
def publish_announcement(announcement_id: int) -> Any:
    return _publication(announcement_id, True)


@bp.route(f"/announcements/{ANNOUNCEMENT_ID}/unpublish", methods=["POST"])
@staff
def unpublish_announcement(announcement_id: int) -> Any:
    return _publication(announcement_id, False)


# --- feedback moderation --------------------------------------------------------------------------

STATUS_FILTERS = {"pending": FeedbackStatus.PENDING, "approved": FeedbackStatus.APPROVED}


@bp.route("/feedback")
@staff
def feedback() -> Any:
    shown = request.args.get("status", "pending")
    if shown not in (*STATUS_FILTERS, "hidden", "all"):
        shown = "pending"
    status = FeedbackStatus(shown) if shown != "all" else None
    return render_template(
        "epintar/feedback.html",
        items=queries.feedback_queue(status),
        counts=queries.feedback_counts(),
        shown=shown,
        form=ModerationForm(),
    )


@bp.route(f"/feedback/{FEEDBACK_ID}", methods=["POST"])
@staff
def moderate_feedback(feedback_id: int) -> Any:
    item = _one_or_404(Feedback, feedback_id)
    form = ModerationForm()
    back = url_for(".feedback", status=request.args.get("status", "pending"))
    if not form.validate_on_submit():
        flash(_("Choose approve or hide."), "danger")
        return redirect(back)
    try:
        services.moderate(item, form.decision.data or "", _user_id())
        db.session.commit()
    except services.Refused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
    else:
        if item.status is FeedbackStatus.APPROVED:
            flash(_("The feedback is approved and now shows on the school's page."), "success")
        else:
            flash(_("The feedback is hidden."), "success")
    return redirect(back)


# --- participation --------------------------------------------------------------------------------


@bp.route("/participation")
@staff
def participation() -> Any:
    return render_template("epintar/participation.html", figures=queries.participation())
