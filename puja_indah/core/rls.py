"""PostgreSQL row-level security, layer 3 of tenancy (ARCHITECTURE §3), and the grants of the
application role. Migrations call these helpers so every agency-owned table gets the same policy.

The policies read the transaction-local settings written by core/tenancy.py; an empty or missing
setting matches nothing.
"""

from __future__ import annotations

from typing import Any

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION puja_agency_visible(aid integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE coalesce(current_setting('puja.scope_kind', true), '')
    WHEN 'system' THEN true
    WHEN 'national' THEN true
    WHEN 'agency' THEN aid = nullif(current_setting('puja.agency_id', true), '')::integer
    WHEN 'region' THEN aid IN (
      SELECT id FROM agencies
      WHERE region_id = nullif(current_setting('puja.region_id', true), '')::integer)
    ELSE false
  END
$$;
CREATE OR REPLACE FUNCTION puja_agency_writable(aid integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE coalesce(current_setting('puja.scope_kind', true), '')
    WHEN 'system' THEN true
    WHEN 'agency' THEN aid = nullif(current_setting('puja.agency_id', true), '')::integer
    ELSE false
  END
$$;
"""

# The same rules, written so that PostgreSQL inlines `puja_agency_visible` into each policy
# (migration 4e2b7d9c1a08): a SQL function whose body holds a sub-select is called once per row
# instead, and the planner, seeing an opaque call, guesses a third of the rows pass it on every
# table of a join — at national scale that turned a 2 ms analytics query into 100 ms of nested
# loops for the application role. A region scope's agencies are listed once per transaction by
# core/tenancy.py (the setting `puja.region_agency_ids`, read in the same statement that sets the
# scope) instead of by a sub-select run for every row.
INLINABLE_FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION puja_region_agency_ids() RETURNS integer[]
LANGUAGE sql STABLE AS $$
  SELECT string_to_array(
    nullif(current_setting('puja.region_agency_ids', true), ''), ',')::integer[]
$$;
CREATE OR REPLACE FUNCTION puja_agency_visible(aid integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE coalesce(current_setting('puja.scope_kind', true), '')
    WHEN 'system' THEN true
    WHEN 'national' THEN true
    WHEN 'agency' THEN aid = nullif(current_setting('puja.agency_id', true), '')::integer
    WHEN 'region' THEN coalesce(aid = ANY (puja_region_agency_ids()), false)
    ELSE false
  END
$$;
"""

DROP_FUNCTIONS_SQL = """
DROP FUNCTION IF EXISTS puja_agency_writable(integer);
DROP FUNCTION IF EXISTS puja_agency_visible(integer);
"""

APPEND_ONLY_TABLES = ("audit_entries",)


def is_postgresql(bind: Any) -> bool:
    return bool(bind.dialect.name == "postgresql")


def enable_agency_rls(op: Any, table: str) -> None:
    """Row-level security on one agency-owned table (no-op on SQLite)."""
    if not is_postgresql(op.get_bind()):
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {table}_tenant ON {table} "
        "USING (puja_agency_visible(agency_id)) WITH CHECK (puja_agency_writable(agency_id))"
    )


REVIEWER_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION puja_reviewer_may_insert(aid integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT aid IS NOT NULL AND CASE coalesce(current_setting('puja.scope_kind', true), '')
    WHEN 'system' THEN true
    WHEN 'national' THEN coalesce(current_setting('puja.role', true), '') = 'national_reviewer'
    ELSE false
  END
$$;
"""


def enable_reviewer_rls(op: Any, table: str) -> None:
    """Row-level security on an agency-owned table that national reviewers write
    (`AgencyScoped.reviewer_writes`, e.g. review decisions): read like any agency-owned table
    (`puja_agency_visible`), inserted only by a national reviewer or a system scope, changed or
    deleted only by a system scope — the database's word for "append-only, reviewer-written"."""
    if not is_postgresql(op.get_bind()):
        return
    op.execute(REVIEWER_FUNCTION_SQL)
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    system = "coalesce(current_setting('puja.scope_kind', true), '') = 'system'"
    op.execute(
        f"CREATE POLICY {table}_read ON {table} FOR SELECT USING (puja_agency_visible(agency_id))"
    )
    op.execute(
        f"CREATE POLICY {table}_insert ON {table} FOR INSERT"
        " WITH CHECK (puja_reviewer_may_insert(agency_id))"
    )
    op.execute(
        f"CREATE POLICY {table}_update ON {table} FOR UPDATE"
        f" USING (puja_agency_visible(agency_id)) WITH CHECK ({system})"
    )
    op.execute(f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING ({system})")


def disable_reviewer_rls(op: Any, table: str) -> None:
    if not is_postgresql(op.get_bind()):
        return
    for name in ("read", "insert", "update", "delete"):
        op.execute(f"DROP POLICY IF EXISTS {table}_{name} ON {table}")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION IF EXISTS puja_reviewer_may_insert(integer)")


def disable_agency_rls(op: Any, table: str) -> None:
    if not is_postgresql(op.get_bind()):
        return
    op.execute(f"DROP POLICY IF EXISTS {table}_tenant ON {table}")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def make_append_only(op: Any, table: str) -> None:
    """Refuse UPDATE and DELETE on `table` in the database itself, on both dialects."""
    if is_postgresql(op.get_bind()):
        op.execute(
            "CREATE OR REPLACE FUNCTION puja_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION puja_refuse_change()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def drop_append_only(op: Any, table: str) -> None:
    if is_postgresql(op.get_bind()):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")


def grant_app_role_sql(role: str) -> list[str]:
    """Statements that give the application role exactly what it needs: data access on every
    table, only SELECT and INSERT on append-only tables, no DDL, no ownership."""
    quoted = '"' + role.replace('"', '""') + '"'
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        # Tables that later migrations create (as the same owner) get the same grants.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
        f"REVOKE ALL ON alembic_version FROM {quoted}",
        f"GRANT SELECT ON alembic_version TO {quoted}",
    ]
    for table in APPEND_ONLY_TABLES:
        statements += [
            f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}",
        ]
    return statements
