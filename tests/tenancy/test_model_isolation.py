"""Every agency-scoped model × select / join / relationship load / Session.get / bulk update /
bulk delete / writes, in every kind of scope. The list of models is read from the mapper
registry: a new agency-scoped model is covered without a new test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from puja_indah.core.db import agency_scoped_models
from puja_indah.core.models import Agency, Role
from puja_indah.core.tenancy import Scope, TenancyViolation, scoped, set_scope
from puja_indah.extensions import db
from puja_indah.web import import_models
from tests.tenancy.builders import build

import_models()  # every feature's models, whichever test module was collected first
MODELS = agency_scoped_models()


def test_there_are_agency_scoped_models() -> None:
    # Guards the parametrisation below against silently covering nothing.
    assert MODELS, "no agency-scoped model found"


@dataclass
class Rows:
    model: type
    own: list[int]
    other: list[int]
    other_region: list[int]
    own_agency: int
    other_agency: int
    other_region_agency: int


def agency_scope(agency_id: int, role: Role = Role.AGENCY_OFFICER) -> Scope:
    return Scope.for_membership(role, agency_id, None)


@pytest.fixture
def rows_for(app_ctx, demo) -> Iterator[Any]:
    def make(model: type, fresh_own: bool = False) -> Rows:
        own, other = demo.agency("BKD"), demo.agency("DPMPTSP")
        far = demo.agency("BKAD", "74.05")
        if fresh_own:
            own = _fresh_agency_beside(own)
        with scoped(Scope.system("tests: build rows"), db.session):
            ids = {a: [build(model, a).id] for a in (own, other, far)}
            db.session.commit()
        db.session.expunge_all()
        return Rows(model, ids[own], ids[other], ids[far], own, other, far)

    yield make
    db.session.rollback()


def _fresh_agency_beside(agency_id: int) -> int:
    """A new agency in the same region with no seeded rows: a bulk DELETE of its rows is not
    blocked by children the demo seed hangs under the seeded agencies (e.g. BKD's SPM process
    and its demo files)."""
    from puja_indah.core.models import Agency

    with scoped(Scope.system("tests: fresh agency"), db.session):
        seeded = db.session.get(Agency, agency_id)
        assert seeded is not None
        fresh = Agency(region_id=seeded.region_id, code="BULK", name="Bulk test", short_name="BULK")
        db.session.add(fresh)
        db.session.commit()
        return fresh.id


def _ids(model: type) -> set[int]:
    return set(db.session.scalars(sa.select(model.id)))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_select_sees_only_own_agency(rows_for, model, demo) -> None:
    rows = rows_for(model)
    with scoped(agency_scope(rows.own_agency), db.session):
        seen = _ids(model)
    assert set(rows.own) <= seen
    assert not seen & set(rows.other + rows.other_region)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_region_scope_sees_only_its_region(rows_for, model, demo) -> None:
    rows = rows_for(model)
    monitor = Scope.for_membership(Role.REGION_MONITOR, None, demo.regions["74.06"])
    with scoped(monitor, db.session):
        seen = _ids(model)
    assert set(rows.own + rows.other) <= seen
    assert not seen & set(rows.other_region)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_national_scope_reads_all_and_anonymous_reads_nothing(rows_for, model) -> None:
    rows = rows_for(model)
    with scoped(Scope.for_membership(Role.NATIONAL_REVIEWER, None, None), db.session):
        assert set(rows.own + rows.other + rows.other_region) <= _ids(model)
    with scoped(Scope.anonymous(), db.session):
        assert _ids(model) == set()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_join_from_agency_is_filtered(rows_for, model) -> None:
    rows = rows_for(model)
    with scoped(agency_scope(rows.own_agency), db.session):
        pairs = db.session.execute(
            sa.select(Agency.id, model.id).join(model, model.agency_id == Agency.id)
        ).all()
    assert pairs and {agency for agency, _ in pairs} == {rows.own_agency}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_session_get_in_fresh_session_and_after_scope_change(rows_for, model) -> None:
    rows = rows_for(model)
    with scoped(agency_scope(rows.own_agency), db.session):
        assert db.session.get(model, rows.own[0]) is not None
        assert db.session.get(model, rows.other[0]) is None
    # An object cached in the identity map under a wider scope is not handed out after the
    # scope narrows.
    with scoped(Scope.system("tests: warm the identity map"), db.session):
        assert db.session.get(model, rows.other[0]) is not None
        set_scope(agency_scope(rows.own_agency), db.session)
        assert db.session.get(model, rows.other[0]) is None


# --- seeded rows that reference the model (e-tracking demo desks: versions, stages, files and
# their events) would stop the bulk delete of the own agency's rows: remove those first ---
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_bulk_update_and_delete_touch_only_own_rows(rows_for, model) -> None:
    # A fresh own agency: no seeded child rows can block the DELETE (see _fresh_agency_beside).
    rows = rows_for(model, fresh_own=True)
    if model.reviewer_writes:
        # Append-only and reviewer-written (core/db.py): no agency scope changes such rows in
        # bulk at all — stricter than isolation.
        with scoped(agency_scope(rows.own_agency), db.session):
            for statement in (sa.update(model).values(agency_id=model.agency_id), sa.delete(model)):
                with pytest.raises(TenancyViolation):
                    db.session.execute(statement, execution_options={"synchronize_session": False})
                db.session.rollback()
        return
    with scoped(Scope.system("tests: count own rows"), db.session):
        own_count = db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.agency_id == rows.own_agency)
        )
    with scoped(agency_scope(rows.own_agency), db.session):
        # A no-op assignment: the row count shows which rows the UPDATE reached.
        updated = db.session.execute(
            sa.update(model).values(agency_id=model.agency_id),
            execution_options={"synchronize_session": False},
        )
        assert updated.rowcount == own_count  # type: ignore[attr-defined]
        result = db.session.execute(
            sa.delete(model), execution_options={"synchronize_session": False}
        )
        db.session.commit()
    assert result.rowcount == own_count  # type: ignore[attr-defined]
    with scoped(Scope.system("tests: check"), db.session):
        remaining = _ids(model)
    assert not remaining & set(rows.own)
    assert set(rows.other + rows.other_region) <= remaining


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_relationship_loads_are_filtered(rows_for, model, demo) -> None:
    """Every relationship that points at the model loads only the scope's rows."""
    rows = rows_for(model)
    relationships = [
        rel
        for mapper in db.Model.registry.mappers
        for rel in mapper.relationships
        if rel.mapper.class_ is model and mapper.class_ is not model
    ]
    for rel in relationships:
        owner = rel.parent.class_
        for loader in (None, selectinload):
            with scoped(agency_scope(rows.own_agency), db.session):
                query = sa.select(owner)
                if loader is not None:
                    query = query.options(loader(getattr(owner, rel.key)))
                for parent in db.session.scalars(query):
                    value = getattr(parent, rel.key)
                    loaded = value if isinstance(value, list) else [value]
                    assert all(
                        item.agency_id == rows.own_agency for item in loaded if item is not None
                    ), f"{owner.__name__}.{rel.key} leaked another agency's {model.__name__}"
            db.session.expunge_all()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    "scope_kind", ["other_agency", "region_monitor", "reviewer", "admin", "anonymous"]
)
def test_writes_outside_own_agency_are_refused(rows_for, model, scope_kind, demo) -> None:
    rows = rows_for(model)
    scopes = {
        "other_agency": agency_scope(rows.other_agency),
        "region_monitor": Scope.for_membership(Role.REGION_MONITOR, None, demo.regions["74.06"]),
        "reviewer": Scope.for_membership(Role.NATIONAL_REVIEWER, None, None),
        "admin": Scope.for_membership(Role.PLATFORM_ADMIN, None, None),
        "anonymous": Scope.anonymous(),
    }
    # Loaded without dropping it on the scope change, so the flush guard is what must refuse it.
    with scoped(Scope.system("tests: load")):
        row = db.session.get(model, rows.own[0])
    assert row is not None
    with scoped(scopes[scope_kind]):
        # Update of a row loaded elsewhere.
        sa.orm.attributes.flag_modified(row, "agency_id")
        with pytest.raises(TenancyViolation):
            db.session.flush()
        db.session.rollback()
        # Insert naming the own agency explicitly.
        if model.reviewer_writes and scope_kind == "reviewer":
            # The one write of a national reviewer's scope (core/db.py `reviewer_writes`): a new
            # row naming its agency is accepted — updates (above) stay refused.
            with scoped(Scope.system("tests: build"), db.session):
                candidate = build_unsaved(model, rows.own_agency)
            db.session.add(candidate)
            db.session.flush()
            assert candidate.agency_id == rows.own_agency
            db.session.rollback()
            return
        with pytest.raises(TenancyViolation):
            with scoped(Scope.system("tests: build"), db.session):
                candidate = build_unsaved(model, rows.own_agency)
            db.session.add(candidate)
            db.session.flush()
        db.session.rollback()


def build_unsaved(model: type, agency_id: int) -> Any:
    obj = build(model, agency_id)
    # Detach a copy of the values: the test inserts a new row, it does not reuse this one.
    values = {
        c.key: getattr(obj, c.key)
        for c in sa.inspect(model).columns
        if not c.primary_key and c.key != "version"
    }
    db.session.delete(obj)
    db.session.flush()
    return model(**values)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_own_agency_write_is_stamped_and_accepted(rows_for, model) -> None:
    rows = rows_for(model)
    with scoped(Scope.system("tests: prepare"), db.session):
        candidate = build_unsaved(model, rows.own_agency)
        db.session.commit()
    if model.reviewer_writes:
        # Written by national reviewers only: the agency itself may not, and a reviewer's row
        # must name its agency (a national scope has none to stamp).
        with scoped(agency_scope(rows.own_agency), db.session):
            db.session.add(candidate)
            with pytest.raises(TenancyViolation):
                db.session.flush()
            db.session.rollback()
        with scoped(Scope.system("tests: prepare"), db.session):
            again = build_unsaved(model, rows.own_agency)
            db.session.commit()
        reviewer = Scope.for_membership(Role.NATIONAL_REVIEWER, None, None)
        with scoped(reviewer, db.session):
            again.agency_id = None
            db.session.add(again)
            with pytest.raises(TenancyViolation):
                db.session.flush()
            db.session.rollback()
            again.agency_id = rows.own_agency
            db.session.add(again)
            db.session.flush()
            db.session.rollback()
        return
    candidate.agency_id = None
    with scoped(agency_scope(rows.own_agency), db.session):
        db.session.add(candidate)
        db.session.flush()
        assert candidate.agency_id == rows.own_agency
        db.session.rollback()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_lazy_load_after_the_scope_narrows_is_filtered(rows_for, model) -> None:
    """A parent loaded in a wide scope, whose relationship is first read after the scope
    narrowed, still gets only the narrow scope's rows."""
    rows = rows_for(model)
    relationships = [
        rel
        for mapper in db.Model.registry.mappers
        for rel in mapper.relationships
        if rel.mapper.class_ is model and mapper.class_ is not model
    ]
    for rel in relationships:
        owner = rel.parent.class_
        with scoped(Scope.system("tests: wide")):
            parents = db.session.scalars(sa.select(owner)).all()
        with scoped(agency_scope(rows.own_agency)):
            for parent in parents:
                value = getattr(parent, rel.key)
                loaded = value if isinstance(value, list) else [value]
                assert all(i.agency_id == rows.own_agency for i in loaded if i is not None)
        db.session.expunge_all()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_has_and_any_subqueries_are_filtered(rows_for, model) -> None:
    """`.has()` / `.any()` build their own subquery; SQLAlchemy 2.1 applies the loader criteria
    inside it, so another agency's rows cannot be probed through them."""
    rows = rows_for(model)
    relationships = [
        rel
        for mapper in db.Model.registry.mappers
        for rel in mapper.relationships
        if rel.mapper.class_ is model and mapper.class_ is not model
    ]
    if not relationships:
        pytest.skip(f"no relationship leads to {model.__name__}: nothing to probe")
    for rel in relationships:
        owner = rel.parent.class_
        attribute = getattr(owner, rel.key)
        probe = attribute.any() if rel.uselist else attribute.has()
        with scoped(agency_scope(rows.own_agency), db.session):
            matched = set(db.session.scalars(sa.select(owner.id).where(probe)))
        with scoped(Scope.system("tests: expected"), db.session):
            expected = set(
                db.session.scalars(
                    sa.select(owner.id).where(
                        attribute.any(model.agency_id == rows.own_agency)
                        if rel.uselist
                        else attribute.has(model.agency_id == rows.own_agency)
                    )
                )
            )
        assert matched == expected, f"{owner.__name__}.{rel.key} probed another agency's rows"
