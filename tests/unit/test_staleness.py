"""The stale-form helpers every edit screen shares."""

from __future__ import annotations

import pytest

from puja_indah.core import staleness

FIELDS = ("name", "phone")


def test_a_snapshot_round_trips_with_non_ascii_text() -> None:
    values = {"name": "Badan Keuangan Daerah — “BKD”", "phone": ""}
    assert staleness.decode_snapshot(staleness.encode_snapshot(values), FIELDS) == values


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "not json",
        "[]",
        '{"name": "x"}',
        '{"name": "x", "phone": 1}',
        '{"name": "x", "phone": "", "extra": ""}',
    ],
)
def test_a_lost_or_altered_snapshot_is_none(text: str | None) -> None:
    assert staleness.decode_snapshot(text, FIELDS) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        (" 12 ", 12),
        ("", None),
        (None, None),
        ("-1", None),
        ("1e3", None),
        ("9" * 10, None),
        ("٣", None),
    ],
)
def test_versions_are_plain_bounded_numbers(text: str | None, expected: int | None) -> None:
    assert staleness.parse_version(text) == expected
