"""What every POST the listener takes needs first: the shared secret a webhook carries,
checked in constant time, and the body read up to a bound (declared or streamed), so
that nobody can make the process hold a body of any size. Used by Zalo's and
Telegram's webhooks and the portal's forms."""

from __future__ import annotations

import hmac

from starlette.requests import Request


def has_secret(request: Request, header: str, expected: bytes) -> bool:
    return hmac.compare_digest(request.headers.get(header, "").encode(), expected)


async def bounded_body(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is longer than `limit` bytes (or says so, or gives a
    length that is no number)."""
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
