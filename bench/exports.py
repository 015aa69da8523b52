"""Export costs, each measured in a fresh subprocess (`python -m bench.exports MODE URL OUT`) so
that its peak resident memory (VmHWM) is its own:

- `app-xlsx`: the full innovation profile export (every innovation in a national reviewer's
  scope, as the export job runs it: reports/datasets.py `profiles` → core/exports.py XLSX
  writer, constant_memory).
- `dump`: the same rows, pickled one by one to a file (not timed; feeds `bare-xlsx`).
- `bare-xlsx`: XlsxWriter alone writing those rows with `write_row`, with the app's workbook
  options (constant_memory, no string-to-formula/URL/number conversion).
- `pdf`: Bombana's region report (reports/pdf.py `region_report`) in its monitor's scope.

Each prints one JSON line: seconds, rows, peak RSS and the RSS before the work began (MB).
"""

from __future__ import annotations

import json
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def peak_mb() -> float:
    """This process's peak resident memory: VmHWM, not getrusage's ru_maxrss, which Linux
    carries over exec from the parent (the bench's own, larger process)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000  # KiB on Linux


def _measure(mode: str, url: str, out: Path) -> dict[str, Any]:
    if mode == "bare-xlsx":
        import xlsxwriter

        base, started, rows = rss_mb(), time.perf_counter(), 0
        # The app's workbook options (core/exports.py XlsxBook): with XlsxWriter's defaults the
        # bare writer matched every string against its URL pattern and wrote the ~7,800 video
        # addresses of the national data as hyperlinks - a different, slower workbook.
        book = xlsxwriter.Workbook(
            str(out),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = book.add_worksheet("Profil Inovasi")
        with out.with_suffix(".rows").open("rb") as source:
            sheet.write_row(0, 0, pickle.load(source))  # noqa: S301 - our own dump, the header
            while True:
                try:
                    row = pickle.load(source)  # noqa: S301 - written by `dump` just before
                except EOFError:
                    break
                rows += 1
                sheet.write_row(rows, 0, row)
        book.close()
        return {"seconds": time.perf_counter() - started, "rows": rows, "base_mb": base}

    from bench.statements import make_app
    from puja_indah.core.models import Region, Role
    from puja_indah.core.tenancy import Scope, scoped
    from puja_indah.extensions import db
    from puja_indah.reports import datasets

    app = make_app(url)
    with app.app_context(), app.test_request_context():
        national = Scope.for_membership(Role.NATIONAL_REVIEWER, None, None)
        if mode == "pdf":
            # Imported here only: the XLSX modes' processes must not carry fpdf2 (~20 MB), which
            # the export job does not load.
            from puja_indah.reports import pdf

            with scoped(national, db.session):
                region_id = db.session.scalar(select(Region.id).where(Region.code == "74.06"))
            monitor = Scope.for_membership(Role.REGION_MONITOR, None, region_id)
            base, started = rss_mb(), time.perf_counter()
            with scoped(monitor, db.session), out.open("wb") as target:
                pdf.region_report(datasets.Filters(), target)
            return {"seconds": time.perf_counter() - started, "rows": 0, "base_mb": base}
        from puja_indah.core import exports

        with scoped(national, db.session):
            table = datasets.profiles(datasets.Filters())
            if mode == "dump":
                rows = 0
                with out.with_suffix(".rows").open("wb") as sink:
                    pickle.dump(list(table.headers), sink)
                    for row in table.rows:
                        pickle.dump(row, sink)
                        rows += 1
                return {"seconds": 0.0, "rows": rows, "base_mb": rss_mb()}
            # XlsxWriter is imported where the app first writes a workbook; bare-xlsx imports it
            # before its clock starts, so this one does too (a one-off per worker, not per export).
            import xlsxwriter

            base, started = rss_mb(), time.perf_counter()
            rows = exports.write_xlsx(str(out), [table])
            return {"seconds": time.perf_counter() - started, "rows": rows, "base_mb": base}


def measure(mode: str, url: str, out: Path) -> dict[str, Any]:
    """Run one mode in a subprocess; its JSON answer plus the file's size."""
    done = subprocess.run(  # noqa: S603 - our own module, arguments from our own code
        [sys.executable, "-m", "bench.exports", mode, url, str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.exports {mode} failed:\n{done.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    answer["size_mb"] = out.stat().st_size / 1e6 if out.exists() else 0.0
    return answer


def main() -> None:
    mode, url, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    answer = _measure(mode, url, out)
    answer["peak_mb"] = peak_mb()
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
