"""The Telegram `Sender`: outbox payloads through PTB's `Bot`, errors mapped for the drain.

Texts are HTML (the payload says so), cut into parts of at most 4096 characters like
every other reply; the buttons go under the last part; photos (a digest's chart, sent
with sendPhoto) and then documents (its .xlsx) follow. A payload in several parts is
one outbox row: a failure after the first part sends the whole of it again (see the
README's duplicate window).
"""

from __future__ import annotations

import base64
import datetime as dt
import warnings
from collections.abc import Mapping
from typing import Any

from telegram import Bot, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.application.delivery import PermanentError, RecipientBlocked, RetryLater, TransientError
from bot.application.messages import Button
from bot.channels.telegram.render import inline_keyboard, split_message


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns while it moves from int to timedelta
        warnings.simplefilter("ignore")
        value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class TelegramSender:
    channel = "telegram"

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, address: str, payload: Mapping[str, Any]) -> str:
        try:
            return await self._send(int(address), payload)
        except RetryAfter as error:
            raise RetryLater(retry_seconds(error), str(error)) from error
        except Forbidden as error:
            raise RecipientBlocked(str(error)) from error
        except BadRequest as error:  # a subclass of NetworkError: before it
            raise PermanentError(str(error)) from error
        except NetworkError as error:  # 5xx, time-outs, connection errors
            raise TransientError(str(error)) from error
        except TelegramError as error:  # InvalidToken, Conflict ...: not the message's fault
            raise TransientError(f"{type(error).__name__}: {error}") from error

    async def _send(self, chat_id: int, payload: Mapping[str, Any]) -> str:
        html = payload.get("parse_mode") == "HTML"
        parts = split_message(str(payload.get("text", ""))) if html else [payload["text"]]
        buttons = [Button(label, data) for label, data in payload.get("buttons", [])]
        keyboard = inline_keyboard(buttons, int(payload.get("columns", 1)))
        ref = ""
        for i, part in enumerate(parts):
            message = await self.bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML if html else None,
                reply_markup=keyboard if i == len(parts) - 1 else None,
            )
            ref = ref or str(message.message_id)
        for photo in payload.get("photos", []):
            await self.bot.send_photo(
                chat_id,
                InputFile(base64.b64decode(photo["content"]), filename=photo["filename"]),
                caption=photo.get("caption") or None,
            )
        for document in payload.get("documents", []):
            await self.bot.send_document(
                chat_id,
                InputFile(base64.b64decode(document["content"]), filename=document["filename"]),
                caption=document.get("caption") or None,
            )
        return ref
