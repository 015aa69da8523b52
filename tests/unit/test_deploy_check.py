"""The production configuration, checked the way Django's `check --deploy` does.

The app is built from `config.ProductionConfig` exactly as gunicorn would build it: the
environment is set first and config.py is then loaded afresh (its class attributes read the
environment when the module is imported, as in a new worker process).
"""

from __future__ import annotations

import importlib.util
import re
import secrets
from http.cookies import SimpleCookie
from pathlib import Path
from types import ModuleType

import pytest
from flask import Flask

from puja_indah import create_app
from tests.conftest import ROOT

HOST = "example.test"
HTTPS = f"https://{HOST}"
DEV_SECRET = "dev-only-not-secret"  # the development default a production key must not be


def load_config_module() -> ModuleType:
    """config.py loaded now, under the environment the test has set (a new process's view)."""
    spec = importlib.util.spec_from_file_location("config_under_test", ROOT / "config.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    secret = secrets.token_urlsafe(48)
    monkeypatch.setenv("PUJA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secret)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.sqlite3'}")
    monkeypatch.setenv("TRUSTED_HOSTS", HOST)
    monkeypatch.setenv("PUJA_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("STORAGE_ROOT", str(tmp_path / "files"))
    return secret


@pytest.fixture
def production_app(production_env: str) -> Flask:
    config = load_config_module().get_config("production")
    return create_app(config)


def test_production_settings(production_app: Flask, production_env: str) -> None:
    config = production_app.config
    assert not production_app.debug and not config["DEBUG"]
    assert not config.get("TESTING")
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["MAX_CONTENT_LENGTH"] and config["MAX_CONTENT_LENGTH"] <= 100 * 1024 * 1024
    assert config["TRUSTED_HOSTS"] == [HOST]
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert config.get("WTF_CSRF_ENABLED", True) is True
    assert config["SECRET_KEY"] == production_env
    assert config["SECRET_KEY"] != DEV_SECRET and len(config["SECRET_KEY"]) >= 32


def test_security_headers_on_an_https_response(production_app: Flask) -> None:
    response = production_app.test_client().get("/masuk", base_url=HTTPS)
    assert response.status_code == 200
    headers = response.headers

    hsts = headers.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age and int(max_age.group(1)) >= 180 * 24 * 3600, hsts

    csp: dict[str, str] = {}
    for part in headers.get("Content-Security-Policy", "").split(";"):
        directive, _, value = part.strip().partition(" ")
        if directive:
            csp[directive] = value
    script_src = csp.get("script-src", csp.get("default-src", ""))
    assert script_src, "no script-src in the Content-Security-Policy"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "*" not in script_src.split()
    assert csp.get("object-src") == "'none'"
    assert headers.get("X-Frame-Options") == "DENY" or csp.get("frame-ancestors") == "'none'"
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") in (
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    )


def test_session_cookie_from_the_sign_in_page_is_secure(production_app: Flask) -> None:
    response = production_app.test_client().get("/masuk", base_url=HTTPS)
    name = production_app.config["SESSION_COOKIE_NAME"]
    set_cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert set_cookies, "the sign-in page (CSRF token) sets no session cookie"
    attributes = {a.strip().split("=")[0].lower() for a in set_cookies[0].split(";")[1:]}
    assert {"secure", "httponly", "samesite"} <= attributes, set_cookies[0]
    morsel = SimpleCookie(set_cookies[0])[name]
    assert morsel["samesite"] in ("Lax", "Strict")
    if name.startswith("__Host-"):  # the prefix demands Path=/ and no Domain
        assert morsel["path"] == "/" and not morsel["domain"]


def test_plain_http_is_redirected_to_https(production_app: Flask) -> None:
    response = production_app.test_client().get("/masuk", base_url=f"http://{HOST}")
    assert response.status_code in (301, 302, 308)
    assert response.headers["Location"].startswith(f"https://{HOST}/masuk")


def test_requests_for_another_host_are_refused(production_app: Flask) -> None:
    response = production_app.test_client().get("/masuk", base_url="https://evil.test")
    assert response.status_code == 400


def test_no_stack_trace_reaches_the_browser(production_app: Flask) -> None:
    @production_app.get("/_boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    # Flask refuses new routes after the first request; this app has served none yet.
    response = production_app.test_client().get("/_boom", base_url=HTTPS)
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret detail" not in body and "Traceback" not in body


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "TRUSTED_HOSTS"])
def test_production_refuses_to_start_without(
    production_env: str, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.delenv(missing)
    config_module = load_config_module()
    with pytest.raises(RuntimeError, match=missing):
        config_module.ProductionConfig()


@pytest.mark.parametrize("weak", [DEV_SECRET, "short-key"])
def test_production_refuses_a_weak_secret_key(
    production_env: str, monkeypatch: pytest.MonkeyPatch, weak: str
) -> None:
    monkeypatch.setenv("SECRET_KEY", weak)
    config_module = load_config_module()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config_module.ProductionConfig()


def test_proxy_hops_make_the_client_address_the_forwarded_one(
    production_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flask import request

    monkeypatch.setenv("PUJA_PROXY_HOPS", "1")
    config_module = load_config_module()
    from puja_indah import create_app

    app = create_app(config_module.ProductionConfig())
    seen = {}

    @app.get("/_addr")
    def addr() -> str:
        seen["ip"] = request.remote_addr
        return "ok"

    app.test_client().get(
        "/_addr",
        base_url=HTTPS,
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
    )
    assert seen["ip"] == "203.0.113.9"
