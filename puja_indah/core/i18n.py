"""Language: Bahasa Indonesia by default, English when the user (or visitor) chooses it."""

from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, request, session
from flask_babel import format_datetime, format_decimal, get_locale
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
    """Rp1.234.567, or Rp1.234.567,50 when there are sen (an SPM is paid to the sen) —
    Indonesian grouping in both languages, as it is a rupiah amount."""
    if amount is None:
        return "–"
    whole, _point, sen = f"{Decimal(str(amount)):,.2f}".partition(".")
    whole = whole.replace(",", ".")
    return f"Rp{whole}" if sen == "00" else f"Rp{whole},{sen}"


def format_score(value: Decimal | int | float | None) -> str:
    """A score with two decimals in the user's language: 7,00 in Indonesian, 7.00 in English."""
    if value is None:
        return "—"
    return str(format_decimal(value, format="#,##0.00"))


def format_local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """Show a stored UTC time in WITA, in the user's language."""
    if value is None:
        return "–"
    return str(format_datetime(value, fmt))


def current_language() -> str:
    return str(get_locale() or "id")


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def feature_catalogs(language: str) -> list[Path]:
    """Each feature owns its translations in `<feature>/i18n/<language>.po`."""
    return sorted(PACKAGE_ROOT.glob(f"**/i18n/{language}.po"))


def merged_catalog(language: str) -> Catalog:
    merged = Catalog(locale=language, domain="messages")
    for po_path in feature_catalogs(language):
        with po_path.open("rb") as po_file:
            for message in read_po(po_file, locale=language):
                if message.id and message.string and not message.fuzzy:
                    merged.add(message.id, message.string)
    return merged


def compile_catalogs() -> list[str]:
    """Merge the feature catalogues into the .mo files Flask-Babel reads (done by the set-up and
    test scripts; .mo files are build output and not committed)."""
    compiled = []
    for language in ("id",):
        mo_path = PACKAGE_ROOT / "translations" / language / "LC_MESSAGES" / "messages.mo"
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed into place: a process reading the catalogue meanwhile (CI
        # runs the SQLite and PostgreSQL suites side by side) never sees half a file.
        partial = mo_path.with_suffix(f".mo.{os.getpid()}")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, merged_catalog(language))
        os.replace(partial, mo_path)
        compiled.append(str(mo_path))
    return compiled


EXTRACT_METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def extracted_messages(root: Path = PACKAGE_ROOT) -> dict[str, list[str]]:
    """msgid → where it is used, from the code and templates under `root`."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    keywords = dict(DEFAULT_KEYWORDS) | KEYWORDS
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map=EXTRACT_METHODS, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def missing_translations(language: str = "id") -> dict[str, list[str]]:
    catalog = merged_catalog(language)
    return {
        msgid: where
        for msgid, where in extracted_messages().items()
        if msgid and not (catalog.get(msgid) and catalog.get(msgid).string)  # type: ignore[union-attr]
    }
