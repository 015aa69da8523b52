"""`flask backup create|verify|restore`. Registered by `register_cli` in puja_indah/cli.py; each
command that writes runs in a named system scope and leaves one audit entry.

Exit codes: 0 done; 1 a hash, size or row count differs from the manifest; 2 refused (wrong
revision, existing data without --yes, bad archive, missing pg_dump/pg_restore)."""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from puja_indah.backup import archive
from puja_indah.core import audit
from puja_indah.core.storage import storage_url
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

backup_cli = AppGroup("backup", help="Back up and restore the database and the stored files.")


def code_head() -> str:
    """The alembic head(s) of the migrations shipped with this code."""
    from alembic.script import ScriptDirectory

    directory = current_app.extensions["migrate"].directory
    return ",".join(sorted(ScriptDirectory(directory).get_heads()))


def _record(action: str, name: str, changes: dict[str, Any]) -> None:
    audit.set_actor(audit.Actor(label=f"cli: backup {action}"))
    with scoped(Scope.system(f"cli: backup {action}"), db.session):
        audit.append(
            db.session, action=action, object_type="Backup", object_id=name[:40], changes=changes
        )
        db.session.commit()
        db.session.remove()


def _fail(message: str, code: int = 2) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def _archive_sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return archive.sha256_of(stream)[0]


def _summary(manifest: dict[str, Any]) -> str:
    files = manifest["files"].values()
    rows = sum(manifest["tables"].values())
    return (
        f"  database: {manifest['database']['kind']}, revision {manifest['alembic_revision']},"
        f" {len(manifest['tables'])} tables, {rows} rows\n"
        f"  files: {len(files)} ({sum(entry['size'] for entry in files)} bytes)\n"
        f"  created: {manifest['created_at']}"
    )


@backup_cli.command("create")
@click.argument("path", type=click.Path(path_type=Path))
def create(path: Path) -> None:
    """Write the database and every stored file to one .tar.gz archive at PATH (a directory:
    a new puja-indah-<time>.tar.gz inside it), with a manifest of hashes and row counts."""
    if path.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = path / f"puja-indah-{stamp}.tar.gz"
    if path.exists():
        _fail(f"{path} exists already; choose a new name.")
    try:
        target = archive.Target.from_config(current_app.config)
        db.session.remove()
        manifest = archive.create_archive(path, target, storage_url(), code_head())
    except archive.BackupError as error:
        _fail(f"Backup failed: {error}")
    digest = _archive_sha256(path)
    _record(
        "backup",
        path.name,
        {
            "archive": path.name,
            "sha256": digest,
            "revision": manifest["alembic_revision"],
            "files": len(manifest["files"]),
        },
    )
    click.echo(f"Backup written: {path} ({path.stat().st_size} bytes, SHA-256 {digest})")
    click.echo(_summary(manifest))


@backup_cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(path: Path) -> None:
    """Check every member of the archive against its manifest (SHA-256 and size), without
    restoring anything; exits 1 on any difference."""
    try:
        manifest, problems = archive.verify_archive(path)
    except archive.BackupError as error:
        _fail(str(error))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        _fail(f"Backup damaged: {len(problems)} problem(s) in {path}.", 1)
    click.echo(f"Backup intact: {path}")
    click.echo(_summary(manifest))


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that already holds data.")
def restore(path: Path, yes: bool) -> None:
    """Restore the database and the stored files from PATH, then check every file's hash and
    every table's row count against the manifest (exit 1 on any difference)."""
    try:
        target = archive.Target.from_config(current_app.config)
        manifest = archive.read_manifest(path)
    except archive.BackupError as error:
        _fail(str(error))
    head = code_head()
    if manifest["alembic_revision"] != head:
        _fail(
            f"Refused: the backup is at revision {manifest['alembic_revision'] or '(none)'}, this"
            f" code's migrations end at {head}. Restore with the release whose head is"
            f" {manifest['alembic_revision']} (then `flask db upgrade` with the new release)."
        )
    if manifest["database"]["kind"] != target.kind:
        _fail(
            f"Refused: the backup holds a {manifest['database']['kind']} database, the configured"
            f" database is {target.kind}."
        )
    db.session.remove()
    db.engine.dispose()
    app_tables = set(db.metadata.tables)
    if not yes and archive.has_data(target.url, app_tables):
        _fail("Refused: the configured database already holds data; add --yes to replace it.")
    store = archive.Store(storage_url())
    with tempfile.TemporaryDirectory(prefix="puja-restore-") as work:
        dump = Path(work) / "database"
        try:
            _, problems = archive.verify_archive(path, extract_database_to=dump)
        except archive.BackupError as error:
            _fail(str(error))
        if problems:
            for problem in problems:
                click.echo(problem, err=True)
            _fail(
                f"Refused: the archive is damaged ({len(problems)} problem(s)); nothing restored.",
                1,
            )
        try:
            archive.restore_database(target, dump)
        except archive.BackupError as error:
            _fail(f"Database restore failed: {error}", 1)
    db.engine.dispose()
    problems = archive.restore_files(path, store, manifest)
    problems += archive.check_restored(store, target, manifest)
    digest = _archive_sha256(path)
    _record(
        "restore",
        path.name,
        {"archive": path.name, "sha256": digest, "ok": not problems, "problems": problems[:20]},
    )
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        _fail(f"Restore finished with {len(problems)} mismatch(es) against the manifest.", 1)
    click.echo(f"Restored from {path} (SHA-256 {digest}); every file hash and row count matches.")
    click.echo(_summary(manifest))
