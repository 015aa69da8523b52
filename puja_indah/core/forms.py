"""Form base: WTForms ships no Indonesian messages, so its built-in ones go through our catalog."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, ngettext
from flask_wtf import FlaskForm


class _CatalogTranslations:
    """WTForms asks this object to translate its English built-in messages."""

    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> _CatalogTranslations:
            return _CatalogTranslations()
