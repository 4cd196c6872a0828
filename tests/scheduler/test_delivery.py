"""Delivery through the real python-telegram-bot Bot against the fake Bot API:
429 honoured, 5xx retried with backoff, a blocked user marked and not retried; and
the rate limiter's arithmetic."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.app import Assistant
from bot.application.delivery import RateLimiter
from bot.application.scheduler.service import NudgeService
from bot.channels.telegram.sender import TelegramSender
from bot.config import NudgeSettings
from bot.storage.db import session_scope
from bot.storage.models import Duty, OutboxMessage, User
from tests.scheduler.conftest import Clock, add_user, add_users, at
from tests.support.fake_bot_api import FakeBotApi

SETTINGS = NudgeSettings(per_chat_interval=0, backoff_base=5)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        yield bot


def setup_nudges(assistant: Assistant, chats: list[str]) -> None:
    """2.f-4 due Friday 4/12/2026 for the districts; one official per chat in Quế Võ."""
    add_users(assistant, *[(chat, "h_que_vo", "official") for chat in chats])
    with session_scope(assistant.sessions) as session:
        session.get_one(Duty, ("06-CT-UBND-2019", "2.f-4")).effective_due = dt.date(2026, 12, 4)


def rows(assistant: Assistant) -> list[OutboxMessage]:
    with session_scope(assistant.sessions) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_nudges_go_out_with_their_buttons(
    assistant: Assistant, api: FakeBotApi, bot: Bot
) -> None:
    setup_nudges(assistant, ["501", "502"])
    clock = Clock(at("2026-12-01", "08:00"))  # remind-3
    service = NudgeService(assistant, [TelegramSender(bot)], SETTINGS, clock, RateLimiter(0, 0))
    result, stats = await service.run_once()
    assert (result.inserted, stats.sent) == (2, 2)
    sent = api.sent_messages(501)
    assert len(sent) == 1 and "Còn 3 ngày làm việc" in sent[0]["text"]
    keyboard = sent[0]["reply_markup"]["inline_keyboard"]
    assert [[b["callback_data"] for b in row] for row in keyboard] == [
        ["/baocao 2.f-4", "/xong 2.f-4"],
        ["/nhaclai 2.f-4 1", "/nhaclai 2.f-4 3"],
    ]
    again, stats = await service.run_once()  # the next tick: nothing new
    assert (again.inserted, stats.sent) == (0, 0)
    assert len(api.sent_messages()) == 2
    service.drainer.close()


async def test_429_retry_after_is_honoured(assistant: Assistant, api: FakeBotApi, bot: Bot) -> None:
    setup_nudges(assistant, ["501"])
    clock = Clock(at("2026-12-01", "08:00"))
    limiter = RateLimiter(0, 0)
    service = NudgeService(assistant, [TelegramSender(bot)], SETTINGS, clock, limiter)
    api.fail_next("sendMessage", retry_after=7)
    _, stats = await service.run_once()
    assert (stats.rate_limited, stats.sent) == (1, 0)
    [row] = rows(assistant)
    assert row.status == "pending" and row.attempts == 0  # a 429 is not the message's fault
    assert row.next_attempt_at == clock() + dt.timedelta(seconds=7)
    assert limiter._next >= limiter.monotonic() + 6  # every send waits, not just this one
    limiter._next = 0.0  # (the test does not sleep 7 s)
    clock.advance(seconds=6)
    assert (await service.drainer.drain()).sent == 0
    clock.advance(seconds=1)
    assert (await service.drainer.drain()).sent == 1
    assert rows(assistant)[0].status == "sent"
    service.drainer.close()


async def test_server_errors_are_retried_with_backoff(
    assistant: Assistant, api: FakeBotApi, bot: Bot
) -> None:
    setup_nudges(assistant, ["501"])
    clock = Clock(at("2026-12-01", "08:00"))
    service = NudgeService(assistant, [TelegramSender(bot)], SETTINGS, clock, RateLimiter(0, 0))
    api.fail_next("sendMessage", status=500, times=2)
    _, stats = await service.run_once()
    assert stats.retried == 1
    assert rows(assistant)[0].next_attempt_at == clock() + dt.timedelta(seconds=5)
    clock.advance(seconds=5)
    assert (await service.drainer.drain()).retried == 1
    assert rows(assistant)[0].next_attempt_at == clock() + dt.timedelta(seconds=10)
    clock.advance(seconds=10)
    assert (await service.drainer.drain()).sent == 1
    [row] = rows(assistant)
    assert (row.status, row.attempts) == ("sent", 2)  # attempts: the failed sends
    assert "Internal Server Error" in (row.last_error or "")
    assert len(api.sent_messages(501)) == 1
    service.drainer.close()


async def test_a_blocked_user_is_marked_and_not_retried(
    assistant: Assistant, api: FakeBotApi, bot: Bot
) -> None:
    setup_nudges(assistant, ["501", "502"])
    clock = Clock(at("2026-12-01", "08:00"))
    service = NudgeService(assistant, [TelegramSender(bot)], SETTINGS, clock, RateLimiter(0, 0))
    api.block_user(502)
    _, stats = await service.run_once()
    assert (stats.sent, stats.blocked) == (1, 1)
    with session_scope(assistant.sessions) as session:
        user = session.scalars(select(User).where(User.channel_user_id == "502")).one()
        assert user.blocked_at == clock()
    calls = len(api.calls_of("sendMessage"))
    clock.advance(days=2)  # remind-1 on Thursday 3/12: not for the blocked user
    result, stats = await service.run_once()
    assert (result.inserted, stats.sent, stats.blocked) == (1, 1, 0)
    assert len(api.calls_of("sendMessage")) == calls + 1
    assert [r.status for r in rows(assistant) if r.address == "502"] == ["failed"]
    service.drainer.close()


async def test_rate_limiter_spacing() -> None:
    """30/s overall and 1/s per chat, in virtual time (the fake sleep moves the clock)."""
    now = [0.0]

    async def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(30, 1.0, monotonic=lambda: now[0], sleep=fake_sleep)
    starts: list[tuple[float, str]] = []
    for i in range(90):
        chat = f"c{i % 3}" if i < 6 else f"u{i}"
        await limiter.acquire(chat)
        starts.append((now[0], chat))
    times = [t for t, _ in starts]
    assert all(b - a >= 1 / 30 - 1e-9 for a, b in itertools.pairwise(times))
    by_chat: dict[str, list[float]] = {}
    for t, chat in starts:
        by_chat.setdefault(chat, []).append(t)
    assert all(b - a >= 1.0 - 1e-9 for ts in by_chat.values() for a, b in itertools.pairwise(ts))
    assert times[-1] < 90 / 30 + 1.1  # the busy chats did not hold the others back much
    limiter.pause(5)
    before = now[0]
    await limiter.acquire("x")
    assert now[0] - before >= 5


async def test_drain_stops_in_time_and_gives_back_what_it_did_not_try(
    assistant: Assistant, api: FakeBotApi, bot: Bot
) -> None:
    setup_nudges(assistant, [str(600 + i) for i in range(10)])
    clock = Clock(at("2026-12-01", "08:00"))
    service = NudgeService(
        assistant,
        [TelegramSender(bot)],
        NudgeSettings(per_chat_interval=0, batch_size=4),
        clock,
        RateLimiter(20, 0),  # 10 messages take 0.5 s
    )
    await asyncio.to_thread(service.tick)
    stats = await service.drainer.drain(max_seconds=0.2)
    assert 0 < stats.sent < 10
    assert (
        stats.sent + stats.released + (stats.claimed - stats.sent - stats.released) == stats.claimed
    )
    rest = await service.drainer.drain()
    assert stats.sent + rest.sent == 10
    assert len(api.sent_messages()) == 10
    service.drainer.close()


async def test_weekly_digest_goes_out_as_text_chart_and_workbook(
    assistant: Assistant, api: FakeBotApi, bot: Bot
) -> None:
    """One outbox row: the text, then the chart (sendPhoto), then the .xlsx; a failed
    part sends the row again as a whole, and a sent row is never sent again."""
    add_users(assistant, ("901", "h_que_vo", "manager"), ("902", "ubnd_tinh", "manager"))
    clock = Clock(at("2026-12-14", "08:00"))  # Monday: the weekly digest
    service = NudgeService(assistant, [TelegramSender(bot)], SETTINGS, clock, RateLimiter(0, 0))
    api.fail_next("sendPhoto", status=500)  # the first chart fails: its row is retried
    result, stats = await service.run_once()
    assert result.digests == 2
    [failed] = [c.params["chat_id"] for c in api.calls_of("sendPhoto") if not c.ok]
    other = ({901, 902} - {failed}).pop()
    statuses = {r.address: r.status for r in rows(assistant) if r.kind == "digest"}
    assert statuses == {str(failed): "pending", str(other): "sent"}
    clock.advance(seconds=5)
    await service.drainer.drain()
    assert {r.status for r in rows(assistant) if r.kind == "digest"} == {"sent"}
    for chat, scope in ((901, "Huyện Quế Võ"), (902, "toàn tỉnh")):
        calls = [
            c
            for c in api.calls
            if c.ok and c.params.get("chat_id") == chat and c.method.startswith("send")
        ]
        # The failed attempt had sent its text already: the row went again as a whole.
        again = ["sendMessage"] if chat == failed else []
        assert [c.method for c in calls] == [*again, "sendMessage", "sendPhoto", "sendDocument"]
        text, photo, document = calls[-3:]
        assert f"Tổng hợp thực hiện Chỉ thị 06/CT-UBND — {scope}" in text.params["text"]
        upload = photo.files["photo"]
        assert upload.filename == "bieu-do-chi-thi-06-20261214.png"
        assert upload.content.startswith(b"\x89PNG\r\n\x1a\n") and len(upload.content) > 5_000
        assert photo.params["caption"] == f"Tỷ lệ hoàn thành theo cơ quan — {scope}"
        assert document.files["document"].filename == "tong-hop-chi-thi-06-20261214.xlsx"
    again, stats = await service.run_once()  # the next tick: nothing new, nothing resent
    assert (again.digests, stats.sent) == (0, 0)
    assert len(api.calls_of("sendPhoto", ok_only=True)) == 2
    service.drainer.close()


async def test_no_nudge_is_queued_for_a_channel_that_cannot_receive_one(
    assistant: Assistant, bot: Bot
) -> None:
    """A console user linked to an agency is not pushed to: the console has no sender."""
    setup_nudges(assistant, ["501"])
    with session_scope(assistant.sessions) as session:
        add_user(session, "local", "h_que_vo", "official", channel="console")
    clock = Clock(at("2026-12-01", "08:00"))
    service = NudgeService(assistant, [TelegramSender(bot)], SETTINGS, clock, RateLimiter(0, 0))
    result, _ = await service.run_once()
    assert result.inserted == 1
    assert [r.channel for r in rows(assistant)] == ["telegram"]
    service.drainer.close()
