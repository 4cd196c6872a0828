"""The fake Bot API drives the real python-telegram-bot: polling, buttons, files and faults."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.fake_bot_api import ApiError, FakeBotApi, check_telegram_html

CHAT = 4242


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as b:
        yield b


def builder_for(api: FakeBotApi) -> ApplicationBuilder:  # type: ignore[type-arg]
    return (
        Application.builder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
    )


@asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run ``app`` the way ``run_polling`` does, but inside the test's event loop."""
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("Xin chào! Tôi có thể giúp gì?")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the text with one inline button."""
    assert update.message is not None and update.message.text is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Đã xong", callback_data="done:7")]])
    await update.message.reply_text(f"Bạn nói: {update.message.text}", reply_markup=keyboard)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button press and replace the message text."""
    query = update.callback_query
    assert query is not None
    await query.answer("Đã ghi nhận")
    await query.edit_message_text(f"Bạn chọn: {query.data}")


async def test_polling_command_echo_and_button_round_trip(api: FakeBotApi) -> None:
    app = builder_for(api).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(pressed))

    async with polling(app):
        api.push_message(CHAT, "/start")
        [greeting] = await api.wait_for("sendMessage")
        assert greeting.params["chat_id"] == CHAT
        assert greeting.params["text"].startswith("Xin chào")

        api.push_message(CHAT, "báo cáo tiến độ")
        calls = await api.wait_for("sendMessage", count=2)
        echoed = calls[1].params
        assert echoed["text"] == "Bạn nói: báo cáo tiến độ"
        assert echoed["reply_markup"] == {
            "inline_keyboard": [[{"text": "Đã xong", "callback_data": "done:7"}]]
        }
        # message ids are per chat and shared by both sides: /start=1, greeting=2, text=3, echo=4
        bot_message_id = 4
        assert api.messages[(CHAT, bot_message_id)]["reply_markup"] == echoed["reply_markup"]

        api.push_callback(CHAT, bot_message_id, "done:7")
        [answer] = await api.wait_for("answerCallbackQuery")
        [edit] = await api.wait_for("editMessageText")

    assert answer.params["text"] == "Đã ghi nhận"
    assert answer.params["callback_query_id"].startswith("cbq")
    assert edit.params == {
        "chat_id": CHAT,
        "message_id": bot_message_id,
        "text": "Bạn chọn: done:7",
    }
    assert api.messages[(CHAT, bot_message_id)]["text"] == "Bạn chọn: done:7"
    assert "reply_markup" not in api.messages[(CHAT, bot_message_id)]
    # start-up and shut-down went through the fake too, and no update was handled twice
    methods = [c.method for c in api.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    assert len(api.sent_messages(CHAT)) == 2
    assert api.calls_of("getUpdates")[-1].params["timeout"] == 0  # PTB's confirming call
    assert all(c.ok for c in api.calls)


# AIORateLimiter reads RetryAfter.retry_after as int, which PTB 22.2+ deprecates in its own code.
@pytest.mark.filterwarnings(
    "ignore:.*retry_after.*timedelta:telegram.warnings.PTBDeprecationWarning"
)
async def test_retry_after_is_retried_by_the_rate_limiter(api: FakeBotApi) -> None:
    app = builder_for(api).rate_limiter(AIORateLimiter(max_retries=2)).build()
    app.add_handler(CommandHandler("start", start))
    api.fail_next("sendMessage", status=429, retry_after=1)

    async with polling(app):
        api.push_message(CHAT, "/start")
        first, second = await api.wait_for("sendMessage", count=2, timeout=5)

    assert (first.status, second.status) == (429, 200)
    assert second.time - first.time >= 1.0  # PTB waited retry_after before trying again
    assert [m["text"] for m in api.sent_messages(CHAT)] == ["Xin chào! Tôi có thể giúp gì?"]


async def test_blocked_user_raises_forbidden(api: FakeBotApi, bot: Bot) -> None:
    api.block_user(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "Nhắc việc")
    assert api.sent_messages() == []
    assert api.calls_of("sendMessage")[0].status == 403

    api.unblock_user(CHAT)
    message = await bot.send_message(CHAT, "Nhắc việc")
    assert message.text == "Nhắc việc" and message.from_user == bot.bot


async def test_faults_map_to_ptb_errors(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(CHAT, "a")

    api.fail_next("sendMessage", status=403, error_description="Forbidden: user is deactivated")
    with pytest.raises(Forbidden, match="deactivated"):
        await bot.send_message(CHAT, "a")

    api.fail_next("sendMessage", delay=0.3)
    began = time.monotonic()
    await bot.send_message(CHAT, "chậm")
    assert time.monotonic() - began >= 0.3

    api.fail_next("sendChatAction", delay=1.0)
    with pytest.raises(TimedOut):
        await bot.send_chat_action(CHAT, ChatAction.TYPING, read_timeout=0.2)

    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHAT, " ")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("chậm", chat_id=CHAT, message_id=1)
    assert [m["text"] for m in api.sent_messages()] == ["chậm"]


async def test_wrong_token_is_rejected(api: FakeBotApi) -> None:
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with Bot("999:wrong", base_url=api.base_url):
            pass  # entering calls getMe


async def test_get_updates_long_poll_and_offset(api: FakeBotApi, bot: Bot) -> None:
    first = api.push_message(CHAT, "một")
    api.push_message(CHAT, "hai")
    updates = await bot.get_updates(timeout=1)
    assert [u.message.text for u in updates if u.message] == ["một", "hai"]
    assert updates[0].update_id == first["update_id"]

    confirmed = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    assert confirmed == ()

    began = time.monotonic()
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1) == ()
    assert 0.9 <= time.monotonic() - began < 2  # an empty long poll lasts `timeout`

    api.push_edited_message(CHAT, first["message"]["message_id"], "một (sửa)")
    api.push_sticker(CHAT, emoji="🙏")
    api.push_photo(CHAT, b"\xff\xd8jpeg", caption="ảnh")
    api.push_message(-100777, "/help@test_bot", user_id=5, chat_type="supergroup")
    edited, sticker, photo, group = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert edited.edited_message is not None and edited.edited_message.text == "một (sửa)"
    assert sticker.message is not None and sticker.message.sticker is not None
    assert sticker.message.sticker.emoji == "🙏"
    assert photo.message is not None and photo.message.caption == "ảnh"
    assert group.effective_chat is not None and group.effective_chat.type == "supergroup"
    assert group.effective_user is not None and group.effective_user.id == 5


async def test_files_commands_and_markup_edits(api: FakeBotApi, bot: Bot) -> None:
    pushed = api.push_document(CHAT, "bao_cao.xlsx", b"PK\x03\x04data", caption="Báo cáo")
    document = pushed["message"]["document"]
    file = await bot.get_file(document["file_id"])
    assert file.file_path is not None and file.file_path.startswith(api.base_file_url)
    assert bytes(await file.download_as_bytearray()) == b"PK\x03\x04data"

    sent = await bot.send_photo(CHAT, photo=b"\x89PNG fake", caption="Biểu đồ")
    [upload] = api.calls_of("sendPhoto")
    assert upload.files["photo"].content == b"\x89PNG fake"
    again = await bot.get_file(sent.photo[-1].file_id)
    assert bytes(await again.download_as_bytearray()) == b"\x89PNG fake"
    doc = await bot.send_document(CHAT, document=b"a,b\n1,2\n", filename="ket_qua.csv")
    assert doc.document is not None and doc.document.file_name == "ket_qua.csv"

    commands = [BotCommand("start", "Bắt đầu"), BotCommand("help", "Trợ giúp")]
    assert await bot.set_my_commands(commands)
    assert await bot.get_my_commands() == tuple(commands)
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.send_chat_action(CHAT, ChatAction.TYPING)

    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Có", callback_data="yes")]])
    message = await bot.send_message(CHAT, "Xác nhận?", reply_markup=keyboard)
    assert message.reply_markup == keyboard
    edited = await bot.edit_message_reply_markup(CHAT, message.message_id, reply_markup=None)
    assert not isinstance(edited, bool) and edited.reply_markup is None


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("<b>đậm</b> &lt;mã&gt; &amp; 1 &lt; 2", True),
        ('<a href="https://x.vn">x</a> <i>n</i>', True),
        ("/moi <mã cơ quan>", False),  # a placeholder Telegram takes for a tag
        ("<b>không đóng", False),
        ("1 < 2", False),
        ("<script>x</script>", False),
    ],
)
def test_html_is_checked_as_telegram_does(text: str, valid: bool) -> None:
    if valid:
        check_telegram_html(text)
    else:
        with pytest.raises(ApiError, match="can't parse entities"):
            check_telegram_html(text)
