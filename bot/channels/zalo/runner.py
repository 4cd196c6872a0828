"""The Zalo channel inside `bot run`: long polling until stopped, and its sender.

Polling only for now: the Zalo webhook (`setWebhook` + `X-Bot-Api-Secret-Token`) needs
the project's HTTP endpoint, which comes with the web portal. Polling and a webhook
exclude each other, so start-up removes any webhook left set.
"""

from __future__ import annotations

import asyncio
import logging

from bot.application.assistant import Assistant
from bot.application.render import Renderer
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.polling import poll
from bot.channels.zalo.sender import ZaloSender
from bot.channels.zalo.updates import Deduper
from bot.config import Settings

log = logging.getLogger(__name__)


class ZaloRunner:
    name = "zalo"
    label = "Zalo (long polling)"

    def __init__(self, settings: Settings, assistant: Assistant, poll_timeout: int = 30) -> None:
        self.client = ZaloClient(settings.zalo_token, base_url=settings.zalo_base_url)
        renderer = Renderer(settings.templates_dir, "text")
        self.sender = ZaloSender(self.client, renderer, settings.zalo_message_limit)
        self.channel = ZaloChannel(assistant, self.sender)
        self.poll_timeout = poll_timeout
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Check the token (getMe), drop any webhook, and poll in the background."""
        me = await self.client.get_me()
        log.info("Zalo bot %s is up", me.get("account_name", ""))
        await self.client.delete_webhook()
        self._task = asyncio.create_task(
            poll(self.client, self.channel.handle, self._stop, Deduper(), self.poll_timeout)
        )

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
        await self.client.close()
