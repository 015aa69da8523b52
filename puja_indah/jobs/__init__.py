"""The one background job queue (huey), configured from the app config.

- `HUEY_REDIS_URL` set: Redis storage (what `RedisHuey` uses) — several web and worker machines
  share one queue.
- otherwise: SQLite storage (what `SqliteHuey` uses) in the instance folder (`HUEY_SQLITE_PATH`,
  default `instance/jobs.sqlite3`) — embedded, no service to run, one machine only.
- `HUEY_IMMEDIATE=True` (the testing config): tasks run inline when enqueued.

Tasks are declared with `@task(...)` at import time on the module-level `huey`; `init_app` swaps
the storage in place when the app is built, so the web process, `flask jobs worker` and
`huey_consumer puja_indah.jobs.worker.huey` all share the same task registry and queue. A task
body always runs inside an app context: the current one when there is one (immediate mode), or
the worker's app (`worker_app()`, made once per process by `create_app()` or set by the CLI).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

F = TypeVar("F", bound=Callable[..., Any])
QUEUE_NAME = "puja_indah"


class AppHuey(Huey):
    """A Huey whose storage is chosen when the Flask app is configured, not at import."""

    def configure(self, storage_class: type, *, immediate: bool, **storage_kwargs: Any) -> None:
        self.storage_class = storage_class
        self.storage_kwargs = storage_kwargs
        self._immediate = immediate
        self.storage = self.create_storage()


# Memory storage until init_app runs: importing task modules never touches a file or a server.
huey = AppHuey(QUEUE_NAME, storage_class=MemoryStorage, utc=True)

_worker_app: Flask | None = None


def storage_for(config: Any) -> tuple[type, dict[str, Any]]:
    """The storage class and its arguments for an app config (a mapping)."""
    redis_url = config.get("HUEY_REDIS_URL") or ""
    if redis_url:
        return RedisStorage, {"url": redis_url}
    path = Path(config["HUEY_SQLITE_PATH"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteStorage, {"filename": str(path)}


def init_app(app: Flask) -> None:
    storage_class, kwargs = storage_for(app.config)
    huey.configure(storage_class, immediate=bool(app.config.get("HUEY_IMMEDIATE")), **kwargs)
    app.extensions["huey"] = huey


def set_worker_app(app: Flask) -> None:
    global _worker_app
    _worker_app = app


def worker_app() -> Flask:
    """The app a task runs in when no app context is active (a consumer's worker thread)."""
    global _worker_app
    if _worker_app is None:
        from puja_indah import create_app

        _worker_app = create_app()
    return _worker_app


def _in_app(fn: F) -> F:
    @functools.wraps(fn)
    def in_app(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return fn(*args, **kwargs)
        with worker_app().app_context():
            return fn(*args, **kwargs)

    return in_app  # type: ignore[return-value]


def task(**options: Any) -> Callable[[F], Any]:
    """`huey.task(**options)` whose body runs inside an app context."""

    def decorate(fn: F) -> Any:
        return huey.task(**options)(_in_app(fn))

    return decorate


def periodic_task(validate_datetime: Callable[[Any], bool], **options: Any) -> Callable[[F], Any]:
    """`huey.periodic_task(crontab(...), **options)` whose body runs inside an app context. The
    consumer (`flask jobs worker`) enqueues it when the crontab matches (huey runs in UTC here)."""

    def decorate(fn: F) -> Any:
        return huey.periodic_task(validate_datetime, **options)(_in_app(fn))

    return decorate
