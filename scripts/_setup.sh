# Shared by scripts/run and scripts/test (sourced, not run): make .venv ready and compile the
# translations. Needs only Python 3.11+ and bash on the machine.
#
# The editable install runs again only when pyproject.toml changed since the last one (a stamp
# file inside .venv remembers its hash), so a rerun takes a second or two.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
VENV_PY="$VENV/bin/python"
STAMP="$VENV/.puja-indah-installed"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export FLASK_APP=wsgi.py

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11 python; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "PUJA INDAH needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
    return 1
}

pyproject_hash() {
    "$VENV_PY" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())'
}

ensure_venv() {
    if [ ! -x "$VENV_PY" ] || ! "$VENV_PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        local python
        python="$(find_python)"
        say "Creating .venv with $("$python" --version 2>&1)"
        rm -rf "$VENV"
        if ! "$python" -m venv "$VENV"; then
            echo "Could not create .venv. On Debian/Ubuntu: apt-get install python3-venv" >&2
            return 1
        fi
        "$VENV_PY" -m pip install --quiet --upgrade pip
    fi
    local wanted
    wanted="$(pyproject_hash)"
    if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$wanted" ] \
        || ! "$VENV_PY" -c 'import importlib.metadata as m; m.version("puja-indah")' 2>/dev/null; then
        say "Installing PUJA INDAH and its development tools into .venv"
        "$VENV_PY" -m pip install --quiet -e ".[dev]"
        echo "$wanted" >"$STAMP"
    fi
    export PATH="$VENV/bin:$PATH"
    export VIRTUAL_ENV="$VENV"
}

compile_translations() {
    # The .mo files are build output (git-ignored); the catalogues are each feature's i18n/*.po.
    PUJA_ENV=development flask translations compile >/dev/null
}
