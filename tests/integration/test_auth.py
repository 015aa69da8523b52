from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from puja_indah.auth.models import LoginSession
from puja_indah.core.audit import AuditEntry
from puja_indah.core.db import utcnow
from puja_indah.core.models import User
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

EMAIL = "officer.bkd@demo.pujaindah.id"


def test_sign_in_page_is_indonesian_by_default(client):
    page = client.get("/masuk").get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Masuk" in page


def test_sign_in_and_landing_page(login):
    page = login("officer.bkd").get("/").get_data(as_text=True)
    assert "Badan Keuangan Daerah" in page
    assert "E-tracking pencairan anggaran" in page


def test_wrong_password_is_refused_with_a_message(client, demo):
    response = client.post("/masuk", data={"email": EMAIL, "password": "Salah-sekali-123"})
    assert response.status_code == 200
    assert "E-mail atau kata sandi salah." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_out_with_time_to_retry(client, demo, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.post("/masuk", data={"email": EMAIL, "password": "Salah-sekali-123"})
    # Even the right password is refused while throttled, and the message says for how long.
    response = client.post("/masuk", data={"email": EMAIL, "password": demo.password})
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "Coba lagi dalam 15 menit" in text


def test_sign_out_ends_sessions_on_every_device(login):
    phone, desktop = login("officer.bkd"), login("officer.bkd")
    assert phone.get("/").status_code == 200
    desktop.post("/keluar")
    assert phone.get("/").status_code == 302  # the other device is signed out too


def test_idle_login_expires(login, app):
    browser = login("officer.bkd")
    with app.app_context(), scoped(Scope.system("test: age the session"), db.session):
        db.session.execute(
            sa.update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        db.session.commit()
    assert browser.get("/").status_code == 302


def test_absolute_limit_expires_an_active_login(login, app):
    browser = login("officer.bkd")
    with app.app_context(), scoped(Scope.system("test: age the session"), db.session):
        db.session.execute(
            sa.update(LoginSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1))
        )
        db.session.commit()
    assert browser.get("/").status_code == 302


def test_password_change_enforces_policy_and_signs_out_other_devices(login, demo):
    other_device, browser = login("officer.bkd"), login("officer.bkd")
    weak = browser.post(
        "/akun/kata-sandi",
        data={"current_password": demo.password, "new_password": "pendek", "confirm": "pendek"},
    )
    assert "Minimal 12 karakter." in weak.get_data(as_text=True)
    new = "Kata-Sandi-Baru-2026"
    ok = browser.post(
        "/akun/kata-sandi",
        data={"current_password": demo.password, "new_password": new, "confirm": new},
    )
    assert ok.status_code == 302
    assert browser.get("/").status_code == 200  # this device keeps a fresh login
    assert other_device.get("/").status_code == 302


def test_sign_ins_and_failures_are_audited(client, login, app, demo):
    client.post("/masuk", data={"email": EMAIL, "password": "Salah-sekali-123"})
    login("officer.bkd")
    with app.app_context(), scoped(Scope.system("test: read audit"), db.session):
        actions = db.session.scalars(
            sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(5)
        ).all()
        user = db.session.get(User, demo.users["officer.bkd"])
        assert user is not None
    assert "sign_in" in actions and "sign_in_failed" in actions


def test_many_failures_from_one_address_block_that_address(client, app, demo):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for n in range(limit):
        # A different (unknown) account each time: only the address ties them together.
        client.post("/masuk", data={"email": f"tebak{n}@contoh.id", "password": "Salah-123-abc"})
    response = client.post("/masuk", data={"email": EMAIL, "password": demo.password})
    assert response.status_code == 429
    # Another address is not affected.
    other = app.test_client()
    ok = other.post(
        "/masuk",
        data={"email": EMAIL, "password": demo.password},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert ok.status_code == 302


def test_session_cookie_is_replaced_at_sign_in(client, demo):
    client.get("/masuk")
    client.set_cookie("session", "planted-by-an-attacker")
    client.post("/masuk", data={"email": EMAIL, "password": demo.password})
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.value != "planted-by-an-attacker"
    assert client.get("/").status_code == 200


def test_locked_account_cannot_sign_in(client, app, demo):
    from puja_indah.auth import services

    with app.app_context(), scoped(Scope.system("test: lock"), db.session):
        user = db.session.get(User, demo.users["officer.bkd"])
        services.lock(user)
        db.session.commit()
    response = client.post("/masuk", data={"email": EMAIL, "password": demo.password})
    assert "Akun ini dikunci" in response.get_data(as_text=True)
