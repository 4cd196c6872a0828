"""Telegram updates in, core replies out: adapt -> call the core -> send.

Every handler does the same three things and nothing else: turn the update into a
platform-neutral `IncomingMessage`, run `Core.handle` in a worker thread (it does
blocking database and NLU work) inside a session scope, and send the rendered
replies back to the chat the update came from. What to answer, and whether to
answer at all (groups, edits, stickers), is the core's decision.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.application.assistant import Assistant
from bot.application.commands import CommandTable, Held, parse_command
from bot.application.messages import APOLOGY, Attachment, IncomingMessage, Response
from bot.application.render import Renderer
from bot.channels.telegram.render import Outgoing, send_all, to_outgoing
from bot.storage.db import session_scope

log = logging.getLogger(__name__)

CHANNEL = "telegram"
# Plain text on purpose: it must go out even when rendering is what failed.
# Roles whose command menu differs from everyone's, set for their chat on /start.
ROLES_WITH_OWN_MENU = frozenset({"manager", "admin"})


def commands_for(table: CommandTable, roles: Held) -> list[BotCommand]:
    """The messenger's command menu for a user holding `roles`, from the declared commands."""
    return [BotCommand(c.name, c.description) for c in table.menu_for(roles)]


@dataclass(frozen=True)
class Outcome:
    """What the core answered, rendered; and the user's command menu when it must be set."""

    response: Response
    messages: tuple[Outgoing, ...]
    menu_roles: frozenset[str] = frozenset()
    set_menu: bool = False


def to_incoming(update: Update) -> IncomingMessage | None:
    """The platform-neutral message for an update (None: nobody to answer, e.g. a channel post)."""
    user = update.effective_user
    if user is None:
        return None
    chat = update.effective_chat
    is_private = chat is None or chat.type == ChatType.PRIVATE
    common: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": str(user.id),
        "display_name": user.full_name,
        "is_private": is_private,
    }
    query = update.callback_query
    if query is not None:
        return IncomingMessage(payload=query.data or "", **common)
    message = update.effective_message
    if message is None:
        return None
    return IncomingMessage(
        text=message.text or message.caption or "",
        attachment=attachment_of(message),
        edited=update.edited_message is not None or update.edited_channel_post is not None,
        **common,
    )


def attachment_of(message: Message) -> Attachment | None:
    """A document as it was sent; a photo as its largest size."""
    document = message.document
    if document is not None:
        return Attachment(
            "document", document.file_id, document.file_name or "", document.file_size or 0
        )
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return Attachment("photo", largest.file_id, size=largest.file_size or 0)
    return None


def reply_chat_id(update: Update) -> int | None:
    """Replies go to the chat the update came from (a button on an inline message: the user)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class TelegramChannel:
    """The handlers, bound to one assistant and its HTML renderer."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.renderer = Renderer(assistant.settings.templates_dir, "html")

    # ----- handlers ----------------------------------------------------------------------------
    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any message (text, command, file, sticker, edit ...) or button press."""
        message = to_incoming(update)
        if message is None:
            log.debug("ignored update %s: no user to answer", update.update_id)
            return
        message = await self._with_content(context, message)
        outcome = await asyncio.to_thread(self.handle, message)
        query = update.callback_query
        if query is not None:
            await self._answer_query(update, outcome.response.notice or None)
        chat_id = reply_chat_id(update)
        if chat_id is None:
            return
        if outcome.set_menu and update.effective_user is not None:
            await self._set_menu(context, update.effective_user.id, outcome.menu_roles)
        await self.send(context, chat_id, outcome.messages)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log with the traceback; tell the user, briefly, that it went wrong."""
        error = context.error
        if isinstance(error, Forbidden):  # blocked by the user, kicked from the group ...
            log.info("cannot reach the user of update %s: %s", _update_id(update), error)
            return
        log.error("error while handling update %s", _update_id(update), exc_info=error)
        if not isinstance(update, Update):
            return  # polling or job errors: no user waiting for an answer
        if update.callback_query is not None:
            await self._answer_query(update, None)
        chat_id = reply_chat_id(update)
        if chat_id is None:
            return
        try:
            await context.bot.send_message(chat_id, APOLOGY)
        except TelegramError as apology_error:
            log.warning(
                "could not send the apology for update %s: %s", update.update_id, apology_error
            )

    async def _with_content(
        self, context: ContextTypes.DEFAULT_TYPE, message: IncomingMessage
    ) -> IncomingMessage:
        """A file the core wants (a report's evidence, an admin's content file) comes
        with its bytes, when Telegram hands them over within the core's limit; other
        files, and files too big or that failed, come without (the core says why)."""
        attachment = message.attachment
        if attachment is None:
            return message
        limit = await asyncio.to_thread(self._file_wanted, message)
        if limit == 0 or attachment.size > limit:  # Telegram said its size: not fetched
            return message
        try:
            file = await context.bot.get_file(attachment.file_id)
            content = bytes(await file.download_as_bytearray())
        except TelegramError as error:
            log.warning("could not download %s: %s", attachment.file_name, error)
            return message  # the core answers that the file could not be read
        if len(content) > limit:
            return replace(message, attachment=replace(attachment, size=len(content)))
        return replace(message, attachment=replace(attachment, content=content))

    def _file_wanted(self, message: IncomingMessage) -> int:
        with session_scope(self.assistant.sessions) as session:
            return self.assistant.core.file_wanted(session, message)

    # ----- the core and rendering (in a worker thread) ----------------------------------------
    def handle(self, message: IncomingMessage) -> Outcome:
        """Run the core on one message in its own session (committed when it returns), then
        render its replies (after the commit: a template error must not undo a saved report)."""
        core = self.assistant.core
        menu_roles: frozenset[str] = frozenset()
        set_menu = False
        with session_scope(self.assistant.sessions) as session:
            response = core.handle(session, message)
            command = parse_command(message.text) if message.text else None
            is_start = command is not None and command[0] == "start"
            if response.refresh_menu or is_start:
                menu_roles = core.role_of(session, message.channel, message.user_id)
                set_menu = response.refresh_menu or bool(menu_roles & ROLES_WITH_OWN_MENU)
        return Outcome(response, self.render(response), menu_roles, set_menu)

    def render(self, response: Response) -> tuple[Outgoing, ...]:
        """Every reply as HTML, long ones in parts; a reply's buttons go under its last part."""
        return tuple(m for reply in response.replies for m in to_outgoing(self.renderer, reply))

    # ----- sending -----------------------------------------------------------------------------
    async def send(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, messages: Sequence[Outgoing]
    ) -> None:
        """The messages in order, to the chat the update came from."""
        await send_all(context.bot, chat_id, messages)

    async def _answer_query(self, update: Update, text: str | None) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer(text=text)
        except BadRequest as error:  # "query is too old": the press is still handled
            log.info("could not answer callback query %s: %s", query.id, error)

    async def _set_menu(
        self, context: ContextTypes.DEFAULT_TYPE, user_id: int, roles: frozenset[str]
    ) -> None:
        """The user's own command menu (their private chat's id is their user id)."""
        try:
            await context.bot.set_my_commands(
                commands_for(self.assistant.core.commands, roles),
                scope=BotCommandScopeChat(user_id),
            )
        except TelegramError as error:  # a menu is a convenience: never fail the reply for it
            log.warning("could not set the command menu of %s: %s", user_id, error)


def _update_id(update: object) -> object:
    return update.update_id if isinstance(update, Update) else None
