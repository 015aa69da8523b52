"""The Kemendagri reviewer workspace and review decisions, through the real screens on the real
database (SQLite, or PostgreSQL with row-level security and a non-owner application role).

Seeded catalogue 2026 (puja_indah/assessment/data/iid_2026.yaml): SID indicators 16–35, each with
levels P1–P3; SPD indicators 1–15. Demo accounts: reviewer (national), admin, monitor (Bombana),
monitor.konsel (Konawe Selatan), officer.bkd / lead.bkd, officer.dpmptsp, officer.konsel.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.assessment.models import AssessmentYear, Claim
from puja_indah.core.models import Role
from puja_indah.core.tenancy import Scope, TenancyViolation, scoped
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin, Stage
from puja_indah.progress.models import Milestone
from puja_indah.reference.models import Affair
from puja_indah.reviews import queries
from puja_indah.reviews.models import ReviewDecision, Verdict
from tests.conftest import BACKEND, Demo
from tests.integration.review_helpers import SYSTEM, _indicator_id, make_innovation

pytestmark = pytest.mark.usefixtures("no_demo_innovations")

REVIEWER = Scope.for_membership(Role.NATIONAL_REVIEWER, None, None)


@pytest.fixture
def login(login_en: Callable[..., FlaskClient]) -> Callable[..., FlaskClient]:
    """Every client of this module reads English, so the assertions read the msgids."""
    return login_en


def decisions(app: Flask, innovation_id: int) -> list[ReviewDecision]:
    with app.app_context(), scoped(SYSTEM, db.session):
        rows = list(
            db.session.scalars(
                sa.select(ReviewDecision)
                .where(ReviewDecision.innovation_id == innovation_id)
                .order_by(ReviewDecision.indicator_id, ReviewDecision.version)
            )
        )
        db.session.expunge_all()
        db.session.remove()
    return rows


def decide(client: FlaskClient, innovation_id: int, number: int, **fields: Any) -> Any:
    data = {f"ind{number}-{key}": value for key, value in fields.items()}
    data.setdefault(f"ind{number}-version", "0")
    return client.post(f"/review/innovations/{innovation_id}/2026/{number}", data=data)


# --- the workspace -------------------------------------------------------------------------------


def test_workspace_lists_every_region_with_claim_and_review_counts(
    app: Flask, demo: Demo, login: Any
) -> None:
    bkd = make_innovation(
        app, demo.agency("BKD"), "E-tracking pencairan", claims={16: (2, True), 17: (1, True)}
    )
    make_innovation(app, demo.agency("BKAD", "74.05"), "Inovasi Konsel", claims={16: (1, False)})
    reviewer = login("reviewer")
    decide(reviewer, bkd, 16, verdict="needs_revision", accepted_level="1", note="SK belum ada")
    page = reviewer.get("/review")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "E-tracking pencairan" in html and "Inovasi Konsel" in html
    assert 'id="review-exports"' in html
    row = html.split(f'data-innovation="{bkd}"')[1].split("</tr>")[0]
    # claims 2, reviewed 1, needs revision 1
    cells = [c.split("</td>")[0].strip() for c in row.split('class="text-end">')[1:]]
    assert cells == ["2", "1", "1"]
    assert "Needs revision" in row


def test_workspace_filters_sort_and_page(app: Flask, demo: Demo, login: Any) -> None:
    bkd, dpm = demo.agency("BKD"), demo.agency("DPMPTSP")
    first = make_innovation(
        app, bkd, "Alpha layanan", stage=Stage.IMPLEMENTATION, affair="1.02", claims={16: (1, True)}
    )
    make_innovation(app, dpm, "Beta perizinan", stage=Stage.TRIAL, claims={16: (2, True)})
    make_innovation(app, demo.agency("BKAD", "74.05"), "Gamma Konsel")
    reviewer = login("reviewer")
    decide(reviewer, first, 16, verdict="valid", accepted_level="1")

    def names(query: str) -> list[str]:
        response = reviewer.get("/review" + query)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "were not understood" not in html, query
        return [
            part.split("</a>")[0].split(">")[-1] for part in html.split("<tr data-innovation=")[1:]
        ]

    assert names(f"?region={demo.regions['74.05']}") == ["Gamma Konsel"]
    assert names(f"?agency={dpm}") == ["Beta perizinan"]
    assert names("?stage=penerapan") == ["Alpha layanan"]
    affair = db_id(app, Affair, code="1.02")
    assert names(f"?affair={affair}") == ["Alpha layanan"]
    assert names("?q=perizin") == ["Beta perizinan"]
    assert names("?status=all_valid") == ["Alpha layanan"]
    assert names("?status=not_reviewed") == ["Beta perizinan", "Gamma Konsel"]
    assert names("?status=revision") == []
    assert names("?sort=name&direction=desc") == ["Gamma Konsel", "Beta perizinan", "Alpha layanan"]
    assert names("?sort=claims&direction=desc")[0] in ("Alpha layanan", "Beta perizinan")
    # Pagination: 25 a page.
    for n in range(26):
        make_innovation(app, bkd, f"Zeta {n:02d}")
    listed = names(f"?agency={bkd}&page=2")
    assert len(listed) == 2 and listed[-1] == "Zeta 25"
    assert len(names(f"?agency={bkd}")) == 25


def test_national_scope_filters_by_region_then_its_agencies(
    app: Flask, demo: Demo, login: Any
) -> None:
    """The agency select lists only the chosen region's agencies (never every agency in the
    country): a hint until a region is chosen, an old `?agency=` link gets its region filled in,
    bad ids are reported beside their field (200, never 500)."""
    dpm = demo.agency("DPMPTSP")
    konsel = demo.agency("BKAD", "74.05")
    make_innovation(app, dpm, "Beta perizinan")
    make_innovation(app, konsel, "Gamma Konsel")
    reviewer = login("reviewer")
    bombana = demo.regions["74.06"]

    def agency_select(html: str) -> str:
        found = re.search(r'<select[^>]*name="agency".*?</select>', html, re.S)
        assert found
        return found.group(0)

    html = reviewer.get("/review").get_data(as_text=True)
    assert agency_select(html).count("<option") == 1  # "All" only, before a region is chosen
    assert "Choose a region and press Filter" in html
    assert re.search(r'<optgroup label="[^"]+">\s*<option value="\d+"', html)  # under provinces
    html = reviewer.get(f"/review?region={bombana}").get_data(as_text=True)
    assert f'<option value="{dpm}"' in agency_select(html)
    assert f'value="{konsel}"' not in agency_select(html)  # another region's agency
    assert "Choose a region and press Filter" not in html
    for query in (f"agency={dpm}", f"region={bombana}&agency={dpm}"):
        html = reviewer.get(f"/review?{query}").get_data(as_text=True)
        assert "were not understood" not in html, query
        assert [
            p.split("</a>")[0].split(">")[-1] for p in html.split("<tr data-innovation=")[1:]
        ] == ["Beta perizinan"], query
        assert re.search(rf'<option value="{bombana}" selected>', html), query  # region filled in
        assert (
            f'<option selected value="{dpm}"' in html or f'<option value="{dpm}" selected' in html
        )
    for query in (
        "region=999999",
        "agency=999999",
        f"region=999999&agency={dpm}",
        f"region={demo.regions['74.05']}&agency={dpm}",  # an agency of another region
    ):
        response = reviewer.get(f"/review?{query}")
        assert response.status_code == 200, query
        html = response.get_data(as_text=True)
        assert "Some filters were not understood and are ignored" in html, query
        assert "Choose one of the listed options." in html, query


def db_id(app: Flask, model: type, **where: Any) -> int:
    with app.app_context(), scoped(SYSTEM, db.session):
        found = int(db.session.scalar(sa.select(model.id).filter_by(**where)))
        db.session.remove()
    return found


@pytest.mark.parametrize(
    "query",
    [
        "?region=abc",
        "?region=99999999",
        "?region=-1",
        "?agency=1e9",
        "?year=2026",  # a year number, not one of the listed year ids
        "?stage=selesai",
        "?affair=%00",
        "?status=bogus",
        "?sort=password_hash",
        "?direction=sideways",
        "?page=abc",
        "?q=" + "x" * 101,
        "?region=" + "9" * 40,
    ],
)
def test_bad_filters_are_named_and_ignored_never_a_500(login: Any, query: str) -> None:
    response = login("reviewer").get("/review" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Some filters were not understood and are ignored" in html


def test_bad_filters_read_in_indonesian(client: FlaskClient) -> None:
    from puja_indah.seed import DEMO_PASSWORD

    client.post("/masuk", data={"email": "reviewer@demo.pujaindah.id", "password": DEMO_PASSWORD})
    html = client.get("/review?status=bogus").get_data(as_text=True)
    assert "Beberapa penyaring tidak dipahami" in html


def test_only_reviewers_and_admins_enter(login: Any) -> None:
    for account, status in (
        ("officer.bkd", 403),
        ("lead.bkd", 403),
        ("monitor", 403),
        ("reviewer", 200),
        ("admin", 200),
    ):
        assert login(account).get("/review").status_code == status, account


# --- the review page and decisions ---------------------------------------------------------------


def test_review_page_shows_claims_evidence_and_download(app: Flask, demo: Demo, login: Any) -> None:
    import hashlib
    from datetime import UTC, datetime

    from puja_indah.evidence.models import EvidenceFile
    from puja_indah.evidence.services import evidence_files

    innovation = make_innovation(app, demo.agency("BKD"), "E-tracking", claims={16: (3, True)})
    data = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    with app.app_context(), scoped(SYSTEM, db.session):
        doc = db.session.scalar(sa.select(Evidence).where(Evidence.innovation_id == innovation))
        doc.files.append(
            EvidenceFile(
                agency_id=doc.agency_id,
                number=1,
                storage_key=evidence_files().save(data),
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                content_type="application/pdf",
                original_name="sk.pdf",
                uploaded_at=datetime.now(UTC),
            )
        )
        db.session.commit()
        file_id = doc.files[0].id
        doc_id = doc.id
        db.session.remove()
    reviewer = login("reviewer")
    html = reviewer.get(f"/review/innovations/{innovation}/2026").get_data(as_text=True)
    assert "16/BKD/2026" in html and "(claimed)" in html
    link = f"/innovations/{innovation}/evidence/{doc_id}/files/{file_id}"
    assert link in html
    assert reviewer.get(link).data == data
    # Every SID indicator has its form; SPD indicators are not reviewed here.
    assert html.count("data-decision-form=") == 20
    admin_html = login("admin").get(f"/review/innovations/{innovation}/2026").get_data(as_text=True)
    assert "data-decision-form=" not in admin_html
    assert "only national reviewers record decisions" in admin_html


def test_decision_is_saved_as_a_new_version_with_history(
    app: Flask, demo: Demo, login: Any
) -> None:
    innovation = make_innovation(app, demo.agency("BKD"), "E-tracking", claims={16: (3, True)})
    reviewer = login("reviewer")
    response = decide(
        reviewer, innovation, 16, verdict="needs_revision", accepted_level="2", note="Perbup saja"
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/review/innovations/{innovation}/2026#ind-16")
    response = decide(reviewer, innovation, 16, verdict="valid", accepted_level="3", version="1")
    assert response.status_code == 302
    rows = decisions(app, innovation)
    assert [(r.version, r.verdict, r.accepted_level, r.note) for r in rows] == [
        (1, Verdict.NEEDS_REVISION, 2, "Perbup saja"),
        (2, Verdict.VALID, 3, ""),
    ]
    assert rows[0].agency_id == demo.agency("BKD")
    assert rows[0].reviewer_id == demo.users["reviewer"]
    assert rows[0].claim_level == 3 and rows[0].claim_version == 1
    html = reviewer.get(f"/review/innovations/{innovation}/2026").get_data(as_text=True)
    assert "Earlier decisions (1)" in html and "Perbup saja" in html
    # The claim is untouched: decisions are kept apart.
    with app.app_context(), scoped(SYSTEM, db.session):
        claim = db.session.scalar(sa.select(Claim).where(Claim.innovation_id == innovation))
        assert (claim.level, claim.version) == (3, 1)
        db.session.remove()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"verdict": "needs_revision", "accepted_level": "1", "note": ""}, "a note is required"),
        ({"verdict": "needs_revision", "accepted_level": "1", "note": "   "}, "a note is required"),
        ({"verdict": "valid", "accepted_level": "4"}, "Choose one of the indicator"),
        ({"verdict": "valid", "accepted_level": "-1"}, "Choose one of the indicator"),
        ({"verdict": "valid", "accepted_level": "x"}, "Choose one of the indicator"),
        ({"verdict": "valid", "accepted_level": "0"}, "accepted at one of the indicator"),
        ({"verdict": "maybe", "accepted_level": "1"}, "Nothing was saved"),
        ({"accepted_level": "1"}, "Choose a verdict"),
        ({"verdict": "valid", "accepted_level": "1", "note": "x" * 2001}, "at most 2000"),
        ({"verdict": "valid", "accepted_level": "1", "version": "abc"}, "out of date"),
        ({"verdict": "valid", "accepted_level": "1", "version": ""}, "out of date"),
    ],
)
def test_bad_decisions_are_refused_with_a_message_and_nothing_saved(
    app: Flask, demo: Demo, login: Any, data_counts: Any, fields: dict[str, str], message: str
) -> None:
    innovation = make_innovation(app, demo.agency("BKD"), "E-tracking", claims={16: (2, True)})
    reviewer = login("reviewer")
    before = data_counts()
    response = decide(reviewer, innovation, 16, **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert data_counts() == before


@pytest.mark.parametrize("path", ["99", "1", "0", "35/x", "9999"])
def test_unknown_or_region_indicator_is_not_found(
    app: Flask, demo: Demo, login: Any, data_counts: Any, path: str
) -> None:
    innovation = make_innovation(app, demo.agency("BKD"), "E-tracking")
    before = data_counts()
    response = login("reviewer").post(
        f"/review/innovations/{innovation}/2026/{path}",
        data={"verdict": "valid", "accepted_level": "1", "version": "0"},
    )
    assert response.status_code == 404
    assert data_counts() == before


def test_unknown_innovation_or_year_is_not_found(app: Flask, demo: Demo, login: Any) -> None:
    innovation = make_innovation(app, demo.agency("BKD"), "E-tracking")
    reviewer = login("reviewer")
    for path in (
        "/review/innovations/999999/2026",
        f"/review/innovations/{innovation}/2199",
        f"/review/innovations/{innovation}/1999",
        "/review/innovations/99999999999/2026",
    ):
        assert reviewer.get(path).status_code == 404, path


def test_stale_save_is_refused_with_what_the_other_reviewer_saved(
    app: Flask, demo: Demo, login: Any, data_counts: Any
) -> None:
    innovation = make_innovation(app, demo.agency("BKD"), "E-tracking", claims={17: (2, True)})
    reviewer = login("reviewer")
    # Both opened the page at version 0; the first saves.
    assert decide(reviewer, innovation, 17, verdict="valid", accepted_level="2").status_code == 302
    before = data_counts()
    response = decide(
        reviewer, innovation, 17, verdict="needs_revision", accepted_level="1", note="Kurang"
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Another reviewer saved a decision on this indicator" in html
    conflict = html.split('data-conflict="17"')[1].split("</div>")[0]
    assert "Reviewer Kemendagri (demo)" in conflict and "Valid" in conflict
    assert data_counts() == before
    # The form now carries the current version: saving again knowingly replaces it.
    assert 'name="ind17-version" type="hidden" value="1"' in html
    assert "Kurang" in html  # the reviewer's own input is kept on screen
    again = decide(
        reviewer,
        innovation,
        17,
        verdict="needs_revision",
        accepted_level="1",
        note="Kurang",
        version="1",
    )
    assert again.status_code == 302
    assert [r.version for r in decisions(app, innovation)] == [1, 2]


def test_same_version_twice_is_refused_by_the_database(app: Flask, demo: Demo) -> None:
    """The unique (innovation, indicator, version) key is the last word in a race."""
    from sqlalchemy.exc import IntegrityError

    innovation = make_innovation(app, demo.agency("BKD"), "E-tracking")
    with app.app_context():
        indicator = _indicator_id(16)
        with scoped(REVIEWER, db.session):
            for _ in range(2):
                db.session.add(
                    ReviewDecision(
                        agency_id=demo.agency("BKD"),
                        innovation_id=innovation,
                        indicator_id=indicator,
                        version=1,
                        verdict=Verdict.VALID,
                        accepted_level=1,
                    )
                )
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()
        db.session.remove()


def test_admin_and_agency_roles_cannot_decide(
    app: Flask, demo: Demo, login: Any, data_counts: Any
) -> None:
    innovation = make_innovation(app, demo.agency("BKD"), "E-tracking", claims={16: (2, True)})
    before = data_counts()
    for account in ("admin", "monitor", "officer.bkd", "lead.bkd"):
        response = decide(login(account), innovation, 16, verdict="valid", accepted_level="2")
        assert response.status_code == 403, account
        assert "Your role does not allow this page or action." in response.get_data(as_text=True)
    assert data_counts() == before


# --- visible to the agency and its monitor, never to others --------------------------------------


def test_agency_and_monitor_see_the_decision_read_only(app: Flask, demo: Demo, login: Any) -> None:
    innovation = make_innovation(app, demo.agency("BKD"), "E-tracking", claims={16: (3, True)})
    decide(
        login("reviewer"),
        innovation,
        16,
        verdict="needs_revision",
        accepted_level="2",
        note="Lampirkan Perbup",
    )
    for account in ("officer.bkd", "lead.bkd", "monitor"):
        html = (
            login(account).get(f"/innovations/{innovation}/assessment/2026").get_data(as_text=True)
        )
        block = html.split('data-review="16"')[1].split("</div>")[0]
        assert "Needs revision" in block and "accepted at P2" in block, account
        assert "Lampirkan Perbup" in block and "Reviewer Kemendagri (demo)" in block
        assert "decide" not in html.split('data-review="16"')[1][:2000]
    detail = login("officer.bkd").get(f"/innovations/{innovation}").get_data(as_text=True)
    summary = detail.split('id="review-summary"')[1].split("</p>")[0]
    assert "0 valid" in summary and "1 need revision" in summary
    claims = login("monitor").get("/assessment/region/2026").get_data(as_text=True)
    row = claims.split(f'data-innovation="{innovation}"')[1].split("</tr>")[0]
    assert "0 valid" in row and "1 need revision" in row


def test_decisions_of_another_agency_or_region_are_never_visible(
    app: Flask, demo: Demo, login: Any
) -> None:
    innovation = make_innovation(app, demo.agency("BKD"), "E-tracking", claims={16: (3, True)})
    decide(login("reviewer"), innovation, 16, verdict="valid", accepted_level="3")
    # Through the screens: another agency's and another region's users get 404.
    for account in ("officer.dpmptsp", "officer.konsel", "monitor.konsel"):
        client = login(account)
        assert client.get(f"/innovations/{innovation}/assessment/2026").status_code == 404
        assert client.get(f"/innovations/{innovation}").status_code == 404
    konsel = login("monitor.konsel").get("/assessment/region/2026").get_data(as_text=True)
    assert 'id="region-reviews"' not in konsel
    # Through the queries, in each scope.
    with app.app_context():
        year_id = db_id(app, AssessmentYear, year=2026)
        for scope, visible in (
            (Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), None), 1),
            (Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("DPMPTSP"), None), 0),
            (Scope.for_membership(Role.REGION_MONITOR, None, demo.regions["74.06"]), 1),
            (Scope.for_membership(Role.REGION_MONITOR, None, demo.regions["74.05"]), 0),
        ):
            with scoped(scope, db.session):
                assert len(queries.current_for(innovation, year_id)) == visible, scope
                assert len(queries.summary_by_year(innovation)) == visible, scope
                assert len(queries.region_summaries(demo.regions["74.06"], year_id)) == visible, (
                    scope
                )
        db.session.remove()


# --- the reviewer writes nothing else ------------------------------------------------------------


def test_reviewer_scope_cannot_write_other_agency_data_through_the_orm(
    app: Flask, demo: Demo
) -> None:
    bkd = demo.agency("BKD")
    innovation = make_innovation(app, bkd, "E-tracking", claims={16: (2, True)})
    with app.app_context():
        with scoped(SYSTEM, db.session):
            loaded = {
                "innovation": db.session.get(Innovation, innovation),
                "claim": db.session.scalar(
                    sa.select(Claim).where(Claim.innovation_id == innovation)
                ),
                "evidence": db.session.scalar(
                    sa.select(Evidence).where(Evidence.innovation_id == innovation)
                ),
            }
        region_id = loaded["innovation"].region_id
        new_rows = {
            "innovation": lambda: Innovation(
                agency_id=bkd, region_id=region_id, origin=Origin.OWN, name="X", name_key="x"
            ),
            "claim": lambda: Claim(
                agency_id=bkd, innovation_id=innovation, indicator_id=_indicator_id(17), level=1
            ),
            "evidence": lambda: Evidence(agency_id=bkd, innovation_id=innovation, title="X"),
            "milestone": lambda: Milestone(
                agency_id=bkd,
                innovation_id=innovation,
                happened_on=date(2026, 1, 1),
                title="X",
                progress=10,
            ),
        }
        with scoped(REVIEWER, db.session):
            for make in new_rows.values():
                db.session.add(make())
                with pytest.raises(TenancyViolation):
                    db.session.flush()
                db.session.rollback()
            for obj in loaded.values():
                db.session.add(obj)
                obj.updated_at = obj.updated_at  # marks it dirty
                sa.orm.attributes.flag_modified(obj, "agency_id")
                with pytest.raises(TenancyViolation):
                    db.session.flush()
                db.session.rollback()
        db.session.remove()


def test_only_the_reviewer_writes_decisions_and_never_changes_them(app: Flask, demo: Demo) -> None:
    bkd = demo.agency("BKD")
    innovation = make_innovation(app, bkd, "E-tracking")

    def decision() -> ReviewDecision:
        return ReviewDecision(
            agency_id=bkd,
            innovation_id=innovation,
            indicator_id=_indicator_id(16),
            version=1,
            verdict=Verdict.VALID,
            accepted_level=1,
        )

    with app.app_context():
        for scope in (
            Scope.for_membership(Role.AGENCY_OFFICER, bkd, None),
            Scope.for_membership(Role.AGENCY_LEAD, bkd, None),
            Scope.for_membership(Role.REGION_MONITOR, None, demo.regions["74.06"]),
            Scope.for_membership(Role.PLATFORM_ADMIN, None, None),
            Scope.anonymous(),
        ):
            with scoped(scope, db.session):
                db.session.add(decision())
                with pytest.raises(TenancyViolation):
                    db.session.flush()
                db.session.rollback()
        with scoped(REVIEWER, db.session):
            row = decision()
            db.session.add(row)
            db.session.commit()
            row.note = "changed"
            with pytest.raises(TenancyViolation):
                db.session.flush()
            db.session.rollback()
            db.session.delete(row)
            with pytest.raises(TenancyViolation):
                db.session.flush()
            db.session.rollback()
            with pytest.raises(TenancyViolation):
                db.session.execute(sa.delete(ReviewDecision))
            db.session.rollback()
        db.session.remove()


def test_reviewer_posts_to_agency_write_routes_are_refused(
    app: Flask, demo: Demo, login: Any, data_counts: Any
) -> None:
    innovation = make_innovation(app, demo.agency("BKD"), "E-tracking", claims={16: (2, True)})
    with app.app_context(), scoped(SYSTEM, db.session):
        evidence = db.session.scalar(
            sa.select(Evidence.id).where(Evidence.innovation_id == innovation)
        )
        db.session.remove()
    reviewer = login("reviewer")
    before = data_counts()
    routes = [
        "/innovations/new",
        f"/innovations/{innovation}/edit",
        f"/innovations/{innovation}/stage",
        f"/innovations/{innovation}/publish",
        f"/innovations/{innovation}/assessment/2026",
        f"/innovations/{innovation}/evidence/new",
        f"/innovations/{innovation}/evidence/{evidence}/edit",
        f"/innovations/{innovation}/evidence/{evidence}/delete",
        f"/innovations/{innovation}/milestones/new",
        "/replications/new",
        "/profil-opd",
    ]
    for path in routes:
        response = reviewer.post(path, data={"name": "X", "level": "3", "title": "X"})
        assert response.status_code == 403, path
        assert "Your role does not allow this page or action." in response.get_data(as_text=True)
    assert data_counts() == before


# --- the digest's number -------------------------------------------------------------------------


def test_pending_for_region_counts_evidenced_claims_without_a_current_decision(
    app: Flask, demo: Demo, login: Any
) -> None:
    bombana, konsel = demo.regions["74.06"], demo.regions["74.05"]
    bkd = make_innovation(
        app,
        demo.agency("BKD"),
        "E-tracking",
        claims={16: (2, True), 17: (1, True), 18: (2, False), 19: (0, True)},
    )
    make_innovation(app, demo.agency("BKAD", "74.05"), "Konsel", claims={16: (1, True)})
    with app.app_context():
        # 16 and 17 of BKD (18 has no evidence, 19 claims nothing); Konsel's 16 elsewhere.
        assert queries.pending_for_region(bombana) == 2
        assert queries.pending_for_region(konsel) == 1
        assert queries.pending_for_region(None) == 3
        assert queries.pending_for_region(999_999) == 0
    reviewer = login("reviewer")
    decide(reviewer, bkd, 16, verdict="needs_revision", accepted_level="1", note="Revisi")
    with app.app_context():
        assert queries.pending_for_region(bombana) == 1
        assert queries.pending_for_region(None) == 2
    # The agency changes the claim after the decision: it waits for the reviewer again.
    with app.app_context(), scoped(SYSTEM, db.session):
        claim = db.session.scalar(
            sa.select(Claim).where(
                Claim.innovation_id == bkd, Claim.indicator_id == _indicator_id(16)
            )
        )
        claim.level = 1
        db.session.commit()
        db.session.remove()
    with app.app_context():
        assert queries.pending_for_region(bombana) == 2
        # It answers the same from any scope (a job, a monitor's request): a named read.
        with scoped(Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), None)):
            assert queries.pending_for_region(None) == 3
    html = reviewer.get(f"/review/innovations/{bkd}/2026").get_data(as_text=True)
    assert "The claim changed after this decision" in html


# --- layer 3: the database's word (PostgreSQL) ---------------------------------------------------


@pytest.mark.skipif(BACKEND != "postgresql", reason="row-level security is PostgreSQL's")
def test_database_lets_only_the_reviewer_insert_and_nobody_change(app: Flask, demo: Demo) -> None:
    """Raw SQL bypasses the ORM guard: row-level security (rls.enable_reviewer_rls) still lets
    the reviewer's insert through and refuses everyone else's, and every change or delete."""
    from sqlalchemy.exc import DBAPIError

    bkd = demo.agency("BKD")
    innovation = make_innovation(app, bkd, "E-tracking")
    insert = sa.text(
        "INSERT INTO review_decisions (agency_id, innovation_id, indicator_id, version, verdict,"
        " accepted_level, note, claim_level, claim_version, created_at, updated_at)"
        " VALUES (:a, :i, :ind, :v, 'valid', 1, '', 0, 0, now(), now())"
    )
    with app.app_context():
        indicator = _indicator_id(16)
        values = {"a": bkd, "i": innovation, "ind": indicator}
        for scope in (
            Scope.for_membership(Role.PLATFORM_ADMIN, None, None),
            Scope.for_membership(Role.AGENCY_OFFICER, bkd, None),
            Scope.for_membership(Role.REGION_MONITOR, None, demo.regions["74.06"]),
            Scope.anonymous(),
        ):
            with scoped(scope, db.session):
                with pytest.raises(DBAPIError):
                    db.session.execute(insert, {**values, "v": 1})
                db.session.rollback()
        with scoped(REVIEWER, db.session):
            db.session.execute(insert, {**values, "v": 1})
            db.session.commit()
            with pytest.raises(DBAPIError):
                db.session.execute(sa.text("UPDATE review_decisions SET note = 'x'"))
            db.session.rollback()
            deleted = db.session.execute(sa.text("DELETE FROM review_decisions"))
            assert deleted.rowcount == 0  # type: ignore[attr-defined]
            db.session.commit()
            assert db.session.scalar(sa.text("SELECT count(*) FROM review_decisions")) == 1
            db.session.commit()
        db.session.remove()
