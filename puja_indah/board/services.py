"""Writes of the board: the region's settings (validate, change, flush — never commit)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from puja_indah.board.models import MAX_STALE_DAYS, MIN_STALE_DAYS, BoardSettings
from puja_indah.board.queries import settings_of
from puja_indah.core.permissions import can_configure_board
from puja_indah.core.tenancy import Scope
from puja_indah.extensions import db


class SettingsRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def save_settings(
    scope: Scope, region_id: int, *, stale_after_days: int, opened_version: int | None
) -> BoardSettings:
    """Set the region's staleness threshold. `opened_version` is the version the form showed
    (0: no row yet); a save made on an older version is refused, nothing changes."""
    if not can_configure_board(scope, region_id):
        raise SettingsRefused(_("Only the region's monitor may change its board settings."))
    if not MIN_STALE_DAYS <= stale_after_days <= MAX_STALE_DAYS:
        raise SettingsRefused(_("Enter a number of days from 1 to 365."))
    if opened_version is None:
        raise SettingsRefused(_("This form is out of date. Reload the page and try again."))
    row = settings_of(region_id)
    current = row.version if row is not None else 0
    if current != opened_version:
        raise SettingsRefused(
            _("Someone else changed these settings meanwhile. Reload the page and try again.")
        )
    if row is None:
        row = BoardSettings(region_id=region_id)
        db.session.add(row)
    row.stale_after_days = stale_after_days
    try:
        with db.session.begin_nested():
            db.session.flush()
    except (StaleDataError, IntegrityError) as error:
        raise SettingsRefused(
            _("Someone else changed these settings meanwhile. Reload the page and try again.")
        ) from error
    return row
