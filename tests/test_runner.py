"""`bot run`: every channel with a token in one process, one scheduler, end to end
against the fake Zalo and Telegram Bot APIs on loopback."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Assistant, build_assistant
from bot.application import accounts
from bot.channels.telegram.runner import TelegramRunner
from bot.channels.zalo.runner import ZaloRunner
from bot.config import NudgeSettings, Settings
from bot.runner import ChannelRunner, run, serve
from bot.storage.db import session_scope
from bot.storage.models import Duty, OutboxMessage, ProgressReport, User
from tests.scheduler.conftest import at
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_zalo_api import FakeZaloApi

OFFICIAL = "5a0e1c2b3d4f"  # a Zalo user id
NO_NUDGES = NudgeSettings(enabled=False)


def test_no_token_explains_how_to_get_one_for_zalo_and_telegram() -> None:
    out = io.StringIO()
    assert run(Settings.from_env({}), build_assistant, out=out) == 2
    text = out.getvalue()
    assert "Zalo Bot Manager" in text and "ZALO_BOT_TOKEN" in text
    assert "@BotFather" in text and "TELEGRAM_BOT_TOKEN" in text
    assert ".env" in text and "bot chat" in text
    out = io.StringIO()
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x"})
    assert run(settings, build_assistant, only="zalo", out=out) == 2
    assert "Chưa khai báo ZALO_BOT_TOKEN" in out.getvalue()


def test_a_telegram_webhook_needs_a_secret() -> None:
    out = io.StringIO()
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/tg"}
    )
    assert run(settings, build_assistant, out=out) == 2
    assert "TELEGRAM_WEBHOOK_SECRET" in out.getvalue()
    bad = dataclasses.replace(settings, telegram_webhook_secret="có dấu cách")
    assert run(bad, build_assistant, out=io.StringIO()) == 2


@asynccontextmanager
async def serving(
    assistant: Assistant,
    runners: list[ChannelRunner],
    nudges: NudgeSettings = NO_NUDGES,
    clock: Callable[[], dt.datetime] | None = None,
) -> AsyncIterator[io.StringIO]:
    """`serve` in the background until the block ends."""
    out, stop = io.StringIO(), asyncio.Event()
    extra = {"clock": clock} if clock else {}
    task = asyncio.create_task(
        serve(assistant, runners, nudges, out, stop=stop, first_tick=0.05, **extra)
    )
    for _ in range(200):
        if "đang chạy" in out.getvalue() or task.done():
            break
        await asyncio.sleep(0.02)
    assert "Trợ lý đang chạy trên" in out.getvalue(), out.getvalue()
    try:
        yield out
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 10) == 0


def zalo_settings(assistant: Assistant, api: FakeZaloApi) -> Settings:
    return dataclasses.replace(assistant.settings, zalo_token=api.token, zalo_base_url=api.base_url)


async def say(api: FakeZaloApi, text: str, user: str = OFFICIAL) -> str:
    """A user's message, and the assistant's answer (every part of it, joined)."""
    before = len(api.sent_messages(user))
    api.push_text(user, text)
    await api.wait_for(
        "sendMessage", count=before + 1, predicate=lambda c: c.params["chat_id"] == user
    )
    await asyncio.sleep(0.05)  # the rest of a multi-part answer
    return "\n".join(m["text"] for m in api.sent_messages(user)[before:])


async def test_zalo_answers_links_and_takes_a_report_typed_only(
    assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with session_scope(assistant.sessions) as session:
        code = accounts.create_invite(session, "snv", "official").code
    async with FakeZaloApi(no_update_wait=0.05) as api:
        runner = ZaloRunner(zalo_settings(assistant, api), assistant, poll_timeout=1)
        async with serving(assistant, [runner]) as out:
            assert "Zalo (long polling)" in out.getvalue()
            answer = await say(api, "ai ky chi thi 06")  # no diacritics
            assert "Mục" in answer or "Chỉ thị" in answer
            assert "Đã liên kết tài khoản" in await say(api, f"/start {code}")
            assert "Anh/Chị nhắn số thứ tự để chọn" in await say(api, "/baocao")
            assert "Tình trạng" in await say(api, "1")
            assert "phần trăm" in await say(api, "đang thực hiện")
            assert "vướng mắc" in await say(api, "40")
            await say(api, "Chờ kinh phí")
            await say(api, "bỏ qua")
            assert "Đã lưu báo cáo số" in await say(api, "ok")
        assert api.calls_of("deleteWebhook")  # polling and a webhook exclude each other
    with session_scope(assistant.sessions) as session:
        report = session.scalars(select(ProgressReport)).one()
        user = session.get_one(User, report.user_id)
    assert (user.channel, user.channel_user_id) == ("zalo", OFFICIAL)
    assert (report.status, report.percent, report.blockers) == ("in_progress", 40, "Chờ kinh phí")
    everything = caplog.text + out.getvalue() + repr([c.params for c in api.calls])
    assert api.token not in everything and api.token.split(":")[1] not in caplog.text


async def test_one_scheduler_sends_a_zalo_nudge_once_through_429_and_5xx(
    assistant: Assistant,
) -> None:
    with session_scope(assistant.sessions) as session:
        session.add(
            User(
                channel="zalo",
                channel_user_id=OFFICIAL,
                display_name="Cán bộ",
                role="official",
                agency_id="h_que_vo",
            )
        )
        session.get_one(Duty, ("06-CT-UBND-2019", "2.f-4")).effective_due = dt.date(2026, 12, 4)
    start, started = at("2026-12-04", "10:00"), time.monotonic()  # the deadline, at work

    def clock() -> dt.datetime:  # runs at the speed of real time (retries wait in it)
        return start + dt.timedelta(seconds=time.monotonic() - started)

    nudges = NudgeSettings(tick_seconds=0.5, backoff_base=0.05, backoff_cap=0.1)
    async with FakeZaloApi(no_update_wait=0.05) as api:
        api.fail_next_html("sendMessage", 429)
        api.fail_next("sendMessage", 500)
        runner = ZaloRunner(zalo_settings(assistant, api), assistant, poll_timeout=1)
        async with serving(assistant, [runner], nudges, clock) as out:
            assert "Bộ nhắc việc (nhắc hạn" in out.getvalue()  # this process leads
            await api.wait_for("sendMessage", count=3, timeout=30)
            await asyncio.sleep(1.5)  # more ticks: nothing more goes out
        sent = api.sent_messages(OFFICIAL)
    assert len(sent) == 1 and "Hôm nay là hạn chót" in sent[0]["text"]
    assert "1. " in sent[0]["text"]  # the nudge's choices, numbered
    with session_scope(assistant.sessions) as session:
        [row] = session.scalars(select(OutboxMessage)).all()
    assert row.status == "sent"


async def test_a_rejected_zalo_token_stops_with_a_message_not_the_token(
    assistant: Assistant,
) -> None:
    async with FakeZaloApi() as api:
        settings = dataclasses.replace(
            zalo_settings(assistant, api), zalo_token="999:WrongSecretToken-xyz"
        )
        out = io.StringIO()
        code = await serve(assistant, [ZaloRunner(settings, assistant)], NO_NUDGES, out)
    assert code == 1
    assert "Không khởi động được kênh zalo" in out.getvalue()
    assert "token sai" in out.getvalue() and "WrongSecretToken" not in out.getvalue()


async def wait_for_output(out: io.StringIO, text: str, task: asyncio.Task[int]) -> None:
    for _ in range(500):
        if text in out.getvalue() or task.done():
            break
        await asyncio.sleep(0.02)
    assert text in out.getvalue(), out.getvalue()


async def test_telegram_started_later_is_waited_for(assistant: Assistant) -> None:
    """Telegram cannot be reached when `bot run` starts: it says so, tries again with a
    growing wait, and runs once the platform answers (here: after one 502 too)."""
    port = _free_port()
    api = FakeBotApi(port=port)
    settings = dataclasses.replace(
        assistant.settings,
        telegram_token=api.token,
        telegram_base_url=f"http://127.0.0.1:{port}/bot",
    )
    out, stop = io.StringIO(), asyncio.Event()
    runner = TelegramRunner(settings, assistant)
    serving = serve(assistant, [runner], NO_NUDGES, out, stop, retry_delays=(0.05, 0.1, 0.2))
    task = asyncio.create_task(serving)
    try:
        await wait_for_output(out, "thử lại sau 0.1 giây…", task)
        async with api:
            api.fail_next("getMe", status=502)
            await wait_for_output(out, "Trợ lý đang chạy trên Telegram", task)
            api.push_message(77, "hạn chót")
            await api.wait_for("sendMessage", timeout=10)
            stop.set()
            assert await asyncio.wait_for(task, 10) == 0
    finally:
        stop.set()
    lines = out.getvalue().splitlines()
    waits = [line for line in lines if line.startswith("Chưa kết nối được tới Telegram, thử lại")]
    assert waits[:3] == [
        "Chưa kết nối được tới Telegram, thử lại sau 0.05 giây…",
        "Chưa kết nối được tới Telegram, thử lại sau 0.1 giây…",
        "Chưa kết nối được tới Telegram, thử lại sau 0.2 giây…",
    ]
    assert all(line.endswith("sau 0.2 giây…") for line in waits[3:])  # the last one repeats
    assert [c.status for c in api.calls_of("getMe")][:2] == [502, 200]


async def test_a_rejected_telegram_token_stops_at_once(assistant: Assistant) -> None:
    async with FakeBotApi() as api:
        settings = dataclasses.replace(
            assistant.settings, telegram_token="999:Wrong-token", telegram_base_url=api.base_url
        )
        out = io.StringIO()
        runner = TelegramRunner(settings, assistant)
        assert await serve(assistant, [runner], NO_NUDGES, out) == 1
    assert "Không khởi động được kênh telegram" in out.getvalue()
    assert "token sai" in out.getvalue() and "thử lại" not in out.getvalue()


async def test_zalo_answering_5xx_at_start_up_is_tried_again(assistant: Assistant) -> None:
    async with FakeZaloApi(no_update_wait=0.05) as api:
        api.fail_next("getMe", 503, times=2)
        runner = ZaloRunner(zalo_settings(assistant, api), assistant, poll_timeout=1)
        out, stop = io.StringIO(), asyncio.Event()
        task = asyncio.create_task(
            serve(assistant, [runner], NO_NUDGES, out, stop, retry_delays=(0.05,))
        )
        await wait_for_output(out, "Trợ lý đang chạy trên Zalo", task)
        stop.set()
        assert await asyncio.wait_for(task, 10) == 0
    assert out.getvalue().count("Chưa kết nối được tới Zalo, thử lại sau 0.05 giây…") == 2


async def test_telegram_and_zalo_in_one_process(assistant: Assistant) -> None:
    async with FakeZaloApi(no_update_wait=0.05) as zalo, FakeBotApi() as telegram:
        settings = dataclasses.replace(
            zalo_settings(assistant, zalo),
            telegram_token=telegram.token,
            telegram_base_url=telegram.base_url,
        )
        runners: list[ChannelRunner] = [
            ZaloRunner(settings, assistant, poll_timeout=1),
            TelegramRunner(settings, assistant),
        ]
        async with serving(assistant, runners) as out:
            assert "Zalo (long polling), Telegram (long polling)" in out.getvalue()
            assert "Chỉ thị" in await say(zalo, "chi thi 06 do ai ky")
            telegram.push_message(77, "hạn chót")
            await telegram.wait_for("sendMessage", timeout=10)
        assert telegram.calls_of("setMyCommands")  # the menu, as before


@pytest.mark.parametrize("channel", ["zalo", "telegram"])
def test_an_unreachable_platform_is_tried_again_with_no_secret_in_any_output(
    tmp_path: Path, channel: str
) -> None:
    """`bot run` at DEBUG against a closed port: it says in Vietnamese that it tries
    again, 1 then 2 seconds later, stops cleanly on SIGTERM meanwhile, and no token is
    anywhere in what the process printed (libraries log URLs with tokens)."""
    secrets = {"telegram": "123456:SecretTelegramToken-abc", "zalo": "987654:SecretZalo-xyz"}
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
        "LOG_LEVEL": "DEBUG",
        "TELEGRAM_BOT_TOKEN": secrets["telegram"],
        "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot",
        "ZALO_BOT_TOKEN": secrets["zalo"],
        "ZALO_BASE_URL": "http://127.0.0.1:9",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--channel", channel],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watchdog = threading.Timer(300, process.kill)  # never hang the suite
    watchdog.start()
    try:
        assert process.stdout is not None
        lines: list[str] = []
        for line in process.stdout:
            lines.append(line)
            if "thử lại sau 2 giây" in line:
                break
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=60)
    finally:
        watchdog.cancel()
    output = "".join(lines) + rest
    platform = {"zalo": "Zalo", "telegram": "Telegram"}[channel]
    assert f"Chưa kết nối được tới {platform}, thử lại sau 1 giây…" in output, output[-2000:]
    assert f"Chưa kết nối được tới {platform}, thử lại sau 2 giây…" in output
    assert process.returncode == 0, output[-2000:]
    assert "Không khởi động được" not in output and "đang chạy" not in output
    if channel == "zalo":  # no public address: files cannot go out on Zalo
        assert "chưa khai báo WEB_PUBLIC_URL" in output
    for secret in secrets.values():
        assert secret not in output and secret.split(":")[1] not in output


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_zalo_webhook_takes_updates_only_with_the_secret(assistant: Assistant) -> None:
    import httpx

    secret = "webhook-secret-0123456789"
    port = _free_port()
    async with FakeZaloApi() as api:
        settings = dataclasses.replace(
            zalo_settings(assistant, api),
            zalo_webhook_url="https://tro-ly.bacninh.gov.vn/hook",
            zalo_webhook_secret=secret,
        )
        runner = ZaloRunner(settings, assistant)
        out, stop = io.StringIO(), asyncio.Event()
        task = asyncio.create_task(
            serve(assistant, [runner], NO_NUDGES, out, stop=stop, web=("127.0.0.1", port))
        )
        for _ in range(250):
            if "đang chạy" in out.getvalue() or task.done():
                break
            await asyncio.sleep(0.02)
        assert api.webhook["url"] == "https://tro-ly.bacninh.gov.vn/hook" + runner.webhook_path
        assert api.webhook["secret_token"] == secret and api.token not in api.webhook["url"]
        assert "Zalo (webhook https://tro-ly.bacninh.gov.vn/hook/…)" in out.getvalue()
        update = {
            "event_name": "message.text.received",
            "message": api.message(OFFICIAL, text="ai ký chỉ thị 06?"),
        }
        url = f"http://127.0.0.1:{port}{runner.webhook_path}"
        async with httpx.AsyncClient() as http:
            refused = [
                await http.post(url, json={"ok": True, "result": update}),
                await http.post(url, json=update, headers={"X-Bot-Api-Secret-Token": "wrong!!!"}),
            ]
            assert [r.status_code for r in refused] == [403, 403]
            header = {"X-Bot-Api-Secret-Token": secret}
            huge = await http.post(url, content=b"x" * 100_000, headers=header)
            assert huge.status_code == 413
            for body in ({"ok": True, "result": update}, update):  # wrapped, then again flat
                answered = await http.post(url, json=body, headers=header)
                assert answered.status_code == 200 and answered.json() == {"ok": True}
            assert (await http.post(url, content=b"{", headers=header)).status_code == 400
        await api.wait_for("sendMessage")
        await asyncio.sleep(0.3)
        stop.set()
        assert await asyncio.wait_for(task, 10) == 0
    sent = api.sent_messages(OFFICIAL)
    assert len(sent) >= 1 and "Chỉ thị" in "\n".join(m["text"] for m in sent)
    # The same update twice (Zalo retries): answered once.
    assert len({m["text"] for m in sent}) == len(sent)
    assert not api.calls_of("getUpdates")


async def test_a_document_on_zalo_is_a_link_to_the_listener(assistant: Assistant) -> None:
    """/baocaoquy on Zalo (polling): the .docx comes as a link on the HTTP listener,
    which `bot run` opens because a public address is set; the link gives the file."""
    import docx
    import httpx

    with session_scope(assistant.sessions) as session:
        code = accounts.create_invite(session, "sttt", "manager").code
    port = _free_port()
    async with FakeZaloApi(no_update_wait=0.05) as api:
        settings = dataclasses.replace(
            zalo_settings(assistant, api), web_public_url=f"http://127.0.0.1:{port}"
        )
        runner = ZaloRunner(settings, assistant, poll_timeout=1)
        out, stop = io.StringIO(), asyncio.Event()
        task = asyncio.create_task(
            serve(assistant, [runner], NO_NUDGES, out, stop=stop, web=("127.0.0.1", port))
        )
        try:
            await say(api, f"/start {code}")
            answer = await say(api, "/baocaoquy")
            [line] = [x for x in answer.splitlines() if x.startswith("Tệp «bao-cao-quy-")]
            url = line.split(": ", 1)[1]
            assert url.startswith(f"http://127.0.0.1:{port}/tep/") and url.endswith(".docx")
            async with httpx.AsyncClient() as http:
                got = await http.get(url)
        finally:
            stop.set()
            assert await asyncio.wait_for(task, 10) == 0
    assert got.status_code == 200
    document = docx.Document(io.BytesIO(got.content))
    assert any("Chỉ thị" in p.text for p in document.paragraphs)


def test_a_zalo_webhook_needs_a_secret() -> None:
    out = io.StringIO()
    settings = Settings.from_env(
        {"ZALO_BOT_TOKEN": "1:x", "ZALO_WEBHOOK_URL": "https://tro-ly.bacninh.gov.vn/hook"}
    )
    assert run(settings, build_assistant, out=out) == 2
    assert "ZALO_WEBHOOK_SECRET" in out.getvalue()


async def test_a_taken_http_port_is_said_in_vietnamese(assistant: Assistant) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeZaloApi() as api:
            settings = dataclasses.replace(
                zalo_settings(assistant, api),
                zalo_webhook_url="https://tro-ly.bacninh.gov.vn/hook",
                zalo_webhook_secret="webhook-secret-0123456789",
            )
            out = io.StringIO()
            runners: list[ChannelRunner] = [ZaloRunner(settings, assistant)]
            code = await serve(assistant, runners, NO_NUDGES, out, web=("127.0.0.1", port))
    assert code == 1 and f"Không mở được cổng HTTP 127.0.0.1:{port}" in out.getvalue()
