"""Declarative base, naming convention and the mixins every model builds on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, TypeDecorator
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    registry,
    scoped_session,
)

# Stable constraint names so that Alembic can diff and drop them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Dates are stored in UTC and shown in WITA (Asia/Makassar)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime on every database: stored in UTC, returned aware (SQLite has no
    time zones and would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC values only")
        return (
            value.astimezone(UTC)
            if dialect.name == "postgresql"
            else (value.astimezone(UTC).replace(tzinfo=None))
        )

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Functions that take a session accept Flask-SQLAlchemy's scoped proxy as well.
AnySession = Session | scoped_session[Any]


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AgencyScoped:
    """Marks a model whose rows belong to one agency (the tenant).

    The tenancy layer adds `agency_id` criteria to every SELECT/UPDATE/DELETE of such a model and
    stamps or checks `agency_id` on every write; on PostgreSQL, row-level security is the backstop
    (see core/tenancy.py and the migrations). Nothing else is needed in a model or a view.

    `reviewer_writes` marks the one kind of agency data an agency does NOT write: a national
    reviewer's decisions about the agency's claims (reviews/models.py). For such a model the flush
    guard turns the usual rule around — only a national reviewer's scope (read-only for every
    other agency-owned model) may insert rows, never update or delete them, and the agency's own
    scope may not write them at all; on PostgreSQL `rls.enable_reviewer_rls` says the same.
    """

    reviewer_writes: ClassVar[bool] = False

    @declared_attr
    def agency_id(cls) -> Mapped[int]:
        return mapped_column(
            Integer, ForeignKey("agencies.id", ondelete="RESTRICT"), index=True, nullable=False
        )


def agency_scoped_models() -> list[type]:
    """Every mapped class that is agency-scoped: the tenancy tests enumerate this list."""
    return sorted(
        (m.class_ for m in Base.registry.mappers if issubclass(m.class_, AgencyScoped)),
        key=lambda cls: cls.__name__,
    )


# Schema objects that migrations create but no model maps (a feature's full-text index, SQLite
# FTS5 tables and their shadow tables). Features add the name prefixes of theirs; autogenerate
# (`include_name`/`include_object` in the Alembic configuration) and the schema test skip them.
UNMAPPED_SCHEMA_PREFIXES: set[str] = set()


def _unmapped(name: str | None) -> bool:
    return bool(name) and any(str(name).startswith(p) for p in UNMAPPED_SCHEMA_PREFIXES)


def include_schema_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (type_ in ("table", "index") and _unmapped(name))


def include_schema_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (reflected and compare_to is None and _unmapped(name))
