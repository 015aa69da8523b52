"""The personal access token page (Akun → Token API): make a token and see its secret once,
list, revoke; another user's token is unknown; bad input changes nothing; a revoked token or a
locked account no longer opens the API."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.auth.models import PersonalAccessToken, TokenScope
from puja_indah.core.models import Membership, Role, User
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import Demo

SECRET = re.compile(r"pi_[A-Za-z0-9_-]{43}")
Counts = Callable[[], dict[str, int]]


def _tokens_of(app: Flask, user_id: int) -> list[PersonalAccessToken]:
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        rows = list(
            db.session.scalars(
                sa.select(PersonalAccessToken)
                .where(PersonalAccessToken.user_id == user_id)
                .order_by(PersonalAccessToken.id)
            )
        )
        db.session.expunge_all()
        db.session.remove()
    return rows


def _membership_of(app: Flask, user_id: int) -> int:
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        found = db.session.scalar(
            sa.select(sa.func.min(Membership.id)).where(Membership.user_id == user_id)
        )
        db.session.remove()
    assert found is not None
    return int(found)


def _everything_stored(app: Flask) -> str:
    """Every value of every table, as one text to search."""
    with app.app_context(), scoped(Scope.system("tests: read all"), db.session):
        text = "\n".join(
            repr(tuple(row))
            for table in db.metadata.sorted_tables
            for row in db.session.execute(sa.select(table))
        )
        db.session.remove()
    return text


def test_anonymous_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/akun/token")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_page_in_indonesian_with_form_and_links(login: Callable[[str], FlaskClient]) -> None:
    browser = login("officer.bkd")
    page = browser.get("/akun/token")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Token API" in html and "Buat token" in html and "Baca saja" in html
    assert 'href="/akun/token"' in html  # the account menu's link
    assert 'href="/api/v1/docs"' in html
    assert page.headers["Cache-Control"] == "no-store"


def test_make_a_token_shows_its_secret_once_and_stores_only_its_hash(
    app: Flask, login: Callable[[str], FlaskClient], client: FlaskClient, demo: Demo
) -> None:
    browser = login("officer.bkd")
    user_id = demo.users["officer.bkd"]
    membership = _membership_of(app, user_id)
    response = browser.post(
        "/akun/token",
        data={
            "name": "  Dasbor   Bappeda ",
            "scope": "write",
            "days": "30",
            "membership": membership,
        },
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    secrets_shown = set(SECRET.findall(html))
    assert len(secrets_shown) == 1
    secret = secrets_shown.pop()
    assert "tidak akan ditampilkan lagi" in html  # the warning

    (token,) = _tokens_of(app, user_id)
    assert token.name == "Dasbor Bappeda" and token.scope is TokenScope.WRITE
    assert token.membership_id == membership
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) < len(secret)
    assert abs(token.expires_at - token.created_at - timedelta(days=30)) < timedelta(minutes=1)
    assert secret not in _everything_stored(app)  # not in any table, the audit trail included

    # Never in the session cookie (no flash), never again on the page.
    with browser.session_transaction() as session:
        assert secret not in repr(dict(session))
    again = browser.get("/akun/token").get_data(as_text=True)
    assert secret not in again and token.prefix in again and "Dasbor Bappeda" in again

    # It works, in its membership's scope.
    listing = client.get("/api/v1/agencies", headers=bearer(secret))
    assert listing.status_code == 200
    assert [a["id"] for a in listing.get_json()["items"]] == [demo.agency("BKD")]


def test_token_works_in_the_chosen_membership(
    app: Flask, login: Callable[[str], FlaskClient], client: FlaskClient, demo: Demo
) -> None:
    user_id = demo.users["officer.bkd"]
    with app.app_context(), scoped(Scope.system("tests: second role"), db.session):
        second = Membership(
            user_id=user_id, role=Role.AGENCY_OFFICER, agency_id=demo.agency("DPMPTSP")
        )
        db.session.add(second)
        db.session.commit()
        second_id = second.id
        db.session.remove()
    browser = login("officer.bkd")
    page = browser.get("/akun/token").get_data(as_text=True)
    assert "DPMPTSP" in page  # offered as a choice
    response = browser.post(
        "/akun/token",
        data={"name": "second", "scope": "read", "days": "7", "membership": second_id},
    )
    (secret,) = set(SECRET.findall(response.get_data(as_text=True)))
    listing = client.get("/api/v1/agencies", headers=bearer(secret)).get_json()
    assert [a["id"] for a in listing["items"]] == [demo.agency("DPMPTSP")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", "x" * 81),
        ("scope", "admin"),
        ("scope", ""),
        ("days", "5"),
        ("days", "many"),
        ("membership", "other"),
        ("membership", "abc"),
    ],
)
def test_bad_input_changes_nothing(
    app: Flask,
    login: Callable[[str], FlaskClient],
    demo: Demo,
    data_counts: Counts,
    field: str,
    value: str,
) -> None:
    browser = login("officer.bkd")
    form = {
        "name": "ok",
        "scope": "read",
        "days": "30",
        "membership": str(_membership_of(app, demo.users["officer.bkd"])),
    }
    if value == "other":  # another user's membership
        value = str(_membership_of(app, demo.users["officer.dpmptsp"]))
    form[field] = value
    before = data_counts()
    response = browser.post("/akun/token", data=form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert not SECRET.search(html)
    assert "is-invalid" in html
    assert data_counts() == before


def test_revoke_own_token_then_the_api_refuses_it(
    app: Flask,
    login: Callable[[str], FlaskClient],
    client: FlaskClient,
    api_token: TokenMaker,
    demo: Demo,
) -> None:
    secret = api_token("officer.bkd")
    assert client.get("/api/v1/agencies", headers=bearer(secret)).status_code == 200
    (token,) = _tokens_of(app, demo.users["officer.bkd"])
    browser = login("officer.bkd")
    response = browser.post(f"/akun/token/{token.id}/cabut")
    assert response.status_code == 302 and response.headers["Location"].endswith("/akun/token")
    (revoked,) = _tokens_of(app, demo.users["officer.bkd"])
    assert revoked.revoked_at is not None
    refused = client.get("/api/v1/agencies", headers=bearer(secret))
    assert refused.status_code == 401 and refused.get_json()["code"] == "token_revoked"
    page = browser.get("/akun/token").get_data(as_text=True)
    assert "dicabut" in page
    # Revoking again changes nothing.
    assert browser.post(f"/akun/token/{token.id}/cabut").status_code == 302
    (still,) = _tokens_of(app, demo.users["officer.bkd"])
    assert still.revoked_at == revoked.revoked_at


def test_another_users_token_is_unknown(
    app: Flask,
    login: Callable[[str], FlaskClient],
    client: FlaskClient,
    api_token: TokenMaker,
    demo: Demo,
    data_counts: Counts,
) -> None:
    secret = api_token("officer.dpmptsp")
    (token,) = _tokens_of(app, demo.users["officer.dpmptsp"])
    before = data_counts()
    for account in ("officer.bkd", "lead.bkd", "admin"):
        browser = login(account)
        assert browser.post(f"/akun/token/{token.id}/cabut").status_code == 404
        assert "DPMPTSP" not in browser.get("/akun/token").get_data(as_text=True)
    assert login("officer.bkd").post("/akun/token/999999/cabut").status_code == 404
    assert data_counts() == before
    (unchanged,) = _tokens_of(app, demo.users["officer.dpmptsp"])
    assert unchanged.revoked_at is None
    assert client.get("/api/v1/agencies", headers=bearer(secret)).status_code == 200


def test_locking_the_user_refuses_their_tokens(
    app: Flask,
    login: Callable[[str], FlaskClient],
    client: FlaskClient,
    api_token: TokenMaker,
    demo: Demo,
) -> None:
    secret = api_token("officer.bkd", "write")
    assert client.get("/api/v1/innovations", headers=bearer(secret)).status_code == 200
    admin = login("admin")
    user_id = demo.users["officer.bkd"]
    assert admin.post(f"/pengguna/{user_id}/kunci").status_code == 302
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        user = db.session.get(User, user_id)
        assert user is not None and not user.is_active
        db.session.remove()
    refused = client.get("/api/v1/innovations", headers=bearer(secret))
    assert refused.status_code == 401 and refused.get_json()["code"] == "token_locked"
