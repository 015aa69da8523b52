"""Switching service modules on and off per agency. Services flush, views commit."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from puja_indah.core import registry
from puja_indah.core.db import utcnow
from puja_indah.core.models import Agency
from puja_indah.core.registry import ModuleActivation
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db


class ModuleRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def set_enabled(
    scope: Scope, agency: Agency, code: str, on: bool, user_id: int | None
) -> ModuleActivation:
    """Switch module `code` on or off for `agency`. A module needs the modules it requires on
    first, and cannot go off while a module that requires it is on. Data is never deleted."""
    module = registry.get(code)
    if module is None:
        raise ModuleRefused(_("No module with this code is installed."))
    current = registry.enabled_codes(agency.id)
    if on:
        missing = [need for need in module.requires if need not in current]
        if missing:
            names = ", ".join(str(_name(need)) for need in missing)
            raise ModuleRefused(_("Switch on first: %(names)s.", names=names))
    else:
        dependants = [
            other.code
            for other in registry.registered().values()
            if code in other.requires and other.code in current
        ]
        if dependants:
            names = ", ".join(str(_name(d)) for d in dependants)
            raise ModuleRefused(
                _("Switch off first the modules that need it: %(names)s.", names=names)
            )
    activation = db.session.scalar(
        select(ModuleActivation).where(
            ModuleActivation.agency_id == agency.id, ModuleActivation.module_code == code
        )
    )
    if activation is None:
        activation = ModuleActivation(
            agency_id=agency.id, agency=agency, module_code=code, enabled=False, settings={}
        )
        db.session.add(activation)
    if activation.enabled == on:
        return activation
    activation.enabled = on
    activation.changed_at = utcnow()
    activation.changed_by_id = user_id
    if not activation.writable_in(scope):
        raise ModuleRefused(_("Your role may not switch modules of this agency."))
    db.session.flush()
    if on:
        module.enabled(agency.id)
    else:
        module.disabled(agency.id)
    return activation


def _name(code: str) -> object:
    module = registry.get(code)
    return module.name if module is not None else code
