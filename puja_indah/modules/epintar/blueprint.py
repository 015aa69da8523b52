"""e-pintar's two blueprints.

- `bp` (`/m/epintar/…`): the education agency's staff screens — guarded, so an agency that has
  the module off gets 404 on every one of them.
- `open_bp` (`/sekolah…`): the public school pages. Not guarded by the visitor's agency (visitors
  have none); the views show only schools of agencies that have e-pintar on.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("epintar", __name__, template_folder="templates")
open_bp = Blueprint("schools", __name__, template_folder="templates")
