from __future__ import annotations

import pytest

from puja_indah.core import passwords
from puja_indah.core.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)


@pytest.fixture(autouse=True)
def _production_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite hashes cheaply (tests/conftest.py); these tests check the production hasher.
    monkeypatch.setattr(passwords, "_hasher", passwords.make_hasher())


def test_hash_is_argon2id_at_owasp_parameters() -> None:
    stored = hash_password("Contoh-Sandi-2026")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(stored, "Contoh-Sandi-2026")
    assert not verify_password(stored, "contoh-sandi-2026")
    assert not needs_rehash(stored)


def test_unknown_or_broken_hash_never_verifies() -> None:
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_weaker_hash_is_upgraded_on_next_sign_in() -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("Contoh-Sandi-2026")
    assert needs_rehash(weak)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Pendek-1a", "At least 12 characters."),
        ("semuahurufkecil-123", "At least one upper-case letter."),
        ("SEMUAHURUFBESAR-123", "At least one lower-case letter."),
        ("TanpaAngka-Sama-Sekali", "At least one digit."),
        ("TanpaSimbol12345", "At least one symbol, for example ! ? # or a space."),
    ],
)
def test_policy_names_each_broken_rule(app_ctx, password: str, problem: str) -> None:
    from flask_babel import force_locale

    with force_locale("en"):
        assert problem in password_problems(password)


def test_policy_accepts_a_good_password_and_refuses_the_email_name(app_ctx) -> None:
    assert password_problems("Bombana-Inovasi-2026!") == []
    from flask_babel import force_locale

    with force_locale("en"):
        assert "Must not contain your e-mail name." in password_problems(
            "Operator-BKD-2026!x", email="operator@bkd.id"
        )
