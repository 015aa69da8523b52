"""`flask decree …` commands. Each runs in an explicit, named system scope and commits once."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from puja_indah.core import audit
from puja_indah.core.models import Region
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

decree_cli = AppGroup("decree", help="Decrees (SK) and their appointments.")


@decree_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--region", "region_code", required=True, help="Kemendagri region code, e.g. 74.06.")
@click.option("--number", required=True, help='Decree number, e.g. "193 Tahun 2018".')
@click.option("--title", default="", help="Create the decree with this title if it is missing.")
@click.option(
    "--replace", is_flag=True, help="Also remove the decree's appointments the file does not name."
)
@click.option("--dry-run", is_flag=True, help="Check and report, then change nothing.")
@click.option("--language", type=click.Choice(["id", "en"]), default="id", show_default=True)
def import_decree(
    file: Path,
    region_code: str,
    number: str,
    title: str,
    replace: bool,
    dry_run: bool,
    language: str,
) -> None:
    """Import a decree's agencies and assignments from a CSV or XLSX FILE (all or nothing).

    Exit status: 0 imported (or checked, with --dry-run), 1 the file has problems (a row-by-row
    report is printed and nothing is changed), 2 the region or decree was not found.
    """
    from puja_indah.agencies import importer, services

    audit.set_actor(audit.Actor(label="cli: decree import"))
    with force_locale(language), scoped(Scope.system("cli: decree import"), db.session) as scope:
        region = db.session.scalar(select(Region).where(Region.code == region_code.strip()))
        if region is None:
            click.echo(_("No region with code %(code)s.", code=region_code), err=True)
            sys.exit(2)
        number = " ".join(number.split())
        decree = services.find_decree(region.id, number)
        if decree is None:
            if not title.strip():
                click.echo(
                    _(
                        "%(region)s has no decree numbered %(number)s; pass --title to create it.",
                        region=region.name,
                        number=number,
                    ),
                    err=True,
                )
                sys.exit(2)
            decree = services.save_decree(
                scope,
                None,
                services.DecreeInput(
                    number=number[:60],
                    title=" ".join(title.split())[:300],
                    signed_on=None,
                    region_id=region.id,
                ),
            )
        with file.open("rb") as handle:
            # One byte more than allowed is enough for the importer to refuse an oversized file.
            data = handle.read(importer.MAX_IMPORT_BYTES + 1)
        try:
            result = importer.import_file(scope, decree, data, replace=replace)
        except importer.ImportRejected as rejected:
            db.session.rollback()
            click.echo(
                _(
                    "The file was not imported: %(n)d problems found. Nothing was changed.",
                    n=len(rejected.errors),
                ),
                err=True,
            )
            for error in rejected.errors:
                click.echo(f"  {error}", err=True)
            sys.exit(1)
        if dry_run:
            db.session.rollback()
            click.echo(_("Checked only (--dry-run): nothing was changed."))
        else:
            db.session.commit()
        click.echo(result.summary())
        if result.not_named:
            click.echo(
                _(
                    "Still appointed but not named in the file: %(names)s.",
                    names=", ".join(result.not_named),
                )
            )
