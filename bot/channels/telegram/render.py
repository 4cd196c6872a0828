"""Telegram's side of rendering and sending: a message (`Reply`, a reply or a pushed
one alike) as HTML texts in parts with an inline keyboard under the last, then its
photos and documents; `send_all` sends them in order.

Telegram takes at most 4096 characters a message. `split_message` cuts a longer
HTML text at the last blank line that fits, else at the last line break, else at
the last space (each only in the second half of what fits, so no stub parts), else
anywhere between two characters, but never inside a tag (`<a href="...">`) or an
entity (`&amp;`). A tag left open at a cut is closed at
the end of the part and opened again at the start of the next, so every part is
valid HTML on its own.

Lengths are counted in UTF-16 code units of the marked-up text: Telegram counts the
text after parsing the markup (never longer) in UTF-16 units (an emoji can be two).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode

from bot.application.messages import Button, OutgoingFile, Reply
from bot.application.render import Renderer

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096

# One atom each: a tag, an entity, or one character (text is cut between atoms only).
_ATOM = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?>|&(?:#\d+|#x[0-9A-Fa-f]+|\w+);|.", re.S)
_TAG_NAME = re.compile(r"</?([A-Za-z][\w-]*)")

_Stack = tuple[tuple[str, str], ...]  # open tags: (name, the opening tag as written)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: characters outside the BMP (most emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


def _closing(stack: _Stack) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _apply(stack: _Stack, atom: str) -> _Stack:
    """The open tags after `atom`."""
    if not atom.startswith("<") or len(atom) < 3:
        return stack
    match = _TAG_NAME.match(atom)
    if match is None:
        return stack
    name = match.group(1).lower()
    if atom.startswith("</"):
        for i in range(len(stack) - 1, -1, -1):
            if stack[i][0] == name:
                return stack[:i] + stack[i + 1 :]
        return stack  # a stray closing tag: not ours to fix
    if atom.endswith("/>"):
        return stack
    return (*stack, (name, atom))


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut HTML `text` into parts of at most `limit` UTF-16 units (see the module doc).

    Whitespace at the cuts is dropped; parts with nothing but whitespace and tags are
    left out, so an empty text gives no parts.
    """
    text = text.strip()
    if utf16_len(text) <= limit:
        return [text] if text else []
    atoms = _ATOM.findall(text)
    sizes = [utf16_len(a) for a in atoms]
    parts: list[str] = []
    stack: _Stack = ()
    start = 0
    while start < len(atoms):
        while start < len(atoms) and atoms[start].isspace():  # no part starts with a blank
            start += 1
        if start == len(atoms):
            break
        prefix = "".join(tag for _, tag in stack)
        end, end_stack = _cut(atoms, sizes, start, stack, limit - utf16_len(prefix))
        body = atoms[start:end]
        while body and body[-1].isspace():
            body.pop()
        part = prefix + "".join(body) + _closing(end_stack)
        if _visible(part):
            parts.append(part)
        stack, start = end_stack, end
    return parts


def _cut(
    atoms: Sequence[str], sizes: Sequence[int], start: int, stack: _Stack, budget: int
) -> tuple[int, _Stack]:
    """Where the part beginning at `start` ends (exclusive), and the tags open there."""
    paragraph = line = space = fit = None
    size = 0
    i = start
    while i < len(atoms):
        after = _apply(stack, atoms[i])
        if size + sizes[i] + utf16_len(_closing(after)) > budget:
            break
        size += sizes[i]
        stack = after
        i += 1
        fit = (i, stack)
        if atoms[i - 1] == "\n":
            if i - 2 >= start and atoms[i - 2] == "\n":
                paragraph = fit
            else:
                line = fit
        elif atoms[i - 1].isspace():
            space = fit
    if fit is None:  # not even one atom fits (a tiny limit): take it anyway, to move on
        return start + 1, _apply(stack, atoms[start])
    if i == len(atoms):
        return fit
    # The best kind of cut that still fills at least half the part; a paragraph break
    # near the start would leave a stub of a message.
    half = start + (fit[0] - start) // 2
    for cut in (paragraph, line, space):
        if cut is not None and cut[0] > half:
            return cut
    return paragraph or line or space or fit


def _visible(part: str) -> bool:
    return bool(re.sub(r"<[^<>]*>", "", part).strip())


def inline_keyboard(
    buttons: Sequence[Button], columns: int = 1, rating: int = 0
) -> InlineKeyboardMarkup | None:
    """The buttons in rows of `columns` (None when there are no buttons); the last
    `rating` (`Reply.rating`: "Đúng" / "Chưa đúng") in one row of their own, last."""
    if not buttons:
        return None
    width = max(1, columns)
    row_buttons = [InlineKeyboardButton(b.label, callback_data=b.payload) for b in buttons]
    own = row_buttons[: len(row_buttons) - max(0, rating)]
    rows = [own[i : i + width] for i in range(0, len(own), width)]
    if len(own) < len(row_buttons):
        rows.append(row_buttons[len(own) :])
    return InlineKeyboardMarkup(rows)


@dataclass(frozen=True)
class Outgoing:
    """One Telegram message: HTML text and the keyboard under it, or a file."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    file: OutgoingFile | None = None


def to_outgoing(renderer: Renderer, reply: Reply) -> list[Outgoing]:
    """A message as Telegram messages: its text in parts (the buttons under the last
    part), then its files. An empty text sends nothing."""
    parts = split_message(renderer.render(reply))
    if not parts:
        log.warning("message %s rendered empty; nothing sent", reply.template)
        return []
    messages = [Outgoing(part) for part in parts[:-1]]
    keyboard = inline_keyboard(reply.buttons, reply.columns, reply.rating)
    messages.append(Outgoing(parts[-1], keyboard))
    messages.extend(Outgoing("", file=file) for file in reply.files)
    return messages


async def send_all(bot: Bot, chat_id: int, messages: Sequence[Outgoing]) -> str:
    """Send in order; the id of the first message sent ("" when none was)."""
    first = ""
    for message in messages:
        file = message.file
        if file is None:
            sent = await bot.send_message(
                chat_id, message.text, parse_mode=ParseMode.HTML, reply_markup=message.keyboard
            )
        elif file.kind == "photo":
            photo = InputFile(file.content, filename=file.name)
            sent = await bot.send_photo(chat_id, photo, caption=file.caption or None)
        else:
            document = InputFile(file.content, filename=file.name)
            sent = await bot.send_document(chat_id, document, caption=file.caption or None)
        first = first or str(sent.message_id)
    return first
