"""The module switchboard: which service modules each agency runs. Thin; writes in services."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from puja_indah.core import registry
from puja_indah.core.forms import BaseForm
from puja_indah.core.models import Agency
from puja_indah.core.permissions import MAX_ID, can_manage_modules, get_managed_or_404, requires
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.modules import queries, services

bp = Blueprint("modules", __name__, template_folder="templates")


class SwitchForm(BaseForm):
    """CSRF only: the switch's target and direction are in the URL and the button."""


@bp.route("/modul")
@requires(can_manage_modules)
def switchboard() -> Any:
    scope = current_scope()
    region_id = request.args.get("region", type=int) if scope.kind == "national" else None
    agencies = queries.agencies_in_view(scope, region_id)
    return render_template(
        "modules/switchboard.html",
        rows=queries.switchboard(agencies),
        modules=queries.modules(),
        regions=queries.regions() if scope.kind == "national" else [],
        region_id=region_id,
        form=SwitchForm(),
    )


@bp.route(f"/modul/<int(max={MAX_ID}):agency_id>/<string(maxlength=40):code>", methods=["POST"])
@requires(can_manage_modules)
def switch(agency_id: int, code: str) -> Any:
    scope = current_scope()
    agency = get_managed_or_404(Agency, agency_id)
    if scope.kind == "agency" and agency.id != scope.agency_id:
        abort(404)  # another agency's switches do not exist for a lead
    if registry.get(code) is None:
        abort(404)
    form = SwitchForm()
    on = request.form.get("on") == "1"
    if form.validate_on_submit():
        try:
            services.set_enabled(scope, agency, code, on, getattr(current_user, "id", None))
            db.session.commit()
        except services.ModuleRefused as refused:
            db.session.rollback()
            flash(refused.message, "danger")
        else:
            module = registry.get(code)
            message = (
                _("%(module)s is on for %(agency)s.")
                if on
                else _("%(module)s is off for %(agency)s.")
            )
            flash(
                message % {"module": module.name if module else code, "agency": agency}, "success"
            )
    else:
        flash(_("The form expired. Please try again."), "danger")
    if scope.kind == "national":
        return redirect(url_for(".switchboard", region=agency.region_id))
    return redirect(url_for(".switchboard"))
