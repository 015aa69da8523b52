"""The server the crash suite kills: the app with the test configuration, on the database named by
TEST_DATABASE_URL (and STORAGE_ROOT, MAIL_OUTBOX, HUEY_SQLITE_PATH, MIGRATION_DATABASE_URL, as
Config reads them), served by a threaded werkzeug server in this one process, so one SIGKILL
stops every request it is serving at once.

Run as `python -m tests.crash.serve` from the repository root. Building the app takes seconds
(imports) and opens no database connection, so the suite starts the next server while the current
one is still taking writes: this one builds the app, prints `ready`, waits for a line on stdin,
then drops any connection it might hold, listens and prints its port."""

from __future__ import annotations

import sys

from werkzeug.serving import make_server

from config import TestingConfig
from puja_indah import create_app
from puja_indah.extensions import db


def main() -> None:
    app = create_app(TestingConfig())
    print("ready", flush=True)
    if not sys.stdin.readline():
        return  # the suite went away without needing this server
    with app.app_context():
        db.engine.dispose()  # the restart meets the database with fresh connections only
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    print(httpd.server_port, flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
