"""Benchmark nudge delivery and digests.

Usage (from the project root):
    .venv/bin/python bench/nudge_bench.py [fanout] [--users 10000] [--ptb-limiter] [--faults]
                                          [--crash-after N] [--json FILE]
    .venv/bin/python bench/nudge_bench.py digest [--agencies 500] [--users 10000] [--json FILE]
    .venv/bin/python bench/nudge_bench.py monday [--agencies 500] [--users 10000] [--json FILE]

fanout: a fresh SQLite database, N officials linked to the eight districts, duty 2.f-4
due today; one tick enqueues a "due" nudge for each, then the real drain sends them
through python-telegram-bot's Bot to the loopback fake Bot API with the real rate
limiter (30 messages/s overall, 1/s per chat). Reports the throughput against the
30/s ceiling, duplicates and losses (messages per chat as the fake API recorded
them). --ptb-limiter also puts PTB's AIORateLimiter(30/s) on the Bot, as `bot run`
does. --faults injects 429s (retry_after 1), 500s and blocked users. --crash-after N
cancels the drain after N messages, "restarts" after the lease and counts what was
sent twice (the duplicate window).

digest: N users and reports over A synthetic agencies in SQLite; times loading the
state (latest reports, users) and building the province-wide digest (text, .xlsx and
the PNG chart, cold: matplotlib's import included); then, warm, the province's chart
again and one agency's chart (what each agency manager's weekly digest draws); and the
province's text, .xlsx, quarterly .docx and chart together, warm ("province_all_s",
the issue's aim: 2 s).

monday: A synthetic departments and N users in SQLite, one in 20 a manager of one of
the pack's agencies (so A managers get a weekly digest); 2.f-4 due that Monday for the
eight districts, whose 200 officials get a "due" nudge; the Monday tick with every
manager's weekly digest, then the drain through the fake Bot API at the real pace
(30/s, 1/s a chat). Reports when the tick's last nudge and last digest went out,
counted from the tick's start (aim: the nudges within 60 s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.common import add_agencies  # noqa: E402
from bot.app import Assistant, build_assistant  # noqa: E402
from bot.application.delivery import RateLimiter  # noqa: E402
from bot.application.scheduler.service import NudgeService  # noqa: E402
from bot.channels.telegram.sender import TelegramSender  # noqa: E402
from bot.config import NudgeSettings, Settings  # noqa: E402
from bot.domain.calendar import TIMEZONE, WorkingCalendar  # noqa: E402
from bot.domain.knowledge import split_key  # noqa: E402
from bot.storage.db import session_scope  # noqa: E402
from bot.storage.models import Duty, OutboxMessage, ProgressReport, User  # noqa: E402
from tests.support.fake_bot_api import FakeBotApi  # noqa: E402

DISTRICTS = (
    "tp_bac_ninh",
    "tx_tu_son",
    "h_tien_du",
    "h_yen_phong",
    "h_que_vo",
    "h_thuan_thanh",
    "h_gia_binh",
    "h_luong_tai",
)


class FixedClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def fresh_assistant(folder: Path) -> Assistant:
    return build_assistant(Settings.from_env({"DATABASE_URL": f"sqlite:///{folder / 'bench.db'}"}))


def working_moment() -> dt.datetime:
    """10:00 on the next working day (the bench needs working hours, whatever the hour)."""
    calendar = WorkingCalendar()
    day = calendar.roll_forward(dt.datetime.now(TIMEZONE).date())
    return dt.datetime.combine(day, dt.time(10), tzinfo=TIMEZONE)


async def fanout(args: argparse.Namespace) -> dict[str, Any]:
    from telegram import Bot
    from telegram.ext import AIORateLimiter

    folder = Path(tempfile.mkdtemp(prefix="nudge-bench-"))
    assistant = fresh_assistant(folder)
    now = working_moment()
    with session_scope(assistant.sessions) as session:
        session.execute(
            insert(User),
            [
                {
                    "channel": "telegram",
                    "channel_user_id": str(10_000_000 + i),
                    "display_name": f"Cán bộ {i}",
                    "role": "official",
                    "agency_id": DISTRICTS[i % len(DISTRICTS)],
                    "created_at": now,
                }
                for i in range(args.users)
            ],
        )
        session.get_one(Duty, ("06-CT-UBND-2019", "2.f-4")).effective_due = now.date()
    # One nudge per official: no monthly check-ins in the way.
    settings = NudgeSettings(lease_seconds=60, checkin_months=0)
    result: dict[str, Any] = {"users": args.users, "ptb_limiter": args.ptb_limiter}
    async with FakeBotApi() as api:
        blocked = set()
        if args.faults:
            api.fail_next("sendMessage", retry_after=1, times=2)
            api.fail_next("sendMessage", status=500, times=3)
            blocked = {10_000_000 + i for i in range(0, args.users, max(1, args.users // 5))}
            for chat in blocked:
                api.block_user(chat)
        limiter_kw: dict[str, Any] = {}
        if args.ptb_limiter:
            limiter_kw["rate_limiter"] = AIORateLimiter(overall_max_rate=30, max_retries=3)
        clock = FixedClock(now)
        async with Bot(api.token, base_url=api.base_url, **limiter_kw) as bot:
            service = NudgeService(
                assistant, [TelegramSender(bot)], settings, clock, RateLimiter(30, 1.0)
            )
            started = time.perf_counter()
            tick = await asyncio.to_thread(service.tick)
            result["tick_seconds"] = round(time.perf_counter() - started, 3)
            result["enqueued"] = tick.inserted
            first_call = len(api.calls)
            started = time.perf_counter()
            if args.crash_after:
                task = asyncio.create_task(service.drainer.drain())
                while len(api.sent_messages()) < args.crash_after:
                    await asyncio.sleep(0.01)
                task.cancel()  # the process dies: in-flight sends and marks are lost
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                service.drainer.close()
                result["crashed_after_sent"] = len(api.sent_messages())
                clock.now = now + dt.timedelta(seconds=settings.lease_seconds + 1)
                service = NudgeService(
                    assistant, [TelegramSender(bot)], settings, clock, RateLimiter(30, 1.0)
                )
            rounds = 0
            while True:  # drain; retries come due as the (fake) clock moves on
                await service.drainer.drain()
                rounds += 1
                with session_scope(assistant.sessions) as session:
                    left = session.scalar(
                        select(OutboxMessage.next_attempt_at)
                        .where(OutboxMessage.status.in_(["pending", "sending"]))
                        .order_by(OutboxMessage.next_attempt_at)
                        .limit(1)
                    )
                if left is None or rounds > 50:
                    break
                clock.now = max(clock.now, left)
                await asyncio.sleep(0)
            elapsed = time.perf_counter() - started
            service.drainer.close()
        calls = api.calls[first_call:]
    sends = [c for c in calls if c.method == "sendMessage" and c.ok]
    per_chat = Counter(c.params["chat_id"] for c in sends)
    per_message = Counter((c.params["chat_id"], c.params["text"]) for c in sends)
    expected = {10_000_000 + i for i in range(args.users)} - blocked
    times = sorted(c.time for c in sends)
    span = times[-1] - times[0] if len(times) > 1 else elapsed
    window = [b - a for a, b in zip(times, times[30:], strict=False)]  # time per 30 sends
    with session_scope(assistant.sessions) as session:
        statuses = Counter(session.scalars(select(OutboxMessage.status)))
    result.update(
        {
            "sent_ok": len(sends),
            "seconds": round(elapsed, 2),
            "throughput_per_s": round((len(sends) - 1) / span, 2) if span else None,
            "of_ceiling_percent": round(100 * (len(sends) - 1) / span / 30, 1) if span else None,
            "fastest_30_sends_s": round(min(window), 3) if window else None,
            "median_30_sends_s": round(statistics.median(window), 3) if window else None,
            "duplicates": sum(n - 1 for n in per_message.values() if n > 1),
            "losses": len(expected - set(per_chat)),
            "blocked_users": len(blocked),
            "http_429": sum(1 for c in calls if c.status == 429),
            "http_5xx": sum(1 for c in calls if c.status >= 500),
            "outbox": dict(statuses),
        }
    )
    return result


def digest(args: argparse.Namespace) -> dict[str, Any]:
    from bot.application.digest.builder import DigestBuilder
    from bot.application.digest.chart import chart_data, to_png
    from bot.application.digest.model import build_digest
    from bot.application.digest.quarterly import to_docx
    from bot.application.digest.xlsx import to_xlsx
    from bot.application.scheduler.world import duty_plans, latest_reports, recipients

    folder = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    assistant = fresh_assistant(folder)
    now = working_moment()
    rng = random.Random(6)
    catalog = assistant.core.qa.catalog
    builder = DigestBuilder(catalog, assistant.settings.templates_dir, NudgeSettings())
    ids = [f"bench_{i:03d}" for i in range(args.agencies)]
    with session_scope(assistant.sessions) as session:
        plans = duty_plans(session, catalog)
        add_agencies(session, ids)
        session.execute(
            insert(User),
            [
                {
                    "channel": "telegram",
                    "channel_user_id": str(20_000_000 + i),
                    "display_name": f"Cán bộ {i}",
                    "role": "manager" if i % 20 == 0 else "official",
                    "agency_id": ids[i % len(ids)],
                    "created_at": now,
                }
                for i in range(args.users)
            ],
        )
        first_user = session.scalar(select(User.id).order_by(User.id).limit(1))
        # Every synthetic agency has every general duty; ~60% of them reported, some twice.
        general = [p for p in plans if set(p.agencies) >= {"sttt", "h_que_vo"} or p.due]
        reports = []
        for agency_id in ids:
            for plan in general:
                for _ in range(rng.choice((0, 0, 1, 1, 2))):
                    directive_id, duty_id = split_key(plan.duty_id)
                    reports.append(
                        {
                            "directive_id": directive_id,
                            "duty_id": duty_id,
                            "agency_id": agency_id,
                            "user_id": first_user,
                            "status": rng.choice(("in_progress", "done", "not_started", "blocked")),
                            "percent": rng.choice((0, 25, 50, 100)),
                            "blockers": "",
                            "notes": "",
                            "created_at": now - dt.timedelta(days=rng.randint(0, 400)),
                        }
                    )
        session.execute(insert(ProgressReport), reports)
    plans = [replace(p, agencies=tuple(ids)) for p in general]
    timings: dict[str, float] = {}
    with session_scope(assistant.sessions) as session:
        started = time.perf_counter()
        latest = latest_reports(session)
        users = recipients(session)
        timings["load_reports_and_users_s"] = time.perf_counter() - started
    calendar = WorkingCalendar()
    calendar.working_days_between(dt.date(2019, 1, 1), now.date())  # holidays loaded
    names = {agency_id: f"CQ {i}" for i, agency_id in enumerate(ids)}
    started = time.perf_counter()
    built = build_digest(now, plans, latest, calendar, NudgeSettings(), ids, names, "toàn tỉnh")
    timings["build_s"] = time.perf_counter() - started
    started = time.perf_counter()
    text = assistant.renderer.render(builder.reply(built))
    timings["render_text_s"] = time.perf_counter() - started
    started = time.perf_counter()
    workbook = to_xlsx(built, builder.status_labels)
    timings["xlsx_s"] = time.perf_counter() - started
    started = time.perf_counter()  # cold, like the .xlsx: matplotlib's import included
    chart = chart_data(built)
    png = to_png(chart)
    timings["chart_s"] = time.perf_counter() - started
    started = time.perf_counter()
    author = builder.catalog.agencies[NudgeSettings().quarterly_agency]
    docx = to_docx(built, 2026, 4, "", author)
    timings["docx_s"] = time.perf_counter() - started
    timings["total_s"] = sum(timings.values())
    started = time.perf_counter()  # warm: what one province digest costs now
    assistant.renderer.render(builder.reply(built))
    to_xlsx(built, builder.status_labels)
    to_docx(built, 2026, 4, "", author)
    to_png(chart_data(built))
    timings["province_all_s"] = time.perf_counter() - started
    # Warm: the province's chart again, and one agency's (each manager's weekly digest).
    warm: dict[str, float] = {}
    started = time.perf_counter()
    to_png(chart_data(built))
    warm["chart_warm_s"] = time.perf_counter() - started
    per_agency = []
    for agency_id in ids[:10]:
        own = build_digest(now, plans, latest, calendar, NudgeSettings(), [agency_id], names, "")
        started = time.perf_counter()
        one_png = to_png(chart_data(own))
        per_agency.append(time.perf_counter() - started)
    warm["chart_one_agency_median_s"] = statistics.median(per_agency)
    return {
        "agencies": args.agencies,
        "users": len(users),
        "reports": len(reports),
        "latest_reports": len(latest),
        "rows": len(built.rows),
        "text_chars": len(text),
        "xlsx_bytes": len(workbook),
        "docx_bytes": len(docx),
        "chart_bars": len(chart.bars),
        "chart_hidden": chart.hidden,
        "png_bytes": len(png),
        "png_one_agency_bytes": len(one_png),
        **{k: round(v, 3) for k, v in timings.items()},
        **{k: round(v, 3) for k, v in warm.items()},
    }


async def monday(args: argparse.Namespace) -> dict[str, Any]:
    from telegram import Bot

    folder = Path(tempfile.mkdtemp(prefix="monday-bench-"))
    calendar = WorkingCalendar()
    day = calendar.roll_forward(dt.datetime.now(TIMEZONE).date())
    while day.weekday() != 0 or not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    now = dt.datetime.combine(day, dt.time(8, 30), tzinfo=TIMEZONE)
    ids = [f"bench_{i:03d}" for i in range(args.agencies)]
    first = fresh_assistant(folder)
    # The managers lead the pack's agencies (the digest's scopes; several to one agency).
    from bot.application.digest.builder import DigestBuilder

    real = DigestBuilder(
        first.core.qa.catalog, first.settings.templates_dir, NudgeSettings()
    ).all_agencies()
    officials = 200  # the districts' officials, nudged about 2.f-4 due today
    with session_scope(first.sessions) as session:
        add_agencies(session, ids)
        session.execute(
            insert(User),
            [
                {
                    "channel": "telegram",
                    "channel_user_id": str(30_000_000 + i),
                    "display_name": f"Cán bộ {i}",
                    "role": "official" if i < officials or i % 20 else "manager",
                    "agency_id": DISTRICTS[i % len(DISTRICTS)]
                    if i < officials
                    else (ids[i % len(ids)] if i % 20 else real[(i // 20) % len(real)]),
                    "created_at": now,
                }
                for i in range(args.users)
            ],
        )
        session.get_one(Duty, ("06-CT-UBND-2019", "2.f-4")).effective_due = day
    assistant = fresh_assistant(folder)  # its catalog has the synthetic departments
    nudged = {30_000_000 + i for i in range(officials)}
    settings = NudgeSettings(lease_seconds=120, checkin_months=0)
    result: dict[str, Any] = {"agencies": args.agencies, "users": args.users}
    async with FakeBotApi() as api, Bot(api.token, base_url=api.base_url) as bot:
        clock = FixedClock(now)
        service = NudgeService(
            assistant, [TelegramSender(bot)], settings, clock, RateLimiter(30, 1.0)
        )
        started = time.monotonic()
        tick, _ = await service.run_once()
        result["digests_queued"] = tick.digests
        for _ in range(20):
            with session_scope(assistant.sessions) as session:
                left = session.scalar(
                    select(OutboxMessage.id)
                    .where(OutboxMessage.status.in_(["pending", "sending"]))
                    .limit(1)
                )
            if left is None:
                break
            await service.drainer.drain()
        service.drainer.close()
        sends = [c for c in api.calls if c.ok and c.method.startswith("send")]
    nudges = [c.time - started for c in sends if int(c.params["chat_id"]) in nudged]
    digests = [c.time - started for c in sends if int(c.params["chat_id"]) not in nudged]
    with session_scope(assistant.sessions) as session:
        statuses = Counter(session.scalars(select(OutboxMessage.status)))
    result.update(
        {
            "nudges_sent": len(nudges),
            "first_nudge_s": round(min(nudges), 1) if nudges else None,
            "last_nudge_s": round(max(nudges), 1) if nudges else None,
            "digest_parts_sent": len(digests),
            "first_digest_part_s": round(min(digests), 1) if digests else None,
            "last_digest_part_s": round(max(digests), 1) if digests else None,
            "outbox": dict(statuses),
        }
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="?", choices=["fanout", "digest", "monday"], default="fanout")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--ptb-limiter", action="store_true", help="fanout: AIORateLimiter too")
    parser.add_argument("--faults", action="store_true", help="fanout: 429s, 500s, blocked")
    parser.add_argument("--crash-after", type=int, default=0, help="fanout: kill, restart")
    parser.add_argument("--agencies", type=int, default=500, help="digest: agencies")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.what == "digest":
        result = digest(args)
    else:
        result = asyncio.run(fanout(args) if args.what == "fanout" else monday(args))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
