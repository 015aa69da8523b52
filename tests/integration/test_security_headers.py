"""Security headers and cookie flags on every kind of response the app gives: HTML pages signed in
and signed out, public pages, error pages (400, 403, 404, 405, 413, 429, 500), redirects, the JSON
API (success and problem+json), file downloads (evidence, decree PDF, receipts, XLSX/CSV/PDF
exports), static files and the API docs — and the production configuration behind a proxy.

Every GET route of `app.url_map` is requested once signed out and once by a role the route matrix
lets open it, so a new page is checked without a new test. The headers are set centrally
(puja_indah/web.py: Talisman and `no_store_when_signed_in`), never per view.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import BadRequest, Forbidden, RequestEntityTooLarge, TooManyRequests

from puja_indah.extensions import db, limiter
from tests.api import conftest as api_conftest
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import ROLE_ACCOUNTS, Demo, TestDatabase, make_test_config
from tests.tenancy.route_matrix import MATRIX, ROLES
from tests.tenancy.route_matrix import url_values as matrix_url
from tests.tenancy.test_route_matrix import ROUTES, _matrix_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Views that mark their answer `Cache-Control: public` (the same for everyone, so a signed-in
# user's copy may be cached too). A new one must be added here on purpose.
PUBLIC_CACHE = {"api_docs.swagger_asset", "public.document_file"}
STATIC = ("/static/", "/bootstrap/static/")
api_token = api_conftest.api_token  # the API tests' fixture, for the token-signed answers


def header_problems(
    response: Any, what: str, *, signed_in: bool, https: bool = False, endpoint: str = ""
) -> list[str]:
    """What is missing or wrong in one response's security headers and cookies."""
    h = response.headers
    problems = []

    def bad(text: str) -> None:
        problems.append(f"{what} ({response.status_code} {response.mimetype}): {text}")

    if h.get("X-Content-Type-Options") != "nosniff":
        bad("X-Content-Type-Options is not nosniff")
    if h.get("X-Frame-Options") != "DENY":
        bad(f"X-Frame-Options {h.get('X-Frame-Options')!r}")
    csp = h.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        if directive not in csp:
            bad(f"CSP lacks {directive}: {csp!r}")
    if re.search(r"script-src[^;]*'unsafe-inline'", csp):
        bad("CSP allows inline scripts")
    if h.get("Referrer-Policy") != "same-origin":
        bad(f"Referrer-Policy {h.get('Referrer-Policy')!r}")
    if "geolocation=()" not in h.get("Permissions-Policy", ""):
        bad(f"Permissions-Policy {h.get('Permissions-Policy')!r}")
    hsts = h.get("Strict-Transport-Security", "")
    if https and "max-age=" not in hsts:
        bad("no HSTS over HTTPS in production")
    if not https and hsts:
        bad("HSTS over plain HTTP")
    cache = h.get("Cache-Control", "")
    static = any(response.request.path.startswith(prefix) for prefix in STATIC)
    public = "public" in cache
    if public and not static and endpoint and endpoint not in PUBLIC_CACHE:
        bad(f"marked public ({cache!r}): add the endpoint to PUBLIC_CACHE if that is right")
    if signed_in and not (static or public) and "no-store" not in cache:
        bad(f"signed in, but Cache-Control is {cache!r}, not no-store")
    if (static or public) and "no-store" in cache:
        bad(f"the same for everyone, yet no-store ({cache!r})")
    for cookie in h.getlist("Set-Cookie"):
        problems.extend(f"{what}: {p}" for p in cookie_problems(cookie, secure=https))
    response.close()  # a file answer holds its file open until closed
    return problems


def cookie_problems(cookie: str, *, secure: bool) -> list[str]:
    name = cookie.split("=", 1)[0]
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    problems = []
    if "httponly" not in flags:
        problems.append(f"cookie {name} is not HttpOnly")
    if flags.get("samesite", "").lower() not in ("samesite=lax", "samesite=strict"):
        problems.append(f"cookie {name} has {flags.get('samesite')!r}, not SameSite=Lax/Strict")
    if secure and "secure" not in flags:
        problems.append(f"cookie {name} is not Secure in production")
    if name.startswith("__Host-") and ("domain" in flags or flags.get("path") != "Path=/"):
        problems.append(f"cookie {name}: a __Host- cookie needs Path=/ and no Domain")
    return problems


def _clients(app: Flask, login: Callable[[str], FlaskClient]) -> dict[str, FlaskClient]:
    with app.app_context():
        limiter.reset()
    return {"anonymous": app.test_client()} | {
        role: login(account) for role, account in ROLE_ACCOUNTS.items()
    }


# --- every GET route, signed out and signed in ---------------------------------------------------


def test_every_get_route_carries_the_security_headers(
    app: Flask,
    test_database: TestDatabase,
    demo: Demo,
    login: Callable[[str], FlaskClient],
    api_token: TokenMaker,
) -> None:
    far, _snapshot = _matrix_start(app, test_database, demo)
    clients = _clients(app, login)
    problems: list[str] = []
    kinds: set[tuple[str, int]] = set()  # (mimetype, status) seen signed in
    for endpoint, rule, methods in ROUTES:
        if "GET" not in methods:
            continue
        with app.test_request_context():
            url = matrix_url(app, demo, far, endpoint, rule, "own")
        expect = MATRIX[endpoint]
        signed_in = [r for r in ROLES if r != "anonymous" and expect.status(r, "own", "GET") == 200]
        for role in ["anonymous", *signed_in[:1]]:
            response = clients[role].get(url)
            what = f"GET {url} as {role}"
            problems += header_problems(
                response, what, signed_in=role != "anonymous", endpoint=endpoint
            )
            if role != "anonymous":
                kinds.add((response.mimetype, response.status_code))
    # The API with a token: the user is signed in through it, so its answers are private too.
    token = bearer(api_token("officer.bkd", "read"))
    for url in ("/api/v1/innovations", "/api/v1/innovations/2147483647"):
        response = app.test_client().get(url, headers=token)
        problems += header_problems(response, f"GET {url} with a token", signed_in=True)
        kinds.add((response.mimetype, response.status_code))
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])
    # The enumeration reached every kind of answer this file is about.
    seen = {mimetype for mimetype, _ in kinds}
    for mimetype in ("text/html", "application/json", "application/pdf", "text/csv", XLSX):
        assert mimetype in seen, f"no signed-in {mimetype} answer was checked: {sorted(kinds)}"
    assert ("application/problem+json", 404) in kinds


def test_redirects_and_anonymous_api_problems_carry_the_headers(
    app: Flask, client: FlaskClient
) -> None:
    problems = []
    redirect = client.get("/evidence")
    assert redirect.status_code == 302 and "/masuk" in redirect.headers["Location"]
    problems += header_problems(redirect, "GET /evidence signed out", signed_in=False)
    unauthorised = client.get("/api/v1/innovations")
    assert unauthorised.status_code == 401
    assert unauthorised.mimetype == "application/problem+json"
    problems += header_problems(unauthorised, "GET /api/v1/innovations signed out", signed_in=False)
    assert not problems, "\n".join(problems)


def test_public_and_static_answers_are_not_needlessly_no_store(
    app: Flask, client: FlaskClient, login: Callable[[str], FlaskClient]
) -> None:
    officer = login("officer.bkd")
    problems = []
    for url in ("/katalog", "/masuk", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        problems += header_problems(response, f"GET {url} signed out", signed_in=False)
        assert "no-store" not in response.headers.get("Cache-Control", ""), url
    for path in ("/static/css/app.css", "/static/js/api-docs.js", "/api/v1/docs/assets/"):
        if path.endswith("/"):
            path += _first_swagger_asset(client)
        for who, requester in (("signed out", client), ("signed in", officer)):
            response = requester.get(path)
            assert response.status_code == 200, path
            problems += header_problems(response, f"GET {path} {who}", signed_in=who == "signed in")
            assert "no-store" not in response.headers.get("Cache-Control", ""), path
    bootstrap = re.search(r'href="(/bootstrap/static/[^"]+\.css)"', client.get("/masuk").text)
    assert bootstrap, "the sign-in page links no local Bootstrap stylesheet"
    response = officer.get(bootstrap.group(1))
    assert response.status_code == 200
    problems += header_problems(response, f"GET {bootstrap.group(1)}", signed_in=True)
    assert not problems, "\n".join(problems)


def _first_swagger_asset(client: FlaskClient) -> str:
    page = client.get("/api/v1/docs").text
    found = re.search(r'/api/v1/docs/assets/([^"?]+)', page)
    assert found, "the API docs page loads no Swagger UI asset"
    return found.group(1)


# --- error pages ---------------------------------------------------------------------------------


@pytest.fixture
def failing_app(app: Flask, test_database: TestDatabase) -> Iterator[Flask]:
    """A fresh app with views that fail with each error code (and one unforeseen bug)."""
    from puja_indah import create_app

    fresh = create_app(make_test_config(test_database))

    def fail_with(error: Exception) -> Callable[[], Any]:
        def view() -> Any:
            raise error

        view.policy = None  # type: ignore[attr-defined]
        return view

    for code, error in {
        400: BadRequest(),
        403: Forbidden(),
        413: RequestEntityTooLarge(),
        429: TooManyRequests(),
        500: RuntimeError("boom"),
    }.items():
        fresh.add_url_rule(f"/__fail/{code}", f"fail_{code}", fail_with(error))
    with fresh.app_context():
        limiter.reset()
    yield fresh
    with fresh.app_context():
        db.engine.dispose()


def test_error_pages_carry_the_headers_signed_out_and_in(
    failing_app: Flask, app: Flask, client: FlaskClient, login: Callable[[str], FlaskClient]
) -> None:
    problems = []
    # The broken views first: the throttling below blocks sign-ins from this address.
    anonymous = failing_app.test_client()
    signed_in = failing_app.test_client()
    assert (
        signed_in.post(
            "/masuk", data={"email": "officer.bkd@demo.pujaindah.id", "password": Demo.password}
        ).status_code
        == 302
    )
    for code in (400, 403, 413, 429, 500):
        for who, requester in (("anonymous", anonymous), ("officer", signed_in)):
            response = requester.get(f"/__fail/{code}")
            assert response.status_code == code
            assert response.mimetype == "text/html"
            problems += header_problems(
                response, f"{code} page as {who}", signed_in=who != "anonymous"
            )
    officer = login("officer.bkd")
    real = [
        ("anonymous", client, "GET", "/tidak-ada", 404),
        ("officer", officer, "GET", "/tidak-ada", 404),
        ("officer", officer, "GET", "/pengguna", 403),
        ("officer", officer, "GET", "/keluar", 405),
        ("anonymous", client, "GET", "/keluar", 405),
    ]
    for who, requester, method, url, code in real:
        response = requester.open(url, method=method)
        assert response.status_code == code, url
        problems += header_problems(
            response, f"{method} {url} as {who}", signed_in=who != "anonymous"
        )
    too_big = client.post("/masuk", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert too_big.status_code == 413
    problems += header_problems(too_big, "POST /masuk too large", signed_in=False)
    for _ in range(30):
        client.post("/masuk", data={"email": "a@b.id", "password": "x"})
    throttled = client.post("/masuk", data={"email": "a@b.id", "password": "x"})
    assert throttled.status_code == 429
    problems += header_problems(throttled, "POST /masuk throttled", signed_in=False)

    assert not problems, "\n".join(problems)


# --- downloads made on purpose: the export formats -----------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mimetype"), [("xlsx", XLSX), ("csv", "application/zip"), ("pdf", "application/pdf")]
)
def test_export_downloads_are_no_store(
    app: Flask, login: Callable[[str], FlaskClient], fmt: str, mimetype: str
) -> None:
    monitor = login("monitor")
    # A small export is sent back at once; a PDF (and a large one) is a job to download after.
    response = monitor.post("/exports", data={"kind": "region", "format": fmt})
    problems = header_problems(response, f"POST /exports {fmt}", signed_in=True)
    if response.status_code == 302:
        job_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
        response = monitor.get(f"/exports/{job_id}/download")
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == mimetype
    problems += header_problems(response, f"{fmt} export download", signed_in=True)
    assert not problems, "\n".join(problems)


# --- cookies -------------------------------------------------------------------------------------


def test_the_session_cookie_is_httponly_and_samesite(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/masuk", data={"email": "officer.bkd@demo.pujaindah.id", "password": Demo.password}
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    # The session is the only cookie: no remember-me cookie, the CSRF token lives in it.
    assert [c.split("=", 1)[0] for c in cookies] == [app.config["SESSION_COOKIE_NAME"]]
    assert cookie_problems(cookies[0], secure=False) == []


@pytest.fixture
def production_app(
    app: Flask, test_database: TestDatabase, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """The production configuration on the test database, behind one proxy (ProxyFix)."""
    from config import ProductionConfig
    from puja_indah import create_app

    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("DATABASE_URL", test_database.app_url)
    monkeypatch.setenv("TRUSTED_HOSTS", "localhost,puja.example.id")
    monkeypatch.setenv("PUJA_PROXY_HOPS", "1")
    config = ProductionConfig()
    testing = make_test_config(test_database)
    for key in ("STORAGE_ROOT", "MAIL_OUTBOX", "HUEY_SQLITE_PATH", "HUEY_IMMEDIATE"):
        setattr(config, key, getattr(testing, key))
    config.SQLALCHEMY_DATABASE_URI = test_database.app_url
    fresh = create_app(config)
    with fresh.app_context():
        limiter.reset()
    yield fresh
    with fresh.app_context():
        db.engine.dispose()


# The proxy talks plain HTTP to the app and says what the browser used (the test client would
# otherwise use PREFERRED_URL_SCHEME, https in production).
PLAIN = "http://localhost"
HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def test_production_behind_a_proxy_sends_hsts_and_secure_host_cookies(
    production_app: Flask,
) -> None:
    client = production_app.test_client()
    # Plain HTTP is sent to HTTPS before anything else happens.
    plain = client.get("/masuk", base_url=PLAIN)
    assert plain.status_code in (301, 302)
    assert plain.headers["Location"].startswith("https://")
    assert not plain.headers.getlist("Set-Cookie")

    page = client.get("/masuk", base_url=PLAIN, headers=HTTPS)
    assert page.status_code == 200
    problems = header_problems(page, "GET /masuk over HTTPS", signed_in=False, https=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token
    signed_in = client.post(
        "/masuk",
        data={
            "email": "officer.bkd@demo.pujaindah.id",
            "password": Demo.password,
            "csrf_token": token.group(1),
        },
        base_url=PLAIN,
        headers=HTTPS | {"Referer": "https://localhost/masuk"},
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    problems += header_problems(signed_in, "sign-in over HTTPS", signed_in=True, https=True)
    cookies = signed_in.headers.getlist("Set-Cookie")
    assert [c.split("=", 1)[0] for c in cookies] == ["__Host-puja"]
    assert "Secure" in cookies[0]
    home = client.get("/evidence", base_url=PLAIN, headers=HTTPS)
    assert home.status_code == 200
    problems += header_problems(home, "GET /evidence over HTTPS", signed_in=True, https=True)
    assert not problems, "\n".join(problems)
