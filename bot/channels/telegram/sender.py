"""The Telegram `Sender`: outbox messages through PTB's `Bot`, errors mapped for the drain.

A message goes out exactly as a reply would (`render.to_outgoing`, `render.send_all`):
HTML in parts of at most 4096 characters, the buttons under the last part, then its
photos (a digest's chart) and documents (its .xlsx). A message in several parts is
one outbox row: a failure after the first part sends the whole of it again (see the
README's duplicate window).
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

from jinja2 import TemplateError
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.application.delivery import PermanentError, RecipientBlocked, RetryLater, TransientError
from bot.application.messages import Reply
from bot.application.render import Renderer
from bot.channels.telegram.render import send_all, to_outgoing


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns while it moves from int to timedelta
        warnings.simplefilter("ignore")
        value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class TelegramSender:
    channel = "telegram"

    def __init__(self, bot: Bot, renderer: Renderer | None = None) -> None:
        self.bot = bot
        self.renderer = renderer or Renderer(output="html")

    async def send(self, address: str, message: Reply) -> str:
        try:
            outgoing = to_outgoing(self.renderer, message)
        except TemplateError as error:  # the same message fails the same way every time
            raise PermanentError(f"message {message.template} did not render: {error}") from error
        try:
            return await send_all(self.bot, int(address), outgoing)
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
