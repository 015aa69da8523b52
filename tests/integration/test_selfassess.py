"""Self-assessment per innovation, region SPD claims and the region index panel with its what-if,
through the real screens on the real database.

Seeded weights (puja_indah/assessment/data/iid_2026.yaml; 2023 reuses them):
  SPD  1:1  4:2  8:1  11:2 (the ones used below)
  SID 16:3 17:2 31:3 32:2 33:3 35:4 (the ones used below); Σ SID weights 37;
  mandatory SID: 16 17 32 33 35
Affairs: 1.01 pendidikan, 1.02 kesehatan, 1.03 PU, 1.04 perumahan, 1.05 trantibumlinmas,
1.06 sosial (the six basic services), 2.07 tenaga kerja (not one).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.assessment import claim_services, scoring
from puja_indah.assessment.guard import FrozenYearViolation
from puja_indah.assessment.models import (
    AssessmentYear,
    Claim,
    ClaimEvidence,
    Indicator,
    RegionClaim,
    YearStatus,
)
from puja_indah.core.models import Region, Role
from puja_indah.core.tenancy import Scope, TenancyViolation, scoped
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin
from puja_indah.reference.models import Affair
from tests.conftest import Demo

# These tests build their own innovations and hand-worked figures: start without the demo ones.
pytestmark = pytest.mark.usefixtures("no_demo_innovations")

SYSTEM = Scope.system("tests: self-assessment data")


@pytest.fixture
def login(login_en: Callable[..., FlaskClient]) -> Callable[..., FlaskClient]:
    """Every client of this module reads English, so the assertions read the msgids."""
    return login_en


def _indicator(year: int, number: int) -> Indicator:
    return db.session.scalar(
        sa.select(Indicator)
        .join(AssessmentYear, Indicator.year_id == AssessmentYear.id)
        .where(AssessmentYear.year == year, Indicator.number == number)
    )


def _affair(code: str) -> int:
    return int(db.session.scalar(sa.select(Affair.id).where(Affair.code == code)))


def make_innovation(agency_id: int, name: str, affair: str | None, implemented: date | None) -> int:
    region_id = db.session.scalar(
        sa.text("SELECT region_id FROM agencies WHERE id = :id"), {"id": agency_id}
    )
    innovation = Innovation(
        agency_id=agency_id,
        region_id=region_id,
        origin=Origin.OWN,
        name=name,
        name_key=name.lower(),
        affair_id=_affair(affair) if affair else None,
        implementation_date=implemented,
    )
    db.session.add(innovation)
    db.session.flush()
    return innovation.id


def claim(innovation_id: int, year: int, number: int, level: int, *, evidence: bool) -> None:
    innovation = db.session.get(Innovation, innovation_id)
    assert innovation is not None
    row = Claim(
        innovation_id=innovation_id,
        agency_id=innovation.agency_id,
        indicator_id=_indicator(year, number).id,
        level=level,
    )
    db.session.add(row)
    db.session.flush()
    if evidence:
        doc = Evidence(
            agency_id=innovation.agency_id,
            innovation_id=innovation_id,
            title=f"Bukti {number}",
            document_number=f"{number}/2026",
            subject="Bukti dukung",
        )
        db.session.add(doc)
        db.session.flush()
        db.session.add(ClaimEvidence(claim_id=row.id, evidence_id=doc.id, agency_id=doc.agency_id))


def region_claim(region_id: int, year: int, number: int, level: int, *, evidence: bool) -> None:
    db.session.add(
        RegionClaim(
            region_id=region_id,
            indicator_id=_indicator(year, number).id,
            level=level,
            document_number=f"SPD-{number}" if evidence else "",
        )
    )


@pytest.fixture
def bombana(app: Flask, demo: Demo) -> dict[str, int]:
    """The hand-worked example of the 2026 panel for Bombana (74.06):

    Region SPD: 1→P3 with document (1×3 = 3), 4→P2 (2×2 = 4), 8→P3 WITHOUT document (0),
    11→P1 (2×1 = 2)                                                              ⇒ SPD = 9
    A (BKD, 1.01 pendidikan, implemented 2025-03-01): 16→3 (9) 17→2 (4) 32→3 (6) 33→2 (6)
      35→1 (4)                                                                    ⇒ 29
    B (DPMPTSP, 1.02 kesehatan, implemented 2026-01-10): 16→1 (3) 17→1 (2) 31→3 (9),
      35→P3 WITHOUT evidence (0)                                                  ⇒ 14
    C (BKD, 1.03 PU, implemented 2024-06-01): before the window 2025-01-01…2026-12-31, not counted
    D (BKD, no implementation date): not counted
    K (Konawe Selatan's BKAD, implemented 2025): another region, not on Bombana's panel
    2023: F (BKD, 1.01, implemented 2023-05-01): 16→3 (9) 35→2 (8) ⇒ 17; region 1→P2 (2).
    """
    bkd, dpmptsp = demo.agency("BKD"), demo.agency("DPMPTSP")
    with app.app_context(), scoped(SYSTEM, db.session):
        ids = {
            "A": make_innovation(bkd, "E-Tracking Pencairan", "1.01", date(2025, 3, 1)),
            "B": make_innovation(dpmptsp, "E-Tracking Perizinan", "1.02", date(2026, 1, 10)),
            "C": make_innovation(bkd, "Inovasi Lama", "1.03", date(2024, 6, 1)),
            "D": make_innovation(bkd, "Inovasi Rintisan", "2.07", None),
            "K": make_innovation(demo.agency("BKAD", "74.05"), "Konsel", "1.04", date(2025, 1, 1)),
            "F": make_innovation(bkd, "Inovasi 2023", "1.01", date(2023, 5, 1)),
        }
        for number, level in {16: 3, 17: 2, 32: 3, 33: 2, 35: 1}.items():
            claim(ids["A"], 2026, number, level, evidence=True)
        for number, level in {16: 1, 17: 1, 31: 3}.items():
            claim(ids["B"], 2026, number, level, evidence=True)
        claim(ids["B"], 2026, 35, 3, evidence=False)
        claim(ids["C"], 2026, 16, 3, evidence=True)
        claim(ids["K"], 2026, 16, 3, evidence=True)
        claim(ids["F"], 2023, 16, 3, evidence=True)
        claim(ids["F"], 2023, 35, 2, evidence=True)
        region = demo.regions["74.06"]
        region_claim(region, 2026, 1, 3, evidence=True)
        region_claim(region, 2026, 4, 2, evidence=True)
        region_claim(region, 2026, 8, 3, evidence=False)
        region_claim(region, 2026, 11, 1, evidence=True)
        region_claim(region, 2023, 1, 2, evidence=True)
        db.session.commit()
        db.session.remove()
    return ids


def field(html: str, name: str, nth: int = 0) -> str:
    values = re.findall(rf'data-field="{name}">(?:<strong>)?([^<]*)', html)
    return values[nth].strip()


def panel(client: FlaskClient, year: int, **query: Any) -> str:
    response = client.get(f"/assessment/index/{year}", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the panel, worked by hand -------------------------------------------------------------------


def test_panel_2026_by_hand(login: Callable[..., FlaskClient], bombana: dict[str, int]) -> None:
    html = panel(login("monitor"), 2026)
    # SPD 3 + 4 + 0 + 2 = 9; innovations counted: A and B (n = 2); Σ = 29 + 14 = 43
    assert field(html, "spd") == "9.00"
    assert field(html, "count") == "2"
    assert field(html, "sid-sum") == "43.00"
    # divisor MAX(12, 2) = 12; SID = 43 / 12 = 3.5833…
    assert field(html, "divisor") == "12"
    assert field(html, "sid") == "3.58"
    # covered pendidikan, kesehatan = 2 of 6 < 5 ⇒ count score 0
    assert field(html, "count-score") == "0.00"
    # total = 9 + 3.5833… = 12.5833…; IID = 12.5833… / 250 × 100 = 5.0333… ⇒ 5.03
    assert field(html, "maximum") == "250.00"
    assert field(html, "iid") == "5.03"
    assert field(html, "predicate") == "Kurang Inovatif"
    # What holds it back: B's mandatory 32 and 33 at zero, B's 35 without evidence, A's fine.
    assert "E-Tracking Perizinan: mandatory indicator 35" in html
    assert "E-Tracking Perizinan: mandatory indicator 32" in html
    assert "E-Tracking Pencairan: mandatory" not in html
    assert "2 of 6 basic-service affairs covered, 5 needed" in html
    assert "Pekerjaan Umum dan Penataan Ruang" in html  # named among the affairs not covered
    assert "2 innovations count: the sum is divided by 12 until there are at least 12" in html
    # C and F (before the window) and D (no date) are listed, not counted; K is another region's.
    assert html.count("not counted") == 3
    assert "Konsel" not in html
    assert "no evidence: counts 0" in html  # SPD 8 claimed without a document


def test_panel_2026_count_rule_met(
    app: Flask, login: Callable[..., FlaskClient], demo: Demo, bombana: dict[str, int]
) -> None:
    # Three more innovations without claims: PU, trantibumlinmas, sosial (implemented 2026).
    with app.app_context(), scoped(SYSTEM, db.session):
        for code in ("1.03", "1.05", "1.06"):
            make_innovation(demo.agency("BKD"), f"Baru {code}", code, date(2026, 2, 1))
        db.session.commit()
        db.session.remove()
    html = panel(login("reviewer"), 2026, region=demo.regions["74.06"])
    # n = 5, Σ 43 / MAX(12, 5) = 3.5833…; covered 5 of 6 ⇒ count = MIN(5, 200) × 0.38 = 1.90
    assert field(html, "count") == "5"
    assert field(html, "count-score") == "1.90"
    # total = 9 + 3.5833… + 1.9 = 14.4833…; IID = 5.7933… ⇒ 5.79
    assert field(html, "iid") == "5.79"
    assert "basic-service affairs covered" not in html


def test_panel_2023_rules(
    app: Flask, login: Callable[..., FlaskClient], bombana: dict[str, int]
) -> None:
    client = login("monitor")
    html = panel(client, 2023)
    # Window 2022-01-01…2023-12-31: only F counts. SPD 1×2 = 2; Σ 17; divisor MAX(10, 1) = 10
    assert field(html, "spd") == "2.00"
    assert field(html, "count") == "1"
    assert field(html, "divisor") == "10"
    assert field(html, "sid") == "1.70"
    # The 2023 count constants are not sourced: nothing is invented.
    assert field(html, "iid") == "—"
    assert "Cannot compute: the year&#39;s constant count_weight is missing." in html
    # With test-only constants (count_weight 0.5, cap 100, no basic-service rule) the maximum is
    # derived: (21 + 37) × 3 + 100 × 0.5 = 224; count = MIN(1, 100) × 0.5 = 0.5;
    # total = 2 + 1.7 + 0.5 = 4.2; IID = 4.2 / 224 × 100 = 1.875 ⇒ 1.88 (half up)
    with app.app_context(), scoped(SYSTEM, db.session):
        year = db.session.scalar(sa.select(AssessmentYear).where(AssessmentYear.year == 2023))
        assert year is not None
        year.count_weight = Decimal("0.5")
        year.count_cap = 100
        db.session.commit()
        db.session.remove()
    html = panel(client, 2023)
    assert field(html, "count-score") == "0.50"
    assert field(html, "maximum") == "224.00"
    assert field(html, "iid") == "1.88"
    assert field(html, "predicate") == "Kurang Inovatif"


def test_panel_matches_the_pure_computation(
    app: Flask, demo: Demo, bombana: dict[str, int]
) -> None:
    with app.app_context(), scoped(Scope("region", region_id=demo.regions["74.06"]), db.session):
        year = db.session.scalar(sa.select(AssessmentYear).where(AssessmentYear.year == 2026))
        region = db.session.get(Region, demo.regions["74.06"])
        assert year is not None and region is not None
        result = scoring.region_panel(year, region).result
        assert result.iid == Decimal("5.03")
        assert [s.sid_sum for s in result.innovations] == [Decimal(29), Decimal(14)]
        db.session.remove()


# --- the self-assessment screen ------------------------------------------------------------------


def _attrs(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([a-z_-]+)="([^"]*)"', tag)) | {
        name: "" for name in re.findall(r" (checked|selected)(?=[ >])", tag)
    }


def _form(client: FlaskClient, url: str) -> dict[str, Any]:
    """The form as a browser would send it: every field with its shown value."""
    html = client.get(url).get_data(as_text=True)
    data: dict[str, Any] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        attrs = _attrs(tag)
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name or kind == "submit":
            continue
        if kind == "checkbox":
            if "checked" in attrs:
                data.setdefault(name, []).append(attrs.get("value", ""))
        elif kind == "radio":
            if "checked" in attrs:
                data[name] = attrs.get("value", "")
        else:
            data[name] = attrs.get("value", "")
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', html):
        data[name] = text.strip()
    return data


def test_officer_claims_with_a_new_document(
    app: Flask, login: Callable[..., FlaskClient], bombana: dict[str, int]
) -> None:
    client = login("officer.bkd")
    url = f"/innovations/{bombana['D']}/assessment/2026"
    data = _form(client, url)
    assert data["ind_16-level"] == "0" and data["ind_16-version"] == "0"
    # 16 at P3 with a new document (3 × 3 = 9); 17 at P2 without evidence (counts 0).
    data.update(
        {
            "ind_16-level": "3",
            "ind_16-doc_number": "188.4/12/2026",
            "ind_16-doc_date": "2026-02-01",
            "ind_16-doc_subject": "Perbup inovasi",
            "ind_16-doc_link": "https://jdih.bombanakab.go.id/perbup-12",
            "ind_17-level": "2",
            "save": "1",
        }
    )
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    html = client.get(url).get_data(as_text=True)
    assert '<p class="display-6 mb-1" id="sid-sum">9.00' in html
    assert "P2 claimed, no evidence: counts 0" in html
    assert "Score: 3.00 × 3 = 9.00" in html
    with app.app_context(), scoped(SYSTEM, db.session):
        doc = db.session.scalar(
            sa.select(Evidence).where(Evidence.document_number == "188.4/12/2026")
        )
        assert (
            doc is not None
            and doc.innovation_id == bombana["D"]
            and doc.subject == "Perbup inovasi"
        )
        claims = db.session.scalars(
            sa.select(Claim).where(Claim.innovation_id == bombana["D"])
        ).all()
        assert sorted(c.level for c in claims) == [2, 3]
        db.session.remove()
    # The same form sent again is stale: the versions it carries are gone.
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "Someone saved these claims after you opened the form" in response.get_data(as_text=True)


def test_attach_existing_document_and_preview_saves_nothing(
    login: Callable[..., FlaskClient],
    bombana: dict[str, int],
    data_counts: Callable[[], dict[str, int]],
) -> None:
    client = login("officer.bkd")
    url = f"/innovations/{bombana['A']}/assessment/2026"
    data = _form(client, url)
    assert data["ind_16-level"] == "3" and data["ind_16-evidence"]
    # Preview: 31 at P3 with A's document of indicator 16 ⇒ 29 + 9 = 38, nothing saved.
    before = data_counts()
    data.update({"ind_31-level": "3", "ind_31-evidence": data["ind_16-evidence"], "preview": "1"})
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="sid-sum">38.00' in html
    assert data_counts() == before
    # Saved for real now.
    data.pop("preview")
    data["save"] = "1"
    assert client.post(url, data=data).status_code == 302
    assert 'id="sid-sum">38.00' in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ind_16-level": "7"}, "Not a valid choice"),
        ({"ind_16-evidence": ["999999"]}, "Choose one of the listed options."),
        ({"ind_16-evidence": ["x"]}, "Choose one of the listed options."),
        ({"ind_16-doc_number": "1/2026"}, "A new document needs its number and its subject."),
        (
            {"ind_16-doc_number": "1", "ind_16-doc_subject": "s", "ind_16-doc_link": "nope"},
            "Enter a full web address",
        ),
        (
            {"ind_16-doc_number": "1", "ind_16-doc_subject": "s", "ind_16-doc_date": "31-31-2026"},
            "Not a valid date value",
        ),
        ({"ind_16-note": "x" * 2001}, "Use at most 2000 characters."),
        ({"ind_16-version": "abc"}, "The form was damaged"),
        ({"ind_16-version": "5"}, "Someone saved these claims"),
    ],
)
def test_bad_claim_values_are_refused(
    login: Callable[..., FlaskClient],
    bombana: dict[str, int],
    data_counts: Callable[[], dict[str, int]],
    changes: dict[str, Any],
    message: str,
) -> None:
    client = login("officer.bkd")
    url = f"/innovations/{bombana['D']}/assessment/2026"
    data = _form(client, url) | changes | {"save": "1"}
    before = data_counts()
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert data_counts() == before


def test_another_agencys_document_cannot_be_attached(
    app: Flask, login: Callable[..., FlaskClient], bombana: dict[str, int]
) -> None:
    with app.app_context(), scoped(SYSTEM, db.session):
        other = db.session.scalar(
            sa.select(Evidence.id).where(Evidence.innovation_id == bombana["B"])
        )
        db.session.remove()
    client = login("officer.bkd")
    url = f"/innovations/{bombana['D']}/assessment/2026"
    data = _form(client, url) | {"ind_16-level": "1", "ind_16-evidence": [str(other)], "save": "1"}
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "Choose one of the listed options." in response.get_data(as_text=True)


# --- who may read and write ----------------------------------------------------------------------


def test_read_and_write_rights(
    login: Callable[..., FlaskClient],
    bombana: dict[str, int],
    data_counts: Callable[[], dict[str, int]],
) -> None:
    own = f"/innovations/{bombana['A']}/assessment/2026"
    far = f"/innovations/{bombana['K']}/assessment/2026"
    before = data_counts()
    officer = login("officer.bkd")
    assert officer.get(far).status_code == 404
    assert login("officer.dpmptsp").get(own).status_code == 404
    assert login("officer.konsel").get(own).status_code == 404
    assert login("monitor.konsel").get(own).status_code == 404
    for account in ("monitor", "reviewer", "admin"):
        client = login(account)
        page = client.get(own)
        assert page.status_code == 200
        assert 'name="ind_16-level"' not in page.get_data(as_text=True)  # read-only
        assert client.post(own, data={"ind_16-level": "3", "save": "1"}).status_code == 403
    assert data_counts() == before
    assert login("reviewer").get("/assessment/region/2026").status_code == 403
    assert officer.get("/assessment/index/2026").status_code == 403
    assert officer.get(own.replace("2026", "2199")).status_code == 404


def test_monitor_keeps_its_own_regions_spd_claims(
    app: Flask,
    login: Callable[..., FlaskClient],
    demo: Demo,
    bombana: dict[str, int],
    data_counts: Callable[[], dict[str, int]],
) -> None:
    client = login("monitor")
    url = "/assessment/region/2026"
    html = client.get(url).get_data(as_text=True)
    assert 'name="ind_2-version" type="hidden" value="0"' in html
    version_1 = re.search(r'name="ind_1-version" type="hidden" value="(\d+)"', html)
    assert version_1 is not None
    data = {f"ind_{n}-level": "0" for n in range(1, 16)} | {
        f"ind_{n}-version": "0" for n in range(1, 16)
    }
    # Keep 1, 4, 8, 11 as they are (their versions), set 2 to P3 with a document: SPD 9 + 3 = 12
    with app.app_context(), scoped(SYSTEM, db.session):
        for row in db.session.scalars(
            sa.select(RegionClaim).where(RegionClaim.region_id == demo.regions["74.06"])
        ):
            if row.indicator.year.year == 2026:
                n = row.indicator.number
                data |= {
                    f"ind_{n}-level": str(row.level),
                    f"ind_{n}-version": str(row.version),
                    f"ind_{n}-doc_number": row.document_number,
                }
        db.session.remove()
    data |= {"ind_2-level": "3", "ind_2-doc_number": "903/2026", "ind_2-doc_subject": "APBD"}
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert field(panel(client, 2026), "spd") == "12.00"
    # Another region's monitor sees and writes only its own region: Bombana's claims are not
    # reachable, and the service and the flush guard refuse them.
    konsel = login("monitor.konsel")
    assert "903/2026" not in konsel.get(url).get_data(as_text=True)
    before = data_counts()
    konsel_scope = Scope(
        "region", region_id=demo.regions["74.05"], role=Role.REGION_MONITOR, read_only=False
    )
    with app.test_request_context(), scoped(konsel_scope, db.session):
        year = db.session.scalar(sa.select(AssessmentYear).where(AssessmentYear.year == 2026))
        region = db.session.get(Region, demo.regions["74.06"])
        assert year is not None and region is not None
        with pytest.raises(claim_services.NotAllowed):
            claim_services.save_region_claims(
                konsel_scope,
                year,
                region,
                [claim_services.RegionClaimInput(_indicator(2026, 3).id, 2)],
                None,
            )
        db.session.rollback()
        db.session.add(
            RegionClaim(region_id=region.id, indicator_id=_indicator(2026, 3).id, level=2)
        )
        with pytest.raises(TenancyViolation):
            db.session.flush()
        db.session.rollback()
        db.session.remove()
    assert data_counts() == before
    # An administrator chooses the region.
    admin = login("admin")
    page = admin.get(url, query_string={"region": demo.regions["74.06"]}).get_data(as_text=True)
    assert "903/2026" in page


def test_closed_year_refuses_claims(
    app: Flask,
    login: Callable[..., FlaskClient],
    demo: Demo,
    bombana: dict[str, int],
    data_counts: Callable[[], dict[str, int]],
) -> None:
    with app.app_context(), scoped(SYSTEM, db.session):
        year = db.session.scalar(sa.select(AssessmentYear).where(AssessmentYear.year == 2026))
        assert year is not None
        year.status = YearStatus.CLOSED
        db.session.commit()
        db.session.remove()
    before = data_counts()
    officer = login("officer.bkd")
    url = f"/innovations/{bombana['A']}/assessment/2026"
    page = officer.get(url).get_data(as_text=True)
    assert "is closed: its claims are read-only" in page
    assert 'name="ind_16-level"' not in page
    response = officer.post(url, data={"ind_16-level": "1", "ind_16-version": "1", "save": "1"})
    assert response.status_code == 200
    assert "is closed: its claims can no longer change" in response.get_data(as_text=True)
    response = login("monitor").post("/assessment/region/2026", data={"ind_1-level": "0"})
    assert "is closed: its claims can no longer change" in response.get_data(as_text=True)
    assert data_counts() == before
    # The guard is the backstop for code that bypasses the services, in every direction.
    bkd = Scope("agency", agency_id=demo.agency("BKD"), role=Role.AGENCY_OFFICER, read_only=False)
    with app.app_context(), scoped(bkd, db.session):
        row = db.session.scalar(sa.select(Claim).where(Claim.innovation_id == bombana["A"]))
        assert row is not None
        row.level = 1
        with pytest.raises(FrozenYearViolation):
            db.session.flush()
        db.session.rollback()
        db.session.add(
            Claim(innovation_id=bombana["D"], indicator_id=_indicator(2026, 20).id, level=1)
        )
        with pytest.raises(FrozenYearViolation):
            db.session.flush()
        db.session.rollback()
        link = db.session.scalar(sa.select(ClaimEvidence))
        assert link is not None
        db.session.delete(link)
        with pytest.raises(FrozenYearViolation):
            db.session.flush()
        db.session.rollback()
        db.session.remove()
    with app.app_context(), scoped(SYSTEM, db.session):
        spd = db.session.scalar(sa.select(RegionClaim))
        assert spd is not None
        db.session.delete(spd)
        with pytest.raises(FrozenYearViolation):
            db.session.flush()
        db.session.rollback()
        db.session.remove()
    assert data_counts() == before


# --- what-if -------------------------------------------------------------------------------------


def test_what_if_saves_nothing(
    login: Callable[..., FlaskClient],
    bombana: dict[str, int],
    data_counts: Callable[[], dict[str, int]],
) -> None:
    client = login("monitor")
    before = data_counts()
    affair_sosial = None
    html = panel(client, 2026)
    match = re.search(r'<option value="(\d+)">Sosial ★</option>', html)
    assert match is not None
    affair_sosial = match.group(1)
    # Remove B (14); add H (sosial, every indicator at P3: 37 × 3 = 111).
    # n = 2 (A, H), Σ = 29 + 111 = 140, / MAX(12, 2) = 11.6667; covered 2 ⇒ count 0;
    # total = 9 + 11.6667 = 20.6667; IID = 20.6667 / 250 × 100 = 8.2667 ⇒ 8.27
    response = client.post(
        "/assessment/index/2026",
        data={
            "add-0-name": "Hipotetis",
            "add-0-affair": affair_sosial,
            "add-0-level": "3",
            "remove": [str(bombana["B"])],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field(html, "iid", 0) == "5.03"  # the saved claims
    assert field(html, "iid", 1) == "8.27"  # after the what-if
    assert field(html, "sid-sum", 1) == "140.00"
    # The state travels in the form: the filled row is shown again, the empty ones are dropped.
    assert 'value="Hipotetis"' in html
    assert len(re.findall(r'name="add-\d+-name"', html)) == 1 + 3
    # Re-level A's 33 to P3 (+3) and B's everything to P1 (37): Σ = 32 + 37 = 69 / 12 = 5.75;
    # total 14.75; IID 5.90. The form carries the state: the add row keeps its values.
    response = client.post(
        "/assessment/index/2026",
        data={
            "relevel-0-innovation": str(bombana["A"]),
            "relevel-0-indicator": "33",
            "relevel-0-level": "3",
            "relevel-1-innovation": str(bombana["B"]),
            "relevel-1-indicator": "",
            "relevel-1-level": "1",
        },
    )
    html = response.get_data(as_text=True)
    assert field(html, "iid", 1) == "5.90"
    assert data_counts() == before


@pytest.mark.parametrize(
    "data",
    [
        {"add-0-name": "X", "add-0-levels": "99:3"},
        {"add-0-name": "X", "add-0-levels": "16:9"},
        {"add-0-name": "X", "add-0-levels": "garbage"},
        {"add-0-name": "X" * 101},
        {"add-0-levels": "16:3"},
        {"add-0-name": "X", "add-0-affair": "999999"},
        {"add-0-name": "X", "add-0-level": "7"},
        {"relevel-0-innovation": "999999", "relevel-0-level": "1"},
        {"relevel-0-innovation": "abc", "relevel-0-level": "1"},
        {"relevel-0-innovation": "1", "relevel-0-indicator": "3", "relevel-0-level": "1"},
        {"remove": ["999999"]},
        {"remove": ["x"]},
    ],
)
def test_bad_what_if_values_give_messages(
    login: Callable[..., FlaskClient],
    bombana: dict[str, int],
    data_counts: Callable[[], dict[str, int]],
    data: dict[str, Any],
) -> None:
    client = login("reviewer")
    before = data_counts()
    response = client.post("/assessment/index/2026", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "alert-danger" in html or "invalid-feedback" in html
    assert 'id="what-if-result"' not in html
    assert data_counts() == before


def test_what_if_rows_are_bounded(
    login: Callable[..., FlaskClient], data_counts: Callable[[], dict[str, int]]
) -> None:
    client = login("reviewer")
    before = data_counts()
    many = {f"add-{i}-name": f"N{i}" for i in range(80)} | {"add-99999999999999999999-name": "x"}
    response = client.post("/assessment/index/2026", data=many)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # At most 50 rows are read; 80 hypothetical innovations would make n = 80.
    assert int(field(html, "count", 1)) == 50
    assert len(set(re.findall(r'name="add-(\d+)-name"', html))) <= 50
    assert data_counts() == before


def test_region_choice_is_bounded(login: Callable[..., FlaskClient], demo: Demo) -> None:
    reviewer = login("reviewer")
    for value in ("abc", "999999", "-1"):
        assert (
            reviewer.get("/assessment/index/2026", query_string={"region": value}).status_code
            == 200
        )
    # The monitor's region is fixed by its scope: a region parameter changes nothing.
    html = panel(login("monitor"), 2026, region=demo.regions["74.05"])
    assert "Kabupaten Bombana" in html or "Bombana" in html
    assert login("monitor").get("/assessment/index").status_code == 302


def test_indicators_are_grouped_under_their_variable(app: Flask, login, demo: Demo) -> None:
    with app.app_context(), scoped(Scope.system("tests: variables"), db.session):
        innovation_id = make_innovation(
            demo.agency("BKD"), "Inovasi bervariabel", "1.01", date(2026, 2, 1)
        )
        for indicator in db.session.scalars(
            sa.select(Indicator)
            .join(AssessmentYear)
            .where(AssessmentYear.year == 2026, Indicator.number.in_([16, 17]))
        ):
            indicator.variable = "Kematangan inovasi"
        db.session.commit()
    page = login("officer.bkd").get(f"/innovations/{innovation_id}/assessment/2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("Variable: Kematangan inovasi") == 1
    assert html.index("Variable: Kematangan inovasi") < html.index("16. Regulasi inovasi daerah")
