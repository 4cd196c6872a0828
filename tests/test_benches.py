"""The benchmarks that write synthetic rows straight into the tables still run against
today's schema, at a tiny size (their numbers are not looked at here: benchmarks are
run by hand, see bench/). Two of them broke unnoticed when duty keys were scoped by
directive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RUNS = {
    "digest": ["bench/nudge_bench.py", "digest", "--agencies", "4", "--users", "40"],
    "monday": ["bench/nudge_bench.py", "monday", "--agencies", "4", "--users", "40"],
    "portal": ["bench/portal_bench.py", "--agencies", "4", "--reports", "40", "--requests", "2"],
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_bench_runs_on_todays_schema(name: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, *RUNS[name], "--json", str(tmp_path / "out.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "out.json").read_text(encoding="utf-8").startswith("{")
