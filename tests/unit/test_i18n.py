from __future__ import annotations

from decimal import Decimal

from puja_indah.core.i18n import format_rupiah, missing_translations


def test_every_ui_string_has_an_indonesian_translation() -> None:
    missing = missing_translations("id")
    assert not missing, "untranslated (run `flask translations missing`): " + ", ".join(
        sorted(missing)[:20]
    )


def test_rupiah_format() -> None:
    assert format_rupiah(1234567) == "Rp1.234.567"
    assert format_rupiah(Decimal("1500.4")) == "Rp1.500,40"
    assert format_rupiah(Decimal("12500000.00")) == "Rp12.500.000"
    assert format_rupiah(None) == "–"
