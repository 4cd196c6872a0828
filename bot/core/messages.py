"""Platform-neutral messages between the channels and the core."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class IncomingMessage:
    """What a channel hands to the core: one text (or button press) from one user."""

    channel: str  # "console", "telegram", ...
    user_id: str  # the channel's user id, as a string
    text: str
    display_name: str = ""


@dataclass(frozen=True)
class Button:
    """A choice offered with a reply; pressing it sends `payload` back as text."""

    label: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """A message for the user: a template name and the data to render it with."""

    template: str
    data: Mapping[str, Any] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()
