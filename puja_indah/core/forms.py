"""Form base: WTForms ships no Indonesian messages, so its built-in ones go through our catalog."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm


class _CatalogTranslations:
    """WTForms asks this object to translate its English built-in messages."""

    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # WTForms fills in %(max)d and the like itself; Flask-Babel's ngettext would interpolate
        # first, with only %(num)d known, and fail (KeyError: 'max' — a 500 on a long input).
        return gettext(singular if n == 1 else plural)


def without_nul(value: Any) -> Any:
    """NUL (0x00) is never meaningful in typed text, and PostgreSQL refuses any statement that
    carries one (psycopg raises before the query runs: a 500 on SQLite-proof input)."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> _CatalogTranslations:
            return _CatalogTranslations()

        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            # Every field of every form drops NUL characters before its own filters run.
            filters = [without_nul, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, filters=filters, **options)
