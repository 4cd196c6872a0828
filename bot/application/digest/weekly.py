"""The weekly digest, composed when it goes out (`outbox.COMPOSE`): the tick queues one
row per manager naming this composer, and the sender builds the digest of the
manager's scope at send time, with the change since the scope's last digest and its
completion over the last weeks, and records the scope's snapshot.

What a digest reads (duties, latest reports, the calendar) is loaded once and reused
for `FRESH` seconds: a Monday's 500 digests go out over a few minutes, and loading
every report for each would hold up the nudges behind them in the sender's one
database thread."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from bot.application.calendar import load_calendar
from bot.application.delivery import PermanentError
from bot.application.digest import snapshots
from bot.application.digest.builder import DigestBuilder, snapshot_meta
from bot.application.messages import Reply
from bot.application.outbox import Claimed
from bot.application.scheduler.world import World, duty_plans, latest_reports
from bot.domain.catalog import Catalog
from bot.storage.models import User

NAME = "weekly-digest"  # the composer's name in an outbox row's payload
FRESH = 30.0  # seconds a loaded world serves the digests composed after it


class WeeklyDigests:
    """The composer of weekly digests (`bot.application.outbox.Composer`)."""

    def __init__(self, builders: Callable[[], DigestBuilder]) -> None:
        self.builders = builders  # the builder over the current catalog (admins edit it)
        self._lock = threading.Lock()
        self._world: tuple[float, Catalog, World] | None = None

    def _world_for(self, session: Session, builder: DigestBuilder) -> World:
        with self._lock:
            cached = self._world
            if cached and cached[1] is builder.catalog and time.monotonic() - cached[0] < FRESH:
                return cached[2]
            world = World(
                duty_plans(session, builder.catalog),
                latest_reports(session),
                [],
                {},
                load_calendar(session, builder.settings),
            )
            self._world = (time.monotonic(), builder.catalog, world)
            return world

    def __call__(
        self, session: Session, row: Claimed, now: dt.datetime
    ) -> tuple[Reply, Mapping[str, Any]]:
        builder = self.builders()
        user = session.get(User, row.user_id)
        scope = builder.user_scope(user) if user else None
        if scope is None:
            raise PermanentError("the recipient gets no digest any more")
        world = self._world_for(session, builder)
        built = builder.build(session, now, scope[0], scope[1], row.user_id, world)
        trend = snapshots.trend(session, built)
        weeks = snapshots.weekly(session, built)
        snapshots.record(session, built)
        return builder.reply(built, attached=True, trend=trend, weeks=weeks), snapshot_meta(built)
