"""One number that changes whenever committed data changes, and a per-process cache keyed by it.

Why: the busiest read pages (the progress board, the public status page) recompute the same
answer for every visitor until someone writes. Every worker keeps what it rendered in memory and
reuses it while the database's data version is the one it was made under; any worker's (or a
script's, or psql's) committed write moves the version, so every worker's entry goes stale at once
— invalidation needs no message between workers.

The version lives in the one-row table `data_version`, moved by database triggers on every table
but the few in UNTRACKED_TABLES (installed by migrations with `install_sql`), so no write path can
forget it:
- PostgreSQL: a deferred constraint trigger moves it once per transaction, at commit. The lock on
  the row is taken last, after every data row the transaction locked, so writers cannot deadlock on
  it; they only queue for it for the instant of their commit.
- SQLite: a row trigger per table (a database has one writer at a time anyway).
The new value is the larger of the old one plus one and the clock in microseconds, so a database
rebuilt or restored from a snapshot never hands out a number an earlier state already used.

Reading order makes the cache safe under READ COMMITTED: the version is read before the data it
guards. A writer committing in between makes the entry stale (stored under the old number), never a
stale entry under the new one. A transaction that has written and not yet committed neither reads
nor fills the cache: its own data is not the committed state.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import BigInteger, CheckConstraint, TextClause, event, inspect, select, text
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from puja_indah.core.audit import skip_model
from puja_indah.core.db import AnySession, Base
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db

V = TypeVar("V")

TABLE = "data_version"

# Tables whose writes change nothing a cached answer shows: sign-in bookkeeping, token last-use
# stamps and export job progress (read only by their owners' own, uncached pages), and the
# bookkeeping of migrations and of this version itself.
UNTRACKED_TABLES = frozenset(
    {
        "alembic_version",
        TABLE,
        "login_sessions",
        "login_failures",
        "personal_access_tokens",
        "export_jobs",
    }
)

_WROTE = "puja_wrote_in_transaction"
_VERSION = "puja_data_version"
_RECENT = "puja_recent_data_version"  # (version, time.monotonic() it was read), per app


class DataVersion(Base):
    __tablename__ = TABLE
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


skip_model("DataVersion")  # moved by triggers, never by the ORM: nothing to put on the trail


# --- installed by migrations ----------------------------------------------------------------------

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION puja_bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Deferred: runs at commit, once per changed row; the setting keeps it to one UPDATE.
  IF coalesce(current_setting('puja.data_version_moved', true), '') <> 'y' THEN
    UPDATE data_version
       SET version = greatest(version + 1,
                              (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
     WHERE id = 1;
    PERFORM set_config('puja.data_version_moved', 'y', true);
  END IF;
  RETURN NULL;
END
$$;
"""

_SQLITE_NEXT = (
    "UPDATE data_version SET version = max(version + 1,"
    " CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) WHERE id = 1;"
)


def install_sql(dialect: str, table: str) -> list[str]:
    """Statements that make writes to `table` move the data version."""
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS puja_data_version ON {table}",
            f"CREATE CONSTRAINT TRIGGER puja_data_version AFTER INSERT OR UPDATE OR DELETE"
            f" ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
            f" EXECUTE FUNCTION puja_bump_data_version()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS puja_data_version_{op}_{table}"
        for op in ("insert", "update", "delete")
    ] + [
        f"CREATE TRIGGER puja_data_version_{op}_{table} AFTER {op.upper()} ON {table}"
        f" BEGIN {_SQLITE_NEXT} END"
        for op in ("insert", "update", "delete")
    ]


def uninstall_sql(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS puja_data_version ON {table}"]
    return [
        f"DROP TRIGGER IF EXISTS puja_data_version_{op}_{table}"
        for op in ("insert", "update", "delete")
    ]


def tracked_tables(connection: Any) -> list[str]:
    """The tables that must carry the trigger: every table but the untracked ones and, on
    SQLite, full-text index tables (virtual tables and their shadow tables, derived from tracked
    tables by their own triggers)."""
    names = set(inspect(connection).get_table_names()) - UNTRACKED_TABLES
    if connection.dialect.name == "sqlite":
        virtual = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND sql LIKE 'CREATE VIRTUAL TABLE%'"
                )
            )
        ]
        names = {n for n in names if not any(n == v or n.startswith(v + "_") for v in virtual)}
    return sorted(names)


def tracked_triggers_present(connection: Any) -> set[str]:
    """Tables that carry the version trigger (for the test that every table does)."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE t.tgname = 'puja_data_version'"
            )
        )
        return {row[0] for row in rows}
    rows = connection.execute(
        text(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
            " AND name LIKE 'puja_data_version_%' GROUP BY tbl_name HAVING count(*) = 3"
        )
    )
    return {row[0] for row in rows}


# --- reading --------------------------------------------------------------------------------------


def current(session: AnySession, max_age: float = 0.0) -> int | None:
    """The committed data version, or None inside a transaction that has written (its own
    uncommitted rows must not be cached, nor answered from the cache).

    `max_age` > 0 lets an answer meant for everyone (the public status page) take the version
    this worker read at most that many seconds ago instead of asking the database: such a page
    may then be that much behind another worker's commit, never behind this worker's own (a
    commit here forgets the remembered version)."""
    info = session.info
    if info.get(_WROTE):
        return None
    if max_age > 0:
        remembered = current_app.extensions.get(_RECENT)
        if remembered is not None and time.monotonic() - remembered[1] < max_age:
            return int(remembered[0])
    # Read once per transaction: a version read earlier than the data only ever files newer data
    # under an older number (a miss later), never older data under a newer one.
    if _VERSION not in info:
        info[_VERSION] = session.scalar(select(DataVersion.version).where(DataVersion.id == 1))
        if info[_VERSION] is not None:
            current_app.extensions[_RECENT] = (info[_VERSION], time.monotonic())
    return info[_VERSION]


def _note_flush(session: Session, *_args: Any) -> None:
    session.info[_WROTE] = True


def _note_statement(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, TextClause):  # raw SQL: a write unless it reads
        writes = statement.text.lstrip()[:6].lower() != "select"
    else:
        writes = state.is_insert or state.is_update or state.is_delete
    if writes:
        state.session.info[_WROTE] = True


def forget_recent() -> None:
    """Drop the version remembered for `max_age` reads (the app's own commit does; so does a
    test harness that rewrites the database behind the app's back)."""
    current_app.extensions.pop(_RECENT, None)


def _forget_recent(session: Session) -> None:
    if session.info.get(_WROTE) and has_app_context():
        forget_recent()


def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended: commit or rollback
        session.info.pop(_WROTE, None)
        session.info.pop(_VERSION, None)


def install(session_class: type[Session] = Session) -> None:
    """Track, per session, whether the open transaction has written (idempotent)."""
    for name, fn in (
        ("after_flush", _note_flush),
        ("after_commit", _forget_recent),
        ("do_orm_execute", _note_statement),
        ("after_transaction_end", _forget),
    ):
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)


class VersionedCache(Generic[V]):
    """A bounded per-process LRU of values made under a data version. Thread-safe; two threads
    missing the same key both make the value (no lock is held while making it). Entries of an
    older version are dropped as soon as a newer one is stored: they can never be answered."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._newest = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_make(
        self, session: AnySession, key: Hashable, make: Callable[[], V], max_age: float = 0.0
    ) -> V:
        keep = current_app.config.get("KEEP_ANSWERS", True)
        version = current(session, max_age) if keep else None
        if version is None:
            return make()
        full_key = (version, key)
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                self.hits += 1
                return self._entries[full_key]
            self.misses += 1
        value = make()
        if session.info.get(_WROTE):  # `make` wrote: its answer is not the committed state
            return value
        with self._lock:
            if version > self._newest:
                self._entries.clear()
                self._newest = version
            if version == self._newest:
                self._entries[full_key] = value
                while len(self._entries) > self.maxsize:
                    self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._newest = 0


def remember(
    name: str, key: Hashable, make: Callable[[], V], max_age: float = 0.0, maxsize: int = 256
) -> V:
    """`make()`, or what it gave under the same data version and key in this process (the
    request's session reads the version; `max_age` as in `current`; `maxsize` entries kept)."""
    return cache(name, maxsize).get_or_make(db.session, key, make, max_age)


def scope_key() -> tuple[Any, ...]:
    """What of the request's scope decides which rows it may read (part of a cache key)."""
    scope = current_scope()
    return (scope.kind, scope.role, scope.agency_id, scope.region_id, scope.read_only)


def clear_all() -> None:
    """Forget every answer this app keeps in this process (the bench measures pages made afresh;
    tests that count a page's statements)."""
    for kept in current_app.extensions.get("puja_caches", {}).values():
        kept.clear()
    forget_recent()


def cache(name: str, maxsize: int = 256) -> VersionedCache[Any]:
    """The app's cache called `name` (one per app: tests and tools build several apps)."""
    caches: dict[str, VersionedCache[Any]] = current_app.extensions.setdefault("puja_caches", {})
    if name not in caches:
        caches[name] = VersionedCache(maxsize)
    return caches[name]
