"""Platform-neutral messages between the channels and the core.

A channel turns a platform update into an `IncomingMessage`, hands it to
`Core.handle`, and renders the `Reply` objects it gets back. A `Reply` is the one
typed outbound message: a reply to the user and a pushed message (a nudge, a digest,
an announcement) alike; the outbox stores it as it is (`encode_reply`) and the
channel's sender renders it when it goes out. Button payloads are opaque to channels
and at most `MAX_PAYLOAD_BYTES` long (Telegram's callback_data limit); pressing a
button sends its payload back as `IncomingMessage.payload`.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from nlu.normalize import sanitize

if TYPE_CHECKING:
    from bot.application.qa.answer import Answer

MAX_PAYLOAD_BYTES = 64
DATE_TAG, DATETIME_TAG = "$date", "$datetime"

# What a user is told when answering their message failed (logged with its traceback).
APOLOGY = "Xin lỗi, đã có lỗi xảy ra. Anh/Chị vui lòng thử lại sau."


@dataclass(frozen=True)
class Attachment:
    """A file the user sent (evidence for a report, or an admin's content file)."""

    kind: Literal["document", "photo"]
    file_id: str  # the channel's id for the file
    file_name: str = ""
    size: int = 0  # bytes, as the channel reports it (0: unknown)
    # The file's bytes, when the channel fetched them (an admin's FAQ or duties file;
    # see `bot.application.admin.commands.import_wanted`); None otherwise.
    content: bytes | None = None

    def __post_init__(self) -> None:
        _sanitize_fields(self, "file_id", "file_name")


@dataclass(frozen=True)
class IncomingMessage:
    """What a channel hands to the core: one text, button press or file from one user.

    Its texts are `sanitize`d when it is made: every channel's input passes here, so the
    core, its dialogs and the database never see a NUL, a stray control character or an
    invisible character inside a word, whatever the channel let through.
    """

    channel: str  # "console", "telegram", ...
    user_id: str  # the channel's user id, as a string
    text: str = ""
    display_name: str = ""
    payload: str | None = None  # set when the user pressed a button
    attachment: Attachment | None = None
    is_private: bool = True  # False in groups: the bot then only answers commands
    edited: bool = False  # an edit of an earlier message
    # A question asked on its own (`bot ask`): read without the user's last question,
    # so a one-shot question never follows what a chat with the same user left.
    standalone: bool = False

    def __post_init__(self) -> None:
        _sanitize_fields(self, "user_id", "text", "display_name", "payload")


def _sanitize_fields(message: object, *names: str) -> None:
    """`sanitize` the named text fields of a frozen dataclass as it is made."""
    for name in names:
        value = getattr(message, name)
        if isinstance(value, str):
            object.__setattr__(message, name, sanitize(value))


# What a button does, for answers typed instead of pressed ("ok", "hủy", "quay lại"):
# see `bot.application.choices`. Most buttons have none; "right" and "wrong" rate an
# answer ("đúng", "sai" typed under it).
ButtonKind = Literal["", "confirm", "cancel", "back", "skip", "keep", "clear", "right", "wrong"]


@dataclass(frozen=True)
class Button:
    """A choice offered with a reply; pressing it sends `payload` back. On channels
    without buttons the choices are numbered and answered by typing."""

    label: str
    payload: str
    kind: ButtonKind = ""


@dataclass(frozen=True)
class OutgoingFile:
    """A file sent with a message (an export, a digest's chart or workbook): the
    channel delivers it as it can (Telegram: a photo or a document)."""

    name: str
    content: bytes
    caption: str = ""
    kind: Literal["document", "photo"] = "document"


@dataclass(frozen=True)
class Reply:
    """A message for the user: a template name and the data to render it with."""

    template: str
    data: Mapping[str, Any] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()
    columns: int = 1  # buttons per row, where the channel lays them out in rows
    files: tuple[OutgoingFile, ...] = ()  # sent after the text, in order
    # The step asks for a number (a percentage): a typed number is that value, never
    # the number of a choice.
    numbers_are_values: bool = False
    # The first `listed` choices are numbered in the text itself (1, 2, ...), with more
    # than their labels hold (a duty's full title, its clause and deadline): channels
    # without buttons do not list them a second time.
    listed: int = 0
    # The last `rating` buttons rate the answer above them ("Đúng" / "Chưa đúng",
    # `bot.application.feedback`): a row of their own under the answer's own choices,
    # one short line on channels without buttons.
    rating: int = 0


@dataclass(frozen=True)
class Response:
    """The replies for one message, with what the core understood (for logs and tools).

    `answer` is the Q&A answer when the message was a question; `notice` is a short text
    for acknowledging a button press (Telegram shows it as a toast), e.g. when the
    button belongs to a dialog that is over; `refresh_menu` says the user's role
    changed, so the channel should show them their new command menu.
    """

    replies: tuple[Reply, ...]
    answer: Answer | None = None
    notice: str = ""
    refresh_menu: bool = False


# ----- the stored form of a message -----------------------------------------------------
#
# The outbox keeps the typed message itself (template, data, buttons, files), not a
# rendering of it: each channel's sender renders it when it goes out, in its own format.
# Template data is JSON with dates and times tagged so that they come back as such;
# dataclasses are stored as their fields (templates read them by name either way).


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.datetime):
        return {DATETIME_TAG: value.isoformat()}
    if isinstance(value, dt.date):
        return {DATE_TAG: value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_encode(v) for v in value]
    raise TypeError(f"cannot store {type(value).__name__} in a message's data")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and DATETIME_TAG in value:
            return dt.datetime.fromisoformat(value[DATETIME_TAG])
        if len(value) == 1 and DATE_TAG in value:
            return dt.date.fromisoformat(value[DATE_TAG])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def encode_reply(reply: Reply) -> dict[str, Any]:
    """A message as JSON (for the outbox)."""
    return {
        "template": reply.template,
        "data": _encode(reply.data),
        "buttons": [[b.label, b.payload, b.kind] for b in reply.buttons],
        "columns": reply.columns,
        "numbers_are_values": reply.numbers_are_values,
        "listed": reply.listed,
        "rating": reply.rating,
        "files": [
            {
                "name": f.name,
                "kind": f.kind,
                "caption": f.caption,
                "content": base64.b64encode(f.content).decode("ascii"),
            }
            for f in reply.files
        ],
    }


def decode_reply(stored: Mapping[str, Any]) -> Reply:
    """The message `encode_reply` stored."""
    return Reply(
        str(stored["template"]),
        _decode(stored.get("data", {})),
        tuple(Button(*button) for button in stored.get("buttons", [])),
        int(stored.get("columns", 1)),
        tuple(
            OutgoingFile(f["name"], base64.b64decode(f["content"]), f.get("caption", ""), f["kind"])
            for f in stored.get("files", [])
        ),
        bool(stored.get("numbers_are_values", False)),
        int(stored.get("listed", 0)),
        int(stored.get("rating", 0)),
    )
