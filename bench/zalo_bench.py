"""Benchmark the Zalo channel end to end: fake Zalo API -> ZaloRunner -> core -> DB -> sendMessage.

Usage (from the project root):
    .venv/bin/python bench/zalo_bench.py [--updates 1000] [--users 50] [--rate 50]
        [--db sqlite,postgresql | --database-url URL] [--zalo-rtt MS]
        [--poll-timeout S] [--profile] [--json bench/results/zalo.json]

The fake Zalo Bot API (tests/support/fake_zalo_api.py) runs in a child process, like
Zalo on another machine, so it does not take the bot's CPU. The bot runs the real
`ZaloRunner` (what `bot run` starts: getMe, deleteWebhook, then long polling) against
it, on a fresh database.

For each database it measures
- burst: all N updates (questions from the held-out NLU set data/nlu/test.yml, from
  `--users` users in turn) queued at once; updates/s from the first push until the
  last reply's sendMessage arrived at the fake, and latency p50/p99 (push -> the
  update's last sendMessage arriving at the fake), which here is mostly waiting in
  the queue;
- paced: N updates pushed at `--rate`/s: the latency one user sees;
- breakdown: where the bot's time went, per update (core in the worker thread
  including the database commit; sending the reply; the whole handler; and the
  getUpdates call that brought the update: in the burst run one loopback round trip
  per update, in the paced run mostly waiting for the next push).

Why the burst number is what it is: Zalo's getUpdates hands out ONE update per call
and has no offset (the real platform, which the fake copies), and the runner's loop
(bot/channels/zalo/polling.py) handles each update before it asks for the next one, so
one user's messages keep their order. Every update therefore costs, one after the
other, a getUpdates round trip + the core + a sendMessage round trip; nothing
overlaps, so throughput is 1 / (that sum) and cannot use the second core. Telegram's
getUpdates hands out up to 100 updates per call and python-telegram-bot fetches the
next batch while handlers run, so its polling cost is shared by a whole batch. Here
the round trips are loopback (about a millisecond); against Zalo's servers each one
is an Internet round trip, which `--zalo-rtt` adds to every method (getUpdates
included) to show what that does to the ceiling.

Replies are matched to updates by order: the bot records how many sendMessage calls
each update made, and the fake records every call in the order it arrived (updates
are handled, and their messages sent, one at a time). Both processes share
CLOCK_MONOTONIC, so push and arrival times compare directly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import cProfile
import dataclasses
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

USER_IDS = 0x6EDE9AFA66B88FE60000  # user n is this + n, as 20 hex digits like Zalo's ids
HOLD_S = 600.0  # the fake holds an empty getUpdates this long at most (the bot asks less)
DELAYED_METHODS = ("getMe", "deleteWebhook", "getUpdates", "sendMessage")

# ----- the child process: the fake Zalo Bot API, driven by JSON lines on stdin ---------------


async def serve_fake(rtt_ms: float) -> None:
    """Print the port; then per stdin line {"push": [[user, text], ...], "rate": r} push
    (paced when rate > 0) and answer {"pushed": {message_id: time}}; {"calls": true}
    answers the sendMessage calls (chat, arrival time, error code) in arrival order and
    counts the others; EOF ends. Every method answers after `rtt_ms` (the round trip to
    Zalo's servers)."""
    from tests.support.fake_zalo_api import FakeZaloApi

    reader = await stdin_reader()
    async with FakeZaloApi(no_update_wait=HOLD_S) as api:
        if rtt_ms:
            for name in DELAYED_METHODS:
                setattr(api, f"_api_{name}", delayed(getattr(api, f"_api_{name}"), rtt_ms))
        answer({"port": api.port, "token": api.token})
        while line := await reader.readline():
            command = json.loads(line)
            if "push" in command:
                rate = float(command.get("rate") or 0)
                pushed: dict[str, float] = {}
                async for user, text in paced(command["push"], rate):
                    update = api.push_text(user, text, display_name=f"Cán bộ {user[-2:]}")
                    pushed[update["message"]["message_id"]] = time.monotonic()
                answer({"pushed": pushed})
            elif "calls" in command:
                sends = api.calls_of("sendMessage")
                polls = api.calls_of("getUpdates")
                answer(
                    {
                        "sent": [[c.params.get("chat_id"), c.time, c.error_code] for c in sends],
                        "get_updates": len(polls),
                        "get_updates_empty": len([c for c in polls if c.error_code == 408]),
                        "other": len(api.calls) - len(sends) - len(polls),
                    }
                )


class FakeProcess(FakeChild):
    """The fake Zalo Bot API in a child process (`serve_fake`)."""

    def __init__(self, rtt_ms: float = 0) -> None:
        super().__init__([sys.executable, __file__, "--serve-fake", "--zalo-rtt", str(rtt_ms)])
        self.port, self.token = self.hello["port"], self.hello["token"]


# ----- the bot side ------------------------------------------------------------------------


@dataclasses.dataclass
class ZaloTimings(Timings):
    """`Timings` and the getUpdates calls that brought an update."""

    get_updates: float = 0.0

    def per_update_ms(self) -> dict[str, float]:
        n = max(1, self.updates)
        return {**super().per_update_ms(), "get_updates_ms": round(self.get_updates / n * 1000, 3)}

    def since(self, before: ZaloTimings) -> ZaloTimings:
        return ZaloTimings(
            self.core - before.core,
            self.send - before.send,
            self.handler - before.handler,
            self.updates - before.updates,
            self.get_updates - before.get_updates,
        )


async def run_bot(
    assistant: Any, fake: FakeProcess, args: argparse.Namespace, profiles: dict[str, Any]
) -> dict[str, Any]:
    from bot.channels.zalo.runner import ZaloRunner
    from bot.channels.zalo.updates import message_id

    settings = dataclasses.replace(
        assistant.settings, zalo_token=fake.token, zalo_base_url=f"http://127.0.0.1:{fake.port}"
    )
    runner = ZaloRunner(settings, assistant, poll_timeout=args.poll_timeout)
    channel, client = runner.channel, runner.client
    handled: dict[str, float] = {}  # message id -> when the bot was done with it
    # (chat, message id) of every sendMessage the bot made, in order. Updates of different
    # users are handled at once, so a send is tied to its update by a context variable;
    # one chat's sends reach the fake in the order the bot made them.
    sent: list[tuple[str, str]] = []
    current: contextvars.ContextVar[str] = contextvars.ContextVar("update", default="")
    timings = ZaloTimings()
    worker_profile = cProfile.Profile() if args.profile else None

    original_handle = channel.handle
    original_get_updates, original_send_message = client.get_updates, client.send_message

    async def handle(update: Any) -> None:
        began, key = time.perf_counter(), message_id(update) or ""
        current.set(key)
        try:
            await original_handle(update)
        finally:
            timings.handler += time.perf_counter() - began
            timings.updates += 1
            handled[key] = time.monotonic()

    async def get_updates(*a: Any, **k: Any) -> list[dict[str, Any]]:
        began = time.perf_counter()
        updates = await original_get_updates(*a, **k)
        if updates:  # an empty poll brought nothing: not an update's cost
            timings.get_updates += time.perf_counter() - began
        return updates

    async def send_message(chat_id: str, text: str) -> dict[str, Any]:
        sent.append((chat_id, current.get()))
        return await original_send_message(chat_id, text)

    channel.answer = timed_core(channel.answer, timings, worker_profile)  # type: ignore[method-assign,assignment]
    channel.sender.send = timed_send(channel.sender.send, timings)  # type: ignore[method-assign]
    # The runner hands `channel.handle` to the polling loop in start(): patch before that.
    channel.handle = handle  # type: ignore[method-assign]
    client.get_updates = get_updates  # type: ignore[method-assign]
    client.send_message = send_message  # type: ignore[method-assign]

    def push(texts: list[str], rate: float) -> dict[str, float]:
        batch = [[f"{USER_IDS + i % args.users:020x}", text] for i, text in enumerate(texts)]
        result: dict[str, float] = fake.ask({"push": batch, "rate": rate})["pushed"]
        return result

    def delivered(ids: list[str]) -> dict[str, float]:
        """When each update's last sendMessage arrived at the fake (those that sent one):
        the bot's sends and the fake's calls matched chat by chat, in order."""
        at_fake = fake.ask({"calls": True})["sent"]
        arrivals: dict[str, list[float]] = {}
        for chat, when, _ in at_fake:
            arrivals.setdefault(chat, []).append(when)
        made: dict[str, list[str]] = {}
        for chat, key in sent:
            made.setdefault(chat, []).append(key)
        if {c: len(k) for c, k in made.items()} != {c: len(w) for c, w in arrivals.items()}:
            raise RuntimeError("the fake's sendMessage calls do not match the bot's")
        last: dict[str, float] = {}
        for chat, keys in made.items():
            for key, when in zip(keys, arrivals[chat], strict=True):
                last[key] = when  # the update's last send is its reply's end
        wanted = set(ids)
        return {key: when for key, when in last.items() if key in wanted}

    async def round_(texts: list[str], rate: float) -> dict[str, Any]:
        before = dataclasses.replace(timings)
        # Pushing runs in the child; let the loop keep polling meanwhile (paced runs).
        pushed = await asyncio.to_thread(push, texts, rate)
        ids = sorted(pushed)
        await wait_handled(handled, ids, timeout=600)
        done = await asyncio.to_thread(delivered, ids)
        answered = {i: pushed[i] for i in ids if i in done}
        return {
            **round_summary(answered, done),
            "updates_without_reply": len(ids) - len(answered),
            "per_update": timings.since(before).per_update_ms(),
        }

    loop_profile = cProfile.Profile() if args.profile else None
    texts = questions(args.updates)
    await runner.start()
    try:
        await round_(texts[: min(50, len(texts))], 0)  # warm-up: caches, connections
        if loop_profile is not None:
            loop_profile.enable()
        burst = await round_(texts, 0)
        if loop_profile is not None:
            loop_profile.disable()
        paced = await round_(texts, args.rate) if args.rate else None
    finally:
        await runner.stop()
    calls = fake.ask({"calls": True})
    codes = [code for _, _, code in calls["sent"]]
    result: dict[str, Any] = {
        "burst": burst,
        "paced": {"rate_per_s": args.rate, **paced} if paced else None,
        "send_message_calls": len(codes),
        "send_message_failed": len([c for c in codes if c != 0]),
        "get_updates_calls": calls["get_updates"],
        "get_updates_empty": calls["get_updates_empty"],
    }
    if worker_profile is not None and loop_profile is not None:
        profiles["core (worker thread)"] = worker_profile
        profiles["event loop (polling, httpx, channel)"] = loop_profile
    return result


def main() -> int:
    parser = bench_parser()
    parser.add_argument(
        "--zalo-rtt", type=float, default=0, help="ms the fake waits before answering"
    )
    parser.add_argument(
        "--poll-timeout", type=int, default=30, help="getUpdates' timeout (s), as `bot run`"
    )
    args = parser.parse_args()
    settings = {"zalo_rtt_ms": args.zalo_rtt, "poll_timeout_s": args.poll_timeout}
    return bench_all(args, settings, args.zalo_rtt, FakeProcess, run_bot, serve_fake)


if __name__ == "__main__":
    sys.exit(main())
