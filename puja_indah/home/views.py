from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from puja_indah.board.digest import build_digest
from puja_indah.core.clock import today_wita
from puja_indah.core.permissions import public
from puja_indah.core.tenancy import current_scope
from puja_indah.home import queries

bp = Blueprint("home", __name__, template_folder="templates")


@bp.route("/")
@public
def index() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    scope = current_scope()
    if scope.kind == "agency":
        return render_template("home/agency.html", **queries.agency_home(scope))
    if scope.kind == "region":
        return render_template(
            "home/region.html",
            **queries.region_home(scope.region_id),
            digest=build_digest(scope.region_id, today_wita()) if scope.region_id else None,
        )
    if scope.kind == "national":
        return render_template("home/national.html", **queries.national_home())
    return render_template("home/no_role.html")


@bp.route("/sehat")
@public
def health() -> Any:
    """Liveness probe for load balancers and the benchmark's bare route."""
    return {"status": "ok"}
