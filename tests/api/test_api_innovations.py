"""Innovation profile writes through the API: a draft created, changed field by field under
If-Match, submitted as complete (every problem named), moved between stages, published — the
same services and rules as the web forms, visible on the web pages, and refused with nothing
changed for the wrong role, token, version or input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.innovations.models import DESIGN_SECTIONS, Innovation, ProfileStatus
from puja_indah.innovations.services import today_wita
from puja_indah.reference.models import Affair, InitiatorKind, Theme
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import Demo

BASE = "/api/v1/innovations"
Counts = Callable[[], dict[str, int]]


@pytest.fixture
def officer(api_token: TokenMaker) -> dict[str, str]:
    return bearer(api_token("officer.bkd", "write"))


def _create(client: FlaskClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(BASE, headers=headers, json=body)


def _refs(app: Flask) -> dict[str, Any]:
    with app.app_context(), scoped(Scope.system("tests: reference ids"), db.session):
        refs = {
            "affairs": list(db.session.scalars(sa.select(Affair.id).order_by(Affair.id))),
            "theme": db.session.scalar(sa.select(sa.func.max(Theme.id))),
            "initiator": db.session.scalar(sa.select(sa.func.min(InitiatorKind.id))),
        }
        db.session.remove()
    return refs


def _complete_fields(refs: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary": "Warga mengambil nomor antrean dari ponsel.",
        "initiator_kind_id": refs["initiator"],
        "initiator_name": "Kepala BKD",
        "kind": "digital",
        "form": "pelayanan_publik",
        "theme_id": refs["theme"],
        "affair_id": refs["affairs"][0],
        "developed_further": False,
        "goals": "Mengurangi antrean.",
        "benefits": "Warga tidak menunggu lama.",
        **{name: " ".join(["langkah"] * 50) for name in DESIGN_SECTIONS},
    }


def _stored(app: Flask, innovation_id: int) -> Innovation:
    with app.app_context(), scoped(Scope.system("tests: read innovation"), db.session):
        row = db.session.get(Innovation, innovation_id)
        assert row is not None
        db.session.expunge(row)
        db.session.remove()
    return row


def test_create_a_draft_then_see_it_on_the_web(
    client: FlaskClient, officer: dict[str, str], demo: Demo, login: Callable[..., FlaskClient]
) -> None:
    response = _create(
        client,
        officer,
        name="  Antrean   daring BKD ",
        stage="uji_coba",
        summary="  Nomor antrean dari ponsel. ",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"] == f"{BASE}/{body['id']}"
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert body["name"] == "Antrean daring BKD"  # collapsed like the web form's filter
    assert body["summary"] == "Nomor antrean dari ponsel."
    assert body["status"] == "draft" and body["stage"] == "uji_coba"
    assert body["agency_id"] == demo.agency("BKD") and body["published"] is False
    assert [c["to_stage"] for c in body["stage_changes"]] == ["uji_coba"]
    assert client.get(response.headers["Location"], headers=officer).status_code == 200
    page = login("officer.bkd").get(f"/innovations/{body['id']}").get_data(as_text=True)
    assert "Antrean daring BKD" in page and "Nomor antrean dari ponsel." in page


def test_creating_is_refused_to_readers_and_read_tokens(
    client: FlaskClient, api_token: TokenMaker, data_counts: Counts
) -> None:
    tokens = {account: api_token(account, "write") for account in ("monitor", "reviewer", "admin")}
    read_token = api_token("officer.bkd", "read")
    before = data_counts()
    read = _create(client, bearer(read_token), name="Baca saja")
    assert read.status_code == 403 and read.get_json()["code"] == "insufficient_scope"
    for account, secret in tokens.items():
        response = _create(client, bearer(secret), name="Bukan OPD")
        assert response.status_code == 403, account
        assert response.get_json()["code"] == "forbidden"
    assert _create(client, {}, name="Tanpa token").status_code == 401
    assert data_counts() == before


def test_bad_input_names_each_field_and_saves_nothing(
    client: FlaskClient, officer: dict[str, str], data_counts: Counts
) -> None:
    before = data_counts()
    response = _create(
        client,
        officer,
        name="x" * 201,
        kind="analog",
        video_url="ftp://example.org/v",
        trial_date="kemarin",
        other_affair_ids=["satu"],
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"name", "kind", "video_url", "trial_date", "other_affair_ids.0"}
    assert {e["location"] for e in response.get_json()["errors"]} == {"json"}
    unknown = _create(client, officer, name="Status sendiri", status="complete")
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.get_json()["errors"]] == ["status"]
    # The service's own rules: a reference row that does not exist, a blank name.
    missing = _create(client, officer, name="Tema hilang", theme_id=2_000_000)
    assert missing.status_code == 422
    assert [e["field"] for e in missing.get_json()["errors"]] == ["theme_id"]
    blank = _create(client, officer, name="   ")
    assert blank.status_code == 422 and blank.get_json()["errors"][0]["field"] == "name"
    dates = {"trial_date": "2025-05-01", "implementation_date": "2025-01-01"}
    order = _create(client, officer, name="Tanggal terbalik", **dates)
    assert [e["field"] for e in order.get_json()["errors"]] == ["implementation_date"]
    assert data_counts() == before


def test_a_name_is_unique_within_the_region(
    client: FlaskClient, officer: dict[str, str], api_token: TokenMaker, data_counts: Counts
) -> None:
    dpmptsp, konsel = api_token("officer.dpmptsp", "write"), api_token("officer.konsel", "write")
    assert _create(client, officer, name="Nama Kembar").status_code == 201
    before = data_counts()
    again = _create(client, officer, name="nama   kembar")
    assert again.status_code == 422
    assert [e["field"] for e in again.get_json()["errors"]] == ["name"]
    same_region = _create(client, bearer(dpmptsp), name="Nama kembar")
    assert same_region.status_code == 422
    assert data_counts() == before
    far = _create(client, bearer(konsel), name="Nama kembar")
    assert far.status_code == 201  # another region


def test_patch_changes_only_the_fields_sent_under_if_match(
    app: Flask,
    client: FlaskClient,
    officer: dict[str, str],
    data_counts: Counts,
    login: Callable[..., FlaskClient],
) -> None:
    refs = _refs(app)
    created = _create(
        client,
        officer,
        name="Layanan kepegawaian",
        summary="Ringkasan lama.",
        other_affair_ids=refs["affairs"][1:3],
        developed_further=True,
    ).get_json()
    url, etag = f"{BASE}/{created['id']}", f'"{created["version"]}"'
    before = data_counts()

    missing = client.patch(url, headers=officer, json={"goals": "Baru"})
    assert missing.status_code == 428 and missing.get_json()["code"] == "if_match_required"
    stale = client.patch(url, headers={**officer, "If-Match": '"999"'}, json={"goals": "Baru"})
    assert stale.status_code == 412 and stale.get_json()["code"] == "stale_version"
    assert stale.headers["ETag"] == etag
    assert data_counts() == before

    response = client.patch(
        url, headers={**officer, "If-Match": etag}, json={"goals": "Tujuan baru.", "kind": None}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["goals"] == "Tujuan baru."
    assert body["summary"] == "Ringkasan lama." and body["developed_further"] is True
    assert body["other_affair_ids"] == sorted(refs["affairs"][1:3])
    assert body["version"] == created["version"] + 1
    assert response.headers["ETag"] == f'"{body["version"]}"'
    # The old ETag is stale now.
    again = client.patch(url, headers={**officer, "If-Match": etag}, json={"goals": "Lagi"})
    assert again.status_code == 412
    page = login("officer.bkd").get(f"/innovations/{created['id']}/edit").get_data(as_text=True)
    assert "Tujuan baru." in page and "Ringkasan lama." in page


def test_complete_lists_every_problem_then_saves(
    app: Flask, client: FlaskClient, officer: dict[str, str], data_counts: Counts
) -> None:
    created = _create(client, officer, name="Profil lengkap").get_json()
    url = f"{BASE}/{created['id']}"
    headers = {**officer, "If-Match": f'"{created["version"]}"'}
    before = data_counts()
    refused = client.patch(url, headers=headers, json={"complete": True, "goals": "Tujuan."})
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["code"] == "validation"
    fields = {e["field"] for e in problem["errors"]}
    assert {"summary", "kind", "form", "theme_id", "affair_id", "design"} <= fields
    assert "goals" not in fields
    assert data_counts() == before
    assert _stored(app, created["id"]).goals == ""  # nothing saved

    body = {"complete": True, **_complete_fields(_refs(app))}
    done = client.patch(url, headers=headers, json=body)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["status"] == "complete"
    assert done.get_json()["completed_at"] is not None
    # A complete profile stays complete: emptying a required field is refused.
    emptied = client.patch(
        url, headers={**officer, "If-Match": done.headers["ETag"]}, json={"goals": ""}
    )
    assert emptied.status_code == 422
    assert [e["field"] for e in emptied.get_json()["errors"]] == ["goals"]


def test_stage_moves_follow_the_web_rules(
    app: Flask, client: FlaskClient, officer: dict[str, str], data_counts: Counts
) -> None:
    created = _create(client, officer, name="Tahapan inovasi").get_json()
    url = f"{BASE}/{created['id']}/stage"
    headers = {**officer, "If-Match": f'"{created["version"]}"'}
    today = today_wita()
    before = data_counts()
    assert client.post(url, headers=officer, json={"to_stage": "uji_coba"}).status_code == 428
    future = client.post(
        url,
        headers=headers,
        json={"to_stage": "uji_coba", "changed_on": (today + timedelta(days=1)).isoformat()},
    )
    assert future.status_code == 422
    assert [e["field"] for e in future.get_json()["errors"]] == ["changed_on"]
    same = client.post(url, headers=headers, json={"to_stage": "inisiatif"})
    assert [e["field"] for e in same.get_json()["errors"]] == ["to_stage"]
    nothing = client.post(url, headers=headers, json={})
    assert [e["field"] for e in nothing.get_json()["errors"]] == ["to_stage"]
    assert data_counts() == before

    moved = client.post(url, headers=headers, json={"to_stage": "uji_coba"})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    body = moved.get_json()
    assert body["stage"] == "uji_coba" and body["trial_date"] == today.isoformat()
    assert [c["to_stage"] for c in body["stage_changes"]] == ["inisiatif", "uji_coba"]
    back_headers = {**officer, "If-Match": moved.headers["ETag"]}
    back = client.post(url, headers=back_headers, json={"to_stage": "inisiatif"})
    assert back.status_code == 422
    assert [e["field"] for e in back.get_json()["errors"]] == ["note"]
    noted = client.post(
        url, headers=back_headers, json={"to_stage": "inisiatif", "note": "Salah catat."}
    )
    assert noted.status_code == 200 and noted.get_json()["stage_changes"][-1]["note"]


def test_only_a_complete_profile_is_published(
    app: Flask, client: FlaskClient, officer: dict[str, str], data_counts: Counts
) -> None:
    created = _create(client, officer, name="Katalog publik").get_json()
    url = f"{BASE}/{created['id']}"
    headers = {**officer, "If-Match": f'"{created["version"]}"'}
    before = data_counts()
    assert client.post(f"{url}/publish", headers=officer).status_code == 428
    draft = client.post(f"{url}/publish", headers=headers)
    assert draft.status_code == 422 and draft.get_json()["code"] == "validation"
    assert data_counts() == before
    with app.app_context(), scoped(Scope.system("tests: complete"), db.session):
        row = db.session.get(Innovation, created["id"])
        assert row is not None
        row.status = ProfileStatus.COMPLETE
        db.session.commit()
        version = row.version
        db.session.remove()
    headers["If-Match"] = f'"{version}"'
    published = client.post(f"{url}/publish", headers=headers)
    assert published.status_code == 200, published.get_data(as_text=True)
    assert published.get_json()["published"] is True
    assert published.get_json()["published_at"] is not None
    headers["If-Match"] = published.headers["ETag"]
    hidden = client.post(f"{url}/unpublish", headers=headers)
    assert hidden.status_code == 200 and hidden.get_json()["published"] is False


def test_another_agencys_innovation_is_not_found_and_readers_never_write(
    client: FlaskClient, api_token: TokenMaker, officer: dict[str, str], data_counts: Counts
) -> None:
    created = _create(client, officer, name="Milik BKD").get_json()
    url = f"{BASE}/{created['id']}"
    etag = {"If-Match": f'"{created["version"]}"'}
    other = {**bearer(api_token("officer.dpmptsp", "write")), **etag}
    monitor = {**bearer(api_token("monitor", "write")), **etag}
    lead = {**bearer(api_token("lead.bkd", "write")), **etag}
    before = data_counts()
    assert client.patch(url, headers=other, json={"goals": "x"}).status_code == 404
    assert (
        client.post(f"{url}/stage", headers=other, json={"to_stage": "uji_coba"}).status_code == 404
    )
    assert client.post(f"{url}/publish", headers=other).status_code == 404
    assert client.get(url, headers=monitor).status_code == 200  # reads its region
    assert client.patch(url, headers=monitor, json={"goals": "x"}).status_code == 403
    assert client.post(f"{url}/unpublish", headers=monitor).status_code == 403
    assert client.patch(url, headers=lead, json={"bogus": 1}).status_code == 422
    assert data_counts() == before
    assert client.patch(url, headers=lead, json={"goals": "Oleh kepala."}).status_code == 200
