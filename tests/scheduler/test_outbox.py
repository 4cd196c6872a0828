"""The outbox on SQLite and PostgreSQL: enqueue once, leases, a crash in a fan-out."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.application.delivery import (
    Drainer,
    RateLimiter,
    RecipientBlocked,
    RetryLater,
    TransientError,
)
from bot.application.messages import Reply
from bot.application.outbox import Claimed, OutboxStore, enqueue, outbox_row, stored_message
from bot.config import NudgeSettings
from bot.storage.db import session_scope
from bot.storage.models import OutboxMessage, User
from tests.scheduler.conftest import Clock, add_user, at

NOW = at("2026-12-01", "08:00")


class RecordingSender:
    """An in-memory channel: records every delivery; can fail on chosen addresses."""

    channel = "telegram"

    def __init__(self) -> None:
        self.delivered: list[tuple[str, str]] = []
        self.fail: dict[str, Exception] = {}

    async def send(self, address: str, message: Reply) -> str:
        error = self.fail.get(address)
        if error is not None:
            raise error
        self.delivered.append((address, message.data["text"]))
        return str(len(self.delivered))


def rows_for(
    user_ids: list[int], kind: str = "remind-3", when: dt.datetime = NOW
) -> list[dict[str, Any]]:
    return [
        outbox_row(
            user_id=user_id,
            channel="telegram",
            address=str(1000 + user_id),
            kind=kind,
            due=dt.date(2026, 12, 4),
            duty_id="2.f-4",
            message=Reply("nudge/reminder", {"text": f"nhắc {user_id} {kind}"}),
            not_before=when,
            now=when,
        )
        for user_id in user_ids
    ]


def make_users(factory: sessionmaker[Session], n: int) -> list[int]:
    with session_scope(factory) as session:
        return [add_user(session, f"u{i}", None).id for i in range(n)]


def queued(factory: sessionmaker[Session], n: int) -> list[int]:
    """n users, each with one message in the outbox."""
    users = make_users(factory, n)
    with session_scope(factory) as session:
        enqueue(session, rows_for(users))
    return users


def statuses(factory: sessionmaker[Session]) -> dict[str, int]:
    return OutboxStore(factory).counts()


def attempts(factory: sessionmaker[Session]) -> list[int]:
    with session_scope(factory) as session:
        return list(session.scalars(select(OutboxMessage.attempts).order_by(OutboxMessage.id)))


def the_row(factory: sessionmaker[Session]) -> OutboxMessage:
    with session_scope(factory) as session:
        return session.scalars(select(OutboxMessage)).one()


def test_enqueue_is_idempotent(session_factory: sessionmaker[Session]) -> None:
    users = make_users(session_factory, 3)
    with session_scope(session_factory) as session:
        assert enqueue(session, rows_for(users)) == 3
    with session_scope(session_factory) as session:
        assert enqueue(session, rows_for(users)) == 0
        assert enqueue(session, rows_for(users) + rows_for(users, "due")) == 3
    assert statuses(session_factory) == {"pending": 6}


def test_claim_lease_and_recovery(session_factory: sessionmaker[Session]) -> None:
    queued(session_factory, 5)
    store = OutboxStore(session_factory)
    lease = dt.timedelta(minutes=5)
    first = store.claim(NOW, 3, lease)
    assert len(first) == 3 and len({r.claim for r in first}) == 1
    second = store.claim(NOW, 10, lease)
    assert len(second) == 2  # the claimed ones are not handed out twice
    assert store.claim(NOW + dt.timedelta(minutes=4), 10, lease) == []
    store.mark_sent(second[0], NOW)
    # The sender holding `first` died: after the lease they are claimed again.
    again = store.claim(NOW + dt.timedelta(minutes=5), 10, lease)
    assert sorted(r.id for r in again) == sorted([r.id for r in first] + [second[1].id])
    assert all(r.attempts == 0 for r in again)  # a claim is not an attempt
    assert not store.mark_sent(first[0], NOW)  # the old claim lost it ...
    assert store.mark_sent(again[1], NOW)


def test_crash_in_the_middle_of_a_fan_out(session_factory: sessionmaker[Session]) -> None:
    """Claim a batch, send part of it, "crash" before marking the rest; restart after
    the lease: every message arrives, none of those marked sent arrives twice."""
    users = queued(session_factory, 20)
    settings = NudgeSettings(batch_size=8, lease_seconds=120, per_chat_interval=0)
    clock = Clock(NOW)
    store = OutboxStore(session_factory)
    sender = RecordingSender()
    # The crashed sender: claimed 8, delivered and marked 5, delivered 1 more but died
    # before marking it (the duplicate window), never sent the last 2.
    batch = store.claim(clock(), 8, dt.timedelta(seconds=120))
    for row in batch[:5]:
        sender.delivered.append((row.address, stored_message(row.payload).data["text"]))
        store.mark_sent(row, clock())
    sender.delivered.append((batch[5].address, stored_message(batch[5].payload).data["text"]))
    # Restart before the lease ends: the 12 never claimed go; the leased ones wait.
    drainer = Drainer(store, [sender], settings, clock, RateLimiter(rate=0, per_chat=0))
    stats = asyncio.run(drainer.drain())
    assert stats.sent == 12
    clock.advance(seconds=121)
    stats = asyncio.run(drainer.drain())
    assert stats.sent == 3  # batch[5:8]
    drainer.close()
    addresses = [a for a, _ in sender.delivered]
    assert set(addresses) == {str(1000 + u) for u in users}  # no loss
    duplicates = {a for a in addresses if addresses.count(a) > 1}
    assert duplicates == {batch[5].address}  # only the one inside the window
    assert statuses(session_factory) == {"sent": 20}
    assert attempts(session_factory) == [0] * 20  # the crash cost no attempt


def test_transient_errors_back_off_then_fail(session_factory: sessionmaker[Session]) -> None:
    users = queued(session_factory, 1)
    settings = NudgeSettings(max_attempts=3, backoff_base=5, per_chat_interval=0)
    clock = Clock(NOW)
    sender = RecordingSender()
    sender.fail[str(1000 + users[0])] = TransientError("502 Bad Gateway")
    drainer = Drainer(OutboxStore(session_factory), [sender], settings, clock, RateLimiter(0, 0))
    waits = []
    for _ in range(3):
        stats = asyncio.run(drainer.drain())
        with session_scope(session_factory) as session:
            row = session.scalars(select(OutboxMessage)).one()
            waits.append((row.status, (row.next_attempt_at - clock()).total_seconds()))
        clock.now = row.next_attempt_at
    drainer.close()
    assert waits[0] == ("pending", 5.0) and waits[1] == ("pending", 10.0)
    assert waits[2][0] == "failed" and stats.failed == 1
    assert sender.delivered == []


@pytest.mark.parametrize("n", [3])
def test_only_channels_with_a_sender_are_claimed(
    session_factory: sessionmaker[Session], n: int
) -> None:
    users = make_users(session_factory, n)
    rows = rows_for(users)
    rows[0]["channel"] = "console"
    with session_scope(session_factory) as session:
        enqueue(session, rows)
    drainer = Drainer(
        OutboxStore(session_factory),
        [RecordingSender()],
        NudgeSettings(),
        Clock(NOW),
        RateLimiter(0, 0),
    )
    assert asyncio.run(drainer.drain()).sent == n - 1
    drainer.close()
    assert statuses(session_factory) == {"pending": 1, "sent": n - 1}


def test_a_row_from_before_typed_messages_is_still_delivered(
    session_factory: sessionmaker[Session],
) -> None:
    """Rows queued by an earlier version hold a rendered text: they still go out."""
    [user] = make_users(session_factory, 1)
    row = rows_for([user])[0]
    buttons = [["Xong", "/xong 1.a-1"]]
    row["payload"] = {"text": "<b>Nhắc</b> việc", "parse_mode": "HTML", "buttons": buttons}
    with session_scope(session_factory) as session:
        enqueue(session, [row])
    [claimed] = OutboxStore(session_factory).claim(NOW, 10, dt.timedelta(seconds=60))
    message = stored_message(claimed.payload)
    assert message.data == {"text": "<b>Nhắc</b> việc", "markup": True}
    assert [b.payload for b in message.buttons] == ["/xong 1.a-1"]


def test_one_platforms_429_does_not_hold_the_other(
    session_factory: sessionmaker[Session],
) -> None:
    """Each platform limits its own bot: a Zalo 429 pauses Zalo's sends only."""

    class ZaloRefusing(RecordingSender):
        channel = "zalo"

        async def send(self, address: str, message: Reply) -> str:
            raise RetryLater(30, "429 Quota exceeded")

    zalo_user, telegram_user = make_users(session_factory, 2)
    zalo_row = {**rows_for([zalo_user])[0], "channel": "zalo"}
    with session_scope(session_factory) as session:
        enqueue(session, [zalo_row, *rows_for([telegram_user])])
    telegram = RecordingSender()
    settings = NudgeSettings(per_chat_interval=0)
    drainer = Drainer(
        OutboxStore(session_factory), [ZaloRefusing(), telegram], settings, Clock(NOW)
    )
    stats = asyncio.run(drainer.drain(max_seconds=3))
    assert [address for address, _ in telegram.delivered] == [str(1000 + telegram_user)]
    assert (stats.sent, stats.rate_limited) == (1, 1)
    drainer.close()


def test_claims_after_crashes_are_not_attempts(session_factory: sessionmaker[Session]) -> None:
    """Senders killed mid-drain (kill -9) three times, then a 502, then a delivery: the
    row counts one attempt, the 502's. (Each claim used to count: rows reached 4
    attempts without a single failed send.)"""
    users = queued(session_factory, 1)
    settings = NudgeSettings(per_chat_interval=0, lease_seconds=60, max_attempts=2)
    clock = Clock(NOW)
    store = OutboxStore(session_factory)
    for _ in range(3):  # claimed, then the process dies: the lease runs out
        [claimed] = store.claim(clock(), 10, dt.timedelta(seconds=60))
        assert claimed.attempts == 0
        clock.advance(seconds=61)
    sender = RecordingSender()
    sender.fail[str(1000 + users[0])] = TransientError("502 Bad Gateway")
    drainer = Drainer(store, [sender], settings, clock, RateLimiter(0, 0))
    assert asyncio.run(drainer.drain()).retried == 1  # 1 failed send < max_attempts 2
    assert (the_row(session_factory).status, attempts(session_factory)) == ("pending", [1])
    del sender.fail[str(1000 + users[0])]
    clock.now = the_row(session_factory).next_attempt_at
    assert asyncio.run(drainer.drain()).sent == 1
    drainer.close()
    assert (the_row(session_factory).status, attempts(session_factory)) == ("sent", [1])


def test_a_sender_that_lost_its_lease_cannot_fail_the_row(
    session_factory: sessionmaker[Session],
) -> None:
    """A send outlives its lease; meanwhile another sender claims the row. The first
    sender's failure (here a 403) must not fail the row the other one now holds, nor
    mark the user blocked on its word."""
    [user] = queued(session_factory, 1)
    clock = Clock(NOW)
    store = OutboxStore(session_factory)
    taken_over: list[Claimed] = []

    class SlowThenRefused(RecordingSender):
        async def send(self, address: str, message: Reply) -> str:
            clock.advance(seconds=61)  # the lease runs out during the send ...
            taken_over.extend(store.claim(clock(), 10, dt.timedelta(seconds=60)))  # ... taken
            raise RecipientBlocked("403 Forbidden: bot was blocked by the user")

    settings = NudgeSettings(per_chat_interval=0, lease_seconds=60)
    drainer = Drainer(store, [SlowThenRefused()], settings, clock, RateLimiter(0, 0))
    stats = asyncio.run(drainer.drain(max_messages=1))
    drainer.close()
    assert (stats.failed, stats.lost_leases) == (0, 1)
    [other] = taken_over
    row = the_row(session_factory)
    assert (row.status, row.claim, row.attempts) == ("sending", other.claim, 0)
    with session_scope(session_factory) as session:
        assert session.get_one(User, user).blocked_at is None
    # The stale claim's other outcomes change nothing either; the owner's do.
    stale = Claimed(row.id, "stale", user, "telegram", row.address, row.kind, 0, row.payload)
    assert store.mark_failed(stale, "400 Bad Request", clock()) == 0
    store.reschedule(stale, clock(), "502 Bad Gateway")
    assert the_row(session_factory).status == "sending"
    assert store.mark_failed(other, "400 Bad Request", clock()) == 1
    assert (the_row(session_factory).status, attempts(session_factory)) == ("failed", [1])
