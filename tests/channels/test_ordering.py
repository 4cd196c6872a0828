"""KeyedOrder: updates of different keys at once, each key's in arrival order."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence

import pytest

from bot.channels.ordering import KeyedOrder


class Work:
    """Updates whose handling waits until the test releases them; what ran, in order."""

    def __init__(self, order: KeyedOrder) -> None:
        self.order = order
        self.started: list[str] = []
        self.finished: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.tasks: dict[str, asyncio.Task[str]] = {}

    def arrive(self, name: str, keys: Sequence[Hashable]) -> None:
        gate = self.gates[name] = asyncio.Event()

        async def handle() -> str:
            self.started.append(name)
            await gate.wait()
            self.finished.append(name)
            return name

        self.tasks[name] = asyncio.create_task(self.order.run(keys, handle))

    async def settle(self) -> None:
        for _ in range(5):  # every task that can take a step takes it
            await asyncio.sleep(0)

    async def release(self, name: str) -> None:
        self.gates[name].set()
        assert await self.tasks[name] == name
        await self.settle()


async def test_different_users_run_at_once_and_one_users_in_order() -> None:
    work = Work(KeyedOrder(limit=8))
    work.arrive("a1", ["user a"])
    work.arrive("b1", ["user b"])
    work.arrive("a2", ["user a"])
    await work.settle()
    assert work.started == ["a1", "b1"]  # a2 waits for a1; b1 does not
    await work.release("b1")
    assert work.started == ["a1", "b1"]
    await work.release("a1")
    assert work.started == ["a1", "b1", "a2"]
    await work.release("a2")
    assert len(work.order) == 0  # nothing left behind


async def test_a_chat_shared_by_two_users_keeps_its_order() -> None:
    work = Work(KeyedOrder(limit=8))
    work.arrive("a in the group", ["user a", "group"])
    work.arrive("b in the group", ["user b", "group"])
    work.arrive("b in private", ["user b", "chat b"])
    await work.settle()
    assert work.started == ["a in the group"]  # b's private message waits behind b's group one
    await work.release("a in the group")
    assert work.started == ["a in the group", "b in the group"]
    await work.release("b in the group")
    await work.release("b in private")
    assert work.finished == ["a in the group", "b in the group", "b in private"]


async def test_at_most_limit_run_at_once() -> None:
    work = Work(KeyedOrder(limit=2))
    for name in ("a", "b", "c"):
        work.arrive(name, [name])
    await work.settle()
    assert work.started == ["a", "b"]
    await work.release("b")
    assert work.started == ["a", "b", "c"]
    await work.release("a")
    await work.release("c")


async def test_a_cancelled_update_does_not_let_the_next_one_overtake() -> None:
    work = Work(KeyedOrder(limit=8))
    work.arrive("a1", ["user a"])
    work.arrive("a2", ["user a"])
    work.arrive("a3", ["user a"])
    await work.settle()
    work.tasks["a2"].cancel()  # waiting for a1
    await work.settle()
    assert work.tasks["a2"].cancelled()
    assert work.started == ["a1"]  # a3 still waits for a1
    await work.release("a1")
    assert work.started == ["a1", "a3"]
    await work.release("a3")
    assert len(work.order) == 0


async def test_an_error_is_the_callers_and_the_order_goes_on() -> None:
    order = KeyedOrder(limit=1)

    async def fail() -> None:
        raise RuntimeError("the core broke")

    async def succeed() -> str:
        return "ok"

    failing = asyncio.create_task(order.run(["user a"], fail))
    following = asyncio.create_task(order.run(["user a"], succeed))
    with pytest.raises(RuntimeError, match="the core broke"):
        await failing
    assert await following == "ok"


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        KeyedOrder(limit=0)
