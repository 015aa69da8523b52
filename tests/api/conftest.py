"""API test helpers: `api_token("officer.bkd", "write")` makes a real personal access token the
way the token page does (auth.tokens.create) and returns its secret."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from puja_indah.auth import tokens
from puja_indah.auth.models import TokenScope
from puja_indah.core.models import User
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

TokenMaker = Callable[..., str]


@pytest.fixture
def api_token(app: Flask) -> TokenMaker:
    def make(account: str, scope: str = "read", days: int = 30) -> str:
        with app.app_context(), scoped(Scope.system("tests: make a token"), db.session):
            user = db.session.scalar(
                sa.select(User).where(User.email == f"{account}@demo.pujaindah.id")
            )
            assert user is not None and user.memberships
            _token, secret = tokens.create(
                user, user.memberships[0], f"test {scope}", TokenScope(scope), days
            )
            db.session.commit()
            db.session.remove()
        return secret

    return make


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
