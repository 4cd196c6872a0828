"""The scheduler wired into the Telegram Application: ONE repeating JobQueue job.

Add one line to `bot/channels/telegram/app.py`'s `build_application`, before
`return application`::

    from bot.scheduler.jobs import install; install(application, assistant)

Every `tick_seconds` (default 60) the job runs a tick (policy -> outbox, weekly
digests; database work in a worker thread) and then drains the outbox for at most
80% of the interval. Nothing lives in APScheduler's memory that is not in the
database: a restart loses nothing and re-sends nothing that was marked sent.
Run exactly one scheduler process per database (APScheduler is not multi-process
safe); a second one would still not duplicate messages (the unique key, the leases),
but it would compete for the rate limit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.scheduler.delivery import Clock, Drainer, DrainStats, RateLimiter, Sender, utc_clock
from bot.scheduler.outbox import OutboxStore
from bot.scheduler.settings import NudgeSettings
from bot.scheduler.tick import Ticker, TickResult
from bot.storage.db import session_scope

if TYPE_CHECKING:
    from telegram.ext import Application, ContextTypes, Job

    from bot.app import Assistant

log = logging.getLogger(__name__)
JOB_NAME = "nudges"


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
        self.settings = settings or NudgeSettings.from_env()
        self.clock = clock
        self.store = OutboxStore(assistant.sessions)
        self.drainer = Drainer(self.store, senders, self.settings, clock, limiter)
        self._ticker: Ticker | None = None

    @property
    def ticker(self) -> Ticker:
        catalog = self.assistant.core.qa.catalog  # admins' edits rebuild it: follow them
        if self._ticker is None or self._ticker.catalog is not catalog:
            self._ticker = Ticker(catalog, self.assistant.settings.templates_dir, self.settings)
        return self._ticker

    def tick(self, now: dt.datetime | None = None) -> TickResult:
        with session_scope(self.assistant.sessions) as session:
            return self.ticker.tick(session, now or self.clock())

    async def run_once(self, max_seconds: float | None = None) -> tuple[TickResult, DrainStats]:
        result = await asyncio.to_thread(self.tick)
        stats = await self.drainer.drain(max_seconds=max_seconds)
        if result.inserted or stats.claimed:
            log.info(
                "nudges: %d due, %d enqueued, %d digests; sent %d, retried %d, failed %d",
                result.due,
                result.inserted,
                result.digests,
                stats.sent,
                stats.retried + stats.rate_limited,
                stats.failed,
            )
        return result, stats


def install(
    application: Application[Any, Any, Any, Any, Any, Any],
    assistant: Assistant,
    settings: NudgeSettings | None = None,
    first: float = 10.0,
    clock: Clock = utc_clock,
) -> Job[Any]:
    """Register the one repeating job on the application's JobQueue."""
    from bot.scheduler.telegram_sender import TelegramSender

    settings = settings or NudgeSettings.from_env()
    service = NudgeService(assistant, [TelegramSender(application.bot)], settings, clock)
    application.bot_data["nudges"] = service
    interval = settings.tick_seconds

    async def run(context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await service.run_once(max_seconds=interval * 0.8)
        except Exception:  # the next tick tries again; the outbox keeps the state
            log.exception("nudge tick failed")

    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError(
            "the Application has no JobQueue: install python-telegram-bot[job-queue]"
        )
    return job_queue.run_repeating(
        run,
        interval=interval,
        first=first,
        name=JOB_NAME,
        job_kwargs={
            # A run delayed by a busy event loop still runs (APScheduler's default: 1 s).
            "misfire_grace_time": int(interval),
            "coalesce": True,  # several missed runs: one run
            "max_instances": 1,  # a long drain is never run twice at once
        },
    )
