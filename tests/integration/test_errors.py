"""Friendly error pages in the user's language, never a stack trace."""

from __future__ import annotations

import pytest


def _assert_friendly(response, code: int, text: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == code
    assert text in body
    assert "Traceback" not in body and "sqlalchemy" not in body.lower()


def test_404_in_indonesian_and_english(client, login):
    _assert_friendly(client.get("/tidak-ada"), 404, "Tidak ditemukan")
    english = login("officer.bkd")
    english.post("/bahasa", data={"language": "en", "next": "/"})
    _assert_friendly(english.get("/tidak-ada"), 404, "Not found")


def test_403_for_a_role_that_may_not(login):
    _assert_friendly(login("officer.bkd").get("/pengguna"), 403, "Akses ditolak")


def test_405_and_400(client):
    _assert_friendly(client.get("/keluar"), 405, "Tidak diizinkan")


def test_413_upload_too_large(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/masuk", data={"email": "x" * (limit + 10)})
    _assert_friendly(response, 413, "Berkas terlalu besar")


def test_429_when_rate_limited(client):
    for _ in range(30):
        client.post("/masuk", data={"email": "a@b.id", "password": "x"})
    _assert_friendly(
        client.post("/masuk", data={"email": "a@b.id", "password": "x"}), 429, "Terlalu banyak"
    )


@pytest.fixture
def broken_app(app, test_database):
    """A fresh app with one view that fails the way an unforeseen bug would."""
    from puja_indah import create_app
    from tests.conftest import make_test_config

    fresh = create_app(make_test_config(test_database))

    def explode():
        raise RuntimeError("boom")

    explode.policy = None
    fresh.add_url_rule("/__explode", "explode", explode)
    yield fresh
    from puja_indah.extensions import db

    with fresh.app_context():
        db.engine.dispose()  # its own engine: close the pool, not leave it to the GC


def test_500_is_friendly_and_logged(broken_app, caplog):
    response = broken_app.test_client().get("/__explode")
    _assert_friendly(response, 500, "Terjadi kesalahan")
    assert "boom" not in response.get_data(as_text=True)
    assert any("Unhandled error" in record.message for record in caplog.records)
