"""The Zalo channel inside `bot run`: long polling, or a webhook on the project's HTTP
listener when ZALO_WEBHOOK_URL is set; and its sender, whose files are download links
on that listener when its public address is known (WEB_PUBLIC_URL, or the webhook's).
Polling and a webhook exclude each other: polling removes any webhook left set.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from starlette.routing import BaseRoute

from bot.application.assistant import Assistant
from bot.application.file_links import FileLinks
from bot.application.render import Renderer
from bot.channels.http import file_route
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.polling import Update, handle_queued, poll
from bot.channels.zalo.sender import ZaloSender
from bot.channels.zalo.updates import Deduper
from bot.channels.zalo.webhook import webhook_path, webhook_route
from bot.config import Settings

log = logging.getLogger(__name__)


class ZaloRunner:
    name = "zalo"

    def __init__(self, settings: Settings, assistant: Assistant, poll_timeout: int = 30) -> None:
        self.client = ZaloClient(settings.zalo_token, base_url=settings.zalo_base_url)
        renderer = Renderer(settings.templates_dir, "text")
        # Files go out as links to the HTTP listener when users can reach it.
        links = None
        if settings.public_url:
            ttl = dt.timedelta(hours=settings.file_link_hours)
            links = FileLinks(assistant.sessions, settings.public_url, ttl)
        self.sender = ZaloSender(
            self.client, renderer, settings.zalo_message_limit, file_links=links
        )
        self.channel = ZaloChannel(assistant, self.sender)
        self.poll_timeout = poll_timeout
        self.concurrency = settings.channel_concurrency
        self.webhook_url = settings.zalo_webhook_url.rstrip("/")
        self.webhook_path = webhook_path(settings.zalo_token)
        self.label = (
            f"Zalo (webhook {self.webhook_url}/…)" if self.webhook_url else "Zalo (long polling)"
        )
        self._stop = asyncio.Event()
        self._queue: asyncio.Queue[Update | None] = asyncio.Queue(maxsize=100)
        self._task: asyncio.Task[None] | None = None
        self.routes: list[BaseRoute] = []
        if self.webhook_url:
            route = webhook_route(
                self.webhook_path, settings.zalo_webhook_secret, self._queue, Deduper()
            )
            self.routes.append(route)
        if links is not None:
            self.routes.append(file_route(links))
        self._secret = settings.zalo_webhook_secret

    async def start(self) -> None:
        """Check the token (getMe); then set the webhook (the HTTP listener serves
        `routes`) or drop any webhook left set and poll, in the background."""
        me = await self.client.get_me()
        log.info("Zalo bot %s is up", me.get("account_name", ""))
        if self.webhook_url:
            await self.client.set_webhook(self.webhook_url + self.webhook_path, self._secret)
            self._task = asyncio.create_task(
                handle_queued(self._queue, self.channel.handle, self.concurrency)
            )
            return
        await self.client.delete_webhook()
        self._task = asyncio.create_task(
            poll(
                self.client,
                self.channel.handle,
                self._stop,
                Deduper(),
                self.poll_timeout,
                concurrency=self.concurrency,
            )
        )

    async def stop(self) -> None:
        if self.webhook_url:
            await self._queue.put(None)  # what arrived is handled first
        self._stop.set()
        if self._task is not None:
            await self._task
        await self.client.close()
