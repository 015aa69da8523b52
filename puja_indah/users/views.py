# Skeleton: the users helper replaces this file.
from flask import Blueprint

from puja_indah.core.permissions import can_manage_users, requires

bp = Blueprint("users", __name__, template_folder="templates")


@bp.route("/pengguna")
@requires(can_manage_users)
def list_users() -> str:
    return "todo"
