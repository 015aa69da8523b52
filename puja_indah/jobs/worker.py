"""A stand-alone consumer: `huey_consumer puja_indah.jobs.worker.huey -w 2 -k thread`.

Building the app reads the same environment as the web process (DATABASE_URL, HUEY_REDIS_URL,
MAIL_*), configures the queue's storage and imports every module, so their tasks are registered.
"""

from __future__ import annotations

from puja_indah import create_app
from puja_indah.jobs import huey, set_worker_app

app = create_app()
set_worker_app(app)

__all__ = ["app", "huey"]
