"""The schema changes only through migrations: the migrated database must equal the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from puja_indah.core.db import include_schema_name, include_schema_object
from puja_indah.extensions import db
from tests.conftest import TestDatabase


def test_models_and_migrations_agree(app, test_database: TestDatabase) -> None:
    assert test_database.owner_engine is not None
    with test_database.owner_engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_name": include_schema_name,
                "include_object": include_schema_object,
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models differ from migrations: {differences}"


def test_migrations_run_from_scratch_and_back(tmp_path) -> None:
    """Upgrade, downgrade to nothing and upgrade again on a fresh SQLite file."""
    from flask_migrate import downgrade, upgrade

    from puja_indah import create_app
    from tests.conftest import make_test_config

    url = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
    app = create_app(make_test_config(TestDatabase("sqlite", url, url)))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
