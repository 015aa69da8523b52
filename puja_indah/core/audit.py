"""The append-only, hash-chained audit trail.

Every flush records what changed (before/after values) in the same transaction as the change, via
a Core INSERT so the unit of work is not re-entered. Sign-ins, sign-outs and refusals are recorded
explicitly. Each entry's hash covers its content and the previous entry's hash, so `flask audit
verify` detects an edited or removed entry. The database refuses UPDATE and DELETE on the table
(triggers on both dialects; on PostgreSQL the application role is granted only SELECT and INSERT).
"""

from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, cast

from sqlalchemy import JSON, Integer, String, Table, event, insert, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from puja_indah.core.db import AgencyScoped, AnySession, Base, utcnow
from puja_indah.core.models import Agency, RegionManaged
from puja_indah.core.tenancy import current_scope

REDACTED = "[disembunyikan]"
SENSITIVE_COLUMNS = frozenset({"password_hash", "token_hash"})


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # No foreign keys: the trail must outlive the rows it talks about.
    actor_user_id: Mapped[int | None] = mapped_column(index=True)
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    scope: Mapped[str] = mapped_column(String(40), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[str] = mapped_column(String(40), default="")
    agency_id: Mapped[int | None] = mapped_column(index=True)
    region_id: Mapped[int | None] = mapped_column(index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    label: str = "system"
    ip_address: str = ""


_actor: ContextVar[Actor] = ContextVar("puja_actor", default=Actor())  # noqa: B039 - frozen
SKIPPED_MODELS: set[str] = {"AuditEntry"}


def set_actor(actor: Actor) -> None:
    _actor.set(actor)


def current_actor() -> Actor:
    return _actor.get()


def skip_model(name: str) -> None:
    """Bookkeeping tables (login sessions, throttling counters) would only add noise."""
    SKIPPED_MODELS.add(name)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _redacted(obj: Any, key: str) -> bool:
    """Secrets everywhere, plus the personal-data columns a model lists in `audit_redacted`
    (e-minduk's NIK and phone)."""
    return key in SENSITIVE_COLUMNS or key in getattr(type(obj), "audit_redacted", ())


def _diff(obj: Any, kind: str) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for column in state.mapper.column_attrs:
        key = column.key
        history = state.attrs[key].history
        if kind == "update" and not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else (history.unchanged or [None])[0]
        if kind == "create":
            before = None
        if kind == "delete":
            before, after = after, None
        if _redacted(obj, key):
            before = REDACTED if before is not None else None
            after = REDACTED if after is not None else None
        changes[key] = {"before": _plain(before), "after": _plain(after)}
    return changes


def _owner_ids(session: Session, obj: Any) -> tuple[int | None, int | None]:
    agency_id: int | None = None
    region_id: int | None = None
    if isinstance(obj, Agency):
        agency_id, region_id = obj.id, obj.region_id
    elif isinstance(obj, AgencyScoped):
        agency_id = obj.agency_id
    elif isinstance(obj, RegionManaged):
        region_id = obj.owning_region_id()
        agency_id = getattr(obj, "agency_id", None)
    if agency_id is not None and region_id is None:
        region_id = session.connection().scalar(
            select(Agency.__table__.c.region_id).where(Agency.__table__.c.id == agency_id)
        )
    return agency_id, region_id


def _collect(session: Session, flush_context: Any, instances: Any) -> None:
    pending = session.info.setdefault("audit_pending", [])
    for kind, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if type(obj).__name__ in SKIPPED_MODELS:
                continue
            if kind == "update" and not session.is_modified(obj, include_collections=False):
                continue
            pending.append((kind, obj, _diff(obj, kind)))


def _write_collected(session: Session, flush_context: Any) -> None:
    pending = session.info.pop("audit_pending", [])
    for kind, obj, changes in pending:
        # The identity key is assigned only after the flush; the primary key is already there.
        ident = inspect(obj).mapper.primary_key_from_instance(obj)
        agency_id, region_id = _owner_ids(session, obj)
        if kind == "create":
            # Primary keys exist only now, after the INSERT.
            for key, value in changes.items():
                current = getattr(obj, key, None)
                if value["after"] is None and current is not None and not _redacted(obj, key):
                    value["after"] = _plain(current)
        append(
            session,
            action=kind,
            object_type=type(obj).__name__,
            object_id="/".join(str(i) for i in ident if i is not None),
            agency_id=agency_id,
            region_id=region_id,
            changes=changes,
        )


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        # Drivers hand back the same instant in different zones: hash one rendering of it.
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = {key: _canonical(value) for key, value in fields.items()}
    payload = json.dumps(canonical, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


HASHED_FIELDS = (
    "occurred_at",
    "actor_user_id",
    "actor_label",
    "ip_address",
    "scope",
    "action",
    "object_type",
    "object_id",
    "agency_id",
    "region_id",
    "changes",
)


def append(
    session: AnySession,
    *,
    action: str,
    object_type: str = "",
    object_id: str = "",
    agency_id: int | None = None,
    region_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Append one entry in the session's transaction, chained to the previous entry."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Serialise appenders so that two transactions never chain to the same predecessor.
        connection.execute(text("SELECT pg_advisory_xact_lock(7461001)"))
    table = cast(Table, AuditEntry.__table__)
    prev_hash = (
        connection.scalar(select(table.c.entry_hash).order_by(table.c.id.desc()).limit(1)) or ""
    )
    actor = current_actor()
    fields: dict[str, Any] = {
        # Microseconds dropped: every database stores seconds the same way.
        "occurred_at": utcnow().replace(microsecond=0),
        "actor_user_id": actor.user_id,
        "actor_label": actor.label[:254],
        "ip_address": actor.ip_address[:45],
        "scope": current_scope().label()[:40],
        "action": action[:40],
        "object_type": object_type[:60],
        "object_id": object_id[:40],
        "agency_id": agency_id,
        "region_id": region_id,
        "changes": changes or {},
    }
    connection.execute(
        insert(table).values(
            **fields, prev_hash=prev_hash, entry_hash=_entry_hash(prev_hash, fields)
        )
    )


def record_event(action: str, **kwargs: Any) -> None:
    """Record an event that is not a row change (sign-in, refusal) and commit it on its own, so a
    refusal is kept even though the refused request rolls back."""
    from puja_indah.extensions import db

    append(db.session, action=action, **kwargs)
    db.session.commit()


def record_refusal(what: str) -> None:
    from flask import request

    record_event(
        "refused", object_type="route", object_id=request.path[:40], changes={"policy": what}
    )


def verify_chain(session: AnySession) -> list[str]:
    """Return the problems found; an empty list means the chain is intact."""
    problems: list[str] = []
    prev_hash = ""
    table = cast(Table, AuditEntry.__table__)
    for row in session.connection().execute(select(table).order_by(table.c.id)).mappings():
        fields = {name: row[name] for name in HASHED_FIELDS}
        if row["prev_hash"] != prev_hash:
            problems.append(f"entry {row['id']}: the entry before it was removed or altered")
        if row["entry_hash"] != _entry_hash(row["prev_hash"], fields):
            problems.append(f"entry {row['id']}: content altered")
        prev_hash = row["entry_hash"]
    return problems


def _forget_collected(session: Session, previous_transaction: Any) -> None:
    # A failed flush must not leave its entries to be written by a later one.
    session.info.pop("audit_pending", None)


def install(session_class: type[Session] = Session) -> None:
    for name, fn in (
        ("before_flush", _collect),
        ("after_flush", _write_collected),
        ("after_soft_rollback", _forget_collected),
    ):
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)
