"""The submitting agency's view of its files at other agencies' desks (issue 4, point 6), and the
opt-in e-mail per file (point 10). On `open_bp`: the submitting OPD needs no module of its own.
Reads go through the named cross-agency read in `submitted_queries`; a file another agency
submitted answers 404."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import BooleanField

from puja_indah.core.forms import BaseForm
from puja_indah.core.permissions import (
    can_subscribe_submitted_files,
    can_view_submitted_files,
    requires,
)
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.modules.etracking import notify, submitted_queries
from puja_indah.modules.etracking.blueprint import open_bp
from puja_indah.modules.etracking.engine import EngineRefused, status_label
from puja_indah.modules.etracking.models import FileStatus

MAX_ID = 2**31 - 1


class SubscriptionForm(BaseForm):
    on = BooleanField()


def _agency_id() -> int:
    agency_id = current_scope().agency_id
    assert agency_id is not None  # can_view_submitted_files: an agency scope
    return agency_id


@open_bp.route("/kiriman")
@requires(can_view_submitted_files)
def submitted_files() -> Any:
    agency_id = _agency_id()
    desks = submitted_queries.desks(agency_id)
    status_arg = request.args.get("status", "")
    status = FileStatus(status_arg) if status_arg in {s.value for s in FileStatus} else None
    desk_id = request.args.get("desk", type=int)
    if desk_id not in {d for d, _name in desks}:
        desk_id = None
    page_number = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    page = submitted_queries.submitted_files(
        agency_id, status=status, desk_id=desk_id, page=page_number
    )
    args = {
        k: v
        for k, v in (("status", status.value if status else None), ("desk", desk_id))
        if v is not None
    }
    return render_template(
        "etracking/submitted_list.html",
        page=page,
        desks=desks,
        statuses=[(s.value, status_label(s)) for s in FileStatus],
        status=status,
        desk_id=desk_id,
        args=args,
        status_label=status_label,
    )


@open_bp.route(f"/kiriman/<int(max={MAX_ID}):tracked_id>")
@requires(can_view_submitted_files)
def submitted_file(tracked_id: int) -> Any:
    item = submitted_queries.submitted_file(_agency_id(), tracked_id)
    if item is None:
        abort(404)
    subscribed = notify.is_subscribed(tracked_id, current_user.id)
    form = SubscriptionForm(formdata=None, on=not subscribed)
    return render_template(
        "etracking/submitted_file.html",
        item=item,
        subscribed=subscribed,
        form=form,
        status_label=status_label,
    )


@open_bp.route(f"/kiriman/<int(max={MAX_ID}):tracked_id>/notifikasi", methods=["POST"])
@requires(can_subscribe_submitted_files)
def subscribe(tracked_id: int) -> Any:
    scope = current_scope()
    if not submitted_queries.is_submitted_by(_agency_id(), tracked_id):
        abort(404)
    form = SubscriptionForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "danger")
        return redirect(url_for(".submitted_file", tracked_id=tracked_id))
    on = bool(form.on.data)
    try:
        notify.set_subscription(scope, tracked_id, current_user.id, on=on)
        db.session.commit()
    except EngineRefused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
    else:
        if on:
            flash(_("You will receive an e-mail when this file changes stage."), "success")
        else:
            flash(_("You will no longer receive e-mail about this file."), "info")
    return redirect(url_for(".submitted_file", tracked_id=tracked_id))
