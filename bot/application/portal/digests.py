"""The portal's digests, built once and reused while nothing they rest on changed.

A page of the portal shows the digest of a scope (`DigestBuilder.build`), which reads
every duty, every agency's latest reports and the calendar: the dashboard's main cost
(~100 ms for 500 agencies and 10,000 reports). Managers reload and filter the same
scope often; the digest they see only changes when a report is added, a deadline,
a duty or the calendar is changed, or the catalog (agencies, duties) is swapped, or
the day turns (statuses are judged by the day). So a built digest is kept per scope
with a stamp of those (`change_stamp`: one cheap query of counts and maxima) and
used again while the stamp, the catalog and the day are the same, for at most `TTL`
(what an unaudited change from outside might leave stale). A login, a refused page
or an FAQ edit (audited too) changes nothing a digest shows: only duties' audited
changes count.

What a digest is built from (duties, latest reports, calendar: no recipients, no
snoozes) is kept too: after new reports, and nothing else, only those are read
(`world.with_newer_reports`) instead of every report again, so the first view after
a report costs the digest's build, not the reading of 10,000 reports. The digest's own
code is unchanged: this wraps `build` from outside.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.application.admin.content import DUTY_ENTITY
from bot.application.digest.builder import DigestBuilder
from bot.application.digest.model import Digest
from bot.application.scheduler.world import World, load_world, with_newer_reports
from bot.config import NudgeSettings
from bot.domain.calendar import TIMEZONE
from bot.domain.catalog import Catalog
from bot.storage.models import AuditLog, CalendarDay, Duty, ProgressReport

TTL = dt.timedelta(seconds=60)
KEPT = 16  # scopes kept (the province's digest of 500 agencies is a few MB)


def change_stamp(session: Session) -> tuple[Hashable, ...]:
    """What a digest rests on, in one query: reports are only ever added (append-only:
    their last id and count: the stamp's first two values), admins' changes to duties
    are audited (the last such audit row), and deadlines and the calendar are summed
    up directly (changed from the command line too)."""
    one = select  # each value a scalar subquery of the one SELECT
    row = session.execute(
        select(
            one(func.max(ProgressReport.id)).scalar_subquery(),
            one(func.count(ProgressReport.id)).scalar_subquery(),
            one(func.max(AuditLog.id))
            .where(AuditLog.entity_type == DUTY_ENTITY, AuditLog.allowed)
            .scalar_subquery(),
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
        self,
        catalog: Catalog,
        templates_dir: Path,
        settings: NudgeSettings | None = None,
        evidence_url: str = "",
    ) -> None:
        super().__init__(catalog, templates_dir, settings, evidence_url)
        # (agencies, scope) -> (the day and stamp it was built on, when, the digest)
        self._kept: OrderedDict[Hashable, tuple[Hashable, dt.datetime, Digest]] = OrderedDict()
        self._lock = threading.Lock()
        # The stamp it was read on, when, and what digests are built from.
        self._world: tuple[tuple[Hashable, ...], dt.datetime, World] | None = None

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
        changes = change_stamp(session)
        stamp = (now.astimezone(TIMEZONE).date(), changes)
        with self._lock:
            found = self._kept.get(key)
            if found is not None and found[0] == stamp and _fresh(found[1], now):
                self._kept.move_to_end(key)
                return found[2]
        world = self._world_on(session, changes, now)
        digest = super().build(
            session, now, agency_ids, scope, world=world, directive_id=directive_id
        )
        with self._lock:
            self._kept[key] = (stamp, now, digest)
            self._kept.move_to_end(key)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return digest

    def _world_on(self, session: Session, stamp: tuple[Hashable, ...], now: dt.datetime) -> World:
        """What digests are built from, as of `stamp`: the kept one, brought up to date
        with the reports added since when nothing else changed, else read afresh."""
        with self._lock:
            kept = self._world
        world: World | None = None
        if kept is not None and _fresh(kept[1], now):
            before, _, world = kept
            if before != stamp:
                world = self._with_new_reports(session, before, stamp, world)
        if world is None:
            world = load_world(session, self.catalog, self.settings, people=False)
        with self._lock:
            self._world = (stamp, now, world)
        return world

    @staticmethod
    def _with_new_reports(
        session: Session, before: tuple[Hashable, ...], stamp: tuple[Hashable, ...], world: World
    ) -> World | None:
        last, count, *rest = before
        new_last, new_count, *new_rest = stamp
        if rest != new_rest or not isinstance(last, int) or not isinstance(new_last, int):
            return None
        if not isinstance(count, int) or not isinstance(new_count, int) or new_last < last:
            return None
        reports = with_newer_reports(
            session, world.reports, (last, new_last), new_count - count, world.calendar
        )
        return None if reports is None else replace(world, reports=reports)


def _fresh(since: dt.datetime, now: dt.datetime) -> bool:
    return dt.timedelta(0) <= now - since < TTL
