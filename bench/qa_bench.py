"""Benchmark the console Q&A: cold start, per-question latency, peak memory.

Usage (from the project root, after the README's setup):
    .venv/bin/python bench/qa_bench.py [--questions 1000] [--json bench/results/qa.json]

- cold start: wall time from launching `bot ask "<question>"` to its answer being
  printed, median of 5 runs (the database already exists, as after the first run);
- latency: one `bot ask --jsonl` process; each question is written, then its line
  read back; p50/p99 over N questions (the held-out NLU test set, cycled);
- peak RSS: the maximum resident set size of that process (getrusage on children).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlu.training_data import load_training_data  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    python = str(ROOT / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.db"}
        # First run creates and seeds the database; it is reported apart.
        started = time.perf_counter()
        subprocess.run(
            [python, "-m", "bot", "ask", "xin chào"],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        first_run = time.perf_counter() - started
        cold = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run(
                [python, "-m", "bot", "ask", "Sở Nội vụ phải làm gì?"],
                env=env,
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
            cold.append(time.perf_counter() - started)

        examples = load_training_data(ROOT / "data" / "nlu" / "test.yml").examples
        questions = [examples[i % len(examples)].text for i in range(args.questions)]
        process = subprocess.Popen(
            [python, "-m", "bot", "ask", "--jsonl"],
            env=env,
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            encoding="utf-8",
        )
        assert process.stdin and process.stdout
        latencies = []
        for question in questions:
            started = time.perf_counter()
            process.stdin.write(question + "\n")
            process.stdin.flush()
            json.loads(process.stdout.readline())
            latencies.append((time.perf_counter() - started) * 1000)
        process.stdin.close()
        process.wait()
        peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    result = {
        "first_run_s": round(first_run, 3),
        "cold_start_s_median": round(statistics.median(cold), 3),
        "questions": len(latencies),
        "latency_ms_p50": round(percentile(latencies, 0.50), 2),
        "latency_ms_p99": round(percentile(latencies, 0.99), 2),
        "latency_ms_mean": round(statistics.fmean(latencies), 2),
        "peak_rss_mb": round(peak_rss_mb, 1),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
