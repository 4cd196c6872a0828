#!/usr/bin/env bash
# Set up the project's venv and run every check: ruff, mypy, the test suite
# (SQLite and a throwaway PostgreSQL cluster) and the sample-question score.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
.venv/bin/pytest -q "$@"
