"""The python-telegram-bot Application for the assistant.

`build_application` wires the handlers of `handlers.TelegramChannel` into a PTB
Application; `runner.TelegramRunner` starts it inside `bot run`, with long polling,
or with a webhook on the HTTP listener (`webhook.py`) when TELEGRAM_WEBHOOK_URL is set.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot.application.assistant import Assistant
from bot.channels.ordering import KeyedOrder
from bot.channels.telegram.handlers import TelegramChannel, commands_for
from bot.config import DEFAULT_CONCURRENCY, Settings

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as a webhook secret token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")

NO_SECRET_HELP = """\
Chế độ webhook (TELEGRAM_WEBHOOK_URL đã được đặt) cần một mã bí mật để Telegram
ký mọi yêu cầu gửi tới bot: hãy đặt TELEGRAM_WEBHOOK_SECRET gồm 1-256 ký tự
A-Z, a-z, 0-9, "_" hoặc "-", ví dụ sinh bằng:
  python3 -c "import secrets; print(secrets.token_urlsafe(32))"
Hoặc bỏ TELEGRAM_WEBHOOK_URL để chạy bằng long polling.
"""


class OrderedUpdateProcessor(BaseUpdateProcessor):
    """Updates of different users and chats at once, each user's and each chat's in order
    (`KeyedOrder`): one user's slow update (an admin's import) holds up nobody else.

    PTB starts one task per update, in arrival order, and each reaches
    `do_process_update` on its first step, where `KeyedOrder.run` registers it before
    anything awaits. PTB's own semaphore (taken before that) is made too large to ever
    block, so it cannot reorder anything; `max_concurrent` is enforced by the order.
    The core is called from several worker threads at once: its state is in the
    database, and what it shares in memory (the Q&A indexes) is only read or swapped.
    """

    def __init__(self, max_concurrent: int) -> None:
        super().__init__(max_concurrent_updates=1 << 30)
        self._order = KeyedOrder(max_concurrent)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await self._order.run(_order_keys(update), lambda: coroutine)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _order_keys(update: object) -> tuple[object, ...]:
    """Its user (their dialog) and its chat (a group's replies); else one common key."""
    if not isinstance(update, Update):
        return (("other", None),)
    keys: list[object] = []
    if update.effective_user is not None:
        keys.append(("user", update.effective_user.id))
    if update.effective_chat is not None:
        keys.append(("chat", update.effective_chat.id))
    return tuple(keys) or (("other", None),)


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """post_init: the command menu everyone sees (Vietnamese descriptions)."""
    channel: TelegramChannel = application.bot_data["channel"]
    await application.bot.set_my_commands(commands_for(channel.assistant.core.commands, None))


def build_application(
    assistant: Assistant,
    token: str,
    base_url: str | None = None,
    base_file_url: str | None = None,
    *,
    overall_max_rate: float = 30,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application: rate limited (retrying 429s), Vietnam's time zone, up to
    `concurrency` updates at once, each user's and chat's in order.

    `base_url`/`base_file_url` point it at another Bot API server (a local one, or the
    fake in the tests). `overall_max_rate` is Telegram's ~30 messages/s per bot; 0 lifts
    it (benchmarks of the pipeline itself). `concurrency` 0 is PTB's own one update at
    a time, in arrival order (benchmarks compare the two).
    """
    builder = (
        Application.builder()
        .token(token)
        .rate_limiter(AIORateLimiter(overall_max_rate=overall_max_rate, max_retries=3))
        .defaults(Defaults(tzinfo=TIMEZONE))
        .concurrent_updates(OrderedUpdateProcessor(concurrency) if concurrency > 0 else False)
        .post_init(register_commands)
    )
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    application = builder.build()
    channel = TelegramChannel(assistant)
    application.bot_data["channel"] = channel
    application.add_handler(CallbackQueryHandler(channel.on_update))
    # Every message: text, commands, captions, files, stickers, locations, and edits of them.
    application.add_handler(MessageHandler(filters.ALL, channel.on_update))
    application.add_error_handler(channel.on_error)
    return application


def file_url_for(base_url: str) -> str | None:
    """A self-hosted Bot API server serves files next to the methods: .../bot -> .../file/bot."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else None


def webhook_path(token: str) -> str:
    """A URL path only Telegram knows: derived from the token, without revealing it."""
    return "telegram/" + hashlib.sha256(token.encode()).hexdigest()[:32]


def webhook_problem(settings: Settings) -> str | None:
    """Why Telegram cannot start as configured (in Vietnamese), or None."""
    if settings.telegram_webhook_url and not _SECRET_TOKEN.fullmatch(
        settings.telegram_webhook_secret
    ):
        return NO_SECRET_HELP
    return None
