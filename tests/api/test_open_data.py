"""Open data without a token (`/api/v1/open`): published innovations only, public fields only,
JSON and CSV alike; figures counted from published data by hand; the licence on every answer;
the OpenAPI document marks these operations as needing no credentials."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.api.spec import OPEN_DATA_LICENCE_URL
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db, limiter
from puja_indah.innovations.models import InnovationForm, InnovationKind, Stage
from puja_indah.reference.models import Theme
from puja_indah.replications.models import ReplicationStatus
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import Demo
from tests.integration.test_replications import make_innovation, make_replication

pytestmark = pytest.mark.usefixtures("no_demo_innovations")

PROBLEM = "application/problem+json"
LICENCE_LINK = f'<{OPEN_DATA_LICENCE_URL}>; rel="license"'
PRIVATE = {
    "design_problem": "RAHASIA-MASALAH-DESAIN",
    "budget_note": "RAHASIA-ANGGARAN",
    "ip_note": "RAHASIA-HAKI",
    "challenges": "RAHASIA-TANTANGAN",
    "initiator_name": "RAHASIA-NAMA-INISIATOR",
    "business_profile": "RAHASIA-PROFIL-BISNIS",
    "developed_note": "RAHASIA-PENGEMBANGAN",
}
ITEM_KEYS = {
    "id",
    "name",
    "stage",
    "kind",
    "form",
    "summary",
    "goals",
    "benefits",
    "results_before",
    "results_after",
    "trial_date",
    "implementation_date",
    "lessons",
    "replication_prerequisites",
    "video_url",
    "published_at",
    "agency_name",
    "region_id",
    "region_code",
    "region_name",
    "theme_name",
    "theme_year",
    "affair_name",
    "url",
}


def _theme(app: Flask, year: int) -> int:
    with app.app_context(), scoped(Scope.system("tests: theme"), db.session):
        theme = Theme(year=year, name=f"Tema uji {year}")
        db.session.add(theme)
        db.session.commit()
        theme_id = theme.id
        db.session.remove()
    return theme_id


@pytest.fixture
def catalogue(app: Flask, demo: Demo) -> dict[str, int]:
    """Two published innovations in two regions, one unpublished one, replications of each."""
    bkd = make_innovation(
        app,
        demo.agency("BKD"),
        "E-tracking pencairan",
        published=True,
        published_at=datetime(2026, 3, 1, tzinfo=UTC),
        stage=Stage.IMPLEMENTATION,
        kind=InnovationKind.DIGITAL,
        form=InnovationForm.PUBLIC_SERVICE,
        summary="Berkas SPM dilacak.",
        theme_id=_theme(app, 2031),
        **PRIVATE,
    )
    konsel = make_innovation(
        app,
        demo.agency("BKAD", "74.05"),
        "SIPANDU Konsel",
        published=True,
        published_at=datetime(2026, 4, 1, tzinfo=UTC),
        stage=Stage.TRIAL,
    )
    hidden = make_innovation(app, demo.agency("DPMPTSP"), "Belum terbit RAHASIA", **PRIVATE)
    make_replication(app, demo.agency("BKAD", "74.05"), bkd, status=ReplicationStatus.APPLIED)
    make_replication(app, demo.agency("DPMPTSP"), bkd)
    make_replication(app, demo.agency("BKD"), hidden)  # of an unpublished one: not counted
    return {"bkd": bkd, "konsel": konsel, "hidden": hidden}


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_published_innovations_with_public_fields_only(
    client: FlaskClient, catalogue: dict[str, int], demo: Demo
) -> None:
    response = client.get("/api/v1/open/innovations")
    assert response.status_code == 200
    assert response.headers["Link"] == LICENCE_LINK
    body = response.get_json()
    assert body["licence"]["name"] == "CC BY 4.0"
    assert body["licence"]["url"] == OPEN_DATA_LICENCE_URL and body["licence"]["attribution"]
    assert [i["id"] for i in body["items"]] == [catalogue["konsel"], catalogue["bkd"]]
    assert body["meta"]["total"] == 2
    for item in body["items"]:
        assert set(item) == ITEM_KEYS
    bkd = body["items"][1]
    assert bkd["region_code"] == "74.06" and bkd["stage"] == "penerapan"
    assert bkd["theme_year"] == 2031 and bkd["agency_name"] == "Badan Keuangan Daerah"
    assert bkd["url"].endswith(f"/katalog/{catalogue['bkd']}")
    text = response.get_data(as_text=True)
    assert "RAHASIA" not in text  # no private field, no unpublished innovation


def test_filters_sorting_and_pages(
    client: FlaskClient, catalogue: dict[str, int], demo: Demo
) -> None:
    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/open/innovations?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [i["id"] for i in response.get_json()["items"]]

    assert ids(f"region_id={demo.regions['74.05']}") == [catalogue["konsel"]]
    assert ids("stage=penerapan") == [catalogue["bkd"]]
    assert ids("year=2031") == [catalogue["bkd"]]
    assert ids("year=2030") == []
    assert ids("q=sipandu") == [catalogue["konsel"]]
    assert ids("q=Belum") == []  # unpublished stays out whatever the search
    assert ids("sort=name") == [catalogue["bkd"], catalogue["konsel"]]
    first = client.get("/api/v1/open/innovations?per_page=1&sort=published_at")
    body = first.get_json()
    assert [i["id"] for i in body["items"]] == [catalogue["bkd"]]
    assert body["meta"] == {"page": 1, "per_page": 1, "total": 2, "pages": 2}
    link = first.headers["Link"]
    assert 'rel="next"' in link and link.endswith(LICENCE_LINK)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("stage=zzz", "stage"),
        ("per_page=1000", "per_page"),
        ("region_id=abc", "region_id"),
        ("year=1999", "year"),
        ("sort=colour", "sort"),
        ("q=" + "x" * 101, "q"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(
    client: FlaskClient, query: str, field: str
) -> None:
    for path in ("/api/v1/open/innovations", "/api/v1/open/innovations.csv"):
        if path.endswith(".csv") and field == "per_page":
            continue  # the file has no pages
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422 and response.mimetype == PROBLEM
        assert [(e["field"], e["location"]) for e in response.get_json()["errors"]] == [
            (field, "query")
        ]


def test_csv_has_the_same_rows_neutralised(
    app: Flask, client: FlaskClient, catalogue: dict[str, int], demo: Demo
) -> None:
    make_innovation(
        app, demo.agency("DPMPTSP"), '=HYPERLINK("http://x")', published=True, summary="@SUM(1)"
    )
    response = client.get("/api/v1/open/innovations.csv?sort=name")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.headers["Link"] == LICENCE_LINK
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response.data)
    header, data = rows[0], rows[1:]
    listing = client.get("/api/v1/open/innovations?sort=name").get_json()
    assert header[:2] == ["id", "name"] and set(header) == ITEM_KEYS
    assert [int(r[0]) for r in data] == [i["id"] for i in listing["items"]]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in data}
    assert '\'=HYPERLINK("http://x")' in by_name
    assert by_name['\'=HYPERLINK("http://x")']["summary"] == "'@SUM(1)"
    assert by_name["E-tracking pencairan"]["stage"] == "penerapan"
    assert b"RAHASIA" not in response.data
    konsel = _csv_rows(client.get("/api/v1/open/innovations.csv?stage=uji_coba").data)
    assert [r[1] for r in konsel[1:]] == ["SIPANDU Konsel"]


def _region(body: dict[str, Any], code: str) -> dict[str, Any]:
    (found,) = [r for r in body["regions"] if r["region_code"] == code]
    return found


def test_figures_count_published_data_only(
    client: FlaskClient, catalogue: dict[str, int], demo: Demo
) -> None:
    response = client.get("/api/v1/open/figures")
    assert response.status_code == 200 and response.headers["Link"] == LICENCE_LINK
    body = response.get_json()
    assert body["licence"]["name"] == "CC BY 4.0"
    bombana, konsel = _region(body, "74.06"), _region(body, "74.05")
    assert bombana["published_innovations"] == 1 and bombana["agencies_publishing"] == 1
    assert bombana["by_stage"] == {"inisiatif": 0, "uji_coba": 0, "penerapan": 1}
    # Two replications of BKD's published innovation; the one of the unpublished is not counted.
    assert bombana["replications"] == 2 and bombana["replicated_innovations"] == 1
    assert konsel["published_innovations"] == 1 and konsel["replications"] == 0
    assert konsel["by_stage"] == {"inisiatif": 0, "uji_coba": 1, "penerapan": 0}
    assert bombana["agencies"] >= 2 and konsel["agencies"] >= 1
    totals = body["totals"]
    assert totals["published_innovations"] == 2 and totals["replications"] == 2
    assert totals["agencies"] == sum(r["agencies"] for r in body["regions"])

    rows = _csv_rows(client.get("/api/v1/open/figures.csv").data)
    header = rows[0]
    assert header[:2] == ["region_code", "region_name"] and "stage_penerapan" in header
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_code["74.06"]["published_innovations"] == "1"
    assert by_code["74.06"]["stage_penerapan"] == "1" and by_code["74.06"]["replications"] == "2"
    assert by_code["74.05"]["stage_uji_coba"] == "1"


def test_licence_is_explained_in_both_languages(client: FlaskClient) -> None:
    response = client.get("/api/v1/open/licence")
    assert response.status_code == 200 and response.headers["Link"] == LICENCE_LINK
    body = response.get_json()
    assert body["licence"]["id"] == "CC-BY-4.0"
    assert "Atribusi" in body["explanation"]["id"] and "Attribution" in body["explanation"]["en"]


def test_a_token_or_a_bad_one_changes_nothing(
    client: FlaskClient, api_token: TokenMaker, catalogue: dict[str, int]
) -> None:
    anonymous = client.get("/api/v1/open/innovations").get_json()
    with_token = client.get("/api/v1/open/innovations", headers=bearer(api_token("officer.bkd")))
    bad_token = client.get("/api/v1/open/innovations", headers=bearer("nonsense"))
    assert with_token.status_code == bad_token.status_code == 200
    assert with_token.get_json()["items"] == anonymous["items"] == bad_token.get_json()["items"]


def test_openapi_marks_open_data_as_needing_no_credentials(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    open_paths = [p for p in paths if p.startswith("/api/v1/open/")]
    assert len(open_paths) == 5
    for path in open_paths:
        assert paths[path]["get"]["security"] == []
    assert "security" not in paths["/api/v1/innovations"]["get"]
    csv_content = paths["/api/v1/open/innovations.csv"]["get"]["responses"]["200"]["content"]
    assert list(csv_content) == ["text/csv"]


def test_open_data_is_rate_limited(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        limiter.reset()
    statuses = [client.get("/api/v1/open/licence").status_code for _ in range(125)]
    assert statuses[0] == 200 and statuses[-1] == 429
    refused = client.get("/api/v1/open/licence")
    assert refused.mimetype == PROBLEM and refused.get_json()["code"] == "rate_limited"
    with app.app_context():
        limiter.reset()
