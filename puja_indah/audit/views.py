# Skeleton: the audit helper replaces this file.
from flask import Blueprint

from puja_indah.core.permissions import can_view_audit, requires

bp = Blueprint("audit", __name__, template_folder="templates")


@bp.route("/jejak-audit")
@requires(can_view_audit)
def list_entries() -> str:
    return "todo"
