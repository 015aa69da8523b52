"""Configuration classes. Every value that differs between machines comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent


# Good enough on a developer's machine only; production refuses it.
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


class Config:
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Makassar"  # WITA: Bombana's zone
    LANGUAGES = ("id", "en")

    # Sessions: idle and absolute limits are enforced server-side (auth/sessions.py).
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # Sign-in throttling: failures per account and per address inside the window.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_THROTTLE_WINDOW = timedelta(minutes=15)

    # A request body's cap; the evidence upload screens raise it per request to the largest file
    # they accept (plus the form), read from UPLOAD_MAX_BYTES.
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    # Per detected file type (core/uploads.py): checked from the upload's size before it is read.
    UPLOAD_MAX_BYTES: ClassVar[dict[str, int]] = {
        "pdf": 20 * 1024 * 1024,
        "jpeg": 10 * 1024 * 1024,
        "png": 10 * 1024 * 1024,
        "mp4": 100 * 1024 * 1024,
        "xlsx": 20 * 1024 * 1024,
        "docx": 20 * 1024 * 1024,
    }
    # The JSON API takes small documents only; a larger body is refused before it is read.
    API_MAX_BODY_BYTES = 64 * 1024
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    RATELIMIT_HEADERS_ENABLED = True
    # The public status page may be this many seconds behind a commit made in another worker
    # (never behind one made in its own): it then answers from memory without asking the
    # database whether anything changed (core/dataversion.current). 0 asks every time.
    PUBLIC_PAGE_STALENESS_SECONDS = 1.0
    TRUSTED_HOSTS: list[str] | None = None
    BOOTSTRAP_SERVE_LOCAL = True  # Bootstrap from the installed package, never a CDN
    PREFERRED_URL_SCHEME = "http"

    def __init__(self) -> None:
        # Read when the configuration is built (not when this file is imported), so a new
        # worker or a test sees the environment as it is now.
        instance = Path(os.environ.get("PUJA_INSTANCE_PATH", BASE_DIR / "instance"))
        self.SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'puja_indah.sqlite3'}"
        )
        # Migrations run as the schema owner; the app may connect as a non-owner role (RLS).
        self.MIGRATION_DATABASE_URL = os.environ.get("MIGRATION_DATABASE_URL", "")
        self.STORAGE_ROOT = os.environ.get("STORAGE_ROOT", str(instance / "files"))
        # Any fsspec URL (s3://bucket/prefix needs the `s3` extra); empty: file:// STORAGE_ROOT.
        self.STORAGE_URL = os.environ.get("STORAGE_URL", "")
        # puja-memory:// (core/ratelimit.py: memory:// without a thread per request) counts per
        # worker; several machines point this at Redis (redis://host:6379/1).
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "puja-memory://")
        # Kept answers (core/dataversion.py) on; PUJA_KEEP_ANSWERS=0 makes every page afresh
        # (the bench's --fresh measures that path).
        self.KEEP_ANSWERS = os.environ.get("PUJA_KEEP_ANSWERS", "1") != "0"
        # How many reverse proxies (nginx, a load balancer) stand in front of the app: their
        # X-Forwarded-For/-Proto headers are trusted that many hops deep, no more.
        self.PROXY_HOPS = int(os.environ.get("PUJA_PROXY_HOPS", "0"))
        # --- job queue and mail (notifications) ---
        # Redis when set (several machines share the queue), else SQLite in the instance folder.
        self.HUEY_REDIS_URL = os.environ.get("HUEY_REDIS_URL", "")
        self.HUEY_SQLITE_PATH = os.environ.get("HUEY_SQLITE_PATH", str(instance / "jobs.sqlite3"))
        self.HUEY_IMMEDIATE = os.environ.get("HUEY_IMMEDIATE", "") == "1"
        # No MAIL_SERVER: messages are written as .eml files to MAIL_OUTBOX instead of sent.
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
        self.MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"
        self.MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "") == "1"
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "PUJA INDAH <no-reply@pujaindah.local>")
        self.MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX", str(instance / "outbox"))
        # --- exports (puja_indah/reports) ---
        # Up to this many rows an export is written at once and sent back; larger ones (and
        # every PDF and ZIP) run as background jobs with a progress bar.
        self.EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "200"))
        # How long a job's file may be downloaded; `flask reports purge-expired` removes it after.
        self.EXPORT_EXPIRY_HOURS = int(os.environ.get("EXPORT_EXPIRY_HOURS", "24"))
        # A job writes its progress to its row every this many rows.
        self.EXPORT_PROGRESS_EVERY = int(os.environ.get("EXPORT_PROGRESS_EVERY", "100"))
        # A job still running this long after it started lost its worker (killed, restarted):
        # the housekeeping task marks it failed so its asker is told to ask again.
        self.EXPORT_MAX_RUN_MINUTES = int(os.environ.get("EXPORT_MAX_RUN_MINUTES", "60"))
        # Absolute links in e-mails (no request to take the host from), e.g. https://puja.example.id
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:5000")


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "test-only-not-secret"  # noqa: S105 - test configuration
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
        # Tasks run inline; a test that needs the real queue configures it itself.
        self.HUEY_IMMEDIATE = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-puja"
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    def __init__(self) -> None:
        super().__init__()
        self.TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS") or None
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "Production refuses to start without: " + ", ".join(missing) + " (see README)."
            )
        secret = os.environ["SECRET_KEY"]
        if secret == DEV_SECRET_KEY or len(secret) < 32:
            raise RuntimeError(
                "Production refuses a weak SECRET_KEY: use at least 32 random characters, e.g."
                " `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        self.SECRET_KEY = secret
        self.SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
        if not self.TRUSTED_HOSTS:
            raise RuntimeError("Production refuses to start without TRUSTED_HOSTS (see README).")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> Config:
    name = name or os.environ.get("PUJA_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"Unknown PUJA_ENV {name!r}; use one of {sorted(CONFIGS)}") from None
