#!/usr/bin/env bash
# Create .venv with Python >= 3.12 and install cstosim with its dev extras.
# Re-running is cheap: it reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
    for cand in "${PYTHON:-}" python3.12 python3 python; do
        [ -n "$cand" ] || continue
        command -v "$cand" >/dev/null 2>&1 || continue
        if "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
            echo "$cand"; return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ]; then
    if ! py=$(pick_python); then
        echo "cstosim needs Python >= 3.12 (Mesa 3.5 requires it); found: $(python3 --version 2>&1)." >&2
        echo "Fix: install Python 3.12 (pyenv reads .python-version) or set PYTHON=/path/to/python3.12." >&2
        exit 1
    fi
    "$py" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[dev]"
    rm -f .venv/.installed-*
    touch "$stamp"
fi
