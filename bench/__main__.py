"""`python -m bench --small URL --national URL`: the whole benchmark in one run (see
docs/BENCHMARKS.md). For each database: gunicorn on loopback, sign-ins, every page under the
same load as the bare health route; then statements per page side by side; then the exports.
With `--app-role NAME` the app (server, statement counter, exports) connects as that non-owner
role, as in production, so row-level security applies (bench/role.py)."""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bench import exports, load, role
from bench.client import HttpTransport, Reply, Session
from bench.pages import find_targets, pages, sessions
from bench.statements import count_pages, make_app

ROOT = Path(__file__).resolve().parent.parent
RATIO_TARGETS = {"board": 5.0, "list": 4.0}  # p95 at most this many times the health route's
STATUS_SHARE = 0.5  # public status throughput at least this share of the health route's
XLSX_PEAK_MB, XLSX_TIME_RATIO = 150.0, 1.3


@dataclass(frozen=True)
class Database:
    """One scale: `url` as given (the owner, or a superuser), `app_url` what the app connects
    as (the same without --app-role)."""

    name: str
    url: str
    app_url: str


def mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(db: Database, workers: int, threads: int, fresh: bool = False) -> Iterator[int]:
    """The app as in README's Production section (PUJA_ENV=production), on loopback; `fresh`:
    with kept answers off (PUJA_KEEP_ANSWERS=0), every page made afresh."""
    port = free_port()
    env = dict(
        os.environ,
        PUJA_ENV="production",
        DATABASE_URL=db.app_url,
        SECRET_KEY=secrets.token_urlsafe(48),
        TRUSTED_HOSTS="127.0.0.1,localhost",
        PUJA_PROXY_HOPS="1",
        PUJA_KEEP_ANSWERS="0" if fresh else "1",
    )
    if db.app_url != db.url:
        env["MIGRATION_DATABASE_URL"] = db.url  # as in production: the owner beside the app role
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads)]
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - fixed arguments
    try:
        transport = HttpTransport("127.0.0.1", port, timeout=2)
        for _ in range(120):
            try:
                headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
                if transport.send("GET", "/sehat", headers).status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited before /sehat answered")
            time.sleep(0.5)
        else:
            raise RuntimeError("/sehat did not answer within 60 s")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def load_run(db: Database, args: argparse.Namespace) -> list[str]:
    lines = [
        f"load: {args.requests} requests per page (cap {args.max_seconds:.0f} s), concurrency "
        f"{args.concurrency}, gunicorn -w {args.workers} --threads {args.threads}"
        + (", kept answers OFF (--fresh): every page made afresh" if args.fresh else ""),
        f"{'page':38} {'n':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} "
        f"{'p95/h':>6} {'tput/h':>6}  target",
    ]
    with gunicorn(db, args.workers, args.threads, args.fresh) as port:
        transport = HttpTransport("127.0.0.1", port)
        targets = find_targets(db.url)
        signed = sessions(transport, targets)
        lines.insert(1, f"monitor pages as {targets.monitor} (the region with most innovations)")
        health = None
        for page in pages(targets):
            session = signed[page.who]

            def send(number: int, session: Session = session, path: str = page.path) -> Reply:
                return session.get(path, load.client_address(number))

            result = load.run(
                page.label, send, args.requests, args.concurrency, args.max_seconds,
                warmup=2,
            )  # fmt: skip
            health = health or result
            p95_ratio = result.p95_ms / health.p95_ms if health.p95_ms else 0.0
            share = result.throughput / health.throughput if health.throughput else 0.0
            target = ""
            if page.target in RATIO_TARGETS:
                limit = RATIO_TARGETS[page.target]
                target = f"p95 <= {limit:.0f}x bare: {mark(p95_ratio <= limit)}"
            elif page.target == "status":
                target = f"throughput >= {STATUS_SHARE:.0%} of bare: {mark(share >= STATUS_SHARE)}"
            if result.errors:
                target += f"  (statuses {result.statuses})"
            lines.append(
                f"{page.label:38} {result.requests:>5} {result.errors:>4} {result.p50_ms:>8.1f} "
                f"{result.p95_ms:>8.1f} {result.throughput:>7.1f} {p95_ratio:>6.2f} "
                f"{share:>6.2f}  {target}"
            )
    return lines


def statement_run(databases: list[Database]) -> list[str]:
    counts = {db.name: count_pages(make_app(db.app_url), find_targets(db.url)) for db in databases}
    names = [db.name for db in databases]
    lines = [
        "SQL statements per request: " + " vs ".join(names),
        "(fresh: every per-process cache emptied first; kept: answered from the worker's caches)",
    ]
    columns = [f"fresh {n}" for n in names] + [f"kept {n}" for n in names]
    lines.append(f"{'page':14} " + " ".join(f"{c:>16}" for c in columns) + "  target: equal")
    for key in counts[names[0]]:
        fresh = [counts[n][key].fresh for n in names]
        kept = [counts[n][key].kept for n in names]
        statuses = {counts[n][key].status for n in names}
        note = "" if statuses == {200} else f"  (HTTP {sorted(statuses)})"
        same = len(set(fresh)) == 1 and len(set(kept)) == 1
        lines.append(
            f"{key:14} " + " ".join(f"{v:>16}" for v in fresh + kept)
            + f"  {mark(same)}{note}"
        )  # fmt: skip
    return lines


def export_run(url: str) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="puja-bench-") as folder:
        out = Path(folder)
        app = exports.measure("app-xlsx", url, out / "app.xlsx")
        exports.measure("dump", url, out / "bare.rows")
        bare = exports.measure("bare-xlsx", url, out / "bare.xlsx")
        report = exports.measure("pdf", url, out / "report.pdf")
    ratio = app["seconds"] / bare["seconds"] if bare["seconds"] else 0.0
    growth = app["peak_mb"] - app["base_mb"]
    return [
        f"XLSX profiles, {app['rows']} rows ({app['size_mb']:.1f} MB file):",
        f"  app export   {app['seconds']:7.1f} s  peak RSS {app['peak_mb']:6.0f} MB "
        f"(before export {app['base_mb']:.0f} MB, growth {growth:.0f} MB)",
        f"  bare writer  {bare['seconds']:7.1f} s  peak RSS {bare['peak_mb']:6.0f} MB "
        f"({bare['rows']} rows)",
        f"  time {ratio:.2f}x bare (target <= {XLSX_TIME_RATIO}x): "
        f"{mark(ratio <= XLSX_TIME_RATIO)}",
        f"  peak RSS of the whole process {app['peak_mb']:.0f} MB (target <= {XLSX_PEAK_MB:.0f}"
        f" MB): {mark(app['peak_mb'] <= XLSX_PEAK_MB)}",
        f"region PDF (Bombana, monitor scope): {report['seconds']:.1f} s, peak RSS "
        f"{report['peak_mb']:.0f} MB, {report['size_mb'] * 1000:.0f} kB (no target)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--small", help="database URL at small scale")
    parser.add_argument("--national", help="database URL at national scale")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=60.0, help="cap per page")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="load run with kept answers off (PUJA_KEEP_ANSWERS=0): the cost of pages made afresh",
    )
    parser.add_argument("--skip", action="append", default=[], choices=["load", "sql", "export"])
    parser.add_argument(
        "--app-role",
        metavar="NAME",
        help="PostgreSQL: the app connects as this non-owner role (created if missing, granted by"
        " the URL's user with `flask database grant-app-role`), so row-level security applies;"
        " default: as the URL's user",
    )
    args = parser.parse_args()
    urls = {name: url for name, url in (("small", args.small), ("national", args.national)) if url}
    if not urls:
        parser.error("give --small and/or --national")
    if args.app_role:
        for url in urls.values():
            refusal = role.refusal(url, args.app_role)
            if refusal:
                parser.error(refusal)

    def out(lines: list[str]) -> None:
        print("\n".join(lines) + "\n", flush=True)

    out([f"bench {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, load average {os.getloadavg()}"])
    databases = []
    for name, url in urls.items():
        header = [f"== {name}: {url}"]
        app_url = url
        try:
            if args.app_role:
                app_url, done = role.prepare(url, args.app_role)
                header.append(done)
            header.append(role.connection_note(app_url))
        except (RuntimeError, SQLAlchemyError) as error:
            # No CREATEROLE, a role that needs a password, a failed grant: say so, no traceback.
            parser.exit(1, f"python -m bench: {name}: {str(error).splitlines()[0]}\n")
        db = Database(name, url, app_url)
        databases.append(db)
        out([*header, *(load_run(db, args) if "load" not in args.skip else [])])
    if "sql" not in args.skip:
        out(statement_run(databases))
    for db in databases:
        if "export" not in args.skip:
            out([f"== exports, {db.name}", *export_run(db.app_url)])
    out([f"done {time.strftime('%H:%M:%S')}, load average {os.getloadavg()}"])


if __name__ == "__main__":
    main()
