"""Every route in `app.url_map` × every role × own / other / far object, against the expected
statuses written in route_matrix.py. A route missing from the matrix fails the suite; a URL
variable nobody knows how to fill fails it too; a refused write must leave the database exactly as
it was."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db, limiter
from tests.conftest import ROLE_ACCOUNTS, Demo, TestDatabase, restore_snapshot
from tests.tenancy.route_matrix import (
    EXEMPT,
    MATRIX,
    RELATIONS,
    ROLES,
    Expect,
    build_far_objects,
    url_values,
)

# Tables whose rows a request may legitimately add even when it refuses the action.
BOOKKEEPING = {"audit_entries", "login_sessions", "login_failures", "alembic_version"}


def _routes(app: Flask) -> list[tuple[str, str, list[str]]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT:
            continue
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        routes.append((rule.endpoint, rule.rule, methods))
    return sorted(routes)


def _all_routes() -> list[tuple[str, str, list[str]]]:
    from puja_indah import create_app
    from tests.conftest import TestDatabase, make_test_config

    url = "sqlite://"
    return _routes(create_app(make_test_config(TestDatabase("sqlite", url, url))))


ROUTES = _all_routes()


def test_every_route_is_in_the_matrix() -> None:
    missing = [endpoint for endpoint, _, _ in ROUTES if endpoint not in MATRIX]
    assert not missing, f"add these routes to tests/tenancy/route_matrix.py: {missing}"
    stale = sorted(set(MATRIX) - {endpoint for endpoint, _, _ in ROUTES})
    assert not stale, f"the matrix names routes that no longer exist: {stale}"


def test_every_view_declares_its_policy(app: Flask) -> None:
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in EXEMPT and not hasattr(view, "policy")
    ]
    assert not undeclared, f"views without @requires(...) or @public: {undeclared}"


def _fingerprint(app: Flask) -> str:
    """A hash of every row of every table but bookkeeping ones."""
    digest = hashlib.sha256()
    with app.app_context(), scoped(Scope.system("tests: fingerprint"), db.session):
        for table in db.metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            rows = db.session.execute(sa.select(table).order_by(*table.primary_key)).all()
            digest.update(json.dumps([list(r) for r in rows], default=str).encode())
        db.session.remove()
    return digest.hexdigest()


def _request(client: FlaskClient, method: str, url: str) -> Any:
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={})


@pytest.mark.parametrize(
    ("endpoint", "rule", "methods"), ROUTES, ids=[f"{e}" for e, _, _ in ROUTES]
)
def test_route_answers_each_role_as_the_matrix_says(
    app: Flask,
    test_database: TestDatabase,
    demo: Demo,
    login: Callable[[str], FlaskClient],
    endpoint: str,
    rule: str,
    methods: list[str],
) -> None:
    expect: Expect = MATRIX[endpoint]

    def fresh_clients() -> dict[str, FlaskClient]:
        with app.app_context():
            limiter.reset()  # the sign-in rate limit is not what this test is about
        return {"anonymous": app.test_client()} | {
            role: login(account) for role, account in ROLE_ACCOUNTS.items()
        }

    far = build_far_objects(app, demo)
    clients = fresh_clients()
    failures = []
    variables = rule.count("<")
    relations = RELATIONS[:3] if variables == 1 else RELATIONS if variables > 1 else ("own",)
    for relation in relations:
        with app.test_request_context():
            url = url_values(app, demo, far, endpoint, rule, relation)
        for role in ROLES:
            for method in methods:
                wanted = expect.status(role, relation, method)
                before = _fingerprint(app) if method != "GET" and wanted >= 400 else None
                response = _request(clients[role], method, url)
                if response.status_code != wanted:
                    failures.append(
                        f"{method} {url} as {role} ({relation}): "
                        f"{response.status_code}, expected {wanted}"
                    )
                if before is not None and _fingerprint(app) != before:
                    failures.append(f"{method} {url} as {role}: refused but data changed")
                if response.status_code == 500:
                    failures.append(f"{method} {url} as {role}: server error")
                if method != "GET" and response.status_code < 400:
                    # An accepted action (lock, delete, sign out…) changed the data or a login:
                    # start the next request from the seeded state again.
                    restore_snapshot(test_database)
                    far = build_far_objects(app, demo)
                    clients = fresh_clients()
                    # Objects the resolvers made (e-tracking files) went with the restore.
                    with app.test_request_context():
                        url = url_values(app, demo, far, endpoint, rule, relation)
    assert not failures, "\n".join(failures)
