"""Writes of the agencies feature: agencies, decrees (with their PDF), appointments and the
agency's own profile.

Every function checks the policy and the input first and raises `ServiceError` with a message in
the user's language, so a refused change never reaches the database; the tenancy flush guard is
the backstop. Functions flush but never commit: the view commits once per request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from puja_indah.agencies.forms import PROFILE_FIELDS
from puja_indah.agencies.models import AgencyProfile, Appointment, Decree
from puja_indah.agencies.storage import FileStore, decree_files
from puja_indah.core import staleness
from puja_indah.core.clock import today_wita
from puja_indah.core.models import Agency, Region, RegionManaged
from puja_indah.core.permissions import can_edit_managed, can_edit_own_agency_content
from puja_indah.core.tenancy import Scope
from puja_indah.core.uploads import pdf_active_content
from puja_indah.extensions import db

MAX_PDF_BYTES = 10 * 1024 * 1024
# Where the end-of-file marker must appear: incremental saves may add a little after it.
PDF_EOF_WINDOW = 2048


class ServiceError(Exception):
    """A change refused with a message for the user; `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The scope may not make this change (the view answers 403)."""


def _ensure(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed(_("Your role does not allow this change."))


def may_edit(scope: Scope, obj: RegionManaged) -> bool:
    """The `can_edit_managed` policy; a named system scope (a CLI command) is not a signed-in user,
    so for it the object's own `writable_in` decides, as the flush guard would."""
    if scope.kind == "system":
        return obj.writable_in(scope)
    return can_edit_managed(scope, obj)


def assign(obj: Any, name: str, value: Any) -> bool:
    """Assign only a different value, so that an unchanged save writes (and audits) nothing."""
    if getattr(obj, name) == value:
        return False
    setattr(obj, name, value)
    return True


# --- agencies ------------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    return code.strip().upper()


def find_agency_by_code(region_id: int, code: str) -> Agency | None:
    return db.session.scalar(
        select(Agency).where(
            Agency.region_id == region_id, func.upper(Agency.code) == normalise_code(code)
        )
    )


def descendant_ids(agency_id: int, region_id: int) -> set[int]:
    """Ids of every unit below `agency_id` (children, their children, …)."""
    children: dict[int, list[int]] = {}
    for child_id, parent_id in db.session.execute(
        select(Agency.id, Agency.parent_id).where(Agency.region_id == region_id)
    ):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(child_id)
    found: set[int] = set()
    todo = [agency_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@dataclass
class AgencyInput:
    code: str
    name: str
    short_name: str
    parent_id: int | None
    active: bool
    region_id: int | None = None  # only when creating


def _editable_region(
    scope: Scope, existing: Agency | Decree | None, region_id: int | None, model: type
) -> int:
    """The region a new or changed row lives in, once the scope may edit rows there."""
    if existing is not None:
        _ensure(may_edit(scope, existing))
        return existing.region_id
    region = db.session.get(Region, region_id) if region_id is not None else None
    if region is None:
        raise ServiceError(_("Choose a region."), "region_id")
    _ensure(may_edit(scope, model(region_id=region.id)))
    return region.id


def save_agency(scope: Scope, agency: Agency | None, data: AgencyInput) -> Agency:
    """Create (`agency` None) or change an agency of a region the scope manages."""
    region_id = _editable_region(scope, agency, data.region_id, Agency)

    code = normalise_code(data.code)
    clash = find_agency_by_code(region_id, code)
    if clash is not None and (agency is None or clash.id != agency.id):
        raise ServiceError(
            _("Another agency of this region already uses the code %(code)s.", code=code), "code"
        )

    parent: Agency | None = None
    if data.parent_id is not None:
        parent = db.session.get(Agency, data.parent_id)
        if parent is None or parent.region_id != region_id:
            raise ServiceError(_("The parent must be an agency of the same region."), "parent_id")
        if agency is not None and (
            parent.id == agency.id or parent.id in descendant_ids(agency.id, region_id)
        ):
            raise ServiceError(
                _("An agency cannot sit below itself or one of its own units."), "parent_id"
            )

    if agency is None:
        agency = Agency(region_id=region_id, code=code, is_demo=False)
        db.session.add(agency)
    assign(agency, "code", code)
    assign(agency, "name", data.name)
    assign(agency, "short_name", data.short_name)
    if agency.parent_id != (parent.id if parent is not None else None) or agency.id is None:
        agency.parent = parent
    assign(agency, "active", data.active)
    _flush(_("Another agency of this region already uses the code %(code)s.", code=code), "code")
    return agency


def _flush(duplicate_message: str, field: str | None) -> None:
    """Flush; a unique-constraint race (two people saving at once) becomes the same message."""
    try:
        db.session.flush()
    except IntegrityError:
        raise ServiceError(duplicate_message, field) from None


# --- decrees -------------------------------------------------------------------------------------


def pdf_problem(data: bytes) -> str | None:
    """Why `data` is not accepted as a decree PDF, or None. The content decides, not the name."""
    if not data:
        return _("The file is empty.")
    if len(data) > MAX_PDF_BYTES:
        return _("The file is larger than %(size)d MB.", size=MAX_PDF_BYTES // (1024 * 1024))
    if not data.startswith(b"%PDF-"):
        return _(
            "This file is not a PDF document (its content is of another type, whatever its"
            " name). Upload the scanned decree as PDF."
        )
    if b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
        return _("The PDF file is incomplete or damaged. Save it again and upload it.")
    if pdf_active_content(data):
        return _("PDF files with scripts or embedded programs are not accepted.")
    return None


def find_decree(region_id: int, number: str) -> Decree | None:
    return db.session.scalar(
        select(Decree).where(
            Decree.region_id == region_id, func.lower(Decree.number) == number.strip().lower()
        )
    )


@dataclass
class DecreeInput:
    number: str
    title: str
    signed_on: date | None
    pdf: bytes | None = None
    region_id: int | None = None  # only when creating


def save_decree(
    scope: Scope, decree: Decree | None, data: DecreeInput, store: FileStore | None = None
) -> Decree:
    region_id = _editable_region(scope, decree, data.region_id, Decree)

    clash = find_decree(region_id, data.number)
    if clash is not None and (decree is None or clash.id != decree.id):
        raise ServiceError(
            _("This region already has a decree numbered %(number)s.", number=data.number),
            "number",
        )
    if data.signed_on is not None and data.signed_on > today_wita():
        raise ServiceError(_("The date signed cannot be in the future."), "signed_on")
    if data.pdf is not None:
        problem = pdf_problem(data.pdf)
        if problem:
            raise ServiceError(problem, "pdf")

    if decree is None:
        decree = Decree(region_id=region_id, number=data.number, title=data.title)
        db.session.add(decree)
    assign(decree, "number", data.number)
    assign(decree, "title", data.title)
    assign(decree, "signed_on", data.signed_on)
    new_key: str | None = None
    if data.pdf is not None:
        # Stored last, once everything else is known to be valid. The previous file is kept:
        # the audit trail names it as the document that was in force before.
        store = store if store is not None else decree_files()
        new_key = store.save(data.pdf)
        decree.pdf_key = new_key
        decree.pdf_sha256 = hashlib.sha256(data.pdf).hexdigest()
        decree.pdf_size = len(data.pdf)
    try:
        _flush(
            _("This region already has a decree numbered %(number)s.", number=data.number),
            "number",
        )
    except ServiceError:
        if new_key is not None and store is not None:
            store.delete(new_key)
        raise
    return decree


# --- appointments --------------------------------------------------------------------------------


@dataclass
class AppointmentInput:
    agency_id: int | None
    innovation_name: str
    innovation_description: str
    must_implement: bool
    must_replicate: bool


def save_appointment(
    scope: Scope, decree: Decree, appointment: Appointment | None, data: AppointmentInput
) -> Appointment:
    _ensure(may_edit(scope, decree))
    agency = db.session.get(Agency, data.agency_id) if data.agency_id is not None else None
    if agency is None or agency.region_id != decree.region_id:
        raise ServiceError(_("Choose an agency of the decree's region."), "agency_id")
    twice = db.session.scalar(
        select(Appointment.id).where(
            Appointment.decree_id == decree.id, Appointment.agency_id == agency.id
        )
    )
    if twice is not None and (appointment is None or twice != appointment.id):
        raise ServiceError(
            _("%(agency)s is already appointed by this decree.", agency=agency.name), "agency_id"
        )
    if appointment is None:
        appointment = Appointment(decree=decree, agency=agency)
        db.session.add(appointment)
    if appointment.agency_id != agency.id:
        appointment.agency = agency
    assign(appointment, "innovation_name", data.innovation_name)
    assign(appointment, "innovation_description", data.innovation_description)
    assign(appointment, "must_implement", data.must_implement)
    assign(appointment, "must_replicate", data.must_replicate)
    _flush(_("%(agency)s is already appointed by this decree.", agency=agency.name), "agency_id")
    return appointment


def delete_appointment(scope: Scope, appointment: Appointment) -> None:
    _ensure(may_edit(scope, appointment))
    db.session.delete(appointment)
    db.session.flush()


# --- the agency's own profile --------------------------------------------------------------------


class ProfileConflict(Exception):
    """Someone saved the profile after this form was opened."""


def profile_values(profile: AgencyProfile | None) -> dict[str, str]:
    return {name: (getattr(profile, name) if profile else "") or "" for name in PROFILE_FIELDS}


def decode_snapshot(text: str | None) -> dict[str, str] | None:
    return staleness.decode_snapshot(text, PROFILE_FIELDS)


def save_profile(
    scope: Scope, *, opened_version: int | None, values: dict[str, str]
) -> AgencyProfile:
    """Save the scope's own agency profile; create it on first save. `opened_version` is the
    version the form showed (0: no profile yet). Raises ProfileConflict when it is stale."""
    _ensure(can_edit_own_agency_content(scope) and scope.agency_id is not None)
    if opened_version is None:
        raise ProfileConflict()
    profile = db.session.scalar(
        select(AgencyProfile).where(AgencyProfile.agency_id == scope.agency_id)
    )
    current_version = profile.version if profile is not None else 0
    if current_version != opened_version:
        raise ProfileConflict()
    if profile is None:
        profile = AgencyProfile(agency_id=scope.agency_id)
        db.session.add(profile)
    for name in PROFILE_FIELDS:
        assign(profile, name, values.get(name, ""))
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        # Saved by someone else between our read and our write: the version check of the UPDATE
        # (or the one-profile-per-agency constraint) caught it.
        raise ProfileConflict() from None
    return profile


@dataclass(frozen=True)
class ConflictReport:
    changes: list[tuple[str, str]]  # (field name, the other person's value)
    version: int
    current: dict[str, str]


def describe_conflict(
    agency_id: int, opened: dict[str, str] | None, submitted: dict[str, str]
) -> ConflictReport:
    """What the other person changed: fields whose stored value differs from what the form was
    opened with (or, when that is unknown, from what this user submitted)."""
    profile = db.session.scalar(select(AgencyProfile).where(AgencyProfile.agency_id == agency_id))
    current = profile_values(profile)
    basis = opened if opened is not None else submitted
    changes = [(name, current[name]) for name in PROFILE_FIELDS if current[name] != basis[name]]
    return ConflictReport(
        changes=changes,
        version=profile.version if profile is not None else 0,
        current=current,
    )
