"""Hostile input to the API, beyond what the schemathesis run generates: NUL characters in
query text (PostgreSQL refuses them in strings), malformed JSON, wrong types, unknown fields, a
body over the cap — each a 4xx problem document naming the fault, nothing changed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import TokenMaker, bearer

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/agencies?q=a%00b",
        "/api/v1/innovations?q=%00",
        "/api/v1/open/innovations?q=x%00",
        "/api/v1/etracking/files?q=%00%00",
    ],
)
def test_nul_in_query_text_is_not_a_server_error(
    client: FlaskClient, api_token: TokenMaker, path: str
) -> None:
    response = client.get(path, headers=bearer(api_token("officer.bkd")))
    assert response.status_code < 500, response.get_data(as_text=True)[:300]


def test_bad_bodies_are_named_and_change_nothing(
    client: FlaskClient, api_token: TokenMaker, data_counts: Callable[[], dict[str, int]]
) -> None:
    headers = bearer(api_token("officer.bkd", "write"))
    before = data_counts()
    cases = [
        ("{not json", "application/json", 400, "malformed_body", None),
        ('{"name": 5}', "application/json", 422, "validation", "name"),
        (
            '{"name": "Inovasi Uji", "colour": "red"}',
            "application/json",
            422,
            "validation",
            "colour",
        ),
        ('["a list"]', "application/json", 422, "validation", None),
        ('{"name": "' + "x" * 70_000 + '"}', "application/json", 413, "payload_too_large", None),
    ]
    for body, mimetype, status, code, field in cases:
        response = client.post(
            "/api/v1/innovations", data=body, content_type=mimetype, headers=headers
        )
        assert response.status_code == status, (body[:40], response.get_data(as_text=True)[:300])
        assert response.mimetype == PROBLEM
        problem = response.get_json()
        assert problem["code"] == code, problem
        if field is not None:
            assert field in {e["field"] for e in problem["errors"]}, problem
    assert data_counts() == before
