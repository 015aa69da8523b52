"""Every write of the API (each non-GET route under /api/, listed from the app, so a new one is
covered without anyone writing a test) refuses, with a problem document and nothing changed:

- a browser session without its CSRF token (400 `csrf`), for every signed-in role;
- a read token (403 `insufficient_scope`), for every role;
- an expired token (401 `token_expired`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.auth.models import PersonalAccessToken
from puja_indah.core.db import utcnow
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import ROLE_ACCOUNTS, Demo
from tests.tenancy.datawatch import fingerprint
from tests.tenancy.route_matrix import build_far_objects, url_values
from tests.tenancy.test_route_matrix import ROUTES

API_WRITES = [
    (endpoint, rule, method)
    for endpoint, rule, methods in ROUTES
    if rule.startswith("/api/")
    for method in methods
    if method != "GET"
]


def _expire_all_tokens(app: Flask) -> None:
    with app.app_context(), scoped(Scope.system("tests: expire tokens"), db.session):
        for token in db.session.scalars(sa.select(PersonalAccessToken)):
            token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()


def test_every_api_write_refuses_without_csrf_or_write_scope(
    app: Flask, demo: Demo, login: Callable[[str], FlaskClient], api_token: TokenMaker
) -> None:
    assert API_WRITES, "the API has write routes"
    far = build_far_objects(app, demo)
    urls = {}
    for endpoint, rule, _method in API_WRITES:
        with app.test_request_context():
            urls[endpoint] = url_values(app, demo, far, endpoint, rule, "own")
    browsers = {role: login(account) for role, account in ROLE_ACCOUNTS.items()}
    expired = bearer(api_token("officer.bkd", "write"))
    _expire_all_tokens(app)
    readers = {role: bearer(api_token(a, "read")) for role, a in ROLE_ACCOUNTS.items()}
    client = app.test_client()
    for headers in readers.values():  # the first use stamps last_used_at: not the writes' doing
        assert client.get("/api/v1/agencies", headers=headers).status_code == 200
    before = fingerprint(app)
    failures = []
    for endpoint, _rule, method in API_WRITES:
        url = urls[endpoint]
        cases = [(f"{role} browser", browsers[role], {}, 400, "csrf") for role in browsers]
        cases += [
            (f"{role} read token", client, headers, 403, "insufficient_scope")
            for role, headers in readers.items()
        ]
        cases.append(("expired token", client, expired, 401, "token_expired"))
        for label, who, headers, status, code in cases:
            response = who.open(url, method=method, json={}, headers=headers)
            body = response.get_json(silent=True) or {}
            if response.status_code != status or body.get("code") != code:
                failures.append(
                    f"{method} {url} as {label}: {response.status_code} {body.get('code')}"
                )
    assert not failures, "\n".join(failures)
    assert fingerprint(app) == before
