"""The Telegram channel end to end: the real PTB Application polling the fake Bot API,
the real core on a fresh SQLite database per test."""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.app import Assistant, prepare_database
from bot.application import accounts
from bot.application.admin import files
from bot.application.commands import CommandTable
from bot.application.dialogs.report import DEFAULT_EVIDENCE_BYTES
from bot.application.messages import APOLOGY, Button, IncomingMessage, Reply, Response
from bot.application.router import DECLARED_COMMANDS, Core
from bot.channels.console.chat import ConsoleChannel
from bot.channels.http import HttpServer
from bot.channels.telegram.app import build_application
from bot.channels.telegram.runner import TelegramRunner
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.channels.web.app import Portal
from bot.config import ImportLimits, Settings
from bot.storage.db import session_scope
from bot.storage.models import (
    AnswerFeedback,
    DialogState,
    EvidenceFile,
    ProgressReport,
    User,
)
from tests.channels.test_telegram_render import assert_valid_html
from tests.support.fake_bot_api import JSON, FakeBotApi, RecordedCall

menu_for = CommandTable(DECLARED_COMMANDS).menu_for

ROOT = Path(__file__).resolve().parents[2]
CHAT = 4242
App = Application[Any, Any, Any, Any, Any, Any]


# ----- fixtures ----------------------------------------------------------------------------------
@pytest.fixture
def backend() -> str:
    """On SQLite only; `assistant` (tests/conftest.py) is the real core on its own database."""
    return "sqlite"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


class Harness:
    """The application under test, and a way to wait until an update was fully handled."""

    def __init__(self, api: FakeBotApi, app: App) -> None:
        self.api = api
        self.app = app
        self.handled: set[int] = set()
        # Group 1 runs after the channel's handler (and after the error handler, if it raised).
        app.add_handler(TypeHandler(Update, self._mark), group=1)

    async def _mark(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.handled.add(update.update_id)

    async def until_handled(self, *updates: JSON, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        ids = {u["update_id"] for u in updates}
        while not ids <= self.handled:
            if time.monotonic() > deadline:
                raise AssertionError(f"updates {sorted(ids - self.handled)} not handled")
            await asyncio.sleep(0.005)

    async def exchange(self, update: JSON, timeout: float = 10.0) -> list[RecordedCall]:
        """The calls the bot made while handling `update` (just pushed)."""
        start = len(self.api.calls)
        await self.until_handled(update, timeout=timeout)
        return [c for c in self.api.calls[start:] if c.method != "getUpdates"]

    async def say(self, text: str, chat: int = CHAT, **kwargs: Any) -> list[JSON]:
        """Send `text`; the messages the bot sent back."""
        calls = await self.exchange(self.api.push_message(chat, text, **kwargs))
        return sent(calls)

    async def press(self, label: str, chat: int = CHAT) -> list[RecordedCall]:
        """Press the button labelled `label` on the bot's latest message that has it."""
        message_id, payload = find_button(self.api, chat, label)
        return await self.exchange(self.api.push_callback(chat, message_id, payload))


def sent(calls: list[RecordedCall]) -> list[JSON]:
    return [c.params for c in calls if c.method == "sendMessage" and c.ok]


def find_button(api: FakeBotApi, chat: int, label: str) -> tuple[int, str]:
    for (chat_id, message_id), message in sorted(api.messages.items(), reverse=True):
        if chat_id != chat or not message.get("from", {}).get("is_bot"):
            continue
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == label or button["text"].startswith(label):
                    return message_id, button["callback_data"]
    raise AssertionError(f"no button {label!r} in chat {chat}")


def buttons_of(message: JSON) -> list[list[str]]:
    keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [[b["text"] for b in row] for row in keyboard]


@asynccontextmanager
async def serving(api: FakeBotApi, assistant: Assistant, **options: Any) -> AsyncIterator[Harness]:
    """Run the application as `run_polling` does (initialize, post_init, poll, start), in
    the test's event loop, and stop it the same way."""
    app = build_application(assistant, api.token, api.base_url, api.base_file_url, **options)
    harness = Harness(api, app)
    async with app:
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        await app.start()
        try:
            yield harness
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.fixture
async def bot(api: FakeBotApi, assistant: Assistant) -> AsyncIterator[Harness]:
    async with serving(api, assistant) as harness:
        yield harness


def bot_labels(bot: Harness) -> Any:
    channel = bot.app.bot_data["channel"]
    return channel.assistant.core.report.labels


def assert_html_reply(message: JSON) -> None:
    assert message["parse_mode"] == "HTML"
    assert message["chat_id"] == CHAT
    assert 0 < len(message["text"]) <= 4096
    assert_valid_html(message["text"])


# ----- questions -------------------------------------------------------------------------------
async def test_start_registers_the_vietnamese_command_menu(bot: Harness, api: FakeBotApi) -> None:
    [call] = api.calls_of("setMyCommands")
    assert "scope" not in call.params  # the default scope: everyone
    commands = call.params["commands"]
    assert [c["command"] for c in commands] == [c.name for c in menu_for(None)]
    described = {c["command"]: c["description"] for c in commands}
    assert described["baocao"] == "Báo cáo tiến độ một nhiệm vụ"
    assert "moi" not in described  # admins only


async def test_a_question_gets_an_html_answer_with_its_citation(bot: Harness) -> None:
    [answer] = await bot.say("Sở Nội vụ phải làm gì?")
    assert_html_reply(answer)
    assert "<b>" in answer["text"] and "Mục 2.d" in answer["text"]
    assert buttons_of(answer) == [["👍 Đúng", "👎 Chưa đúng"]]  # one row: the rating


async def test_rating_an_answer_with_its_buttons(bot: Harness, assistant: Assistant) -> None:
    """ "Đúng" is a toast (the answer's own buttons stay); "Chưa đúng" asks for a comment,
    which the next message is."""
    await bot.say("Ai ký Chỉ thị?")
    calls = await bot.press("👍 Đúng")
    [answered] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answered.params["text"].startswith("Đã ghi nhận: 👍 Đúng")
    assert not sent(calls)
    calls = await bot.press("👎 Chưa đúng")
    [asked] = sent(calls)
    assert "đã được chuyển tới quản trị viên" in asked["text"]
    assert buttons_of(asked) == [["Bỏ qua"]]
    [thanks] = await bot.say("Người ký là Phó Chủ tịch")
    assert "Đã ghi nhận góp ý" in thanks["text"]
    with session_scope(assistant.sessions) as session:
        [row] = session.scalars(select(AnswerFeedback)).all()
    assert (row.verdict, row.comment) == ("wrong", "Người ký là Phó Chủ tịch")


async def test_no_diacritics_question(bot: Harness) -> None:
    [answer] = await bot.say("trang tin dien tu cap xa han bao gio phai xong")
    assert_html_reply(answer)
    assert "30/6/2019" in answer["text"]


@pytest.mark.parametrize(
    "hostile",
    [
        "<b>x</b>",
        "<script>alert(1)</script> chữ ký số",
        "{{ 7*7 }}",
        "{% for x in range(9) %}{{ x }}{% endfor %}",
        "'; DROP TABLE question_logs;--",
        "😀🎉👍",
        "&amp; &lt;b&gt; &#60;",
        "abc\x00\x01\x1b[31m\x7fdef",
    ],
)
async def test_hostile_text_gets_a_polite_reply_and_nothing_unescaped(
    bot: Harness, hostile: str
) -> None:
    replies = await bot.say(hostile)
    assert replies and APOLOGY not in [r["text"] for r in replies]
    for reply in replies:
        assert_html_reply(reply)
        text = reply["text"]
        assert "<script>" not in text and "<b>x</b>" not in text
        assert "49" not in text and "012345678" not in text and "DROP TABLE" not in text
        assert "&amp; &lt;b&gt;" not in text  # an entity typed by the user would be escaped


async def test_invisible_characters_and_a_nul_change_no_answer(
    bot: Harness, api: FakeBotApi
) -> None:
    """Typed or in a button's data: the adapter's `IncomingMessage` sanitizes both."""
    [plain] = await bot.say("Sở Nội vụ phải làm gì?")
    assert "Mục 2.d" in plain["text"]
    [hidden] = await bot.say("Sở Nội v\u200bụ phải\u2066 làm gì?\x00")
    assert hidden["text"] == plain["text"]
    calls = await bot.exchange(api.push_callback(CHAT, 77, "Sở N\u00adội vụ phải làm gì?\x00"))
    assert [m["text"] for m in sent(calls)] == [plain["text"]]


async def test_a_10000_character_message(bot: Harness) -> None:
    replies = await bot.say("chữ ký số " * 1000)
    assert replies
    for reply in replies:
        assert_html_reply(reply)


async def test_a_sticker_gets_a_polite_reply(bot: Harness, api: FakeBotApi) -> None:
    replies = sent(await bot.exchange(api.push_sticker(CHAT, emoji="🙏")))
    assert len(replies) == 1
    assert_html_reply(replies[0])
    assert APOLOGY not in replies[0]["text"]


async def test_voice_and_location_get_a_polite_reply(bot: Harness, api: FakeBotApi) -> None:
    voice = {"file_id": "V1", "file_unique_id": "UV1", "duration": 3}
    location = {"latitude": 21.18, "longitude": 106.07}
    for extra in ({"voice": voice}, {"location": location}):
        [reply] = sent(await bot.exchange(api.push_message(CHAT, **extra)))
        assert_html_reply(reply)
        assert reply["text"] != APOLOGY


async def test_an_edited_message(bot: Harness, api: FakeBotApi) -> None:
    original = api.push_message(CHAT, "Sở Nội vụ phải làm gì?")
    await bot.exchange(original)
    calls = await bot.exchange(
        api.push_edited_message(CHAT, original["message"]["message_id"], "Sở Y tế phải làm gì?")
    )
    [reply] = sent(calls)
    assert_html_reply(reply)
    assert reply["text"] != APOLOGY


async def test_a_document_and_a_photo_outside_a_dialog(bot: Harness, api: FakeBotApi) -> None:
    document = await bot.exchange(
        api.push_document(CHAT, "bao_cao.pdf", b"%PDF-1.4", caption="Báo cáo")
    )
    photo = await bot.exchange(api.push_photo(CHAT, b"\xff\xd8jpeg"))
    for calls in (document, photo):
        [reply] = sent(calls)
        assert_html_reply(reply)
        assert reply["text"] != APOLOGY


async def test_group_messages_do_not_crash(bot: Harness, api: FakeBotApi) -> None:
    group = -100777
    chatter = await bot.exchange(
        api.push_message(group, "Sở Nội vụ phải làm gì?", user_id=5, chat_type="supergroup")
    )
    command = await bot.exchange(
        api.push_message(group, "/hanchot@test_bot", user_id=5, chat_type="supergroup")
    )
    private_only = await bot.exchange(
        api.push_message(group, "/baocao@test_bot", user_id=5, chat_type="supergroup")
    )
    for calls in (chatter, command, private_only):
        assert all(c.ok for c in calls)
        assert all(m["chat_id"] == group and m["text"] != APOLOGY for m in sent(calls))
    assert "Mục" in sent(command)[0]["text"]  # the deadlines, in the group
    assert len(sent(private_only)) == 1


# ----- buttons ---------------------------------------------------------------------------------
async def test_a_suggestion_button_sends_the_suggested_questions_answer(
    bot: Harness, api: FakeBotApi
) -> None:
    [refusal] = await bot.say("món ăn ngon nhất Hà Nội")
    assert_html_reply(refusal)
    rows = buttons_of(refusal)
    assert rows and all(len(row) == 1 for row in rows)
    label = rows[0][0]
    calls = await bot.press(label)
    [answered] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answered.ok and "text" not in answered.params
    [answer] = sent(calls)
    assert_html_reply(answer)
    assert "Mục" in answer["text"] and "Xin lỗi" not in answer["text"]


@pytest.mark.parametrize("payload", ["r:0123abcd:status:done", "p:999999", "p:x", ""])
async def test_a_stale_or_unknown_button_is_answered_without_an_error(
    bot: Harness, api: FakeBotApi, payload: str
) -> None:
    calls = await bot.exchange(api.push_callback(CHAT, 77, payload))
    [answered] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answered.ok
    if payload:  # a toast says the button is out of date
        assert answered.params["text"] == bot_labels(bot).stale
        assert sent(calls) == []
    assert all(m["text"] != APOLOGY for m in sent(calls))
    assert all(c.ok for c in calls)


async def test_a_long_reply_is_split_with_the_keyboard_on_the_last_part(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    paragraphs = [f"Đoạn {i} <trích> & «nguyên văn» " + "nội dung " * 40 for i in range(40)]
    long_reply = Reply(
        "qa/faq",
        {"entry": {"answer": "\n\n".join(paragraphs)}, "citations": ["Mục 1.a"]},
        (Button("Có", "yes"), Button("Không", "no"), Button("Để sau", "later")),
        columns=2,
    )
    short_reply = Reply("qa/thanks")

    def handle(self: Core, session: Any, message: IncomingMessage) -> Response:
        return Response((long_reply, short_reply))

    monkeypatch.setattr(Core, "handle", handle)
    messages = await bot.say("cho tôi xem nguyên văn")
    *parts, last, thanks = messages
    assert len(parts) >= 3
    for message in messages:
        assert_html_reply(message)
    assert all("reply_markup" not in m for m in parts)
    assert buttons_of(last) == [["Có", "Không"], ["Để sau"]]
    assert "reply_markup" not in thanks
    text = "\n\n".join(m["text"] for m in (*parts, last))
    assert text.count("&lt;trích&gt; &amp; «nguyên văn»") == 40
    assert all(p.startswith("Đoạn ") for p in (m["text"] for m in (*parts, last)))


# ----- delivery and errors ---------------------------------------------------------------------
# AIORateLimiter reads RetryAfter.retry_after as int, which PTB 22.2+ deprecates in its own code.
@pytest.mark.filterwarnings(
    "ignore:.*retry_after.*timedelta:telegram.warnings.PTBDeprecationWarning"
)
async def test_a_429_is_retried_and_the_reply_arrives_once(bot: Harness, api: FakeBotApi) -> None:
    api.fail_next("sendMessage", status=429, retry_after=1)
    calls = await bot.exchange(api.push_message(CHAT, "Sở Nội vụ phải làm gì?"))
    first, second = [c for c in calls if c.method == "sendMessage"]
    assert (first.status, second.status) == (429, 200)
    assert second.time - first.time >= 1.0
    assert len(api.sent_messages(CHAT)) == 1
    assert "Mục 2.d" in api.sent_messages(CHAT)[0]["text"]


async def test_an_error_in_the_core_gets_an_apology_and_the_bot_keeps_serving(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    original = Core.handle

    def handle(self: Core, session: Any, message: IncomingMessage) -> Response:
        if message.text == "hỏng" or message.payload == "hỏng":
            raise RuntimeError("the core broke")
        return original(self, session, message)

    monkeypatch.setattr(Core, "handle", handle)
    with caplog.at_level(logging.ERROR, logger="bot.channels.telegram"):
        [apology] = await bot.say("hỏng")
    assert apology["text"] == APOLOGY and apology["chat_id"] == CHAT
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.exc_info and "the core broke" in str(record.exc_info[1])

    # A button press that breaks the core is answered too (no spinner left turning).
    calls = await bot.exchange(bot.api.push_callback(CHAT, 1, "hỏng"))
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert sent(calls)[0]["text"] == APOLOGY

    [answer] = await bot.say("Sở Nội vụ phải làm gì?")
    assert "Mục 2.d" in answer["text"]


async def test_a_user_who_blocked_the_bot_is_not_sent_an_apology(
    bot: Harness, api: FakeBotApi
) -> None:
    api.block_user(CHAT)
    calls = await bot.exchange(api.push_message(CHAT, "Sở Nội vụ phải làm gì?"))
    assert [c.status for c in calls if c.method == "sendMessage"] == [403]
    api.unblock_user(CHAT)
    [answer] = await bot.say("Sở Y tế phải làm gì?")
    assert answer["text"] != APOLOGY


# ----- accounts and the progress-report dialog -------------------------------------------------
AGENCY = "snv"  # Sở Nội vụ


def invite_code(assistant: Assistant, role: str = "official", agency: str | None = AGENCY) -> str:
    """A one-time code, made the way `bot invite` makes it."""
    with session_scope(assistant.sessions) as session:
        return accounts.create_invite(session, agency, role).code


async def link(bot: Harness, assistant: Assistant, chat: int = CHAT) -> list[RecordedCall]:
    code = invite_code(assistant)
    return await bot.exchange(bot.api.push_message(chat, f"/start {code}"))


def menu_calls(calls: list[RecordedCall], chat: int = CHAT) -> list[list[str]]:
    """The per-user command menus the bot set while handling an update."""
    return [
        [c["command"] for c in call.params["commands"]]
        for call in calls
        if call.method == "setMyCommands"
        and call.params.get("scope") == {"type": "chat", "chat_id": chat}
    ]


def reports(assistant: Assistant) -> list[ProgressReport]:
    with session_scope(assistant.sessions) as session:
        return list(session.scalars(select(ProgressReport).order_by(ProgressReport.id)))


def open_dialogs(assistant: Assistant) -> int:
    with session_scope(assistant.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(DialogState)) or 0)


async def test_start_with_an_invite_code_links_the_account_and_sets_its_menu(
    bot: Harness, assistant: Assistant
) -> None:
    calls = await link(bot, assistant)
    [linked] = sent(calls)
    assert_html_reply(linked)
    assert "Đã liên kết tài khoản" in linked["text"] and "Sở Nội vụ" in linked["text"]
    assert menu_calls(calls) == [[c.name for c in menu_for("official")]]
    with session_scope(assistant.sessions) as session:
        user = session.scalars(select(User).where(User.channel_user_id == str(CHAT))).one()
        assert (user.role, user.agency_id, user.channel) == ("official", AGENCY, "telegram")

    again = await bot.exchange(bot.api.push_message(CHAT, "/start"))
    assert menu_calls(again) == []  # an official's menu is everyone's
    used = await bot.exchange(bot.api.push_message(5151, "/start XXXXXXXX"))
    assert "Mã mời không đúng" in sent(used)[0]["text"] and menu_calls(used, 5151) == []


async def test_an_admin_gets_the_admin_menu_on_linking_and_on_start(
    bot: Harness, assistant: Assistant
) -> None:
    code = invite_code(assistant, role="admin", agency=None)
    linked = await bot.exchange(bot.api.push_message(CHAT, f"/start {code.lower()}"))
    admin_menu = [c.name for c in menu_for("admin")]
    assert "moi" in admin_menu
    assert menu_calls(linked) == [admin_menu]
    assert menu_calls(await bot.exchange(bot.api.push_message(CHAT, "/start"))) == [admin_menu]


async def test_an_admin_sends_a_faq_file_and_it_is_imported(
    bot: Harness, assistant: Assistant
) -> None:
    rows = "id,question,alternates,answer,clauses\n"
    rows += ",Ai trực cổng dịch vụ công?,,Chỉ thị không nói.,1.d\n"
    official = await bot.exchange(bot.api.push_document(5151, "faq.csv", rows.encode()))
    assert "Đã nhập" not in sent(official)[0]["text"]
    assert not [c for c in official if c.method == "getFile"]  # nobody's file is fetched
    code = invite_code(assistant, role="admin", agency=None)
    await bot.exchange(bot.api.push_message(CHAT, f"/start {code}"))
    calls = await bot.exchange(bot.api.push_document(CHAT, "faq.csv", rows.encode()))
    assert [c.method for c in calls if c.method == "getFile"] == ["getFile"]
    [imported] = sent(calls)
    assert_html_reply(imported)
    assert "Đã nhập tệp «faq.csv» (hỏi đáp): 1 mục mới" in imported["text"]
    exported = await bot.exchange(bot.api.push_message(CHAT, "/xuat faq csv"))
    [document] = [c for c in exported if c.method == "sendDocument"]
    assert document.files["document"].filename == "hoi-dap.csv"
    assert "Ai trực cổng dịch vụ công?" in document.files["document"].content.decode("utf-8-sig")


async def test_an_admins_slow_import_holds_up_nobody_else(
    bot: Harness, assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While an admin's file is being read (held there until released), another user's
    question is answered; the admin's own next message waits for the import's reply."""
    code = invite_code(assistant, role="admin", agency=None)
    await bot.exchange(bot.api.push_message(CHAT, f"/start {code}"))
    reading, release = threading.Event(), threading.Event()
    read_rows = files.read_rows

    def slow_read_rows(path: Path, limits: ImportLimits = files.DEFAULT_LIMITS) -> files.Rows:
        reading.set()
        release.wait(timeout=30)
        return read_rows(path, limits)

    monkeypatch.setattr(files, "read_rows", slow_read_rows)
    rows = "id,question,alternates,answer,clauses\n,Ai trực cổng dịch vụ công?,,Không nói.,1.d\n"
    try:
        upload = bot.api.push_document(CHAT, "faq.csv", rows.encode())
        assert await asyncio.to_thread(reading.wait, 10), "the import did not start"
        then = bot.api.push_message(CHAT, "/faq cổng")
        question = bot.api.push_message(5151, "Sở Nội vụ phải làm gì?")
        await bot.until_handled(question)
        [answer] = bot.api.sent_messages(5151)
        assert "Mục 2.d" in answer["text"]
        assert upload["update_id"] not in bot.handled and then["update_id"] not in bot.handled
    finally:
        release.set()
    await bot.until_handled(upload, then)
    texts = [m["text"] for m in bot.api.sent_messages(CHAT)]
    imported = next(i for i, t in enumerate(texts) if "Đã nhập tệp «faq.csv»" in t)
    listed = next(i for i, t in enumerate(texts) if "Ai trực cổng dịch vụ công?" in t)
    assert imported < listed  # in the order the admin sent them, the entry found


async def test_an_admins_file_past_the_size_limit_is_not_downloaded(
    bot: Harness, assistant: Assistant
) -> None:
    code = invite_code(assistant, role="admin", agency=None)
    await bot.exchange(bot.api.push_message(CHAT, f"/start {code}"))
    too_big = b"id,question,alternates,answer,clauses\n" + b"x" * 2_000_000
    calls = await bot.exchange(bot.api.push_document(CHAT, "faq.csv", too_big))
    assert [c for c in calls if c.method == "getFile"] == []  # Telegram said its size
    [refused] = sent(calls)
    assert_html_reply(refused)
    assert "tệp nặng 2,1 MB, quá giới hạn 2,0 MB (IMPORT_MAX_BYTES)" in refused["text"]


async def test_an_unlinked_user_cannot_report(bot: Harness, assistant: Assistant) -> None:
    [refusal] = await bot.say("/baocao")
    assert_html_reply(refusal)
    assert "chưa được liên kết" in refusal["text"] and "/start" in refusal["text"]
    assert open_dialogs(assistant) == 0


async def test_report_progress_through_the_buttons_ends_in_a_receipt(
    bot: Harness, assistant: Assistant, api: FakeBotApi
) -> None:
    await link(bot, assistant)
    [duties] = await bot.say("/baocao")
    assert_html_reply(duties)
    assert "Báo cáo tiến độ — Sở Nội vụ" in duties["text"]
    first_duty = buttons_of(duties)[0][0]

    calls = await bot.press(first_duty)
    [status] = sent(calls)
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert "Tình trạng thực hiện" in status["text"]
    assert len(buttons_of(status)[0]) == 2  # two columns

    [percent] = sent(await bot.press("Đang thực hiện"))
    assert "bao nhiêu phần trăm" in percent["text"]
    assert buttons_of(percent)[0] == ["0%", "25%", "50%", "75%", "100%"]

    [blockers] = sent(await bot.press("50%"))
    assert "vướng mắc" in blockers["text"]
    [evidence] = await bot.say("Thiếu kinh phí & nhân lực <gấp>")
    assert "Minh chứng" in evidence["text"]

    # Photo sizes the fake never stored: getFile fails, the report still names the photo
    # and the official is told its file could not be kept.
    small = {"file_id": "PHOTO-S", "file_unique_id": "s", "width": 90, "height": 67}
    large = {"file_id": "PHOTO-L", "file_unique_id": "l", "width": 1280, "height": 960}
    calls = await bot.exchange(api.push_message(CHAT, photo=[small, large]))
    assert [c.params["file_id"] for c in calls if c.method == "getFile"] == ["PHOTO-L"]
    [not_kept, confirm] = sent(calls)
    assert "chưa tải được tệp" in not_kept["text"] and "«Quay lại»" in not_kept["text"]
    assert_html_reply(confirm)
    assert "Kiểm tra lại báo cáo" in confirm["text"]
    assert "Thiếu kinh phí &amp; nhân lực &lt;gấp&gt;" in confirm["text"]

    [receipt] = sent(await bot.press("✔ Lưu báo cáo"))
    assert_html_reply(receipt)
    assert "Đã lưu báo cáo số" in receipt["text"]
    [saved] = reports(assistant)
    assert (saved.agency_id, saved.status, saved.percent) == (AGENCY, "in_progress", 50)
    assert saved.blockers == "Thiếu kinh phí & nhân lực <gấp>"
    assert saved.evidence_file_id == "PHOTO-L"  # the largest size of the photo
    assert saved.evidence_number is None
    assert f"số {saved.id}" in receipt["text"]
    assert open_dialogs(assistant) == 0
    assert all(c.ok for c in api.calls if c.method != "getFile")


async def at_evidence_step(bot: Harness, assistant: Assistant) -> None:
    """A linked official's report on their first duty, done today, no blockers: the
    evidence step is next."""
    await link(bot, assistant)
    [duties] = await bot.say("/baocao")
    await bot.press(buttons_of(duties)[0][0])
    await bot.press("Hoàn thành")  # done: no percent step
    await bot.press("Hôm nay")  # finished today
    await bot.press("Bỏ qua")


async def test_a_document_is_taken_as_evidence(bot: Harness, assistant: Assistant) -> None:
    await at_evidence_step(bot, assistant)
    update = bot.api.push_document(CHAT, "ke_hoach.pdf", b"%PDF-1.4", caption="Kế hoạch số 12")
    [confirm] = sent(await bot.exchange(update))
    assert "ke_hoach.pdf" in confirm["text"]
    await bot.press("✔ Lưu báo cáo")
    [saved] = reports(assistant)
    assert (saved.status, saved.percent) == ("done", 100)
    assert (
        saved.evidence_file_id
        == bot.api.messages[(CHAT, update["message"]["message_id"])]["document"]["file_id"]
    )
    with session_scope(assistant.sessions) as session:  # kept as sent, to open elsewhere
        kept = session.get_one(EvidenceFile, saved.evidence_number)
        assert (kept.name, kept.media_type, kept.content) == (
            "ke_hoach.pdf",
            "application/pdf",
            b"%PDF-1.4",
        )


async def test_a_photo_is_kept_and_opens_for_a_manager_on_another_channel(
    bot: Harness, assistant: Assistant
) -> None:
    """The photo's bytes are kept with the report: a manager of the agency opens it on
    the console (a file in var/exports), an official of another agency is refused, and
    the official who sent it gets it back on Telegram."""
    await at_evidence_step(bot, assistant)
    photo = b"\xff\xd8\xff\xe0" + b"cong-van-so-12" * 100
    [confirm] = sent(await bot.exchange(bot.api.push_photo(CHAT, photo)))
    assert "Tệp minh chứng: minh-chung-1.jpg (số 1, mở bằng /minhchung 1)" in confirm["text"]
    [receipt] = sent(await bot.press("✔ Lưu báo cáo"))
    assert "/minhchung 1" in receipt["text"]
    [saved] = reports(assistant)
    assert saved.evidence_number == 1

    console = ConsoleChannel(assistant, "lanh-dao")
    console.send(f"/start {invite_code(assistant, role='manager')}")
    shown = console.render(console.send("/minhchung 1"))
    assert "Minh chứng số 1" in shown and "Sở Nội vụ" in shown
    [path] = re.findall(r"\(Tệp đính kèm: (.+)\)", shown)
    written = Path(path)
    try:
        assert written.read_bytes() == photo
    finally:
        written.unlink()
    other = ConsoleChannel(assistant, "can-bo-khac")
    other.send(f"/start {invite_code(assistant, agency='stc')}")
    assert "ngoài phạm vi" in other.render(other.send("/minhchung 1"))

    calls = await bot.exchange(bot.api.push_message(CHAT, "/minhchung 1"))
    [back] = [c for c in calls if c.method == "sendPhoto"]
    assert back.files["photo"].content == photo
    assert "Minh chứng số 1" in back.params["caption"]


async def test_evidence_past_the_size_limit_is_not_downloaded(
    bot: Harness, assistant: Assistant
) -> None:
    await at_evidence_step(bot, assistant)
    assistant.core.report.evidence_max_bytes = 1_000
    try:
        update = bot.api.push_document(CHAT, "bien-ban.pdf", b"%PDF-1.4" + b"x" * 1_500)
        calls = await bot.exchange(update)
    finally:
        assistant.core.report.evidence_max_bytes = DEFAULT_EVIDENCE_BYTES
    assert [c for c in calls if c.method == "getFile"] == []  # Telegram said its size
    [not_kept, confirm] = sent(calls)
    assert "nặng 1,6 KB, quá giới hạn 1,0 KB" in not_kept["text"]
    assert "bien-ban.pdf" in confirm["text"] and "/minhchung" not in confirm["text"]
    await bot.press("✔ Lưu báo cáo")
    [saved] = reports(assistant)
    assert saved.evidence_file_id and saved.evidence_number is None


async def test_cancel_ends_the_dialog_and_its_buttons_go_stale(
    bot: Harness, assistant: Assistant
) -> None:
    await link(bot, assistant)
    [duties] = await bot.say("/baocao")
    await bot.press(buttons_of(duties)[0][0])
    [cancelled] = await bot.say("/huy")
    assert "Đã hủy báo cáo" in cancelled["text"]
    assert open_dialogs(assistant) == 0

    calls = await bot.press("Hoàn thành")
    [answered] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answered.params["text"] == assistant.core.report.labels.stale
    assert sent(calls) == []
    assert reports(assistant) == []
    [nothing] = await bot.say("/huy")
    assert "Không có thao tác nào" in nothing["text"]


async def test_a_dialog_survives_a_restart_of_the_bot(
    api: FakeBotApi, assistant: Assistant
) -> None:
    async with serving(api, assistant) as bot:
        await link(bot, assistant)
        [duties] = await bot.say("/baocao")
        [status] = sent(await bot.press(buttons_of(duties)[1][0]))
        assert "Tình trạng thực hiện" in status["text"]

    # A new process on the same database: new engine, new Application.
    restarted = dataclasses.replace(assistant, sessions=prepare_database(assistant.settings))
    async with serving(api, restarted) as bot:
        [percent] = sent(await bot.press("Gặp vướng mắc"))  # a button sent before the restart
        assert "bao nhiêu phần trăm" in percent["text"]
        await bot.say("30%")
        await bot.say("Chưa có hạ tầng")
        await bot.press("Bỏ qua")
        [receipt] = sent(await bot.press("✔ Lưu báo cáo"))
    assert "Đã lưu báo cáo số" in receipt["text"]
    [saved] = reports(assistant)
    assert (saved.status, saved.percent, saved.blockers) == ("blocked", 30, "Chưa có hạ tầng")
    assert len(api.calls_of("setMyCommands")) >= 2  # the menu is registered at every start


async def test_fifty_users_report_at_once(api: FakeBotApi, assistant: Assistant) -> None:
    users = list(range(10_001, 10_051))
    # Telegram's 30 messages/s would make this test take 12 s; the limiter has its own test.
    async with serving(api, assistant, overall_max_rate=0) as bot:

        async def everyone(push: Callable[[int], JSON]) -> None:
            await bot.until_handled(*[push(user) for user in users], timeout=60)

        codes = {user: invite_code(assistant) for user in users}
        await everyone(lambda user: api.push_message(user, f"/start {codes[user]}"))
        await everyone(lambda user: api.push_message(user, "/baocao"))
        for label in ("duty", "Hoàn thành", "Hôm nay", "Bỏ qua", "Bỏ qua", "✔ Lưu báo cáo"):

            def press(user: int, label: str = label) -> JSON:
                if label == "duty":  # each user picks a different duty on the first page
                    message_id, _ = find_button(api, user, "✖ Hủy")
                    keyboard = api.messages[(user, message_id)]["reply_markup"]
                    row = keyboard["inline_keyboard"][user % 6]
                    return api.push_callback(user, message_id, row[0]["callback_data"])
                message_id, payload = find_button(api, user, label)
                return api.push_callback(user, message_id, payload)

            await everyone(press)

    receipts = [m for m in api.sent_messages() if "Đã lưu báo cáo số" in m["text"]]
    assert sorted(m["chat_id"] for m in receipts) == users
    saved = reports(assistant)
    assert len(saved) == 50 and {r.status for r in saved} == {"done"}
    assert len({r.duty_id for r in saved}) == 6
    assert all(c.ok for c in api.calls)
    assert not [m for m in api.sent_messages() if m["text"] == APOLOGY]
    assert open_dialogs(assistant) == 0


async def test_webhook_mode_serves_signed_updates_on_the_shared_listener(
    api: FakeBotApi, assistant: Assistant
) -> None:
    """TELEGRAM_WEBHOOK_URL set: the real PTB Application registers its webhook with the
    (fake) Bot API and gets its updates through the project's one HTTP listener, which
    serves the portal on the same port; only requests signed with the secret count."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_BASE_URL": api.base_url,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/tg/",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret_-X",
        }
    )
    runner = TelegramRunner(settings, assistant)
    path = runner.webhook_url.removeprefix("https://bot.example.vn/tg")
    assert path.startswith("/telegram/") and api.token.split(":")[1] not in path
    portal = Portal(assistant, "https://bot.example.vn/tg").routes()
    http = HttpServer([*runner.routes, *portal], "127.0.0.1", port)
    update = api.push_message(CHAT, "Sở Nội vụ phải làm gì?")  # not polled: posted below
    url = f"http://127.0.0.1:{port}{path}"
    secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_-X"}
    await http.start()
    try:
        await runner.start()
        [registered] = api.calls_of("setWebhook")
        assert registered.params["url"] == "https://bot.example.vn/tg" + path
        assert registered.params["secret_token"] == "s3cret_-X"
        async with httpx.AsyncClient() as client:
            unsigned = await client.post(url, json=update)
            wrong = await client.post(url, json=update, headers={SECRET_HEADER: "other"})
            wrong_path = await client.post(url + "x", json=update, headers=secret)
            junk = await client.post(url, content=b"[1, 2]", headers=secret)
            assert (unsigned.status_code, wrong.status_code) == (403, 403)
            assert (wrong_path.status_code, junk.status_code) == (404, 400)
            assert api.sent_messages() == []
            signed = await client.post(url, json=update, headers=secret)
            assert signed.status_code == 200
            [answer] = await api.wait_for("sendMessage", timeout=10)
            assert "Mục 2.d" in answer.params["text"]
            # The portal answers on the same port.
            login = await client.get(f"http://127.0.0.1:{port}/dang-nhap")
            assert login.status_code == 200 and "/web" in login.text
        assert api.calls_of("getUpdates") == []  # no polling beside the webhook
    finally:
        await runner.stop()
        await http.stop()


async def test_polling_stays_the_default(api: FakeBotApi, assistant: Assistant) -> None:
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url}
    )
    runner = TelegramRunner(settings, assistant)
    assert runner.routes == [] and "long polling" in runner.label
    await runner.start()
    try:
        api.push_message(CHAT, "Sở Nội vụ phải làm gì?")
        [answer] = await api.wait_for("sendMessage", timeout=10)
        assert "Mục 2.d" in answer.params["text"]
        assert api.calls_of("setWebhook") == [] and api.calls_of("deleteWebhook")
    finally:
        await runner.stop()


async def test_bot_run_serves_telegram_until_interrupted(api: FakeBotApi, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_BASE_URL": api.base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "TELEGRAM_WEBHOOK_URL": "",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        [menu] = await api.wait_for("setMyCommands", timeout=60)  # post_init ran
        assert {c["command"] for c in menu.params["commands"]} >= {"start", "baocao"}
        api.push_message(CHAT, "Sở Nội vụ phải làm gì?")
        [answer] = await api.wait_for("sendMessage", timeout=30)
        assert "Mục 2.d" in answer.params["text"] and answer.params["parse_mode"] == "HTML"
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert "long polling" in stderr.decode()
    assert api.token not in stderr.decode()


def test_bot_run_without_a_token_exits_with_2(tmp_path: Path) -> None:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "bot chat" in result.stderr


async def test_per_user_concurrency_keeps_each_users_order(
    api: FakeBotApi, assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`concurrency` (CHANNEL_CONCURRENCY): users overlap, a user's own updates never do."""
    in_flight: dict[str, int] = {}
    overlap = {"users": 0}

    def handle(self: Core, session: Any, message: IncomingMessage) -> Response:
        in_flight[message.user_id] = in_flight.get(message.user_id, 0) + 1
        assert in_flight[message.user_id] == 1, "two updates of one user at once"
        overlap["users"] = max(overlap["users"], sum(1 for n in in_flight.values() if n))
        time.sleep(0.02 if int(message.text.split()[-1]) % 2 else 0.001)
        in_flight[message.user_id] -= 1
        return Response((Reply("qa/faq", {"entry": {"answer": message.text}, "citations": []}),))

    monkeypatch.setattr(Core, "handle", handle)
    users = range(20_001, 20_011)
    async with serving(api, assistant, concurrency=8, overall_max_rate=0) as bot:
        updates = [api.push_message(u, f"tin {n}") for n in range(6) for u in users]
        await bot.until_handled(*updates, timeout=30)
    for user in users:
        assert [m["text"] for m in api.sent_messages(user)] == [f"tin {n}" for n in range(6)]
    assert overlap["users"] > 1


def test_the_core_does_not_know_telegram() -> None:
    """Only bot/channels/telegram may import python-telegram-bot (or the channel)."""
    offenders = []
    for folder in ("bot/core", "bot/dialogs", "nlu"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                for name in names:
                    if name.split(".")[0] == "telegram" or name.startswith("bot.channels"):
                        offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []
