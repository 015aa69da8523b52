"""`/api/v1/board`: the progress board's rows, with the web board's policy and region rule —
Bombana's monitor reads Bombana only; reviewers and administrators choose a region with a
decree (the demo has one: Bombana's SK 193/2018)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.agencies.models import Appointment, Decree
from puja_indah.board import queries
from puja_indah.core.clock import today_wita
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import Demo

BOARD = "/api/v1/board"
PROBLEM = "application/problem+json"


def appointed(app: Flask, region_id: int) -> set[int]:
    with app.app_context(), scoped(Scope.system("tests: board"), db.session):
        ids = set(
            db.session.scalars(
                sa.select(Appointment.agency_id)
                .join(Decree, Decree.id == Appointment.decree_id)
                .where(Decree.region_id == region_id)
            )
        )
        db.session.remove()
    return ids


def test_monitor_reads_its_region(
    app: Flask, client: FlaskClient, demo: Demo, api_token: TokenMaker
) -> None:
    bombana = demo.regions["74.06"]
    headers = bearer(api_token("monitor", "read"))  # reading needs no write scope
    response = client.get(BOARD, query_string={"per_page": 100}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["region"]["id"] == bombana and body["stale_after_days"] >= 1
    assert {r["agency"]["id"] for r in body["items"]} == appointed(app, bombana)
    assert body["meta"]["total"] == len(body["items"])
    names = [r["agency"]["name"].lower() for r in body["items"]]
    assert names == sorted(names)  # by agency, as the web board
    same = client.get(BOARD, query_string={"region_id": bombana}, headers=headers)
    assert same.status_code == 200
    far = client.get(BOARD, query_string={"region_id": demo.regions["74.05"]}, headers=headers)
    assert far.status_code == 404 and far.mimetype == PROBLEM


def test_rows_are_the_board_queries_rows(
    app: Flask, client: FlaskClient, demo: Demo, api_token: TokenMaker
) -> None:
    headers = bearer(api_token("reviewer"))
    body = client.get(BOARD, query_string={"per_page": 100}, headers=headers).get_json()
    assert body["region"]["id"] == demo.regions["74.06"]  # the first region with a decree
    with app.test_request_context(), scoped(Scope.system("tests: board"), db.session):
        rows = {
            r.agency.id: r for r in queries.rows(demo.regions["74.06"], today_wita(), modules=True)
        }
        db.session.remove()
    for item in body["items"]:
        row = rows[item["agency"]["id"]]
        assert item["appointment"]["id"] == row.appointment.id
        assert item["stage"] == (row.stage.value if row.stage else None)
        assert item["progress"] == row.progress and item["milestones"] == row.milestones
        assert item["duties"] == {
            "implement": row.implement.value,
            "replicate": row.replicate.value,
        }
        assert item["replications"]["total"] == row.replication_count
        assert item["evidence"]["done"] == row.evidence_done
        assert item["evidence"]["total"] == row.evidence_total
        assert len(item["evidence"]["missing"]) == len(row.evidence_missing)
        assert item["score"] == (float(row.score) if row.score is not None else None)
        assert item["stale"] == row.stale and item["freshness"] == row.bucket
        assert [m["code"] for m in item["modules"]] == [m.code for m in row.modules]
    bkd = next(i for i in body["items"] if i["agency"]["id"] == demo.agency("BKD"))
    etracking = next(m for m in bkd["modules"] if m["code"] == "etracking")
    assert {m["key"] for m in etracking["metrics"]} >= {"received_month", "days_to_result"}
    assert bkd["last_activity"] is not None


def test_filters_and_sort(client: FlaskClient, api_token: TokenMaker) -> None:
    headers = bearer(api_token("admin"))

    def items(**params: Any) -> list[dict[str, Any]]:
        response = client.get(BOARD, query_string={"per_page": 100, **params}, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return list(response.get_json()["items"])

    everyone = items()
    assert all(r["stale"] for r in items(stale="true"))
    assert len(items(stale="false")) == len(everyone)  # false: no filter, as the web's checkbox
    with_module = items(module="etracking")
    assert with_module and all(
        "etracking" in {m["code"] for m in r["modules"]} for r in with_module
    )
    assert all(r["stage"] is None for r in items(stage="none"))
    assert all(r["duties"]["implement"] == "missing" for r in items(implement="missing"))
    progress = [r["progress"] if r["progress"] is not None else -1 for r in items(sort="-progress")]
    assert progress == sorted(progress, reverse=True)
    page = client.get(BOARD, query_string={"per_page": 2}, headers=headers)
    assert len(page.get_json()["items"]) == 2 and 'rel="next"' in page.headers["Link"]
    bad = client.get(BOARD, query_string={"module": "nope", "sort": "colour"}, headers=headers)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.get_json()["errors"]} == {"sort"}
    unknown = client.get(BOARD, query_string={"module": "nope"}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"][0]["field"] == "module"


def test_who_may_read_the_board(
    client: FlaskClient, demo: Demo, api_token: TokenMaker, login: Callable[[str], FlaskClient]
) -> None:
    assert client.get(BOARD).status_code == 401
    for account in ("officer.bkd", "lead.bkd"):
        response = client.get(BOARD, headers=bearer(api_token(account, "write")))
        assert response.status_code == 403 and response.get_json()["code"] == "forbidden"
    # No other region has a decree: a reviewer asking for one gets a 404 problem.
    reviewer = bearer(api_token("reviewer"))
    response = client.get(
        BOARD, query_string={"region_id": demo.regions["74.05"]}, headers=reviewer
    )
    assert response.status_code == 404 and response.mimetype == PROBLEM
    # The web board, signed in as the monitor, lists the same agencies.
    page = login("monitor").get("/board").get_data(as_text=True)
    rows = client.get(BOARD, query_string={"per_page": 100}, headers=reviewer).get_json()["items"]
    assert all(r["agency"]["name"] in page for r in rows)
