"""Rows the progress tests need: the demo seed has no innovations, so tests create them directly
(in a system scope), the way the innovations feature will."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from puja_indah.core.models import Agency
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin, Stage, StageChange
from puja_indah.progress.models import Milestone
from puja_indah.reference.models import Affair


def affair_id(app: Any, code: str) -> int:
    with app.app_context(), scoped(Scope.system("tests: affair"), db.session):
        found = int(db.session.scalar(sa.select(Affair.id).where(Affair.code == code)))
        db.session.remove()
    return found


def make_innovation(
    app: Any,
    agency_id: int,
    name: str,
    *,
    affair: str | None = None,
    milestones: tuple[tuple[date, int], ...] = (),
    stage_changes: tuple[tuple[date, Stage | None, Stage], ...] = (),
    documents: tuple[str, ...] = (),
) -> dict[str, Any]:
    """An innovation of `agency_id` with dated milestones (date, %), stage changes and evidence
    documents; returns the ids."""
    with app.app_context(), scoped(Scope.system("tests: make innovation"), db.session):
        region_id = db.session.scalar(sa.select(Agency.region_id).where(Agency.id == agency_id))
        affair_row = (
            db.session.scalar(sa.select(Affair.id).where(Affair.code == affair)) if affair else None
        )
        innovation = Innovation(
            agency_id=agency_id,
            region_id=region_id,
            origin=Origin.OWN,
            name=name,
            name_key=name.lower(),
            affair_id=affair_row,
        )
        db.session.add(innovation)
        db.session.flush()
        ids: dict[str, Any] = {"innovation": innovation.id, "milestones": [], "documents": []}
        for on, percent in milestones:
            milestone = Milestone(
                agency_id=agency_id,
                innovation_id=innovation.id,
                happened_on=on,
                title=f"{name} {on.isoformat()}",
                progress=percent,
            )
            db.session.add(milestone)
            db.session.flush()
            ids["milestones"].append(milestone.id)
        for on, before, after in stage_changes:
            db.session.add(
                StageChange(
                    agency_id=agency_id,
                    innovation_id=innovation.id,
                    from_stage=before,
                    to_stage=after,
                    changed_on=on,
                )
            )
        for title in documents:
            document = Evidence(agency_id=agency_id, innovation_id=innovation.id, title=title)
            db.session.add(document)
            db.session.flush()
            ids["documents"].append(document.id)
        db.session.commit()
        db.session.remove()
    return ids
