"""NIK rules (puja_indah/modules/eminduk/nik.py): each fault found by its own code, generated
valid NIKs accepted, any one-digit change in the birth date either caught or still a real date,
and the mask never showing the birth date digits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puja_indah.modules.eminduk import nik

TODAY = date(2026, 11, 29)


def make(province: str, regency: int, district: int, born: date, female: bool, serial: int) -> str:
    day = born.day + (40 if female else 0)
    return f"{province}{regency:02d}{district:02d}{day:02d}{born:%m%y}{serial:04d}"


# Birth dates the century rule reads back unchanged: 1927 up to today.
births = st.dates(min_value=date(TODAY.year - 99, 1, 1), max_value=TODAY)
valid_niks = st.builds(
    make,
    st.sampled_from(sorted(nik.PROVINCE_CODES)),
    st.integers(1, 99),
    st.integers(1, 99),
    births,
    st.booleans(),
    st.integers(1, 9999),
)


@given(valid_niks)
def test_generated_niks_are_valid(value: str) -> None:
    facts = nik.check(value, TODAY)
    assert isinstance(facts, nik.NikFacts), facts
    assert facts.nik == value
    assert facts.birth_date <= TODAY


@given(births, st.booleans())
def test_birth_date_and_sex_are_read_back(born: date, female: bool) -> None:
    facts = nik.check(make("74", 6, 1, born, female, 1), TODAY)
    assert isinstance(facts, nik.NikFacts)
    assert (facts.birth_date, facts.female) == (born, female)


@given(valid_niks, st.integers(6, 11), st.integers(0, 9))
def test_a_changed_date_digit_is_caught_or_still_a_real_date(
    value: str, position: int, digit: int
) -> None:
    changed = value[:position] + str(digit) + value[position + 1 :]
    result = nik.check(changed, TODAY)
    if isinstance(result, nik.NikProblem):
        assert result.code in {"day", "month", "date", "future"}
    else:
        # Accepted only if DDMMYY still names a real, past date.
        assert result.birth_date <= TODAY
        day = int(changed[6:8])
        assert result.birth_date.day == (day - 40 if day > 40 else day)
        assert result.birth_date.month == int(changed[8:10])


@given(st.text(max_size=40))
def test_any_text_gets_an_answer_never_an_exception(text: str) -> None:
    assert isinstance(nik.check(text, TODAY), nik.NikFacts | nik.NikProblem)


@given(st.text(max_size=40))
def test_mask_never_reveals_the_birth_date(text: str) -> None:
    masked = nik.mask(text)
    assert len(masked) == nik.NIK_LENGTH
    assert masked[4:12] == nik.MASK_CHAR * 8
    # At most the region (4) and the serial (4) are shown, and only of a real 16-digit value.
    shown = [ch for ch in masked if ch != nik.MASK_CHAR]
    assert len(shown) <= 8
    if shown:
        assert text.isdigit() and len(text) == 16
        assert masked == text[:4] + nik.MASK_CHAR * 8 + text[12:]


def test_mask_of_a_nik() -> None:
    assert nik.mask("7406014507900001") == "7406••••••••0001"


@pytest.mark.parametrize(
    ("value", "code", "values"),
    [
        ("", "empty", {}),
        ("7406 0145 0790 000A", "not_digits", {"char": "A"}),
        ("740601450790001", "length", {"count": 15}),
        ("74.06.01.450790.00011", "length", {"count": 17}),
        ("2006014507900001", "province", {"code": "20"}),
        ("9706014507900001", "province", {"code": "97"}),
        ("7400014507900001", "regency", {}),
        ("7406004507900001", "district", {}),
        ("7406010007900001", "day", {"day": "00"}),
        ("7406013507900001", "day", {"day": "35"}),
        ("7406017207900001", "day", {"day": "72"}),
        ("7406014513900001", "month", {"month": "13"}),
        ("7406013102900001", "date", {"date": "31-02"}),
        ("7406017102900001", "date", {"date": "31-02"}),  # a woman's 31 February
        ("7406012902230001", "date", {"date": "29-02-2023"}),
        ("7406011512260001", "future", {"date": "15-12-2026"}),
        ("7406014507900000", "serial", {}),
    ],
)
def test_each_fault_has_its_code(value: str, code: str, values: dict[str, object]) -> None:
    result = nik.check(value, TODAY)
    assert result == nik.NikProblem(code, values)  # type: ignore[arg-type]


def test_leap_days_and_century() -> None:
    assert isinstance(nik.check("7406012902000001", TODAY), nik.NikFacts)  # 2000 was leap
    assert isinstance(nik.check("7406012902240001", TODAY), nik.NikFacts)  # 2024 too
    old = nik.check("7406011512270001", TODAY)  # 27 > 26: read as 1927
    assert isinstance(old, nik.NikFacts) and old.birth_date == date(1927, 12, 15)
    today = nik.check(make("74", 6, 1, TODAY, False, 1), TODAY)
    assert isinstance(today, nik.NikFacts)  # born today: not in the future
    tomorrow = TODAY + timedelta(days=1)
    assert nik.check(make("74", 6, 1, tomorrow, False, 1), TODAY).code == "future"  # type: ignore[union-attr]


def test_all_38_provinces_including_the_new_papua_ones() -> None:
    assert len(nik.PROVINCE_CODES) == 38
    assert {"93", "94", "95", "96"} <= nik.PROVINCE_CODES
    assert "97" not in nik.PROVINCE_CODES


def test_region_warning() -> None:
    assert not nik.region_differs("7406014507900001", "74.06")
    assert nik.region_differs("7405014507900001", "74.06")
