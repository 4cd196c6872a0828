"""What the fake API servers share: the calls they answered, and waiting for one.

Every change (a call recorded, an update queued, shutdown) is announced with
`_notify`; `wait_for` re-checks its condition on each one instead of polling.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class Call(Protocol):
    @property
    def method(self) -> str: ...

    @property
    def ok(self) -> bool: ...


CallT = TypeVar("CallT", bound=Call)


class CallLog(Generic[CallT]):
    def __init__(self) -> None:
        self.calls: list[CallT] = []
        self._waiters: set[asyncio.Future[None]] = set()

    def calls_of(self, method: str, ok_only: bool = False) -> list[CallT]:
        return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[CallT], bool] | None = None,
    ) -> list[CallT]:
        """Wait until ``count`` calls of ``method`` (failed ones too) match ``predicate``."""

        def matching() -> list[CallT]:
            return [c for c in self.calls_of(method) if predicate is None or predicate(c)]

        if not await self._wait_until(lambda: len(matching()) >= count, timeout):
            seen = [c.method for c in self.calls if c.method != "getUpdates"]
            raise AssertionError(
                f"waited {timeout}s for {count} x {method}, got {len(matching())}; "
                f"calls so far: {seen}"
            ) from None
        return matching()

    def _notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def _wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``condition()`` holds (re-checked on every change); False on timeout."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                self._waiters.discard(waiter)
        return True
