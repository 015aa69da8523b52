"""Bulk inserts for the generator: SQLAlchemy Core `insert()` executed many rows at a time.

Ids are allocated here, before the rows are written (the next id after the table's largest), so
a generator can point children at parents without reading anything back, and the same seed on
the same database state gives the same ids. Rows wait in one buffer per table; when `batch_size`
rows are waiting they are written parents first (the metadata's dependency order) and committed:
one transaction per batch, no ORM objects, no flush — so neither the ORM's per-object work nor
the per-row audit entries are paid for (the run writes one audit entry of its own). Every row
must name every column, so no Python-side default (a clock, a random value) sneaks in.

On PostgreSQL the ids' sequences are moved past the ids written (`nextval`, which the
application role may call), so the app's next insert does not collide with a generated row.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from puja_indah.core.db import AnySession
from puja_indah.extensions import db

Row = dict[str, Any]


class BulkWriter:
    def __init__(
        self,
        session: AnySession,
        *,
        batch_size: int = 5_000,
        echo: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.session = session
        self.batch_size = batch_size
        self.echo = echo
        self.buffers: dict[str, list[Row]] = {}
        self.pending = 0
        self.next_ids: dict[str, int] = {}
        self.first_ids: dict[str, int] = {}
        self.counts: Counter[str] = Counter()
        self.order = {t.name: i for i, t in enumerate(db.metadata.sorted_tables)}
        self.started = time.monotonic()
        self._columns: dict[str, set[str]] = {}
        self._reported: Counter[str] = Counter()

    def table(self, name: str) -> Table:
        return db.metadata.tables[name]

    def new_id(self, name: str) -> int:
        if name not in self.next_ids:
            table = self.table(name)
            largest = self.session.execute(select(func.max(table.c.id))).scalar()
            self.next_ids[name] = int(largest or 0) + 1
            self.first_ids[name] = self.next_ids[name]
        value = self.next_ids[name]
        self.next_ids[name] = value + 1
        return value

    def add(self, name: str, row: Row) -> None:
        self.buffers.setdefault(name, []).append(row)
        self.pending += 1
        if self.pending >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write every waiting row, parents first, in one transaction."""
        if not self.pending:
            return
        for name in sorted(self.buffers, key=lambda n: self.order[n]):
            rows = self.buffers[name]
            if not rows:
                continue
            self._check(name, rows[0])
            self.session.execute(insert(self.table(name)), rows)
            self.counts[name] += len(rows)
            self.buffers[name] = []
        self.session.commit()
        self.pending = 0

    def _check(self, name: str, row: Row) -> None:
        columns = self._columns.get(name)
        if columns is None:
            columns = self._columns[name] = set(self.table(name).c.keys())
        if set(row) != columns:
            missing, extra = sorted(columns - set(row)), sorted(set(row) - columns)
            raise ValueError(f"{name}: row without {missing} or with unknown {extra}")

    def progress(self, label: str, done: int, total: int) -> None:
        self.echo(f"  [{time.monotonic() - self.started:7.1f} s] {label}: {done:,}/{total:,}")

    def finish(self) -> None:
        """Write what is left and move PostgreSQL's sequences past the written ids."""
        self.flush()
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for name, next_id in sorted(self.next_ids.items()):
            self._advance_sequence(name, next_id - 1)
        self.session.commit()

    def _advance_sequence(self, name: str, written: int) -> None:
        sequence = self.session.execute(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}
        ).scalar()
        if not sequence:
            return
        last, called = self.session.execute(
            text(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - catalogue name
        ).one()
        current = int(last) if called else int(last) - 1
        if written > current:
            self.session.execute(
                text("SELECT max(nextval(:s)) FROM generate_series(1, :n)"),
                {"s": sequence, "n": written - current},
            )
