"""Which process runs the scheduler: one per database, elected by a lock that is
released when its holder dies, however it dies.

Any number of `bot run` processes may answer users; one of them ticks and drains the
outbox. Each tries the lock at every tick: the holder leads, the others wait, and
when the holder dies the lock is free for the next one to try.

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection
  of its own, outside the pool requests use (a pooled connection would take the lock
  with it to whichever request got it next). The server releases the lock when that
  session ends: at once when the process dies (the kernel closes its socket), and
  within ~30 s when its host vanishes (TCP keepalives on both sides). The holder
  checks its connection at every tick and steps down when it is gone.
- SQLite: an exclusive `flock` on `<database file>.scheduler.lock`, which the kernel
  releases with the process. (A SQLite deployment has one process; the lock keeps a
  second one, started by mistake, from scheduling too.)
- An in-memory database belongs to one process: it always leads.

`holder()` says who leads, for the operator: PostgreSQL names the lock's session by
host and pid (its `application_name`), the lock file holds them as text.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.storage.db import make_engine, sqlite_lock_file

# The scheduler's advisory lock: a constant of our own, below 2**31 so that pg_locks
# shows it whole in `objid` (advisory locks are per database: others do not share it).
SCHEDULER_LOCK_KEY = 0x06_2019_5C
# How fast a vanished leader's session is dropped: idle 10 s, then 3 probes 5 s apart;
# an unanswered write gives up after 30 s.
KEEPALIVE = {"keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}


def this_process() -> str:
    return f"{socket.gethostname()}, pid {os.getpid()}"


class SchedulerLock(Protocol):
    def hold(self) -> bool:
        """Take the lock, or check it is still ours: True while this process leads.
        Raises when it cannot tell (the database cannot be reached)."""
        ...

    def holder(self) -> str:
        """Who holds the lock, when another process does ("" when unknown)."""
        ...

    def release(self) -> None:
        """Let another process lead (at its next try)."""
        ...


def scheduler_lock(url: str, name: str | None = None) -> SchedulerLock:
    """The scheduler's lock for the database at `url`; `name` says who we are."""
    name = name or this_process()
    parsed = make_url(url)
    if parsed.get_backend_name() in ("postgresql", "postgres"):
        return AdvisoryLock(url, name)
    path = sqlite_lock_file(parsed.database or "", ".scheduler.lock")
    return OnlyProcess() if path is None else FileLock(path, name)


class AdvisoryLock:
    """PostgreSQL: `pg_try_advisory_lock` held by a connection of its own."""

    def __init__(self, url: str, name: str, key: int = SCHEDULER_LOCK_KEY) -> None:
        self.key = key
        # Its own engine without a pool: the connection is closed, not pooled, on release.
        arguments = {
            # Seen by the others in pg_stat_activity (printable ASCII, 63 bytes at most).
            "application_name": f"bot scheduler ({name})"[:63],
            "keepalives": 1,
            **KEEPALIVE,
            "tcp_user_timeout": 30_000,
        }
        self.engine = make_engine(url, poolclass=NullPool, connect_args=arguments)
        self._connection: Connection | None = None

    def hold(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except SQLAlchemyError:  # the session, and the lock with it, is gone
                self.release()
        connection = self._connect()
        try:
            taken = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
            if taken:
                # The server, too, notices a vanished host (it holds the lock for it).
                for name, value in KEEPALIVE.items():
                    connection.execute(text(f"SET tcp_{name} = {int(value)}"))
                self._connection = connection
                return True
        except BaseException:
            connection.close()
            raise
        connection.close()
        return False

    def holder(self) -> str:
        # The lock's row in pg_locks (a bigint key below 2**32: classid 0, objid the key).
        query = text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0"
            " AND l.objid::bigint = :key AND l.objsubid = 1"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        try:
            with self.engine.connect() as connection:
                name = connection.scalar(query, {"key": self.key}) or ""
        except SQLAlchemyError:
            return ""
        return str(name).removeprefix("bot scheduler (").removesuffix(")")

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()  # the session ends: the server releases the lock
            except SQLAlchemyError:
                connection.invalidate()

    def _connect(self) -> Connection:
        # Autocommit: the lock is the session's, and no transaction stays open on it.
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


class FileLock:
    """SQLite: an exclusive flock on a file next to the database."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self._file: IO[str] | None = None

    def hold(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(self.name)
        handle.flush()
        self._file = handle
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            # Closing the (only) descriptor releases the lock. The file stays: removing
            # it would let a process that opened it before lock a file nobody else can
            # find any more.
            handle.close()


class OnlyProcess:
    """An in-memory database: no other process can share it."""

    def hold(self) -> bool:
        return True

    def holder(self) -> str:
        return ""

    def release(self) -> None:
        pass
