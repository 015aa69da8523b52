"""`/api/v1/etracking`: the e-tracking module's own API — the desk's files (list, one file, a desk
step under If-Match, intake). BKD runs the SPM desk in the demo; DPMPTSP's licence desk is
"another agency", Konawe Selatan's BKAD a desk in another region."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.core.db import utcnow
from puja_indah.core.models import Agency, Role
from puja_indah.core.registry import ModuleActivation
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking import api as etracking_api
from puja_indah.modules.etracking import codes, desk_queries, engine
from puja_indah.modules.etracking.models import (
    FileAction,
    FileEvent,
    FileStatus,
    Process,
    TrackedFile,
)
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import Demo
from tests.tenancy.route_matrix import _matrix_tracked_file

PROBLEM = "application/problem+json"
FILES = "/api/v1/etracking/files"


@contextmanager
def system(app: Flask) -> Iterator[None]:
    with app.test_request_context(), scoped(Scope.system("tests: e-tracking api"), db.session):
        yield
        db.session.remove()


def new_file(app: Flask, agency_id: int, preset: str = "bkd_spm") -> int:
    """A fresh open file at the agency's desk (module on, preset installed), registered the way
    the desk does it."""
    with system(app):
        tracked = _matrix_tracked_file(agency_id, preset)
        tracked_id = tracked.id
    return tracked_id


def file_row(app: Flask, tracked_id: int) -> tuple[str, FileStatus, int, int]:
    """(stage code, status, last sequence, number of events) as the database has them."""
    with system(app):
        tracked = db.session.get(TrackedFile, tracked_id)
        assert tracked is not None
        events = db.session.scalar(
            sa.select(sa.func.count()).where(FileEvent.file_id == tracked_id)
        )
        return tracked.stage.code, tracked.status, tracked.last_sequence, int(events or 0)


def switch_etracking(app: Flask, agency_id: int, on: bool) -> None:
    with system(app):
        row = db.session.scalar(
            sa.select(ModuleActivation).where(
                ModuleActivation.agency_id == agency_id,
                ModuleActivation.module_code == "etracking",
            )
        )
        assert row is not None
        row.enabled = on
        db.session.commit()


@pytest.fixture
def officer(api_token: TokenMaker) -> dict[str, str]:
    return bearer(api_token("officer.bkd", "write"))


def act(
    client: FlaskClient, headers: dict[str, str], tracked_id: int, version: Any, **body: Any
) -> Any:
    return client.post(
        f"{FILES}/{tracked_id}/actions",
        headers=headers | ({"If-Match": f'"{version}"'} if version is not None else {}),
        json=body,
    )


# --- reading -------------------------------------------------------------------------------------


def test_list_holds_the_desk_files_only(
    app: Flask, client: FlaskClient, demo: Demo, officer: dict[str, str]
) -> None:
    bkd = demo.agency("BKD")
    other = new_file(app, demo.agency("DPMPTSP"), "dpmptsp_permit")
    far = new_file(app, demo.agency("BKAD", "74.05"))
    own = new_file(app, bkd)
    with system(app):
        expected = set(
            db.session.scalars(sa.select(TrackedFile.id).where(TrackedFile.agency_id == bkd))
        )
    seen: set[int] = set()
    url: str | None = f"{FILES}?per_page=100"
    while url:
        response = client.get(url, headers=officer)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        seen |= {item["id"] for item in body["items"]}
        url = body["links"]["next"]
    assert seen == expected and own in seen
    assert other not in seen and far not in seen
    assert body["meta"]["total"] == len(expected)


def test_list_filters_sort_and_page(
    app: Flask, client: FlaskClient, demo: Demo, officer: dict[str, str]
) -> None:
    own = new_file(app, demo.agency("BKD"))
    with system(app):
        tracked = db.session.get(TrackedFile, own)
        assert tracked is not None
        code, number, process_id = (
            tracked.public_code,
            tracked.internal_number,
            tracked.version.process_id,
        )
    # By its tracking code typed the way a receipt shows it, in lower case; by part of its number.
    typed = codes.display(code).lower()
    for q in (typed, number[2:9]):
        items = client.get(FILES, query_string={"q": q}, headers=officer).get_json()["items"]
        assert own in {i["id"] for i in items}, q
    found = client.get(FILES, query_string={"q": typed}, headers=officer).get_json()
    assert [i["id"] for i in found["items"]] == [own]
    item = found["items"][0]
    assert item["public_code"] == code and item["public_code_display"] == codes.display(code)
    assert item["status_url"].endswith(f"/s/{code}")
    assert item["stage"]["code"] == "received" and item["status"] == "open"
    assert item["amount"] == "1500000.00" and item["version"] == 1
    assert item["sla"]["urgency"] in ("ok", "soon", "late")

    def ids(**params: Any) -> list[int]:
        response = client.get(FILES, query_string={"per_page": 100, **params}, headers=officer)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [i["id"] for i in response.get_json()["items"]]

    bkd = demo.agency("BKD")
    with system(app):
        files = list(db.session.scalars(sa.select(TrackedFile).where(TrackedFile.agency_id == bkd)))
        at_desk = {f.id for f in files if f.status in (FileStatus.OPEN, FileStatus.RETURNED)}
        closed = {f.id for f in files} - at_desk
        received = {
            f.id for f in files if f.stage.code == "received" and f.version.process_id == process_id
        }
    assert set(ids(state="open")) == at_desk and set(ids(state="closed")) == closed
    assert closed, "the demo desk has closed files"
    assert set(ids(status="completed")) <= closed
    assert set(ids(stage="received", process_id=process_id)) == received
    assert ids(process_id=process_id) and not ids(process_id=2**31 - 1)

    # Overdue: what the queue marks late, no more, no less.
    with app.test_request_context():
        desk = Scope.for_membership(Role.AGENCY_OFFICER, bkd, demo.regions["74.06"])
        with scoped(desk, db.session):
            late = desk_queries.overdue_file_ids(utcnow())
            db.session.remove()
    overdue = client.get(FILES, query_string={"overdue": "true", "per_page": 100}, headers=officer)
    items = overdue.get_json()["items"]
    assert {i["id"] for i in items} == late
    assert all(i["sla"]["urgency"] == "late" and i["sla"]["late"] for i in items)
    assert not late & set(ids(overdue="false"))

    numbers = [
        i["internal_number"]
        for i in client.get(
            FILES, query_string={"sort": "internal_number", "per_page": 100}, headers=officer
        ).get_json()["items"]
    ]
    assert numbers == sorted(numbers)
    first = client.get(FILES, query_string={"per_page": 2}, headers=officer)
    assert len(first.get_json()["items"]) == 2 and 'rel="next"' in first.headers["Link"]
    bad = client.get(
        FILES, query_string={"state": "lost", "sort": "amount", "status": "x"}, headers=officer
    )
    assert bad.status_code == 422 and bad.mimetype == PROBLEM
    assert {e["field"] for e in bad.get_json()["errors"]} == {"state", "sort", "status"}


def test_one_file_with_history_sla_and_actions(
    app: Flask, client: FlaskClient, demo: Demo, officer: dict[str, str]
) -> None:
    own = new_file(app, demo.agency("BKD"))
    response = client.get(f"{FILES}/{own}", headers=officer)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["ETag"] == '"1"'
    body = response.get_json()
    assert body["stage"]["code"] == "received" and body["stage"]["sla_minutes"] == 60
    assert [e["action"] for e in body["events"]] == ["receive"]
    assert body["events"][0]["to_stage"]["code"] == "received"
    assert body["actions"] == ["advance", "reject"] and body["may_act"] is True
    assert body["checklist_ticked"] and body["sla"]["minutes_in_stage"] is not None

    # A demo file that went through stages: working minutes per stage, as the page shows.
    with system(app):
        walked = db.session.scalar(
            sa.select(FileEvent.file_id)
            .join(TrackedFile, TrackedFile.id == FileEvent.file_id)
            .where(
                TrackedFile.agency_id == demo.agency("BKD"),
                FileEvent.working_minutes.is_not(None),
            )
            .limit(1)
        )
    assert walked is not None
    events = client.get(f"{FILES}/{walked}", headers=officer).get_json()["events"]
    timed = [e for e in events if e["working_minutes"] is not None]
    assert timed and all(e["from_stage"] and "breached" in e for e in timed)


def test_other_and_far_files_are_not_found(
    app: Flask, client: FlaskClient, demo: Demo, officer: dict[str, str]
) -> None:
    other = new_file(app, demo.agency("DPMPTSP"), "dpmptsp_permit")
    far = new_file(app, demo.agency("BKAD", "74.05"))
    for tracked_id in (other, far, 2**31 - 1):
        response = client.get(f"{FILES}/{tracked_id}", headers=officer)
        assert response.status_code == 404 and response.mimetype == PROBLEM
        moved = act(client, officer, tracked_id, 1, action="advance")
        assert moved.status_code == 404
    assert file_row(app, other)[2] == 1 and file_row(app, far)[2] == 1


def test_roles_tokens_and_switched_off_module(
    app: Flask, client: FlaskClient, demo: Demo, api_token: TokenMaker, officer: dict[str, str]
) -> None:
    own = new_file(app, demo.agency("BKD"))
    assert client.get(FILES).status_code == 401
    for account in ("monitor", "reviewer", "admin"):
        headers = bearer(api_token(account, "write"))
        response = client.get(FILES, headers=headers)
        assert response.status_code == 403 and response.get_json()["code"] == "forbidden"
    lead = bearer(api_token("lead.bkd", "write"))
    assert client.get(f"{FILES}/{own}", headers=lead).status_code == 200
    # A read token reads the desk (can_view_desk) but may take no step.
    reader = bearer(api_token("officer.bkd", "read"))
    assert client.get(FILES, headers=reader).status_code == 200
    seen = client.get(f"{FILES}/{own}", headers=reader).get_json()
    assert seen["actions"] == [] and seen["may_act"] is False
    refused = act(client, reader, own, 1, action="advance")
    assert refused.status_code == 403 and refused.get_json()["code"] == "insufficient_scope"

    switch_etracking(app, demo.agency("BKD"), False)
    for response in (
        client.get(FILES, headers=officer),
        client.get(f"{FILES}/{own}", headers=officer),
        act(client, officer, own, 1, action="advance"),
        client.post(FILES, headers=officer, json={"process_id": 1}),
    ):
        assert response.status_code == 404 and response.mimetype == PROBLEM
    assert file_row(app, own)[2] == 1
    switch_etracking(app, demo.agency("BKD"), True)
    assert client.get(FILES, headers=officer).status_code == 200


# --- desk steps ----------------------------------------------------------------------------------


def test_advance_once_and_the_same_request_again_is_412(
    app: Flask,
    client: FlaskClient,
    demo: Demo,
    officer: dict[str, str],
    data_counts: Callable[[], dict[str, int]],
    login: Callable[[str], FlaskClient],
) -> None:
    own = new_file(app, demo.agency("BKD"))
    before = data_counts()
    missing = act(client, officer, own, None, action="advance")
    assert missing.status_code == 428 and missing.get_json()["code"] == "if_match_required"
    old = act(client, officer, own, 0, action="advance")
    assert old.status_code == 412 and old.get_json()["current_version"] == 1
    assert old.headers["ETag"] == '"1"'
    assert data_counts() == before

    moved = act(client, officer, own, 1, action="advance", note="")
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert moved.headers["ETag"] == '"2"'
    body = moved.get_json()
    assert body["stage"]["code"] == "completeness" and body["version"] == 2
    last = body["events"][-1]
    assert last["action"] == "advance" and last["from_stage"]["code"] == "received"
    assert last["by"] and last["working_minutes"] is not None
    assert body["actions"] == ["advance", "return", "reject"]
    assert file_row(app, own) == ("completeness", FileStatus.OPEN, 2, 2)

    # The identical request again (a double tap, a retry): refused, the file moved once.
    after = data_counts()
    again = act(client, officer, own, 1, action="advance", note="")
    assert again.status_code == 412
    problem = again.get_json()
    assert problem["code"] == "stale_version" and problem["current_version"] == 2
    assert again.headers["ETag"] == '"2"'
    assert file_row(app, own) == ("completeness", FileStatus.OPEN, 2, 2)
    assert data_counts() == after

    # The desk's web page shows the step.
    page = login("officer.bkd").get(f"/m/etracking/files/{own}")
    assert page.status_code == 200 and "Pemeriksaan kelengkapan" in page.get_data(as_text=True)


def test_a_step_that_lost_the_race_is_412(
    app: Flask,
    client: FlaskClient,
    demo: Demo,
    officer: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    data_counts: Callable[[], dict[str, int]],
) -> None:
    """Another clerk's step lands between the If-Match check and ours: the engine's
    compare-and-swap refuses ours, nothing of it is kept."""
    own = new_file(app, demo.agency("BKD"))

    def someone_else_acts(version: int) -> None:
        db.session.execute(
            sa.update(TrackedFile)
            .where(TrackedFile.id == own)
            .values(last_sequence=TrackedFile.last_sequence + 1)
            .execution_options(synchronize_session=False)
        )

    monkeypatch.setattr(etracking_api, "require_if_match", someone_else_acts)
    before = data_counts()
    response = act(client, officer, own, 1, action="advance")
    assert response.status_code == 412 and response.get_json()["code"] == "stale_version"
    assert data_counts() == before and file_row(app, own) == ("received", FileStatus.OPEN, 1, 1)


def test_refused_steps_name_the_fault_and_change_nothing(
    app: Flask,
    client: FlaskClient,
    demo: Demo,
    officer: dict[str, str],
    data_counts: Callable[[], dict[str, int]],
) -> None:
    own = new_file(app, demo.agency("BKD"))
    assert act(client, officer, own, 1, action="advance").status_code == 200
    before = data_counts()
    cases = [
        ({"action": "return"}, 422, "note"),  # a return needs its reason
        ({"action": "return", "note": "  "}, 422, "note"),
        ({"action": "return", "note": "x" * 1001}, 422, "note"),
        ({"action": "complete"}, 422, "action"),  # not a desk step
        ({"note": "x"}, 422, "action"),
        ({"action": "advance", "seen_sequence": 2}, 422, "seen_sequence"),  # unknown field
        ({"action": "resume"}, 409, None),  # only a returned file resumes
    ]
    for body, status, field in cases:
        response = act(client, officer, own, 2, **body)
        assert response.status_code == status, (body, response.get_data(as_text=True))
        problem = response.get_json()
        if field is not None:
            assert problem["code"] == "validation"
            assert field in {e["field"] for e in problem["errors"]}, (body, problem)
        else:
            assert problem["code"] == "action_not_possible" and problem["detail"]
    not_json = client.post(
        f"{FILES}/{own}/actions",
        headers=officer | {"If-Match": '"2"', "Content-Type": "application/json"},
        data="{",
    )
    assert not_json.status_code == 400
    assert data_counts() == before and file_row(app, own)[2] == 2

    returned = act(client, officer, own, 2, action="return", note="Kuitansi belum ditandatangani")
    assert returned.status_code == 200 and returned.get_json()["status"] == "returned"
    assert returned.get_json()["sla"]["urgency"] == "paused"
    assert returned.get_json()["actions"] == ["resume", "reject"]
    resumed = act(client, officer, own, 3, action="resume")
    assert resumed.status_code == 200 and resumed.get_json()["status"] == "open"


def test_a_stage_for_the_lead_only(
    app: Flask, client: FlaskClient, demo: Demo, api_token: TokenMaker, officer: dict[str, str]
) -> None:
    own = new_file(app, demo.agency("BKD"))
    version = 1
    while True:  # to "Penandatanganan SP2D" (lead only)
        body = client.get(f"{FILES}/{own}", headers=officer).get_json()
        if body["stage"]["code"] == "sp2d_signed":
            break
        assert act(client, officer, own, version, action="advance").status_code == 200
        version += 1
    assert body["actions"] == [] and body["may_act"] is False
    refused = act(client, officer, own, version, action="advance")
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden"
    assert "Penandatanganan SP2D" in refused.get_json()["detail"]
    lead = bearer(api_token("lead.bkd", "write"))
    assert client.get(f"{FILES}/{own}", headers=lead).get_json()["actions"] == [
        "advance",
        "reject",
    ]
    assert act(client, lead, own, version, action="advance").status_code == 200
    version += 1
    done = act(client, officer, own, version, action="advance")  # to the terminal stage
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    assert done.get_json()["sla"]["urgency"] == "closed" and done.get_json()["actions"] == []
    closed = act(client, officer, own, version + 1, action="reject", note="terlambat")
    assert closed.status_code == 409 and closed.get_json()["code"] == "action_not_possible"


def test_browser_session_needs_csrf_to_act(
    app: Flask, demo: Demo, login: Callable[[str], FlaskClient]
) -> None:
    own = new_file(app, demo.agency("BKD"))
    browser = login("officer.bkd")
    assert browser.get(f"{FILES}/{own}").status_code == 200
    response = browser.post(
        f"{FILES}/{own}/actions", json={"action": "advance"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 400 and response.get_json()["code"] == "csrf"
    assert file_row(app, own)[2] == 1


# --- intake --------------------------------------------------------------------------------------


@pytest.fixture
def spm(app: Flask, demo: Demo) -> dict[str, Any]:
    with system(app):
        process = db.session.scalar(
            sa.select(Process).where(
                Process.agency_id == demo.agency("BKD"), Process.code == "spm_sp2d"
            )
        )
        assert process is not None
        kind = engine.current_version(process).file_kinds[0]
        return {
            "process_id": process.id,
            "file_kind_id": kind.id,
            "internal_number": "SPM-UP/API-0001/2026",
            "amount": "2500000.50",
            "submitter_agency_id": demo.agency("DPMPTSP"),
            "ticked": list(kind.checklist),
        }


def test_register_a_file(
    app: Flask,
    client: FlaskClient,
    officer: dict[str, str],
    spm: dict[str, Any],
    login: Callable[[str], FlaskClient],
) -> None:
    response = client.post(FILES, headers=officer, json=spm)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"].endswith(f"{FILES}/{body['id']}")
    assert response.headers["ETag"] == '"1"'
    assert body["stage"]["code"] == "received" and body["amount"] == "2500000.50"
    assert body["submitter_agency_id"] == spm["submitter_agency_id"]
    assert [e["action"] for e in body["events"]] == ["receive"] and body["events"][0]["by"]
    assert codes.normalise(body["public_code"]) == body["public_code"]
    page = login("officer.bkd").get(f"/m/etracking/files/{body['id']}")
    assert page.status_code == 200 and "SPM-UP/API-0001/2026" in page.get_data(as_text=True)


def test_register_refusals_name_the_field(
    app: Flask,
    client: FlaskClient,
    demo: Demo,
    officer: dict[str, str],
    spm: dict[str, Any],
    data_counts: Callable[[], dict[str, int]],
) -> None:
    new_file(app, demo.agency("DPMPTSP"), "dpmptsp_permit")
    with system(app):
        other_process = db.session.scalar(
            sa.select(Process.id).where(Process.agency_id == demo.agency("DPMPTSP"))
        )
        far_agency = db.session.scalar(
            sa.select(Agency.id).where(Agency.region_id == demo.regions["74.05"]).limit(1)
        )
    before = data_counts()
    cases = [
        ({"ticked": spm["ticked"][:-1]}, "ticked"),
        ({"ticked": [*spm["ticked"], "Surat lain"]}, "ticked"),
        ({"amount": None}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"internal_number": ""}, "internal_number"),
        ({"internal_number": "   "}, "internal_number"),
        ({"submitter_agency_id": None}, "submitter_agency_id"),
        ({"submitter_agency_id": far_agency}, "submitter_agency_id"),
        ({"process_id": other_process}, "process_id"),
        ({"file_kind_id": 2**31 - 1}, "file_kind_id"),
        ({"file_kind_id": None}, "file_kind_id"),  # the SPM desk has four types
        ({"colour": "red"}, "colour"),
    ]
    for change, field in cases:
        response = client.post(FILES, headers=officer, json=spm | change)
        assert response.status_code == 422, (change, response.get_data(as_text=True))
        problem = response.get_json()
        assert problem["code"] == "validation"
        assert field in {e["field"] for e in problem["errors"]}, (change, problem)
    assert data_counts() == before


def test_register_twice_with_one_idempotency_key(
    client: FlaskClient,
    officer: dict[str, str],
    spm: dict[str, Any],
    data_counts: Callable[[], dict[str, int]],
) -> None:
    key = {"Idempotency-Key": "k" * 32}
    first = client.post(FILES, headers=officer | key, json=spm)
    assert first.status_code == 201
    after = data_counts()
    again = client.post(FILES, headers=officer | key, json=spm)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert data_counts() == after
    bad = client.post(FILES, headers=officer | {"Idempotency-Key": "short"}, json=spm)
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0] == {
        "field": "Idempotency-Key",
        "location": "headers",
        "message": bad.get_json()["detail"],
    }
    assert data_counts() == after


def test_licence_desk_intake_needs_the_applicant(
    app: Flask, client: FlaskClient, demo: Demo, api_token: TokenMaker
) -> None:
    dpmptsp = bearer(api_token("officer.dpmptsp", "write"))
    new_file(app, demo.agency("DPMPTSP"), "dpmptsp_permit")
    with system(app):
        process = db.session.scalar(
            sa.select(Process).where(Process.agency_id == demo.agency("DPMPTSP"))
        )
        assert process is not None
        kind = engine.current_version(process).file_kinds[0]
        body = {"process_id": process.id, "internal_number": "IZIN/API/1", "ticked": kind.checklist}
    missing = client.post(FILES, headers=dpmptsp, json=body)
    assert missing.status_code == 422
    assert missing.get_json()["errors"][0]["field"] == "applicant_name"
    # One file type: it may be left out; no amount needed for licences.
    made = client.post(FILES, headers=dpmptsp, json=body | {"applicant_name": "Pemohon API"})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["applicant_name"] == "Pemohon API" and made.get_json()["amount"] is None


def test_document_lists_the_module_routes(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths[FILES]) >= {"get", "post"}
    assert "post" in paths[f"{FILES}/{{tracked_id}}/actions"]
    params = paths[f"{FILES}/{{tracked_id}}/actions"]["post"]["parameters"]
    assert any(p["name"] == "If-Match" and p["required"] for p in params)


def test_engine_refusals_carry_their_kind(app: Flask, demo: Demo) -> None:
    own = new_file(app, demo.agency("BKD"))
    desk = Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), demo.regions["74.06"])
    with app.test_request_context(), scoped(desk, db.session):
        tracked = db.session.get(TrackedFile, own)
        assert tracked is not None
        with pytest.raises(engine.EngineRefused) as stale:
            engine.act(desk, tracked, FileAction.ADVANCE, 0, None)
        assert stale.value.kind == "stale"
        with pytest.raises(engine.EngineRefused) as impossible:
            engine.act(desk, tracked, FileAction.RESUME, 1, None)
        assert impossible.value.kind == "refused"
        db.session.rollback()
        db.session.remove()
