"""The API's shared behaviour: token authentication and its refusals, scopes, CSRF for browser
writes, problem details, paging and sorting, ETags, and the generated document."""

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
from tests.conftest import Demo

PROBLEM = "application/problem+json"


def test_no_token_is_a_401_problem(client: FlaskClient) -> None:
    response = client.get("/api/v1/innovations")
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == 401 and body["code"] == "not_authenticated"
    assert body["instance"] == "/api/v1/innovations"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_reads_in_its_scope(client: FlaskClient, api_token: TokenMaker, demo: Demo) -> None:
    secret = api_token("officer.bkd")
    response = client.get("/api/v1/agencies", headers=bearer(secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert [a["id"] for a in body["items"]] == [demo.agency("BKD")]
    assert body["meta"] == {"page": 1, "per_page": 20, "total": 1, "pages": 1}
    other = demo.agency("DPMPTSP")
    assert client.get(f"/api/v1/agencies/{other}", headers=bearer(secret)).status_code == 404


def test_refused_tokens_name_the_reason(
    app: Flask, client: FlaskClient, api_token: TokenMaker
) -> None:
    expired, revoked = api_token("officer.bkd"), api_token("officer.bkd")
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        rows = db.session.scalars(sa.select(PersonalAccessToken).order_by(PersonalAccessToken.id))
        first, second = list(rows)[-2:]
        first.expires_at = utcnow() - timedelta(seconds=1)
        second.revoked_at = utcnow()
        db.session.commit()
        db.session.remove()
    cases = {
        expired: "token_expired",
        revoked: "token_revoked",
        "pi_" + "x" * 43: "token_unknown",
        "nonsense": "token_malformed",
    }
    for secret, code in cases.items():
        response = client.get("/api/v1/innovations", headers=bearer(secret))
        assert response.status_code == 401
        assert response.get_json()["code"] == code
    basic = client.get("/api/v1/innovations", headers={"Authorization": "Basic abc"})
    assert basic.get_json()["code"] == "token_malformed"


def test_a_token_opens_no_web_page(client: FlaskClient, api_token: TokenMaker) -> None:
    secret = api_token("officer.bkd")
    response = client.get("/innovations", headers=bearer(secret))
    assert response.status_code == 302  # to the sign-in page: tokens are for /api/ only


def test_read_token_may_not_write(client: FlaskClient, api_token: TokenMaker) -> None:
    secret = api_token("officer.bkd", "read")
    response = client.post("/api/v1/innovations", headers=bearer(secret), json={"name": "x"})
    assert response.status_code == 403
    assert response.get_json()["code"] == "insufficient_scope"


def test_browser_session_may_not_write_without_csrf(
    login: Callable[[str], FlaskClient],
) -> None:
    browser = login("officer.bkd")
    assert browser.get("/api/v1/innovations").status_code == 200  # reads with the cookie
    response = browser.post("/api/v1/innovations", json={"name": "x"})
    assert response.status_code == 400
    assert response.get_json()["code"] == "csrf"


def test_paging_sorting_and_bad_parameters(client: FlaskClient, api_token: TokenMaker) -> None:
    headers = bearer(api_token("admin"))
    first = client.get("/api/v1/agencies?per_page=2&sort=-name", headers=headers)
    body = first.get_json()
    assert first.status_code == 200 and len(body["items"]) == 2
    names = [a["name"] for a in body["items"]]
    assert names == sorted(names, reverse=True)
    assert body["links"]["next"] and 'rel="next"' in first.headers["Link"]
    bad = client.get("/api/v1/agencies?per_page=1000&sort=colour", headers=headers)
    assert bad.status_code == 422 and bad.mimetype == PROBLEM
    fields = {(e["field"], e["location"]) for e in bad.get_json()["errors"]}
    assert fields == {("per_page", "query"), ("sort", "query")}


def test_etag_on_one_innovation(client: FlaskClient, api_token: TokenMaker) -> None:
    headers = bearer(api_token("officer.bkd"))
    listing = client.get("/api/v1/innovations", headers=headers).get_json()
    assert listing["items"], "the demo BKD has innovations"
    one = listing["items"][0]
    response = client.get(f"/api/v1/innovations/{one['id']}", headers=headers)
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{one["version"]}"'
    assert response.get_json()["stage_changes"] is not None


def test_unknown_api_path_is_a_problem(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.mimetype == PROBLEM


def test_openapi_document_and_docs_page(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/innovations" in document["paths"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"swagger-ui" in page.data
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404


def test_a_write_through_the_api_is_labelled_in_the_audit_trail(
    app: Flask, client: FlaskClient, api_token: TokenMaker
) -> None:
    from puja_indah.core.audit import AuditEntry

    secret = api_token("officer.bkd", "write")
    response = client.post(
        "/api/v1/innovations", json={"name": "Inovasi lewat API"}, headers=bearer(secret)
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        entry = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == "Innovation", AuditEntry.action == "create")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None
        assert entry.actor_label == f"officer.bkd@demo.pujaindah.id (API {secret[:11]}…)"
        db.session.remove()
