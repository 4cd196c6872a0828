"""What the multi-process benchmarks (crash_bench.py, scheduler_bench.py) share: real
`bot run` processes against the fake Bot API in this process, a database with
messages queued in its outbox, and counting what the fake received.

The bot processes are started as an operator would (`python -m bot run --channel
telegram`, settings in the environment) and killed with SIGKILL: nothing they do
in memory survives, as after a power cut or the OOM killer.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

BENCH_CHAT = 30_000_000  # the first recipient's chat id
TEXT = "Tin thử số {}"  # one distinct text per message: duplicates are counted by text


def on_each_database(
    run: Callable[[str, argparse.Namespace], Coroutine[Any, Any, dict[str, Any]]],
    args: argparse.Namespace,
    result: dict[str, Any],
) -> None:
    """`run` on a fresh database of each kind in `args.db` ("sqlite,postgresql"); its
    result under the kind's name in `result`, which is then printed (and written to
    `args.json`)."""
    from bench.common import database, report

    for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
        started = time.monotonic()
        with database(kind, None) as url:
            result[kind] = asyncio.run(run(url, args))
        result[kind]["bench_s"] = round(time.monotonic() - started, 1)
    report(result, args.json)


def queue_messages(url: str, n: int) -> None:
    """Migrate and seed the database at `url`, add `n` Telegram users (no agency: the
    scheduler's own tick queues nothing for them) and one message to each in the outbox."""
    from sqlalchemy import insert, select

    from bot.app import prepare_database
    from bot.application.messages import Reply
    from bot.application.outbox import LEGACY_TEMPLATE, enqueue, outbox_row
    from bot.config import Settings
    from bot.storage.db import session_scope
    from bot.storage.models import User

    sessions = prepare_database(Settings.from_env({"DATABASE_URL": url}))
    now = dt.datetime.now(dt.UTC)
    with session_scope(sessions) as session:
        session.execute(
            insert(User),
            [
                {
                    "channel": "telegram",
                    "channel_user_id": str(BENCH_CHAT + i),
                    "display_name": f"Cán bộ {i}",
                    "role": "official",
                    "agency_id": None,
                    "created_at": now,
                }
                for i in range(n)
            ],
        )
        ids = dict(session.execute(select(User.channel_user_id, User.id)).tuples().all())
        rows = [
            outbox_row(
                user_id=ids[str(BENCH_CHAT + i)],
                channel="telegram",
                address=str(BENCH_CHAT + i),
                kind="bench",
                due=now.date(),
                message=Reply(LEGACY_TEMPLATE, {"text": TEXT.format(i), "markup": False}),
                not_before=now,
                now=now,
            )
            for i in range(n)
        ]
        enqueue(session, rows)
    sessions.kw["bind"].dispose()


def outbox_counts(url: str) -> dict[str, int]:
    from bot.application.outbox import OutboxStore
    from bot.storage.db import make_engine, make_session_factory

    engine = make_engine(url)
    try:
        return OutboxStore(make_session_factory(engine)).counts()
    finally:
        engine.dispose()


def held_rows(url: str) -> set[tuple[int, str]]:
    """(id, claim) of the rows claimed and not yet settled (status `sending`)."""
    from sqlalchemy import select

    from bot.storage.db import make_engine
    from bot.storage.models import OutboxMessage

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = select(OutboxMessage.id, OutboxMessage.claim).where(
                OutboxMessage.status == "sending"
            )
            return {(row_id, claim or "") for row_id, claim in connection.execute(query)}
    finally:
        engine.dispose()


def bot_environment(url: str, api: Any, **settings: object) -> dict[str, str]:
    """The environment of a `bot run` against the fake `api` (a FakeBotApi)."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_BASE_URL": api.base_url,
        "LOG_LEVEL": "WARNING",
        **{key: str(value) for key, value in settings.items()},
    }


class BotProcess:
    """One `bot run --channel telegram`; its stderr lines kept with their time."""

    def __init__(self, name: str, environment: Mapping[str, str]) -> None:
        self.name = name
        self.environment = dict(environment)
        self.lines: list[tuple[float, str]] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--channel",
            "telegram",
            cwd=ROOT,
            env=self.environment,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for raw in self.process.stderr:
            self.lines.append((time.monotonic(), raw.decode(errors="replace").rstrip()))

    async def wait_for_line(self, text: str, timeout: float = 120.0, after: float = 0.0) -> float:
        """When a line containing `text` was printed (after `after`, monotonic)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in self.lines:
                if at >= after and text in line:
                    return at
            if self.process is not None and self.process.returncode is not None:
                break
            await asyncio.sleep(0.01)
        raise RuntimeError(f"{self.name} never printed {text!r}:\n{self.output()}")

    def kill(self) -> float:
        """SIGKILL, as a crash; the moment it was sent."""
        assert self.process is not None
        at = time.monotonic()
        self.process.send_signal(signal.SIGKILL)
        return at

    async def stop(self) -> int:
        """SIGTERM (a clean stop) unless it has ended; its exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 60)
        if self._reader is not None:
            await self._reader
        return code

    def output(self) -> str:
        return "\n".join(line for _, line in self.lines[-40:])


def sent_texts(api: Any) -> list[tuple[float, str]]:
    """(time it was accepted, text) of every message the fake took, in order."""
    return [(c.time, c.params["text"]) for c in api.calls_of("sendMessage", ok_only=True)]


def distinct_sent(api: Any) -> int:
    return len({text for _, text in sent_texts(api)})


async def wait_until_sent(api: Any, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while distinct_sent(api) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{distinct_sent(api)} of {count} messages after {timeout} s")
        await asyncio.sleep(0.005)


def peak_per_second(times: Iterable[float], window: float = 1.0) -> int:
    """The most sends in any `window` seconds (a sliding window over the send times)."""
    ordered = sorted(times)
    peak, first = 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= window:
            first += 1
        peak = max(peak, last - first + 1)
    return peak


def duplicates(api: Any) -> int:
    return sum(n - 1 for n in Counter(text for _, text in sent_texts(api)).values())


def losses(api: Any, n: int) -> int:
    got = {text for _, text in sent_texts(api)}
    return sum(1 for i in range(n) if TEXT.format(i) not in got)
