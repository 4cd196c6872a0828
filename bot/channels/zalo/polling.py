"""The long-polling loop: getUpdates, drop duplicates, hand each update to the caller.

Updates of different users are handled at the same time (up to `concurrency`), each
user's and each chat's in the order Zalo hands them out (`KeyedOrder`), so one user's
slow update holds up nobody else. Fetching does not wait for handling: Zalo hands out
ONE update per getUpdates, so the next call goes out while updates are being handled
(up to `prefetch` wait in a queue, and as many more wait for their turn), instead of
every update paying a full round trip on top of its handling. A failed getUpdates (network, 5xx,
429, a wrong token) is logged and tried again after a growing pause (1, 2, 4 ... 60 s,
back to the start after a success); an error in the handler is logged and the loop
goes on with the next update.

Setting `stop_event` ends fetching at once, even in the middle of a long poll: the call
is abandoned, and an update Zalo handed out in that very instant is lost (getUpdates
has no offset to fetch it again), a window of milliseconds at shutdown. Updates
already fetched are handled before `poll` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from bot.channels.ordering import KeyedOrder
from bot.channels.zalo.client import POLL_TIMEOUT, ZaloApiError, ZaloClient, ZaloUnauthorized
from bot.channels.zalo.updates import Deduper, message_id, order_keys
from bot.config import DEFAULT_CONCURRENCY

log = logging.getLogger(__name__)

Update = dict[str, Any]
Handler = Callable[[Update], Awaitable[None]]


@dataclass
class Backoff:
    """Pauses after failures: `start`, doubled each time up to `cap`; `reset` on success."""

    start: float = 1.0
    cap: float = 60.0
    current: float = 0.0  # the last pause given; 0 since the last success

    def next(self) -> float:
        self.current = self.start if self.current <= 0 else min(self.current * 2, self.cap)
        return self.current

    def reset(self) -> None:
        self.current = 0.0


async def poll(
    client: ZaloClient,
    handle: Handler,
    stop_event: asyncio.Event,
    deduper: Deduper,
    timeout: int = POLL_TIMEOUT,
    backoff: Backoff | None = None,
    prefetch: int = 100,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> None:
    """Fetch and handle updates until `stop_event` is set."""
    backoff = backoff or Backoff()
    queue: asyncio.Queue[Update | None] = asyncio.Queue(maxsize=prefetch)
    handler = asyncio.create_task(handle_queued(queue, handle, concurrency, prefetch))
    log.info("polling Zalo for updates")
    try:
        while not stop_event.is_set():
            try:
                updates = await _unless_stopped(client.get_updates(timeout), stop_event)
            except Exception as error:  # the loop must outlive any failure
                delay = backoff.next()
                if isinstance(error, ZaloApiError):
                    level = (
                        logging.ERROR if isinstance(error, ZaloUnauthorized) else logging.WARNING
                    )
                    log.log(level, "getUpdates failed (%s); trying again in %.1f s", error, delay)
                else:
                    log.exception("unexpected error in getUpdates; trying again in %.1f s", delay)
                await _pause(delay, stop_event)
                continue
            if updates is None:  # stopped while waiting
                break
            backoff.reset()
            for update in updates:
                if deduper.is_new(update):
                    await queue.put(update)  # waits while `prefetch` updates are queued
                else:
                    log.info("dropped a second delivery of Zalo message %s", message_id(update))
    finally:
        await queue.put(None)  # the handler finishes what was fetched, then ends
        await handler
    log.info("stopped polling Zalo")


async def handle_queued(
    queue: asyncio.Queue[Update | None],
    handle: Handler,
    concurrency: int = DEFAULT_CONCURRENCY,
    pending: int = 100,
) -> None:
    """Hand queued updates to `handle`, up to `concurrency` at once, each user's and
    chat's in order, until a None is queued; then wait for those still being handled.
    At most `pending` updates are taken from the queue and not yet handled."""
    order = KeyedOrder(concurrency)
    handling: set[asyncio.Task[None]] = set()
    while (update := await queue.get()) is not None:
        while len(handling) >= pending:
            await asyncio.wait(handling, return_when=asyncio.FIRST_COMPLETED)
        # Tasks take their first step in the order they are made, and that step
        # registers the update with `order`: arrival order is kept.
        task = asyncio.create_task(order.run(order_keys(update), partial(_handle, handle, update)))
        handling.add(task)
        task.add_done_callback(handling.discard)
    if handling:
        await asyncio.wait(handling)


async def _handle(handle: Handler, update: Update) -> None:
    try:
        await handle(update)
    except Exception:
        log.exception("error while handling Zalo message %s", message_id(update))


async def _unless_stopped(
    fetch: Awaitable[list[Update]], stop_event: asyncio.Event
) -> list[Update] | None:
    """The updates `fetch` gives, or None when `stop_event` is set first (fetch abandoned)."""
    fetching = asyncio.ensure_future(fetch)
    stopping = asyncio.ensure_future(stop_event.wait())
    try:
        await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (fetching, stopping):
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    if fetching.done() and not fetching.cancelled():
        return fetching.result()  # updates that came as we stopped are still handled
    return None


async def _pause(seconds: float, stop_event: asyncio.Event) -> None:
    """Sleep `seconds`, or less when `stop_event` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop_event.wait(), seconds)
