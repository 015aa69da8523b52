"""A tiny HTTP client that holds one signed-in session: cookies, the sign-in form with its CSRF
token, and a personal access token made through the app's own token page.

It talks through a `Transport` so that the same sign-in code drives gunicorn over HTTP
(`HttpTransport`, http.client, one keep-alive connection per thread) and an in-process app
(`FlaskTransport`, Flask's test client) for the statement counter and the smoke test.
"""

from __future__ import annotations

import html
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from typing import Any, Protocol

PASSWORD = "PujaIndah#2026demo"  # noqa: S105 - the published demo password (README)
# Every request looks as if it came through one TLS-terminating proxy (README, Production):
# the production config redirects plain HTTP otherwise. Each request may carry its own client
# address so that per-address rate limits see many clients, as behind a real proxy.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Transport(Protocol):
    def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> Reply: ...


class HttpTransport:
    """http.client with one persistent connection per thread."""

    def __init__(self, host: str, port: int, timeout: float = 60.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._local = threading.local()

    def _connection(self) -> HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> Reply:
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (ConnectionError, OSError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                self._local.conn = None
            return Reply(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                [v for k, v in response.getheaders() if k.lower() == "set-cookie"],
                data,
            )
        raise AssertionError("unreachable")


class FlaskTransport:
    """An in-process app through its test client (cookies kept by `Session`, not the client)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._local = threading.local()

    def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> Reply:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self.app.test_client(use_cookies=False)
        response = client.open(path, method=method, headers=headers, data=body)
        return Reply(
            response.status_code,
            {k.lower(): v for k, v in response.headers.items()},
            response.headers.getlist("Set-Cookie"),
            response.get_data(),
        )


CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
SECRET = re.compile(r"pi_[A-Za-z0-9_-]{43}")


def csrf_token(page: str) -> str:
    """The form's CSRF token; empty when the app runs without CSRF (the test configuration)."""
    tag = CSRF.search(page)
    value = VALUE.search(tag.group(0)) if tag else None
    return html.unescape(value.group(1)) if value else ""


def select_options(page: str, name: str) -> list[str]:
    block = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    if block is None:
        return []
    return [html.unescape(v) for v in re.findall(r'<option[^>]*value="([^"]*)"', block.group(1))]


@dataclass
class Session:
    """One signed-in user (or an anonymous visitor) over a transport."""

    transport: Transport
    host: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)
    bearer: str = ""

    def headers(self, client_address: str = "", extra: dict[str, str] | None = None) -> dict:
        headers = {"Host": self.host, **PROXY_HEADERS}
        if client_address:
            headers["X-Forwarded-For"] = client_address
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
        headers.update(extra or {})
        return headers

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        client_address: str = "",
        keep_cookies: bool = True,
    ) -> Reply:
        extra = {"Referer": f"https://{self.host}{path}"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            extra["Content-Type"] = "application/x-www-form-urlencoded"
        reply = self.transport.send(method, path, self.headers(client_address, extra), body)
        if keep_cookies:
            for raw in reply.cookies:
                jar: SimpleCookie = SimpleCookie()
                jar.load(raw)
                for name, morsel in jar.items():
                    self.cookies[name] = morsel.value
        return reply

    def get(self, path: str, client_address: str = "") -> Reply:
        return self.request("GET", path, client_address=client_address, keep_cookies=False)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        page = self.request("GET", "/masuk")
        token = csrf_token(page.text)
        reply = self.request(
            "POST", "/masuk", {"csrf_token": token, "email": email, "password": password}
        )
        if reply.status != 302:
            raise RuntimeError(f"sign-in of {email} answered {reply.status}")

    def make_api_token(self, name: str = "bench") -> str:
        """A read token through /akun/token; keeps it as this session's bearer secret."""
        page = self.request("GET", "/akun/token")
        memberships = [v for v in select_options(page.text, "membership") if v]
        form = {
            "csrf_token": csrf_token(page.text),
            "name": name,
            "scope": "read",
            "days": "7",
        }
        if memberships:
            form["membership"] = memberships[0]
        reply = self.request("POST", "/akun/token", form)
        found = SECRET.search(reply.text)
        if found is None and reply.status in (302, 303):
            location = urllib.parse.urlsplit(reply.headers.get("location", "/akun/token"))
            found = SECRET.search(self.request("GET", location.path or "/akun/token").text)
        if found is None:
            raise RuntimeError(f"no token secret after POST /akun/token ({reply.status})")
        return found.group(0)
