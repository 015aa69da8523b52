"""Scores read the way each language writes numbers."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask_babel import force_locale

from puja_indah.core.i18n import format_score


def test_scores_use_the_language_decimal_mark(app_ctx: Flask) -> None:
    with app_ctx.test_request_context(), force_locale("id"):
        assert format_score(Decimal("7")) == "7,00"
        assert format_score(Decimal("1234.5")) == "1.234,50"
    with app_ctx.test_request_context(), force_locale("en"):
        assert format_score(Decimal("0.58")) == "0.58"
        assert format_score(None) == "—"
