"""Updates of different users at the same time, each user's and each chat's in order.

One user's slow update (an admin's 5,000-row import, a quarterly report being drawn)
must not hold up another user's question, but a user's own messages must be handled
in the order they were sent (a dialog's steps), and so must a group chat's. A channel
hands each update to `KeyedOrder.run` with the keys it must be ordered by (its user
and its chat): it starts once every earlier update sharing a key has finished, and at
most `limit` updates run at once. Updates wait on the ones before them, never after,
so nothing can deadlock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")


class KeyedOrder:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._running = asyncio.Semaphore(limit)
        # The latest update of each key: done when it and everything before it is.
        self._last: dict[Hashable, asyncio.Future[None]] = {}

    def __len__(self) -> int:
        """Keys with an update pending or running."""
        return len(self._last)

    async def run(self, keys: Sequence[Hashable], work: Callable[[], Awaitable[T]]) -> T:
        """`work()` after the earlier updates of `keys`; its order is this call's order
        (the call is registered before its first await)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        before = {id(f): f for key in keys if (f := self._last.get(key)) is not None}
        for key in keys:
            self._last[key] = done
        try:
            for earlier in before.values():
                await asyncio.shield(earlier)  # our cancellation must not cancel theirs
            async with self._running:
                return await work()
        finally:
            # Later updates wait on `done`, so it also stands for the earlier ones: if
            # this one was cancelled while waiting, it is done only when they are.
            pending = [f for f in before.values() if not f.done()]
            if pending:
                gathered = asyncio.gather(*pending)
                gathered.add_done_callback(lambda _: self._finish(done, keys))
            else:
                self._finish(done, keys)

    def _finish(self, done: asyncio.Future[None], keys: Sequence[Hashable]) -> None:
        done.set_result(None)
        for key in keys:
            if self._last.get(key) is done:  # no later update of that key
                del self._last[key]
