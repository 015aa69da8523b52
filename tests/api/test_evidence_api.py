"""`/api/v1/evidence`: evidence metadata in the caller's scope — own / other / far per role, the
web list's filters, file fingerprints and the indicators citing a document; never a deleted
document; the file itself only through the web's download address."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.assessment.models import AssessmentYear, Claim, ClaimEvidence, Indicator
from puja_indah.core.models import User
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence.models import Evidence, EvidenceFile
from puja_indah.evidence.services import evidence_files
from puja_indah.extensions import db
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import Demo
from tests.integration.test_replications import make_innovation

PROBLEM = "application/problem+json"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def storage_root(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "store" / "files"
    monkeypatch.setitem(app.config, "STORAGE_ROOT", str(root))
    return root


def _indicator_id(number: int, year: int = 2026) -> int:
    return int(
        db.session.scalar(
            sa.select(Indicator.id)
            .join(AssessmentYear, AssessmentYear.id == Indicator.year_id)
            .where(AssessmentYear.year == year, Indicator.number == number)
        )
    )


def _document(
    app: Flask,
    agency_id: int,
    title: str,
    *,
    innovation_id: int | None = None,
    files: int = 1,
    cited_by: tuple[int, ...] = (),
    deleted: bool = False,
    uploader: str = "officer.bkd",
) -> tuple[int, list[int]]:
    """A document with `files` versions, attached to claims of the given SID 2026 indicators."""
    with app.app_context(), scoped(Scope.system("tests: evidence"), db.session):
        uploaded_by = db.session.scalar(
            sa.select(User.id).where(User.email == f"{uploader}@demo.pujaindah.id")
        )
        evidence = Evidence(
            agency_id=agency_id,
            innovation_id=innovation_id,
            title=title,
            document_number=f"{title}/2026",
            document_date=date(2026, 2, 1),
            subject="Bukti dukung",
            deleted_at=datetime.now(UTC) if deleted else None,
        )
        for number in range(1, files + 1):
            data = PDF + str(number).encode()
            evidence.files.append(
                EvidenceFile(
                    agency_id=agency_id,
                    number=number,
                    storage_key=evidence_files().save(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data),
                    content_type="application/pdf",
                    original_name=f"bukti-{number}.pdf",
                    uploaded_at=datetime.now(UTC),
                    uploaded_by_id=uploaded_by,
                )
            )
        db.session.add(evidence)
        db.session.flush()
        for number in cited_by:
            assert innovation_id is not None
            claim = Claim(
                agency_id=agency_id,
                innovation_id=innovation_id,
                indicator_id=_indicator_id(number),
                level=2,
            )
            db.session.add(claim)
            db.session.flush()
            db.session.add(
                ClaimEvidence(agency_id=agency_id, claim_id=claim.id, evidence_id=evidence.id)
            )
        db.session.commit()
        result = evidence.id, [f.id for f in evidence.files]
        db.session.remove()
    return result


@pytest.fixture
def vault(app: Flask, demo: Demo) -> dict[str, Any]:
    bkd_innovation = make_innovation(app, demo.agency("BKD"), "Inovasi bukti BKD")
    dpm_innovation = make_innovation(app, demo.agency("DPMPTSP"), "Inovasi bukti DPMPTSP")
    far_innovation = make_innovation(app, demo.agency("BKAD", "74.05"), "Inovasi bukti Konsel")
    return {
        "innovation": bkd_innovation,
        "own": _document(
            app,
            demo.agency("BKD"),
            "SK Inovasi BKD",
            innovation_id=bkd_innovation,
            files=2,
            cited_by=(16, 3),
        ),
        "own_wide": _document(app, demo.agency("BKD"), "Surat Tugas BKD", files=0),
        "own_deleted": _document(
            app, demo.agency("BKD"), "Dihapus BKD", innovation_id=bkd_innovation, deleted=True
        ),
        "other": _document(
            app,
            demo.agency("DPMPTSP"),
            "SK DPMPTSP",
            innovation_id=dpm_innovation,
            uploader="officer.dpmptsp",
        ),
        "far": _document(
            app,
            demo.agency("BKAD", "74.05"),
            "SK Konsel",
            innovation_id=far_innovation,
            uploader="officer.konsel",
        ),
    }


def _ids(client: FlaskClient, headers: dict[str, str], query: str = "") -> set[int]:
    response = client.get(f"/api/v1/evidence?per_page=100{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["items"]}


def test_anonymous_is_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/evidence")
    assert response.status_code == 401 and response.mimetype == PROBLEM


@pytest.mark.parametrize(
    ("account", "visible"),
    [
        ("officer.bkd", {"own", "own_wide"}),
        ("lead.bkd", {"own", "own_wide"}),
        ("monitor", {"own", "own_wide", "other"}),
        ("reviewer", {"own", "own_wide", "other", "far"}),
        ("admin", {"own", "own_wide", "other", "far"}),
    ],
)
def test_each_role_sees_its_scope_and_never_a_deleted_document(
    client: FlaskClient,
    api_token: TokenMaker,
    vault: dict[str, Any],
    account: str,
    visible: set[str],
) -> None:
    headers = bearer(api_token(account))
    listed = _ids(client, headers)
    for name in ("own", "own_wide", "own_deleted", "other", "far"):
        evidence_id = vault[name][0]
        assert (evidence_id in listed) == (name in visible), name
        detail = client.get(f"/api/v1/evidence/{evidence_id}", headers=headers)
        expected = 200 if name in visible else 404
        assert detail.status_code == expected, (name, detail.get_data(as_text=True))
        if expected == 404:
            assert detail.mimetype == PROBLEM and detail.get_json()["code"] == "not_found"


def test_metadata_fingerprints_and_citing_indicators(
    client: FlaskClient, api_token: TokenMaker, vault: dict[str, Any], login: Callable[..., Any]
) -> None:
    headers = bearer(api_token("officer.bkd"))
    evidence_id, file_ids = vault["own"]
    response = client.get(f"/api/v1/evidence/{evidence_id}", headers=headers)
    body = response.get_json()
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert body["title"] == "SK Inovasi BKD" and body["document_number"] == "SK Inovasi BKD/2026"
    assert body["innovation_id"] == vault["innovation"]
    assert body["innovation_name"] == "Inovasi bukti BKD"
    assert body["document_date"] == "2026-02-01" and body["versions"] == 2
    current = body["current_file"]
    assert current["id"] == file_ids[-1] and current["number"] == 2
    assert current["content_type"] == "application/pdf" and current["size"] == len(PDF) + 1
    assert current["sha256"] == hashlib.sha256(PDF + b"2").hexdigest()
    assert current["uploaded_by"] and current["uploaded_at"]
    assert [f["number"] for f in body["files"]] == [2, 1]
    assert [(i["year"], i["number"], i["claimed_level"]) for i in body["indicators"]] == [
        (2026, 3, 2),
        (2026, 16, 2),
    ]
    assert body["web_url"] == f"/innovations/{vault['innovation']}/evidence/{evidence_id}"
    download = current["download_url"]
    assert download == (
        f"/innovations/{vault['innovation']}/evidence/{evidence_id}/files/{file_ids[-1]}"
    )
    # The file itself: the signed-in browser's route; a token opens no web page.
    assert login("officer.bkd").get(download).data == PDF + b"2"
    assert client.get(download, headers=headers).status_code == 302
    listed = client.get("/api/v1/evidence", headers=headers).get_json()["items"]
    (item,) = [i for i in listed if i["id"] == evidence_id]
    assert "files" not in item and item["indicators"] == body["indicators"]
    (wide,) = [i for i in listed if i["id"] == vault["own_wide"][0]]
    assert wide["current_file"] is None and wide["innovation_id"] is None
    assert wide["web_url"] == f"/evidence/{vault['own_wide'][0]}"


def test_filters_and_sorting(
    client: FlaskClient, api_token: TokenMaker, vault: dict[str, Any]
) -> None:
    headers = bearer(api_token("admin"))
    own, wide, other = vault["own"][0], vault["own_wide"][0], vault["other"][0]
    assert _ids(client, headers, f"&innovation_id={vault['innovation']}") == {own}
    assert wide in _ids(client, headers, "&agency_wide=true")
    assert not {own, other} & _ids(client, headers, "&agency_wide=true")
    assert wide not in _ids(client, headers, "&agency_wide=false")
    titles = [
        i["title"]
        for i in client.get("/api/v1/evidence?sort=title&per_page=100", headers=headers).get_json()[
            "items"
        ]
    ]
    assert titles == sorted(titles)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("innovation_id=0", "innovation_id"),
        ("agency_wide=maybe", "agency_wide"),
        ("sort=size", "sort"),
        ("per_page=0", "per_page"),
    ],
)
def test_bad_parameters_are_422(
    client: FlaskClient, api_token: TokenMaker, query: str, field: str
) -> None:
    response = client.get(f"/api/v1/evidence?{query}", headers=bearer(api_token("officer.bkd")))
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert [(e["field"], e["location"]) for e in response.get_json()["errors"]] == [
        (field, "query")
    ]


def test_no_write_through_the_evidence_api(
    client: FlaskClient, api_token: TokenMaker, vault: dict[str, Any]
) -> None:
    evidence_id = vault["own"][0]
    read = client.delete(
        f"/api/v1/evidence/{evidence_id}", headers=bearer(api_token("officer.bkd"))
    )
    assert read.status_code == 403 and read.get_json()["code"] == "insufficient_scope"
    write = client.delete(
        f"/api/v1/evidence/{evidence_id}", headers=bearer(api_token("officer.bkd", "write"))
    )
    assert write.status_code == 405
