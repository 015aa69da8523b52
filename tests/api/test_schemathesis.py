"""The whole OpenAPI document, property-tested (schemathesis + hypothesis): for every operation
it generates valid requests (with real and with random ids) and invalid ones from the document
and checks that the API never answers 500 and that every status, header, content type and body
is as documented.

Each operation runs as an agency officer with a write token (the role that writes most) and as
a national reviewer with a read token (reads across every region; writes refused). The
operations are listed from the document at collection time, so a new endpoint is covered
without anyone writing a test."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from tests import fuzzcount
from tests.api.conftest import TokenMaker, bearer

# Examples per operation and identity: enough to reach every parameter and its bounds in CI time.
EXAMPLES = 30
IDENTITIES = {"officer": ("officer.bkd", "write"), "reviewer": ("reviewer", "read")}
# A schema-valid request may still be refused for what it means, not its shape: a stale or
# missing If-Match (412, 428), or a rule of the service (422: a duplicate name, a date after
# today, a stage move the rules forbid), or the open data's rate limit (429). Anything else
# (400, 405, 500 …) fails the run.
ACCEPTED = ["2xx", "401", "403", "404", "409", "412", "422", "428", "429"]
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
            # An invalid body larger than the API's cap is refused for its size first (413).
            "negative_data_rejection": {"expected-statuses": REJECTED},
        }
    }
)


def _operations() -> list[tuple[str, str]]:
    from puja_indah import create_app
    from puja_indah.api.docs import openapi_document
    from tests.conftest import TestDatabase, make_test_config

    url = "sqlite://"
    app = create_app(make_test_config(TestDatabase("sqlite", url, url)))
    with app.app_context():
        paths = openapi_document()["paths"]
    return sorted(
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )


OPERATIONS = _operations()


def _known_ids(client: Any, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """Real ids for the path's parameters, read from the API itself: for each `{name}`, the
    first item of the list the path names before it (`/innovations/{innovation_id}` → the first
    of `/innovations`). Generated ids alone would almost always be unknown (404)."""
    known: dict[str, Any] = {}
    prefix = ""
    for part in path.split("/")[1:]:
        if part.startswith("{") and part.endswith("}"):
            response = client.get(prefix, headers=headers)
            items = (response.get_json(silent=True) or {}).get("items") or []
            if not items or "id" not in items[0]:
                return known
            known[part[1:-1]] = items[0]["id"]
            part = str(items[0]["id"])
        prefix += f"/{part}"
    return known


# The `fuzz` tests of this module (tests/fuzzcount.py).
FUZZ_TESTS = len(OPERATIONS) * len(IDENTITIES)


@pytest.mark.fuzz
@pytest.mark.parametrize("identity", sorted(IDENTITIES))
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_answers_as_documented(
    app: Flask, api_token: TokenMaker, identity: str, method: str, path: str
) -> None:
    headers = bearer(api_token(*IDENTITIES[identity]))
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)[path][
        method
    ]

    known = _known_ids(app.test_client(), path, headers)
    cases = (
        operation.as_strategy(path_parameters=known)
        | operation.as_strategy()
        | operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # The same examples on every run: a CI result does not depend on luck. (Run with more
        # examples, or without derandomize, to explore further; every failure found so far is
        # a test in tests/api.)
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def run(case: Any) -> None:
        with fuzzcount.counting():
            case.call_and_validate(headers=headers)

    run()
