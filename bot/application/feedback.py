"""The feedback loop: under each Q&A answer the asker can say "Đúng" or "Chưa đúng".

The choices are attached once, where the answer leaves the router (`offer`, called by
`Core._ask`), and only to answers: not to refusals and "did you mean" (they reach the
admins' inbox anyway), small talk, replies to commands, or answers inside a dialog.
They go after the answer's own choices (suggestions, "xem thêm"), which keep their
numbers 1, 2, ... on Zalo (`Reply.rating`).

A choice is the command `/danhgia <question log id> dung|sai|boqua`: it carries
everything it needs, so a button pressed after a restart or days later still works
(a log that is gone, or someone else's, gets a polite line). "Đúng" is acknowledged
with a notice (a toast on Telegram), so the answer's own choices stay on offer;
"Chưa đúng" asks for an optional comment with a «Bỏ qua» choice: while that choice is
the last thing the user was offered (`choices.remember`), the next text they type is
the comment (`awaiting_comment`), not a question. Negative feedback waits in the
admins' inbox (`/hopthu`) with the question and the answer given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from bot.application import accounts, choices
from bot.application.admin.inbox import UNANSWERED_KINDS, WRONG_VERDICT
from bot.application.commands import Command, CommandContext, small_int
from bot.application.dialogs.report import Labels
from bot.application.messages import Button, Reply, Response
from bot.application.qa.answer import ASKS_BACK
from bot.application.qa.service import SMALL_TALK
from bot.storage.models import (
    AnswerFeedback,
    InboxDismissal,
    OfferedChoices,
    QuestionLog,
    User,
    utcnow,
)

RATE = "danhgia"  # /danhgia <log id> <word>: a button's command, never listed
RIGHT, WRONG = "right", WRONG_VERDICT
WORDS = {"dung": RIGHT, "sai": WRONG}
SKIP_WORD = "boqua"  # no comment after "Chưa đúng"
# Answers that are not rated: they answer nothing (refusals, "did you mean" reach the
# inbox as they are), are small talk, or are a request answered with the command that
# does it (nothing to judge right or wrong), or a question back to the asker.
NOT_RATED = frozenset({*UNANSWERED_KINDS, "empty", "request", *SMALL_TALK, *ASKS_BACK})
# How long after "Chưa đúng" the next text is still taken as its comment.
COMMENT_WINDOW = dt.timedelta(hours=1)
MAX_COMMENT = 2000


def rated(kind: str) -> bool:
    """Whether an answer of this kind is offered "Đúng" / "Chưa đúng"."""
    return kind not in NOT_RATED


def offer(reply: Reply, log_id: int, labels: Labels) -> Reply:
    """The answer with "Đúng" / "Chưa đúng" after its own choices."""
    rating = (
        Button(labels.right, f"/{RATE} {log_id} dung", "right"),
        Button(labels.wrong, f"/{RATE} {log_id} sai", "wrong"),
    )
    return replace(reply, buttons=(*reply.buttons, *rating), rating=len(rating))


def _skip_payload(log_id: int) -> str:
    return f"/{RATE} {log_id} {SKIP_WORD}"


def _own_log(session: Session, user: User, log_id: int | None) -> QuestionLog | None:
    """The logged question, when it is one this user's person asked."""
    log = session.get(QuestionLog, log_id) if log_id is not None else None
    if log is None or log.user_id not in {a.id for a in accounts.accounts_of(session, user)}:
        return None
    return log


def record(session: Session, user: User, log: QuestionLog, verdict: str) -> AnswerFeedback:
    """Store (or change) the verdict on a logged answer; a new "wrong" comes back to
    the inbox even when an earlier one was set aside."""
    now = utcnow()
    row = session.get(AnswerFeedback, log.id)
    if row is None:
        row = AnswerFeedback(question_log_id=log.id, user_id=user.id, verdict=verdict)
        row.created_at = now
        session.add(row)
    elif row.verdict != verdict:
        row.verdict = verdict
        if verdict == WRONG:
            dismissed = session.get(InboxDismissal, log.id)
            if dismissed is not None:
                session.delete(dismissed)
    row.updated_at = now
    session.flush()
    return row


def rate(ctx: CommandContext) -> Response:
    """/danhgia <log id> dung|sai|boqua: a pressed (or typed) rating choice."""
    session, user = ctx.session, ctx.user
    words = ctx.args.split()
    log = _own_log(session, user, small_int(words[0]) if words else None)
    word = words[1] if len(words) == 2 else ""
    if log is None or (word not in WORDS and word != SKIP_WORD):
        return Response((Reply("feedback/unknown"),))
    if word == SKIP_WORD:  # no comment: the next text is a question again
        choices.remember(session, user.id, ())
        return Response((), notice=ctx.app.labels.rated)
    record(session, user, log, WORDS[word])
    if WORDS[word] == RIGHT:  # a notice: the answer's own choices stay on offer
        return Response((), notice=ctx.app.labels.rated_right)
    skip = Button(ctx.app.labels.skip, _skip_payload(log.id), "skip")
    return Response((Reply("feedback/wrong", {"question": log.text[:200]}, (skip,)),))


@dataclass(frozen=True)
class Awaited:
    log_id: int


def awaiting_comment(session: Session, user: User) -> Awaited | None:
    """The answer whose comment the user's next text is: "Chưa đúng" was the last
    choice they pressed, its «Bỏ qua» is still what they are offered, and not long ago."""
    offered = session.get(OfferedChoices, user.id)
    if offered is None or len(offered.choices) != 1:
        return None
    words = offered.choices[0]["payload"].split()
    if words[:1] != [f"/{RATE}"] or words[2:] != [SKIP_WORD]:
        return None
    if utcnow() - offered.offered_at > COMMENT_WINDOW:
        return None
    log_id = small_int(words[1]) if len(words) == 3 else None
    return Awaited(log_id) if log_id is not None else None


def take_comment(session: Session, user: User, awaited: Awaited, text: str) -> Response | None:
    """Store `text` as the comment on the awaited "Chưa đúng" (None: nothing to store it on)."""
    row = session.get(AnswerFeedback, awaited.log_id)
    if row is None or row.verdict != WRONG:
        return None
    comment = text.strip()[:MAX_COMMENT]
    row.comment = f"{row.comment}\n{comment}".strip() if row.comment else comment
    row.updated_at = utcnow()
    session.flush()
    return Response((Reply("feedback/commented"),))


COMMANDS = (Command(RATE, rate),)
