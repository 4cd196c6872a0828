"""A loopback fake of the Telegram Bot API for driving the real python-telegram-bot offline.

Point an ``Application`` at it::

    async with FakeBotApi() as api:
        app = (Application.builder().token(api.token)
               .base_url(api.base_url).base_file_url(api.base_file_url).build())
        api.push_message(42, "/start")
        ...
        await api.wait_for("sendMessage")

It answers ``/bot{token}/{method}`` with the ``{"ok": true, "result": ...}`` envelope,
records every call (answered or failed) for assertions, serves queued updates to
``getUpdates`` long polls, stores uploaded and pushed files for ``getFile`` and
``/file/bot{token}/{path}`` downloads, and injects faults (429, 5xx, 403, slow answers).

``latency`` gives every call a round trip (seconds): the call is acted on (recorded,
a message "delivered") ``accepted_at`` of the way through it, and answered after the
rest, as Telegram acts on a request before its answer travels back (the window in
which a sender that dies has sent a message it never learns about).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.support.call_log import CallLog

JSON = dict[str, Any]
BLOCKED = "Forbidden: bot was blocked by the user"
# PTB sends strings raw and JSON-encodes everything else, so these arrive as JSON text.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "commands",
        "scope",
        "media",
        "results",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "user_id",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
    }
)


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class RecordedCall:
    """One request the bot made: parsed params, uploaded files and how it was answered."""

    method: str
    params: JSON
    time: float  # time.monotonic() when the request arrived
    status: int = 200
    files: dict[str, Upload] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class Fault:
    status: int | None  # None: answer normally (after the delay)
    retry_after: int | None = None
    delay: float = 0.0
    description: str | None = None


class ApiError(Exception):
    """Raised by a method handler to answer with a Bot API error."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


class FakeBotApi(CallLog[RecordedCall]):
    """An aiohttp server on 127.0.0.1 speaking enough Bot API for PTB polling tests."""

    def __init__(
        self,
        token: str = "123456:TEST-fake-token",
        bot_username: str = "test_bot",
        port: int = 0,
        latency: float = 0.0,
        accepted_at: float = 0.5,
    ) -> None:
        super().__init__()
        self.token = token
        self.latency = latency
        self.accepted_at = accepted_at
        self.bot_user: JSON = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Test Bot",
            "username": bot_username,
        }
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self.messages: dict[tuple[int, int], JSON] = {}  # every message, by (chat_id, id)
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._message_ids: defaultdict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._chats: dict[int, JSON] = {}
        self._faults: defaultdict[str, deque[Fault]] = defaultdict(deque)
        self._blocked: set[int] = set()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = port  # 0: any free port

    # ----- lifecycle -------------------------------------------------------------------------
    async def __aenter__(self) -> FakeBotApi:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing = True  # wake pending long polls so the server shuts down at once
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ----- pushing updates (what users do) ---------------------------------------------------
    def push_raw(self, update: JSON) -> JSON:
        """Queue an update as-is (an ``update_id`` is added when missing)."""
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._notify()
        return update

    def push_message(
        self,
        chat_id: int,
        text: str | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Người dùng",
        username: str | None = "user",
        entities: list[JSON] | None = None,
        **extra: Any,
    ) -> JSON:
        """Queue a user message; ``/commands`` get their ``bot_command`` entity automatically."""
        message = self._user_message(chat_id, user_id, chat_type, first_name, username)
        if text is not None:
            message["text"] = text
            if entities is None and text.startswith("/"):
                entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if entities:
            message["entities"] = entities
        message.update(extra)
        return self.push_raw({"message": message})

    def push_edited_message(
        self, chat_id: int, message_id: int, text: str, user_id: int | None = None
    ) -> JSON:
        original = self.messages.get((chat_id, message_id)) or self._user_message(
            chat_id, user_id, "private", "Người dùng", "user"
        )
        edited = {**original, "message_id": message_id, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)  # they described the old text
        self.messages[(chat_id, message_id)] = edited
        return self.push_raw({"edited_message": edited})

    def push_callback(
        self, chat_id: int, message_id: int, data: str, user_id: int | None = None
    ) -> JSON:
        """Queue a button press on ``message_id`` (normally a message the bot sent)."""
        message = self.messages.get((chat_id, message_id)) or {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.bot_user,
            "text": "",
        }
        query = {
            "id": f"cbq{next(self._query_ids)}",
            "from": self._user(chat_id, user_id),
            "message": message,
            "chat_instance": f"ci-{chat_id}",
            "data": data,
        }
        return self.push_raw({"callback_query": query})

    def push_sticker(self, chat_id: int, emoji: str = "👍", user_id: int | None = None) -> JSON:
        file_id, unique_id = self._store_file("stickers/sticker.webp", b"RIFF-webp")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self.push_message(chat_id, user_id=user_id, sticker=sticker)

    def push_document(
        self,
        chat_id: int,
        file_name: str,
        content: bytes,
        caption: str | None = None,
        user_id: int | None = None,
        mime_type: str = "application/octet-stream",
    ) -> JSON:
        file_id, unique_id = self._store_file(f"documents/{file_name}", content)
        document = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        extra: JSON = {"document": document} | ({"caption": caption} if caption else {})
        return self.push_message(chat_id, user_id=user_id, **extra)

    def push_photo(
        self,
        chat_id: int,
        content: bytes,
        caption: str | None = None,
        user_id: int | None = None,
        width: int = 640,
        height: int = 480,
    ) -> JSON:
        file_id, unique_id = self._store_file("photos/photo.jpg", content)
        size = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "width": width,
            "height": height,
            "file_size": len(content),
        }
        extra: JSON = {"photo": [size]} | ({"caption": caption} if caption else {})
        return self.push_message(chat_id, user_id=user_id, **extra)

    # ----- faults ----------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        error_description: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (or only answer late).

        ``status`` defaults to 429 with ``retry_after``, to a normal answer when only
        ``delay`` is given, and to 500 otherwise.
        """
        if status is None and (retry_after is not None or not delay or error_description):
            status = 429 if retry_after is not None else 500
        self._faults[method].extend([Fault(status, retry_after, delay, error_description)] * times)

    def block_user(self, chat_id: int) -> None:
        """Every send* call to this chat answers 403 "bot was blocked by the user"."""
        self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    # ----- assertions ------------------------------------------------------------------------
    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """Params of every answered sendMessage (``reply_markup`` parsed), oldest first."""
        return [
            c.params
            for c in self.calls_of("sendMessage", ok_only=True)
            if chat_id is None or c.params.get("chat_id") == chat_id
        ]

    # ----- HTTP handlers ---------------------------------------------------------------------
    async def _handle_method(self, request: web.Request) -> web.Response:
        if not self.latency:
            return await self._act(request)
        await asyncio.sleep(self.latency * self.accepted_at)  # the request's way there
        response = await self._act(request)
        await asyncio.sleep(self.latency * (1 - self.accepted_at))  # the answer's way back
        return response

    async def _act(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        method = request.match_info["method"]
        try:
            params, files = await _read_params(request)
        except ConnectionResetError:  # the client died before its request was whole
            return web.Response(status=400)
        if request.match_info["token"] != self.token:
            return await self._answer(method, params, files, arrived, 401, "Unauthorized")
        fault = self._faults[method].popleft() if self._faults[method] else None
        if fault and fault.delay:  # cut short when the server closes, so teardown stays fast
            await self._wait_until(lambda: self._closing, fault.delay)
        if fault and fault.status is not None:
            extra = {"retry_after": fault.retry_after} if fault.retry_after is not None else None
            description = fault.description or (
                f"Too Many Requests: retry after {fault.retry_after}"
                if fault.status == 429
                else "Internal Server Error"
            )
            return await self._answer(
                method, params, files, arrived, fault.status, description, extra
            )
        if method.startswith("send") and params.get("chat_id") in self._blocked:
            return await self._answer(method, params, files, arrived, 403, BLOCKED)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return await self._answer(
                method, params, files, arrived, 404, "Not Found: method not found"
            )
        try:
            result = await handler(params, files)
        except ApiError as error:
            return await self._answer(
                method, params, files, arrived, error.status, error.description
            )
        except (KeyError, ValueError) as error:  # a required parameter is missing or malformed
            return await self._answer(
                method, params, files, arrived, 400, f"Bad Request: {error!r}"
            )
        return await self._answer(method, params, files, arrived, 200, result=result)

    async def _answer(
        self,
        method: str,
        params: JSON,
        files: dict[str, Upload],
        arrived: float,
        status: int,
        description: str = "",
        parameters: JSON | None = None,
        result: Any = None,
    ) -> web.Response:
        self.calls.append(RecordedCall(method, params, arrived, status, files))
        self._notify()
        if status == 200:
            return web.json_response({"ok": True, "result": result})
        body: JSON = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    async def _handle_download(self, request: web.Request) -> web.Response:
        by_path = {path: content for path, content in self.files.values()}
        path = request.match_info["path"]
        if request.match_info["token"] != self.token or path not in by_path:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=by_path[path])

    # ----- Bot API methods -------------------------------------------------------------------
    async def _api_getMe(self, params: JSON, files: dict[str, Upload]) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getUpdates(self, params: JSON, files: dict[str, Upload]) -> list[JSON]:
        offset, limit = params.get("offset", 0), params.get("limit", 100)
        if offset:  # like Telegram: an offset confirms every update before it
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        await self._wait_until(
            lambda: bool(self._updates) or self._closing, float(params.get("timeout", 0))
        )
        return self._updates[:limit]

    async def _api_sendMessage(self, params: JSON, files: dict[str, Upload]) -> JSON:
        if not str(params.get("text", "")).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(params["text"]) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        if str(params.get("parse_mode", "")).upper() == "HTML":
            check_telegram_html(str(params["text"]))
        return self._bot_message(params, text=params["text"])

    async def _api_sendPhoto(self, params: JSON, files: dict[str, Upload]) -> JSON:
        file_id, unique_id = self._upload("photo", "photos/sent.jpg", params, files)
        photo = [{"file_id": file_id, "file_unique_id": unique_id, "width": 640, "height": 480}]
        return self._bot_message(params, photo=photo, caption=params.get("caption"))

    async def _api_sendDocument(self, params: JSON, files: dict[str, Upload]) -> JSON:
        file_id, unique_id = self._upload("document", "documents/sent.bin", params, files)
        upload = files.get("document")
        document = {"file_id": file_id, "file_unique_id": unique_id}
        if upload is not None and upload.filename:
            document["file_name"] = upload.filename
        return self._bot_message(params, document=document, caption=params.get("caption"))

    async def _api_editMessageText(self, params: JSON, files: dict[str, Upload]) -> JSON | bool:
        if str(params.get("parse_mode", "")).upper() == "HTML":
            check_telegram_html(str(params["text"]))
        return self._edit(params, text=params["text"])

    async def _api_editMessageReplyMarkup(
        self, params: JSON, files: dict[str, Upload]
    ) -> JSON | bool:
        return self._edit(params)

    async def _api_getFile(self, params: JSON, files: dict[str, Upload]) -> JSON:
        if params.get("file_id") not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, content = self.files[params["file_id"]]
        return {
            "file_id": params["file_id"],
            "file_unique_id": f"u{params['file_id']}",
            "file_size": len(content),
            "file_path": path,
        }

    async def _api_getMyCommands(self, params: JSON, files: dict[str, Upload]) -> list[JSON]:
        last = [c for c in self.calls if c.ok and c.method in ("setMyCommands", "deleteMyCommands")]
        return last[-1].params.get("commands", []) if last else []

    async def _true(self, params: JSON, files: dict[str, Upload]) -> bool:
        return True

    _api_deleteWebhook = _api_setWebhook = _api_answerCallbackQuery = _true
    _api_setMyCommands = _api_deleteMyCommands = _api_sendChatAction = _true

    # ----- helpers ---------------------------------------------------------------------------

    def _chat(self, chat_id: int, chat_type: str = "private", **names: Any) -> JSON:
        if chat_id not in self._chats:
            title = (
                {"first_name": names.get("first_name", "Người dùng")}
                if (chat_type == "private")
                else {"title": f"Nhóm {chat_id}"}
            )
            self._chats[chat_id] = {"id": chat_id, "type": chat_type, **title}
        return self._chats[chat_id]

    def _user(
        self,
        chat_id: int,
        user_id: int | None,
        first_name: str = "Người dùng",
        username: str | None = "user",
    ) -> JSON:
        uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 1_000_001)
        return {
            "id": uid,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "vi",
            **({"username": username} if username else {}),
        }

    def _user_message(
        self,
        chat_id: int,
        user_id: int | None,
        chat_type: str,
        first_name: str,
        username: str | None,
    ) -> JSON:
        message: JSON = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self._chat(chat_id, chat_type, first_name=first_name),
            "from": self._user(chat_id, user_id, first_name, username),
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _bot_message(self, params: JSON, **content: Any) -> JSON:
        chat_id = params["chat_id"]
        message = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.bot_user,
            **{k: v for k, v in content.items() if v is not None},
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes only inline keyboards
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _edit(self, params: JSON, **changes: Any) -> JSON | bool:
        if "inline_message_id" in params:
            return True
        key = (params["chat_id"], params["message_id"])
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        old = self.messages[key]
        message = {**old, **changes, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        if all(message.get(k) == old.get(k) for k in ("text", "reply_markup")):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current content "
                "and reply markup of the message",
            )
        self.messages[key] = message
        return message

    def _store_file(self, path: str, content: bytes) -> tuple[str, str]:
        n = next(self._file_ids)
        stem, dot, ext = path.rpartition(".")
        file_id = f"FILE{n}"
        self.files[file_id] = (f"{stem}_{n}{dot}{ext}" if dot else f"{path}_{n}", content)
        return file_id, f"U{n}"

    def _upload(
        self, name: str, default_path: str, params: JSON, files: dict[str, Upload]
    ) -> tuple[str, str]:
        folder, default_name = default_path.split("/")
        if name in files:  # a new upload: keep it so tests can download what was sent
            upload = files[name]
            return self._store_file(f"{folder}/{upload.filename or default_name}", upload.content)
        if not params.get(name):
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        return str(params[name]), f"u{params[name]}"  # a file_id or URL sent again


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, Upload]]:
    """Parse a form-encoded, multipart or JSON body (plus query string) into typed params."""
    raw: JSON = dict(request.query)
    files: dict[str, Upload] = {}
    if request.content_type == "application/json":
        raw.update(await request.json())
        return raw, files
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            files[key] = Upload(value.filename, value.file.read())
        else:
            raw[key] = value
    return {key: _typed(key, value) for key, value in raw.items()}, files


def _typed(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        return json.loads(value)
    if key in _INT_FIELDS and value.lstrip("-").isdigit():
        return int(value)
    if key in _BOOL_FIELDS:
        return value == "true"
    return value


# Tags Telegram's HTML parse mode accepts (https://core.telegram.org/bots/api#html-style).
TELEGRAM_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "blockquote",
    }
)


class _TelegramHtml(HTMLParser):
    """Telegram's checks: known tags only, properly nested and closed; any other "<"
    must be written "&lt;"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_HTML_TAGS:
            raise ApiError(
                400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"'
            )
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unexpected end tag "{tag}"')
        self.open.pop()


def check_telegram_html(text: str) -> None:
    """Raise the ApiError Telegram would answer for `text` in HTML parse mode."""
    if re.search(r"<(?![a-zA-Z/])", text):  # "<" not opening a tag: HTMLParser keeps it
        raise ApiError(400, "Bad Request: can't parse entities: Unsupported start tag")
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise ApiError(
            400, f"Bad Request: can't parse entities: Can't find end tag {parser.open[-1]}"
        )
