"""Zalo updates in: an update (a dict) as a platform-neutral `IncomingMessage`, and a
`Deduper` so that an update delivered twice is handled once.

An update is `{"event_name": ..., "message": {message_id, from {id, display_name,
is_bot}, chat {id, chat_type PRIVATE|GROUP}, date (ms), text | photo/photo_url +
caption | sticker + url}}`. A sticker, a voice message or an "unsupported" event (sent
instead of the content for protected accounts) becomes a message with empty text, so
the core answers politely as it does for a Telegram sticker; an update with nobody to
answer (no `message`, no sender, or another bot) becomes None.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from bot.application.messages import Attachment, IncomingMessage

CHANNEL = "zalo"
TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
VOICE = "message.voice.received"  # newer docs only
UNSUPPORTED = "message.unsupported.received"
_WITHOUT_TEXT = frozenset({STICKER, VOICE, UNSUPPORTED})


def unwrap(body: Any) -> dict[str, Any] | None:
    """The update in a webhook body: `{"ok": true, "result": update}` (the docs) or the
    update itself (two SDKs); None when the body is neither."""
    if not isinstance(body, Mapping):
        return None
    result = body.get("result")
    if isinstance(result, Mapping) and ("event_name" in result or "message" in result):
        return dict(result)
    if "event_name" in body or "message" in body:
        return dict(body)
    return None


def _message(update: Mapping[str, Any]) -> Mapping[str, Any]:
    message = update.get("message")
    return message if isinstance(message, Mapping) else {}


def _part(message: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = message.get(name)
    return value if isinstance(value, Mapping) else {}


def message_id(update: Mapping[str, Any]) -> str | None:
    """The id Zalo gave the message (a hex string), None when the update has none."""
    value = _message(update).get("message_id")
    return str(value) if value not in (None, "") else None


def reply_chat_id(update: Mapping[str, Any]) -> str | None:
    """Where answers go: the chat the message came from (private: the user's own id)."""
    message = _message(update)
    chat_id = _part(message, "chat").get("id") or _part(message, "from").get("id")
    return str(chat_id) if chat_id else None


def order_keys(update: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """What an update must be handled in order with: its sender's other updates (their
    dialog) and its chat's (a group's replies)."""
    message = _message(update)
    keys = [
        (kind, str(value))
        for kind, value in (
            ("user", _part(message, "from").get("id")),
            ("chat", _part(message, "chat").get("id")),
        )
        if value
    ]
    return tuple(keys) or (("other", ""),)


def to_incoming(update: Mapping[str, Any]) -> IncomingMessage | None:
    """The platform-neutral message for an update (None: nobody to answer)."""
    message = _message(update)
    sender = _part(message, "from")
    if not sender.get("id") or sender.get("is_bot") is True:
        return None
    event = str(update.get("event_name") or "")
    chat_type = str(_part(message, "chat").get("chat_type") or "PRIVATE")
    photo = message.get("photo") or message.get("photo_url")
    attachment = None
    if photo and isinstance(photo, str) and event not in _WITHOUT_TEXT:
        attachment = Attachment("photo", photo)
    text = "" if event in _WITHOUT_TEXT else message.get("text") or message.get("caption") or ""
    return IncomingMessage(
        channel=CHANNEL,
        user_id=str(sender["id"]),
        text=str(text),
        display_name=str(sender.get("display_name") or sender.get("name") or ""),
        attachment=attachment,
        is_private=chat_type.upper() == "PRIVATE",
    )


class Deduper:
    """Remembers the last `capacity` message ids: getUpdates has no offset to confirm what
    was read, and a webhook may be retried, so the same message can come twice."""

    def __init__(self, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def first_time(self, key: str) -> bool:
        """True the first time `key` is seen (and remembers it); False after."""
        if key in self._seen:
            self._seen.move_to_end(key)
            return False
        self._seen[key] = None
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True

    def is_new(self, update: Mapping[str, Any]) -> bool:
        """False for a message already handled; an update without an id always passes."""
        key = message_id(update)
        return key is None or self.first_time(key)
