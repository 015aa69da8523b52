"""e-pintar: schools, announcements, moderated public feedback, rate limit, honeypot, isolation
and the module switch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.core.models import Role
from puja_indah.core.registry import ModuleActivation
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.epintar.models import Announcement, Feedback, FeedbackStatus, School

VALID = {"rating": "4", "sender_role": "parent", "comment": "Guru ramah.\nSekolah bersih."}


def _demo_school(app: Flask) -> tuple[int, int]:
    with app.app_context(), scoped(Scope.system("tests: e-pintar school"), db.session):
        school = db.session.scalar(sa.select(School).where(School.npsn == "99990001"))
        assert school is not None
        result = (school.id, school.agency_id)
        db.session.remove()
    return result


def _feedback_rows(app: Flask) -> list[Feedback]:
    with app.app_context(), scoped(Scope.system("tests: e-pintar feedback"), db.session):
        rows = list(db.session.scalars(sa.select(Feedback)))
        db.session.expunge_all()
        db.session.remove()
    return rows


def _set_module(app: Flask, agency_id: int, on: bool) -> None:
    with app.app_context(), scoped(Scope.system("tests: e-pintar switch"), db.session):
        row = db.session.scalar(
            sa.select(ModuleActivation).where(
                ModuleActivation.agency_id == agency_id, ModuleActivation.module_code == "epintar"
            )
        )
        if row is None:
            db.session.add(ModuleActivation(agency_id=agency_id, module_code="epintar", enabled=on))
        else:
            row.enabled = on
        db.session.commit()
        db.session.remove()


@pytest.fixture
def dikbud(login: Callable[..., FlaskClient]) -> FlaskClient:
    return login("officer.dikbud")


def test_public_pages_list_demo_schools_and_announcement(client: FlaskClient, app: Flask) -> None:
    page = client.get("/sekolah")
    assert page.status_code == 200
    assert "SD Negeri 1 Rumbia (demo)" in page.get_data(as_text=True)
    assert "Pilih salah satu pilihan" not in page.get_data(as_text=True)
    unknown = client.get("/sekolah?kecamatan=Atlantis").get_data(as_text=True)
    assert "Pilih salah satu pilihan" in unknown and "Rumbia (demo)" in unknown
    filtered = client.get("/sekolah?kecamatan=Poleang").get_data(as_text=True)
    assert "Poleang (demo)" in filtered and "Rumbia (demo)" not in filtered
    school_id, _agency = _demo_school(app)
    text = client.get(f"/sekolah/{school_id}").get_data(as_text=True)
    assert "Pertemuan orang tua murid (demo)" in text
    assert "setelah ditinjau" in text  # "your feedback will appear after review"


def test_feedback_is_held_until_approved(
    client: FlaskClient, app: Flask, dikbud: FlaskClient
) -> None:
    school_id, agency_id = _demo_school(app)
    sent = client.post(f"/sekolah/{school_id}", data=VALID)
    assert sent.status_code == 302
    (row,) = _feedback_rows(app)
    assert row.status is FeedbackStatus.PENDING and row.agency_id == agency_id
    assert "Guru ramah." not in client.get(f"/sekolah/{school_id}").get_data(as_text=True)
    queue = dikbud.get("/m/epintar/feedback").get_data(as_text=True)
    assert "Guru ramah." in queue
    dikbud.post(f"/m/epintar/feedback/{row.id}", data={"decision": "approved"})
    (row,) = _feedback_rows(app)
    assert row.status is FeedbackStatus.APPROVED
    assert row.moderated_at is not None and row.moderated_by_id is not None
    text = client.get(f"/sekolah/{school_id}").get_data(as_text=True)
    # Kept line by line and escaped.
    assert '<p class="text-break mb-1">Guru ramah.</p>' in text
    dikbud.post(f"/m/epintar/feedback/{row.id}", data={"decision": "hidden"})
    assert "Guru ramah." not in client.get(f"/sekolah/{school_id}").get_data(as_text=True)


def test_feedback_text_is_escaped(client: FlaskClient, app: Flask, dikbud: FlaskClient) -> None:
    school_id, _agency = _demo_school(app)
    client.post(f"/sekolah/{school_id}", data=VALID | {"comment": "<script>x()</script>"})
    (row,) = _feedback_rows(app)
    dikbud.post(f"/m/epintar/feedback/{row.id}", data={"decision": "approved"})
    text = client.get(f"/sekolah/{school_id}").get_data(as_text=True)
    assert "<script>x()" not in text and "&lt;script&gt;x()" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sender_role": "parent"}, "Pilih nilai dari 1 sampai 5."),
        ({"rating": "9", "sender_role": "parent"}, "Pilih nilai dari 1 sampai 5."),
        ({"rating": "3"}, "Pilih siapa Anda."),
        ({"rating": "3", "sender_role": "parent", "comment": "x" * 1001}, "Paling banyak 1000"),
    ],
)
def test_bad_feedback_is_refused_with_a_message(
    client: FlaskClient, app: Flask, data: dict[str, str], message: str
) -> None:
    school_id, _agency = _demo_school(app)
    response = client.post(f"/sekolah/{school_id}", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _feedback_rows(app) == []


def test_honeypot_keeps_nothing(client: FlaskClient, app: Flask) -> None:
    school_id, _agency = _demo_school(app)
    response = client.post(f"/sekolah/{school_id}", data=VALID | {"website": "http://spam"})
    assert response.status_code == 302
    assert _feedback_rows(app) == []


def test_rate_limit_per_address_and_school(client: FlaskClient, app: Flask) -> None:
    school_id, _agency = _demo_school(app)
    for _ in range(5):
        assert client.post(f"/sekolah/{school_id}", data=VALID).status_code == 302
    assert client.post(f"/sekolah/{school_id}", data=VALID).status_code == 429
    assert len(_feedback_rows(app)) == 5
    # Another school from the same address still takes feedback.
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        other = db.session.scalar(sa.select(School.id).where(School.npsn == "99990002"))
        db.session.remove()
    assert client.post(f"/sekolah/{other}", data=VALID).status_code == 302


def test_module_off_hides_public_and_staff_pages(
    client: FlaskClient, app: Flask, dikbud: FlaskClient, demo: Any
) -> None:
    school_id, agency_id = _demo_school(app)
    _set_module(app, agency_id, False)
    assert client.get("/sekolah").status_code == 404
    assert client.get(f"/sekolah/{school_id}").status_code == 404
    assert client.post(f"/sekolah/{school_id}", data=VALID).status_code == 404
    assert dikbud.get("/m/epintar/").status_code == 404
    assert _feedback_rows(app) == []


def test_school_validation_messages(dikbud: FlaskClient, app: Flask) -> None:
    base = {"name": "SD Uji", "level": "sd", "district": "Rumbia"}
    bad = dikbud.post("/m/epintar/schools/new", data=base | {"npsn": "1234"})
    assert "NPSN terdiri atas tepat 8 angka" in bad.get_data(as_text=True)
    duplicate = dikbud.post("/m/epintar/schools/new", data=base | {"npsn": "99990001"})
    assert duplicate.status_code == 200
    assert "Sekolah dengan NPSN ini sudah terdaftar." in duplicate.get_data(as_text=True)
    good = dikbud.post("/m/epintar/schools/new", data=base | {"npsn": "12345678"})
    assert good.status_code == 302


def test_duplicate_npsn_of_another_agency_is_a_message(
    login: Callable[..., FlaskClient], app: Flask, demo: Any
) -> None:
    # BKD runs e-pintar too here; Dikbud's demo NPSN is taken nationally.
    _set_module(app, demo.agency("BKD"), True)
    officer = login("officer.bkd")
    response = officer.post(
        "/m/epintar/schools/new",
        data={"npsn": "99990001", "name": "X", "level": "sd", "district": "Y"},
    )
    assert response.status_code == 200
    assert "Sekolah dengan NPSN ini sudah terdaftar." in response.get_data(as_text=True)


def test_announcements_publish_expire_and_isolation(
    dikbud: FlaskClient,
    client: FlaskClient,
    app: Flask,
    login: Callable[..., FlaskClient],
    demo: Any,
) -> None:
    school_id, _agency = _demo_school(app)
    dikbud.post(
        "/m/epintar/announcements/new",
        data={"school_id": str(school_id), "title": "Libur semester", "body": "Baris 1\nBaris 2"},
    )
    dikbud.post(
        "/m/epintar/announcements/new",
        data={"school_id": "", "title": "Sudah lewat", "body": "x", "expires_on": "2020-01-01"},
    )
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        ids = {a.title: a.id for a in db.session.scalars(sa.select(Announcement))}
        db.session.remove()
    page = f"/sekolah/{school_id}"
    assert "Libur semester" not in client.get(page).get_data(as_text=True)  # a draft
    for title in ("Libur semester", "Sudah lewat"):
        dikbud.post(f"/m/epintar/announcements/{ids[title]}/publish")
    text = client.get(page).get_data(as_text=True)
    assert "Libur semester" in text and "Baris 2</p>" in text
    assert "Sudah lewat" not in text  # expired
    # Newest first: the new one before the seeded demo announcement.
    assert text.index("Libur semester") < text.index("Pertemuan orang tua murid")
    dikbud.post(f"/m/epintar/announcements/{ids['Libur semester']}/unpublish")
    assert "Libur semester" not in client.get(page).get_data(as_text=True)
    # Another agency's staff (with e-pintar on) cannot see or change Dikbud's rows.
    _set_module(app, demo.agency("BKD"), True)
    bkd = login("officer.bkd")
    assert bkd.get(f"/m/epintar/schools/{school_id}/edit").status_code == 404
    assert bkd.get(f"/m/epintar/announcements/{ids['Libur semester']}/edit").status_code == 404
    assert bkd.post(f"/m/epintar/announcements/{ids['Libur semester']}/publish").status_code == 404
    assert "Rumbia" not in bkd.get("/m/epintar/").get_data(as_text=True)


def test_participation_and_metrics(client: FlaskClient, app: Flask, dikbud: FlaskClient) -> None:
    school_id, agency_id = _demo_school(app)
    for rating in ("5", "3"):
        client.post(f"/sekolah/{school_id}", data=VALID | {"rating": rating})
    for row in _feedback_rows(app):
        dikbud.post(f"/m/epintar/feedback/{row.id}", data={"decision": "approved"})
    assert dikbud.get("/m/epintar/participation").status_code == 200
    with app.app_context(), scoped(Scope.system("tests"), db.session):
        from puja_indah.core import registry
        from puja_indah.modules.epintar import queries

        with (
            app.test_request_context(),
            scoped(Scope.for_membership(Role.AGENCY_OFFICER, agency_id, None), db.session),
        ):
            figures = {f.school_id: f for f in queries.participation().schools}
            module = registry.get("epintar")
            assert module is not None
            metrics = {m.key: m for m in module.metrics(agency_id)}
            # The board's batch: the same figures, and an agency without schools gets zeros.
            other = agency_id + 100_000
            many = module.metrics_many([agency_id, other])
            assert many[agency_id] == list(metrics.values())
            assert [m.value for m in many[other]] == [0, 0, None]
        assert figures[school_id].received == 2 and figures[school_id].approved == 2
        assert figures[school_id].average_rating == 4.0
        assert sum(figures[school_id].by_month.values()) == 2
        db.session.remove()
    assert metrics["schools_reached"].value == 4
    assert metrics["feedback_received_year"].value == 2
    assert metrics["feedback_received_year"].indicator == 33
    assert metrics["average_rating"].value == 4.0
