"""SQL statements per request, counted in-process: the app built against a database, a
`before_cursor_execute` listener on its engine, each page asked for through Flask's test client
by the same signed-in sessions the load run uses. Each page is asked for three times; the first
warms per-process caches, the fewest statements of the other two are reported as "kept". Then
once more with every per-process cache emptied: the statements of the page made afresh."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from bench.client import FlaskTransport
from bench.pages import Page, Targets, pages, sessions


def make_app(database_url: str) -> Any:
    """The app as in development, against `database_url`, rate limits off (they count in
    memory, so they change no statement count; sign-in throttling stays on: it is SQL)."""
    from config import get_config
    from puja_indah import create_app

    config = get_config("development")
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.RATELIMIT_ENABLED = False  # type: ignore[attr-defined]
    return create_app(config)


class Counter:
    """Counts statements sent by one engine, per thread."""

    def __init__(self, engine: Any) -> None:
        self._local = threading.local()
        self.engine = engine
        event.listen(engine, "before_cursor_execute", self._seen)

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any, **_kwargs: Any) -> None:
        self._local.count = getattr(self._local, "count", 0) + 1

    def reset(self) -> None:
        self._local.count = 0

    @property
    def count(self) -> int:
        return int(getattr(self._local, "count", 0))


@dataclass(frozen=True)
class PageCount:
    fresh: int  # statements of the page made afresh: every per-process cache emptied first
    kept: int  # statements of the page answered from the worker's caches (the usual case)
    status: int


def count_pages(app: Any, targets: Targets, repeats: int = 3) -> dict[str, PageCount]:
    """{page key: its statement counts and HTTP status}."""
    from puja_indah.core import dataversion
    from puja_indah.extensions import db

    with app.app_context():
        counter = Counter(db.engine)
    try:
        signed = sessions(FlaskTransport(app), targets)
        counts: dict[str, PageCount] = {}
        page: Page
        for page in pages(targets):
            session = signed[page.who]
            seen = []
            for _ in range(repeats):
                counter.reset()
                reply = session.get(page.path)
                seen.append(counter.count)
            with app.app_context():
                dataversion.clear_all()
            counter.reset()
            fresh = session.get(page.path)
            # The fewest of the warm requests: an occasional sign-in session refresh (an UPDATE
            # of its last-seen time) belongs to no page.
            counts[page.key] = PageCount(
                counter.count, min(seen[1:] or seen), max(reply.status, fresh.status)
            )
        return counts
    finally:
        counter.remove()
