"""A loopback fake of the Zalo Bot Platform API for driving `bot.channels.zalo` offline.

Point the client at it::

    async with FakeZaloApi() as api, ZaloClient(api.token, base_url=api.base_url) as client:
        api.push_text("6ede9afa66b88fe6d6a9", "xin chào")
        [update] = await client.get_updates(timeout=1)
        await client.send_message("6ede9afa66b88fe6d6a9", "Chào Anh/Chị")

It behaves as the live API does according to ../shared/zalo-bot-api.md: answers
``/bot{token}/{method}`` with the ``{"ok": ..., "result" | "error_code", "description"}``
envelope, errors included with HTTP 200 (a wrong token: 401 "Unauthorized"; a method
name it does not know, compared case-sensitively: 404 "Not Found"; a missing or invalid
parameter: 400 "Bad request: ..."); takes parameters as JSON, form or query string;
hands out ONE queued update per getUpdates call, with no offset, and answers 408
"Request timeout" after ``no_update_wait`` seconds when there is none. It records every
call (answered or failed) and injects faults: nginx's HTTP 429 with an HTML page,
5xx, error envelopes, slow answers, 403 for chosen chats.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.support.call_log import CallLog

JSON = dict[str, Any]
TOKEN = "1459232241454765289:FakeZaloSecret-Abc123xyz"
TEXT_LIMIT = 2000
NGINX_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway"}
REASONS |= {503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


@dataclass(frozen=True)
class RecordedCall:
    """One request: its parameters and how it was answered (error_code 0: answered ok)."""

    method: str
    params: JSON
    time: float  # time.monotonic() when the request arrived
    error_code: int = 0
    http_status: int = 200
    result: Any = None  # what an answered call returned

    @property
    def ok(self) -> bool:
        return self.error_code == 0


@dataclass(frozen=True)
class Fault:
    error_code: int | None = None  # None: answer normally (after the delay)
    description: str = ""
    http_status: int = 200  # the envelope comes with HTTP 200, as measured
    html: bool = False  # nginx's HTML page instead of the envelope
    delay: float = 0.0
    retry_after: int | None = None


class ApiError(Exception):
    """Raised by a method handler to answer with an error envelope."""

    def __init__(self, error_code: int, description: str) -> None:
        super().__init__(description)
        self.error_code, self.description = error_code, description


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeZaloApi(CallLog[RecordedCall]):
    """An aiohttp server on 127.0.0.1 speaking the Zalo Bot API."""

    def __init__(
        self,
        token: str = TOKEN,
        no_update_wait: float = 0.2,
        bot_name: str = "bot.FakeZalo",
    ) -> None:
        super().__init__()
        self.token = token
        self.no_update_wait = no_update_wait
        self.bot: JSON = {
            "id": token.split(":")[0],
            "account_name": bot_name,
            "account_type": "BASIC",
            "can_join_groups": False,
        }
        # Queued, handed out one per getUpdates (a queued list goes out as one result).
        self.updates: deque[JSON | list[JSON]] = deque()
        self.webhook: JSON = {"url": "", "updated_at": 0, "secret_token": ""}
        self._ids = itertools.count(0x2D758CB5E222177A4E35)
        self._faults: defaultdict[str, deque[Fault]] = defaultdict(deque)
        self._blocked: set[str] = set()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.photos: dict[str, bytes] = {}  # name -> content (`host_photo`)

    # ----- lifecycle -------------------------------------------------------------------------
    async def __aenter__(self) -> FakeZaloApi:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/anh/{name}", self._handle_photo)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing = True  # wake pending long polls and slow answers
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """The client's base URL (it appends ``/bot{token}/{method}``)."""
        return f"http://127.0.0.1:{self.port}"

    # ----- photos users send (Zalo hands bots their URL on its own servers) -------------------
    def host_photo(self, name: str, content: bytes) -> str:
        """Serve `content` as Zalo's CDN serves a photo a user sent; its URL."""
        self.photos[name] = content
        return f"{self.base_url}/anh/{name}"

    async def _handle_photo(self, request: web.Request) -> web.Response:
        content = self.photos.get(request.match_info["name"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="image/jpeg")

    # ----- pushing updates (what users do) ---------------------------------------------------
    def push_raw(self, update: Any) -> Any:
        """Queue an update as it is: push the same dict twice to deliver it twice, or a
        list of updates to answer one getUpdates with a list (not seen from Zalo)."""
        self.updates.append(update)
        self._notify()
        return update

    def message(
        self,
        user_id: str,
        display_name: str = "Người dùng",
        chat_type: str = "PRIVATE",
        chat_id: str | None = None,
        **content: Any,
    ) -> JSON:
        """A user's message as Zalo shapes it (private: chat.id is the user's id)."""
        return {
            "from": {"id": user_id, "display_name": display_name, "is_bot": False},
            "chat": {"id": chat_id or user_id, "chat_type": chat_type},
            "message_id": self._new_id(),
            "date": int(time.time() * 1000),  # milliseconds
            **content,
        }

    def push_text(self, user_id: str, text: str, **where: Any) -> JSON:
        message = self.message(user_id, text=text, **where)
        return self.push_raw({"event_name": "message.text.received", "message": message})

    def push_image(
        self,
        user_id: str,
        photo_url: str,
        caption: str | None = None,
        field: str = "photo",  # the docs say "photo", two SDKs read "photo_url"
        **where: Any,
    ) -> JSON:
        content: JSON = {field: photo_url} | ({"caption": caption} if caption else {})
        message = self.message(user_id, **content, **where)
        return self.push_raw({"event_name": "message.image.received", "message": message})

    def push_sticker(self, user_id: str, sticker: str = "0e078a2fb66a5f34067b") -> JSON:
        url = f"https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid={sticker}"
        message = self.message(user_id, sticker=sticker, url=url)
        return self.push_raw({"event_name": "message.sticker.received", "message": message})

    def push_unsupported(self, user_id: str | None = None) -> JSON:
        """A protected account's message: with only its sender, or (no user) bare."""
        update: JSON = {"event_name": "message.unsupported.received"}
        if user_id is not None:
            update["message"] = self.message(user_id)
        return self.push_raw(update)

    # ----- faults ----------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        error_code: int = 500,
        description: str | None = None,
        http_status: int = 200,
        times: int = 1,
        delay: float = 0.0,
        retry_after: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` answer an error envelope (with
        ``parameters.retry_after`` when given: Telegram's style, not seen from Zalo)."""
        text = description or REASONS.get(error_code, "Error")
        fault = Fault(error_code, text, http_status, delay=delay, retry_after=retry_after)
        self._faults[method].extend([fault] * times)

    def fail_next_html(self, method: str, http_status: int = 429, times: int = 1) -> None:
        """The next ``times`` calls answer nginx's HTML page (polling too fast: 429)."""
        fault = Fault(http_status, REASONS.get(http_status, "Error"), http_status, html=True)
        self._faults[method].extend([fault] * times)

    def slow_next(self, method: str, delay: float, times: int = 1) -> None:
        """The next ``times`` calls answer normally, but ``delay`` seconds late."""
        self._faults[method].extend([Fault(delay=delay)] * times)

    def block_chat(self, chat_id: str) -> None:
        """Every send* to this chat answers 403 "Forbidden"."""
        self._blocked.add(chat_id)

    # ----- assertions ------------------------------------------------------------------------
    def sent_messages(self, chat_id: str | None = None) -> list[JSON]:
        """Params of every answered sendMessage, oldest first."""
        return [
            c.params
            for c in self.calls_of("sendMessage", ok_only=True)
            if chat_id is None or str(c.params.get("chat_id")) == chat_id
        ]

    # ----- HTTP ------------------------------------------------------------------------------
    async def _handle_method(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        method = request.match_info["method"]
        params = await _read_params(request)

        def answer(
            error_code: int = 0,
            description: str = "",
            result: Any = None,
            http_status: int = 200,
            retry_after: int | None = None,
        ) -> web.Response:
            call = RecordedCall(method, params, arrived, error_code, http_status, result)
            self.calls.append(call)
            self._notify()
            if error_code == 0:
                return web.json_response({"ok": True, "result": result})
            envelope: JSON = {"ok": False, "error_code": error_code, "description": description}
            if retry_after is not None:
                envelope["parameters"] = {"retry_after": retry_after}
            # Errors come with HTTP 200 (measured), unless a fault says otherwise.
            return web.json_response(envelope, status=http_status)

        if request.match_info["token"] != self.token:
            return answer(401, "Unauthorized")
        fault = self._faults[method].popleft() if self._faults[method] else None
        if fault is not None and fault.delay:  # cut short when the server closes
            await self._wait_until(lambda: self._closing, fault.delay)
        if fault is not None and fault.error_code is not None:
            if not fault.html:
                return answer(
                    fault.error_code,
                    fault.description,
                    http_status=fault.http_status,
                    retry_after=fault.retry_after,
                )
            self.calls.append(
                RecordedCall(method, params, arrived, fault.error_code, fault.http_status)
            )
            self._notify()
            page = NGINX_PAGE.format(status=fault.http_status, reason=fault.description)
            return web.Response(text=page, status=fault.http_status, content_type="text/html")
        handler = getattr(self, f"_api_{method}", None)  # getattr is case-sensitive
        if handler is None:
            return answer(404, "Not Found")
        try:
            result = await handler(params)
        except ApiError as error:
            return answer(error.error_code, error.description)
        return answer(result=result)

    # ----- the API's methods -----------------------------------------------------------------
    async def _api_getMe(self, params: JSON) -> JSON:
        return dict(self.bot)

    async def _api_getUpdates(self, params: JSON) -> JSON | list[JSON]:
        try:
            timeout = float(params.get("timeout", 30))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad request: The timeout must be a number") from None
        await self._wait_until(
            lambda: bool(self.updates) or self._closing, min(timeout, self.no_update_wait)
        )
        if not self.updates:
            raise ApiError(408, "Request timeout")
        return self.updates.popleft()

    async def _api_setWebhook(self, params: JSON) -> JSON:
        url = _required(params, "url")
        if not url.startswith("https://"):
            raise ApiError(400, "Bad request: The url must start with https://")
        secret = _required(params, "secret_token")
        if not 8 <= len(secret) <= 256:
            raise ApiError(400, "Bad request: The secret_token must be 8 to 256 characters")
        self.webhook = {"url": url, "updated_at": _now_ms(), "secret_token": secret}
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    async def _api_deleteWebhook(self, params: JSON) -> JSON:
        self.webhook = {"url": "", "updated_at": _now_ms(), "secret_token": ""}
        return {"url": "", "updated_at": self.webhook["updated_at"]}

    async def _api_getWebhookInfo(self, params: JSON) -> JSON:
        return {"url": self.webhook["url"], "updated_at": self.webhook["updated_at"]}

    async def _api_sendMessage(self, params: JSON) -> JSON:
        self._chat(params)
        text = _required(params, "text")
        if utf16_len(text) > TEXT_LIMIT:
            raise ApiError(400, f"Bad request: The text must be 1 to {TEXT_LIMIT} characters")
        return self._sent()

    async def _api_sendPhoto(self, params: JSON) -> JSON:
        self._chat(params)
        photo = _required(params, "photo")
        if not photo.startswith(("http://", "https://")):
            raise ApiError(400, "Bad request: The photo must start with http:// or https://")
        if utf16_len(str(params.get("caption", ""))) > TEXT_LIMIT:
            raise ApiError(400, f"Bad request: The caption must be 1 to {TEXT_LIMIT} characters")
        return self._sent() | {"message_type": "CHAT_PHOTO"}

    async def _api_sendSticker(self, params: JSON) -> JSON:
        self._chat(params)
        _required(params, "sticker")
        return self._sent()

    async def _api_sendChatAction(self, params: JSON) -> None:
        self._chat(params)
        if _required(params, "action") not in ("typing", "upload_photo"):
            raise ApiError(400, "Bad request: The action is invalid")
        return None

    # ----- helpers ---------------------------------------------------------------------------
    def _chat(self, params: JSON) -> str:
        chat_id = _required(params, "chat_id")
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden")
        return chat_id

    def _sent(self) -> JSON:
        return {"message_id": self._new_id(), "date": _now_ms()}

    def _new_id(self) -> str:
        return f"{next(self._ids):020x}"


def _required(params: JSON, name: str) -> str:
    value = params.get(name)
    text = "" if value is None else str(value)
    if not text.strip():
        raise ApiError(400, f"Bad request: The {name} must not be empty")
    return text


def _now_ms() -> int:
    return int(time.time() * 1000)


async def _read_params(request: web.Request) -> JSON:
    """Query string, then a JSON or form body (the docs accept all three)."""
    params: JSON = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        else:
            params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    return params
