#!/usr/bin/env bash
# Build (idempotently) the Rasa Open Source 3.6.21 venv on Python 3.10, outside the repo.
#
# Rasa 3.6 installs only on Python < 3.11 and pins packages (SQLAlchemy<1.5,
# tensorflow 2.12, ...) that can never share the project's venv, so it lives in its
# own venv and the assistant talks to it over HTTP (nlu/rasa_http.py).
#
#   RASA_VENV    where the venv goes (default ~/.cache/directive-assistant/rasa-3.6.21)
#   RASA_PYTHON  a Python 3.10 interpreter (default: pyenv's 3.10.x, then python3.10)
#
# Prints the venv's path as the last line of stdout. Exit codes: 0 ready, 3 SKIPPED
# (no Python 3.10 on this machine), anything else: the build failed.
set -euo pipefail

RASA_VERSION=3.6.21
RASA_VENV=${RASA_VENV:-$HOME/.cache/directive-assistant/rasa-$RASA_VERSION}

# What pip installs. rasa 3.6.21 pins its own dependencies tightly (tensorflow 2.12,
# protobuf, setuptools, numpy<1.25, SQLAlchemy<1.5 ...); on this machine nothing more
# was needed. Add a transitive pin here if a new release breaks the build; changing
# this list rebuilds the venv.
PINS=(
  "rasa==$RASA_VERSION"
)

say() { echo "rasa_env: $*" >&2; }

find_python310() {
  local candidate
  local candidates=()
  if [ -n "${RASA_PYTHON:-}" ]; then
    candidates+=("$RASA_PYTHON")  # an explicit choice: no fallback
  else
    local root=${PYENV_ROOT:-$HOME/.pyenv}
    if command -v pyenv >/dev/null 2>&1; then
      root=$(pyenv root 2>/dev/null || echo "$root")
    fi
    # pyenv's 3.10.x, newest first (found even when pyenv is not on PATH).
    while IFS= read -r candidate; do
      candidates+=("$candidate")
    done < <(ls -d "$root"/versions/3.10.*/bin/python 2>/dev/null | sort -rV)
    candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)
    if command -v python3.10 >/dev/null 2>&1; then
      candidates+=("$(command -v python3.10)")
    fi
  fi
  for candidate in "${candidates[@]}"; do
    if [ -x "$candidate" ] \
      && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' \
        >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! PYTHON310=$(find_python310); then
  echo "==================================================================" >&2
  echo "SKIPPED: Rasa venv not built: Python 3.10 not found" >&2
  echo "  (Rasa Open Source $RASA_VERSION needs Python < 3.11; set RASA_PYTHON" >&2
  echo "   to a Python 3.10 interpreter, e.g. pyenv install 3.10.13)" >&2
  echo "==================================================================" >&2
  exit 3
fi

# What the venv was built from; a different one means rebuild.
STAMP_WANTED="$RASA_VERSION $("$PYTHON310" -c 'import sys; print(sys.version.split()[0])') ${PINS[*]}"
STAMP="$RASA_VENV/.directive-assistant-stamp"

venv_ready() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_WANTED" ] && [ -x "$RASA_VENV/bin/rasa" ]
}

mkdir -p "$(dirname "$RASA_VENV")"
# One build at a time (two CI steps or two shells racing on the same cache dir).
exec 9>"$RASA_VENV.lock"
flock 9

if venv_ready; then
  say "ready (cached): $RASA_VENV"
  echo "$RASA_VENV"
  exit 0
fi

say "building Rasa $RASA_VERSION venv with $PYTHON310 into $RASA_VENV"
started=$SECONDS
rm -rf "$RASA_VENV"  # a half-built venv from an interrupted run is not reused
"$PYTHON310" -m venv "$RASA_VENV"
log="$RASA_VENV/pip-install.log"
if ! "$RASA_VENV/bin/python" -m pip install --disable-pip-version-check "${PINS[@]}" \
  >"$log" 2>&1; then
  grep -v "Location 'file:" "$log" | tail -n 30 >&2
  say "FAILED: pip install ${PINS[*]} (full log: $log)"
  exit 1
fi
# Start-up check: the install is worth nothing if `rasa` does not start.
if ! RASA_TELEMETRY_ENABLED=false "$RASA_VENV/bin/rasa" --version >"$RASA_VENV/rasa-version.txt" 2>&1; then
  tail -n 30 "$RASA_VENV/rasa-version.txt" >&2
  say "FAILED: the new venv's rasa does not start"
  exit 1
fi
grep -E '^(Rasa Version|Python Version)' "$RASA_VENV/rasa-version.txt" | sed 's/^/rasa_env:   /' >&2
echo "$STAMP_WANTED" >"$STAMP"
say "built in $((SECONDS - started)) s ($(du -sh "$RASA_VENV" | cut -f1))"
echo "$RASA_VENV"
