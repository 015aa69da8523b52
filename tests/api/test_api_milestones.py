"""Milestones through the API: who reads an innovation's milestones (its agency, its region's
monitor, national roles; nobody else), and the agency's writes — add, change under If-Match,
delete — through the web's services, visible on the web timeline, refused with nothing changed
for the wrong role, token, version or input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.progress.services import today_wita
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import Demo
from tests.integration.progress_helpers import make_innovation

Counts = Callable[[], dict[str, int]]


@pytest.fixture
def bkd(app: Flask, demo: Demo) -> dict[str, Any]:
    return make_innovation(
        app,
        demo.agency("BKD"),
        "Tonggak BKD",
        milestones=((date(2025, 1, 10), 20), (date(2025, 6, 1), 60)),
        documents=("SK Tim", "Laporan uji coba"),
    )


def _url(ids: dict[str, Any], milestone: int | None = None) -> str:
    base = f"/api/v1/innovations/{ids['innovation']}/milestones"
    return base if milestone is None else f"{base}/{milestone}"


def test_each_role_reads_the_milestones_of_its_scope(
    app: Flask, client: FlaskClient, api_token: TokenMaker, demo: Demo, bkd: dict[str, Any]
) -> None:
    expected = {
        "officer.bkd": 200,
        "lead.bkd": 200,
        "monitor": 200,
        "reviewer": 200,
        "admin": 200,
        "officer.dpmptsp": 404,
        "officer.konsel": 404,
        "monitor.konsel": 404,
    }
    for account, status in expected.items():
        headers = bearer(api_token(account))
        assert client.get(_url(bkd), headers=headers).status_code == status, account
        one = client.get(_url(bkd, bkd["milestones"][0]), headers=headers)
        assert one.status_code == status, account
    assert client.get(_url(bkd)).status_code == 401

    headers = bearer(api_token("officer.bkd"))
    body = client.get(_url(bkd), headers=headers).get_json()
    assert [m["progress"] for m in body["items"]] == [60, 20]  # newest first
    assert body["meta"]["total"] == 2
    oldest = client.get(f"{_url(bkd)}?sort=happened_on", headers=headers).get_json()
    assert [m["progress"] for m in oldest["items"]] == [20, 60]
    one = client.get(_url(bkd, bkd["milestones"][0]), headers=headers)
    assert one.headers["ETag"] == f'"{one.get_json()["version"]}"'
    # Another innovation's milestone under this innovation's address is not found.
    other = make_innovation(app, demo.agency("BKD"), "Lain", milestones=((date(2025, 2, 2), 5),))
    assert client.get(_url(bkd, other["milestones"][0]), headers=headers).status_code == 404


def test_add_a_milestone_and_see_it_on_the_timeline(
    client: FlaskClient,
    api_token: TokenMaker,
    bkd: dict[str, Any],
    login: Callable[..., FlaskClient],
) -> None:
    headers = bearer(api_token("officer.bkd", "write"))
    response = client.post(
        _url(bkd),
        headers=headers,
        json={
            "title": "  Uji coba   di tiga Puskesmas ",
            "progress": 75,
            "evidence_ids": [bkd["documents"][1]],
            "new_link_title": "Berita acara",
            "new_link_url": "https://example.org/ba.pdf",
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"] == _url(bkd, body["id"])
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert body["title"] == "Uji coba di tiga Puskesmas"
    assert body["happened_on"] == today_wita().isoformat() and body["public"] is False
    titles = {d["title"] for d in body["documents"]}
    assert titles == {"Laporan uji coba", "Berita acara"}
    page = login("officer.bkd").get(f"/innovations/{bkd['innovation']}/timeline")
    assert "Uji coba di tiga Puskesmas" in page.get_data(as_text=True)


def test_bad_milestones_name_the_field_and_save_nothing(
    app: Flask,
    client: FlaskClient,
    api_token: TokenMaker,
    demo: Demo,
    bkd: dict[str, Any],
    data_counts: Counts,
) -> None:
    other = make_innovation(app, demo.agency("BKD"), "Dokumen lain", documents=("Lain",))
    headers = bearer(api_token("officer.bkd", "write"))
    before = data_counts()
    tomorrow = (today_wita() + timedelta(days=1)).isoformat()
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"progress": 10}, {"title"}),
        ({"title": "x", "progress": 101}, {"progress"}),
        ({"title": "x" * 201, "progress": 1}, {"title"}),
        ({"title": "x", "progress": 1, "happened_on": tomorrow}, {"happened_on"}),
        ({"title": "x", "progress": 1, "happened_on": "1999-12-31"}, {"happened_on"}),
        ({"title": "x", "progress": 1, "evidence_ids": other["documents"]}, {"evidence_ids"}),
        ({"title": "x", "progress": 1, "new_link_title": "Tanpa alamat"}, {"new_link_url"}),
        ({"title": "x", "progress": 1, "new_link_url": "javascript:alert(1)"}, {"new_link_url"}),
        ({"title": "x", "progress": 1, "version": 3}, {"version"}),
    ]
    for body, fields in cases:
        response = client.post(_url(bkd), headers=headers, json=body)
        assert response.status_code == 422, body
        assert {e["field"] for e in response.get_json()["errors"]} == fields, body
    assert data_counts() == before


def test_change_under_if_match_keeps_the_fields_not_sent(
    client: FlaskClient,
    api_token: TokenMaker,
    bkd: dict[str, Any],
    data_counts: Counts,
    login: Callable[..., FlaskClient],
) -> None:
    headers = bearer(api_token("officer.bkd", "write"))
    url = _url(bkd, bkd["milestones"][0])
    first = client.patch(url, headers=headers, json={"evidence_ids": [bkd["documents"][0]]})
    assert first.status_code == 428
    current = client.get(url, headers=headers)
    etag = current.headers["ETag"]
    before = data_counts()
    stale = client.patch(url, headers={**headers, "If-Match": '"99"'}, json={"progress": 30})
    assert stale.status_code == 412 and stale.headers["ETag"] == etag
    assert data_counts() == before

    attached = client.patch(
        url, headers={**headers, "If-Match": etag}, json={"evidence_ids": [bkd["documents"][0]]}
    )
    assert attached.status_code == 200, attached.get_data(as_text=True)
    body = attached.get_json()
    assert [d["id"] for d in body["documents"]] == [bkd["documents"][0]]
    assert body["progress"] == 20 and body["happened_on"] == "2025-01-10"  # kept
    assert attached.headers["ETag"] != etag
    changed = client.patch(
        url,
        headers={**headers, "If-Match": attached.headers["ETag"]},
        json={"progress": 35, "public": True},
    )
    assert changed.status_code == 200
    assert [d["id"] for d in changed.get_json()["documents"]] == [bkd["documents"][0]]  # kept
    assert changed.get_json()["progress"] == 35 and changed.get_json()["public"] is True
    edit = f"/innovations/{bkd['innovation']}/milestones/{bkd['milestones'][0]}/edit"
    page = login("officer.bkd").get(edit)
    assert 'value="35"' in page.get_data(as_text=True)


def test_delete_needs_the_current_version(
    client: FlaskClient, api_token: TokenMaker, bkd: dict[str, Any], data_counts: Counts
) -> None:
    headers = bearer(api_token("officer.bkd", "write"))
    url = _url(bkd, bkd["milestones"][1])
    etag = client.get(url, headers=headers).headers["ETag"]
    before = data_counts()
    assert client.delete(url, headers=headers).status_code == 428
    assert client.delete(url, headers={**headers, "If-Match": '"7"'}).status_code == 412
    assert data_counts() == before
    deleted = client.delete(url, headers={**headers, "If-Match": etag})
    assert deleted.status_code == 204 and deleted.data == b""
    assert client.get(url, headers=headers).status_code == 404
    assert data_counts()["milestones"] == before["milestones"] - 1


def test_readers_other_agencies_and_read_tokens_never_write(
    client: FlaskClient, api_token: TokenMaker, bkd: dict[str, Any], data_counts: Counts
) -> None:
    url = _url(bkd, bkd["milestones"][0])
    etag = client.get(url, headers=bearer(api_token("officer.bkd"))).headers["ETag"]
    secrets = {
        "read": api_token("officer.bkd", "read"),
        "dpmptsp": api_token("officer.dpmptsp", "write"),
        "monitor": api_token("monitor", "write"),
        "reviewer": api_token("reviewer", "write"),
    }
    before = data_counts()
    expected = {"read": 403, "dpmptsp": 404, "monitor": 403, "reviewer": 403}
    for who, status in expected.items():
        headers = {**bearer(secrets[who]), "If-Match": etag}
        new = client.post(_url(bkd), headers=headers, json={"title": "x", "progress": 1})
        assert new.status_code == status, who
        assert client.patch(url, headers=headers, json={"progress": 99}).status_code == status
        assert client.delete(url, headers=headers).status_code == status, who
    assert data_counts() == before
