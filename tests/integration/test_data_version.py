"""The data version and the per-process caches keyed by it (core/dataversion.py): every table but
the untracked ones moves it, only a commit moves it, a page cached under it shows any committed
change at once — made by the app or by anyone else's SQL — and a transaction's own uncommitted
writes are never cached."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.core import dataversion
from puja_indah.core.models import Agency, Region
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from tests.conftest import Demo


def _version(app: Flask) -> int:
    with app.app_context():
        value = db.session.scalar(sa.text("SELECT version FROM data_version WHERE id = 1"))
        db.session.remove()
    assert value is not None
    return int(value)


def test_every_table_but_the_untracked_ones_carries_the_trigger(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        must = set(dataversion.tracked_tables(connection))
        present = dataversion.tracked_triggers_present(connection)
    models = {t.name for t in db.metadata.sorted_tables} - dataversion.UNTRACKED_TABLES
    assert models <= must, "a model's table is missing from the database"
    assert must - present == set(), "tables whose writes would not renew cached pages"
    assert "audit_entries" in present and "et_file_events" in present


def test_a_commit_moves_the_version_and_a_rollback_does_not(app: Flask, demo: Demo) -> None:
    before = _version(app)
    with app.app_context(), scoped(Scope.system("tests: data version"), db.session):
        region = db.session.get(Region, demo.regions["74.06"])
        assert region is not None
        region.name = region.name + " (uji)"
        db.session.flush()
        assert dataversion.current(db.session) is None  # written, not committed: no cache
        db.session.rollback()
        assert dataversion.current(db.session) == before
        region = db.session.get(Region, demo.regions["74.06"])
        assert region is not None
        region.name = region.name + " (uji)"
        db.session.commit()
        db.session.remove()
    after = _version(app)
    assert after > before


def test_the_board_is_cached_and_shows_any_committed_change_at_once(
    app: Flask, demo: Demo, login: Callable[..., FlaskClient], test_database: Any
) -> None:
    monitor = login("monitor")
    agency_id = demo.agency("BKD")
    with app.app_context():
        pages = dataversion.cache("pages")
        figures = dataversion.cache("board")
    first = monitor.get("/board").get_data(as_text=True)
    hits = pages.hits
    again = monitor.get("/board").get_data(as_text=True)
    assert pages.hits == hits + 1, "the second identical board was rendered again"
    assert _without_tokens(again) == _without_tokens(first)  # a token is signed per request
    # Another URL with the same choices (here an unknown parameter): a page of its own, made
    # from the same kept figures.
    figure_hits = figures.hits
    other_url = monitor.get("/board?from=mail").get_data(as_text=True)
    assert figures.hits == figure_hits + 1
    assert _table(other_url) == _table(first)

    # A change made outside the app (psql, a script, another worker): the trigger moves the
    # version, so the very next request renders the board afresh.
    assert test_database.owner_engine is not None
    with test_database.owner_engine.begin() as connection:
        connection.execute(
            sa.update(Agency).where(Agency.id == agency_id).values(name="Badan Uji Tembolok")
        )
    fresh = monitor.get("/board").get_data(as_text=True)
    assert "Badan Uji Tembolok" in fresh
    assert "Badan Uji Tembolok" not in first


def test_a_page_rendered_inside_a_writing_transaction_is_not_kept(app: Flask, demo: Demo) -> None:
    cache: dataversion.VersionedCache[str] = dataversion.VersionedCache(maxsize=4)
    with app.app_context(), scoped(Scope.system("tests: data version"), db.session):
        region = db.session.get(Region, demo.regions["74.06"])
        assert region is not None
        original = region.name
        region.name = "Tidak Pernah Disimpan"
        db.session.flush()
        made = cache.get_or_make(db.session, "k", lambda: _region_name(demo))
        assert made == "Tidak Pernah Disimpan"
        db.session.rollback()
        # The uncommitted answer was not kept: the committed one is made and then reused.
        assert cache.get_or_make(db.session, "k", lambda: _region_name(demo)) == original
        assert cache.get_or_make(db.session, "k", lambda: "not made again") == original
        assert cache.hits == 1
        db.session.remove()


def test_raw_sql_that_writes_counts_as_a_write(app: Flask, demo: Demo) -> None:
    with app.app_context(), scoped(Scope.system("tests: data version"), db.session):
        assert dataversion.current(db.session) is not None
        db.session.execute(sa.text("SELECT 1"))
        assert dataversion.current(db.session) is not None
        db.session.execute(
            sa.text("UPDATE regions SET name = name WHERE id = :id"), {"id": demo.regions["74.06"]}
        )
        assert dataversion.current(db.session) is None
        db.session.rollback()
        db.session.remove()


def _region_name(demo: Demo) -> str:
    region = db.session.get(Region, demo.regions["74.06"])
    assert region is not None
    return region.name


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page)


def _table(page: str) -> str:
    return page[page.index('id="board-table"') :]


def _innovation(app: Flask, agency_id: int, name: str) -> None:
    from puja_indah.innovations.models import Innovation, Origin

    with app.app_context(), scoped(Scope.system("tests: data version"), db.session):
        agency = db.session.get(Agency, agency_id)
        assert agency is not None
        db.session.add(
            Innovation(
                agency_id=agency_id,
                region_id=agency.region_id,
                origin=Origin.OWN,
                name=name,
                name_key=name.lower(),
            )
        )
        db.session.commit()
        db.session.remove()


def test_a_kept_page_is_never_another_readers(
    app: Flask, demo: Demo, login: Callable[..., FlaskClient]
) -> None:
    """The same URL, read by officers of two agencies, a monitor and a reviewer, each after the
    other: every page is its reader's own (a key that forgot the reader would hand one's drafts
    to the next)."""
    _innovation(app, demo.agency("BKD"), "Draf Rahasia BKD")
    _innovation(app, demo.agency("DPMPTSP"), "Draf Rahasia DPMPTSP")
    _innovation(app, demo.agency("BKAD", "74.05"), "Draf Rahasia Konsel")
    # Signed in first: a sign-in is a committed write (its audit entry) and would renew the
    # version between the readers, hiding a key that forgot one.
    readers = {
        account: login(account)
        for account in ("officer.bkd", "officer.dpmptsp", "monitor", "monitor.konsel", "reviewer")
    }
    with app.app_context():
        pages = dataversion.cache("pages")
    hits = pages.hits
    seen = {name: c.get("/innovations").get_data(as_text=True) for name, c in readers.items()}
    again = {name: c.get("/innovations").get_data(as_text=True) for name, c in readers.items()}
    assert pages.hits == hits + len(readers), "each reader's second look is its kept page"
    for account, page in {**seen, **again}.items():
        shown = {name for name in ("BKD", "DPMPTSP", "Konsel") if f"Draf Rahasia {name}" in page}
        expected = {
            "officer.bkd": {"BKD"},
            "officer.dpmptsp": {"DPMPTSP"},
            "monitor": {"BKD", "DPMPTSP"},
            "monitor.konsel": {"Konsel"},
            "reviewer": {"BKD", "DPMPTSP", "Konsel"},
        }[account]
        assert shown == expected, account


def test_a_kept_page_carries_the_current_form_token_and_waiting_messages(
    app: Flask, demo: Demo, login: Callable[..., FlaskClient]
) -> None:
    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    monitor = login("monitor")
    first = monitor.get("/board").get_data(as_text=True)
    # Another session of the same user gets the kept page with its own token, which works.
    other = login("monitor")
    kept = other.get("/board").get_data(as_text=True)
    assert token.search(kept).group(1) != token.search(first).group(1)
    assert "csrf-slot" not in kept
    switched = other.post(
        "/bahasa",
        data={"language": "en", "next": "/board", "csrf_token": token.search(kept).group(1)},
    )
    assert switched.status_code == 302
    assert "Progress board" in other.get("/board").get_data(as_text=True)  # the English page
    # A message waiting to be shown is shown: the page is rendered, not served kept.
    with other.session_transaction() as session:
        session["_flashes"] = [("success", "Pesan uji tembolok")]
    assert "Pesan uji tembolok" in other.get("/board").get_data(as_text=True)
    assert "Pesan uji tembolok" not in other.get("/board").get_data(as_text=True)


def test_an_answer_for_everyone_may_be_seconds_behind_another_workers_commit_only(
    app: Flask, demo: Demo, test_database: Any, monkeypatch: Any
) -> None:
    """`max_age` (the public status page): the version read within that many seconds is reused,
    so a commit elsewhere shows once they have passed; a commit by this worker shows at once."""
    clock = [dataversion.time.monotonic() + 10]  # later than any version read before
    monkeypatch.setattr(dataversion.time, "monotonic", lambda: clock[0])
    assert test_database.owner_engine is not None

    def commit_elsewhere() -> None:
        with test_database.owner_engine.begin() as connection:
            connection.execute(sa.text("UPDATE regions SET name = name || '.'"))

    def read(max_age: float) -> int | None:
        with app.app_context():
            value = dataversion.current(db.session, max_age)
            db.session.remove()
        return value

    seen = read(1.0)
    commit_elsewhere()
    clock[0] += 0.5
    assert read(1.0) == seen, "within the second: no question to the database"
    clock[0] += 0.6
    after_a_second = read(1.0)
    assert after_a_second is not None and seen is not None and after_a_second > seen
    commit_elsewhere()
    assert read(0.0) != after_a_second, "without max_age: always the committed version"
    latest = read(0.0)
    assert read(1.0) == latest
    with app.app_context(), scoped(Scope.system("tests: data version"), db.session):
        region = db.session.get(Region, demo.regions["74.06"])
        assert region is not None
        region.name = "Bombana"
        db.session.commit()
        db.session.remove()
    assert read(1.0) != latest, "this worker's own commit shows at once"


def test_kept_answers_can_be_switched_off(app: Flask, monkeypatch: Any) -> None:
    """PUJA_KEEP_ANSWERS=0 (the bench's --fresh): every answer made afresh."""
    cache: dataversion.VersionedCache[int] = dataversion.VersionedCache(maxsize=4)
    made = []
    with app.app_context():
        monkeypatch.setitem(app.config, "KEEP_ANSWERS", False)
        for _ in range(3):
            cache.get_or_make(db.session, "k", lambda: made.append(1) or len(made))
        monkeypatch.setitem(app.config, "KEEP_ANSWERS", True)
        for _ in range(3):
            cache.get_or_make(db.session, "k", lambda: made.append(1) or len(made))
        db.session.remove()
    assert len(made) == 4 and cache.hits == 2
