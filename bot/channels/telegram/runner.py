"""The Telegram channel inside `bot run`: python-telegram-bot's Application started by
hand (long polling, or its webhook server), and the sender of pushed messages."""

from __future__ import annotations

from starlette.routing import BaseRoute
from telegram import Update

from bot.application.assistant import Assistant
from bot.application.render import Renderer
from bot.channels.telegram.app import (
    build_application,
    file_url_for,
    register_commands,
    webhook_options,
)
from bot.channels.telegram.sender import TelegramSender
from bot.config import Settings


class TelegramRunner:
    name = "telegram"

    def __init__(self, settings: Settings, assistant: Assistant) -> None:
        self.settings = settings
        base_url = settings.telegram_base_url or None
        self.application = build_application(
            assistant,
            settings.telegram_token,
            base_url=base_url,
            base_file_url=file_url_for(base_url) if base_url else None,
            concurrency=settings.channel_concurrency,
        )
        # Telegram's webhook has its own server (python-telegram-bot's), not the listener.
        self.routes: list[BaseRoute] = []
        renderer = Renderer(settings.templates_dir, "html")
        self.sender = TelegramSender(self.application.bot, renderer)
        webhook = settings.telegram_webhook_url
        self.label = (
            f"Telegram (webhook {webhook.rstrip('/')}/…)"
            if webhook
            else ("Telegram (long polling)")
        )

    async def start(self) -> None:
        """getMe (a wrong token fails here), then updates, then the command menu. Called
        again after a failure (the platform could not be reached), it goes on from the
        step that failed."""
        application = self.application
        await application.initialize()  # nothing once done
        if not application.running:
            await application.start()
        updater = application.updater
        assert updater is not None  # built with one
        if not updater.running:
            if self.settings.telegram_webhook_url:
                await updater.start_webhook(**webhook_options(self.settings))
            else:
                await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        await register_commands(application)

    async def stop(self) -> None:
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
