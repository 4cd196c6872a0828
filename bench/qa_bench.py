"""Benchmark the console Q&A: cold start, per-answer latency, memory, reply lengths.

Usage (from the project root, after the README's setup):
    .venv/bin/python bench/qa_bench.py [--rounds 5] [--json bench/results/qa.json]

Every run gets a fresh database and a fresh, empty cache folder (CACHE_DIR), so the
numbers never depend on what an earlier run left behind:

- first run: `bot ask` on a new database (migrations, seeding, every model built);
- cold, empty cache: a fresh `bot ask` process on the seeded database with the cache
  folder emptied first (the NLU and the retrieval indexes are built and written, the
  templates compiled);
- cold, warm cache: the same, with the caches left as the previous run wrote them
  (median of 5): what a user waits for after the first answer of a deployment;
  wall time, and CPU time (user + system), which other work on the machine sways less.
  Python's bytecode cache is warm in both: the child processes write it (next to the
  modules, whatever PYTHONDONTWRITEBYTECODE the shell sets), as a deployed server
  does on its first start;
- latency: one `bot ask --jsonl` process answers the questions of
  tests/eval/questions.yaml, `--rounds` times over; p50/p99 per answer;
- RSS: the peak resident set size of a warm cold-start process and of the --jsonl one;
- reply length: the median length of the replies by answer kind (the console's text).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
QUESTIONS = ROOT / "tests" / "eval" / "questions.yaml"
COLD_QUESTION = "ai ký chỉ thị"
WARM_RUNS = 5


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed_ask(env: dict[str, str], question: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system: less sensitive to other processes on
    the machine) and peak RSS (MB) of one `bot ask` process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, "-m", "bot", "ask", question],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        assert process.stderr
        raise SystemExit(f"bot ask failed:\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def answer_all(env: dict[str, str], questions: list[str]) -> tuple[list[float], list[dict], float]:
    """Latencies (ms) and replies of one --jsonl process, and its peak RSS (MB)."""
    process = subprocess.Popen(
        [PYTHON, "-m", "bot", "ask", "--jsonl"],
        env=env,
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        encoding="utf-8",
    )
    assert process.stdin and process.stdout
    latencies, replies = [], []
    for question in questions:
        started = time.perf_counter()
        process.stdin.write(question + "\n")
        process.stdin.flush()
        replies.append(json.loads(process.stdout.readline()))
        latencies.append((time.perf_counter() - started) * 1000)
    process.stdin.close()
    _, _, usage = os.wait4(process.pid, 0)
    return latencies, replies, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5, help="passes over the question set")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    cases = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["cases"]
    questions = [str(case["q"]) for case in cases]
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "CACHE_DIR": str(cache),
            "LOG_LEVEL": "WARNING",
        }
        first_run, _, _ = timed_ask(env, COLD_QUESTION)
        shutil.rmtree(cache, ignore_errors=True)
        empty_cache, empty_cache_cpu, _ = timed_ask(env, COLD_QUESTION)
        warm = [timed_ask(env, COLD_QUESTION) for _ in range(WARM_RUNS)]
        latencies, replies, jsonl_rss = answer_all(env, questions * args.rounds)

    lengths: dict[str, list[int]] = defaultdict(list)
    for reply in replies[: len(questions)]:
        lengths[str(reply["kind"])].append(len(reply["reply"]))
    result = {
        # Other work on the machine (2 cores, shared) sways every wall time here.
        "load_average_1min": round(os.getloadavg()[0], 2),
        "first_run_s": round(first_run, 3),
        "cold_start_empty_cache_s": round(empty_cache, 3),
        "cold_start_empty_cache_cpu_s": round(empty_cache_cpu, 3),
        "cold_start_warm_cache_s_median": round(statistics.median(t for t, _, _ in warm), 3),
        "cold_start_warm_cache_cpu_s_median": round(statistics.median(c for _, c, _ in warm), 3),
        "cold_start_peak_rss_mb": round(max(rss for _, _, rss in warm), 1),
        "answers": len(latencies),
        "latency_ms_p50": round(percentile(latencies, 0.50), 2),
        "latency_ms_p99": round(percentile(latencies, 0.99), 2),
        "latency_ms_mean": round(statistics.fmean(latencies), 2),
        "jsonl_peak_rss_mb": round(jsonl_rss, 1),
        "answers_by_kind": {kind: len(values) for kind, values in sorted(lengths.items())},
        "median_reply_chars_by_kind": {
            kind: statistics.median(values) for kind, values in sorted(lengths.items())
        },
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
