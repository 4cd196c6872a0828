"""The portal's digests, built once and reused while nothing they rest on changed.

A page of the portal shows the digest of a scope (`DigestBuilder.build`), which reads
every duty, every agency's latest reports and the calendar: the dashboard's main cost
(~100 ms for 500 agencies and 10,000 reports). Managers reload and filter the same
scope often; the digest they see only changes when a report is added, a deadline,
a duty or the calendar is changed, or the catalog (agencies, duties) is swapped, or
the day turns (statuses are judged by the day). So a built digest is kept per scope
with a stamp of those (`change_stamp`: one cheap query of counts and maxima) and
used again while the stamp, the catalog and the day are the same, for at most `TTL`
(what an unaudited change from outside might leave stale). The digest's own code is
unchanged: this wraps `build` from outside.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.application.digest.builder import DigestBuilder
from bot.application.digest.model import Digest
from bot.application.scheduler.world import World
from bot.config import NudgeSettings
from bot.domain.calendar import TIMEZONE
from bot.domain.catalog import Catalog
from bot.storage.models import AuditLog, CalendarDay, Duty, ProgressReport

TTL = dt.timedelta(seconds=60)
KEPT = 16  # scopes kept (the province's digest of 500 agencies is a few MB)


def change_stamp(session: Session) -> tuple[Hashable, ...]:
    """What a digest rests on, in one query: reports are only ever added (append-only:
    their last id and count), admins' changes are audited (the audit log's last id),
    and deadlines and the calendar are summed up directly (changed from the command
    line too)."""
    one = select  # each value a scalar subquery of the one SELECT
    row = session.execute(
        select(
            one(func.max(ProgressReport.id)).scalar_subquery(),
            one(func.count(ProgressReport.id)).scalar_subquery(),
            one(func.max(AuditLog.id)).scalar_subquery(),
            one(func.count(Duty.effective_due)).scalar_subquery(),
            one(func.min(Duty.effective_due)).scalar_subquery(),
            one(func.max(Duty.effective_due)).scalar_subquery(),
            one(func.count(CalendarDay.day)).scalar_subquery(),
            one(func.sum(case((CalendarDay.kind == "workday", 1), else_=0))).scalar_subquery(),
            one(func.min(CalendarDay.day)).scalar_subquery(),
            one(func.max(CalendarDay.day)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


class CachedDigests(DigestBuilder):
    """A `DigestBuilder` whose anonymous builds (no snapshot to compare with, no world
    given: the portal's) are reused while `change_stamp` holds."""

    def __init__(
        self, catalog: Catalog, templates_dir: Path, settings: NudgeSettings | None = None
    ) -> None:
        super().__init__(catalog, templates_dir, settings)
        # (agencies, scope) -> (the day and stamp it was built on, when, the digest)
        self._kept: OrderedDict[Hashable, tuple[Hashable, dt.datetime, Digest]] = OrderedDict()
        self._lock = threading.Lock()

    def build(
        self,
        session: Session,
        now: dt.datetime,
        agency_ids: list[str],
        scope: str,
        user_id: int | None = None,
        world: World | None = None,
        directive_id: str | None = None,
    ) -> Digest:
        if user_id is not None or world is not None:
            return super().build(session, now, agency_ids, scope, user_id, world, directive_id)
        key = (tuple(agency_ids), scope, directive_id)
        stamp = (now.astimezone(TIMEZONE).date(), change_stamp(session))
        with self._lock:
            found = self._kept.get(key)
            if found is not None and found[0] == stamp and dt.timedelta(0) <= now - found[1] < TTL:
                self._kept.move_to_end(key)
                return found[2]
        digest = super().build(session, now, agency_ids, scope, directive_id=directive_id)
        with self._lock:
            self._kept[key] = (stamp, now, digest)
            self._kept.move_to_end(key)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return digest
