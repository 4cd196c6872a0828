"""One scheduler tick: read the world from the database, ask the policy what is due,
render it, and put it in the outbox (idempotently). Weekly digests are enqueued here too.

A duty the policy could not compute (`PolicyResult.skipped`: a stored date outside the
working calendar, or anything its computation raised) is logged and reported to every
reachable admin once: the report's outbox key holds a hash of the duty and the problem,
so the next ticks find it there and stay quiet until the problem changes. A manager
whose digest cannot be built is logged and skipped; the others get theirs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.digest import builder as digests
from bot.application.digest import weekly
from bot.application.messages import Button, Reply
from bot.application.outbox import COMPOSE, enqueue, existing_keys, outbox_row
from bot.application.scheduler.policy import DueMessage, PolicyResult, Skipped, due_messages
from bot.application.scheduler.world import World, admins, load_world
from bot.config import NudgeSettings
from bot.domain.calendar import DateOutOfRange, WorkingCalendar
from bot.domain.catalog import Catalog
from bot.domain.roles import MANAGER
from bot.storage.models import OutboxMessage
from nlu.yaml_io import read_yaml

DIGEST_KIND = "digest"
PROBLEM_KIND = "problem"  # a report to admins: kind "problem-<Skipped.key>"
# A report is about no period: one fixed `due`, so that its key is (admin, duty, problem).
PROBLEM_DUE = dt.date(2000, 1, 1)

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    due: int = 0
    inserted: int = 0
    digests: int = 0
    problems: int = 0  # reports to admins enqueued (one per admin and new problem)
    digest_failures: int = 0  # managers whose digest could not be built
    policy: PolicyResult = field(default_factory=PolicyResult)
    error: str | None = None  # the tick failed as a whole (see NudgeService.run_once)


class NudgeMessages:
    """The message of a due nudge: its template, data and buttons (any channel)."""

    def __init__(self, catalog: Catalog, templates_dir: Path) -> None:
        self.catalog = catalog
        self.labels: dict[str, str] = read_yaml(templates_dir / "nudge" / "labels.yaml")
        self.status_labels: dict[str, str] = read_yaml(templates_dir / "labels.yaml")["status"]

    def agency_name(self, agency_id: str) -> str:
        agency = self.catalog.agencies.get(agency_id)
        return agency.short_name if agency else agency_id

    def reply(self, message: DueMessage) -> Reply:
        nudge = message.nudge
        plan, occurrence = nudge.plan, nudge.occurrence
        kind = message.kind
        step = kind.split("-", 1)[0] if kind.startswith(("remind", "overdue", "snooze")) else kind
        report = nudge.report
        data: dict[str, Any] = {
            "step": step,
            "title": plan.title,
            "clause": plan.clause_label,
            "agency": self.agency_name(nudge.agencies[0]),
            "agencies": [self.agency_name(a) for a in nudge.agencies],
            "due": occurrence.due,
            "deadline": occurrence.deadline,
            "period": occurrence.label,
            "extended": plan.extended,
            "days": abs(nudge.days_left),
            "report": None
            if report is None
            else {
                "status": self.status_labels.get(report.status, report.status),
                "percent": report.percent,
                "completed_on": report.completed_on,
                "at": report.created_at,
            },
        }
        data["left"] = nudge.days_left
        duty = plan.shown_id  # what users type: "2.f-4", "06/2019·2.f-4" (several directives)
        if nudge.duties:  # a check-in over several duties: report or look, no per-duty buttons
            data["duties"] = [{"title": d.title, "clause": d.clause_label} for d in nudge.duties]
            checkin_buttons = (
                Button(self.labels["report_now"], "/baocao"),
                Button(self.labels["progress"], "/tiendo"),
            )
            return Reply("nudge/checkin", data, checkin_buttons, columns=2)
        snooze = (
            Button(self.labels["snooze_1"], f"/nhaclai {duty} 1"),
            Button(self.labels["snooze_3"], f"/nhaclai {duty} 3"),
        )
        if nudge.audience == "province":
            buttons: tuple[Button, ...] = (Button(self.labels["digest"], "/tonghop"), *snooze)
            return Reply("nudge/escalation", data, buttons, columns=1)
        buttons = (
            Button(self.labels["report_now"], f"/baocao {duty}"),
            Button(self.labels["done"], f"/xong {duty}"),
            *snooze,
        )
        template = "nudge/escalation" if nudge.audience == "managers" else "nudge/reminder"
        return Reply(template, data, buttons, columns=2)

    def problem(self, skipped: Skipped) -> Reply:
        """The admins' report of a duty left out of the schedule."""
        data = {
            "duty_id": skipped.label or skipped.duty_id,
            "title": skipped.title,
            "problem": skipped.problem,
            "bad_date": isinstance(skipped.error, DateOutOfRange),
        }
        return Reply("nudge/problem", data)


def nudge_row(message: DueMessage, reply: Reply, now: dt.datetime) -> dict[str, Any]:
    user_id, duty_id, due, kind = message.key
    return outbox_row(
        user_id=user_id,
        channel=message.recipient.channel,
        address=message.recipient.address,
        kind=kind,
        due=due,
        duty_id=duty_id,
        agency_id=message.nudge.agencies[0] if message.nudge.audience != "province" else None,
        message=reply,
        not_before=message.not_before,
        now=now,
        meta={"reason": message.reason},
    )


class Ticker:
    """The tick: policy -> outbox, plus the weekly digests."""

    def __init__(
        self,
        catalog: Catalog,
        templates_dir: Path,
        settings: NudgeSettings,
        channels: Collection[str] | None = None,
        evidence_url: str = "",
    ) -> None:
        self.catalog = catalog
        self.settings = settings
        self.channels = channels  # where pushed messages can go (None: any channel)
        self.messages = NudgeMessages(catalog, templates_dir)
        self.digests = digests.DigestBuilder(catalog, templates_dir, settings, evidence_url)
        # What this process has logged with a traceback: a bad row is seen every tick,
        # and a log line a minute would bury everything else.
        self._logged: set[str] = set()

    def _log_once(self, key: str, message: str, *args: object, error: Exception) -> None:
        if key in self._logged:
            log.debug(message, *args)
            return
        self._logged.add(key)
        log.error(message, *args, exc_info=error)

    def tick(self, session: Session, now: dt.datetime) -> TickResult:
        world = load_world(session, self.catalog, self.settings, self.channels)
        policy = due_messages(
            now,
            world.plans,
            world.reports,
            world.users,
            world.snoozes,
            world.calendar,
            self.settings,
        )
        result = TickResult(due=len(policy.messages), policy=policy)
        seen = existing_keys(
            session, {(m.nudge.plan.duty_id, m.nudge.occurrence.due) for m in policy.messages}
        )
        rows = []
        for message in policy.messages:
            if message.key in seen:
                continue
            rows.append(nudge_row(message, self.messages.reply(message), now))
        result.inserted = enqueue(session, rows)
        result.problems = self.report_problems(session, now, policy.skipped, world.calendar)
        result.digests, result.digest_failures = self.weekly_digests(session, now, world)
        return result

    def report_problems(
        self,
        session: Session,
        now: dt.datetime,
        skipped: list[Skipped],
        calendar: WorkingCalendar,
    ) -> int:
        """Log each duty left out, and tell the admins once (the outbox keeps the fact)."""
        for item in skipped:
            self._log_once(
                item.key,
                "duty %s left out of the schedule: %s",
                item.duty_id,
                item.problem,
                error=item.error,
            )
        if not skipped:
            return 0
        at = calendar.next_working_slot(now)
        rows = [
            outbox_row(
                user_id=admin.user_id,
                channel=admin.channel,
                address=admin.address,
                kind=f"{PROBLEM_KIND}-{item.key}",
                due=PROBLEM_DUE,
                duty_id=item.duty_id,
                message=self.messages.problem(item),
                not_before=at,
                now=now,
                meta={"problem": item.problem},
            )
            for admin in admins(session, self.channels)
            for item in skipped
        ]
        return enqueue(session, rows)

    # --- weekly digests ----------------------------------------------------------------
    def digest_week(self, now: dt.datetime, calendar: WorkingCalendar) -> dt.date | None:
        """The Monday of this week once this week's digest time has come, else None."""
        local = calendar.local(now)
        monday = local.date() - dt.timedelta(days=local.weekday())
        send_day = monday + dt.timedelta(days=self.settings.digest_weekday - 1)
        return monday if local >= calendar.at(send_day, self.settings.digest_time) else None

    def weekly_digests(self, session: Session, now: dt.datetime, world: World) -> tuple[int, int]:
        """(digests enqueued, managers whose scope is unknown). Each row names the weekly
        composer: the digest is built when it is sent (`digest.weekly`), with the
        numbers of that moment."""
        week = self.digest_week(now, world.calendar)
        if week is None:
            return 0, 0
        managers = [u for u in world.users if u.holds(MANAGER) and not u.blocked and u.agency_id]
        if not managers:
            return 0, 0
        done = set(
            session.scalars(
                select(OutboxMessage.user_id).where(
                    OutboxMessage.kind == DIGEST_KIND, OutboxMessage.due == week
                )
            )
        )
        rows = []
        failures = 0
        at = world.calendar.next_working_slot(now).astimezone(dt.UTC)
        for manager in managers:
            if manager.user_id in done:
                continue
            if self.digests.recipient_scope(manager) is None:
                failures += 1  # e.g. a manager of an agency no longer in the catalog
                continue
            rows.append(
                outbox_row(
                    user_id=manager.user_id,
                    channel=manager.channel,
                    address=manager.address,
                    kind=DIGEST_KIND,
                    due=week,
                    agency_id=manager.agency_id,
                    message=None,
                    not_before=at,
                    now=now,
                    meta={COMPOSE: weekly.NAME},
                )
            )
        return enqueue(session, rows), failures
