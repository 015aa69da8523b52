"""The e-tracking service module as the registry sees it (ARCHITECTURE §4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from puja_indah.core.registry import Metric, ServiceModule

# Importing the view modules attaches their routes to the blueprints before the app mounts them:
# desk (home), desk_files (intake, file page, open by code, queue, batch advance), receipts,
# status (public page and lookup), submitted (the submitting agency's view; it imports notify,
# the e-mail notifications), settings_views (calendar, leave, processes), analytics_views (SLA
# analytics pages and exports).
from puja_indah.modules.etracking import (  # noqa: F401
    analytics_views,
    desk,
    desk_files,
    receipts,
    settings_views,
    status,
    submitted,
)
from puja_indah.modules.etracking.blueprint import bp, open_bp

if TYPE_CHECKING:
    from flask_smorest import Blueprint as ApiBlueprint


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

    def api_blueprints(self) -> Sequence[ApiBlueprint]:
        """`/api/v1/etracking`: the desk's files for a phone at the counter (api.py)."""
        from puja_indah.modules.etracking import api

        return (api.bp,)

    # --- SLA analytics: metrics for the progress board and the innovation's evidence ---

    def metrics(self, agency_id: int) -> list[Metric]:
        return self.metrics_many([agency_id])[agency_id]

    def metrics_many(self, agency_ids: Sequence[int]) -> dict[int, list[Metric]]:
        """Four grouped queries for all the agencies (`analytics.agency_figures_many`)."""
        from puja_indah.core.db import utcnow
        from puja_indah.modules.etracking.analytics import agency_figures_many

        labels = (
            (str(_l("Files received this month")), str(_l("files"))),
            (str(_l("Median working days to result (last 12 months)")), str(_l("working days"))),
            (str(_l("Submitters and applicants served")), str(_l("users"))),
            (str(_l("Stage exits over the SLA (last 12 months)")), "%"),
        )
        out = {}
        for agency_id, figures in agency_figures_many(agency_ids, utcnow()).items():
            breach = figures.breach_share
            out[agency_id] = [
                Metric("received_month", labels[0][0], figures.received_this_month, labels[0][1]),
                Metric(
                    "days_to_result", labels[1][0], figures.median_days, labels[1][1], indicator=28
                ),
                Metric(
                    "users_served", labels[2][0], figures.users_served, labels[2][1], indicator=33
                ),
                Metric(
                    "breach_share",
                    labels[3][0],
                    None if breach is None else round(100 * breach, 1),
                    labels[3][1],
                ),
            ]
        return out

    def last_activity(self, agency_ids: Sequence[int]) -> dict[int, datetime]:
        """The latest step at each agency's desk (every desk on the engine: e-minduk too)."""
        from sqlalchemy import func, select

        from puja_indah.extensions import db
        from puja_indah.modules.etracking.models import FileEvent

        if not agency_ids:
            return {}
        rows = db.session.execute(
            select(FileEvent.agency_id, func.max(FileEvent.at))
            .where(FileEvent.agency_id.in_(agency_ids))
            .group_by(FileEvent.agency_id)
        )
        return {int(agency_id): at for agency_id, at in rows if at is not None}

    def innovation_id(self, agency_id: int) -> int | None:
        """The chosen innovation (the lead's setting), else the agency's assigned innovation."""
        from sqlalchemy import select

        from puja_indah.extensions import db
        from puja_indah.innovations.models import Innovation, Origin

        chosen = super().innovation_id(agency_id)
        if chosen is not None:
            return chosen
        return db.session.scalar(
            select(Innovation.id)
            .where(Innovation.agency_id == agency_id, Innovation.origin == Origin.ASSIGNED)
            .order_by(Innovation.id)
            .limit(1)
        )
