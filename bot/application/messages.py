"""Platform-neutral messages between the channels and the core.

A channel turns a platform update into an `IncomingMessage`, hands it to
`Core.handle`, and renders the `Reply` objects it gets back. Button payloads are
opaque to channels and at most `MAX_PAYLOAD_BYTES` long (Telegram's callback_data
limit); pressing a button sends its payload back as `IncomingMessage.payload`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bot.application.qa import Answer

MAX_PAYLOAD_BYTES = 64


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


@dataclass(frozen=True)
class IncomingMessage:
    """What a channel hands to the core: one text, button press or file from one user."""

    channel: str  # "console", "telegram", ...
    user_id: str  # the channel's user id, as a string
    text: str = ""
    display_name: str = ""
    payload: str | None = None  # set when the user pressed a button
    attachment: Attachment | None = None
    is_private: bool = True  # False in groups: the bot then only answers commands
    edited: bool = False  # an edit of an earlier message


@dataclass(frozen=True)
class Button:
    """A choice offered with a reply; pressing it sends `payload` back."""

    label: str
    payload: str


@dataclass(frozen=True)
class OutgoingFile:
    """A file sent with a reply (an admin's export): the channel delivers it as it can."""

    name: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True)
class Reply:
    """A message for the user: a template name and the data to render it with."""

    template: str
    data: Mapping[str, Any] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()
    columns: int = 1  # buttons per row, where the channel lays them out in rows
    files: tuple[OutgoingFile, ...] = ()  # sent after the text


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
