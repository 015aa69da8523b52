"""The desk's home: the agency's processes and, for its lead, installing one from a preset.
Thin views; the engine writes and the view commits once."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from puja_indah.core.forms import BaseForm
from puja_indah.core.permissions import can_configure_desk, can_view_desk, requires
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.modules.etracking import engine, queries
from puja_indah.modules.etracking.blueprint import bp


class PresetForm(BaseForm):
    """CSRF only: the preset is in the URL."""


@bp.route("/")
@requires(can_view_desk)
def desk() -> Any:
    return render_template(
        "etracking/desk.html",
        summaries=queries.process_summaries(),
        presets=engine.presets(),
        form=PresetForm(),
    )


@bp.route("/presets/<string(maxlength=40):preset>", methods=["POST"])
@requires(can_configure_desk)
def install_preset(preset: str) -> Any:
    if preset not in engine.presets():
        abort(404)
    scope = current_scope()
    form = PresetForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "danger")
        return redirect(url_for(".desk"))
    assert scope.agency_id is not None  # can_configure_desk: an agency scope
    try:
        process = engine.install_preset(scope.agency_id, preset)
        db.session.commit()
    except engine.EngineRefused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
    else:
        flash(_("The process “%(name)s” is ready at this desk.", name=process.name), "success")
    return redirect(url_for(".desk"))
