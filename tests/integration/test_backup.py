"""`flask backup create|verify|restore`: the database and the stored files round-trip through one
archive, checked by hashes; a damaged archive, a wrong revision and existing data are refused.

Runs on the database of the run (PUJA_TEST_DB): the seeded test database is backed up and
restored into a scratch database (a new SQLite file, or a PostgreSQL database created and dropped
here, owned by the run's owner role and used through its non-owner application role)."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from puja_indah import create_app
from puja_indah.backup import archive
from puja_indah.core.models import User
from puja_indah.core.storage import file_store, storage_url
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from tests.conftest import PG_ADMIN_URL, TestDatabase, _pg_url, make_test_config

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fingerprint(url: str, audit_upto: int | None = None) -> dict[str, str]:
    """Per table, a SHA-256 over all its rows (sorted, so no primary key is needed); the audit
    trail up to entry `audit_upto` only, when given. Not the data version: it is bookkeeping that
    moves with every write, the restore's own included (checked apart, `data_version`)."""
    engine = sa.create_engine(url)
    result: dict[str, str] = {}
    try:
        with engine.connect() as connection:
            for name in sorted(sa.inspect(connection).get_table_names()):
                if name == "data_version":
                    continue
                query = sa.select(sa.text("*")).select_from(sa.table(name))
                if name == "audit_entries" and audit_upto is not None:
                    query = query.where(sa.column("id") <= audit_upto)
                rows = sorted(
                    json.dumps(list(row), default=repr) for row in connection.execute(query)
                )
                result[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    finally:
        engine.dispose()
    return result


def data_version(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(sa.text("SELECT version FROM data_version")) or 0)
    finally:
        engine.dispose()


def audit_last_id(url: str) -> int:
    """The newest audit entry's id. Not the count: ids have gaps where a transaction that took one
    rolled back (PostgreSQL's sequences never give an id back)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(sa.text("SELECT max(id) FROM audit_entries")) or 0)
    finally:
        engine.dispose()


def audit_count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(sa.text("SELECT count(*) FROM audit_entries")) or 0)
    finally:
        engine.dispose()


def stored_files(app: Flask) -> dict[str, tuple[str, int]]:
    with app.app_context():
        store = archive.Store(storage_url())
        return {relative: store.hash(relative) for relative, _, _ in store.walk()}  # type: ignore[misc]


def invoke(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["backup", *args])


def rewrite(source: Path, out: Path, change: Callable[[str, bytes], bytes]) -> None:
    """Copy an archive member by member, passing each member's bytes through `change`."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(out, "w:gz") as new:
        for member in old:
            stream = old.extractfile(member)
            assert stream is not None
            data = change(member.name, stream.read())
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))


@pytest.fixture
def source(app: Flask, test_database: TestDatabase) -> Flask:
    """The seeded test database, with real files in two storage areas."""
    with app.app_context():
        file_store("evidence").save(PDF)
        file_store("evidence").save(secrets.token_bytes(300_000))
        file_store("decrees").save(PDF + b"decree")
    return app


@pytest.fixture
def backup_file(source: Flask, tmp_path: Path) -> Path:
    path = tmp_path / "backup.tar.gz"
    result = invoke(source, "create", str(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def scratch(test_database: TestDatabase, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """An app on an empty database and an empty storage root; yields it and its owner URL."""
    if test_database.backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        target = TestDatabase("sqlite", url, url, instance=tmp_path / "restored")
        application = create_app(make_test_config(target))
        yield application, url
        with application.app_context():
            db.engine.dispose()
        return
    name = f"puja_restore_{secrets.token_hex(4)}"
    owner = sa.make_url(test_database.owner_url).username or ""
    app_role = sa.make_url(test_database.app_url).username or ""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    target = TestDatabase(
        "postgresql",
        app_url=_pg_url(PG_ADMIN_URL, user=app_role, database=name),
        owner_url=_pg_url(PG_ADMIN_URL, user=owner, database=name),
        instance=tmp_path / "restored",
    )
    application = create_app(make_test_config(target))
    try:
        yield application, target.owner_url
    finally:
        with application.app_context():
            db.engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_round_trip(
    source: Flask, test_database: TestDatabase, scratch: tuple[Flask, str], tmp_path: Path
) -> None:
    target, target_url = scratch
    before = fingerprint(test_database.owner_url)
    version_before = data_version(test_database.owner_url)
    entries = audit_count(test_database.owner_url)
    last_entry = audit_last_id(test_database.owner_url)
    files = stored_files(source)
    assert len(files) >= 3

    path = tmp_path / "backup.tar.gz"
    created = invoke(source, "create", str(path))
    assert created.exit_code == 0, created.output
    assert "Backup written" in created.output
    manifest = archive.read_manifest(path)
    assert manifest["database"]["kind"] == test_database.backend
    assert manifest["tables"]["users"] > 0
    assert {name: (e["sha256"], e["size"]) for name, e in manifest["files"].items()} == files
    # The backup itself is on the trail (after the snapshot it took).
    assert audit_count(test_database.owner_url) == entries + 1
    verified = invoke(source, "verify", str(path))
    assert verified.exit_code == 0, verified.output

    # Into an empty database: no --yes needed.
    restored = invoke(target, "restore", str(path))
    assert restored.exit_code == 0, restored.output + str(restored.exception)
    assert fingerprint(target_url, audit_upto=last_entry) == before
    # Never behind the data it was taken from: a worker's cache keyed by a newer version could
    # otherwise answer from before the restore.
    assert data_version(target_url) >= version_before
    assert audit_count(target_url) == entries + 1  # + the restore's own entry
    assert stored_files(target) == files
    audit = target.test_cli_runner().invoke(args=["audit", "verify"])
    assert audit.exit_code == 0, audit.output  # on PostgreSQL: as the re-granted app role

    # Alter the restored data and files, then restore over them.
    with target.app_context(), scoped(Scope.system("tests: alter"), db.session):
        user = db.session.scalars(sa.select(User).order_by(User.id)).first()
        assert user is not None
        user.name = "Diubah setelah cadangan"
        db.session.commit()
        db.session.remove()
        store = archive.Store(storage_url())
        changed, removed = sorted(files)[:2]
        store.write(changed, io.BytesIO(b"tampered"))
        store.fs.rm_file(store.path(removed))
    assert fingerprint(target_url, audit_upto=last_entry) != before
    refused = invoke(target, "restore", str(path))
    assert refused.exit_code == 2
    assert "already holds data" in refused.output

    again = invoke(target, "restore", str(path), "--yes")
    assert again.exit_code == 0, again.output + str(again.exception)
    assert "every file hash and row count matches" in again.output
    assert fingerprint(target_url, audit_upto=last_entry) == before
    assert stored_files(target) == files
    audit = target.test_cli_runner().invoke(args=["audit", "verify"])
    assert audit.exit_code == 0, audit.output


def test_verify_detects_a_tampered_file(backup_file: Path, source: Flask, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.tar.gz"

    def flip(name: str, data: bytes) -> bytes:
        if name.startswith("files/") and data.startswith(PDF):
            return data[:-1] + bytes([data[-1] ^ 1])  # same size, one bit
        return data

    rewrite(backup_file, tampered, flip)
    result = invoke(source, "verify", str(tampered))
    assert result.exit_code == 1
    assert "SHA-256 differs from the manifest" in result.output
    assert "Backup damaged" in result.output

    missing = tmp_path / "missing.tar.gz"
    with tarfile.open(backup_file, "r:gz") as old, tarfile.open(missing, "w:gz") as new:
        for member in old:
            if not member.name.startswith("files/decrees/"):
                new.addfile(member, old.extractfile(member))
    result = invoke(source, "verify", str(missing))
    assert result.exit_code == 1
    assert "missing from the archive" in result.output


def test_restore_refuses_a_wrong_revision_and_existing_data(
    backup_file: Path, source: Flask, test_database: TestDatabase, tmp_path: Path
) -> None:
    before = fingerprint(test_database.owner_url)
    other = tmp_path / "other-revision.tar.gz"

    def old_revision(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["alembic_revision"] = "0123456789ab"
        return json.dumps(manifest).encode()

    rewrite(backup_file, other, old_revision)
    result = invoke(source, "restore", str(other), "--yes")
    assert result.exit_code == 2
    assert "revision 0123456789ab" in result.output
    assert "flask db upgrade" in result.output

    result = invoke(source, "restore", str(backup_file))
    assert result.exit_code == 2
    assert "already holds data; add --yes" in result.output
    assert fingerprint(test_database.owner_url) == before


def test_missing_pg_dump_is_a_clear_refusal(
    source: Flask, test_database: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if test_database.backend != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL only")
    monkeypatch.setattr(archive.shutil, "which", lambda name: None)
    path = tmp_path / "never.tar.gz"
    result = invoke(source, "create", str(path))
    assert result.exit_code == 2
    assert "`pg_dump` is not installed" in result.output
    assert not path.exists()
