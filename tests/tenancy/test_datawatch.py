"""The change detector the enumerating tests rely on must see a committed write, and only that."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from puja_indah.core.models import Region
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from tests.tenancy.datawatch import DataWatch, fingerprint


def _rename_region(app: Flask, name: str, *, commit: bool) -> None:
    with app.app_context(), scoped(Scope.system("tests: data watch"), db.session):
        region = db.session.scalars(sa.select(Region).order_by(Region.id)).first()
        assert region is not None
        region.name = name
        db.session.flush()
        if commit:
            db.session.commit()
        else:
            db.session.rollback()
        db.session.remove()


def test_a_committed_write_is_seen_and_a_rolled_back_one_is_not(app: Flask) -> None:
    with DataWatch(app) as watch:
        assert not watch.changed()
        before = fingerprint(app)
        _rename_region(app, "Kabupaten Uji (rolled back)", commit=False)
        assert not watch.changed()
        assert fingerprint(app) == before
        _rename_region(app, "Kabupaten Uji", commit=True)
        assert watch.changed()
        assert fingerprint(app) != before
        assert not watch.changed()  # the new state is the reference now


def test_a_write_the_watch_cannot_attribute_makes_it_look_at_every_table(app: Flask) -> None:
    with DataWatch(app) as watch:
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "WITH first AS (SELECT min(id) AS id FROM regions) "
                    "UPDATE regions SET name = 'Lewat CTE' WHERE id = (SELECT id FROM first)"
                )
            )
        assert watch.changed()
