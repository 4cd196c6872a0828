"""The scheduler wired into the Telegram Application: ONE repeating JobQueue job.

Every `tick_seconds` (default 60) the job runs a tick (policy -> outbox, weekly
digests; database work in a worker thread) and then drains the outbox for at most
80% of the interval (`bot.application.scheduler.service.NudgeService`). Nothing lives
in APScheduler's memory that is not in the database: a restart loses nothing and
re-sends nothing that was marked sent. Run exactly one scheduler process per database
(APScheduler is not multi-process safe).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, ContextTypes, Job

from bot.application.assistant import Assistant
from bot.application.delivery import Clock, utc_clock
from bot.application.render import Renderer
from bot.application.scheduler.service import NudgeService
from bot.channels.telegram.sender import TelegramSender
from bot.config import NudgeSettings

log = logging.getLogger(__name__)
JOB_NAME = "nudges"


def install(
    application: Application[Any, Any, Any, Any, Any, Any],
    assistant: Assistant,
    settings: NudgeSettings | None = None,
    first: float = 10.0,
    clock: Clock = utc_clock,
) -> Job[Any]:
    """Register the one repeating job on the application's JobQueue."""
    settings = settings or assistant.settings.nudges
    sender = TelegramSender(application.bot, Renderer(assistant.settings.templates_dir, "html"))
    service = NudgeService(assistant, [sender], settings, clock)
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
