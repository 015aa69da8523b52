"""Did a request change any data? The enumerating tests (route matrix, fuzzer, upload attacks) ask
this after thousands of requests, so it must be exact and cheap.

`fingerprint()` hashes every row of every table but bookkeeping ones — exact, and slow with the
demo data loaded. `DataWatch` keeps one such hash per table and, after a request, re-hashes only
the tables the app's engine sent an INSERT, UPDATE or DELETE to (a statement it cannot attribute
to a table re-hashes everything). A table no statement wrote to cannot have changed, and a
re-hashed table is compared by content, so a write that was rolled back or changed nothing counts
as no change. Cascades reach child tables only through a write to their parent, which is seen.
"""

from __future__ import annotations

import hashlib
import json
import re
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from flask import Flask

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

# Tables whose rows a request may legitimately add even when it refuses the action (the data
# version moves with any of them: a sign-in's audit entry is a committed write).
BOOKKEEPING = frozenset(
    {"audit_entries", "login_sessions", "login_failures", "alembic_version", "data_version"}
)

_WRITE_TO = re.compile(
    r'^\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from)\s+"?(\w+)"?', re.IGNORECASE
)
_READ_OR_CONTROL = re.compile(
    r"^\s*(?:select|savepoint|release|rollback|begin|commit|pragma|show|set\b)", re.IGNORECASE
)
ALL = "*"


def _table_hashes(app: Flask, names: set[str] | None = None) -> dict[str, str]:
    hashes = {}
    with app.app_context(), scoped(Scope.system("tests: fingerprint"), db.session):
        for table in db.metadata.sorted_tables:
            if table.name in BOOKKEEPING or (names is not None and table.name not in names):
                continue
            rows = db.session.execute(sa.select(table).order_by(*table.primary_key)).all()
            encoded = json.dumps([list(r) for r in rows], default=str).encode()
            hashes[table.name] = hashlib.sha256(encoded).hexdigest()
        db.session.remove()
    return hashes


def fingerprint(app: Flask) -> str:
    """One hash of every row of every table but bookkeeping ones."""
    digest = hashlib.sha256()
    for name, value in _table_hashes(app).items():
        digest.update(f"{name}={value};".encode())
    return digest.hexdigest()


class DataWatch:
    """Per-table hashes, refreshed only for the tables the app wrote to since the last look."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        with app.app_context():
            self.engine = db.engine
        self.written: set[str] = set()
        self.hashes: dict[str, str] = {}

    def __enter__(self) -> DataWatch:
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        self.reset()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        found = _WRITE_TO.match(statement)
        if found:
            self.written.add(found.group(1).lower())
        elif not _READ_OR_CONTROL.match(statement):
            self.written.add(ALL)  # WITH …, DDL or anything else: look at every table

    def reset(self) -> None:
        """Hash every table again (after the test itself changed data, e.g. a restore)."""
        self.hashes = _table_hashes(self.app)
        self.written.clear()

    def changed(self) -> bool:
        """Whether any data differs from the last look; the new state becomes the reference."""
        names = None if ALL in self.written else self.written - BOOKKEEPING
        self.written.clear()
        if names is not None and not names:
            return False
        fresh = _table_hashes(self.app, names)
        differs = any(self.hashes.get(name) != value for name, value in fresh.items())
        self.hashes.update(fresh)
        return differs
