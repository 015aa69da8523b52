"""Password hashing (argon2id) and the password policy.

Parameters follow the OWASP Password Storage Cheat Sheet that ASVS 5.0 points to: argon2id with
19 MiB of memory, 2 iterations, 1 lane (Werkzeug's scrypt default of N=2^15 falls short).
The policy follows BSSN regulation 4/2021: at least 12 characters mixing upper case, lower case,
digits and symbols.
"""

from __future__ import annotations

import string

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l

ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
MIN_LENGTH = 12
MAX_LENGTH = 128


def make_hasher(
    time_cost: int = ARGON2_TIME_COST, memory_kib: int = ARGON2_MEMORY_KIB
) -> PasswordHasher:
    """argon2id at the given cost (the defaults are the production parameters)."""
    return PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=ARGON2_PARALLELISM,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


_hasher = make_hasher()

# Verifying against this keeps a sign-in for an unknown e-mail as slow as for a known one.
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def password_problems(password: str, *, email: str = "") -> list[str]:
    """Every rule the password breaks, as messages in the user's language."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("At least %(n)d characters.", n=MIN_LENGTH)))
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("At most %(n)d characters.", n=MAX_LENGTH)))
    if not any(c.islower() for c in password):
        problems.append(str(_l("At least one lower-case letter.")))
    if not any(c.isupper() for c in password):
        problems.append(str(_l("At least one upper-case letter.")))
    if not any(c.isdigit() for c in password):
        problems.append(str(_l("At least one digit.")))
    if not any(c in string.punctuation or c == " " for c in password):
        problems.append(str(_l("At least one symbol, for example ! ? # or a space.")))
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append(str(_l("Must not contain your e-mail name.")))
    return problems
