"""Zalo's webhook: updates POSTed to a secret path on the project's HTTP listener.

Zalo sends the secret given to setWebhook in the `X-Bot-Api-Secret-Token` header of
every request: a request without it, or with another, gets 403 (compared in constant
time). Bodies are bounded (`MAX_BODY` bytes: an update is a few hundred). The body is
`{"ok": true, "result": update}` per the docs, a flat update per two SDKs: both are
accepted (`unwrap`). Updates are queued and handled like polled ones (each user's and
chat's in order); the request is answered at once, so Zalo never waits for the core.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.request_body import bounded_body, has_secret
from bot.channels.zalo.updates import Deduper, message_id, unwrap

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY = 64_000
# Zalo takes 8-256 characters as a webhook secret.
SECRET = re.compile(r"[A-Za-z0-9_-]{8,256}")

NO_SECRET_HELP = """\
Chế độ webhook của Zalo (ZALO_WEBHOOK_URL đã được đặt) cần một mã bí mật để Zalo gửi
kèm mọi yêu cầu tới trợ lý: hãy đặt ZALO_WEBHOOK_SECRET gồm 8-256 ký tự A-Z, a-z,
0-9, "_" hoặc "-", ví dụ sinh bằng:
  python3 -c "import secrets; print(secrets.token_urlsafe(32))"
Hoặc bỏ ZALO_WEBHOOK_URL để chạy bằng long polling.
"""


def webhook_path(token: str) -> str:
    """A URL path only Zalo knows: derived from the token, without revealing it."""
    return "/zalo/" + hashlib.sha256(token.encode()).hexdigest()[:32]


def webhook_route(
    path: str, secret: str, queue: asyncio.Queue[dict[str, object] | None], deduper: Deduper
) -> Route:
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        if not has_secret(request, SECRET_HEADER, expected):
            log.warning("refused a Zalo webhook request without the right secret")
            return Response(status_code=403)
        body = await bounded_body(request, MAX_BODY)
        if body is None:
            return Response(status_code=413)
        try:
            update = unwrap(json.loads(body))
        except ValueError:
            return Response(status_code=400)
        if update is None:
            return Response(status_code=400)
        if deduper.is_new(update):
            await queue.put(update)
        else:
            log.info("dropped a second delivery of Zalo message %s", message_id(update))
        return JSONResponse({"ok": True})

    return Route(path, receive, methods=["POST"])
