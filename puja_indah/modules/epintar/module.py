"""The e-pintar service module as the registry sees it (ARCHITECTURE §4, DOMAIN §4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from puja_indah.core.registry import Metric, ServiceModule

# Importing the view modules attaches their routes to the blueprints before the app mounts them.
from puja_indah.modules.epintar import public_views, staff  # noqa: F401
from puja_indah.modules.epintar.blueprint import bp, open_bp


class EpintarModule(ServiceModule):
    code = "epintar"
    name: ClassVar[Any] = _l("e-Pintar (schools, parents and the community)")
    description: ClassVar[Any] = _l(
        "Schools of the education agency, announcements to parents, moderated public feedback"
        " per school and participation figures."
    )
    blueprint: ClassVar[Blueprint | None] = bp
    url_prefix: ClassVar[str | None] = "/m/epintar"
    open_blueprints: ClassVar[tuple[Blueprint, ...]] = (open_bp,)

    def metrics(self, agency_id: int) -> list[Metric]:
        return self.metrics_many([agency_id])[agency_id]

    def metrics_many(self, agency_ids: Sequence[int]) -> dict[int, list[Metric]]:
        """Two grouped queries for all the agencies (`queries.agency_metrics_many`)."""
        from puja_indah.modules.epintar.queries import agency_metrics_many

        schools_label, schools_unit = str(_l("Active schools on e-pintar")), str(_l("schools"))
        received_label = str(_l("Feedback received this year"))
        received_unit = str(_l("feedback"))
        rating_label = str(_l("Average rating (approved feedback)"))
        return {
            agency_id: [
                Metric("schools_reached", schools_label, schools, schools_unit),
                # Indicator 33 (kemanfaatan) counts the people a service reached: each feedback
                # is a parent, student or community member who used it this year.
                Metric(
                    "feedback_received_year",
                    received_label,
                    received,
                    received_unit,
                    indicator=33,
                ),
                Metric(
                    "average_rating",
                    rating_label,
                    None if average is None else round(average, 2),
                    "/5",
                ),
            ]
            for agency_id, (schools, received, average) in agency_metrics_many(agency_ids).items()
        }

    def last_activity(self, agency_ids: Sequence[int]) -> dict[int, datetime]:
        """The latest announcement each agency published."""
        from sqlalchemy import func, select

        from puja_indah.extensions import db
        from puja_indah.modules.epintar.models import Announcement

        if not agency_ids:
            return {}
        rows = db.session.execute(
            select(Announcement.agency_id, func.max(Announcement.published_at))
            .where(Announcement.agency_id.in_(agency_ids))
            .group_by(Announcement.agency_id)
        )
        return {int(agency_id): at for agency_id, at in rows if at is not None}
