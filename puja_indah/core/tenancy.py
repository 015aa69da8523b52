"""The one place a request's scope is set and applied (ARCHITECTURE §3).

Three layers:
1. request — `resolve_request_scope()` runs once per request and sets the scope;
2. ORM — `do_orm_execute` adds agency criteria to every SELECT/UPDATE/DELETE of an
   `AgencyScoped` model, and `before_flush` stamps or refuses writes;
3. PostgreSQL — row-level security policies read the transaction-local settings written here.

The scope lives in a ContextVar so that CLI commands and jobs set it the same way a request does:
`with scoped(Scope.system("seed demo data")): ...`. No scope means nothing agency-scoped is visible
and nothing scoped can be written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, Literal

from sqlalchemy import event, false, select
from sqlalchemy.orm import ORMExecuteState, Session, scoped_session, with_loader_criteria

from puja_indah.core.db import AgencyScoped, AnySession
from puja_indah.core.models import Agency, RegionManaged, Role

ScopeKind = Literal["anonymous", "agency", "region", "national", "system"]


class TenancyViolation(Exception):
    """A write outside the current scope. Views turn it into a 403/404; it is never expected."""


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    agency_id: int | None = None
    region_id: int | None = None
    role: Role | None = None
    read_only: bool = True
    # Named reason for system scopes and cross-agency reads (shown in the audit trail).
    reason: str = ""

    @classmethod
    def anonymous(cls) -> Scope:
        return cls("anonymous")

    @classmethod
    def system(cls, reason: str) -> Scope:
        if not reason:
            raise ValueError("a system scope needs a reason")
        return cls("system", read_only=False, reason=reason)

    @classmethod
    def for_membership(cls, role: Role, agency_id: int | None, region_id: int | None) -> Scope:
        if role in (Role.AGENCY_OFFICER, Role.AGENCY_LEAD):
            return cls("agency", agency_id=agency_id, role=role, read_only=False)
        if role is Role.REGION_MONITOR:
            # Monitors manage region data but never write an agency's content (flush guard).
            return cls("region", region_id=region_id, role=role, read_only=False)
        return cls("national", role=role, read_only=role is Role.NATIONAL_REVIEWER)

    def as_read_only(self, reason: str) -> Scope:
        return replace(self, read_only=True, reason=reason)

    def label(self) -> str:
        return f"{self.kind}:{self.agency_id or self.region_id or '-'}"


# Scope is a frozen dataclass, so a shared default is safe.
_ANONYMOUS = Scope.anonymous()
_current: ContextVar[Scope] = ContextVar("puja_scope", default=Scope.anonymous())  # noqa: B039


def current_scope() -> Scope:
    return _current.get()


def set_scope(scope: Scope, session: AnySession | None = None) -> None:
    """Set the scope for the rest of this context; re-applies the PostgreSQL settings and drops
    cached agency-scoped objects so that an identity-map hit (`Session.get`) cannot hand out an
    object loaded in another scope."""
    previous = _current.get()
    _current.set(scope)
    real = session() if isinstance(session, scoped_session) else session
    if real is not None and previous != scope:
        for obj in [o for o in real.identity_map.values() if isinstance(o, AgencyScoped)]:
            # Expunging a parent cascades to its children: they may be gone already.
            if obj in real:
                real.expunge(obj)
        if real.in_transaction():
            _write_db_settings(real.connection(), scope)


@contextlib.contextmanager
def scoped(scope: Scope, session: AnySession | None = None) -> Iterator[Scope]:
    """Run a block (a CLI command, a job, a test) in an explicit scope."""
    previous = _current.get()
    set_scope(scope, session)
    try:
        yield scope
    finally:
        set_scope(previous, session)


@contextlib.contextmanager
def cross_agency_read(reason: str, bind: Any) -> Iterator[Session]:
    """A named cross-agency read (ARCHITECTURE §3): a separate, read-only session in a national
    scope, for the few reads that deliberately look past the tenant (the public catalogue, the
    replication source search, who replicated an innovation, replication lineage).

    The request's own session and its identity map are left alone: objects loaded here never
    reach it, and the request's objects are not expunged by a scope switch. The block must return
    plain values (not ORM objects) limited to what the caller may show — published rows and public
    fields only; the session is closed on the way out, the scope restored, and any attempted write
    is refused by the flush guard (read-only scope)."""
    if not reason:
        raise ValueError("a cross-agency read needs a reason")
    token = _current.set(Scope("national", read_only=True, reason=reason))
    session = Session(bind=bind, autoflush=False, expire_on_commit=False)
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        _current.reset(token)


# --- layer 2: ORM -------------------------------------------------------------------------------


def _criteria_for(scope: Scope) -> Any | None:
    """Loader criteria for agency-scoped models, or None when the scope sees every agency."""
    if scope.kind in ("national", "system"):
        return None
    if scope.kind == "agency":
        agency_id = scope.agency_id
        return with_loader_criteria(
            AgencyScoped, lambda cls: cls.agency_id == agency_id, include_aliases=True
        )
    if scope.kind == "region":
        region_id = scope.region_id
        return with_loader_criteria(
            AgencyScoped,
            lambda cls: cls.agency_id.in_(select(Agency.id).where(Agency.region_id == region_id)),
            include_aliases=True,
        )
    return with_loader_criteria(AgencyScoped, lambda cls: false(), include_aliases=True)


def _add_scope_criteria(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    # A deferred-column load refreshes a row already admitted. Relationship loads get the
    # *current* scope's criteria too: propagated criteria are those of the scope the parent was
    # loaded in, which may have been wider (a CLI command or a test that narrows its scope).
    if state.is_column_load:
        return
    criteria = _criteria_for(current_scope())
    if criteria is not None:
        state.statement = state.statement.options(criteria)


def _guard_flush(session: Session, flush_context: Any, instances: Any) -> None:
    scope = current_scope()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, AgencyScoped):
            _check_agency_write(obj, scope, is_new=obj in session.new)
        elif isinstance(obj, RegionManaged) and not obj.writable_in(scope):
            raise TenancyViolation(f"{type(obj).__name__} is not writable in scope {scope.label()}")


def _check_agency_write(obj: AgencyScoped, scope: Scope, *, is_new: bool) -> None:
    name = type(obj).__name__
    if scope.kind == "system":
        return
    if type(obj).reviewer_writes:
        _check_reviewer_write(obj, scope, is_new=is_new)
        return
    if scope.read_only or scope.kind != "agency":
        raise TenancyViolation(f"{name} is read-only in scope {scope.label()}")
    if is_new and obj.agency_id is None:
        obj.agency_id = scope.agency_id
    if obj.agency_id != scope.agency_id:
        raise TenancyViolation(f"{name} belongs to another agency")


def _check_reviewer_write(obj: AgencyScoped, scope: Scope, *, is_new: bool) -> None:
    """The one write a national reviewer makes (core/db.py `AgencyScoped.reviewer_writes`): a new
    row of a reviewer-written model, naming the agency it is about. The reviewer's scope stays
    read-only for everything else; such rows are append-only outside system scopes; agencies,
    monitors and administrators never write them."""
    name = type(obj).__name__
    if scope.kind != "national" or scope.role is not Role.NATIONAL_REVIEWER:
        raise TenancyViolation(f"{name} is written by national reviewers only ({scope.label()})")
    if not is_new:
        raise TenancyViolation(f"{name} is append-only: add a new row instead")
    if obj.agency_id is None:
        raise TenancyViolation(f"{name} must name the agency it is about")


def _refuse_bulk_reviewer_writes(state: ORMExecuteState) -> None:
    """Bulk UPDATE/DELETE statements bypass the flush guard: refuse them on reviewer-written
    (append-only) models outside system scopes."""
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, AgencyScoped):
        return
    if mapper.class_.reviewer_writes and current_scope().kind != "system":
        raise TenancyViolation(f"bulk change of {mapper.class_.__name__} is refused")


# --- layer 3: PostgreSQL row-level security ------------------------------------------------------

# puja.role lets a policy tell the national reviewer from an administrator (rls.py, reviewer-written
# tables); the agency-owned tables' policies read the first three only.
RLS_SETTINGS = ("puja.scope_kind", "puja.agency_id", "puja.region_id", "puja.role")


def _write_db_settings(connection: Any, scope: Scope) -> None:
    if connection.dialect.name != "postgresql":
        return
    values = (
        scope.kind,
        "" if scope.agency_id is None else str(scope.agency_id),
        "" if scope.region_id is None else str(scope.region_id),
        "" if scope.role is None else str(scope.role.value),
    )
    # set_config(..., true) is transaction-local: a pooled connection never carries a stale scope.
    # A region scope's agencies are listed here, once, for the policies (core/rls.py).
    connection.exec_driver_sql(
        "SELECT set_config(%(k1)s, %(v1)s, true), set_config(%(k2)s, %(v2)s, true),"
        " set_config(%(k3)s, %(v3)s, true), set_config(%(k4)s, %(v4)s, true),"
        " set_config('puja.region_agency_ids', CASE WHEN %(v1)s = 'region' THEN coalesce("
        "(SELECT string_agg(id::text, ',') FROM agencies"
        " WHERE region_id = nullif(%(v3)s, '')::integer), '') ELSE '' END, true)",
        {
            "k1": RLS_SETTINGS[0],
            "v1": values[0],
            "k2": RLS_SETTINGS[1],
            "v2": values[1],
            "k3": RLS_SETTINGS[2],
            "v3": values[2],
            "k4": RLS_SETTINGS[3],
            "v4": values[3],
        },
    )


def _after_begin(session: Session, transaction: Any, connection: Any) -> None:
    scope = current_scope()
    # A transaction starts with the settings empty (they are transaction-local), which the
    # policies read as the anonymous scope: writing it again would be one more round trip on
    # every request. `set_scope` writes any later change, the anonymous scope included.
    if scope != _ANONYMOUS:
        _write_db_settings(connection, scope)


def install(session_class: type[Session] = Session) -> None:
    """Attach the ORM and database layers to every session (idempotent)."""
    for name, fn in (
        ("do_orm_execute", _add_scope_criteria),
        ("do_orm_execute", _refuse_bulk_reviewer_writes),
        ("before_flush", _guard_flush),
        ("after_begin", _after_begin),
    ):
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)
