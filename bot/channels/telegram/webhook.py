"""Telegram's webhook on the project's HTTP listener (python-telegram-bot's "custom
webhook" setup): Telegram POSTs each update to a secret path, signed with the secret
given to setWebhook in `X-Telegram-Bot-Api-Secret-Token`; a request without it, or
with another, gets 403 (compared in constant time). Bodies are bounded. The update
goes into the Application's queue, handled as a polled one, and the request is
answered at once, so Telegram never waits for the core.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.channels.request_body import bounded_body, has_secret

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update is a few KB; a message's text is at most 4,096 characters, a caption 1,024.
MAX_BODY = 1_000_000


def webhook_route(
    path: str, secret: str, application: Application[Any, Any, Any, Any, Any, Any]
) -> Route:
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        if not has_secret(request, SECRET_HEADER, expected):
            log.warning("refused a Telegram webhook request without the right secret")
            return Response(status_code=403)
        body = await bounded_body(request, MAX_BODY)
        if body is None:
            return Response(status_code=413)
        try:
            data = json.loads(body)
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    return Route(path, receive, methods=["POST"])
