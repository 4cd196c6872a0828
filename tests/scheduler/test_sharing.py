"""Several senders on one database, as several `bot run` processes are: each on its
own engine (its own connections). Claims do not overlap (PostgreSQL: SKIP LOCKED, so
a sender in the middle of a claim holds up no other), and the bot's pace is one
schedule in the database that every sender takes its slots from."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.application.delivery import Drainer, DrainStats
from bot.application.outbox import OutboxStore, SendSlots
from bot.config import NudgeSettings
from bot.storage.db import make_engine, make_session_factory, session_scope
from bot.storage.models import SendBudget
from tests.scheduler.test_outbox import NOW, RecordingSender, queued, statuses

LEASE = dt.timedelta(minutes=5)


@pytest.fixture
def other_sessions(engine: Engine, db_url: str) -> Iterator[sessionmaker[Session]]:
    """A second engine on the same database: another process's connections."""
    other = make_engine(db_url)
    try:
        yield make_session_factory(other)
    finally:
        other.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_claim_in_progress_holds_up_no_other_claim(
    engine: Engine,
    session_factory: sessionmaker[Session],
    other_sessions: sessionmaker[Session],
) -> None:
    """Sender A has picked its rows (FOR UPDATE) but not yet marked them when sender B
    claims: B skips A's rows and takes the next ones at once, instead of waiting for A
    (FOR UPDATE alone) or being handed the same rows (no lock at all)."""
    queued(session_factory, 10)
    picked, go_on = threading.Event(), threading.Event()

    def pause_after_picking(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FOR UPDATE" in statement and not picked.is_set():
            picked.set()
            assert go_on.wait(30), "sender B never finished"

    event.listen(engine, "after_cursor_execute", pause_after_picking)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(OutboxStore(session_factory).claim, NOW, 4, LEASE)
        assert picked.wait(30)
        second = OutboxStore(other_sessions).claim(NOW, 4, LEASE)  # while A holds its rows
        go_on.set()
        first_rows = first.result(30)
    a, b = {r.id for r in first_rows}, {r.id for r in second}
    assert len(a) == 4 and len(b) == 4 and not a & b
    assert statuses(session_factory) == {"sending": 8, "pending": 2}


def test_claims_from_two_senders_at_once_never_overlap(
    session_factory: sessionmaker[Session], other_sessions: sessionmaker[Session]
) -> None:
    queued(session_factory, 60)
    stores = [OutboxStore(session_factory), OutboxStore(other_sessions)]

    def claim_all(store: OutboxStore) -> list[int]:
        ids: list[int] = []
        while rows := store.claim(NOW, 3, LEASE):
            ids += [r.id for r in rows]
        return ids

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(claim_all, stores)
    assert not set(a) & set(b) and len(a) + len(b) == 60
    assert statuses(session_factory) == {"sending": 60}


def next_slot(sessions: sessionmaker[Session], channel: str = "telegram") -> float:
    with session_scope(sessions) as session:
        return float(
            session.scalars(select(SendBudget.next_slot).where(SendBudget.channel == channel)).one()
        )


def test_the_bots_pace_is_one_schedule_for_every_sender(
    session_factory: sessionmaker[Session], other_sessions: sessionmaker[Session]
) -> None:
    """Two senders taking slots in turn, 10 s apart: each slot comes after the one the
    other sender took, as one sender's would; no slot is given past a deadline; a 429
    (hold) makes every sender wait; another bot (channel) has its own schedule."""
    a, b = SendSlots(session_factory), SendSlots(other_sessions)
    waits = [slots.reserve("telegram", 10.0) for slots in (a, b, a, b)]
    assert all(w is not None for w in waits)
    # Taken within moments of each other: 0, 10, 20, 30 s from now (less the moments).
    for n, wait in enumerate(waits):
        assert wait is not None and 10 * n - 2 < wait <= 10 * n
    assert b.reserve("telegram", 10.0, within=35.0) is None  # the next comes at 40 s
    assert a.reserve("zalo", 10.0) == 0.0  # Zalo's bot has its own pace
    a.hold("telegram", 100.0)  # a 429: retry after 100 s
    wait = b.reserve("telegram", 10.0)
    assert wait is not None and 98 < wait <= 100


async def test_two_drainers_take_their_slots_from_one_schedule(
    session_factory: sessionmaker[Session], other_sessions: sessionmaker[Session]
) -> None:
    """Two drainers (no limiter of their own: the production path) send 4 messages
    between them at 5/s: the bot's schedule moved on by exactly 4 slots from where it
    stood, the drainers' sends interleaved in it (each in memory would move nothing)."""
    queued(session_factory, 4)
    settings = NudgeSettings(send_rate=5, per_chat_interval=0)
    SendSlots(session_factory).hold("telegram", 1.0)  # the schedule runs ahead of now
    start = next_slot(session_factory)
    senders = [RecordingSender(), RecordingSender()]
    clock = lambda: NOW  # noqa: E731
    drainers = [
        Drainer(OutboxStore(sessions), [sender], settings, clock)
        for sessions, sender in zip((session_factory, other_sessions), senders, strict=True)
    ]
    try:

        async def second() -> DrainStats:
            # Once the first has claimed (SQLite has no SKIP LOCKED: two claims at the
            # same moment pick the same rows and one of them gets none).
            while statuses(session_factory).get("sending", 0) < 2:
                await asyncio.sleep(0.01)
            return await drainers[1].drain(max_messages=2)

        # Two messages each (a drainer alone would claim all four).
        stats = await asyncio.gather(drainers[0].drain(max_messages=2), second())
    finally:
        for drainer in drainers:
            drainer.close()
    assert [s.sent for s in stats] == [2, 2], stats
    assert next_slot(session_factory) == pytest.approx(start + 4 * 0.2, abs=1e-4)
    delivered = [a for sender in senders for a, _ in sender.delivered]
    assert sorted(delivered) == sorted(set(delivered)) and len(delivered) == 4
    assert statuses(session_factory) == {"sent": 4}
