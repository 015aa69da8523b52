"""Public tracking codes: random, human-friendly, and self-checking.

12 Crockford base32 characters carry 60 random bits (from `secrets`), followed by Crockford's
check symbol (the value mod 37), so a mistyped code is caught before any lookup. The code is
separate from the internal SPM number and reveals nothing about it. Input is normalised the
Crockford way: case-insensitive, I/L read as 1, O as 0, hyphens and spaces ignored.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
BODY_LENGTH = 12  # 12 × 5 = 60 bits
_DECODE = {ch: i for i, ch in enumerate(ALPHABET)} | {"I": 1, "L": 1, "O": 0}
_CHECK_DECODE = {ch: i for i, ch in enumerate(CHECK_ALPHABET)} | {"I": 1, "L": 1, "O": 0}


def _value(body: str) -> int:
    value = 0
    for ch in body:
        value = value * 32 + _DECODE[ch]
    return value


def check_symbol(body: str) -> str:
    return CHECK_ALPHABET[_value(body) % 37]


def new_code() -> str:
    """A fresh code: 12 random characters and the check symbol (13 in all)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_symbol(body)


def normalise(text: str) -> str | None:
    """The canonical form of a typed or scanned code, or None when it cannot be one (wrong
    length, a character outside the alphabet, or a check symbol that does not match)."""
    cleaned = "".join(text.split()).replace("-", "").upper()
    if len(cleaned) != BODY_LENGTH + 1:
        return None
    body, check = cleaned[:-1], cleaned[-1]
    if any(ch not in _DECODE for ch in body) or check not in _CHECK_DECODE:
        return None
    canonical = "".join(ALPHABET[_DECODE[ch]] for ch in body)
    if CHECK_ALPHABET[_CHECK_DECODE[check]] != check_symbol(canonical):
        return None
    return canonical + check_symbol(canonical)


def display(code: str) -> str:
    """Grouped for reading aloud and typing: XXXX-XXXX-XXXX-C."""
    return f"{code[0:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}"
