"""The e-tracking module's two blueprints.

- `bp` (`/m/etracking/…`): the desk agency's own screens — guarded, so an agency that has the
  module off gets 404 on every one of them.
- `open_bp`: pages that answer whoever runs the desk — the public status page and lookup, and the
  submitting agency's list of its files. Not guarded by the visitor's agency; their views check
  the desk agency's activation themselves.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("etracking", __name__, template_folder="templates")
open_bp = Blueprint("tracking", __name__, template_folder="templates")
