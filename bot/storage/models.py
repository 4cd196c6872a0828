"""ORM models (SQLAlchemy 2.0 style) for the directive knowledge and the bot's own data.

Keys: pack objects keep their string ids as primary keys. Clause, duty, figure and
topic ids only are unique inside one directive ("1.a" repeats across directives), so
their key is (directive_id, id). Child rows that are lists in the dataclasses (duty
agencies, agency aliases) are keyed by their parent and their position in the list.
`position` columns keep the pack's order so the dataclasses round-trip exactly.

Rows the pack can drop but other tables point at (directives, duties, agencies) are
never deleted by seeding: they get `active = False` (see `bot.application.knowledge.seed`).

Every datetime is timezone-aware UTC (`UtcDateTime`), on SQLite too. JSON columns
hold plain lists/dicts; assign a new value instead of mutating one in place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AGENCY_KINDS = (
    "department",
    "agency",
    "media",
    "district",
    "commune",
    "committee",
    "central",
    "group",
)
AGENCY_LEVELS = ("province", "district", "commune", "central")
TIMING_KINDS = ("deadline", "recurring", "continuous")
DUTY_KINDS = ("task", "responsibility")  # bot.domain.knowledge.DutyKind
RECURRENCES = ("monthly", "quarterly", "annual")  # bot.domain.knowledge.Recurrence
DUTY_ROLES = ("addressee", "lead", "coordinate", "via")
USER_ROLES = ("official", "manager", "admin")
REPORT_STATUSES = ("not_started", "in_progress", "done", "blocked")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- knowledge (written by bot.application.knowledge.seed from the directive pack) ---


class Directive(Base):
    __tablename__ = "directives"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    number: Mapped[str] = mapped_column(String)
    doc_type: Mapped[str] = mapped_column(String)
    title: Mapped[str] = mapped_column(Text)
    issued: Mapped[dt.date] = mapped_column(Date)
    effective: Mapped[dt.date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String)
    place: Mapped[str] = mapped_column(String)
    signer_name: Mapped[str] = mapped_column(String)
    signer_title: Mapped[str] = mapped_column(String)
    signing_capacity: Mapped[str] = mapped_column(String)
    source_text: Mapped[str] = mapped_column(Text)
    # CitedDocument as dicts with an ISO date: {"number", "doc_type", "date", ...}.
    cites: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)
    # "pack": seeded from data/directives; "published": from `bot directive publish` or
    # chat, kept by seeding (the pack's folder never holds it on a server).
    origin: Mapped[str] = mapped_column(String, default="pack", server_default="pack")
    # Kept for history: no answers (unless asked by number), no nudges, no digests.
    retired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Agency(Base):
    __tablename__ = "agencies"
    __table_args__ = (
        CheckConstraint(_one_of("kind", AGENCY_KINDS), name="kind"),
        CheckConstraint(_one_of("level", AGENCY_LEVELS), name="level"),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    short_name: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    level: Mapped[str] = mapped_column(String)
    member_levels: Mapped[list[str]] = mapped_column(JSON)
    member_kinds: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)  # the pack's: is it in the pack
    # The admins' layer over the pack's values (bot.application.knowledge.agencies):
    # "name", "short_name", "kind", "level", "aliases" (more names, e.g. old ones),
    # "active", "merged_into" (an agency id), "added" (admins created the row).
    overrides: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=sql_text("'{}'")
    )


class AgencyAlias(Base):
    """One alias of an agency; `folded` is `fold(alias)` for lookups by folded text."""

    __tablename__ = "agency_aliases"

    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    alias: Mapped[str] = mapped_column(String)
    folded: Mapped[str] = mapped_column(String, index=True)


class Clause(Base):
    __tablename__ = "clauses"

    directive_id: Mapped[str] = mapped_column(ForeignKey("directives.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String, primary_key=True)
    label: Mapped[str] = mapped_column(String)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    parent: Mapped[str | None] = mapped_column(String)
    items: Mapped[list[str]] = mapped_column(JSON)
    topics: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)


class Duty(Base):
    """A duty; `effective_due` is an admin-set extended deadline that seeding never touches."""

    __tablename__ = "duties"
    __table_args__ = (
        CheckConstraint(_one_of("timing_kind", TIMING_KINDS), name="timing_kind"),
        CheckConstraint(
            f"timing_recurrence IS NULL OR {_one_of('timing_recurrence', RECURRENCES)}",
            name="timing_recurrence",
        ),
        CheckConstraint(_one_of("kind", DUTY_KINDS), name="kind"),
    )

    directive_id: Mapped[str] = mapped_column(ForeignKey("directives.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String, primary_key=True)
    clause: Mapped[str] = mapped_column(String)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    timing_kind: Mapped[str] = mapped_column(String)
    timing_due: Mapped[dt.date | None] = mapped_column(Date)
    timing_recurrence: Mapped[str | None] = mapped_column(String)
    timing_text: Mapped[str] = mapped_column(Text)
    topics: Mapped[list[str]] = mapped_column(JSON)
    effective_due: Mapped[dt.date | None] = mapped_column(Date)
    # Admins' edits, which seeding never touches: {"title": str} and, per role
    # ("addressee", "lead", "coordinate"), the agency ids that replace the pack's links.
    overrides: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=sql_text("'{}'")
    )
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)
    # "task" or "responsibility" (see `bot.domain.knowledge.DutyKind`): the pack's.
    kind: Mapped[str] = mapped_column(String, default="task", server_default="task")


class DutyAgency(Base):
    """An agency named by a duty in one role, at `position` in that role's list."""

    __tablename__ = "duty_agencies"
    __table_args__ = (
        ForeignKeyConstraint(["directive_id", "duty_id"], ["duties.directive_id", "duties.id"]),
        CheckConstraint(_one_of("role", DUTY_ROLES), name="role"),
    )

    directive_id: Mapped[str] = mapped_column(String, primary_key=True)
    duty_id: Mapped[str] = mapped_column(String, primary_key=True)
    role: Mapped[str] = mapped_column(String, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)


class Topic(Base):
    __tablename__ = "topics"

    directive_id: Mapped[str] = mapped_column(ForeignKey("directives.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    aliases: Mapped[list[str]] = mapped_column(JSON)
    clauses: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)


class Figure(Base):
    __tablename__ = "figures"

    directive_id: Mapped[str] = mapped_column(ForeignKey("directives.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String, primary_key=True)
    label: Mapped[str] = mapped_column(String)
    value: Mapped[str] = mapped_column(String)
    unit: Mapped[str] = mapped_column(String)
    clause: Mapped[str] = mapped_column(String)
    quote: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON)
    parent: Mapped[str | None] = mapped_column(String)
    position: Mapped[int] = mapped_column(Integer)


class FaqEntry(Base):
    """A FAQ entry; seeding only inserts new ids, admins own existing rows."""

    __tablename__ = "faq_entries"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    alternates: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(Text)
    clauses: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)
    # The directive it is about (its clauses are that directive's); None: any.
    directive_id: Mapped[str | None] = mapped_column(String, default=None)


# --- the bot's own data ----------------------------------------------------------------


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("channel", "channel_user_id"),
        CheckConstraint(_one_of("role", USER_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String)  # "telegram", "console", "zalo" ...
    channel_user_id: Mapped[str] = mapped_column(String)
    display_name: Mapped[str] = mapped_column(String)
    # The highest of `roles` (kept equal by `accounts`): what SQL filters on admins read.
    role: Mapped[str] = mapped_column(String, default="official")
    # Every role the person holds (an admin who redeems an official's code is both).
    roles: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=sql_text("'[]'"))
    # The agency the person reports for (officials, managers).
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    # A manager's scope: the agencies their digest covers (the province agency: all of
    # them); empty: their own agency.
    scope: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=sql_text("'[]'"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Set when the channel says the user blocked the bot (Telegram 403): no more nudges.
    blocked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # One official may chat from several accounts (Zalo and Telegram): the accounts of one
    # person share `person_id`, the id of their first account (None: a person of its own,
    # `person`). Their role and agency are the person's, kept equal by `accounts`.
    # (No foreign key: see migration 0008. Accounts are never deleted.)
    person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The account that gets the person's nudges and digests (else Zalo first, see accounts).
    preferred: Mapped[bool] = mapped_column(default=False)

    @property
    def person(self) -> int:
        """The person's key: what nudges, digests and snoozes are keyed by."""
        return self.person_id if self.person_id is not None else self.id


class LinkCode(Base):
    """A one-time code that joins another chat account to a person (`/lienket`)."""

    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ProgressReport(Base):
    """One progress report. Append-only: the ORM refuses to update or delete one."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        ForeignKeyConstraint(["directive_id", "duty_id"], ["duties.directive_id", "duties.id"]),
        CheckConstraint(_one_of("status", REPORT_STATUSES), name="status"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
        Index(
            "ix_progress_reports_agency_duty_created",
            "agency_id",
            "directive_id",
            "duty_id",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directive_id: Mapped[str] = mapped_column(String)
    duty_id: Mapped[str] = mapped_column(String)

    @property
    def duty_key(self) -> str:
        """The duty's key across directives (bot.domain.knowledge.scoped_key's format)."""
        return f"{self.directive_id}:{self.duty_id}"

    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String)
    percent: Mapped[int] = mapped_column(Integer)
    blockers: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    evidence_ref: Mapped[str | None] = mapped_column(String)  # e.g. a document number
    evidence_date: Mapped[dt.date | None] = mapped_column(Date)
    evidence_file_id: Mapped[str | None] = mapped_column(String)  # channel file id
    # The evidence file kept with the report (its number, `/minhchung <số>`): None when
    # no file was sent, or it could not be kept (too big, the channel failed), or the
    # report predates migration 0019.
    evidence_number: Mapped[int | None] = mapped_column(ForeignKey("evidence_files.id"))
    # The day the work was finished, as the official said (done reports; none before
    # migration 0009): on time or late is judged on it, not on when it was reported.
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    # The report this one corrects (/sua): a corrected report no longer settles a period.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("progress_reports.id"))
    # A done report on a recurring duty: the due date (as written) of the period it
    # settles, decided when it is saved (`bot.application.periods`); None otherwise.
    period_due: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an append-only row."""


@event.listens_for(ProgressReport, "before_update")
@event.listens_for(ProgressReport, "before_delete")
def _refuse_change(mapper: Mapper[Any], connection: Connection, target: ProgressReport) -> None:
    raise AppendOnlyError(f"progress report {target.id} is append-only; add a new report")


class InviteCode(Base):
    """A one-time code an admin gives someone to link their chat account to an agency."""

    __tablename__ = "invite_codes"
    __table_args__ = (CheckConstraint(_one_of("role", USER_ROLES), name="role"),)

    code: Mapped[str] = mapped_column(String, primary_key=True)
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    role: Mapped[str] = mapped_column(String)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class OfferedChoices(Base):
    """The buttons of the last message a user was sent (a reply or a pushed message), so
    that typing a number, an option's words or "ok"/"hủy" presses one: on channels
    without buttons (Zalo, the console) and wherever a user types instead of pressing."""

    __tablename__ = "offered_choices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    # [{"label", "payload", "kind"}], in the order they were numbered.
    choices: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    # The step asks for a number (a percentage): a typed number is the value, not a choice.
    numbers_are_values: Mapped[bool] = mapped_column(default=False)
    offered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class DialogState(Base):
    """Where a user is in a multi-step dialog; in the database so a restart loses nothing.

    `token` changes at every step: buttons carry it, so a press on a button of an
    earlier step (or of a dialog that ended) is recognized as stale.
    """

    __tablename__ = "dialog_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    dialog: Mapped[str] = mapped_column(String)
    step: Mapped[str] = mapped_column(String)
    token: Mapped[str] = mapped_column(String)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class QaContext(Base):
    """What a user's last answered question was about (agencies, duties, topics), so
    that "còn Sở Nội vụ thì sao?" or "hạn khi nào?" can be read against it; in the
    database like dialogs, so a restart does not lose the thread."""

    __tablename__ = "qa_contexts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String)
    agencies: Mapped[list[str]] = mapped_column(JSON)
    duties: Mapped[list[str]] = mapped_column(JSON)
    topics: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ButtonPayload(Base):
    """A button payload too long for the channel (Telegram: 64 bytes), kept by id."""

    __tablename__ = "button_payloads"
    __table_args__ = (UniqueConstraint("payload"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class AuditLog(Base):
    """Admin actions: content changes with their before/after (the version history that
    can be listed and reverted), and refused attempts (allowed=False)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: command line
    action: Mapped[str] = mapped_column(String)
    entity_type: Mapped[str | None] = mapped_column(String)
    entity_id: Mapped[str] = mapped_column(String, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    allowed: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class InboxDismissal(Base):
    """A logged question an admin has looked at and set aside in the unanswered inbox."""

    __tablename__ = "inbox_dismissals"

    question_log_id: Mapped[int] = mapped_column(ForeignKey("question_logs.id"), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class QuestionLog(Base):
    __tablename__ = "question_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String)
    confidence: Mapped[float | None] = mapped_column(Float)
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    answer_kind: Mapped[str | None] = mapped_column(String)
    reply: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # Typed while a dialog was open (an answer the step did not take): not a question
    # for the unanswered inbox.
    in_dialog: Mapped[bool] = mapped_column(default=False)


FEEDBACK_VERDICTS = ("right", "wrong")


class AnswerFeedback(Base):
    """What the asker said of a Q&A answer ("Đúng" / "Chưa đúng"), with the comment they
    may type after "Chưa đúng". One verdict per logged answer: pressing the other
    button changes it. A "wrong" one waits in the admins' inbox (/hopthu) until an
    admin sets it aside (`InboxDismissal`, by the same question log id)."""

    __tablename__ = "answer_feedback"
    __table_args__ = (CheckConstraint(_one_of("verdict", FEEDBACK_VERDICTS), name="verdict"),)

    question_log_id: Mapped[int] = mapped_column(ForeignKey("question_logs.id"), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(String)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


# --- scheduler: working calendar, snoozes, delivery outbox -----------------------------

CALENDAR_DAY_KINDS = ("workday", "dayoff")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class CalendarDay(Base):
    """An admin's exception to the working calendar: a make-up working day (often a
    Saturday) or an extra day off. Weekends and public holidays are not stored."""

    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint(_one_of("kind", CALENDAR_DAY_KINDS), name="kind"),)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Snooze(Base):
    """ "Nhắc lại sau N ngày": no reminder about `duty_id` to the user before `until`."""

    __tablename__ = "snoozes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    duty_id: Mapped[str] = mapped_column(String, primary_key=True)
    until: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class OutboxMessage(Base):
    """One message to deliver, at most once per (user, duty, due date, kind).

    The scheduler tick inserts rows and ignores the ones that exist (the unique key);
    the sender claims `pending` rows whose `next_attempt_at` has come, marks them
    `sending` with `next_attempt_at` as the lease's end, sends, and marks them `sent`
    (or `pending` again with a later `next_attempt_at`, or `failed`). A `sending` row
    whose lease ran out belongs to a sender that died: it is claimed again.
    `duty_id` is "" for messages about no duty (digests); `due` is then the period.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("user_id", "duty_id", "due", "kind"),
        CheckConstraint(_one_of("status", OUTBOX_STATUSES), name="status"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    duty_id: Mapped[str] = mapped_column(String)
    due: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String)
    agency_id: Mapped[str | None] = mapped_column(String)  # whose duty it is about
    channel: Mapped[str] = mapped_column(String)
    address: Mapped[str] = mapped_column(String)  # the channel's chat id
    status: Mapped[str] = mapped_column(String, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed sends (not claims)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    claim: Mapped[str | None] = mapped_column(String)  # the claiming sender's batch token
    last_error: Mapped[str | None] = mapped_column(Text)
    # {"text", "parse_mode", "buttons": [[label, payload]], "columns", "photos", "documents", ...}
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    message_ref: Mapped[str | None] = mapped_column(String)  # the channel's message id


class EvidenceFile(Base):
    """A file an official sent as a report's evidence, kept so that managers can open it
    on any channel or the portal: a channel's own file id works only there (Telegram's
    only for the same bot, Zalo's photo URL only for a while). Its `id` is the short
    number people type (`/minhchung 12`). Kept in the database, not on disk: it then
    lives and is backed up with the report it proves, and every process (bot, portal)
    on every host reads it through the one connection it already has."""

    __tablename__ = "evidence_files"
    # A number is never given twice (SQLite would reuse a deleted last one): a number in
    # an old digest must never open another agency's file.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))  # whose evidence
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # who sent it
    channel: Mapped[str] = mapped_column(String)  # where it was sent
    name: Mapped[str] = mapped_column(String)
    media_type: Mapped[str] = mapped_column(String)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class SharedFile(Base):
    """A file sent as a download link (Zalo has no document upload): its bytes, whom it
    was sent to, until when the link works, and how often it was fetched.

    The key is the SHA-256 of the link's secret part, so the table alone (a backup, a
    read-only database account) does not give working links."""

    __tablename__ = "shared_files"

    token_hash: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String)
    address: Mapped[str] = mapped_column(String)  # the chat the link was sent to
    name: Mapped[str] = mapped_column(String)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
    last_download_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


# --- the web portal: one-time login links and sessions ---------------------------------


class WebLoginLink(Base):
    """A one-time link into the web portal that `/web` sends to a chat account: it works
    once, for a few minutes, and logs in as that account. Keyed by the SHA-256 of the
    link's secret part (the table alone gives no working link)."""

    __tablename__ = "web_login_links"

    token_hash: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class WebSession(Base):
    """A browser's session in the web portal, opened by a login link; it ends on logout
    or after a spell without requests. Keyed by the SHA-256 of the cookie's value."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class SendBudget(Base):
    """The pace of one bot's sends (a channel: each platform limits its own bot), shared
    by every process that sends for it, so that together they keep the platform's limit.

    A token bucket kept as the time its next token comes (the generic cell rate
    algorithm): a sender takes a slot with one UPDATE that moves `next_slot` on by one
    interval from `max(next_slot, now)`, and sends at the slot's time. `now` is the
    database's clock, so the hosts' clocks need not agree. A 429 moves `next_slot` to the
    end of the wait, for every sender."""

    __tablename__ = "send_budget"

    channel: Mapped[str] = mapped_column(String, primary_key=True)
    next_slot: Mapped[float] = mapped_column(Float)  # seconds since 1970, database clock


class DigestSnapshot(Base):
    """The counts a scope's digest showed on a day (the last digest sent that day), so
    that the next digest says what changed ("hoàn thành +3, quá hạn −2") and its chart
    draws completion over the last weeks. `scope`: an agency id, or "*" for the
    province."""

    __tablename__ = "digest_snapshots"

    scope: Mapped[str] = mapped_column(String, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    taken_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)  # status -> rows
