"""Answers typed instead of pressed: a number, an option's words, or "ok"/"hủy".

Zalo (and the console) have no buttons: every choice is shown numbered, and the user
types. The router remembers the buttons of the last message a user got (a reply, or a
pushed nudge once delivered) and reads a typed answer against them, on every channel:

* a number picks that choice, unless the step asks for a number ("5" at the
  percent step is 5%, `Reply.numbers_are_values`);
* the option's own words ("lưu báo cáo", "trang sau", "đang thực hiện") pick it;
* a natural answer picks the one choice of its kind: "ok", "đồng ý", "có", "lưu",
  "gửi" confirm; "hủy", "thôi" cancel; "quay lại", "trở lại" go back; "giữ nguyên" keeps
  (and picks nothing where nothing is kept); "xóa" empties; "bỏ qua" skips an empty
  optional step, and keeps a step that holds a value (an edit: skipping it leaves it
  as it was, it never empties it); "không",
  "không có" skip an empty optional step, empty one that holds a value, and "không"
  cancels where neither is offered.

Anything else is not a choice: it goes to the open dialog, or is a question; but a
bare number or "ok" that picks nothing is never a question (the router answers it
with a hint, see `bot.application.dialogs.hints`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import cast

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.application.commands import small_int
from bot.application.messages import Button, ButtonKind, Reply
from bot.storage.db import dialect_insert
from bot.storage.models import OfferedChoices, utcnow
from nlu.normalize import fold_words

# Choices older than this are forgotten: a number typed a week later means something else.
MAX_AGE = dt.timedelta(days=7)

# What people type (folded) -> the kinds of button it answers, the preferred first.
_KINDS_OF_PHRASE: dict[tuple[str, ...], tuple[str, ...]] = {
    ("confirm",): (
        "ok", "oke", "okay", "ok roi", "dong y", "co", "xac nhan", "duoc", "dung roi",
        "yes", "y", "luu", "gui", "chac chan",
    ),
    ("skip", "clear", "cancel"): ("khong", "ko", "k", "no"),
    ("cancel",): ("huy", "huy bo", "thoi", "dung lai", "khong lam nua"),
    ("back",): ("quay lai", "tro lai", "lui lai", "quay ve", "tro ve", "lui"),
    ("skip", "keep"): ("bo qua", "tiep", "tiep tuc"),
    ("skip", "clear"): ("khong co", "chua co", "khong con"),
    # Only where something is kept: at a step with nothing to keep, "giữ nguyên" must not
    # pick its default (the completion step's «Hôm nay») but get the step's hint.
    ("keep",): ("giu nguyen", "giu", "nhu cu", "khong doi"),
    ("clear",): ("xoa", "xoa di", "xoa bo", "bo trong", "de trong"),
    ("right",): ("dung", "dung roi", "chinh xac", "dung vay", "dung a"),
    ("wrong",): (
        "sai", "sai roi", "chua dung", "khong dung", "chua chinh xac", "khong chinh xac",
        "sai a",
    ),
}  # fmt: skip
# The thumbs of the rating buttons, typed as emoji (skin tones and variation selectors
# aside): what their words say.
_EMOJI_WORDS = {"\U0001f44d": "dung", "\U0001f44e": "sai"}
_EMOJI_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")


def _emoji_word(text: str) -> str:
    return _EMOJI_WORDS.get(_EMOJI_MODIFIERS.sub("", text.strip()), "")


KINDS: dict[str, tuple[str, ...]] = {}
for _kinds, _phrases in _KINDS_OF_PHRASE.items():
    for _phrase in _phrases:  # "đúng rồi" confirms a step, or rates an answer
        KINDS[_phrase] = KINDS.get(_phrase, ()) + _kinds


def remember(session: Session, user_id: int, replies: Sequence[Reply]) -> None:
    """The buttons of what the user is sent now replace what they were offered before
    (none: nothing is on offer any more)."""
    buttons = [b for reply in replies for b in reply.buttons]
    if not buttons:
        session.execute(delete(OfferedChoices).where(OfferedChoices.user_id == user_id))
        return
    values = {
        "user_id": user_id,
        "choices": [{"label": b.label, "payload": b.payload, "kind": b.kind} for b in buttons],
        "numbers_are_values": any(r.numbers_are_values for r in replies if r.buttons),
        "offered_at": utcnow(),
    }
    # One statement (INSERT ... ON CONFLICT DO UPDATE): a reply and a delivered nudge
    # for the same user may be remembered at the same moment by two transactions.
    statement = dialect_insert(session, OfferedChoices).values(**values)
    updated = {k: statement.excluded[k] for k in values if k != "user_id"}
    session.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=updated))
    for loaded in list(session.identity_map.values()):  # loaded earlier: not stale now
        if isinstance(loaded, OfferedChoices) and loaded.user_id == user_id:
            session.expire(loaded)


def _offered_row(session: Session, user_id: int) -> OfferedChoices | None:
    row = session.get(OfferedChoices, user_id)
    return None if row is None or utcnow() - row.offered_at > MAX_AGE else row


def offered(session: Session, user_id: int) -> tuple[Button, ...]:
    """The choices still on offer to the user (none when they are too old)."""
    row = _offered_row(session, user_id)
    if row is None:
        return ()
    return tuple(Button(c["label"], c["payload"], cast(ButtonKind, c["kind"])) for c in row.choices)


def typed_choice(session: Session, user_id: int, text: str) -> str | None:
    """The payload of the choice `text` picks, or None when it picks none."""
    row = _offered_row(session, user_id)
    if row is None:
        return None
    choices = row.choices
    number = small_int(text)
    if number is not None:
        if row.numbers_are_values or not 1 <= number <= len(choices):
            return None
        return choices[number - 1]["payload"]
    words = fold_words(text) or _emoji_word(text)
    if not words:
        return None
    by_label = [c for c in choices if fold_words(c["label"]) == words]
    if len(by_label) == 1:
        return by_label[0]["payload"]
    for kind in KINDS.get(words, ()):
        of_kind = [c for c in choices if c["kind"] == kind]
        if len(of_kind) == 1:
            return of_kind[0]["payload"]
    return None


def is_bare_answer(text: str) -> bool:
    """ "có", "ok", "không" ...: an answer to a choice, never the content of a report or
    an FAQ (a dialog step that takes free text asks again instead of storing it)."""
    return fold_words(text) in KINDS


NUMBERED_HINT = "Anh/Chị nhắn số thứ tự để chọn:"
LISTED_HINT = "Anh/Chị nhắn số thứ tự để chọn."  # after options the text began to number
WORDS_HINT = "Anh/Chị nhắn một trong các lựa chọn:"
RATING_HINT = "Câu trả lời đúng chưa? Nhắn {choices}."


def as_text(
    buttons: Sequence[Button],
    numbers_are_values: bool = False,
    first: int = 1,
    listed: int = 0,
    rating: int = 0,
) -> str:
    """Choices for channels without buttons (Zalo, the console): numbered from `first`
    (as `typed_choice` reads them), or listed by their words when the step reads a
    typed number as a value (numbered, "5" would look like the fifth choice).

    `listed` (`Reply.listed`): the first choices are already numbered 1, 2, ... in the
    message's text, which then goes on with the others (7. Trang sau, 8. Hủy) and says
    how to choose at the end, where a reader of the list arrives. When the message is
    not the first with choices (`first` > 1), the numbers in its text would not be the
    ones to type: every choice is listed again, numbered as typed.

    `rating` (`Reply.rating`): the last choices rate the answer; they go on one line
    after the others ("Nhắn 4 (Đúng) hoặc 5 (Chưa đúng)"), so that on a phone they take
    one line and the answer's own choices keep their numbers 1, 2, ..."""
    if not buttons:
        return ""
    if numbers_are_values:
        return "\n".join([WORDS_HINT, *(f"• {b.label}" for b in buttons)])
    rated = max(0, min(rating, len(buttons)))
    own = buttons[: len(buttons) - rated]
    blocks = []
    if own:
        skipped = listed if first == 1 else 0
        lines = [f"{n}. {b.label}" for n, b in enumerate(own, start=first)][skipped:]
        blocks.append("\n".join([*lines, LISTED_HINT] if skipped else [NUMBERED_HINT, *lines]))
    if rated:
        numbered = enumerate(buttons[len(own) :], start=first + len(own))
        choices = " hoặc ".join(f"{n} ({b.label})" for n, b in numbered)
        blocks.append(RATING_HINT.format(choices=choices))
    return "\n".join(blocks)
