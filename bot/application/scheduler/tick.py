"""One scheduler tick: read the world from the database, ask the policy what is due,
render it, and put it in the outbox (idempotently). Weekly digests are enqueued here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.digest import builder as digests
from bot.application.messages import Button, Reply
from bot.application.outbox import enqueue, existing_keys, outbox_row
from bot.application.scheduler.policy import DueMessage, PolicyResult, due_messages
from bot.application.scheduler.world import World, load_world
from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar
from bot.domain.catalog import Catalog
from bot.storage.models import OutboxMessage
from nlu.yaml_io import read_yaml

DIGEST_KIND = "digest"


@dataclass
class TickResult:
    due: int = 0
    inserted: int = 0
    digests: int = 0
    policy: PolicyResult = field(default_factory=PolicyResult)


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
                "at": report.created_at,
            },
        }
        data["left"] = nudge.days_left
        duty = plan.duty_id
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
    ) -> None:
        self.catalog = catalog
        self.settings = settings
        self.channels = channels  # where pushed messages can go (None: any channel)
        self.messages = NudgeMessages(catalog, templates_dir)
        self.digests = digests.DigestBuilder(catalog, templates_dir, settings)

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
        result.digests = self.weekly_digests(session, now, world)
        return result

    # --- weekly digests ----------------------------------------------------------------
    def digest_week(self, now: dt.datetime, calendar: WorkingCalendar) -> dt.date | None:
        """The Monday of this week once this week's digest time has come, else None."""
        local = calendar.local(now)
        monday = local.date() - dt.timedelta(days=local.weekday())
        send_day = monday + dt.timedelta(days=self.settings.digest_weekday - 1)
        return monday if local >= calendar.at(send_day, self.settings.digest_time) else None

    def weekly_digests(self, session: Session, now: dt.datetime, world: World) -> int:
        week = self.digest_week(now, world.calendar)
        if week is None:
            return 0
        managers = [u for u in world.users if u.role == "manager" and not u.blocked and u.agency_id]
        if not managers:
            return 0
        done = set(
            session.scalars(
                select(OutboxMessage.user_id).where(
                    OutboxMessage.kind == DIGEST_KIND, OutboxMessage.due == week
                )
            )
        )
        rows = []
        at = world.calendar.next_working_slot(now).astimezone(dt.UTC)
        for manager in managers:
            if manager.user_id in done:
                continue
            built = self.digests.for_recipient(session, manager, now, world=world)
            rows.append(
                outbox_row(
                    user_id=manager.user_id,
                    channel=manager.channel,
                    address=manager.address,
                    kind=DIGEST_KIND,
                    due=week,
                    agency_id=manager.agency_id,
                    message=self.digests.reply(built, attached=True),
                    not_before=at,
                    now=now,
                    meta=digests.snapshot_meta(built),
                )
            )
        return enqueue(session, rows)
