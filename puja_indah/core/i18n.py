"""Language: Bahasa Indonesia by default, English when the user (or visitor) chooses it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import current_app, request, session
from flask_babel import format_datetime, get_locale
from flask_login import current_user


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    user_locale = getattr(current_user, "locale", None)
    if getattr(current_user, "is_authenticated", False) and user_locale in supported:
        return str(user_locale)
    chosen = session.get("locale")
    if chosen in supported:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def format_rupiah(amount: Decimal | int | float | None) -> str:
    """Rp1.234.567 — Indonesian grouping in both languages (it is a rupiah amount)."""
    if amount is None:
        return "–"
    whole = f"{round(amount):,}".replace(",", ".")
    return f"Rp{whole}"


def format_local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """Show a stored UTC time in WITA, in the user's language."""
    if value is None:
        return "–"
    return str(format_datetime(value, fmt))


def current_language() -> str:
    return str(get_locale() or "id")


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def compile_catalogs() -> list[str]:
    """Write .mo next to each .po (done by the set-up scripts; .mo files are not committed)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    root = Path(__file__).resolve().parent.parent / "translations"
    for po_path in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        compiled.append(str(mo_path))
    return compiled
