"""Several processes on one database: one scheduler among them, and one pace for all.

Usage (from the project root):
    .venv/bin/python bench/scheduler_bench.py [election] [--processes 3] [--messages 1500]
        [--tick 2] [--run-before-kill 15] [--rtt-ms 100] [--db postgresql] [--json FILE]
    .venv/bin/python bench/scheduler_bench.py budget [--processes 3] [--messages 900]
        [--local] [--db postgresql] [--json FILE]

election: `--processes` real `bot run --channel telegram` processes (the scheduler on,
as when an operator forgets NUDGES=off) on a fresh database holding `--messages`
messages, against the fake Bot API (tests/support/fake_bot_api.py, `--rtt-ms` round
trip) in this process. Reports which process leads, the most messages the fake took
in any one second (Telegram allows ~30 per bot), then kills the leader with SIGKILL
after `--run-before-kill` seconds and reports how long until another process says it
took over and until the next message went out, in seconds and in ticks
(`--tick`, NUDGE_TICK_SECONDS); then duplicates and losses once all went out.

budget: the election set aside, `--processes` drainers (each `Drainer.drain` in its
own process, as leaders that all believe they lead) send the queue at once. With the
shared pace (`send_budget`) the most in one second stays at the bot's 30; `--local`
gives each drainer an in-memory limiter instead, as before the shared pace: together
they send `--processes` times that.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fleet import (  # noqa: E402
    BotProcess,
    bot_environment,
    distinct_sent,
    duplicates,
    losses,
    on_each_database,
    outbox_counts,
    peak_per_second,
    queue_messages,
    sent_texts,
    wait_until_sent,
)
from tests.support.fake_bot_api import FakeBotApi  # noqa: E402

LEADS = "chạy ở tiến trình này"
TOOK_OVER = "nhận chạy bộ nhắc việc"


async def first_line(
    bots: list[BotProcess], text: str, after: float, timeout: float
) -> dict[BotProcess, float]:
    """The processes that printed `text` after `after` (monotonic), once one has: when."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {
            bot: min(at for at, line in bot.lines if at >= after and text in line)
            for bot in bots
            if any(at >= after and text in line for at, line in bot.lines)
        }
        if found:
            return found
        await asyncio.sleep(0.01)
    raise RuntimeError(f"no process printed {text!r} within {timeout} s")


async def election(url: str, args: argparse.Namespace) -> dict[str, Any]:
    queue_messages(url, args.messages)
    async with FakeBotApi(latency=args.rtt_ms / 1000) as api:
        environment = bot_environment(
            url, api, NUDGE_TICK_SECONDS=args.tick, NUDGE_LEASE_SECONDS=10
        )
        bots = [BotProcess(f"bot-{n}", environment) for n in range(1, args.processes + 1)]
        for bot in bots:
            await bot.start()
        for bot in bots:
            await bot.wait_for_line("Trợ lý đang chạy")
        await asyncio.sleep(args.run_before_kill)
        leaders = [b for b in bots if any(LEADS in line for _, line in b.lines)]
        before = sent_texts(api)
        leader = leaders[0]
        killed_at = leader.kill()
        await leader.stop()
        standbys = [b for b in bots if b is not leader]
        took_over = await first_line(standbys, TOOK_OVER, killed_at, timeout=args.tick * 10 + 60)
        takeover_at = min(took_over.values())
        while not [at for at, _ in sent_texts(api) if at > killed_at]:
            await asyncio.sleep(0.005)
        resumed_at = min(at for at, _ in sent_texts(api) if at > killed_at)
        await wait_until_sent(api, args.messages, timeout=args.messages / 10 + 120)
        await asyncio.sleep(1.5)  # a late duplicate would come now
        for bot in standbys:
            await bot.stop()
        sends = sent_texts(api)
    new_leaders = [b.name for b in took_over]
    return {
        "processes": args.processes,
        "messages": args.messages,
        "tick_s": args.tick,
        "leaders_before_kill": [b.name for b in leaders],
        "sent_before_kill": len(before),
        "peak_per_second_before_kill": peak_per_second(at for at, _ in before),
        "peak_per_second": peak_per_second(at for at, _ in sends),
        "took_over": new_leaders,
        "takeover_s": round(takeover_at - killed_at, 2),
        "takeover_ticks": round((takeover_at - killed_at) / args.tick, 2),
        "first_send_after_kill_s": round(resumed_at - killed_at, 2),
        "first_send_after_kill_ticks": round((resumed_at - killed_at) / args.tick, 2),
        "delivered": distinct_sent(api),
        "duplicates": duplicates(api),
        "losses": losses(api, args.messages),
        "outbox": outbox_counts(url),
    }


async def budget(url: str, args: argparse.Namespace) -> dict[str, Any]:
    queue_messages(url, args.messages)
    async with FakeBotApi(latency=args.rtt_ms / 1000) as api:
        command = [sys.executable, __file__, "--drain", url, api.base_url, api.token]
        if args.local:
            command.append("--local")
        drainers = [
            await asyncio.create_subprocess_exec(
                *command, cwd=ROOT, stdin=asyncio.subprocess.DEVNULL
            )
            for _ in range(args.processes)
        ]
        try:
            await wait_until_sent(api, args.messages, timeout=args.messages / 5 + 120)
        finally:
            for drainer in drainers:
                if drainer.returncode is None:
                    drainer.send_signal(signal.SIGTERM)
                await drainer.wait()
        sends = sent_texts(api)
    times = [at for at, _ in sends]
    return {
        "drainers": args.processes,
        "pace": "in memory, per process" if args.local else "shared (send_budget)",
        "messages": args.messages,
        "peak_per_second": peak_per_second(times),
        "mean_per_second": round((len(times) - 1) / (max(times) - min(times)), 1),
        "duplicates": duplicates(api),
        "losses": losses(api, args.messages),
    }


def drain_forever(url: str, base_url: str, token: str, local: bool) -> None:
    """One drainer process (budget): drains until SIGTERM."""
    from telegram import Bot

    from bot.application.delivery import Drainer, RateLimiter
    from bot.application.outbox import OutboxStore
    from bot.channels.telegram.sender import TelegramSender
    from bot.config import NudgeSettings
    from bot.storage.db import make_engine, make_session_factory

    async def main() -> None:
        settings = NudgeSettings()
        store = OutboxStore(make_session_factory(make_engine(url)))
        limiter = RateLimiter(settings.send_rate, settings.per_chat_interval) if local else None
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        async with Bot(token, base_url=base_url) as bot:
            drainer = Drainer(store, [TelegramSender(bot)], settings, limiter=limiter)
            while not stop.is_set():
                if not (await drainer.drain(max_seconds=1)).claimed:
                    await asyncio.sleep(0.1)
            drainer.close()

    asyncio.run(main())


def main() -> int:
    if sys.argv[1:2] == ["--drain"]:
        url, base_url, token = sys.argv[2:5]
        drain_forever(url, base_url, token, "--local" in sys.argv)
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="?", choices=["election", "budget"], default="election")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--messages", type=int, default=0, help="1500 (election), 900 (budget)")
    parser.add_argument("--tick", type=float, default=2.0, help="election: NUDGE_TICK_SECONDS")
    parser.add_argument("--run-before-kill", type=float, default=15.0)
    parser.add_argument("--rtt-ms", type=float, default=100)
    parser.add_argument("--local", action="store_true", help="budget: in-memory pace")
    parser.add_argument("--db", default="postgresql")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    args.messages = args.messages or (1500 if args.what == "election" else 900)
    result: dict[str, Any] = {"cpus": os.cpu_count(), "what": args.what, "rtt_ms": args.rtt_ms}
    on_each_database(election if args.what == "election" else budget, args, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
