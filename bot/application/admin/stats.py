"""Usage statistics for admins (`/thongke`, `bot stats`): per week, how many questions
were asked, how many were refused, how askers rated the answers; the most asked and
the most refused questions and the latest "Chưa đúng" of the period.

Weeks start on Monday in Vietnam's time zone; the current week is the last one and
counts up to now. Questions typed inside a dialog (answers to a step) are left out,
as the inbox leaves them out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from bot.application import feedback
from bot.application.admin.inbox import UNANSWERED_KINDS
from bot.domain.calendar import TIMEZONE
from bot.storage.models import AnswerFeedback, QuestionLog, utcnow

DEFAULT_WEEKS, MAX_WEEKS = 4, 26
TOP = 5  # entries in each "most ..." list: a phone's screen
MAX_TEXT = 80  # characters of a question in the lists


@dataclass(frozen=True)
class Week:
    start: dt.date  # a Monday
    questions: int
    refused: int
    right: int
    wrong: int

    @property
    def refused_percent(self) -> float:
        return round(100 * self.refused / self.questions, 2) if self.questions else 0.0


@dataclass(frozen=True)
class Asked:
    text: str  # the latest wording
    count: int


@dataclass(frozen=True)
class Wrong:
    question: str
    comment: str
    at: dt.datetime


@dataclass(frozen=True)
class Stats:
    weeks: list[Week]  # oldest first
    top_questions: list[Asked]
    top_refused: list[Asked]
    wrong: list[Wrong]  # the latest first

    @property
    def since(self) -> dt.date:
        return self.weeks[0].start


def weeks_asked(text: str) -> int | None:
    """The number of weeks `/thongke N` asks for (default without one); None when `text`
    is not a number of weeks from 1 to MAX_WEEKS."""
    words = text.split()
    if not words:
        return DEFAULT_WEEKS
    number = words[0]
    if len(words) > 2 or not number.isdigit() or not 1 <= int(number) <= MAX_WEEKS:
        return None
    return int(number)


def _monday(when: dt.datetime) -> dt.date:
    day = when.astimezone(TIMEZONE).date()
    return day - dt.timedelta(days=day.weekday())


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), TIMEZONE).astimezone(dt.UTC)


def weekly(session: Session, weeks: int = DEFAULT_WEEKS, now: dt.datetime | None = None) -> Stats:
    now = now or utcnow()
    first = _monday(now) - dt.timedelta(weeks=weeks - 1)
    since = _start_of(first)
    logs = list(
        session.execute(
            select(QuestionLog.created_at, QuestionLog.answer_kind, QuestionLog.normalized)
            .add_columns(QuestionLog.text)
            .where(QuestionLog.created_at >= since, QuestionLog.in_dialog.is_(False))
            .where(QuestionLog.normalized != "")
            .order_by(QuestionLog.id)
        )
    )
    verdicts = list(
        session.execute(
            select(AnswerFeedback.updated_at, AnswerFeedback.verdict).where(
                AnswerFeedback.updated_at >= since
            )
        )
    )
    starts = [first + dt.timedelta(weeks=n) for n in range(weeks)]
    asked: dict[dt.date, Counter[str]] = {start: Counter() for start in starts}
    for row in logs:
        kind = "refused" if row.answer_kind in UNANSWERED_KINDS else "answered"
        asked[_monday(row.created_at)].update(("questions", kind))
    for row in verdicts:
        asked[_monday(row.updated_at)][row.verdict] += 1
    rows = [
        Week(start, c["questions"], c["refused"], c[feedback.RIGHT], c[feedback.WRONG])
        for start, c in asked.items()
    ]
    answered = [r for r in logs if feedback.rated(r.answer_kind or "")]
    refused = [r for r in logs if r.answer_kind in UNANSWERED_KINDS]
    return Stats(rows, _most_asked(answered), _most_asked(refused), _wrong(session, since))


def _most_asked(rows: Sequence[Row[Any]]) -> list[Asked]:
    """The questions asked most often (the same once normalized), with their latest wording."""
    counts: Counter[str] = Counter()
    latest: dict[str, str] = {}
    for row in rows:
        counts[row.normalized] += 1
        latest[row.normalized] = _short(row.text)
    return [Asked(latest[key], count) for key, count in counts.most_common(TOP)]


def _wrong(session: Session, since: dt.datetime) -> list[Wrong]:
    rows = session.execute(
        select(QuestionLog.text, AnswerFeedback.comment, AnswerFeedback.updated_at)
        .join(QuestionLog, QuestionLog.id == AnswerFeedback.question_log_id)
        .where(AnswerFeedback.verdict == feedback.WRONG, AnswerFeedback.updated_at >= since)
        .order_by(AnswerFeedback.updated_at.desc())
        .limit(TOP)
    )
    return [Wrong(_short(text), _short(comment), at) for text, comment, at in rows]


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_TEXT else flat[:MAX_TEXT].rsplit(" ", 1)[0] + " …"
