"""An innovation's self-assessment through the API: every SID indicator of the year with the
level claimed, the level that counts (0 without evidence), the score, the cited documents and the
reviewer's current decision — the same figures as the web page, for the same readers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import TokenMaker, bearer
from tests.conftest import Demo
from tests.integration.review_helpers import decide_as_reviewer, make_innovation

Counts = Callable[[], dict[str, int]]


def _url(innovation_id: int, query: str = "") -> str:
    return f"/api/v1/innovations/{innovation_id}/claims{query}"


def test_claims_with_counted_levels_scores_evidence_and_review(
    app: Flask,
    client: FlaskClient,
    api_token: TokenMaker,
    demo: Demo,
    login: Callable[..., FlaskClient],
) -> None:
    innovation = make_innovation(
        app, demo.agency("BKD"), "Klaim BKD", claims={16: (2, True), 17: (3, False)}
    )
    decide_as_reviewer(app, innovation, 16, "needs_revision", 1, "Lampirkan Perbup")
    response = client.get(_url(innovation, "?year=2026"), headers=bearer(api_token("officer.bkd")))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["year"] == 2026 and body["innovation_id"] == innovation
    claims = {c["indicator_number"]: c for c in body["claims"]}
    assert sorted(claims) == list(range(16, 36))  # every SID indicator of 2026
    sixteen, seventeen, eighteen = claims[16], claims[17], claims[18]
    assert sixteen["level"] == 2 and sixteen["counted_level"] == 2
    assert Decimal(sixteen["score"]) == Decimal(sixteen["weight"]) * 2
    assert [d["title"] for d in sixteen["evidence"]] == ["Bukti 16"]
    assert sixteen["evidence"][0]["document_number"] == "16/BKD/2026"
    assert sixteen["version"] == 1
    review = sixteen["review"]
    assert review["verdict"] == "needs_revision" and review["accepted_level"] == 1
    assert review["note"] == "Lampirkan Perbup" and review["claim_changed"] is False
    assert review["reviewer"] == "Reviewer Kemendagri (demo)"
    assert seventeen["level"] == 3 and seventeen["counted_level"] == 0  # no evidence
    assert Decimal(seventeen["score"]) == 0 and seventeen["review"] is None
    assert eighteen["level"] == 0 and eighteen["version"] == 0 and eighteen["evidence"] == []
    total = sum((Decimal(c["score"]) for c in body["claims"]), Decimal(0))
    assert Decimal(body["score"]) == total
    # The web page shows the same figures.
    page = login("officer.bkd").get(f"/innovations/{innovation}/assessment/2026")
    assert 'data-review="16"' in page.get_data(as_text=True)
    # Without ?year= the catalogue's newest year answers.
    newest = client.get(_url(innovation), headers=bearer(api_token("officer.bkd"))).get_json()
    assert newest == body


def test_only_the_innovations_readers_see_its_claims(
    app: Flask, client: FlaskClient, api_token: TokenMaker, demo: Demo
) -> None:
    innovation = make_innovation(app, demo.agency("BKD"), "Klaim rahasia", claims={16: (1, True)})
    decide_as_reviewer(app, innovation, 16, "valid", 1)
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
        response = client.get(_url(innovation), headers=bearer(api_token(account)))
        assert response.status_code == status, account
        if status == 200:
            first = response.get_json()["claims"][0]
            assert first["review"]["verdict"] == "valid", account
    assert client.get(_url(innovation)).status_code == 401


def test_unknown_year_or_bad_parameters(
    app: Flask, client: FlaskClient, api_token: TokenMaker, demo: Demo, data_counts: Counts
) -> None:
    innovation = make_innovation(app, demo.agency("BKD"), "Klaim tahun", claims={})
    headers = bearer(api_token("officer.bkd", "write"))
    before = data_counts()
    assert client.get(_url(innovation, "?year=2199"), headers=headers).status_code == 404
    bad = client.get(_url(innovation, "?year=dua"), headers=headers)
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0] == {
        "field": "year",
        "location": "query",
        "message": bad.get_json()["errors"][0]["message"],
    }
    assert client.get(_url(2_000_000_000), headers=headers).status_code == 404
    assert client.post(_url(innovation), headers=headers, json={}).status_code == 405
    assert data_counts() == before
