"""Real HTTP for the suites that drive a separately served app (tests/concurrency, tests/crash):
one request per fresh connection, its answer, and reads of the database as the system."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Flask

from puja_indah.core.audit import AuditEntry
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def etag(self) -> str:
        return self.headers["etag"]

    @property
    def version(self) -> int:
        """The API's ETag is the row's version number in quotes."""
        return int(self.etag.strip('"'))


def send(
    address: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
    *,
    form: dict[str, Any] | None = None,
    timeout: float,
) -> Answer:
    """One request on a fresh connection of its own to `host:port`; raises OSError /
    http.client.HTTPException when the server is gone."""
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    sent = dict(headers)
    payload: bytes | None = None
    if body is not None:
        payload, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
    if form is not None:
        payload = urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def read_as_system(app: Flask, what: Callable[[], Any], reason: str) -> Any:
    """`what()` in a fresh session of `app` that sees every tenant."""
    with app.app_context(), scoped(Scope.system(reason), db.session):
        try:
            return what()
        finally:
            db.session.remove()


def last_audit_entry(app: Flask) -> int:
    """The newest audit entry's id (not the count: PostgreSQL ids have gaps)."""
    newest = read_as_system(
        app, lambda: db.session.scalar(sa.select(sa.func.max(AuditEntry.id))), "tests: audit"
    )
    return int(newest or 0)
