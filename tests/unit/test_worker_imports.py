"""A web worker does not load what only some requests or the command line need (issue 7: the
export's process held 143 MB before it began). Checked in a fresh interpreter, as gunicorn
would create the app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Loaded where used: PDFs (fpdf2 + fontTools ~20 MB), migrations (alembic ~11 MB), XLSX,
# holiday tables; test-only libraries never.
LAZY = ("fpdf", "fontTools", "alembic", "flask_migrate", "xlsxwriter", "holidays")
NEVER = ("schemathesis", "hypothesis", "pytest", "openpyxl", "pandas")

SCRIPT = """
import json, sys
from config import get_config
from puja_indah import create_app
config = get_config("development")
config.SQLALCHEMY_DATABASE_URI = "sqlite://"
create_app(config)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_app_creation_leaves_heavy_libraries_unloaded() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "puja_indah" in loaded
    assert loaded.isdisjoint(LAZY + NEVER), sorted(loaded & set(LAZY + NEVER))
