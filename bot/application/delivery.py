"""Draining the outbox through a channel-agnostic `Sender`, within the rate limits.

A `Sender` delivers one outbox payload to one chat and reports failures as one of the
`DeliveryError`s below; the drain decides what happens to the row:

* `RetryLater(seconds)` (Telegram 429): the row waits that long, every send pauses
  that long (the limit is per bot), and the attempt is not counted;
* `TransientError` (5xx, time-outs, network): exponential backoff
  (`backoff_base` * 2^(failures-1), at most `backoff_cap`), failed after `max_attempts`
  failed sends (a claim is not an attempt: a row claimed again after its sender died
  has lost nothing);
* `RecipientBlocked` (403): the user is marked blocked, the row (and the user's other
  pending rows) fail at once, no retry;
* `PermanentError` (400 and the like): the row fails, no retry.

`RateLimiter`, one per channel (each platform limits its own bot), keeps to one
message/s per chat (Telegram's limit; PTB's AIORateLimiter only spaces group chats, so
the per-chat rule is ours) and to ~30 messages/s overall. The overall pace is the
bot's schedule in the database (`SendSlots`), shared by every process that sends, so
two drainers together still keep it; a limiter given to the `Drainer` (tests) keeps
it in memory instead.

What a crash can send twice is bounded: at most `sends_in_flight` messages are being
sent at once (the platform may have taken them without the drain learning it), and
the rows a drain holds (claimed, not yet sent) are few, since a dead drain's rows wait
for their lease to end.
Database work runs on one worker thread, so SQLite never sees two writers of ours.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from bot.application.messages import Reply
from bot.application.outbox import (
    COMPOSE,
    Claimed,
    Composer,
    OutboxStore,
    SendSlots,
    stored_message,
)
from bot.config import NudgeSettings

log = logging.getLogger(__name__)
T = TypeVar("T")


class DeliveryError(Exception):
    """A send that did not go through."""


class RetryLater(DeliveryError):
    def __init__(self, seconds: float, message: str = "") -> None:
        super().__init__(message or f"retry after {seconds} s")
        self.seconds = seconds


class TransientError(DeliveryError):
    """Worth trying again later (server error, time-out, network)."""


class RecipientBlocked(DeliveryError):
    """The user blocked the bot (or deleted the account): never try them again."""


class PermanentError(DeliveryError):
    """The message itself is refused (bad request): trying again would not help."""


class Sender(Protocol):
    """Delivers messages on one channel ("telegram", ...), rendered its own way."""

    channel: str

    async def send(self, address: str, message: Reply) -> str:
        """Send; return the channel's message id. Raise a DeliveryError on failure."""
        ...


Clock = Callable[[], dt.datetime]


def utc_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# Reserve a slot in the bot's shared schedule, if one comes within the seconds given
# (None: any): the seconds to wait for it, or None when there is none that soon.
SharedSlot = Callable[[float | None], Awaitable[float | None]]


class RateLimiter:
    """At most `rate` sends a second overall, and one per `per_chat` seconds per chat.

    Slots are reserved in virtual time (no drift from sleep overshoot); a chat's slot
    is waited for before an overall slot is taken, so a busy chat wastes no overall
    capacity. `pause(seconds)` holds every send (Telegram's 429 is per bot). With
    `shared`, the overall slot comes from the bot's schedule shared by every process
    (and `rate` should be 0, or both paces apply).

    `in_flight` (0: no bound) bounds the sends under way: `acquire` takes one of them
    once the chat's slot has come and before the overall one is taken, and `release`
    gives it back when the send's outcome is recorded.
    """

    def __init__(
        self,
        rate: float = 30.0,
        per_chat: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        shared: SharedSlot | None = None,
        in_flight: int = 0,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.per_chat = per_chat
        self.monotonic = monotonic
        self.sleep = sleep
        self.shared = shared
        self._sending = asyncio.Semaphore(in_flight) if in_flight > 0 else None
        self._next = 0.0
        self._chat_next: dict[str, float] = {}

    async def acquire(self, chat: str, deadline: float | None = None) -> bool:
        """Wait for a slot to send to `chat`; False, without taking one, when the slot
        would come after `deadline` (monotonic): a drain must not hold a slot it cannot
        use, or every drain would wait for one further away and none would send.
        True: the caller sends, then calls `release`."""
        now = self.monotonic()
        before = self._chat_next.get(chat, 0.0)
        chat_at = max(now, before)
        if deadline is not None and max(chat_at, self._next) > deadline:
            return False
        self._chat_next[chat] = chat_at + self.per_chat
        if chat_at > now:
            await self.sleep(chat_at - now)
        if self._sending is not None:
            await self._sending.acquire()
        now = self.monotonic()
        if self.shared is not None:
            try:
                wait = await self.shared(None if deadline is None else deadline - now)
                if wait is not None and wait > 0:
                    await self.sleep(wait)
                    now = self.monotonic()
            except BaseException:  # cancelled: the send will not happen
                self.release()
                raise
            if wait is None:  # no overall slot in time: the chat's slot goes back too
                self._chat_next[chat] = before
                self.release()
                return False
        start = max(now, self._next)
        self._next = start + self.interval
        if start > now:
            await self.sleep(start - now)
        if len(self._chat_next) > 50_000:  # forget chats whose slot has passed
            cutoff = self.monotonic()
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > cutoff}
        return True

    def release(self) -> None:
        """A send `acquire` allowed is over (sent, failed or given back)."""
        if self._sending is not None:
            self._sending.release()

    def pause(self, seconds: float) -> None:
        self._next = max(self._next, self.monotonic() + seconds)


@dataclass
class DrainStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    failed: int = 0
    blocked: int = 0
    released: int = 0
    lost_leases: int = 0  # sent or failed, but the row had been claimed again meanwhile
    errors: list[str] = field(default_factory=list)

    def add(self, other: DrainStats) -> None:
        for name in ("claimed", "sent", "retried", "rate_limited", "failed", "blocked"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.released += other.released
        self.lost_leases += other.lost_leases
        self.errors += other.errors[-20:]


class Drainer:
    """Sends what the outbox holds, through one sender per channel."""

    def __init__(
        self,
        store: OutboxStore,
        senders: Iterable[Sender],
        settings: NudgeSettings,
        clock: Clock = utc_clock,
        limiter: RateLimiter | None = None,
        concurrency: int | None = None,
        composers: Mapping[str, Composer] | None = None,
    ) -> None:
        self.store = store
        self.composers = dict(composers or {})  # by name: rows composed when sent
        self.senders = {s.channel: s for s in senders}
        self.settings = settings
        self.clock = clock
        # The bot's overall pace, shared with every other process that sends for it.
        self.slots = SendSlots(store.sessions) if limiter is None else None
        # One limiter per channel: each platform limits its own bot (a Zalo 429 must not
        # hold Telegram's sends); a limiter given here (tests) is shared by every channel
        # and keeps the overall pace in memory.
        self.limiters = {
            channel: limiter
            or RateLimiter(
                0,
                settings.per_chat_interval,
                shared=self._slot(channel),
                in_flight=settings.sends_in_flight,
            )
            for channel in self.senders
        }
        self._monotonic = limiter.monotonic if limiter is not None else time.monotonic
        # Workers, each holding one row: it waits for its chat's slot, then to be one of
        # the sends under way, then for the bot's slot, and sends. Twice the sends under
        # way: some wait for their chat's slot, and few rows are held.
        self.concurrency = concurrency or 2 * settings.sends_in_flight
        # One thread for all database work: ordered, and one writer for SQLite.
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-db")
        self._interrupted = False

    def _slot(self, channel: str) -> SharedSlot:
        interval = 1.0 / self.settings.send_rate if self.settings.send_rate > 0 else 0.0

        async def reserve(within: float | None) -> float | None:
            assert self.slots is not None
            return await self._db_call(self.slots.reserve, channel, interval, within)

        return reserve

    def interrupt(self) -> None:
        """End a drain in progress soon (shutdown): rows not yet sent are given back
        untried, so the next start sends them at once instead of after their lease."""
        self._interrupted = True

    async def _db_call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    def close(self) -> None:
        self._db.shutdown(wait=True)

    def backoff(self, attempts: int) -> float:
        return float(
            min(self.settings.backoff_base * 2 ** max(attempts - 1, 0), self.settings.backoff_cap)
        )

    async def drain(
        self, max_seconds: float | None = None, max_messages: int | None = None
    ) -> DrainStats:
        """Claim and send until the outbox has nothing ready (or time/count is up).

        Claims the next batch while the current one is still being sent, so the rate
        limiter is never starved between batches.
        """
        stats = DrainStats()
        started = time.monotonic()
        lease = dt.timedelta(seconds=self.settings.lease_seconds)
        queue: asyncio.Queue[Claimed | None] = asyncio.Queue()
        batch = self.settings.batch_size

        # The limiters' clock (tests give theirs).
        deadline = None if max_seconds is None else self._monotonic() + max_seconds

        # Set when a row had to be given back (no rate-limit slot before the deadline, or
        # `interrupt`): claiming more would only give them back too.
        no_more = asyncio.Event()

        def out_of_time() -> bool:
            if self._interrupted:
                return True
            return max_seconds is not None and time.monotonic() - started >= max_seconds

        async def produce() -> None:
            try:
                while not out_of_time() and not no_more.is_set():
                    if max_messages is not None and stats.claimed >= max_messages:
                        break
                    limit = (
                        batch if max_messages is None else min(batch, max_messages - stats.claimed)
                    )
                    rows = await self._db_call(
                        self.store.claim, self.clock(), limit, lease, list(self.senders)
                    )
                    if not rows:
                        break
                    stats.claimed += len(rows)
                    for row in rows:
                        queue.put_nowait(row)
                    while queue.qsize() > batch // 2 and not out_of_time():
                        await asyncio.sleep(0.05)
            finally:
                for _ in range(self.concurrency):
                    queue.put_nowait(None)

        async def work() -> None:
            while True:
                row = await queue.get()
                if row is None:
                    return
                chat = f"{row.channel}:{row.address}"
                limiter = self.limiters[row.channel]
                if out_of_time() or not await limiter.acquire(chat, deadline):
                    # Give it back untried: the next drain sends it.
                    no_more.set()
                    await self._db_call(self.store.release, [row], self.clock())
                    stats.released += 1
                    continue
                try:
                    await self._deliver(row, stats)
                finally:
                    limiter.release()

        await asyncio.gather(produce(), *(work() for _ in range(self.concurrency)))
        return stats

    async def _deliver(self, row: Claimed, stats: DrainStats) -> None:
        sender = self.senders[row.channel]
        try:
            if COMPOSE in row.payload:
                composer = self.composers.get(str(row.payload[COMPOSE]))
                if composer is None:
                    raise PermanentError(f"no composer {row.payload[COMPOSE]!r}")
                composed = await self._db_call(self.store.compose, row, composer, self.clock())
                if composed is None:  # the lease ran out: another sender has it
                    stats.lost_leases += 1
                    return
                row = composed
            try:
                stored = stored_message(row.payload)
            except (KeyError, TypeError, ValueError) as error:  # a row no sender can read
                raise PermanentError(f"unreadable message: {error!r}") from error
            ref = await sender.send(row.address, stored)
        except RetryLater as error:
            self.limiters[row.channel].pause(error.seconds)
            if self.slots is not None:  # the limit is the bot's: every process waits
                await self._db_call(self.slots.hold, row.channel, error.seconds)
            stats.rate_limited += 1
            at = self.clock() + dt.timedelta(seconds=error.seconds)
            await self._db_call(self.store.reschedule, row, at, str(error), False)
        except RecipientBlocked as error:
            stats.blocked += 1
            await self._fail(row, str(error), stats, blocked=True)
        except PermanentError as error:
            await self._fail(row, str(error), stats)
        except Exception as error:  # TransientError and anything unexpected: back off
            message = f"{type(error).__name__}: {error}"
            if not isinstance(error, TransientError):
                log.exception("unexpected error sending outbox row %s", row.id)
            failures = row.attempts + 1  # the row's failed sends, this one included
            if failures >= self.settings.max_attempts:
                await self._fail(row, message, stats)
            else:
                stats.retried += 1
                at = self.clock() + dt.timedelta(seconds=self.backoff(failures))
                await self._db_call(self.store.reschedule, row, at, message)
        else:
            owned = await self._db_call(self.store.mark_sent, row, self.clock(), ref, stored)
            stats.sent += 1
            if not owned:
                stats.lost_leases += 1
                log.warning("outbox row %s was sent after its lease had run out", row.id)

    async def _fail(
        self, row: Claimed, error: str, stats: DrainStats, blocked: bool = False
    ) -> None:
        failed = await self._db_call(self.store.mark_failed, row, error, self.clock(), blocked)
        if not failed:  # the lease ran out and another sender holds the row: it decides
            stats.lost_leases += 1
            log.warning("outbox row %s failed after its lease had run out: left alone", row.id)
            return
        stats.failed += failed
        stats.errors.append(f"{row.id}: {error}")
