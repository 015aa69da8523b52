"""Rows the board tests need, made directly in a system (or agency) scope the way the features
would: innovations linked to appointments, replications, claims with evidence, and audit-trail
activity dated in the past (the trail is append-only, so the clock is set, not the row)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from puja_indah.agencies.models import Appointment, Decree
from puja_indah.assessment.models import AssessmentYear, Claim, ClaimEvidence, Indicator
from puja_indah.core import audit
from puja_indah.core.clock import WITA
from puja_indah.core.models import Agency, Role
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin, Stage
from puja_indah.progress.models import Milestone
from puja_indah.replications.models import Replication, ReplicationMode, ReplicationStatus


def appointment_id(app: Any, decree_id: int, agency_id: int) -> int:
    with app.app_context(), scoped(Scope.system("tests: board"), db.session):
        found = db.session.scalar(
            sa.select(Appointment.id).where(
                Appointment.decree_id == decree_id, Appointment.agency_id == agency_id
            )
        )
        db.session.remove()
    assert found is not None
    return int(found)


def assigned_innovation(
    app: Any,
    agency_id: int,
    appointment: int | None,
    name: str,
    *,
    stage: Stage = Stage.INITIATIVE,
    milestones: tuple[tuple[date, int], ...] = (),
) -> int:
    with app.app_context(), scoped(Scope.system("tests: board"), db.session):
        region_id = db.session.scalar(sa.select(Agency.region_id).where(Agency.id == agency_id))
        innovation = Innovation(
            agency_id=agency_id,
            region_id=region_id,
            appointment_id=appointment,
            origin=Origin.ASSIGNED,
            name=name,
            name_key=name.lower(),
            stage=stage,
        )
        db.session.add(innovation)
        db.session.flush()
        for on, percent in milestones:
            db.session.add(
                Milestone(
                    agency_id=agency_id,
                    innovation_id=innovation.id,
                    happened_on=on,
                    title=f"{name} {on}",
                    progress=percent,
                )
            )
        db.session.commit()
        found = innovation.id
        db.session.remove()
    return found


def replication(app: Any, agency_id: int, status: ReplicationStatus, name: str) -> int:
    with app.app_context(), scoped(Scope.system("tests: board"), db.session):
        region_id = db.session.scalar(sa.select(Agency.region_id).where(Agency.id == agency_id))
        replica = Innovation(
            agency_id=agency_id,
            region_id=region_id,
            origin=Origin.REPLICATION,
            name=name,
            name_key=name.lower(),
        )
        db.session.add(replica)
        db.session.flush()
        row = Replication(
            agency_id=agency_id,
            replica_id=replica.id,
            source_name=f"Source of {name}",
            mode=ReplicationMode.ADOPT,
            status=status,
            status_on=date(2026, 5, 1),
        )
        db.session.add(row)
        db.session.commit()
        found = row.id
        db.session.remove()
    return found


def claim(
    app: Any, agency_id: int, innovation_id: int, number: int, level: int, *, evidence: bool
) -> None:
    """A claim of indicator `number` (2026 catalogue), with one evidence document or none."""
    with app.app_context(), scoped(Scope.system("tests: board"), db.session):
        indicator_id = db.session.scalar(
            sa.select(Indicator.id)
            .join(AssessmentYear, AssessmentYear.id == Indicator.year_id)
            .where(AssessmentYear.year == 2026, Indicator.number == number)
        )
        row = Claim(
            agency_id=agency_id, innovation_id=innovation_id, indicator_id=indicator_id, level=level
        )
        db.session.add(row)
        db.session.flush()
        if evidence:
            document = Evidence(
                agency_id=agency_id, innovation_id=innovation_id, title=f"Bukti {number}"
            )
            db.session.add(document)
            db.session.flush()
            db.session.add(
                ClaimEvidence(agency_id=agency_id, claim_id=row.id, evidence_id=document.id)
            )
        db.session.commit()
        db.session.remove()


def board_today(app: Any, monkeypatch: Any) -> date:
    """A "today" for the board 400 days after the newest audit entry, set on the board's views,
    the digest and the landing page. The audit trail is append-only and outlives the snapshot
    restore between tests, so entries other tests left behind are all over 90 days old on this
    day: only the activity a test stamps relative to it (`activity(..., today=...)`) is recent."""
    with app.app_context():
        newest = db.session.scalar(sa.select(sa.func.max(audit.AuditEntry.occurred_at)))
        db.session.remove()
    start = max(newest or datetime.now(UTC), datetime.now(UTC))
    today = (start.astimezone(WITA) + timedelta(days=400)).date()
    from puja_indah.board import digest, views
    from puja_indah.home import views as home_views

    for module in (digest, views, home_views):
        monkeypatch.setattr(module, "today_wita", lambda: today)
    return today


def activity(
    app: Any, agency_id: int, user_id: int, days_ago: int, monkeypatch: Any, *, today: date
) -> None:
    """An audit-trail change made by a user in the agency's own scope, `days_ago` days before
    `today` (noon, WITA)."""
    when = datetime.combine(today - timedelta(days=days_ago), time(12), WITA).astimezone(UTC)
    with app.app_context():
        region_id = db.session.scalar(sa.select(Agency.region_id).where(Agency.id == agency_id))
        with monkeypatch.context() as patch:
            patch.setattr(audit, "utcnow", lambda: when)
            audit.set_actor(audit.Actor(user_id=user_id, label="officer@test"))
            scope = Scope("agency", agency_id=agency_id, role=Role.AGENCY_OFFICER, read_only=False)
            with scoped(scope, db.session):
                audit.append(
                    db.session,
                    action="update",
                    object_type="Innovation",
                    object_id="1",
                    agency_id=agency_id,
                    region_id=region_id,
                )
                db.session.commit()
            audit.set_actor(audit.Actor())
        db.session.remove()


def far_decree(app: Any, region_code: str, agency_codes: list[str], number: str) -> int:
    """A decree in another region appointing some of its agencies (made if missing)."""
    from puja_indah.core.models import Region

    with app.app_context(), scoped(Scope.system("tests: board"), db.session):
        region = db.session.scalar(sa.select(Region).where(Region.code == region_code))
        assert region is not None
        decree = Decree(region_id=region.id, number=number, title=f"SK {number}")
        db.session.add(decree)
        db.session.flush()
        for code in agency_codes:
            agency = db.session.scalar(
                sa.select(Agency).where(Agency.region_id == region.id, Agency.code == code)
            )
            if agency is None:
                agency = Agency(
                    region_id=region.id, code=code, name=f"Dinas {code}", short_name=code
                )
                db.session.add(agency)
                db.session.flush()
            db.session.add(
                Appointment(
                    decree_id=decree.id, agency_id=agency.id, innovation_name=f"Inovasi {code}"
                )
            )
        db.session.commit()
        found = decree.id
        db.session.remove()
    return found
