"""Small repositories over a caller-owned session. They add, flush and query; they
never commit (the edge's `session_scope` does)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.storage.db import dialect_insert
from bot.storage.models import Base, ProgressReport, QuestionLog, User


def insert_unless_present(
    session: Session, model: type[Base], values: Mapping[str, Any], key: Sequence[str]
) -> None:
    """INSERT ... ON CONFLICT (key) DO NOTHING: one statement that two transactions can
    run at once without either failing (the second waits for the first, then skips)."""
    insert = dialect_insert(session, model).values(**values)
    session.execute(insert.on_conflict_do_nothing(index_elements=list(key)))


class QuestionLogRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        channel: str,
        text: str,
        normalized: str,
        reply: str,
        user_id: int | None = None,
        intent: str | None = None,
        confidence: float | None = None,
        entities: Sequence[dict[str, Any]] = (),
        answer_kind: str | None = None,
        citations: Sequence[str] = (),
        in_dialog: bool = False,
    ) -> QuestionLog:
        entry = QuestionLog(
            channel=channel,
            user_id=user_id,
            text=text,
            normalized=normalized,
            intent=intent,
            confidence=confidence,
            entities=list(entities),
            answer_kind=answer_kind,
            reply=reply,
            citations=list(citations),
            in_dialog=in_dialog,
        )
        self.session.add(entry)
        self.session.flush()
        return entry


class UserRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, channel: str, channel_user_id: str) -> User | None:
        return self.session.scalar(
            select(User).where(User.channel == channel, User.channel_user_id == channel_user_id)
        )

    def get_or_create(self, channel: str, channel_user_id: str, display_name: str) -> User:
        """The user for this channel account, created as an `official` on first contact.

        An existing user's display name is left alone (admins may have corrected it).
        Two first contacts of one account at once (four `bot ask` started together, a
        `bot admin` while the bot answers that account) both succeed: the insert skips
        a row another transaction made, and the user is read back.
        """
        user = self.get(channel, channel_user_id)
        if user is not None:
            return user
        account = {"channel": channel, "channel_user_id": channel_user_id}
        # Every list, history and page header shows a person by name: an account the
        # channel gave none (the console, `bot admin` without --name) is named by itself.
        where = CHANNEL_WORDS.get(channel, channel)
        name = display_name.strip() or f"Tài khoản {where} {channel_user_id}"
        insert_unless_present(self.session, User, {**account, "display_name": name}, list(account))
        user = self.get(channel, channel_user_id)
        assert user is not None, "inserted or already there"
        return user


# How a channel is named to people, where an account has no name of its own.
CHANNEL_WORDS = {"console": "dòng lệnh", "zalo": "Zalo", "telegram": "Telegram"}


class ProgressRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, report: ProgressReport) -> ProgressReport:
        """Append a report (reports are never updated: a correction is a new report)."""
        self.session.add(report)
        self.session.flush()
        return report

    def latest_by_agency(self, agency_id: str) -> list[ProgressReport]:
        """The newest report of `agency_id` for each duty, ordered by directive and duty."""
        newest_first = (
            func.row_number()
            .over(
                partition_by=(ProgressReport.directive_id, ProgressReport.duty_id),
                order_by=(ProgressReport.created_at.desc(), ProgressReport.id.desc()),
            )
            .label("rank")
        )
        ranked = (
            select(ProgressReport.id, newest_first)
            .where(ProgressReport.agency_id == agency_id)
            .subquery()
        )
        query = (
            select(ProgressReport)
            .join(ranked, ranked.c.id == ProgressReport.id)
            .where(ranked.c.rank == 1)
            .order_by(ProgressReport.directive_id, ProgressReport.duty_id)
        )
        return list(self.session.scalars(query))
