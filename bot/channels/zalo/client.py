"""A small async client for the Zalo Bot Platform API, on httpx.

Every call is `POST {base_url}/bot{token}/{method}` with the parameters as a JSON
body. The answer is read from its envelope (`{"ok": true, "result": ...}` or
`{"ok": false, "error_code": N, "description": "..."}`), never from the HTTP status
alone: the API reports errors with HTTP 200. Errors become the `ZaloApiError`
subclasses below, each carrying `method`, `error_code` and `description`.

The token is a secret that sits in the URL's path, so it never leaves this module:
exception texts are built from the method name and the envelope (with the token
scrubbed out, should a server ever echo it), network errors are re-raised without
their httpx cause, the client's repr leaves it out, and httpx's and httpcore's
loggers (httpx logs every request's full URL at INFO) are set to WARNING and get a
filter that masks `/bot<token>/` in whatever they still log.

What this module relies on, line by line (sources: ../shared/zalo-bot-api.md):

* verified, against our fake only (tests/support/fake_zalo_api.py, built from the
  sources below): the URL scheme, JSON bodies, reading the envelope, the error classes,
  the token kept out of logs and exceptions;
* measured on the live API by a public project (vuhai2002/zalo-agent): errors come as
  `{"ok": false, "error_code": N, "description": "..."}` with HTTP 200 (a wrong token
  401 "Unauthorized", an unknown method 404 "Not Found", a missing parameter 400 "Bad
  request: The chat_id must not be empty");
* measured there too: getUpdates with nothing new answers `{"ok": false, "error_code":
  408, "description": "Request timeout"}` after the requested timeout: no update;
* measured there too: sendPhoto takes only a public http(s) URL (no upload, no data URI);
* measured by one source: polling too fast gets nginx's HTTP 429 with an HTML page;
* measured by one source: 10 sends in 416 ms were not limited;
* assumed: getUpdates hands out ONE update as `result` (a list is accepted too);
* assumed: getUpdates has no offset, so an update handed out is gone and one delivered
  twice must be dropped by `message_id` (`updates.Deduper`);
* assumed (docs): a text is 1 to 2,000 characters, counted here in UTF-16 units, the
  stricter of the two ways a server may count;
* assumed (docs): `date` is in milliseconds and ids are strings;
* assumed (docs): no document upload, no keyboards, no edits (the sender works around
  them); method names are case-sensitive;
* assumed: 403 means the chat cannot be reached; 5xx, 408 outside getUpdates, answers
  that are not the envelope and network errors are transient;
* unknown: the rate limits. The sender's pause after a 429 and the outbox's send rate
  are settings; a `parameters.retry_after` in a 429 envelope, Telegram's style, is
  honoured should Zalo ever send one.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
MESSAGE_LIMIT = 2000  # characters of sendMessage's text and sendPhoto's caption (docs)
NO_UPDATE = 408  # getUpdates' "Request timeout": nothing new, not an error
POLL_TIMEOUT = 30  # seconds the server holds a getUpdates call (its default)
POLL_GRACE = 10.0  # seconds added to the read time-out of getUpdates: the server answers 408 first

_BOT_PATH = re.compile(r"/bot[^/\s\"']+/")


class _MaskBotTokens(logging.Filter):
    """Masks `/bot<token>/` in records of the HTTP libraries' loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _BOT_PATH.sub("/bot***/", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def silence_http_loggers() -> None:
    """Keep request URLs (with the token) out of the logs: httpx logs each request at INFO."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.WARNING:
            logger.setLevel(logging.WARNING)
        if not any(isinstance(f, _MaskBotTokens) for f in logger.filters):
            logger.addFilter(_MaskBotTokens())


class ZaloApiError(Exception):
    """A call the API refused or did not answer; `error_code` 0 means no answer at all."""

    def __init__(self, method: str, error_code: int, description: str) -> None:
        super().__init__(f"{method} failed: {error_code} {description}".rstrip())
        self.method = method
        self.error_code = error_code
        self.description = description


class ZaloUnauthorized(ZaloApiError):
    """401: the bot token is wrong or was reset."""


class ZaloForbidden(ZaloApiError):
    """403: the bot may not write to this chat."""


class ZaloBadRequest(ZaloApiError):
    """400: a parameter is missing or invalid."""


class ZaloNotFound(ZaloApiError):
    """404: no such method (names are case-sensitive) or no such object."""


class ZaloRateLimited(ZaloApiError):
    """429: too many calls (a JSON "Quota exceeded" or nginx's HTML page)."""

    def __init__(
        self, method: str, error_code: int, description: str, retry_after: float | None = None
    ) -> None:
        super().__init__(method, error_code, description)
        self.retry_after = retry_after


class ZaloServerError(ZaloApiError):
    """5xx, a time-out, a network error or an answer that is not the envelope: transient."""


_BY_CODE: dict[int, type[ZaloApiError]] = {
    400: ZaloBadRequest,
    401: ZaloUnauthorized,
    403: ZaloForbidden,
    404: ZaloNotFound,
    408: ZaloServerError,
}


def error_for(method: str, error_code: int, description: str) -> ZaloApiError:
    """The exception for an error envelope (or an HTTP status standing in for one)."""
    if error_code == 429:
        return ZaloRateLimited(method, error_code, description)
    if error_code >= 500:
        return ZaloServerError(method, error_code, description)
    return _BY_CODE.get(error_code, ZaloApiError)(method, error_code, description)


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ZaloClient:
    """One bot's API client. Use as `async with ZaloClient(token) as client:` or close()."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 15.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._token = token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = httpx.AsyncClient(timeout=timeout) if http is None else http
        self._owns_http = http is None
        silence_http_loggers()

    def __repr__(self) -> str:
        return f"ZaloClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # ----- the API's methods -----------------------------------------------------------------
    async def get_me(self) -> dict[str, Any]:
        """The bot: `{id, account_name, account_type, can_join_groups}`."""
        return _mapping(await self.call("getMe"))

    async def get_updates(self, timeout: int = POLL_TIMEOUT) -> list[dict[str, Any]]:
        """Wait up to `timeout` seconds for the next update: [] when nothing came, else
        the one update the API hands out (a list of them, should it ever send one)."""
        envelope = await self._request("getUpdates", {"timeout": timeout}, timeout + POLL_GRACE)
        if envelope.get("ok") is not True and _as_int(envelope.get("error_code")) == NO_UPDATE:
            return []
        result = self._result("getUpdates", envelope)
        if isinstance(result, list):
            return [u for u in result if isinstance(u, dict) and u]
        if isinstance(result, dict) and result:
            return [result]
        return []

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        """Updates go to `url` (https), signed with header X-Bot-Api-Secret-Token; polling
        stops working until delete_webhook."""
        return _mapping(await self.call("setWebhook", {"url": url, "secret_token": secret_token}))

    async def delete_webhook(self) -> dict[str, Any]:
        return _mapping(await self.call("deleteWebhook"))

    async def get_webhook_info(self) -> dict[str, Any]:
        """`{url, updated_at}`; `url` is empty when no webhook is set."""
        return _mapping(await self.call("getWebhookInfo"))

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        """Plain text of 1 to 2,000 characters; `{message_id, date}`."""
        return _mapping(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> dict[str, Any]:
        """A photo Zalo fetches from a public http(s) URL; `{message_id, date, ...}`."""
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        return _mapping(await self.call("sendPhoto", params))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def download(self, url: str, max_bytes: int) -> bytes | None:
        """The bytes at a file URL Zalo gave (a photo an official sent), read as they
        come and dropped past `max_bytes` (None then: too big). A ZaloServerError when
        the URL is no http(s) one, or the download fails."""
        if not url.startswith(("https://", "http://")):
            raise ZaloServerError("download", 0, "not an http(s) URL")
        try:
            async with self._http.stream("GET", url, timeout=self.timeout) as response:
                if response.status_code != 200:
                    raise ZaloServerError("download", response.status_code, "not downloaded")
                declared = _as_int(response.headers.get("content-length"))
                if declared is not None and declared > max_bytes:
                    return None
                content = bytearray()
                async for chunk in response.aiter_bytes():
                    content += chunk
                    if len(content) > max_bytes:
                        return None
                return bytes(content)
        except httpx.HTTPError as error:
            raise ZaloServerError("download", 0, type(error).__name__) from None

    # ----- transport ---------------------------------------------------------------------------
    async def call(
        self, method: str, params: Mapping[str, Any] | None = None, timeout: float | None = None
    ) -> Any:
        """The `result` of `method`; a ZaloApiError when the envelope says it failed."""
        return self._result(method, await self._request(method, params, timeout))

    def _result(self, method: str, envelope: Mapping[str, Any]) -> Any:
        if envelope.get("ok") is True:
            return envelope.get("result")
        code = _as_int(envelope.get("error_code")) or 0
        description = self._scrub(str(envelope.get("description") or "no description"))
        error = error_for(method, code, description)
        if isinstance(error, ZaloRateLimited):
            parameters = envelope.get("parameters")
            if isinstance(parameters, Mapping):
                retry_after = _as_int(parameters.get("retry_after"))
                error.retry_after = float(retry_after) if retry_after else None
        raise error

    async def _request(
        self, method: str, params: Mapping[str, Any] | None, timeout: float | None
    ) -> dict[str, Any]:
        """The envelope of one call; ZaloRateLimited or ZaloServerError when there is none."""
        url = f"{self.base_url}/bot{self._token}/{method}"
        try:
            response = await self._http.post(
                url, json=dict(params or {}), timeout=timeout or self.timeout
            )
        except httpx.TimeoutException as error:
            raise ZaloServerError(method, 0, f"timed out ({type(error).__name__})") from None
        except httpx.HTTPError as error:  # connection refused or reset, protocol errors ...
            detail = self._scrub(str(error))[:200]
            raise ZaloServerError(method, 0, f"{type(error).__name__}: {detail}") from None
        try:
            envelope = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            envelope = None
        if isinstance(envelope, dict) and "ok" in envelope:
            return envelope
        # Not the envelope: nginx's HTML page for 429 or 5xx, or a proxy's answer.
        status = response.status_code
        reason = response.reason_phrase or "no reason"
        description = f"HTTP {status} {reason}, not a JSON envelope"
        if status == 429:
            raise ZaloRateLimited(method, status, description)
        raise ZaloServerError(method, status, description)

    def _scrub(self, text: str) -> str:
        return _BOT_PATH.sub("/bot***/", text.replace(self._token, "***"))


def _mapping(result: Any) -> dict[str, Any]:
    return dict(result) if isinstance(result, Mapping) else {}
