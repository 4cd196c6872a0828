"""Benchmark first starts racing each other: N processes started at once on a NEW
database, R times, on SQLite and PostgreSQL; counts the processes that crashed.

Usage (from the project root):
    .venv/bin/python bench/start_bench.py [--processes 4] [--runs 10]
        [--db sqlite,postgresql] [--root DIR] [--json bench/results/starts.json]
        [-- bot command ...]

Each run makes an empty database and launches `--processes` copies of the command
(by default `bot ask "Sở Nội vụ phải làm gì?"`: migrate, seed, train the NLU, create
the console user, answer) at the same moment. A process that exits with a non-zero
status is a crash; the report counts them per database with the last line of each
distinct error, and gives the runs' wall times (launch to the last exit).
`--root` runs the command in another checkout (e.g. an older commit, to compare); the
PostgreSQL cluster is a throwaway one, started as the tests start theirs.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import database, report  # noqa: E402

DEFAULT_COMMAND = ("ask", "Sở Nội vụ phải làm gì?")


@contextmanager
def new_databases(kind: str, tmp: Path) -> Iterator[Callable[[], str]]:
    """A factory of empty databases of `kind` (PostgreSQL: on one throwaway cluster)."""
    if kind == "sqlite":
        yield lambda: f"sqlite:///{tmp / uuid.uuid4().hex / 'bench.sqlite3'}"
        return
    from tests.conftest import _admin_execute, _database_url

    with database(kind, None) as server:

        def create() -> str:
            name = f"start_{uuid.uuid4().hex[:8]}"
            _admin_execute(server, f'CREATE DATABASE "{name}"')
            return _database_url(server, name)

        yield create


def run_once(root: Path, url: str, command: Sequence[str], processes: int) -> dict[str, Any]:
    """Start `processes` copies of `bot <command>` together; their exit codes and errors."""
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    argv = [sys.executable, "-m", "bot", *command]
    began = time.perf_counter()
    children = [
        subprocess.Popen(
            argv, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(processes)
    ]
    errors = []
    for child in children:
        _, stderr = child.communicate(timeout=300)
        if child.returncode != 0:
            errors.append(_exception_line(stderr) or f"exit {child.returncode}")
    return {"wall_s": time.perf_counter() - began, "errors": errors}


def _exception_line(stderr: str) -> str | None:
    """The traceback's last "SomeError: message" line, shortened (SQLAlchemy adds its
    "Background on this error" link and the SQL after it)."""
    found = [line for line in stderr.splitlines() if re.match(r"[\w.]+(Error|Exception): ", line)]
    return found[-1][:160] if found else None


def bench(kind: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    command = args.command or DEFAULT_COMMAND
    walls: list[float] = []
    errors: collections.Counter[str] = collections.Counter()
    crashed_runs = 0
    with new_databases(kind, tmp) as new_database:
        for number in range(1, args.runs + 1):
            outcome = run_once(args.root, new_database(), command, args.processes)
            walls.append(outcome["wall_s"])
            errors.update(outcome["errors"])
            crashed_runs += bool(outcome["errors"])
            print(
                f"{kind} run {number}: {len(outcome['errors'])} of {args.processes} crashed, "
                f"{outcome['wall_s']:.2f} s",
                file=sys.stderr,
            )
    return {
        "runs": args.runs,
        "processes_per_run": args.processes,
        "crashed_processes": sum(errors.values()),
        "runs_with_a_crash": crashed_runs,
        "wall_s_median": round(statistics.median(walls), 2),
        "wall_s_max": round(max(walls), 2),
        "errors": dict(errors.most_common()),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to run bot in")
    parser.add_argument("--json", type=Path)
    parser.add_argument("command", nargs="*", help=f"bot's arguments (default: {DEFAULT_COMMAND})")
    args = parser.parse_args()
    result: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "command": ["bot", *(args.command or DEFAULT_COMMAND)],
        "root": str(args.root),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for kind in (k.strip() for k in args.db.split(",") if k.strip()):
            result[kind] = bench(kind, args, Path(tmp))
    report(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
