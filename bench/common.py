"""What the channel benchmarks (bench/telegram_bench.py, bench/zalo_bench.py) share.

The fake API's child process and its JSON-lines protocol, the questions sent, a fresh
database per run, the latency summary of a round, profiles and the JSON report. Only
the standard library is imported here: the child process stays light, and the
project's modules are imported where they are used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import dataclasses
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterator,
    Mapping,
    Sequence,
)
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")

# ----- the child process: a fake API driven by JSON lines on stdin ----------------------------


async def stdin_reader() -> asyncio.StreamReader:
    """The child's stdin as a stream, read by the command loop of a fake API."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 26)  # a push command holds every update
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


def answer(value: Any) -> None:
    """One answer line from the child to the benchmark."""
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


async def paced(items: Sequence[T], rate: float) -> AsyncIterator[T]:
    """`items` one after another, `rate` a second (0: all at once), on a fixed schedule
    from the first, so a slow step does not slow the rest."""
    began = time.monotonic()
    for i, item in enumerate(items):
        if rate:
            await asyncio.sleep(max(0.0, began + i / rate - time.monotonic()))
        yield item


def delayed(method: Any, rtt_ms: float) -> Any:
    """An async API method that answers `rtt_ms` later (the round trip to the servers)."""

    async def wrapper(*args: Any) -> Any:
        await asyncio.sleep(rtt_ms / 1000)
        return await method(*args)

    return wrapper


class FakeChild:
    """A fake API in a child process (`argv` runs it), so it does not take the bot's CPU.
    Its first line (`hello`) says where it listens; `ask` sends a command, reads the answer."""

    def __init__(self, argv: Sequence[str]) -> None:
        self.process = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
        )
        self.hello = self.ask(None)

    def ask(self, command: dict[str, Any] | None) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        if command is not None:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the fake API process ended")
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=10)


# ----- measuring ----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclasses.dataclass
class Timings:
    """Time spent per part of the handling, summed over updates (seconds)."""

    core: float = 0.0
    send: float = 0.0
    handler: float = 0.0
    updates: int = 0

    def per_update_ms(self) -> dict[str, float]:
        n = max(1, self.updates)
        return {
            "core_ms": round(self.core / n * 1000, 3),
            "send_ms": round(self.send / n * 1000, 3),
            "handler_ms": round(self.handler / n * 1000, 3),
        }


ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")


def timed_core(
    original: Callable[[ArgT], ResultT], timings: Timings, profile: cProfile.Profile | None
) -> Callable[[ArgT], ResultT]:
    """`original` (the core's call in the worker thread), timed into `timings.core` and
    profiled when asked."""

    def call(message: ArgT) -> ResultT:
        began = time.perf_counter()
        if profile is not None:
            profile.enable()
        try:
            return original(message)
        finally:
            if profile is not None:
                profile.disable()
            timings.core += time.perf_counter() - began

    return call


def timed_send(original: Callable[..., Awaitable[Any]], timings: Timings) -> Callable[..., Any]:
    """`original` (the channel's send of a reply), timed into `timings.send`."""

    async def call(*a: Any, **k: Any) -> Any:
        began = time.perf_counter()
        try:
            return await original(*a, **k)
        finally:
            timings.send += time.perf_counter() - began

    return call


async def wait_handled(handled: Mapping[Any, float], ids: Sequence[Any], timeout: float) -> None:
    """Until every update in `ids` is in `handled` (RuntimeError after `timeout` s)."""
    deadline = time.monotonic() + timeout
    while not all(i in handled for i in ids):
        if time.monotonic() > deadline:
            missing = len([i for i in ids if i not in handled])
            raise RuntimeError(f"{missing} updates not handled within {timeout} s")
        await asyncio.sleep(0.002)


def round_summary(pushed: Mapping[Any, float], done: Mapping[Any, float]) -> dict[str, Any]:
    """Throughput and latency of one round: `pushed` and `done` map each update to the
    time (CLOCK_MONOTONIC) it was pushed and it was answered; updates/s from the first
    push to the last answer."""
    keys = sorted(pushed)
    first, last = min(pushed.values()), max(done[k] for k in keys)
    latencies = [(done[k] - pushed[k]) * 1000 for k in keys]
    return {
        "updates": len(keys),
        "seconds": round(last - first, 3),
        "updates_per_s": round(len(keys) / (last - first), 1),
        "latency_ms_p50": round(percentile(latencies, 0.5), 2),
        "latency_ms_p99": round(percentile(latencies, 0.99), 2),
        "latency_ms_max": round(max(latencies), 2),
        "latency_ms_mean": round(statistics.fmean(latencies), 2),
    }


def questions(n: int) -> list[str]:
    """`n` questions from the held-out NLU set, in turn."""
    from nlu.training_data import load_training_data

    examples = load_training_data(ROOT / "data" / "nlu" / "test.yml").examples
    return [examples[i % len(examples)].text for i in range(n)]


@contextlib.contextmanager
def database(kind: str, url: str | None) -> Iterator[str]:
    """A fresh, empty database of `kind` (or the given URL as it is)."""
    if url:
        yield url
        return
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    # A throwaway PostgreSQL cluster, exactly as the tests start one.
    from tests.conftest import _admin_execute, _Cluster, _postgres_bindir

    bindir = _postgres_bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL server binaries (pg_config --bindir)")
    cluster = _Cluster(bindir)
    cluster.start()
    try:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        _admin_execute(cluster.url("postgres"), f'CREATE DATABASE "{name}"')
        yield cluster.url(name)
    finally:
        cluster.stop()


def add_agencies(session: Any, ids: Sequence[str]) -> None:
    """Synthetic provincial departments `ids` ("Cơ quan thử 0", ...), for the digest and
    portal benchmarks' 500 agencies."""
    from sqlalchemy import insert

    from bot.storage.models import Agency

    if not ids:
        return
    session.execute(
        insert(Agency),
        [
            {
                "id": agency_id,
                "name": f"Cơ quan thử {i}",
                "short_name": f"CQ {i}",
                "kind": "department",
                "level": "province",
                "member_levels": [],
                "member_kinds": [],
                "position": 1000 + i,
                "active": True,
            }
            for i, agency_id in enumerate(ids)
        ],
    )


# ----- reporting ----------------------------------------------------------------------------


def print_profiles(kind: str, profiles: Mapping[str, Any], lines: int) -> None:
    """The top `lines` functions of each cProfile.Profile, by cumulative time, on stderr."""
    for title, profile in profiles.items():
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
        stats.print_stats(lines)
        print(f"===== {kind}: {title} =====\n{out.getvalue()}", file=sys.stderr)


def report(result: Mapping[str, Any], path: Path | None) -> None:
    """Print the result as JSON, and write it to `path` when given."""
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")


# ----- the command line both benchmarks share ----------------------------------------------


def bench_parser() -> argparse.ArgumentParser:
    """The options every channel benchmark has; each adds its own."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=50, help="paced run: updates/s (0: skip)")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--database-url", help="bench this database instead (not emptied)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-lines", type=int, default=30)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    return parser


RunBot = Callable[
    [Any, Any, argparse.Namespace, dict[str, Any]], Coroutine[Any, Any, dict[str, Any]]
]


def bench_all(
    args: argparse.Namespace,
    settings: Mapping[str, Any],
    rtt_ms: float,
    fake: Callable[[float], FakeChild],
    run_bot: RunBot,
    serve_fake: Callable[[float], Coroutine[Any, Any, None]],
) -> int:
    """Run the benchmark on each database asked for (or be the fake's child process),
    and report; `settings` are the run's own options, written into the report."""
    if args.serve_fake:
        asyncio.run(serve_fake(rtt_ms))
        return 0
    kinds = ["url"] if args.database_url else [k.strip() for k in args.db.split(",") if k.strip()]
    result: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "updates": args.updates,
        "users": args.users,
        **settings,
    }
    for kind in kinds:
        result[kind] = _bench_one(kind, args, rtt_ms, fake, run_bot)
    report(result, args.json)
    return 0


def _bench_one(
    kind: str,
    args: argparse.Namespace,
    rtt_ms: float,
    fake_process: Callable[[float], FakeChild],
    run_bot: RunBot,
) -> dict[str, Any]:
    from bot.app import build_assistant
    from bot.config import Settings

    with database(kind, args.database_url) as db_url:
        began = time.perf_counter()
        assistant = build_assistant(Settings.from_env({**os.environ, "DATABASE_URL": db_url}))
        build_s = time.perf_counter() - began
        fake = fake_process(rtt_ms)
        profiles: dict[str, Any] = {}
        try:
            result = asyncio.run(run_bot(assistant, fake, args, profiles))
        finally:
            fake.close()
        result["assistant_build_s"] = round(build_s, 2)
        print_profiles(kind, profiles, args.profile_lines)
        return result
