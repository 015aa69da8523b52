# Skeleton: the agencies helper replaces this file with the full monitor screens.
from flask import Blueprint

from puja_indah.core.permissions import (
    can_edit_own_agency_content,
    can_read_across_agencies,
    requires,
)

bp = Blueprint("agencies", __name__, template_folder="templates")


@bp.route("/opd")
@requires(can_read_across_agencies)
def list_agencies() -> str:
    return "todo"


@bp.route("/sk")
@requires(can_read_across_agencies)
def list_decrees() -> str:
    return "todo"


@bp.route("/profil-opd")
@requires(can_edit_own_agency_content)
def own_profile() -> str:
    return "todo"
