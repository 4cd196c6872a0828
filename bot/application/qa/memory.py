"""Each user's last answered question, kept in the database (like a dialog's state)
so that a follow-up is understood after a restart too, for FOLLOW_UP_MINUTES."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.application.qa.followup import Context
from bot.storage.models import QaContext

# A follow-up comes soon after its question; later, "hạn khi nào?" is a new question.
FOLLOW_UP_MINUTES = 30


def recall(session: Session, user_id: int, now: dt.datetime) -> Context | None:
    row = session.get(QaContext, user_id)
    if row is None or now - row.updated_at > dt.timedelta(minutes=FOLLOW_UP_MINUTES):
        return None
    return Context(
        row.question, row.intent, tuple(row.agencies), tuple(row.duties), tuple(row.topics)
    )


def remember(session: Session, user_id: int, context: Context, now: dt.datetime) -> None:
    row = session.get(QaContext, user_id)
    if row is None:
        row = QaContext(user_id=user_id)
        session.add(row)
    row.question = context.question[:2000]
    row.intent = context.intent
    row.agencies = list(context.agencies)
    row.duties = list(context.duties)
    row.topics = list(context.topics)
    row.updated_at = now
    session.flush()
