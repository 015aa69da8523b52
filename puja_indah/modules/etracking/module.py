"""The e-tracking service module as the registry sees it (ARCHITECTURE §4)."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from puja_indah.core.registry import ServiceModule

# Importing the view modules attaches their routes to the blueprints before the app mounts them.
from puja_indah.modules.etracking import (
    desk,  # noqa: F401
    desk_files,  # noqa: F401  (desk screens: intake, files, queue)
)
from puja_indah.modules.etracking.blueprint import bp, open_bp


class EtrackingModule(ServiceModule):
    code = "etracking"
    name: ClassVar[Any] = _l("e-Tracking (files through desk stages)")
    description: ClassVar[Any] = _l(
        "Files received at a desk (SPM → SP2D, licences) with a QR receipt, stages with SLAs in"
        " working time, and a public status page."
    )
    blueprint: ClassVar[Blueprint | None] = bp
    url_prefix: ClassVar[str | None] = "/m/etracking"
    open_blueprints: ClassVar[tuple[Blueprint, ...]] = (open_bp,)
