"""The long-polling loop: getUpdates, drop duplicates, hand each update to the caller.

Updates are handled one after the other, in the order Zalo hands them out (so one
user's messages keep their order), but fetching does not wait for handling: Zalo hands
out ONE update per getUpdates, so the next call goes out while the current update is
being handled (up to `prefetch` updates wait in a queue), instead of every update
paying a full round trip on top of its handling. A failed getUpdates (network, 5xx,
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
from typing import Any

from bot.channels.zalo.client import POLL_TIMEOUT, ZaloApiError, ZaloClient, ZaloUnauthorized
from bot.channels.zalo.updates import Deduper, message_id

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
) -> None:
    """Fetch and handle updates until `stop_event` is set."""
    backoff = backoff or Backoff()
    queue: asyncio.Queue[Update | None] = asyncio.Queue(maxsize=prefetch)
    handler = asyncio.create_task(handle_in_order(queue, handle))
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


async def handle_in_order(queue: asyncio.Queue[Update | None], handle: Handler) -> None:
    """Hand queued updates to `handle` one at a time, until a None is queued."""
    while (update := await queue.get()) is not None:
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
