"""Rows the review tests need: innovations with 2026 claims and evidence, made the way the
self-assessment makes them (in a system scope)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask

from puja_indah.assessment.models import AssessmentYear, Claim, ClaimEvidence, Indicator
from puja_indah.core.models import Agency
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin, Stage
from puja_indah.reference.models import Affair

SYSTEM = Scope.system("tests: review data")


def _indicator_id(number: int, year: int = 2026) -> int:
    return int(
        db.session.scalar(
            sa.select(Indicator.id)
            .join(AssessmentYear, AssessmentYear.id == Indicator.year_id)
            .where(AssessmentYear.year == year, Indicator.number == number)
        )
    )


def make_innovation(
    app: Flask,
    agency_id: int,
    name: str,
    *,
    stage: Stage = Stage.INITIATIVE,
    affair: str | None = None,
    claims: dict[int, tuple[int, bool]] | None = None,
) -> int:
    """An innovation with 2026 claims {indicator number: (level, with an evidence file?)}."""
    with app.app_context(), scoped(SYSTEM, db.session):
        region_id = db.session.scalar(sa.select(Agency.region_id).where(Agency.id == agency_id))
        affair_id = (
            db.session.scalar(sa.select(Affair.id).where(Affair.code == affair)) if affair else None
        )
        innovation = Innovation(
            agency_id=agency_id,
            region_id=region_id,
            origin=Origin.OWN,
            name=name,
            name_key=name.casefold(),
            stage=stage,
            affair_id=affair_id,
            implementation_date=date(2025, 3, 1),
        )
        db.session.add(innovation)
        db.session.flush()
        for number, (level, with_evidence) in (claims or {}).items():
            claim = Claim(
                agency_id=agency_id,
                innovation_id=innovation.id,
                indicator_id=_indicator_id(number),
                level=level,
            )
            db.session.add(claim)
            db.session.flush()
            if with_evidence:
                doc = Evidence(
                    agency_id=agency_id,
                    innovation_id=innovation.id,
                    title=f"Bukti {number}",
                    document_number=f"{number}/BKD/2026",
                    subject=f"Bukti dukung indikator {number}",
                )
                db.session.add(doc)
                db.session.flush()
                db.session.add(
                    ClaimEvidence(agency_id=agency_id, claim_id=claim.id, evidence_id=doc.id)
                )
        db.session.commit()
        found = innovation.id
        db.session.remove()
    return found


def decide_as_reviewer(
    app: Flask, innovation_id: int, number: int, verdict: str, level: int, note: str = ""
) -> None:
    """A decision recorded through the service, in the demo reviewer's national scope."""
    from puja_indah.core.models import Role, User
    from puja_indah.reviews import services

    reviewer = Scope.for_membership(Role.NATIONAL_REVIEWER, None, None)
    with app.app_context(), scoped(reviewer, db.session):
        user_id = db.session.scalar(
            sa.select(User.id).where(User.email == "reviewer@demo.pujaindah.id")
        )
        innovation = db.session.get(Innovation, innovation_id)
        indicator = db.session.get(Indicator, _indicator_id(number))
        assert innovation is not None and indicator is not None
        current = services.queries.current_decision(innovation_id, indicator.id)
        services.decide(
            reviewer,
            innovation,
            indicator,
            services.DecisionInput(verdict, level, note, current.version if current else 0),
            user_id,
        )
        db.session.commit()
        db.session.remove()
