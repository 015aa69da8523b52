"""Build, check and restore a backup archive.

The archive is one gzip-compressed tar file:

- `database/database.sqlite3` (SQLite: a consistent online copy made with sqlite3's backup API,
  never the live file, which is in WAL mode) or `database/database.pgdump` (PostgreSQL:
  `pg_dump --format=custom` inside a REPEATABLE READ snapshot, as the schema owner);
- `files/<area>/<key[:2]>/<key>`: every file of the storage root (core/storage.py), whatever its
  area;
- `manifest.json`, written last: the database's alembic revision and kind, the rows per table
  (counted in the same snapshot as the dump), creation time, and the SHA-256 and size of every
  other member.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

import fsspec
import sqlalchemy as sa
from fsspec.implementations.local import LocalFileSystem

FORMAT = "puja-indah-backup/1"
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
DB_MEMBERS = {"sqlite": "database/database.sqlite3", "postgresql": "database/database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """Something the operator must fix; the message says what."""


@dataclass(frozen=True)
class Target:
    """The configured database: `url` is what the backup and restore connect as (the owner,
    MIGRATION_DATABASE_URL, when set), `app_url` what the app connects as."""

    kind: str
    url: str
    app_url: str

    @classmethod
    def from_config(cls, config: Any) -> Target:
        app_url = str(config["SQLALCHEMY_DATABASE_URI"])
        url = str(config.get("MIGRATION_DATABASE_URL") or "") or app_url
        kind = sa.make_url(url).get_backend_name()
        if kind not in DB_MEMBERS:
            raise BackupError(f"Backups support SQLite and PostgreSQL, not {kind}.")
        return cls(kind, url, app_url)

    @property
    def sqlite_path(self) -> Path:
        database = sa.make_url(self.url).database
        if not database or database == ":memory:" or database.startswith("file:"):
            raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
        return Path(database)


def sha256_of(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class _HashingReader(io.RawIOBase):
    """Reads through to `inner` and hashes what passes."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


# --- the database ---


def count_rows(connection: sa.Connection) -> dict[str, int]:
    """Rows per table of the connected database (public schema on PostgreSQL)."""
    names = sorted(sa.inspect(connection).get_table_names())
    count = sa.select(sa.func.count())
    return {name: int(connection.scalar(count.select_from(sa.table(name))) or 0) for name in names}


def has_data(url: str, app_tables: set[str]) -> bool:
    """Whether any of the app's tables (the alembic bookkeeping aside) holds a row."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            present = set(sa.inspect(connection).get_table_names()) & app_tables
            present.discard("alembic_version")
            one = sa.select(sa.literal(1))
            return any(
                connection.execute(one.select_from(sa.table(name)).limit(1)).first()
                for name in sorted(present)
            )
    finally:
        engine.dispose()


def _revision(connection: sa.Connection) -> str:
    if "alembic_version" not in sa.inspect(connection).get_table_names():
        return ""
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    return ",".join(sorted(str(row) for row in rows))


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore and its environment: the password goes in
    PGPASSWORD, never on the command line (where `ps` would show it)."""
    parsed = sa.make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"`{name}` is not installed or not on PATH: install the PostgreSQL client tools"
            " (Debian/Ubuntu: apt-get install postgresql-client, the same major version as the"
            " server or newer)."
        )
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        name = Path(command[0]).name
        raise BackupError(f"{name} failed ({result.returncode}): {result.stderr.strip()}")


def dump_database(target: Target, out: Path) -> tuple[str, dict[str, int]]:
    """Write the database to `out`; return its alembic revision and its rows per table, both
    read from exactly the state that was written."""
    if target.kind == "sqlite":
        source_path = target.sqlite_path
        if not source_path.exists():
            raise BackupError(f"No SQLite database at {source_path}.")
        source = sqlite3.connect(source_path, timeout=30)
        copy = sqlite3.connect(out)
        try:
            source.backup(copy)  # one step: a read transaction over a consistent state
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
            source.close()
        engine = sa.create_engine(f"sqlite:///{out}")
        try:
            with engine.connect() as connection:
                return _revision(connection), count_rows(connection)
        finally:
            engine.dispose()
    pg_dump = _binary("pg_dump")
    uri, env = _libpq(target.url)
    engine = sa.create_engine(target.url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                # pg_dump reads the snapshot this transaction exported: the counts and the dump
                # see the same rows however busy the database is.
                snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                revision, counts = _revision(connection), count_rows(connection)
                _run(
                    [
                        pg_dump,
                        "--format=custom",
                        "--no-password",
                        f"--snapshot={snapshot}",
                        f"--file={out}",
                        f"--dbname={uri}",
                    ],
                    env,
                )
    finally:
        engine.dispose()
    return revision, counts


def restore_database(target: Target, dump: Path) -> None:
    if target.kind == "sqlite":
        path = target.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(dump)
        destination = sqlite3.connect(path, timeout=30)
        try:
            # Replaces every page of the target in one write transaction; readers on other
            # connections see the old or the new database, never a mix.
            source.backup(destination)
        finally:
            destination.close()
            source.close()
        return
    pg_restore = _binary("pg_restore")
    uri, env = _libpq(target.url)
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={uri}",
            str(dump),
        ],
        env,
    )
    grant_app_role(target)


def grant_app_role(target: Target) -> str:
    """Give the application role (DATABASE_URL's user, when it is not the owner) its privileges
    again: `--no-acl` left the restored objects with the owner's only."""
    from puja_indah.core.rls import grant_app_role_sql

    role = sa.make_url(target.app_url).username or ""
    owner = sa.make_url(target.url).username or ""
    if target.kind != "postgresql" or not role or role == owner:
        return ""
    engine = sa.create_engine(target.url)
    try:
        with engine.begin() as connection:
            for statement in grant_app_role_sql(role):
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()
    return role


def database_counts(target: Target) -> dict[str, int]:
    engine = sa.create_engine(target.url)
    try:
        with engine.connect() as connection:
            return count_rows(connection)
    finally:
        engine.dispose()


# --- the stored files ---


class Store:
    """The storage root as a whole (every area), by path relative to the root."""

    def __init__(self, url: str) -> None:
        fs, root = fsspec.core.url_to_fs(url)
        self.fs = fs
        self.local = isinstance(fs, LocalFileSystem)
        self.root = str(Path(root).resolve()) if self.local else root.rstrip("/")

    def walk(self) -> Iterator[tuple[str, str, int]]:
        """(relative path, full path, size) of every stored file, sorted."""
        found = self.fs.find(self.root, detail=True) if self.fs.exists(self.root) else {}
        for path in sorted(found):
            info = found[path]
            if info.get("type") != "file":
                continue
            relative = path[len(self.root) :].lstrip("/")
            if PurePosixPath(relative).name.startswith(".upload-"):
                continue  # a write still in progress
            yield relative, path, int(info["size"])

    def path(self, relative: str) -> str:
        parts = PurePosixPath(relative).parts
        if not parts or any(part in ("", ".", "..") or "\\" in part for part in parts):
            raise BackupError(f"refusing a file path outside the storage root: {relative!r}")
        if self.local:
            full = (Path(self.root) / relative).resolve()
            if Path(self.root) not in full.parents:
                raise BackupError(f"refusing a file path outside the storage root: {relative!r}")
            return str(full)
        return f"{self.root}/{relative}"

    def write(self, relative: str, source: IO[bytes]) -> tuple[str, int]:
        """Store `source` at `relative` (atomically on the local file system); its hash, size."""
        path = self.path(relative)
        reader = _HashingReader(source)
        if not self.local:
            with self.fs.open(path, "wb") as out:
                shutil.copyfileobj(reader, out, CHUNK)
            return reader.digest.hexdigest(), reader.size
        folder = Path(path).parent
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(reader, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return reader.digest.hexdigest(), reader.size

    def hash(self, relative: str) -> tuple[str, int] | None:
        path = self.path(relative)
        try:
            with self.fs.open(path, "rb") as stream:
                return sha256_of(stream)
        except FileNotFoundError:
            return None


# --- the archive ---


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), mtime, 0o600
    tar.addfile(info, io.BytesIO(data))


def create_archive(path: Path, target: Target, storage_url: str, code_head: str) -> dict[str, Any]:
    """Write the archive to `path` (through a temporary file renamed into place) and return its
    manifest."""
    created = datetime.now(UTC).replace(microsecond=0)
    mtime = created.timestamp()
    store = Store(storage_url)
    db_member = DB_MEMBERS[target.kind]
    partial = path.with_name(f".{path.name}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="puja-backup-") as work:
            dump = Path(work) / PurePosixPath(db_member).name
            revision, counts = dump_database(target, dump)
            with dump.open("rb") as stream:
                db_hash, db_size = sha256_of(stream)
            files: dict[str, dict[str, Any]] = {}
            # Readable by its owner only: the archive holds password hashes and personal data.
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with (
                os.fdopen(descriptor, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w:gz") as tar,
            ):
                info = tarfile.TarInfo(db_member)
                info.size, info.mtime, info.mode = db_size, mtime, 0o600
                with dump.open("rb") as stream:
                    tar.addfile(info, stream)
                for relative, full, size in store.walk():
                    info = tarfile.TarInfo(FILES_PREFIX + relative)
                    info.size, info.mtime, info.mode = size, mtime, 0o600
                    with store.fs.open(full, "rb") as stream:
                        reader = _HashingReader(stream)
                        tar.addfile(info, reader)
                    files[relative] = {"sha256": reader.digest.hexdigest(), "size": reader.size}
                manifest: dict[str, Any] = {
                    "format": FORMAT,
                    "created_at": created.isoformat().replace("+00:00", "Z"),
                    "alembic_revision": revision,
                    "code_head": code_head,
                    "database": {
                        "kind": target.kind,
                        "member": db_member,
                        "sha256": db_hash,
                        "size": db_size,
                    },
                    "tables": counts,
                    "files": files,
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode(), mtime)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _expected(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Member name → {sha256, size} for every member but the manifest."""
    expected = {FILES_PREFIX + name: entry for name, entry in manifest.get("files", {}).items()}
    database = manifest.get("database", {})
    if database.get("member"):
        expected[database["member"]] = database
    return expected


@contextmanager
def open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path} is not a readable backup archive: {error}") from None
    with tar:
        yield tar


def read_manifest(path: Path) -> dict[str, Any]:
    with open_archive(path) as tar:
        try:
            member = tar.getmember(MANIFEST)
        except KeyError:
            raise BackupError(f"{path} holds no {MANIFEST}: not a PUJA INDAH backup.") from None
        stream = tar.extractfile(member)
        assert stream is not None
        manifest: dict[str, Any] = json.loads(stream.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (expected {FORMAT}).")
    return manifest


def verify_archive(
    path: Path, extract_database_to: Path | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Hash every member against the manifest without restoring anything; optionally extract the
    database member on the way. Returns the manifest and the problems (empty: intact)."""
    manifest = read_manifest(path)
    expected = _expected(manifest)
    database_member = manifest["database"]["member"]
    problems: list[str] = []
    seen: set[str] = set()
    with open_archive(path) as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            entry = expected.get(member.name)
            if entry is None or not member.isfile():
                problems.append(f"{member.name}: not listed in the manifest")
                continue
            seen.add(member.name)
            stream = tar.extractfile(member)
            assert stream is not None
            if extract_database_to is not None and member.name == database_member:
                with extract_database_to.open("wb") as out:
                    reader = _HashingReader(stream)
                    shutil.copyfileobj(reader, out, CHUNK)
                digest, size = reader.digest.hexdigest(), reader.size
            else:
                digest, size = sha256_of(stream)
            if size != entry["size"]:
                problems.append(f"{member.name}: {size} bytes, the manifest says {entry['size']}")
            if digest != entry["sha256"]:
                problems.append(f"{member.name}: SHA-256 differs from the manifest")
    problems += [f"{name}: missing from the archive" for name in sorted(set(expected) - seen)]
    return manifest, problems


def restore_files(path: Path, store: Store, manifest: dict[str, Any]) -> list[str]:
    """Write every file member into the store; files already there under the same path are
    replaced. Returns the problems (a member whose bytes differ from the manifest)."""
    files = manifest["files"]
    problems: list[str] = []
    with open_archive(path) as tar:
        for member in tar:
            if not member.name.startswith(FILES_PREFIX) or not member.isfile():
                continue
            relative = member.name[len(FILES_PREFIX) :]
            entry = files.get(relative)
            if entry is None:
                continue  # verify_archive reported it already
            stream = tar.extractfile(member)
            assert stream is not None
            digest, size = store.write(relative, stream)
            if (digest, size) != (entry["sha256"], entry["size"]):
                problems.append(f"files/{relative}: restored bytes differ from the manifest")
    return problems


def check_restored(store: Store, target: Target, manifest: dict[str, Any]) -> list[str]:
    """Read every file back from the store and count the rows: both against the manifest."""
    problems: list[str] = []
    for relative, entry in manifest["files"].items():
        found = store.hash(relative)
        if found is None:
            problems.append(f"files/{relative}: missing from the storage after the restore")
        elif found != (entry["sha256"], entry["size"]):
            problems.append(f"files/{relative}: stored bytes differ from the manifest")
    counts = database_counts(target)
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            problems.append(
                f"table {table}: {counts.get(table)} rows, the manifest says {expected}"
            )
    return problems
