"""The Zalo `Sender`: a `Reply` as plain text through the Bot API, errors mapped for the drain.

Zalo shows plain text, has no inline keyboard and no document upload, so a message is:

* its template rendered with the project's text renderer;
* its buttons as numbered options under the text ("1. label"), but those the text
  already numbers (`Reply.listed`); the user answers by typing the number (reading
  that answer back is the core's business);
* its files as download links to the project's HTTP listener (`FileLinks`: signed,
  expiring, bound to this chat); a photo goes as a real photo that Zalo fetches by
  its link. Without a public URL (WEB_PUBLIC_URL) there are no links: a line says the
  file could not be sent here;
* all of it cut into parts of at most `limit` characters (`split_text`), sent in order.

A message in several parts is one outbox row: a failure after the first part sends the
whole of it again (as on Telegram).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence

from jinja2 import TemplateError

from bot.application import choices
from bot.application.delivery import PermanentError, RecipientBlocked, RetryLater, TransientError
from bot.application.file_links import FileLinks
from bot.application.messages import OutgoingFile, Reply
from bot.application.render import Renderer
from bot.channels.zalo.client import (
    MESSAGE_LIMIT,
    ZaloApiError,
    ZaloBadRequest,
    ZaloClient,
    ZaloForbidden,
    ZaloNotFound,
    ZaloRateLimited,
    ZaloServerError,
    ZaloUnauthorized,
)

log = logging.getLogger(__name__)

CHANNEL = "zalo"
RETRY_SECONDS = 5.0  # how long to hold sends after a 429: Zalo publishes no figure
FILE_WITH_LINK = "Tệp «{name}» (tải về trong 24 giờ): {url}"
FILE_WITHOUT_LINK = (
    "Tệp «{name}» chưa gửi được qua Zalo. Anh/Chị vui lòng báo quản trị hệ thống "
    "khai báo địa chỉ tải tệp (WEB_PUBLIC_URL)."
)

_SPACE = re.compile(r"\s")


# ----- cutting long texts ------------------------------------------------------------------------
def _units(char: str) -> int:
    """UTF-16 code units: what a JavaScript or Java server would count (an emoji is two)."""
    return 2 if ord(char) > 0xFFFF else 1


def text_length(text: str) -> int:
    return sum(_units(c) for c in text)


def _fit(text: str, limit: int) -> int:
    """How many leading characters of `text` fit in `limit` units."""
    size = 0
    for i, char in enumerate(text):
        size += _units(char)
        if size > limit:
            return i
    return len(text)


def _cut(text: str, end: int) -> int:
    """Where to end a part that may hold `text[:end]`: at the last blank line, else line
    break, else whitespace (each only in the second half of the part, so no stub part
    is left before a long paragraph); else the best of those anywhere; else at `end`
    (one word longer than the limit: the only case where a word is cut)."""
    window = text[: end + 1]  # a separator right after the part is a clean cut too
    paragraph = window.rfind("\n\n")
    line = window.rfind("\n")
    space = max((m.start() for m in _SPACE.finditer(window)), default=-1)
    half = end // 2
    for cut in (paragraph, line, space):
        if cut > half:
            return cut
    best = max(paragraph, line, space)
    return best if best > 0 else end


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`text` in parts of at most `limit` UTF-16 units, cut at paragraph, then line,
    then space boundaries, never inside a word shorter than `limit`. Whitespace at the
    cuts (and around the text) is dropped; an empty text gives no parts."""
    if limit < 2:
        raise ValueError("the limit must be at least 2 (one emoji is 2 units)")
    parts: list[str] = []
    rest = text.strip()
    while rest:
        end = _fit(rest, limit)
        if end == len(rest):
            parts.append(rest)
            break
        cut = _cut(rest, end)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts


# ----- the message as text -----------------------------------------------------------------------
def file_line(file: OutgoingFile, links: Mapping[str, str]) -> str:
    url = links.get(file.name)
    if url:
        return FILE_WITH_LINK.format(name=file.name, url=url)
    return FILE_WITHOUT_LINK.format(name=file.name)


class ZaloSender:
    """Delivers outbox messages to Zalo chats (`address`: the chat id)."""

    channel = CHANNEL

    def __init__(
        self,
        client: ZaloClient,
        renderer: Renderer | None = None,
        limit: int = MESSAGE_LIMIT,
        retry_seconds: float = RETRY_SECONDS,
        file_links: FileLinks | None = None,
    ) -> None:
        self.client = client
        self.renderer = renderer or Renderer(output="text")
        self.limit = limit
        self.retry_seconds = retry_seconds
        self.file_links = file_links

    def texts(
        self, message: Reply, first_choice: int = 1, links: Mapping[str, str] | None = None
    ) -> list[str]:
        """The message as the texts to send, in order (photos with a link aside); its
        choices numbered from `first_choice` (a reply after others that had choices);
        `links`: file name -> download link."""
        links = links or {}
        blocks = [self.renderer.render(message)]
        if message.buttons:
            blocks.append(
                choices.as_text(
                    message.buttons,
                    message.numbers_are_values,
                    first_choice,
                    message.listed,
                    message.rating,
                )
            )
        lines = [file_line(f, links) for f in message.files if not self._as_photo(f, links)]
        if lines:
            blocks.append("\n".join(lines))
        return split_text("\n\n".join(b for b in blocks if b.strip()), self.limit)

    def photos(self, message: Reply, links: Mapping[str, str]) -> list[tuple[str, str]]:
        """(URL, caption) of the photos that have a link: Zalo fetches them itself."""
        return [
            (links[f.name], f.caption[: _fit(f.caption, self.limit)])
            for f in message.files
            if self._as_photo(f, links)
        ]

    async def _links(self, address: str, files: Sequence[OutgoingFile]) -> Mapping[str, str]:
        """Download links for `files`, made for this chat (none without a public URL).
        A message sent again after a failure gets new links; the old ones expire."""
        if not files or self.file_links is None:
            return {}
        return await asyncio.to_thread(self.file_links.publish, CHANNEL, address, files)

    @staticmethod
    def _as_photo(file: OutgoingFile, links: Mapping[str, str]) -> bool:
        return file.kind == "photo" and file.name in links

    async def send(self, address: str, message: Reply, first_choice: int = 1) -> str:
        """Send the parts in order; the id of the first message sent ("" when none was)."""
        links = await self._links(address, message.files)
        try:
            texts, photos = self.texts(message, first_choice, links), self.photos(message, links)
        except TemplateError as error:  # the same message fails the same way every time
            raise PermanentError(f"message {message.template} did not render: {error}") from error
        if not texts and not photos:
            log.warning("message %s rendered empty; nothing sent", message.template)
            return ""
        first = ""
        try:
            for text in texts:
                sent = await self.client.send_message(address, text)
                first = first or str(sent.get("message_id", ""))
            for url, caption in photos:
                sent = await self.client.send_photo(address, url, caption)
                first = first or str(sent.get("message_id", ""))
        except ZaloRateLimited as error:
            raise RetryLater(error.retry_after or self.retry_seconds, str(error)) from error
        except ZaloForbidden as error:
            raise RecipientBlocked(str(error)) from error
        except (ZaloBadRequest, ZaloNotFound) as error:
            raise PermanentError(str(error)) from error
        except ZaloUnauthorized as error:
            raise TransientError(
                f"Zalo rejected the bot token ({error}): check the token; "
                "the message is not at fault"
            ) from error
        except ZaloServerError as error:
            raise TransientError(str(error)) from error
        except ZaloApiError as error:  # a code nobody documented: try again later
            raise TransientError(str(error)) from error
        return first
