"""The delivery outbox: exactly-once enqueueing, leased claims, and the outcomes of sends.

Enqueueing is an INSERT ... ON CONFLICT DO NOTHING on the unique key
(user_id, duty_id, due, kind), on SQLite and PostgreSQL alike, so any number of ticks
(or a tick after a restart) enqueue a message once.

A sender *claims* a batch: rows that are `pending`, or `sending` with an expired
lease, whose `next_attempt_at` has come, become `sending` with `next_attempt_at` set to
the end of the lease and `claim` set to the batch's token (PostgreSQL: FOR UPDATE SKIP
LOCKED, so two senders never claim one row). Right after the channel accepts a message
its row is marked `sent` in its own transaction. If the sender dies before that, the
lease runs out and the row is claimed again: nothing is lost. What remains is one
duplicate window per message: from the moment its request leaves the process (the
platform acts on it even if the process dies then) to that commit, about one round
trip to the platform; Telegram's sendMessage has no idempotency key to close it. A
crash so resends about (send rate x round trip) messages, never more than the sends
the drain lets be under way at once (see `bot.application.delivery`).

`SendSlots` keeps each bot's pace in the database, for every process that sends.

`attempts` counts sends that failed (and were retried or gave up), nothing else: a
claim is not an attempt, so a row claimed again after its sender died (kill -9, a
restart in the middle of a drain) keeps its count, and a 429 or a row given back
untried adds nothing. Every outcome (`mark_sent`, `reschedule`, `mark_failed`,
`release`) names the claim it settles: a sender whose lease ran out, and whose row
another sender now holds, changes nothing but a delivery it did make (see `mark_sent`).

A row's payload holds one typed message (`Reply`, under "message", as
`encode_reply` stores it), however many parts it goes out in (a digest: its text,
its chart, its .xlsx), plus what the assistant keeps about it (a nudge's "reason", a
digest's "snapshot"). The channel's sender renders the message when it goes out, so
the scheduler never knows which channel a row is for. A failure part-way sends the
whole row again. Every row is built by `outbox_row`.

A row may instead hold what to compose ("compose": a composer's name, no message
yet): the weekly digest is built when it goes out, not when the tick queues it (a
digest queued on Sunday evening and sent on Monday morning would otherwise say
"Tính đến" Sunday's time). The sender composes it right before its first send and
stores the message in the row, under its claim, in one transaction (`compose`); a
resend after a failure or a crash sends that stored message, so exactly-once holds
as for any other row.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from sqlalchemy import Float, case, cast, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.application import choices
from bot.application.messages import Button, OutgoingFile, Reply, decode_reply, encode_reply
from bot.storage.db import dialect_insert, session_scope
from bot.storage.models import DialogState, OutboxMessage, SendBudget, User

KEY = ("user_id", "duty_id", "due", "kind")
COMPOSE = "compose"  # a payload's key naming its composer (see the module's doc)
# Rows written before messages were stored typed: pre-rendered text (see `stored_message`).
LEGACY_TEMPLATE = "outbox/prerendered"


def outbox_row(
    *,
    user_id: int,
    channel: str,
    address: str,
    kind: str,
    due: dt.date,
    message: Reply | None,
    not_before: dt.datetime,
    now: dt.datetime,
    duty_id: str = "",
    agency_id: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One outbox row: `message` for one recipient, unique on (user, duty, due, kind);
    None: composed when it goes out (`meta` names the composer under COMPOSE)."""
    if message is None and COMPOSE not in (meta or {}):
        raise ValueError("a row without a message names its composer")
    return {
        "user_id": user_id,
        "duty_id": duty_id,
        "due": due,
        "kind": kind,
        "agency_id": agency_id,
        "channel": channel,
        "address": address,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": not_before.astimezone(dt.UTC),
        "payload": {**(meta or {}), **({"message": encode_reply(message)} if message else {})},
        "created_at": now,
    }


def stored_message(payload: Mapping[str, Any]) -> Reply:
    """The message a row holds. Rows from before typed messages hold a rendered text
    (HTML when "parse_mode" says so) and base64 photos and documents."""
    if "message" in payload:
        return decode_reply(payload["message"])

    def files(key: str, kind: Literal["document", "photo"]) -> list[OutgoingFile]:
        return [
            OutgoingFile(f["filename"], base64.b64decode(f["content"]), f.get("caption", ""), kind)
            for f in payload.get(key, [])
        ]

    return Reply(
        LEGACY_TEMPLATE,
        {"text": str(payload.get("text", "")), "markup": payload.get("parse_mode") == "HTML"},
        tuple(Button(label, data) for label, data in payload.get("buttons", [])),
        int(payload.get("columns", 1)),
        (*files("photos", "photo"), *files("documents", "document")),
    )


# Builds a deferred row's message at send time: (message, what the row keeps besides).
Composer = Callable[[Session, "Claimed", dt.datetime], tuple[Reply, Mapping[str, Any]]]


@dataclass(frozen=True)
class Claimed:
    """A claimed row, detached from its session (what a send needs)."""

    id: int
    claim: str
    user_id: int
    channel: str
    address: str
    kind: str
    attempts: int
    payload: dict[str, Any]


def _insert_new(session: Session, model: type[Any], key: Sequence[str]) -> Any:
    """INSERT ... ON CONFLICT (key) DO NOTHING into `model`'s table."""
    return dialect_insert(session, model).on_conflict_do_nothing(index_elements=list(key))


def enqueue(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows, skipping those whose key exists; returns how many were inserted."""
    if not rows:
        return 0
    statement = _insert_new(session, OutboxMessage, KEY)
    # RETURNING counts what was inserted on both backends (executemany rowcounts differ).
    statement = statement.returning(OutboxMessage.__table__.c.id)
    connection = session.connection()
    inserted = 0
    for start in range(0, len(rows), 500):
        inserted += len(connection.execute(statement, list(rows[start : start + 500])).all())
    return inserted


def existing_keys(
    session: Session, duty_dues: Iterable[tuple[str, dt.date]]
) -> set[tuple[int, str, dt.date, str]]:
    """Keys already in the outbox for these (duty, due) pairs (to skip rendering them)."""
    wanted = set(duty_dues)
    if not wanted:
        return set()
    dues = {due for _, due in wanted}
    rows = session.execute(
        select(
            OutboxMessage.user_id, OutboxMessage.duty_id, OutboxMessage.due, OutboxMessage.kind
        ).where(OutboxMessage.due.in_(dues))
    )
    return {(u, d, due, k) for u, d, due, k in rows if (d, due) in wanted}


class OutboxStore:
    """The sender's side of the outbox; each call is its own transaction."""

    def __init__(self, sessions: Callable[[], Session]) -> None:
        self.sessions = sessions

    def claim(
        self,
        now: dt.datetime,
        limit: int,
        lease: dt.timedelta,
        channels: Iterable[str] | None = None,
    ) -> list[Claimed]:
        token = uuid.uuid4().hex
        ready = or_(OutboxMessage.status == "pending", OutboxMessage.status == "sending")
        with session_scope(self.sessions) as session:
            query = (
                select(OutboxMessage.id)
                .where(ready, OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
            )
            if channels is not None:
                query = query.where(OutboxMessage.channel.in_(list(channels)))
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = list(session.scalars(query))
            if not ids:
                return []
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), ready, OutboxMessage.next_attempt_at <= now)
                .values(status="sending", claim=token, next_attempt_at=now + lease)
            )
            rows = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.claim == token)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            )
            return [
                Claimed(r.id, token, r.user_id, r.channel, r.address, r.kind, r.attempts, r.payload)
                for r in rows
            ]

    def compose(self, row: Claimed, composer: Composer, now: dt.datetime) -> Claimed | None:
        """Compose a row's message now, and keep it in the row under the row's claim
        (with what the composer wrote, e.g. a digest's snapshot, in one transaction);
        None when the claim is no longer ours (another sender composes it)."""

        class NotOurs(Exception):
            pass

        try:
            with session_scope(self.sessions) as session:
                message, meta = composer(session, row, now)
                payload = {k: v for k, v in row.payload.items() if k != COMPOSE}
                payload.update(meta, message=encode_reply(message))
                ours = session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.claim == row.claim)
                    .values(payload=payload)
                )
                if not ours.rowcount:  # type: ignore[attr-defined]
                    raise NotOurs  # roll back what the composer wrote
        except NotOurs:
            return None
        return replace(row, payload=payload)

    def mark_sent(
        self, row: Claimed, now: dt.datetime, message_ref: str = "", message: Reply | None = None
    ) -> bool:
        """Record a delivery. False when the row was no longer ours (its lease ran out
        and another claim took it, which may send it again: a duplicate to count). The
        row is marked sent all the same unless it already is: the message did go out,
        and leaving the row to the new owner would send it a third time should that
        owner's send fail and be retried.
        The message's buttons (`message`: the row's, already decoded by the caller) become
        what the user can answer by typing."""
        values = {"status": "sent", "sent_at": now, "message_ref": message_ref or None}
        message = message or stored_message(row.payload)
        with session_scope(self.sessions) as session:
            # An open dialog keeps its choices: a number typed next answers its step.
            if message.buttons and session.get(DialogState, row.user_id) is None:
                choices.remember(session, row.user_id, [message])
            ours = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.claim == row.claim)
                .values(claim=None, **values)
            )
            if ours.rowcount:  # type: ignore[attr-defined]
                return True
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.status != "sent")
                .values(claim=None, **values)
            )
            return False

    def reschedule(
        self, row: Claimed, at: dt.datetime, error: str, count_attempt: bool = True
    ) -> None:
        """Back to `pending`, to be tried at `at`; `count_attempt`: the send failed (a 429
        is the platform's pace, not a failure)."""
        values: dict[str, Any] = {
            "status": "pending",
            "next_attempt_at": at,
            "last_error": error[:1000],
            "claim": None,
        }
        if count_attempt:
            values["attempts"] = OutboxMessage.attempts + 1
        with session_scope(self.sessions) as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.claim == row.claim)
                .values(**values)
            )

    def release(self, rows: Sequence[Claimed], now: dt.datetime) -> None:
        """Give back claimed rows that were not tried (the drain's time is up)."""
        with session_scope(self.sessions) as session:
            for claim in {r.claim for r in rows}:
                session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id.in_([r.id for r in rows if r.claim == claim]),
                        OutboxMessage.claim == claim,
                    )
                    .values(status="pending", claim=None, next_attempt_at=now)
                )

    def mark_failed(self, row: Claimed, error: str, now: dt.datetime, blocked: bool = False) -> int:
        """Give up on a row after a failed send (counted in `attempts`). `blocked`: the
        user blocked the bot, so mark them and fail every other message waiting for them
        too. Returns how many rows failed: 0 when the row is no longer ours (its lease
        ran out and another sender holds it: that sender decides, and meets the same
        refusal itself if the user did block the bot)."""
        with session_scope(self.sessions) as session:
            ours = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.claim == row.claim)
                .values(
                    status="failed",
                    last_error=error[:1000],
                    claim=None,
                    attempts=OutboxMessage.attempts + 1,
                )
            )
            if not ours.rowcount:  # type: ignore[attr-defined]
                return 0
            failed = 1
            if blocked:  # the account written to (a person may have others)
                account = (User.channel == row.channel, User.channel_user_id == row.address)
                session.execute(update(User).where(*account).values(blocked_at=now))
                result = session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.channel == row.channel,
                        OutboxMessage.address == row.address,
                        OutboxMessage.status == "pending",
                    )
                    .values(status="failed", last_error="recipient blocked the bot")
                )
                failed += max(result.rowcount, 0)  # type: ignore[attr-defined]
            return failed

    def counts(self) -> dict[str, int]:
        with session_scope(self.sessions) as session:
            rows = session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            return {status: int(n) for status, n in rows}


class SendSlots:
    """Each bot's send schedule (`send_budget`), shared by every process that sends for
    the bot: the platform's limit holds for all of them together, however many there are
    (a second scheduler by mistake, or a leader that lost its election but is still
    finishing its drain). Each call is its own short transaction.

    `next_slot` is kept on the database's clock; a value more than `horizon` seconds
    ahead of it (the database's clock stepped back) is forgotten rather than waited for.
    """

    def __init__(self, sessions: Callable[[], Session], horizon: float = 3600.0) -> None:
        self.sessions = sessions
        self.horizon = horizon

    def reserve(self, channel: str, interval: float, within: float | None = None) -> float | None:
        """Take the bot's next slot and move the schedule on by `interval` seconds:
        the seconds to wait for the slot (0 when it has come). None, taking nothing,
        when it comes more than `within` seconds from now."""
        with session_scope(self.sessions) as session:
            now = _database_now(session)
            start = _later(session, self._current(now), now)
            statement = update(SendBudget).where(SendBudget.channel == channel)
            if within is not None:
                statement = statement.where(start <= now + within)
            statement = statement.values(next_slot=start + interval).returning(
                SendBudget.next_slot - interval - now
            )
            wait = session.execute(statement).scalar()
            if wait is None and self._create(session, channel):
                wait = session.execute(statement).scalar()
            return None if wait is None else max(float(wait), 0.0)

    def hold(self, channel: str, seconds: float) -> None:
        """No slot for anyone until `seconds` from now (the platform said to wait)."""
        with session_scope(self.sessions) as session:
            now = _database_now(session)
            statement = (
                update(SendBudget)
                .where(SendBudget.channel == channel)
                .values(next_slot=_later(session, self._current(now), now + seconds))
            )
            if not session.execute(statement).rowcount:  # type: ignore[attr-defined]
                self._create(session, channel)
                session.execute(statement)

    def _current(self, now: ColumnElement[float]) -> ColumnElement[float]:
        too_far = SendBudget.next_slot > now + self.horizon
        return case((too_far, now), else_=SendBudget.next_slot)

    @staticmethod
    def _create(session: Session, channel: str) -> bool:
        """The channel's row, made on its first send; False when it was there."""
        statement = _insert_new(session, SendBudget, ("channel",))
        created = session.execute(statement.values(channel=channel, next_slot=0.0))
        return bool(created.rowcount)  # type: ignore[attr-defined]


def _database_now(session: Session) -> ColumnElement[float]:
    """Now in seconds since 1970 on the database's clock, one value for the statement."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", func.statement_timestamp()), Float)
    # SQLite's 'now' is the same for every use in one statement; julianday has ~0.1 ms.
    return (func.julianday("now") - 2440587.5) * 86400.0


def _later(
    session: Session, a: ColumnElement[float], b: ColumnElement[float]
) -> ColumnElement[float]:
    if session.get_bind().dialect.name == "postgresql":
        return func.greatest(a, b)
    return func.max(a, b)  # SQLite's max() of two arguments is the scalar one
