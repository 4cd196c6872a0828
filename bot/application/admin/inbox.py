"""The admins' inbox: answers their askers said were wrong ("Chưa đúng", see
`bot.application.feedback`), and the unanswered questions: refused and hesitant
answers from the question log, grouped by similarity so an admin sees each missing
topic once, with how often and when it was last asked. An admin sets either aside
with an `InboxDismissal` of its logged question."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.admin import content
from bot.storage.models import AnswerFeedback, FaqEntry, InboxDismissal, QuestionLog, User
from nlu.features import TfidfVectorizer

# Not answered from the text: refused, asked back, or "the directive does not mention
# X" (with the nearest passage only as a pointer): what an FAQ entry could answer.
UNANSWERED_KINDS = ("refusal", "did_you_mean", "not_mentioned")
WRONG_VERDICT = "wrong"  # `AnswerFeedback.verdict` of a "Chưa đúng"
# Character n-gram cosine above which two logged questions are "the same question".
SAME_QUESTION = 0.5
MAX_LOGS = 2000  # the most recent unanswered questions looked at


@dataclass
class InboxGroup:
    log_ids: list[int]
    texts: list[str]  # distinct wordings, most recent first
    count: int
    last_asked: dt.datetime

    @property
    def example(self) -> str:
        return self.texts[0]


def unanswered(session: Session, limit: int = 20) -> list[InboxGroup]:
    dismissed = select(InboxDismissal.question_log_id)
    rows = list(
        session.execute(
            select(QuestionLog.id, QuestionLog.text, QuestionLog.normalized, QuestionLog.created_at)
            .where(QuestionLog.answer_kind.in_(UNANSWERED_KINDS))
            .where(QuestionLog.in_dialog.is_(False))
            .where(QuestionLog.id.not_in(dismissed))
            .where(QuestionLog.normalized != "")
            .order_by(QuestionLog.id.desc())
            .limit(MAX_LOGS)
        )
    )
    if not rows:
        return []
    corpus = [row.normalized.split() for row in rows]
    vectors = TfidfVectorizer(char_sizes=(2, 4), max_word_n=1).fit(corpus).transform(corpus)
    similarity = (vectors @ vectors.T).toarray()
    groups: list[InboxGroup] = []
    assigned = np.full(len(rows), -1)
    for i, row in enumerate(rows):  # newest first: a group's first member is its latest
        if assigned[i] >= 0:
            continue
        members = [
            j for j in range(i, len(rows)) if assigned[j] < 0 and similarity[i, j] >= SAME_QUESTION
        ]
        for j in members:
            assigned[j] = len(groups)
        texts = list(dict.fromkeys(rows[j].text for j in members))
        groups.append(
            InboxGroup([rows[j].id for j in members], texts, len(members), row.created_at)
        )
    groups.sort(key=lambda g: (-g.count, -g.last_asked.timestamp()))
    return groups[:limit]


def group_of(session: Session, log_id: int) -> InboxGroup | None:
    """The inbox group a logged question belongs to now."""
    return next((g for g in unanswered(session, limit=MAX_LOGS) if log_id in g.log_ids), None)


def entry_of(session: Session, log_id: int) -> InboxGroup | None:
    """What `log_id` is in the inbox now: its group of unanswered questions, or its
    "Chưa đúng" as a group of one; None when it is in neither."""
    group = group_of(session, log_id)
    if group is None and is_wrong_answer(session, log_id):
        log = session.get(QuestionLog, log_id)
        if log is not None and session.get(InboxDismissal, log_id) is None:
            group = InboxGroup([log_id], [log.text], 1, log.created_at)
    return group


def dismiss_group(session: Session, user: User | None, log_id: int) -> InboxGroup | None:
    """Take what `log_id` is in the inbox (`entry_of`) out of it, answered or skipped;
    None when it is in nothing now."""
    group = entry_of(session, log_id)
    if group is not None:
        dismiss(session, user, group.log_ids)
    return group


def skip(session: Session, user: User, log_id: int) -> InboxGroup:
    """«Bỏ qua»: the group leaves the inbox without an answer (admins only)."""
    content.require_admin(session, user, "inbox.dismiss", str(log_id))
    group = dismiss_group(session, user, log_id)
    if group is None:
        raise content.ContentError("group_unknown", log_id=log_id)
    return group


@dataclass(frozen=True)
class Merged:
    count: int  # questions the group had
    faq_id: str
    added: int  # wordings added to the entry's other phrasings


def merge(
    session: Session, user: User, log_id: int, faq_id: str, known_clauses: set[str]
) -> Merged:
    """«Gộp vào»: the group's wordings become other phrasings of an entry (as many as
    fit: short enough, new, within the entry's limit; a versioned save) and the group
    leaves the inbox. ContentError("group_unknown" | "faq_unknown") when either is gone."""
    content.require_admin(session, user, "inbox.add", f"{log_id} {faq_id}")
    group = group_of(session, log_id)
    if group is None:
        raise content.ContentError("group_unknown", log_id=log_id)
    entry = session.get(FaqEntry, faq_id)
    if entry is None or not entry.active:
        raise content.ContentError("faq_unknown", faq_id=faq_id)
    fitting = [t.strip() for t in group.texts if len(t.strip()) <= content.MAX_QUESTION]
    wordings = list(dict.fromkeys([*entry.alternates, *fitting]))
    alternates = tuple(wordings[: content.MAX_ALTERNATES])
    added = len(alternates) - len(entry.alternates)
    if added > 0:
        draft = content.FaqDraft(entry.question, entry.answer, alternates, tuple(entry.clauses))
        content.save_faq(session, user, draft, known_clauses, entry.id)
    dismiss(session, user, group.log_ids)
    return Merged(group.count, entry.id, max(added, 0))


def dismiss(session: Session, user: User | None, log_ids: list[int]) -> int:
    for log_id in log_ids:
        if session.get(InboxDismissal, log_id) is None:
            session.add(InboxDismissal(question_log_id=log_id, user_id=user.id if user else None))
    session.flush()
    return len(log_ids)


def wrong_answers(session: Session, limit: int = 10) -> list[tuple[AnswerFeedback, QuestionLog]]:
    """ "Chưa đúng" not set aside yet, the latest first, with the logged question and answer."""
    dismissed = select(InboxDismissal.question_log_id)
    rows = session.execute(
        select(AnswerFeedback, QuestionLog)
        .join(QuestionLog, QuestionLog.id == AnswerFeedback.question_log_id)
        .where(AnswerFeedback.verdict == WRONG_VERDICT)
        .where(AnswerFeedback.question_log_id.not_in(dismissed))
        .order_by(AnswerFeedback.updated_at.desc(), AnswerFeedback.question_log_id.desc())
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


def is_wrong_answer(session: Session, log_id: int) -> bool:
    row = session.get(AnswerFeedback, log_id)
    return row is not None and row.verdict == WRONG_VERDICT
