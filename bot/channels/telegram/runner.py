"""The Telegram channel inside `bot run`: python-telegram-bot's Application started by
hand, with long polling (the default) or, when TELEGRAM_WEBHOOK_URL is set, a webhook
on the project's one HTTP listener (next to Zalo's webhook and the portal); and the
sender of pushed messages."""

from __future__ import annotations

from starlette.routing import BaseRoute
from telegram import Update

from bot.application.assistant import Assistant
from bot.application.render import Renderer
from bot.channels.telegram.app import (
    build_application,
    file_url_for,
    register_commands,
    webhook_path,
)
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.webhook import webhook_route
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
        renderer = Renderer(settings.templates_dir, "html")
        self.sender = TelegramSender(self.application.bot, renderer)
        webhook = settings.telegram_webhook_url
        path = "/" + webhook_path(settings.telegram_token)
        self.webhook_url = f"{webhook.rstrip('/')}{path}" if webhook else ""
        self.routes: list[BaseRoute] = (
            [webhook_route(path, settings.telegram_webhook_secret, self.application)]
            if webhook
            else []
        )
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
        if self.webhook_url:  # the listener serves `routes`; Telegram is told where
            await application.bot.set_webhook(
                self.webhook_url,
                secret_token=self.settings.telegram_webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            updater = application.updater
            assert updater is not None  # built with one
            if not updater.running:
                # Drops any webhook left set (Telegram refuses getUpdates while one is).
                await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        await register_commands(application)

    async def stop(self) -> None:
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
