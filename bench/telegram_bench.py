"""Benchmark the Telegram channel end to end: fake Bot API -> PTB -> core -> DB -> sendMessage.

Usage (from the project root):
    .venv/bin/python bench/telegram_bench.py [--updates 1000] [--users 50] [--rate 50]
        [--db sqlite,postgresql | --database-url URL] [--telegram-limit]
        [--telegram-rtt MS] [--concurrency N] [--profile] [--json bench/results/telegram.json]

The fake Bot API (tests/support/fake_bot_api.py) runs in a child process, like
Telegram on another machine, so it does not take the bot's CPU. The bot runs the
real `build_application` with long polling against it, on a fresh database.

For each database it measures
- burst: all N updates (questions from the held-out NLU set data/nlu/test.yml, from
  `--users` users in turn) queued at once; updates/s from the first push until the
  last update was handled (its reply answered by the fake), and latency p50/p99
  (push -> reply delivered), which here is mostly waiting in the queue;
- paced: N updates pushed at `--rate`/s (below capacity): the latency one user sees;
- breakdown: where the bot's time went, per update (core in the worker thread
  including the database commit; sending the reply; the rest is PTB and polling).

`--telegram-limit` keeps Telegram's 30 messages/s (AIORateLimiter) that production
uses; by default it is lifted (overall_max_rate=0) to measure the pipeline itself.
`--telegram-rtt` makes the fake answer after that many ms, like the real Bot API
over the Internet; `--concurrency` tries `build_application(concurrency=N)`.
`--profile` prints the top functions of the core (worker thread) and of the event loop.
Both processes share CLOCK_MONOTONIC, so push and delivery times compare directly.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    FakeChild,
    Timings,
    answer,
    bench_all,
    bench_parser,
    delayed,
    paced,
    questions,
    round_summary,
    stdin_reader,
    timed_core,
    timed_send,
    wait_handled,
)

# ----- the child process: the fake Bot API, driven by JSON lines on stdin --------------------


async def serve_fake(rtt_ms: float) -> None:
    """Print the port; then per stdin line {"push": [[chat, text], ...], "rate": r} push
    (paced when rate > 0) and answer {"pushed": {update_id: time}}; {"calls": true}
    answers the sendMessage times; EOF ends. Every method but getUpdates answers after
    `rtt_ms` (the round trip to Telegram's servers)."""
    from tests.support.fake_bot_api import FakeBotApi

    reader = await stdin_reader()
    async with FakeBotApi() as api:
        if rtt_ms:
            for name in ("sendMessage", "answerCallbackQuery", "setMyCommands"):
                setattr(api, f"_api_{name}", delayed(getattr(api, f"_api_{name}"), rtt_ms))
        answer({"port": api.port, "token": api.token})
        while line := await reader.readline():
            command = json.loads(line)
            if "push" in command:
                rate = float(command.get("rate") or 0)
                pushed: dict[int, float] = {}
                async for chat, text in paced(command["push"], rate):
                    update = api.push_message(chat, text, first_name=f"Cán bộ {chat}")
                    pushed[update["update_id"]] = time.monotonic()
                answer({"pushed": pushed})
            elif "calls" in command:
                sends = api.calls_of("sendMessage")
                answer(
                    {
                        "sent": [[c.params.get("chat_id"), c.time, c.status] for c in sends],
                        "other": len(api.calls) - len(sends),
                    }
                )


class FakeProcess(FakeChild):
    """The fake Bot API in a child process (`serve_fake`)."""

    def __init__(self, rtt_ms: float = 0) -> None:
        super().__init__([sys.executable, __file__, "--serve-fake", "--telegram-rtt", str(rtt_ms)])
        self.port, self.token = self.hello["port"], self.hello["token"]


# ----- the bot side ------------------------------------------------------------------------


async def run_bot(
    assistant: Any, fake: FakeProcess, args: argparse.Namespace, profiles: dict[str, Any]
) -> dict[str, Any]:
    from telegram import Update
    from telegram.ext import TypeHandler

    from bot.channels.telegram.app import build_application
    from bot.channels.telegram.handlers import TelegramChannel

    base = f"http://127.0.0.1:{fake.port}"
    app = build_application(
        assistant,
        fake.token,
        f"{base}/bot",
        f"{base}/file/bot",
        overall_max_rate=30 if args.telegram_limit else 0,
        concurrency=args.concurrency,
    )
    channel: TelegramChannel = app.bot_data["channel"]
    handled: dict[int, float] = {}
    timings = Timings()
    worker_profile = cProfile.Profile() if args.profile else None

    original_update = channel.on_update

    async def on_update(update: Any, context: Any) -> None:
        began = time.perf_counter()
        try:
            await original_update(update, context)
        finally:
            timings.handler += time.perf_counter() - began
            timings.updates += 1

    channel.handle = timed_core(channel.handle, timings, worker_profile)  # type: ignore[method-assign,assignment]
    channel.send = timed_send(channel.send, timings)  # type: ignore[method-assign]
    # The handlers were registered with the bound method: point them at the wrapper.
    for group in app.handlers.values():
        for handler in group:
            if getattr(handler, "callback", None) == original_update:
                handler.callback = on_update

    async def mark(update: Update, context: Any) -> None:
        handled[update.update_id] = time.monotonic()

    app.add_handler(TypeHandler(Update, mark), group=1)

    def push(texts: list[str], rate: float) -> dict[int, float]:
        batch = [[10_000 + i % args.users, text] for i, text in enumerate(texts)]
        return {int(k): v for k, v in fake.ask({"push": batch, "rate": rate})["pushed"].items()}

    async def round_(texts: list[str], rate: float) -> dict[str, Any]:
        before = Timings(timings.core, timings.send, timings.handler, timings.updates)
        # Pushing runs in the child; let the loop keep polling meanwhile (paced runs).
        pushed = await asyncio.to_thread(push, texts, rate)
        await wait_handled(handled, sorted(pushed), timeout=600)
        spent = Timings(
            timings.core - before.core,
            timings.send - before.send,
            timings.handler - before.handler,
            timings.updates - before.updates,
        )
        return {**round_summary(pushed, handled), "per_update": spent.per_update_ms()}

    loop_profile = cProfile.Profile() if args.profile else None
    texts = questions(args.updates)
    async with app:
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        await app.updater.start_polling(poll_interval=0, timeout=10)
        await app.start()
        try:
            await round_(texts[: min(50, len(texts))], 0)  # warm-up: caches, connections
            if loop_profile is not None:
                loop_profile.enable()
            burst = await round_(texts, 0)
            if loop_profile is not None:
                loop_profile.disable()
            paced = await round_(texts, args.rate) if args.rate else None
        finally:
            await app.updater.stop()
            await app.stop()
    calls = fake.ask({"calls": True})
    statuses = [status for _, _, status in calls["sent"]]
    result: dict[str, Any] = {
        "burst": burst,
        "paced": {"rate_per_s": args.rate, **paced} if paced else None,
        "send_message_calls": len(statuses),
        "send_message_failed": len([s for s in statuses if s != 200]),
    }
    if worker_profile is not None and loop_profile is not None:
        profiles["core (worker thread)"] = worker_profile
        profiles["event loop (PTB, httpx, handlers)"] = loop_profile
    return result


def main() -> int:
    parser = bench_parser()
    parser.add_argument("--telegram-limit", action="store_true", help="keep 30 messages/s")
    parser.add_argument(
        "--telegram-rtt", type=float, default=0, help="ms the fake waits before answering"
    )
    parser.add_argument(
        "--concurrency", type=int, default=0, help="users handled at once (0: one update)"
    )
    args = parser.parse_args()
    settings = {
        "telegram_rate_limit": args.telegram_limit,
        "telegram_rtt_ms": args.telegram_rtt,
        "concurrency": args.concurrency,
    }
    return bench_all(args, settings, args.telegram_rtt, FakeProcess, run_bot, serve_fake)


if __name__ == "__main__":
    sys.exit(main())
