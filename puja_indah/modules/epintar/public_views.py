"""The public school pages: every active school of an agency that runs e-pintar, its
announcements, and a feedback form. Readable and writable without signing in.

Reads are the named cross-agency read "e-pintar: public school pages" (queries.py). A visitor's
feedback is written in a named system scope ("e-pintar: public feedback") — nobody is signed in,
and the row belongs to the school's agency — and waits for moderation before it shows.
Against abuse: a per-address rate limit (per school, on accepted posts), a honeypot field, and
the CSRF token every form carries.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from wtforms.fields.choices import SelectChoice

from puja_indah.core.permissions import MAX_ID, public
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db, limiter
from puja_indah.modules.epintar import queries, services
from puja_indah.modules.epintar.blueprint import open_bp
from puja_indah.modules.epintar.forms import DistrictFilter, FeedbackForm, level_label, role_label

READ_RATE = "120 per minute"
# Accepted feedback per address and school; a refused form does not count.
FEEDBACK_RATE = "5 per hour"
WRITE_REASON = "e-pintar: public feedback"


def _address_and_school() -> str:
    school_id = (request.view_args or {}).get("school_id", "")
    return f"{get_remote_address()}|{school_id}"


@open_bp.route("/sekolah")
@limiter.limit(READ_RATE)
@public
def index() -> Any:
    form = DistrictFilter(request.args)
    rows, districts = queries.public_schools(None)
    if not rows:
        abort(404)  # no agency runs e-pintar: the pages do not exist
    form.kecamatan.choices = [
        SelectChoice("", _("All districts")),
        *(SelectChoice(d, d) for d in districts),
    ]
    # Validated only when a district is asked for: the bare list is not an invalid filter.
    district = None
    if request.args.get("kecamatan") and form.validate():
        district = form.kecamatan.data
    if district:
        rows, _districts = queries.public_schools(district)
    return render_template("epintar/public_list.html", schools=rows, form=form, district=district)


@open_bp.route(f"/sekolah/<int(max={MAX_ID}):school_id>", methods=["GET", "POST"])
@limiter.limit(READ_RATE)
@limiter.limit(
    FEEDBACK_RATE,
    key_func=_address_and_school,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 302,
)
@public
def school(school_id: int) -> Any:
    page = queries.public_school(school_id)
    if page is None:
        abort(404)
    form = FeedbackForm()
    if form.validate_on_submit():
        thanks = _("Thank you. Your feedback will appear after review by the school's agency.")
        if form.website.data:
            # Only a bot fills the hidden field: answer as if accepted, keep nothing.
            flash(thanks, "success")
            return redirect(url_for(".school", school_id=school_id))
        data = services.FeedbackData(
            rating=int(form.rating.data or 0),
            comment=form.comment.data or "",
            sender_name=form.sender_name.data or "",
            sender_role=form.sender_role.data or "",
        )
        try:
            with scoped(Scope.system(WRITE_REASON), db.session):
                services.receive_feedback(page.agency_id, school_id, data)
                db.session.commit()
        except services.Refused as refused:
            db.session.rollback()
            form[refused.field].errors.append(refused.message)
        else:
            flash(thanks, "success")
            return redirect(url_for(".school", school_id=school_id))
    return render_template("epintar/public_school.html", page=page, form=form)


open_bp.add_app_template_filter(level_label, "school_level")
open_bp.add_app_template_filter(role_label, "feedback_role")
