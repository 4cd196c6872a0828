"""Tick and drain for one assistant: the scheduler's work, whatever runs it.

A tick derives what is due from the database (policy -> outbox, weekly digests); a
drain sends what the outbox holds through the channels' senders.
`bot run` (`bot.runner`, one APScheduler job) calls `run_once` on a timer; nothing
else is kept in memory between runs. The drain runs even when the tick fails: what is
already in the outbox (nudges, digests, announcements, replies' files) must not wait
for whatever broke the tick to be fixed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.application import evidence
from bot.application.delivery import Clock, Drainer, DrainStats, RateLimiter, Sender, utc_clock
from bot.application.digest import weekly
from bot.application.outbox import OutboxStore
from bot.application.scheduler.tick import Ticker, TickResult
from bot.config import NudgeSettings
from bot.storage.db import session_scope

if TYPE_CHECKING:
    from bot.application.assistant import Assistant

log = logging.getLogger(__name__)


class NudgeService:
    """Tick and drain for one assistant, with injectable senders and clock (tests)."""

    def __init__(
        self,
        assistant: Assistant,
        senders: Iterable[Sender],
        settings: NudgeSettings | None = None,
        clock: Clock = utc_clock,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.assistant = assistant
        self.settings = settings or assistant.settings.nudges
        self.clock = clock
        self.store = OutboxStore(assistant.sessions)
        self._ticker: Ticker | None = None
        composers = {weekly.NAME: weekly.WeeklyDigests(lambda: self.ticker.digests)}
        self.drainer = Drainer(
            self.store, senders, self.settings, clock, limiter, composers=composers
        )

    @property
    def ticker(self) -> Ticker:
        catalog = self.assistant.core.qa.catalog  # admins' edits rebuild it: follow them
        if self._ticker is None or self._ticker.catalog is not catalog:
            self._ticker = Ticker(
                catalog,
                self.assistant.settings.templates_dir,
                self.settings,
                self.assistant.core.services.push_channels,
                evidence.download_base(self.assistant.core.services.web_url),
            )
        return self._ticker

    def tick(self, now: dt.datetime | None = None) -> TickResult:
        with session_scope(self.assistant.sessions) as session:
            return self.ticker.tick(session, now or self.clock())

    async def run_once(self, max_seconds: float | None = None) -> tuple[TickResult, DrainStats]:
        """Tick, then drain (also when the tick failed: `TickResult.error` says so)."""
        try:
            result = await asyncio.to_thread(self.tick)
        except Exception as error:  # the next tick tries again; the drain goes on now
            log.exception("nudge tick failed; draining the outbox all the same")
            result = TickResult(error=f"{type(error).__name__}: {error}")
        stats = await self.drainer.drain(max_seconds=max_seconds)
        if result.inserted or result.problems or stats.claimed:
            log.info(
                "nudges: %d due, %d enqueued, %d digests, %d duties skipped; "
                "sent %d, retried %d, failed %d",
                result.due,
                result.inserted,
                result.digests,
                len(result.policy.skipped),
                stats.sent,
                stats.retried + stats.rate_limited,
                stats.failed,
            )
        return result, stats
