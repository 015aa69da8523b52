"""Which rows are generated: the markers, and what follows from them.

Four kinds of rows carry a marker of their own:
- regions named "Provinsi/Kabupaten/Kota Contoh …" and flagged `is_demo`;
- accounts whose e-mail ends in "@contoh.pujaindah.id";
- innovations whose name starts with "Inovasi Contoh " (also on a real region, e.g. Bombana);
- e-tracking files numbered "CONTOH/…" (also at a real desk).

Every other generated row depends on one of them through a foreign key that does not merely go
NULL when its target goes (agency → region, evidence → innovation, event → file, …), so "rows
that depend on a generated row" is worked out from the schema itself (`generated()`), for every
table — including rows the app wrote later on generated data (a sign-in of a generated account,
a review decision on a generated claim). The same predicate answers "is there generated data?",
removes it for `--replace` (children first) and selects the rows of the fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, delete, exists, or_, select

from puja_indah.core.db import AnySession
from puja_indah.extensions import db
from puja_indah.scale.names import ACCOUNT_DOMAIN, FILE_NUMBER_PREFIX, INNOVATION_PREFIX

ROOT_MARKERS: dict[str, Callable[[Table], ColumnElement[bool]]] = {
    "regions": lambda t: and_(
        t.c.is_demo.is_(True),
        or_(
            t.c.name.like("Provinsi Contoh %"),
            t.c.name.like("Kabupaten Contoh %"),
            t.c.name.like("Kota Contoh %"),
        ),
    ),
    "users": lambda t: t.c.email.like(f"%@{ACCOUNT_DOMAIN}"),
    # name_key is the case-folded name, so the test is the same on every database.
    "innovations": lambda t: t.c.name_key.like(INNOVATION_PREFIX.casefold() + "%"),
    "et_files": lambda t: t.c.internal_number.like(FILE_NUMBER_PREFIX + "%"),
}
# The trail outlives what it talks about (and refuses deletes anyway).
NEVER = {"audit_entries", "alembic_version"}


def tables() -> list[Table]:
    return [t for t in db.metadata.sorted_tables if t.name not in NEVER]


def _dependencies(table: Table) -> Iterator[tuple[Any, Table]]:
    """(local column, referred table) for each foreign key whose target's removal removes or
    blocks the row: every key but those that go NULL, and but a table's key to itself."""
    seen: set[tuple[str, str]] = set()
    for fk in table.foreign_key_constraints:
        referred = fk.referred_table
        if referred is table or (fk.ondelete or "").upper() == "SET NULL":
            continue
        for element in fk.elements:
            if element.column.name != "id":
                continue
            key = (element.parent.name, referred.name)
            if key not in seen:
                seen.add(key)
                yield element.parent, referred


def generated(
    table: Table, _memo: dict[str, ColumnElement[bool] | None] | None = None
) -> ColumnElement[bool] | None:
    """The WHERE clause of `table`'s generated rows, or None when it can hold none."""
    memo = {} if _memo is None else _memo
    if table.name in memo:
        return memo[table.name]
    memo[table.name] = None  # guards against cycles while this one is worked out
    parts: list[ColumnElement[bool]] = []
    marker = ROOT_MARKERS.get(table.name)
    if marker is not None:
        parts.append(marker(table))
    for column, referred in _dependencies(table):
        condition = generated(referred, memo)
        if condition is not None:
            parts.append(column.in_(select(referred.c.id).where(condition)))
    result = or_(*parts) if parts else None
    memo[table.name] = result
    return result


def has_generated(session: AnySession) -> bool:
    for name in ROOT_MARKERS:
        table = db.metadata.tables[name]
        if session.execute(select(exists().where(ROOT_MARKERS[name](table)))).scalar():
            return True
    return False


def stored_file_keys(session: AnySession) -> list[str]:
    """Storage keys of the generated evidence files (removed from the store with their rows)."""
    table = db.metadata.tables["evidence_files"]
    condition = generated(table)
    if condition is None:  # pragma: no cover - evidence_files depends on innovations
        return []
    return list(session.execute(select(table.c.storage_key).where(condition)).scalars())


def delete_generated(session: AnySession, echo: Callable[[str], None]) -> dict[str, int]:
    """Delete every generated row, children first, one transaction per table; returns the
    number of rows removed per table."""
    removed: dict[str, int] = {}
    memo: dict[str, ColumnElement[bool] | None] = {}
    for table in reversed(tables()):
        condition = generated(table, memo)
        if condition is None:
            continue
        count = 0
        self_keys = [
            element.parent
            for fk in table.foreign_key_constraints
            if fk.referred_table is table
            for element in fk.elements
        ]
        # A table that points to itself (regions, agencies) loses its leaves first.
        for _round in range(10):
            statement = delete(table).where(condition)
            for key in self_keys:
                parents = select(key).where(key.isnot(None)).scalar_subquery()
                statement = statement.where(table.c.id.not_in(parents))
            deleted = session.execute(statement).rowcount  # type: ignore[attr-defined]
            count += deleted
            if not self_keys or deleted == 0:
                break
        session.commit()
        if count:
            removed[table.name] = count
            echo(f"  removed {count:>9,} {table.name}")
    return removed


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def fingerprint(session: AnySession) -> tuple[str, dict[str, int]]:
    """A SHA-256 over every generated row of every table, in id order, with values written the
    same way on every database; and the number of rows per table. Same seed, same database
    state → same fingerprint."""
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    memo: dict[str, ColumnElement[bool] | None] = {}
    for table in tables():
        condition = generated(table, memo)
        if condition is None:
            continue
        order = list(table.primary_key.columns)
        columns = sorted(table.c.keys())
        rows = 0
        result = session.execute(select(table).where(condition).order_by(*order))
        for row in result.mappings().yield_per(10_000):
            digest.update(json.dumps([_plain(row[name]) for name in columns], default=str).encode())
            rows += 1
        if rows:
            counts[table.name] = rows
            digest.update(f"{table.name}:{rows};".encode())
    return digest.hexdigest(), counts
