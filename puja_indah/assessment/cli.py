"""`flask assessment …` commands. Each runs in an explicit, named system scope and commits once.

Registered by `register_cli` in puja_indah/cli.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from puja_indah.core import audit
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

assessment_cli = AppGroup("assessment", help="The Indeks Inovasi Daerah assessment catalogue.")


@assessment_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Rebuild the year if it exists (not when closed).")
def import_command(file: Path, replace: bool) -> None:
    """Import one assessment year from a YAML or JSON FILE (all or nothing).

    Exit status: 0 imported, 1 the file has problems (each is listed; nothing is changed).
    """
    from puja_indah.assessment import services

    data = file.read_bytes()[: services.MAX_IMPORT_BYTES + 1]
    if len(data) > services.MAX_IMPORT_BYTES:
        click.echo(f"The file is larger than {services.MAX_IMPORT_BYTES} bytes.", err=True)
        sys.exit(1)
    audit.set_actor(audit.Actor(label="cli: assessment import"))
    # Messages of the services are shown in English on the command line.
    with force_locale("en"), scoped(Scope.system("cli: assessment import"), db.session):
        try:
            text = data.decode("utf-8-sig")
            fmt = "json" if file.suffix.lower() == ".json" else "yaml"
            year = services.import_year(services.parse_text(text, fmt), replace=replace)
        except UnicodeDecodeError:
            click.echo("The file is not UTF-8 text. Nothing was changed.", err=True)
            sys.exit(1)
        except services.ImportRejected as rejected:
            db.session.rollback()
            click.echo(
                f"The file was not imported: {len(rejected.errors)} problems found."
                " Nothing was changed.",
                err=True,
            )
            for error in rejected.errors:
                click.echo(f"  {error}", err=True)
            sys.exit(1)
        except services.ServiceError as refused:
            db.session.rollback()
            click.echo(f"{refused.message} Nothing was changed.", err=True)
            sys.exit(1)
        db.session.commit()
        click.echo(f"Imported assessment year {year.year}: {len(year.indicators)} indicators.")


@assessment_cli.command("export")
@click.argument("year", type=int)
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml")
def export_command(year: int, fmt: str) -> None:
    """Print assessment YEAR as YAML or JSON (the structure `import` reads)."""
    from puja_indah.assessment import queries, services

    with scoped(Scope.system("cli: assessment export").as_read_only("export"), db.session):
        found = queries.year_with_catalogue(year)
        if found is None:
            click.echo(f"No assessment year {year}.", err=True)
            sys.exit(2)
        click.echo(services.dump(services.export_year(found), fmt), nl=False)


@assessment_cli.command("seed")
def seed_command() -> None:
    """Load the 2023 and 2026 catalogues shipped with the app (a year already present is kept)."""
    from puja_indah.assessment import services

    audit.set_actor(audit.Actor(label="cli: assessment seed"))
    with force_locale("en"), scoped(Scope.system("cli: assessment seed"), db.session):
        outcome = services.seed()
        db.session.commit()
    for year, what in sorted(outcome.items()):
        click.echo(f"{year}: {what}")
