"""The outbox's crash window, measured: `bot run` killed with SIGKILL while it sends.

Usage (from the project root):
    .venv/bin/python bench/crash_bench.py [--messages 600] [--crashes 3] [--rtt-ms 100]
        [--accepted-at 0.5] [--lease 10] [--in-flight 4] [--db sqlite,postgresql]
        [--json FILE]

A fresh database holds `--messages` messages in its outbox, one per user, each with
its own text. A real `bot run --channel telegram` drains them through the fake Bot
API (tests/support/fake_bot_api.py, in this process), which answers every call after
a round trip of `--rtt-ms` and acts on it `--accepted-at` of the way through (0.5:
the request and the answer each take half). Like a real server, it acts on a request
whose sender died after writing it. The bot process is killed with SIGKILL
`--crashes` times, evenly through the queue, and started again at once. At the end:
every message delivered at least once (losses), how many were delivered twice and
after which crash (duplicates: the request was on its way or answered, but the
process died before it recorded the delivery), the rows the dead process held
(claimed, taken again when their lease of `--lease` seconds ends), the time until the
last message went out and the most messages in any one second.

Expect about (send rate x round trip) duplicates per crash, and never more than
NUDGE_SENDS_IN_FLIGHT (`--in-flight`): the sends under way when the process died.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
    held_rows,
    losses,
    on_each_database,
    outbox_counts,
    peak_per_second,
    queue_messages,
    sent_texts,
    wait_until_sent,
)
from tests.support.fake_bot_api import FakeBotApi  # noqa: E402


async def crash_run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    queue_messages(url, args.messages)
    latency = args.rtt_ms / 1000
    async with FakeBotApi(latency=latency, accepted_at=args.accepted_at) as api:
        environment = bot_environment(
            url,
            api,
            NUDGE_TICK_SECONDS=1,
            NUDGE_LEASE_SECONDS=args.lease,
            NUDGE_SENDS_IN_FLIGHT=args.in_flight,
        )
        crashes: list[dict[str, Any]] = []
        started = time.monotonic()
        bot = BotProcess("bot-1", environment)
        await bot.start()
        dead: set[tuple[int, str]] = set()  # rows dead processes held, by claim
        for n in range(1, args.crashes + 1):
            await wait_until_sent(api, args.messages * n // (args.crashes + 1), timeout=300)
            killed_at = bot.kill()
            await bot.stop()
            held = held_rows(url) - dead  # not those of an earlier crash still leased
            dead |= held
            crashes.append({"at": killed_at, "sent_before": distinct_sent(api), "held": len(held)})
            bot = BotProcess(f"bot-{n + 1}", environment)
            await bot.start()
        await wait_until_sent(api, args.messages, timeout=args.lease * 4 + 300)
        finished = time.monotonic()
        await asyncio.sleep(1.5)  # a late duplicate would come now
        await bot.stop()
        sends = sent_texts(api)
    # A duplicate belongs to the crash nearest its first delivery: the dead process had
    # sent it (the request may even arrive just after the crash: one it had written
    # reaches the platform all the same, as it would reach Telegram) and not recorded it.
    first: dict[str, float] = {}
    for crash in crashes:
        crash["duplicates"], crash["farthest_s"] = 0, 0.0
    for at, text in sends:
        if text not in first:
            first[text] = at
            continue
        crash = min(crashes, key=lambda c: abs(c["at"] - first[text]))
        crash["duplicates"] += 1
        crash["farthest_s"] = max(crash["farthest_s"], abs(crash["at"] - first[text]))
    return {
        "messages": args.messages,
        "delivered": len({text for _, text in sends}),
        "losses": losses(api, args.messages),
        "duplicates": duplicates(api),
        "duplicates_per_crash": [c["duplicates"] for c in crashes],
        # How far from its crash a duplicate's first delivery was (about a round trip).
        "duplicate_first_sent_within_s_of_its_crash": max(
            (round(c["farthest_s"], 3) for c in crashes), default=0.0
        ),
        "held_by_the_dead_process": [c["held"] for c in crashes],
        "sent_before_each_crash": [c["sent_before"] for c in crashes],
        "seconds_to_deliver_all": round(finished - started, 1),
        "peak_per_second": peak_per_second(at for at, _ in sends),
        "outbox": outbox_counts(url),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--crashes", type=int, default=3)
    parser.add_argument("--rtt-ms", type=float, default=100)
    parser.add_argument("--accepted-at", type=float, default=0.5)
    parser.add_argument("--lease", type=float, default=10, help="NUDGE_LEASE_SECONDS")
    parser.add_argument("--in-flight", type=int, default=4, help="NUDGE_SENDS_IN_FLIGHT")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "rtt_ms": args.rtt_ms,
        "accepted_at": args.accepted_at,
        "crashes": args.crashes,
        "lease_s": args.lease,
        "sends_in_flight": args.in_flight,
    }
    on_each_database(crash_run, args, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
