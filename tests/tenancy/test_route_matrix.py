"""Every route in `app.url_map` × every role × own / other / far object, against the expected
statuses written in route_matrix.py. A route missing from the matrix fails the suite; a URL
variable nobody knows how to fill fails it too; a refused write must leave the database exactly as
it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.extensions import limiter
from tests.conftest import (
    ROLE_ACCOUNTS,
    Demo,
    Snapshot,
    TestDatabase,
    capture_snapshot,
    restore_snapshot,
)
from tests.tenancy.datawatch import DataWatch
from tests.tenancy.route_matrix import (
    EXEMPT,
    MATRIX,
    RELATIONS,
    ROLES,
    Expect,
    FarObjects,
    build_far_objects,
    url_values,
)


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

    far, snapshot = _matrix_start(app, test_database, demo)
    clients = fresh_clients()
    failures = []
    variables = rule.count("<")
    relations = RELATIONS[:3] if variables == 1 else RELATIONS if variables > 1 else ("own",)
    with DataWatch(app) as watch:
        for relation in relations:
            with app.test_request_context():
                url = url_values(app, demo, far, endpoint, rule, relation)
            watch.reset()  # the resolvers may have made rows
            for role in ROLES:
                for method in methods:
                    wanted = expect.status(role, relation, method)
                    response = _request(clients[role], method, url)
                    if response.status_code != wanted:
                        failures.append(
                            f"{method} {url} as {role} ({relation}): "
                            f"{response.status_code}, expected {wanted}"
                        )
                    if watch.changed() and method != "GET" and wanted >= 400:
                        failures.append(f"{method} {url} as {role}: refused but data changed")
                    if response.status_code == 500:
                        failures.append(f"{method} {url} as {role}: server error")
                    if method != "GET" and response.status_code < 400:
                        # An accepted action (lock, delete, sign out…) changed the data or a
                        # login: start the next request from the matrix's state again.
                        restore_snapshot(test_database, snapshot)
                        clients = fresh_clients()
                        # Objects the resolvers made (e-tracking files) went with the restore.
                        with app.test_request_context():
                            url = url_values(app, demo, far, endpoint, rule, relation)
                        watch.reset()
    assert not failures, "\n".join(failures)


# Building the matrix's objects (a far decree, innovations, files, evidence…) costs several
# restores' worth of time, and every route needs them: they are built once per run and kept as a
# snapshot of their own, which each test and each accepted action restores.
_MATRIX_STATE: dict[str, tuple[FarObjects, Snapshot]] = {}


def _matrix_start(app: Flask, database: TestDatabase, demo: Demo) -> tuple[FarObjects, Snapshot]:
    state = _MATRIX_STATE.get(database.app_url)
    if state is None:
        far = build_far_objects(app, demo)
        state = _MATRIX_STATE[database.app_url] = (far, capture_snapshot(database))
    else:
        restore_snapshot(database, state[1])
    return state
