"""Public tracking codes: 60 random bits, a check symbol that catches mistypes."""

from __future__ import annotations

import pytest

from puja_indah.modules.etracking import codes


def test_a_new_code_has_twelve_characters_and_a_valid_check() -> None:
    code = codes.new_code()
    assert len(code) == 13
    assert all(ch in codes.ALPHABET for ch in code[:12])
    assert codes.normalise(code) == code


def test_codes_do_not_repeat() -> None:
    assert len({codes.new_code() for _ in range(5000)}) == 5000


def test_reading_variants_are_accepted() -> None:
    code = codes.new_code()
    typed = codes.display(code).lower()
    assert codes.normalise(typed) == code
    assert codes.normalise(" ".join(code)) == code


def test_letters_confused_with_digits_are_read_as_digits() -> None:
    body = "0123456789AB"
    code = body + codes.check_symbol(body)
    assert codes.normalise("OI23456789AB" + code[-1]) == code
    assert codes.normalise("oL23456789ab" + code[-1]) == code


@pytest.mark.parametrize("position", range(12))
def test_any_single_substitution_is_caught(position: int) -> None:
    code = "7K3M9QW2XHTB" + codes.check_symbol("7K3M9QW2XHTB")
    for replacement in codes.ALPHABET:
        if replacement == code[position]:
            continue
        typo = code[:position] + replacement + code[position + 1 :]
        assert codes.normalise(typo) is None, typo


def test_adjacent_transpositions_are_caught() -> None:
    code = "7K3M9QW2XHTB" + codes.check_symbol("7K3M9QW2XHTB")
    for i in range(11):
        if code[i] == code[i + 1]:
            continue
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        assert codes.normalise(swapped) is None, swapped


@pytest.mark.parametrize(
    "text", ["", "ABC", "7K3M9QW2XHTB", "7K3M9QW2XHTBUU", "7K3M9QW2XHT!0", "Ü" * 13]
)
def test_malformed_input_is_refused(text: str) -> None:
    assert codes.normalise(text) is None
