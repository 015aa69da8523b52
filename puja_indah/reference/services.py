"""Writes of the reference lists: the seed loader and the monitors' edits.

Edits check the `can_edit_reference` policy and the input first and raise `ServiceError` with a
message in the user's language (the flush guard, through `NationalReference.writable_in`, is the
backstop). A row that innovations use is never deleted: the user is told to deactivate it. Unique
codes and (year, name) pairs are checked before writing, and a race caught by the database's
constraint gives the same message. Functions flush but never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from puja_indah.core.permissions import can_edit_reference
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.reference.models import Affair, InitiatorKind, NationalReference, Theme

REFERENCE_FILE = Path(__file__).parent / "data" / "reference.yaml"


def seed(path: Path = REFERENCE_FILE) -> dict[str, int]:
    """Add the reference rows that are missing; rows already present (matched by code, or year
    and name for themes) keep what monitors changed. Returns how many rows were created."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    created = {"affairs": 0, "initiator_kinds": 0, "themes": 0}
    existing_affairs = set(db.session.scalars(select(Affair.code)))
    for order, row in enumerate(data["affairs"]):
        if row["code"] not in existing_affairs:
            db.session.add(
                Affair(
                    code=row["code"],
                    name=row["name"],
                    basic_service=bool(row.get("basic_service", False)),
                    sort_order=order,
                )
            )
            created["affairs"] += 1
    existing_kinds = set(db.session.scalars(select(InitiatorKind.code)))
    for order, row in enumerate(data["initiator_kinds"]):
        if row["code"] not in existing_kinds:
            db.session.add(InitiatorKind(code=row["code"], name=row["name"], sort_order=order))
            created["initiator_kinds"] += 1
    existing_themes = {
        (row.year, row.name) for row in db.session.execute(select(Theme.year, Theme.name))
    }
    for row in data["themes"]:
        if (row["year"], row["name"]) not in existing_themes:
            db.session.add(
                Theme(year=row["year"], name=row["name"], is_demo=bool(row.get("demo", False)))
            )
            created["themes"] += 1
    db.session.flush()
    return created


# --- edits on screen -----------------------------------------------------------------------------


class ServiceError(Exception):
    """A change refused with a message for the user; `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The scope may not make this change (the view answers 403)."""


def _ensure(scope: Scope) -> None:
    if not can_edit_reference(scope):
        raise NotAllowed(_("Your role does not allow this change."))


def _assign(obj: Any, values: dict[str, Any]) -> None:
    """Assign only different values, so that an unchanged save writes (and audits) nothing."""
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def _flush(message: str, field: str) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        raise ServiceError(message, field) from None


@dataclass
class AffairInput:
    code: str
    name: str
    basic_service: bool
    sort_order: int
    active: bool


def save_affair(scope: Scope, affair: Affair | None, data: AffairInput) -> Affair:
    _ensure(scope)
    message = _("Another affair already uses the code %(code)s.", code=data.code)
    clash = db.session.scalar(select(Affair.id).where(func.lower(Affair.code) == data.code.lower()))
    if clash is not None and (affair is None or clash != affair.id):
        raise ServiceError(message, "code")
    if affair is None:
        affair = Affair(code=data.code, name=data.name)
        db.session.add(affair)
    _assign(affair, vars(data))
    _flush(message, "code")
    return affair


@dataclass
class ThemeInput:
    year: int
    name: str
    active: bool
    is_demo: bool


def save_theme(scope: Scope, theme: Theme | None, data: ThemeInput) -> Theme:
    _ensure(scope)
    message = _("The themes of %(year)d already include %(name)s.", year=data.year, name=data.name)
    clash = db.session.scalar(
        select(Theme.id).where(Theme.year == data.year, func.lower(Theme.name) == data.name.lower())
    )
    if clash is not None and (theme is None or clash != theme.id):
        raise ServiceError(message, "name")
    if theme is None:
        theme = Theme(year=data.year, name=data.name)
        db.session.add(theme)
    _assign(theme, vars(data))
    _flush(message, "name")
    return theme


@dataclass
class InitiatorKindInput:
    code: str
    name: str
    sort_order: int
    active: bool


def save_initiator_kind(
    scope: Scope, kind: InitiatorKind | None, data: InitiatorKindInput
) -> InitiatorKind:
    _ensure(scope)
    message = _("Another initiator kind already uses the code %(code)s.", code=data.code)
    clash = db.session.scalar(
        select(InitiatorKind.id).where(func.lower(InitiatorKind.code) == data.code.lower())
    )
    if clash is not None and (kind is None or clash != kind.id):
        raise ServiceError(message, "code")
    if kind is None:
        kind = InitiatorKind(code=data.code, name=data.name)
        db.session.add(kind)
    _assign(kind, vars(data))
    _flush(message, "code")
    return kind


def innovations_using(row: NationalReference) -> int:
    """How many innovations, in any region, use `row`. A named cross-agency read: a count that
    reveals no row, taken so that a monitor is not told "free to delete" about a row another
    region's innovations use."""
    from puja_indah.innovations.models import Innovation, InnovationAffair

    if isinstance(row, Affair):
        condition = or_(
            Innovation.affair_id == row.id,
            Innovation.id.in_(
                select(InnovationAffair.innovation_id).where(InnovationAffair.affair_id == row.id)
            ),
        )
    elif isinstance(row, Theme):
        condition = Innovation.theme_id == row.id
    elif isinstance(row, InitiatorKind):
        condition = Innovation.initiator_kind_id == row.id
    else:  # pragma: no cover - only the three lists are edited on screen
        raise TypeError(type(row).__name__)
    with scoped(Scope.system("reference: count uses before a delete"), db.session):
        used = db.session.scalar(select(func.count(Innovation.id)).where(condition)) or 0
    return int(used)


def delete_row(scope: Scope, row: Affair | Theme | InitiatorKind) -> None:
    """Delete a reference row that no innovation uses; a used one is refused (deactivate it)."""
    _ensure(scope)
    used = innovations_using(row)
    if used:
        raise ServiceError(
            _(
                "%(name)s is used by %(n)d innovations and cannot be deleted. Deactivate it"
                " instead: it then stays on those innovations but is no longer offered.",
                name=row.name,
                n=used,
            )
        )
    db.session.delete(row)
    try:
        db.session.flush()
    except IntegrityError:
        raise ServiceError(
            _(
                "%(name)s is still in use and cannot be deleted. Deactivate it instead.",
                name=row.name,
            )
        ) from None
