"""The replication log through the API: logging a replication (a published source of another
agency, or one outside the platform; the replica a new draft or one of our innovations), the list
and its filter per role, editing under If-Match and the dated status flow — the web's services
and rules, visible on the web page, refused with nothing changed otherwise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.core.models import Agency
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin
from puja_indah.replications.services import today_wita
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import Demo

BASE = "/api/v1/replications"
Counts = Callable[[], dict[str, int]]


def _innovation(app: Flask, agency_id: int, name: str, *, published: bool = False) -> int:
    with app.app_context(), scoped(Scope.system("tests: innovation"), db.session):
        agency = db.session.get(Agency, agency_id)
        assert agency is not None
        row = Innovation(
            agency_id=agency_id,
            region_id=agency.region_id,
            origin=Origin.OWN,
            name=name,
            name_key=name.casefold(),
            published=published,
        )
        db.session.add(row)
        db.session.commit()
        found = row.id
        db.session.remove()
    return found


@pytest.fixture
def officer(api_token: TokenMaker) -> dict[str, str]:
    return bearer(api_token("officer.bkd", "write"))


def _outside(client: FlaskClient, headers: dict[str, str], **extra: Any) -> Any:
    body = {
        "mode": "adapt",
        "source_name": "Mal Pelayanan Publik",
        "source_region_name": "Kota Kendari",
        "source_url": "https://kendarikota.go.id/mpp",
        **extra,
    }
    return client.post(BASE, headers=headers, json=body)


def test_log_an_outside_source_as_a_new_draft_and_see_it_on_the_web(
    client: FlaskClient,
    officer: dict[str, str],
    demo: Demo,
    login: Callable[..., FlaskClient],
) -> None:
    response = _outside(client, officer, lessons="  Mulai dari satu loket. ")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"] == f"{BASE}/{body['id']}"
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert body["agency_id"] == demo.agency("BKD") and body["source_innovation_id"] is None
    assert body["replica_name"] == "Mal Pelayanan Publik"  # the source's name by default
    assert body["status"] == "minat" and body["status_on"] == today_wita().isoformat()
    assert body["lessons"] == "Mulai dari satu loket."
    assert [c["to_status"] for c in body["changes"]] == ["minat"]
    assert body["next_statuses"] == ["perjanjian", "uji_coba", "diterapkan", "dihentikan"]
    replica = client.get(f"/api/v1/innovations/{body['replica_id']}", headers=officer)
    assert replica.get_json()["origin"] == "replication"
    page = login("officer.bkd").get(f"/replications/{body['id']}").get_data(as_text=True)
    assert "Mal Pelayanan Publik" in page and "Kota Kendari" in page


def test_a_platform_source_is_copied_and_our_innovation_becomes_the_replica(
    app: Flask, client: FlaskClient, officer: dict[str, str], demo: Demo, data_counts: Counts
) -> None:
    source = _innovation(app, demo.agency("BAPPEDA"), "Sumber terbit", published=True)
    hidden = _innovation(app, demo.agency("DPMPTSP"), "Sumber draf")
    own = _innovation(app, demo.agency("BKD"), "Replika kami")
    before = data_counts()
    for source_id in (hidden, 2_000_000):
        refused = client.post(
            BASE, headers=officer, json={"mode": "adopt", "source_innovation_id": source_id}
        )
        assert refused.status_code == 422
        assert [e["field"] for e in refused.get_json()["errors"]] == ["source_innovation_id"]
    assert data_counts() == before
    response = client.post(
        BASE,
        headers=officer,
        json={"mode": "adopt", "source_innovation_id": source, "replica_id": own},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["source_innovation_id"] == source and body["source_name"] == "Sumber terbit"
    assert body["replica_id"] == own and body["source_agency_name"]
    again = client.post(
        BASE,
        headers=officer,
        json={"mode": "adopt", "source_innovation_id": source, "replica_id": own},
    )
    assert again.status_code == 422
    assert [e["field"] for e in again.get_json()["errors"]] == ["replica_id"]
    # A source on the platform is not described by hand.
    etag = {"If-Match": response.headers["ETag"]}
    edited = client.patch(
        f"{BASE}/{body['id']}", headers={**officer, **etag}, json={"source_name": "Lain"}
    )
    assert edited.status_code == 422
    assert [e["field"] for e in edited.get_json()["errors"]] == ["source_name"]


def test_bad_input_names_the_field_and_saves_nothing(
    client: FlaskClient, officer: dict[str, str], data_counts: Counts
) -> None:
    before = data_counts()
    tomorrow = (today_wita() + timedelta(days=1)).isoformat()
    named = {"mode": "adopt", "source_name": "x", "source_region_name": "y"}
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"source_name": "x"}, {"mode"}),
        ({**named, "mode": "copy"}, {"mode"}),
        ({"mode": "adopt", "source_region_name": "y"}, {"source_name"}),
        ({"mode": "adopt", "source_name": "x"}, {"source_region_name"}),
        ({**named, "source_name": "x" * 201}, {"source_name"}),
        ({**named, "source_url": "x:y"}, {"source_url"}),
        ({**named, "started_on": tomorrow}, {"started_on"}),
        ({**named, "status": "minat"}, {"status"}),
        ({**named, "replica_id": 2_000_000}, {"replica_id"}),
    ]
    for body, fields in cases:
        response = client.post(BASE, headers=officer, json=body)
        assert response.status_code == 422, body
        assert {e["field"] for e in response.get_json()["errors"]} == fields, body
    assert data_counts() == before


def test_each_role_lists_and_reads_its_scope(
    app: Flask, client: FlaskClient, api_token: TokenMaker, officer: dict[str, str]
) -> None:
    ours = _outside(client, officer).get_json()
    theirs = _outside(
        client, bearer(api_token("officer.dpmptsp", "write")), source_name="Sumber lain"
    ).get_json()
    far = _outside(
        client, bearer(api_token("officer.konsel", "write")), source_name="Sumber jauh"
    ).get_json()
    visible = {
        "officer.bkd": {ours["id"]},
        "lead.bkd": {ours["id"]},
        "officer.dpmptsp": {theirs["id"]},
        "monitor": {ours["id"], theirs["id"]},
        "monitor.konsel": {far["id"]},
        "reviewer": {ours["id"], theirs["id"], far["id"]},
        "admin": {ours["id"], theirs["id"], far["id"]},
    }
    for account, ids in visible.items():
        headers = bearer(api_token(account))
        listed = client.get(f"{BASE}?per_page=100", headers=headers).get_json()
        assert {r["id"] for r in listed["items"]} == ids, account
        for one in (ours, theirs, far):
            status = client.get(f"{BASE}/{one['id']}", headers=headers).status_code
            assert status == (200 if one["id"] in ids else 404), account
    assert client.get(BASE).status_code == 401
    admin = bearer(api_token("admin"))
    assert client.get(f"{BASE}?status=perjanjian", headers=admin).get_json()["items"] == []
    assert client.get(f"{BASE}?status=bogus", headers=admin).status_code == 422
    ordered = client.get(f"{BASE}?sort=-updated_at", headers=admin).get_json()["items"]
    assert ordered[0]["id"] == far["id"]


def test_edit_under_if_match_keeps_the_fields_not_sent(
    client: FlaskClient,
    officer: dict[str, str],
    data_counts: Counts,
    login: Callable[..., FlaskClient],
) -> None:
    created = _outside(client, officer, lessons="Pelajaran awal.")
    url, etag = f"{BASE}/{created.get_json()['id']}", created.headers["ETag"]
    before = data_counts()
    assert client.patch(url, headers=officer, json={"mode": "adopt"}).status_code == 428
    stale = client.patch(url, headers={**officer, "If-Match": '"42"'}, json={"mode": "adopt"})
    assert stale.status_code == 412 and stale.headers["ETag"] == etag
    blank = client.patch(url, headers={**officer, "If-Match": etag}, json={"source_name": " "})
    assert [e["field"] for e in blank.get_json()["errors"]] == ["source_name"]
    assert data_counts() == before
    response = client.patch(
        url, headers={**officer, "If-Match": etag}, json={"source_agency_name": "DPMPTSP Kendari"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["source_agency_name"] == "DPMPTSP Kendari"
    assert body["mode"] == "adapt" and body["lessons"] == "Pelajaran awal."  # kept
    assert response.headers["ETag"] != etag
    page = login("officer.bkd").get(f"/replications/{body['id']}").get_data(as_text=True)
    assert "DPMPTSP Kendari" in page


def test_status_moves_forward_or_stops_with_a_note(
    client: FlaskClient, officer: dict[str, str], api_token: TokenMaker, data_counts: Counts
) -> None:
    created = _outside(client, officer)
    url = f"{BASE}/{created.get_json()['id']}"
    headers = {**officer, "If-Match": created.headers["ETag"]}
    monitor = {**bearer(api_token("monitor", "write")), "If-Match": created.headers["ETag"]}
    other = {**bearer(api_token("officer.dpmptsp", "write")), "If-Match": created.headers["ETag"]}
    before = data_counts()
    status_url, agreement = f"{url}/status", {"to_status": "perjanjian"}
    assert client.post(status_url, headers=monitor, json=agreement).status_code == 403
    assert client.post(status_url, headers=other, json=agreement).status_code == 404
    assert client.post(status_url, headers=officer, json=agreement).status_code == 428
    back = client.post(f"{url}/status", headers=headers, json={"to_status": "minat"})
    assert [e["field"] for e in back.get_json()["errors"]] == ["to_status"]
    stop = client.post(f"{url}/status", headers=headers, json={"to_status": "dihentikan"})
    assert [e["field"] for e in stop.get_json()["errors"]] == ["note"]
    assert data_counts() == before

    agreed = client.post(f"{url}/status", headers=headers, json={"to_status": "perjanjian"})
    assert agreed.status_code == 200, agreed.get_data(as_text=True)
    assert agreed.get_json()["status"] == "perjanjian"
    assert [c["to_status"] for c in agreed.get_json()["changes"]] == ["minat", "perjanjian"]
    headers["If-Match"] = agreed.headers["ETag"]
    stopped = client.post(
        f"{url}/status", headers=headers, json={"to_status": "dihentikan", "note": "Anggaran"}
    )
    assert stopped.status_code == 200 and stopped.get_json()["next_statuses"] == []
