"""Test harness: one real database per run (SQLite file, or a fresh PostgreSQL database with a
separate non-owner application role), built by the migrations, seeded with the demo data, and
restored to that snapshot before every test.

Choose the database with PUJA_TEST_DB=sqlite (default) or PUJA_TEST_DB=postgresql; for the latter
PUJA_TEST_PG_ADMIN_URL names a role allowed to create roles and databases
(default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from config import TestingConfig
from puja_indah import create_app
from puja_indah.core import dataversion, passwords, rls
from puja_indah.core.i18n import compile_catalogs
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db, limiter
from puja_indah.seed import DEMO_PASSWORD, load_demo

# Thousands of sign-ins (route matrix, fuzzer, browser tests) would spend minutes in argon2 at the
# production cost; the suite hashes at the lowest cost instead. tests/unit/test_passwords.py puts
# the production hasher back to check its parameters.
passwords._hasher = passwords.make_hasher(time_cost=1, memory_kib=8)
passwords._DUMMY_HASH = passwords._hasher.hash("dummy-password-for-timing")

BACKEND = os.environ.get("PUJA_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "PUJA_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# Tables the per-test reset leaves alone: the trail is append-only even for tests.
# data_version only ever moves forward (its triggers move it on every restore's writes): rewinding
# it would let a per-process cache answer a later test with an earlier test's data.
KEEP_TABLES = {"audit_entries", "alembic_version", "data_version"}
Snapshot = dict[str, list[dict[str, Any]]]  # table name -> its rows


@dataclass
class TestDatabase:
    __test__ = False  # a fixture value, not a test class

    backend: str
    app_url: str
    owner_url: str
    snapshot: Snapshot = field(default_factory=dict)
    owner_engine: sa.Engine | None = None
    # Stored files, the job queue and the mail outbox of the run (never the repo's instance/).
    instance: Path | None = None


def _pg_url(base: str, *, user: str, database: str) -> str:
    url = sa.make_url(base)
    return url.set(username=user, password=None, database=database).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def test_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabase]:
    compile_catalogs()
    instance = tmp_path_factory.mktemp("instance")
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        url = f"sqlite:///{path}"
        yield TestDatabase("sqlite", url, url, instance=instance)
        return
    if BACKEND != "postgresql":
        raise pytest.UsageError(f"PUJA_TEST_DB must be sqlite or postgresql, not {BACKEND!r}")
    suffix = secrets.token_hex(4)
    owner, app_role, name = f"puja_owner_{suffix}", f"puja_app_{suffix}", f"puja_test_{suffix}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{owner}" LOGIN')
        # The application role owns nothing and cannot bypass row-level security.
        conn.exec_driver_sql(f'CREATE ROLE "{app_role}" LOGIN NOSUPERUSER NOBYPASSRLS')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    database = TestDatabase(
        "postgresql",
        app_url=_pg_url(PG_ADMIN_URL, user=app_role, database=name),
        owner_url=_pg_url(PG_ADMIN_URL, user=owner, database=name),
        instance=instance,
    )
    try:
        yield database
    finally:
        if database.owner_engine is not None:
            database.owner_engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{app_role}"')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{owner}"')
        admin.dispose()


def make_test_config(database: TestDatabase, **overrides: Any) -> TestingConfig:
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database.app_url
    config.MIGRATION_DATABASE_URL = database.owner_url if database.backend == "postgresql" else ""
    instance = database.instance or Path(tempfile.mkdtemp(prefix="puja-test-"))
    config.STORAGE_ROOT = str(instance / "files")
    config.MAIL_OUTBOX = str(instance / "outbox")
    config.HUEY_SQLITE_PATH = str(instance / "jobs.sqlite3")
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def _build_schema(app: Flask, database: TestDatabase) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    owner_engine = sa.create_engine(database.owner_url)
    database.owner_engine = owner_engine
    if database.backend == "postgresql":
        role = sa.make_url(database.app_url).username or ""
        with owner_engine.begin() as conn:
            for statement in rls.grant_app_role_sql(role):
                conn.exec_driver_sql(statement)


def capture_snapshot(database: TestDatabase) -> Snapshot:
    """The rows of every table but the audit trail, as they are now."""
    assert database.owner_engine is not None
    snapshot: Snapshot = {}
    with database.owner_engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in KEEP_TABLES:
                continue
            rows = conn.execute(sa.select(table)).mappings().all()
            snapshot[table.name] = [dict(row) for row in rows]
    return snapshot


def restore_snapshot(database: TestDatabase, snapshot: Snapshot | None = None) -> None:
    """Put every table (but the audit trail) back to a snapshot, by default the seeded state."""
    assert database.owner_engine is not None
    snapshot = database.snapshot if snapshot is None else snapshot
    tables = [t for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
    with database.owner_engine.begin() as conn:
        if database.backend == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
        for table in tables:
            rows = snapshot.get(table.name)
            if rows:
                conn.execute(table.insert(), rows)
        if database.backend == "postgresql":
            for table in tables:
                if "id" in table.c and table.c.id.autoincrement:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                    )


@pytest.fixture(scope="session")
def app(test_database: TestDatabase) -> Iterator[Flask]:
    application = create_app(make_test_config(test_database))
    _build_schema(application, test_database)
    with application.app_context(), scoped(Scope.system("tests: seed demo data"), db.session):
        load_demo()
        db.session.commit()
        db.session.remove()
    test_database.snapshot = capture_snapshot(test_database)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_data(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that touches the app starts from the seeded snapshot."""
    if "app" not in request.fixturenames and not _uses_app(request):
        yield
        return
    database: TestDatabase = request.getfixturevalue("test_database")
    application: Flask = request.getfixturevalue("app")
    restore_snapshot(database)
    with application.app_context():
        limiter.reset()
        dataversion.forget_recent()  # the restore was another connection's commit
    yield


def _uses_app(request: pytest.FixtureRequest) -> bool:
    return any(name in request.fixturenames for name in ("client", "login", "demo", "app_ctx"))


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass(frozen=True)
class Demo:
    """Ids of the seeded demo rows, looked up by their stable codes."""

    agencies: dict[str, int]
    regions: dict[str, int]
    users: dict[str, int]
    decrees: dict[str, int]
    password: str = DEMO_PASSWORD

    def agency(self, code: str, region: str = "74.06") -> int:
        return self.agencies[f"{region}/{code}"]


@pytest.fixture
def demo(app: Flask) -> Demo:
    from puja_indah.agencies.models import Decree
    from puja_indah.core.models import Agency, Region, User

    with app.app_context(), scoped(Scope.system("tests: read demo ids"), db.session):
        regions = {r.code: r.id for r in db.session.scalars(sa.select(Region))}
        code_of = {v: k for k, v in regions.items()}
        agencies = {
            f"{code_of[a.region_id]}/{a.code}": a.id for a in db.session.scalars(sa.select(Agency))
        }
        users = {u.email.split("@")[0]: u.id for u in db.session.scalars(sa.select(User))}
        decrees = {d.number: d.id for d in db.session.scalars(sa.select(Decree))}
        db.session.remove()
    return Demo(agencies=agencies, regions=regions, users=users, decrees=decrees)


# The demo account that plays each role in the enumerating tests.
ROLE_ACCOUNTS = {
    "agency_officer": "officer.bkd",
    "agency_lead": "lead.bkd",
    "region_monitor": "monitor",
    "national_reviewer": "reviewer",
    "platform_admin": "admin",
}


@pytest.fixture
def login(app: Flask) -> Callable[..., FlaskClient]:
    """`login("officer.bkd")` → a test client signed in as that demo user."""

    def sign_in(account: str, password: str = DEMO_PASSWORD) -> FlaskClient:
        new_client = app.test_client()
        response = new_client.post(
            "/masuk", data={"email": f"{account}@demo.pujaindah.id", "password": password}
        )
        assert response.status_code == 302, f"sign-in as {account} failed"
        return new_client

    return sign_in


@pytest.fixture
def login_en(login: Callable[..., FlaskClient]) -> Callable[..., FlaskClient]:
    """Like `login`, reading English, so assertions can read the msgids."""

    def sign_in(account: str) -> FlaskClient:
        client = login(account)
        client.post("/bahasa", data={"language": "en", "next": "/"})
        return client

    return sign_in


@pytest.fixture
def table_counts(app: Flask) -> Callable[[], dict[str, int]]:
    """Row counts of every table: a refused write must leave them all unchanged."""

    def count() -> dict[str, int]:
        with app.app_context(), scoped(Scope.system("tests: count rows"), db.session):
            result = {
                t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) or 0
                for t in db.metadata.sorted_tables
                if t.name not in KEEP_TABLES
            }
            db.session.remove()
            return result

    return count


@pytest.fixture
def data_counts(table_counts: Callable[[], dict[str, int]]) -> Callable[[], dict[str, int]]:
    """Row counts of the data tables: signing in adds login sessions (and a failed sign-in a
    failure record), which is not data."""

    def count() -> dict[str, int]:
        return {
            name: n
            for name, n in table_counts().items()
            if name not in ("login_sessions", "login_failures")
        }

    return count


def pytest_report_header(config: pytest.Config) -> str:
    return f"PUJA INDAH test database: {BACKEND}"


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_demo_files(app: Flask) -> None:
    """Remove the seeded e-tracking demo histories (internal numbers DEMO/…), for tests whose
    counts or figures are worked out by hand for the files they make themselves."""
    from puja_indah.modules.etracking.models import FileEvent, TrackedFile

    with app.app_context(), scoped(Scope.system("tests: no demo files"), db.session):
        demo_files = sa.select(TrackedFile.id).where(TrackedFile.internal_number.like("DEMO/%"))
        db.session.execute(sa.delete(FileEvent).where(FileEvent.file_id.in_(demo_files)))
        db.session.execute(sa.delete(TrackedFile).where(TrackedFile.id.in_(demo_files)))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def no_demo_innovations(app: Flask) -> None:
    """Remove the seeded assigned innovations, for tests that build a hand-worked scenario of
    their own (names and roll-up figures that must not meet the demo rows)."""
    from puja_indah.innovations.models import Innovation

    with app.app_context(), scoped(Scope.system("tests: no demo innovations"), db.session):
        for innovation in db.session.scalars(sa.select(Innovation)).all():
            db.session.delete(innovation)
        db.session.commit()
        db.session.remove()


# --- fuzz case count (tests/fuzzcount.py) ---------------------------------------------------------
_FUZZ_PASSED: dict[str, set[str]] = {}  # module -> node ids of its `fuzz` tests that passed
_FUZZ_ITEMS: set[str] = set()  # node ids of the collected `fuzz` tests


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    _FUZZ_ITEMS.update(item.nodeid for item in items if item.get_closest_marker("fuzz"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed and report.nodeid in _FUZZ_ITEMS:
        module = report.nodeid.split("::")[0].removesuffix(".py").replace("/", ".")
        _FUZZ_PASSED.setdefault(module, set()).add(report.nodeid)


def _fuzz_run_complete() -> tuple[bool, str]:
    """Whether every fuzz test of every fuzz module ran and passed (not a developer's subset)."""
    import sys

    from tests import fuzzcount

    for name in fuzzcount.MODULES:
        module = sys.modules.get(name)
        passed = len(_FUZZ_PASSED.get(name, ()))
        if module is None or passed != module.FUZZ_TESTS:
            expected = getattr(module, "FUZZ_TESTS", "?")
            return False, f"{name}: {passed} of {expected} fuzz tests passed"
    return True, ""


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests import fuzzcount

    complete, why = _fuzz_run_complete()
    if not _FUZZ_ITEMS:
        return  # no fuzz test in this run: nothing to say
    session.config.stash[_FUZZ_SUMMARY] = (fuzzcount.sent(), complete, why)
    if complete and fuzzcount.sent() < fuzzcount.MIN_CASES:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_FUZZ_SUMMARY = pytest.StashKey[tuple[int, bool, str]]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    from tests import fuzzcount

    summary = config.stash.get(_FUZZ_SUMMARY, None)
    if summary is None:
        return
    sent, complete, why = summary
    line = f"fuzz cases sent: {sent}"
    if not complete:
        terminalreporter.write_line(f"{line} (minimum not checked, a partial run: {why})")
    elif sent < fuzzcount.MIN_CASES:
        terminalreporter.write_line(
            f"{line}: FAILED, fewer than PUJA_FUZZ_MIN_CASES={fuzzcount.MIN_CASES}", red=True
        )
    else:
        terminalreporter.write_line(f"{line} (minimum {fuzzcount.MIN_CASES})", green=True)
