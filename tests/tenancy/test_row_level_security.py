"""Layer 3 (PostgreSQL only): the app connects as a non-owner role, every agency-owned table has
row-level security, and raw SQL that bypasses the ORM is still confined to the scope."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from puja_indah.core.audit import AuditEntry
from puja_indah.core.db import agency_scoped_models
from puja_indah.core.models import Role
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.web import import_models
from tests.conftest import BACKEND
from tests.tenancy.builders import build

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="row-level security is PostgreSQL's"
)

import_models()  # every feature's models, whichever test module was collected first
TABLES = [m.__table__.name for m in agency_scoped_models()]


def test_app_role_owns_nothing_and_cannot_bypass_rls(app_ctx) -> None:
    role = db.session.scalar(sa.text("SELECT current_user"))
    flags = db.session.execute(
        sa.text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert tuple(flags) == (False, False)
    owned = db.session.scalar(
        sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = :r"),
        {"r": role},
    )
    assert owned == 0


@pytest.mark.parametrize("table", TABLES)
def test_every_agency_table_has_a_policy(app_ctx, table) -> None:
    enabled = db.session.scalar(
        sa.text("SELECT relrowsecurity FROM pg_class WHERE relname = :t"), {"t": table}
    )
    policies = db.session.scalar(
        sa.text("SELECT count(*) FROM pg_policies WHERE tablename = :t"), {"t": table}
    )
    assert enabled is True and policies >= 1


@pytest.mark.parametrize("model", agency_scoped_models(), ids=lambda m: m.__name__)
def test_raw_sql_is_confined_to_the_scope(app_ctx, demo, model) -> None:
    own, other = demo.agency("BKD"), demo.agency("DPMPTSP")
    with scoped(Scope.system("tests: rows"), db.session):
        build(model, own)
        build(model, other)
        db.session.commit()
    table = model.__table__.name
    raw = sa.text(f"SELECT DISTINCT agency_id FROM {table}")
    with scoped(Scope.for_membership(Role.AGENCY_OFFICER, own, None), db.session):
        assert set(db.session.scalars(raw)) == {own}
        db.session.commit()
    with scoped(Scope.anonymous(), db.session):
        assert list(db.session.scalars(raw)) == []
        db.session.commit()
    with scoped(Scope.for_membership(Role.NATIONAL_REVIEWER, None, None), db.session):
        assert {own, other} <= set(db.session.scalars(raw))
        db.session.commit()


@pytest.mark.parametrize("model", agency_scoped_models(), ids=lambda m: m.__name__)
def test_raw_write_for_another_agency_is_refused_by_the_database(app_ctx, demo, model) -> None:
    own, other = demo.agency("BKD"), demo.agency("DPMPTSP")
    with scoped(Scope.system("tests: rows"), db.session):
        row_id = build(model, other).id
        db.session.commit()
    table = model.__table__.name
    with scoped(Scope.for_membership(Role.AGENCY_OFFICER, own, None), db.session):
        # The other agency's row is invisible to UPDATE and DELETE ...
        changed = db.session.execute(
            sa.text(f"UPDATE {table} SET agency_id = agency_id WHERE id = :i"),
            {"i": row_id},
        )
        assert changed.rowcount == 0  # type: ignore[attr-defined]
        # ... and moving an own row to the other agency violates the policy's WITH CHECK.
        db.session.rollback()
    with scoped(Scope.system("tests: rows"), db.session):
        own_id = build(model, own).id
        db.session.commit()
    with scoped(Scope.for_membership(Role.AGENCY_OFFICER, own, None), db.session):
        with pytest.raises(DBAPIError):
            db.session.execute(
                sa.text(f"UPDATE {table} SET agency_id = :o WHERE id = :i"),
                {"o": other, "i": own_id},
            )
        db.session.rollback()


def test_app_role_cannot_change_or_delete_audit_entries(app_ctx) -> None:
    with scoped(Scope.system("tests: audit"), db.session):
        for statement in (
            sa.update(AuditEntry).values(action="tampered"),
            sa.delete(AuditEntry),
        ):
            with pytest.raises(DBAPIError):
                db.session.execute(statement)
            db.session.rollback()


def test_the_visibility_rule_is_inlined_into_the_policies(app_ctx, demo) -> None:
    """An opaque call in a policy runs once per row and the planner guesses a third of the rows
    pass it, on every table of a join (core/rls.py INLINABLE_FUNCTIONS_SQL): the plan must show
    the rule itself, not the call."""
    officer = Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), None)
    with scoped(officer, db.session):
        plan = "\n".join(db.session.scalars(sa.text("EXPLAIN SELECT id FROM innovations")))
        db.session.commit()
    assert "puja_agency_visible" not in plan
    assert "current_setting" in plan


def test_a_region_scope_reads_its_own_agencies_rows_only(app_ctx, demo) -> None:
    from puja_indah.innovations.models import Innovation

    bombana = [demo.agency("BKD"), demo.agency("DPMPTSP")]
    konsel = demo.agency("BKAD", "74.05")
    with scoped(Scope.system("tests: rows"), db.session):
        for agency_id in [*bombana, konsel]:
            build(Innovation, agency_id)
        db.session.commit()
    raw = sa.text("SELECT DISTINCT agency_id FROM innovations")
    monitor = Scope.for_membership(Role.REGION_MONITOR, None, demo.regions["74.06"])
    with scoped(monitor, db.session):
        seen = set(db.session.scalars(raw))
        db.session.commit()
    assert set(bombana) <= seen and konsel not in seen
