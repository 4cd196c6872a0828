"""`bot run`: every channel with a token in one process, one scheduler, end to end
against the fake Zalo and Telegram Bot APIs on loopback."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import errno
import io
import logging
import os
import re
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
from sqlalchemy.orm import Session
from telegram import error as telegram_error

from bot.app import Assistant, build_assistant
from bot.application import accounts
from bot.application.messages import IncomingMessage, Response
from bot.application.router import Core
from bot.channels.telegram.runner import TelegramRunner
from bot.channels.zalo.client import (
    ZaloApiError,
    ZaloBadRequest,
    ZaloForbidden,
    ZaloNotFound,
    ZaloRateLimited,
    ZaloServerError,
)
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


def test_a_channel_asked_for_without_a_token_gets_only_its_own_how_to() -> None:
    for asked, other in (("zalo", "@BotFather"), ("telegram", "Zalo Bot Manager")):
        out = io.StringIO()
        settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x"} if asked == "zalo" else {})
        assert run(settings, build_assistant, only=asked, out=out) == 2
        text = out.getvalue()
        variable = f"{asked.upper()}_BOT_TOKEN"
        assert text.startswith(f"Chưa khai báo {variable}"), text
        assert f"export {variable}=" in text and f"bot run --channel {asked}" in text
        assert other not in text and "bot chat" in text


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("ZALO_WEBHOOK_URL", "http://tro-ly.bacninh.gov.vn/hook"),
        ("ZALO_WEBHOOK_URL", "https:///hook"),
        ("ZALO_WEBHOOK_URL", "tro-ly.bacninh.gov.vn"),
        ("TELEGRAM_WEBHOOK_URL", "http://tro-ly.bacninh.gov.vn/tg"),
        ("TELEGRAM_WEBHOOK_URL", "https://tro-ly.bacninh.gov.vn:port/tg"),
    ],
)
def test_a_webhook_url_must_be_https_with_a_host(variable: str, url: str) -> None:
    """Refused before anything starts, naming the variable (the platform would answer
    an English error code)."""
    prefix = variable.split("_")[0]
    settings = Settings.from_env(
        {
            f"{prefix}_BOT_TOKEN": "1:x",
            variable: url,
            f"{prefix}_WEBHOOK_SECRET": "webhook-secret-0123456789",
        }
    )
    out = io.StringIO()
    assert run(settings, build_assistant, out=out) == 2
    text = out.getvalue()
    assert text.startswith(f"{variable} phải là một địa chỉ https:// có tên miền"), text
    assert f"«{url}»" in text and "long polling" in text
    good = dataclasses.replace(settings, **{variable.lower(): "https://tro-ly.bacninh.gov.vn/x"})
    from bot.runner import _configuration_problem

    assert _configuration_problem(good, [prefix.lower()]) is None


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


async def test_a_zalo_reply_is_sent_again_after_5xx(assistant: Assistant) -> None:
    """A reply has no outbox row: the channel tries it again itself after a 5xx."""
    async with FakeZaloApi(no_update_wait=0.05) as api:
        runner = ZaloRunner(zalo_settings(assistant, api), assistant, poll_timeout=1)
        async with serving(assistant, [runner]):
            api.fail_next("sendMessage", 500)
            api.fail_next("sendMessage", 502)
            api.push_text(OFFICIAL, "ai ký chỉ thị 06?")
            await api.wait_for("sendMessage", count=3, timeout=20)
            await asyncio.sleep(0.1)  # the rest of a multi-part answer
    assert "Chỉ thị" in "\n".join(m["text"] for m in api.sent_messages(OFFICIAL))
    assert len(api.calls_of("sendMessage")) - len(api.sent_messages()) == 2  # the two 5xx


async def test_zalo_answers_others_while_one_users_message_is_slow(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One user's message held in the core (as a long import would be) holds up nobody
    else; that user's next message is answered after it, in order."""
    slow_user = "5107c0ffee"
    started, release = threading.Event(), threading.Event()
    handle = Core.handle

    def slow_handle(self: Core, session: Session, message: IncomingMessage) -> Response:
        if message.user_id == slow_user and message.text == "/trogiup":
            started.set()
            release.wait(timeout=30)
        return handle(self, session, message)

    monkeypatch.setattr(Core, "handle", slow_handle)
    async with FakeZaloApi(no_update_wait=0.05) as api:
        runner = ZaloRunner(zalo_settings(assistant, api), assistant, poll_timeout=1)
        async with serving(assistant, [runner]):
            try:
                api.push_text(slow_user, "/trogiup")
                assert await asyncio.to_thread(started.wait, 10), "the slow message never came"
                api.push_text(slow_user, "Sở Nội vụ phải làm gì?")
                assert "Mục 2.d" in await say(api, "Sở Nội vụ phải làm gì?")
                assert api.sent_messages(slow_user) == []
            finally:
                release.set()
            await api.wait_for(
                "sendMessage", count=2, predicate=lambda c: c.params["chat_id"] == slow_user
            )
            await asyncio.sleep(0.05)  # the rest of a multi-part answer
    texts = [m["text"] for m in api.sent_messages(slow_user)]
    assert "Các lệnh:" in texts[0] and "Mục 2.d" in texts[-1]


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
    assert "Không khởi động được kênh Zalo: Zalo từ chối mã truy cập" in out.getvalue()
    assert "token sai" in out.getvalue() and "ZALO_BOT_TOKEN" in out.getvalue()
    assert "WrongSecretToken" not in out.getvalue() and "ZaloUnauthorized" not in out.getvalue()


async def test_a_webhook_zalo_refuses_is_said_in_vietnamese_not_by_its_class(
    assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    """The platform's refusal of setWebhook (here: our fake's 400 for http://, as the
    API does): what to fix, in Vietnamese; the error class only in the DEBUG log."""
    caplog.set_level(logging.DEBUG, logger="bot.runner")
    async with FakeZaloApi() as api:
        settings = dataclasses.replace(
            zalo_settings(assistant, api),
            zalo_webhook_url="http://tro-ly.bacninh.gov.vn/hook",
            zalo_webhook_secret="webhook-secret-0123456789",
        )
        out = io.StringIO()
        runners: list[ChannelRunner] = [ZaloRunner(settings, assistant)]
        code = await serve(assistant, runners, NO_NUDGES, out, web=("127.0.0.1", _free_port()))
    text = out.getvalue()
    assert code == 1 and "Không khởi động được kênh Zalo: Zalo không nhận địa chỉ webhook" in text
    assert "ZALO_WEBHOOK_URL" in text and "https://" in text
    assert "ZaloBadRequest" not in text and "Bad request" not in text
    assert "channel zalo did not start: ZaloBadRequest" in caplog.text


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
    assert "Không khởi động được kênh Telegram" in out.getvalue()
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


LINK_LINE = "(tải về trong 24 giờ)"


async def test_files_on_zalo_are_links_to_the_listener(assistant: Assistant) -> None:
    """On Zalo (polling), with a public address set, `bot run` opens the HTTP listener
    for file links: /baocaoquy's .docx comes as a link in the reply; /tonghop's chart
    and .xlsx go through the outbox, the chart as a photo Zalo fetches by its link."""
    import docx
    import httpx
    from openpyxl import load_workbook

    with session_scope(assistant.sessions) as session:
        code = accounts.create_invite(session, "sttt", "manager").code
    port = _free_port()
    public = f"http://127.0.0.1:{port}"
    nudges = NudgeSettings(tick_seconds=0.3)
    async with FakeZaloApi(no_update_wait=0.05) as api:
        settings = dataclasses.replace(zalo_settings(assistant, api), web_public_url=public)
        runner = ZaloRunner(settings, assistant, poll_timeout=1)
        out, stop = io.StringIO(), asyncio.Event()
        task = asyncio.create_task(
            serve(
                assistant,
                [runner],
                nudges,
                out,
                stop=stop,
                first_tick=0.05,
                web=("127.0.0.1", port),
            )
        )
        try:
            await say(api, f"/start {code}")
            before = len(api.sent_messages(OFFICIAL))
            await say(api, "/baocaoquy")
            # The nudge tick may speak to this manager too (Sở TT&TT's quarterly report
            # can be overdue on the day the test runs): wait for the reply with the files.
            await api.wait_for("sendMessage", predicate=lambda c: LINK_LINE in c.params["text"])
            answer = "\n".join(m["text"] for m in api.sent_messages(OFFICIAL)[before:])
            links = re.findall(r"Tệp «([^»]+)» \(tải về trong 24 giờ\): (\S+)", answer)
            assert [name[-5:] for name, _ in links] == [".docx", ".xlsx"], answer
            await say(api, "/tonghop")
            [photo] = await api.wait_for("sendPhoto", timeout=30)
            await asyncio.sleep(0.3)
            texts = "\n".join(m["text"] for m in api.sent_messages(OFFICIAL))
            links += re.findall(r"Tệp «([^»]+)» \(tải về trong 24 giờ\): (\S+)", texts)
            files = {}
            async with httpx.AsyncClient() as http:
                for name, url in dict(links).items():
                    assert url.startswith(public + "/tep/")
                    files[name] = (await http.get(url)).content
                chart = await http.get(photo.params["photo"])
                token = photo.params["photo"].split("/tep/")[1].split("/")[0]
                other = photo.params["photo"].replace(token, token[::-1])
                assert (await http.get(other)).status_code == 404
        finally:
            stop.set()
            assert await asyncio.wait_for(task, 10) == 0
    report = next(v for k, v in files.items() if k.endswith(".docx") and "phu-luc" not in k)
    assert any("Chỉ thị" in p.text for p in docx.Document(io.BytesIO(report)).paragraphs)
    digest = next(v for k, v in files.items() if k.startswith("tong-hop-"))
    assert "Vướng mắc" in load_workbook(io.BytesIO(digest)).sheetnames
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")


def test_a_zalo_webhook_needs_a_secret() -> None:
    out = io.StringIO()
    settings = Settings.from_env(
        {"ZALO_BOT_TOKEN": "1:x", "ZALO_WEBHOOK_URL": "https://tro-ly.bacninh.gov.vn/hook"}
    )
    assert run(settings, build_assistant, out=out) == 2
    assert "ZALO_WEBHOOK_SECRET" in out.getvalue()


async def test_a_taken_http_port_is_said_in_vietnamese(
    assistant: Assistant, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """In polling mode too (the listener serves the file links); uvicorn's English line
    stays out of the output, at DEBUG only."""
    import socket

    caplog.set_level(logging.DEBUG, logger="bot.channels.http")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeZaloApi() as api:
            settings = dataclasses.replace(
                zalo_settings(assistant, api), web_public_url="https://tro-ly.bacninh.gov.vn"
            )
            out = io.StringIO()
            runners: list[ChannelRunner] = [ZaloRunner(settings, assistant)]
            code = await serve(assistant, runners, NO_NUDGES, out, web=("127.0.0.1", port))
    assert code == 1
    assert out.getvalue().startswith(
        f"Không mở được cổng HTTP 127.0.0.1:{port} (dùng cho webhook, liên kết tải tệp và "
        "trang web): cổng đã có chương trình khác dùng"
    ), out.getvalue()
    assert "WEB_PORT" in out.getvalue()
    printed = capfd.readouterr()
    assert "address already in use" not in printed.out + printed.err + out.getvalue()
    assert "error while attempting to bind" in caplog.text  # uvicorn's line, at DEBUG


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(e, id=type(e).__name__)
        for e in (
            ZaloBadRequest("getMe", 400, "Bad request"),
            ZaloNotFound("getMe", 404, "Not Found"),
            ZaloForbidden("setWebhook", 403, "Forbidden"),
            ZaloRateLimited("getMe", 429, "Quota exceeded"),
            ZaloServerError("getMe", 0, "network error"),
            ZaloApiError("getMe", 418, "?"),
            telegram_error.BadRequest("Chat not found"),
            telegram_error.Forbidden("Forbidden: bot was blocked"),
            telegram_error.Conflict("terminated by other getUpdates request"),
            telegram_error.TimedOut(),
            telegram_error.RetryAfter(5),
            OSError(errno.EADDRINUSE, "Address already in use"),
            ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
            KeyError("result"),
        )
    ],
)
def test_a_start_failure_is_a_vietnamese_sentence_never_a_class_name(error: Exception) -> None:
    from bot.runner import _reason

    for channel in ("zalo", "telegram"):
        reason = _reason(error, channel)
        assert type(error).__name__ not in reason and "Error" not in reason, reason
        assert reason.endswith(".") and ("Hãy" in reason or "chạy lại" in reason), reason
