"""Zalo updates in, the core's replies out: adapt -> call the core -> send.

As the Telegram handlers: an update becomes an `IncomingMessage`, the core runs in a
worker thread inside a session scope (it does blocking database and NLU work), and
its replies go back to the chat through the same rendering as pushed messages
(`ZaloSender`: plain text, choices numbered, long texts in parts). Zalo shows no
toast for a button press, so a response that only has a notice (a stale choice) is
sent as a message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.application.assistant import Assistant
from bot.application.delivery import DeliveryError, RetryLater, TransientError
from bot.application.messages import APOLOGY, IncomingMessage, Reply, Response
from bot.channels.zalo.sender import ZaloSender
from bot.channels.zalo.updates import reply_chat_id, to_incoming
from bot.storage.db import session_scope

log = logging.getLogger(__name__)

# Plain text on purpose: it must go out even when rendering is what failed.
NOTICE_TEMPLATE = "chat/notice"
REPLY_RETRIES = 2
MAX_RETRY_WAIT = 5.0


class ZaloChannel:
    """The handler of Zalo updates, bound to one assistant and one sender."""

    def __init__(self, assistant: Assistant, sender: ZaloSender) -> None:
        self.assistant = assistant
        self.sender = sender

    async def handle(self, update: Mapping[str, Any]) -> None:
        """One update (from polling or the webhook): answer it in its chat."""
        message = to_incoming(update)
        chat_id = reply_chat_id(update)
        if message is None or chat_id is None:
            log.debug("ignored a Zalo update with nobody to answer")
            return
        message = await self._with_content(message)
        try:
            response = await asyncio.to_thread(self.answer, message)
        except Exception:
            log.exception("error while answering a Zalo message")
            await self._send_plain(chat_id, APOLOGY)
            return
        replies = response.replies
        if not replies and response.notice and message.is_private:
            replies = (Reply(NOTICE_TEMPLATE, {"text": response.notice}),)
        first_choice = 1  # the core numbers the choices of all the replies in a row
        for reply in replies:
            try:
                await self._send(chat_id, reply, first_choice)
            except DeliveryError as error:  # Zalo refused it: nothing more to send
                log.warning("could not send a reply to a Zalo chat: %s", error)
                return
            except Exception:  # a template that did not render, ...: say sorry
                log.exception("could not render or send reply %s", reply.template)
                await self._send_plain(chat_id, APOLOGY)
                return
            first_choice += len(reply.buttons)

    async def _send(self, chat_id: str, reply: Reply, first_choice: int) -> None:
        """Send a reply, again after a 5xx or a 429 (`REPLY_RETRIES` times, waiting
        what Zalo asks, at most `MAX_RETRY_WAIT` s): the user is waiting for it, and
        unlike a nudge a reply has no outbox row to be retried from. A retry after a
        5xx may show the reply twice if Zalo did deliver it; losing it is worse."""
        for attempt in range(REPLY_RETRIES + 1):
            try:
                await self.sender.send(chat_id, reply, first_choice)
                return
            except (TransientError, RetryLater) as error:
                if attempt == REPLY_RETRIES:
                    raise
                wait = error.seconds if isinstance(error, RetryLater) else 2.0**attempt
                log.info("a reply to a Zalo chat failed (%s); trying again", error)
                await asyncio.sleep(min(wait, MAX_RETRY_WAIT))

    async def _with_content(self, message: IncomingMessage) -> IncomingMessage:
        """A photo the core wants (a report's evidence) comes with its bytes, fetched
        from the URL Zalo gave within the core's limit; too big or failed: without
        (the core tells the official it could not be kept)."""
        attachment = message.attachment
        if attachment is None:
            return message
        try:
            limit = await asyncio.to_thread(self._file_wanted, message)
            if limit == 0:
                return message
            content = await self.sender.client.download(attachment.file_id, limit)
        except Exception as error:  # the report goes on without the file
            log.warning("could not download a Zalo photo: %s", error)
            return message
        if content is None:  # read until past the limit: its size is "more than that"
            return replace(message, attachment=replace(attachment, size=limit + 1))
        return replace(message, attachment=replace(attachment, content=content))

    def _file_wanted(self, message: IncomingMessage) -> int:
        with session_scope(self.assistant.sessions) as session:
            return self.assistant.core.file_wanted(session, message)

    def answer(self, message: IncomingMessage) -> Response:
        """The core's response, in its own committed session (a worker thread)."""
        with session_scope(self.assistant.sessions) as session:
            return self.assistant.core.handle(session, message)

    async def _send_plain(self, chat_id: str, text: str) -> None:
        try:
            await self.sender.client.send_message(chat_id, text)
        except Exception as error:  # nothing more to do for this update
            log.warning("could not send the apology to a Zalo chat: %s", error)
