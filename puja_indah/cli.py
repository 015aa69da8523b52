"""`flask` commands. Each one runs in an explicit, named system scope and commits once."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup
from sqlalchemy import select

from puja_indah.core import audit
from puja_indah.core.models import Membership, Role, User
from puja_indah.core.passwords import hash_password, password_problems
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

seed_cli = AppGroup("seed", help="Load data.")
users_cli = AppGroup("users", help="Manage accounts.")
audit_cli = AppGroup("audit", help="The audit trail.")
i18n_cli = AppGroup("translations", help="UI translations.")
database_cli = AppGroup("database", help="Database roles (PostgreSQL).")


@seed_cli.command("demo")
def seed_demo() -> None:
    """Load Kabupaten Bombana, SK 193/2018 and one demo user per role (idempotent)."""
    from puja_indah.seed import DEMO_PASSWORD, demo_logins, load_demo

    audit.set_actor(audit.Actor(label="cli: seed demo"))
    with scoped(Scope.system("cli: seed demo"), db.session):
        created = load_demo()
        db.session.commit()
    click.echo("Demo data loaded: " + ", ".join(f"{k} +{v}" for k, v in created.items()))
    click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
    for email, role in demo_logins():
        click.echo(f"  {role:<18} {email}")


@seed_cli.command("reference")
def seed_reference() -> None:
    """Load the national reference lists: affairs (urusan), initiator kinds, themes (idempotent)."""
    from puja_indah.reference.services import seed

    audit.set_actor(audit.Actor(label="cli: seed reference"))
    with scoped(Scope.system("cli: seed reference"), db.session):
        created = seed()
        db.session.commit()
    click.echo("Reference data loaded: " + ", ".join(f"{k} +{v}" for k, v in created.items()))


@users_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="Administrator")
@click.password_option(help="At least 12 characters mixing cases, digits and symbols.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a platform administrator, or give an existing user that role (idempotent)."""
    email = email.strip().lower()
    problems = password_problems(password, email=email)
    if problems:
        click.echo("Password refused: " + " ".join(problems), err=True)
        sys.exit(2)
    audit.set_actor(audit.Actor(label="cli: create-admin"))
    with scoped(Scope.system("cli: create-admin"), db.session):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, password_hash=hash_password(password))
            db.session.add(user)
            db.session.flush()
        if not any(m.role is Role.PLATFORM_ADMIN for m in user.memberships):
            db.session.add(Membership(user=user, role=Role.PLATFORM_ADMIN))
        db.session.commit()
    click.echo(f"Administrator ready: {email}")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the hash chain: exits 1 and lists every altered or removed entry."""
    with scoped(Scope.system("cli: audit verify"), db.session):
        problems = audit.verify_chain(db.session)
        count = db.session.scalar(select(db.func.count()).select_from(audit.AuditEntry))
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(1)
    click.echo(f"Audit trail intact: {count} entries.")


@i18n_cli.command("compile")
def compile_translations() -> None:
    """Compile the .po catalogues into the .mo files Flask-Babel reads."""
    from puja_indah.core.i18n import compile_catalogs

    for path in compile_catalogs():
        click.echo(f"compiled {path}")


@i18n_cli.command("missing")
@click.option("--language", default="id")
def missing(language: str) -> None:
    """List UI strings with no translation yet, as .po entries to paste into a feature's
    i18n/<language>.po (exits 1 when any is missing)."""
    from puja_indah.core.i18n import missing_translations

    todo = missing_translations(language)
    for msgid, where in sorted(todo.items()):
        click.echo(f"#: {where[0]}")
        escaped = msgid.replace("\\", "\\\\").replace('"', '\\"')
        click.echo(f'msgid "{escaped}"\nmsgstr ""\n')
    if todo:
        sys.exit(1)


@database_cli.command("grant-app-role")
@click.argument("role")
def grant_app_role(role: str) -> None:
    """Grant the non-owner application ROLE what the app needs (run as the schema owner after
    `flask db upgrade`): data access, only SELECT/INSERT on the audit trail, no DDL."""
    from flask import current_app
    from sqlalchemy import create_engine

    from puja_indah.core.rls import grant_app_role_sql

    url = (
        current_app.config["MIGRATION_DATABASE_URL"]
        or current_app.config["SQLALCHEMY_DATABASE_URI"]
    )
    engine = create_engine(url)
    if engine.dialect.name != "postgresql":
        click.echo("Only PostgreSQL has roles; nothing to do.")
        return
    with engine.begin() as connection:
        for statement in grant_app_role_sql(role):
            connection.exec_driver_sql(statement)
    engine.dispose()
    click.echo(f"Granted application privileges to {role}.")


def register_cli(app: Flask) -> None:
    for group in (seed_cli, users_cli, audit_cli, i18n_cli, database_cli):
        app.cli.add_command(group)
    from puja_indah.agencies.cli import decree_cli
    from puja_indah.assessment.cli import assessment_cli

    app.cli.add_command(decree_cli)
    app.cli.add_command(assessment_cli)
    # --- job queue ---
    from puja_indah.jobs.cli import jobs_cli

    app.cli.add_command(jobs_cli)
    # --- e-tracking: demo file histories (SLA analytics) ---
    from puja_indah.modules.etracking.cli import etracking_cli

    app.cli.add_command(etracking_cli)
    # --- progress board: the monitors' weekly digest ---
    from puja_indah.board.cli import board_cli

    app.cli.add_command(board_cli)
    # --- reports and exports ---
    from puja_indah.reports.cli import reports_cli

    app.cli.add_command(reports_cli)
    # --- the scale generator (generated data for measuring) ---
    from puja_indah.scale.cli import scale_cli

    app.cli.add_command(scale_cli)
    # --- backup and restore (database and stored files) ---
    from puja_indah.backup.cli import backup_cli

    app.cli.add_command(backup_cli)


def main() -> None:
    """`puja-indah` console script: the flask CLI bound to this app."""
    from puja_indah import create_app

    FlaskGroup(create_app=lambda: create_app())()
