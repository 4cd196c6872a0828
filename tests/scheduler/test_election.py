"""One scheduler per database, whatever the number of `bot run` processes: the one
holding the scheduler's lock ticks and drains, the others only try the lock, and one
of them takes over when the holder's connection (PostgreSQL) or file (SQLite) goes,
as when its process dies. Each scheduler here has its own lock (its own connection or
open file), as two processes would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.app import Assistant
from bot.application.delivery import DrainStats
from bot.application.scheduler.service import NudgeService
from bot.application.scheduler.tick import TickResult
from bot.runner import STANDBY, Scheduler
from bot.storage.db import make_engine
from bot.storage.leadership import AdvisoryLock, FileLock, SchedulerLock, scheduler_lock


class CountingService(NudgeService):
    """The real service, counting its turns."""

    runs = 0

    async def run_once(self, max_seconds: float | None = None) -> tuple[TickResult, DrainStats]:
        self.runs += 1
        return await super().run_once(max_seconds)


class Process:
    """A scheduler as one `bot run` process has it, and what it told the operator."""

    def __init__(self, assistant: Assistant, name: str) -> None:
        self.said: list[str] = []
        self.lock = scheduler_lock(assistant.settings.database_url, name)
        self.service = CountingService(assistant, [])
        self.scheduler = Scheduler(self.service, 60, 60, self.lock, self.said.append)

    async def turn(self) -> None:
        await self.scheduler.run_job()


@pytest.fixture
def processes(assistant: Assistant) -> Iterator[tuple[Process, Process]]:
    pair = (Process(assistant, "host-a, pid 1"), Process(assistant, "host-b, pid 2"))
    yield pair
    for process in pair:
        process.lock.release()
        process.service.drainer.close()


def dies(lock: SchedulerLock, url: str) -> None:
    """What the death of the lock holder's process does to the lock: PostgreSQL ends its
    session (the server sees the socket close), the kernel closes its file."""
    if isinstance(lock, AdvisoryLock):
        engine = make_engine(url)
        with engine.connect() as connection:
            ended = connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = 'bot scheduler (host-a, pid 1)'"
                )
            )
        engine.dispose()
        assert ended == 1
    else:
        assert isinstance(lock, FileLock) and lock._file is not None
        lock._file.close()


async def test_one_scheduler_ticks_and_another_takes_over_when_it_dies(
    assistant: Assistant, processes: tuple[Process, Process]
) -> None:
    a, b = processes
    for _ in range(3):
        await a.turn()
        await b.turn()
    assert (a.service.runs, b.service.runs) == (3, 0)
    assert a.said == [a.said[0]] and "chạy ở tiến trình này" in a.said[0]
    assert b.said == [STANDBY.format(holder="host-a, pid 1")]  # said once, naming the leader
    dies(a.lock, assistant.settings.database_url)
    await b.turn()  # the next tick: B leads
    assert (a.service.runs, b.service.runs) == (3, 1)
    assert b.said[-1].startswith("Tiến trình này (") and "nhận chạy bộ nhắc việc" in b.said[-1]
    await b.turn()
    assert b.service.runs == 2 and len(b.said) == 2


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_leader_that_lost_its_session_steps_down(
    assistant: Assistant, processes: tuple[Process, Process]
) -> None:
    """PostgreSQL ended the leader's session (a restart, a network cut) while its
    process lives on: at its next tick it sees so, stands by and says so; the other
    process leads; the first takes over again when that one stops."""
    a, b = processes
    await a.turn()
    await b.turn()
    dies(a.lock, assistant.settings.database_url)
    await b.turn()
    await a.turn()
    assert (a.service.runs, b.service.runs) == (1, 1)
    assert "không còn giữ quyền chạy bộ nhắc việc" in a.said[-1]
    b.scheduler.start()  # (its first turn would come in a minute)
    await b.scheduler.stop()  # a clean stop lets go of the lock at once
    await a.turn()
    assert a.service.runs == 2 and "nhận chạy bộ nhắc việc" in a.said[-1]


def test_the_lock_says_who_holds_it(assistant: Assistant) -> None:
    url = assistant.settings.database_url
    first, second = scheduler_lock(url, "host-a, pid 1"), scheduler_lock(url, "host-b, pid 2")
    try:
        assert first.hold() and first.hold()  # kept, not taken twice
        assert not second.hold() and second.holder() == "host-a, pid 1"
        first.release()
        assert second.hold() and not first.hold() and first.holder() == "host-b, pid 2"
    finally:
        first.release()
        second.release()


def test_an_in_memory_database_always_leads() -> None:
    lock = scheduler_lock("sqlite://")
    assert lock.hold() and lock.holder() == ""
