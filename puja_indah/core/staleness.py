"""Stale forms: a form carries the version it was opened at and a snapshot of the values it
showed, so a save made after someone else's is refused with what the other person changed,
instead of silently overwriting it (a version column alone cannot tell a stale form)."""

from __future__ import annotations

import json
from collections.abc import Iterable


def encode_snapshot(values: dict[str, str]) -> str:
    """The opened values, for the form's hidden field."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def decode_snapshot(text: str | None, fields: Iterable[str]) -> dict[str, str] | None:
    """The values the form was opened with, or None when the hidden field was lost or altered
    (not JSON, other keys than `fields`, or a value that is not text)."""
    try:
        data = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != set(fields):
        return None
    if not all(isinstance(v, str) for v in data.values()):
        return None
    return data


def parse_version(text: str | None) -> int | None:
    """The version number a form sent, or None when it is missing or not a plain number."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None
