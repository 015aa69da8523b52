"""The expected answer of every route to every role — the specification the route-matrix test
checks the app against. Written by hand, on purpose: it is what the roles of the foundation issue
mean, not a copy of the code's policies.

Roles: anonymous, agency officer and agency lead of BKD (Bombana), region monitor of Bombana,
national reviewer, platform admin. Objects in a URL are taken in three relations to those actors:
  own   — BKD's (or Bombana's) object,
  other — DPMPTSP's object, another agency of the same region,
  far   — an object of another region (Kabupaten Konawe Selatan),
and, for URLs with two ids, `mixed`: an own parent with a far child, which is 404 for everyone the
route's policy lets in.
A value is one status for every relation, or a tuple (own, other, far).
POST-only routes are sent an empty form; `post=` gives their statuses where they differ from GET.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Flask, url_for

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

ROLES = (
    "anonymous",
    "agency_officer",
    "agency_lead",
    "region_monitor",
    "national_reviewer",
    "platform_admin",
)
RELATIONS = ("own", "other", "far", "mixed")
Status = int | tuple[int, int, int]

# Served by Flask and Bootstrap-Flask from installed files: public, no data.
EXEMPT = {"static", "bootstrap.static"}


@dataclass(frozen=True)
class Expect:
    get: dict[str, Status]
    post: dict[str, Status] = field(default_factory=dict)

    def status(self, role: str, relation: str, method: str) -> int:
        table = self.post if method != "GET" and role in self.post else self.get
        value = table[role]
        if relation == "mixed":
            # Refused before any object is looked at, or else not found.
            own = value if isinstance(value, int) else value[0]
            return own if role == "anonymous" or own == 403 else 404
        if isinstance(value, int):
            return value
        return value[("own", "other", "far").index(relation)]

    @staticmethod
    def has_object(rule: str) -> bool:
        return "<" in rule


def roles(
    anonymous: Status = 302,
    officer: Status = 403,
    lead: Status = 403,
    monitor: Status = 403,
    reviewer: Status = 403,
    admin: Status = 403,
) -> dict[str, Status]:
    return {
        "anonymous": anonymous,
        "agency_officer": officer,
        "agency_lead": lead,
        "region_monitor": monitor,
        "national_reviewer": reviewer,
        "platform_admin": admin,
    }


SIGNED_IN = roles(officer=200, lead=200, monitor=200, reviewer=200, admin=200)
READ_ACROSS = roles(monitor=200, reviewer=200, admin=200)
REGION_OBJECT = (200, 200, 404)  # a monitor's view of own / other / far objects
OWN_ONLY = (200, 404, 404)

MATRIX: dict[str, Expect] = {
    # --- public and account routes -----------------------------------------------------------
    "home.index": Expect(SIGNED_IN),
    "home.health": Expect(roles(200, 200, 200, 200, 200, 200)),
    "auth.login": Expect(
        roles(anonymous=200, officer=302, lead=302, monitor=302, reviewer=302, admin=302)
    ),
    "auth.logout": Expect(roles(302, 302, 302, 302, 302, 302)),
    "auth.set_language": Expect(roles(302, 302, 302, 302, 302, 302)),
    "auth.switch_scope": Expect(roles(302, 302, 302, 302, 302, 302)),
    "auth.change_password": Expect(SIGNED_IN),
    # --- agencies (monitor screens) ----------------------------------------------------------
    "agencies.list_agencies": Expect(READ_ACROSS),
    "agencies.agency_detail": Expect(
        roles(officer=OWN_ONLY, lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    "agencies.new_agency": Expect(roles(monitor=200, admin=200)),
    "agencies.edit_agency": Expect(roles(monitor=REGION_OBJECT, admin=200)),
    "agencies.own_profile": Expect(roles(officer=200, lead=200)),
    "agencies.list_decrees": Expect(READ_ACROSS),
    "agencies.new_decree": Expect(roles(monitor=200, admin=200)),
    "agencies.decree_detail": Expect(roles(monitor=REGION_OBJECT, reviewer=200, admin=200)),
    "agencies.decree_pdf": Expect(roles(monitor=REGION_OBJECT, reviewer=200, admin=200)),
    "agencies.edit_decree": Expect(roles(monitor=REGION_OBJECT, admin=200)),
    "agencies.import_decree": Expect(roles(monitor=REGION_OBJECT, admin=200)),
    "agencies.new_appointment": Expect(roles(monitor=REGION_OBJECT, admin=200)),
    "agencies.edit_appointment": Expect(roles(monitor=REGION_OBJECT, admin=200)),
    "agencies.delete_appointment": Expect(roles(monitor=(302, 302, 404), admin=302)),
    # --- users -------------------------------------------------------------------------------
    "users.list_users": Expect(roles(lead=200, monitor=200, admin=200)),
    "users.create_user": Expect(roles(lead=200, monitor=200, admin=200)),
    "users.user_detail": Expect(roles(lead=OWN_ONLY, monitor=REGION_OBJECT, admin=200)),
    "users.lock_user": Expect(roles(lead=(302, 404, 404), monitor=(302, 302, 404), admin=302)),
    "users.unlock_user": Expect(roles(lead=(302, 404, 404), monitor=(302, 302, 404), admin=302)),
    "users.reset_password": Expect(roles(lead=(200, 404, 404), monitor=(200, 200, 404), admin=200)),
    "users.add_role": Expect(roles(lead=(302, 404, 404), monitor=(302, 302, 404), admin=302)),
    "users.remove_role": Expect(roles(lead=(302, 404, 404), monitor=(302, 302, 404), admin=302)),
    # --- audit trail -------------------------------------------------------------------------
    "audit.list_entries": Expect(roles(lead=200, monitor=200, reviewer=200, admin=200)),
    "audit.entry_detail": Expect(
        roles(lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    # --- innovations -------------------------------------------------------------------------
    "innovations.index": Expect(SIGNED_IN),
    "innovations.new": Expect(roles(officer=200, lead=200)),
    "innovations.detail": Expect(
        roles(officer=OWN_ONLY, lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    "innovations.edit": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "innovations.move_stage": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "innovations.publish": Expect(roles(officer=(302, 404, 404), lead=(302, 404, 404))),
}


# --- filling URL variables ------------------------------------------------------------------


@dataclass
class FarObjects:
    """Rows the seed does not have but the matrix needs: a decree and an appointment in the far
    region, and audit entries about each agency."""

    decree: int
    appointment: int
    audit_entries: dict[int, int]  # agency id -> an entry about it
    innovation: int = 0  # an innovation of the far region's agency


def build_far_objects(app: Flask, demo: Any) -> FarObjects:
    from puja_indah.agencies.models import AgencyProfile, Appointment, Decree
    from puja_indah.agencies.storage import decree_files
    from puja_indah.core.audit import AuditEntry

    far_agency = demo.agency("BKAD", "74.05")
    with app.app_context(), scoped(Scope.system("tests: far objects"), db.session):
        decree = db.session.scalar(sa.select(Decree).where(Decree.number == "7 Tahun 2019"))
        if decree is None:
            decree = Decree(region_id=demo.regions["74.05"], number="7 Tahun 2019", title="Demo")
            db.session.add(decree)
            db.session.flush()
            db.session.add(Appointment(decree_id=decree.id, agency_id=far_agency))
        # Both decrees carry a scanned PDF, so the download route has a file to answer with.
        for with_pdf in db.session.scalars(
            sa.select(Decree).where(Decree.id.in_([decree.id, demo.decrees["193 Tahun 2018"]]))
        ):
            if with_pdf.pdf_key is None:
                data = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
                with_pdf.pdf_key = decree_files().save(data)
                with_pdf.pdf_sha256 = hashlib.sha256(data).hexdigest()
                with_pdf.pdf_size = len(data)
        for agency_id in (demo.agency("BKD"), demo.agency("DPMPTSP"), far_agency):
            if (
                db.session.scalar(
                    sa.select(AgencyProfile).where(AgencyProfile.agency_id == agency_id)
                )
                is None
            ):
                db.session.add(AgencyProfile(agency_id=agency_id, phone="0000"))
        db.session.commit()
        appointment = db.session.scalar(
            sa.select(Appointment.id).where(Appointment.decree_id == decree.id)
        )
        entries = {
            agency_id: db.session.scalar(
                sa.select(sa.func.max(AuditEntry.id)).where(AuditEntry.agency_id == agency_id)
            )
            for agency_id in (demo.agency("BKD"), demo.agency("DPMPTSP"), far_agency)
        }
        result = FarObjects(decree.id, appointment or 0, entries)  # type: ignore[arg-type]
        result.innovation = _far_innovation(far_agency, demo.regions["74.05"])
        db.session.remove()
    return result


def _far_innovation(agency_id: int, region_id: int) -> int:
    from puja_indah.innovations.models import Innovation, Origin, StageChange

    found = db.session.scalar(sa.select(Innovation.id).where(Innovation.agency_id == agency_id))
    if found is None:
        innovation = Innovation(
            agency_id=agency_id,
            region_id=region_id,
            origin=Origin.OWN,
            name="Inovasi demo BKAD Konsel",
            name_key="inovasi demo bkad konsel",
        )
        innovation.stage_changes.append(
            StageChange(agency_id=agency_id, to_stage="inisiatif", changed_on=date(2026, 1, 5))
        )
        db.session.add(innovation)
        db.session.commit()
        found = innovation.id
    return int(found)


def _innovation_of(agency_id: int) -> int:
    from puja_indah.innovations.models import Innovation

    return int(
        db.session.scalar(
            sa.select(sa.func.min(Innovation.id)).where(Innovation.agency_id == agency_id)
        )
        or 0
    )


def _appointment_of(decree_id: int, agency_id: int) -> int:
    from puja_indah.agencies.models import Appointment

    return int(
        db.session.scalar(
            sa.select(Appointment.id).where(
                Appointment.decree_id == decree_id, Appointment.agency_id == agency_id
            )
        )
        or 0
    )


def _first_membership(user_id: int) -> int:
    from puja_indah.core.models import Membership

    return int(
        db.session.scalar(
            sa.select(sa.func.min(Membership.id)).where(Membership.user_id == user_id)
        )
        or 0
    )


def _value(name: str, relation: str, demo: Any, far: FarObjects) -> int:
    bkd, dpmptsp, bkad = demo.agency("BKD"), demo.agency("DPMPTSP"), demo.agency("BKAD", "74.05")
    sk193 = demo.decrees["193 Tahun 2018"]
    by_relation: dict[str, dict[str, Any]] = {
        "agency_id": {"own": bkd, "other": dpmptsp, "far": bkad},
        "decree_id": {"own": sk193, "other": sk193, "far": far.decree},
        "appointment_id": {
            "own": lambda: _appointment_of(sk193, bkd),
            "other": lambda: _appointment_of(sk193, dpmptsp),
            "far": far.appointment,
        },
        "user_id": {
            "own": demo.users["officer.bkd"],
            "other": demo.users["officer.dpmptsp"],
            "far": demo.users["officer.konsel"],
        },
        "membership_id": {
            "own": lambda: _first_membership(demo.users["officer.bkd"]),
            "other": lambda: _first_membership(demo.users["officer.dpmptsp"]),
            "far": lambda: _first_membership(demo.users["officer.konsel"]),
        },
        "innovation_id": {
            "own": lambda: _innovation_of(bkd),
            "other": lambda: _innovation_of(dpmptsp),
            "far": far.innovation,
        },
        "entry_id": {
            "own": far.audit_entries[bkd],
            "other": far.audit_entries[dpmptsp],
            "far": far.audit_entries[bkad],
        },
    }
    if name not in by_relation:
        raise LookupError(
            f"URL variable <{name}> is unknown to tests/tenancy/route_matrix.py: add it there"
        )
    value = by_relation[name][relation]
    return int(value() if callable(value) else value)


def url_values(
    app: Flask, demo: Any, far: FarObjects, endpoint: str, rule: str, relation: str
) -> str:
    names = re.findall(r"<(?:[^:<>]+:)?([a-z_]+)>", rule)
    values: dict[str, int] = {}
    with scoped(Scope.system("tests: resolve ids"), db.session):
        for index, name in enumerate(names):
            chosen = relation
            if relation == "mixed":
                chosen = "far" if index == len(names) - 1 else "own"
            values[name] = _value(name, chosen, demo, far)
        db.session.remove()
    if relation == "mixed" and len(names) < 2:
        values = {}
    return url_for(endpoint, **values) if values or not names else url_for(endpoint)
