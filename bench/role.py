"""`--app-role NAME`: measure the app as production runs it, connected as a non-owner role so that
PostgreSQL's row-level security applies (README "Running on PostgreSQL"). The URL given to the
bench stays the owner's: it finds the pages' ids (they span agencies, which the app role could
not read without a scope), creates the role when it is missing (as tests/conftest.py does) and
runs `flask database grant-app-role` — the project's own command — before the app starts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
# A plain lower-case identifier: it is written into CREATE ROLE and into the URL's user name.
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def refusal(url: str, role: str) -> str | None:
    """Why `role` cannot serve `url`, or None when it can."""
    if not ROLE_NAME.fullmatch(role):
        return f"--app-role {role!r}: use lower-case letters, digits and _ (a PostgreSQL role name)"
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return (
            f"--app-role needs PostgreSQL; {parsed.get_backend_name()} has no roles and no"
            f" row-level security ({parsed.render_as_string()})"
        )
    if parsed.username == role:
        return f"--app-role {role} is the URL's own user: give the owner's URL and another role"
    return None


def app_url(owner_url: str, role: str) -> str:
    """The owner's URL with the user swapped for `role` and no password (trust or peer auth,
    as on this machine; a role with a password cannot be reached this way)."""
    return (
        make_url(owner_url).set(username=role, password=None).render_as_string(hide_password=False)
    )


def prepare(owner_url: str, role: str) -> tuple[str, str]:
    """Create `role` if missing (it logs in, is no superuser and cannot bypass row-level
    security) and grant it what the app needs, as the URL's user. Returns the app's URL and a
    line saying what was done."""
    engine = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            owner = conn.scalar(text("SELECT current_user"))
            exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
            if not exists:
                conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS')
    finally:
        engine.dispose()
    env = dict(
        os.environ,
        PUJA_ENV="development",
        DATABASE_URL=owner_url,
        MIGRATION_DATABASE_URL=owner_url,
    )
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "database", "grant-app-role", role]
    done = subprocess.run(  # noqa: S603 - fixed arguments, the role name checked above
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask database grant-app-role {role} failed:\n{done.stderr[-3000:]}")
    made = "existed" if exists else "created"
    return app_url(owner_url, role), f"role {role} {made}, granted by {owner} (grant-app-role)"


RLS_SQL = """
SELECT current_user, r.rolsuper, r.rolbypassrls,
  (SELECT count(*) FROM pg_class c
   WHERE c.relkind = 'r' AND c.relrowsecurity AND c.relnamespace = 'public'::regnamespace),
  (SELECT count(*) FROM pg_class c
   WHERE c.relkind = 'r' AND c.relrowsecurity AND NOT c.relforcerowsecurity
     AND c.relnamespace = 'public'::regnamespace
     AND pg_has_role(current_user, c.relowner, 'USAGE'))
FROM pg_roles r WHERE r.rolname = current_user
"""


def connection_note(url: str) -> str:
    """Who the app connects as at `url`, and whether row-level security holds for it: a
    superuser, a BYPASSRLS role and the tables' owner all read past the policies."""
    engine = create_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            return f"app connects to {engine.dialect.name}: no roles, no row-level security"
        with engine.connect() as conn:
            user, superuser, bypass, tables, owned = conn.execute(text(RLS_SQL)).one()
    finally:
        engine.dispose()
    if superuser:
        verdict = "bypassed (superuser)"
    elif bypass:
        verdict = "bypassed (BYPASSRLS)"
    elif owned:
        verdict = f"bypassed (owns {owned} of the {tables} tables with policies)"
    elif not tables:
        verdict = "absent (no table has policies)"
    else:
        verdict = f"applies ({tables} tables with policies; not superuser, owns none)"
    return f"app connects as {user}: row-level security {verdict}"
