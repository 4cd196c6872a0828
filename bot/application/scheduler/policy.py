"""The nudge policy: a pure function from the state of the world to the messages due.

    due_messages(now, plans, reports, users, snoozes, calendar, settings) -> PolicyResult

Nothing is remembered between calls: every scheduler tick calls it with what is in
the database, and the outbox's unique key (user, duty, due date, kind) turns "due now"
into "sent once". For each duty with a deadline (or a period: see `deadlines`) and each
responsible agency whose report does not satisfy it:

* reminders `remind_before` working days before the deadline (default 14, 7, 3, 1)
  and on the day ("due"), to every linked official and manager of the agency;
* once overdue, a reminder every `overdue_every` working days ("overdue-N"), for
  `overdue_stop_after` working days (default 60; then only digests list it);
* after `escalate_manager_after` working days overdue, one message to the agency's
  managers ("escalate-manager"); after `escalate_province_after`, one message per
  duty to the managers of UBND tỉnh listing every agency that is that late
  ("escalate-province");
* continuous duties: one "checkin" per agency a few working days before each period
  ends, listing the continuous duties it has not reported on in the period (one
  message, not one per duty: a district has about twenty of them).

Only the latest step of a ladder whose day has come is due, and only for
`catch_up_days` working days: after downtime the bot sends the current step, not a
backlog. A snooze suppresses messages about the duty to that user until it ends;
then one "snooze-YYYYMMDD" follow-up is due while the duty is still pending.
Messages outside working time wait for the next working slot (`not_before`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar
from bot.domain.dates import vn_date
from bot.domain.deadlines import DeadlineRules, DutyPlan, Occurrence
from bot.domain.roles import MANAGER, OFFICIAL

Audience = Literal["agency", "managers", "province"]
REPORTING_ROLES = (OFFICIAL, MANAGER)
CHECKIN_DUTY = "*checkin"  # the outbox's duty_id of a check-in (it covers several duties)


@dataclass(frozen=True)
class ReportView:
    """An agency's latest progress report on a duty."""

    status: str
    percent: int
    created_at: dt.datetime
    blockers: str = ""  # what the official said stands in the way
    evidence: str = ""  # a document number and date, as typed


@dataclass(frozen=True)
class Recipient:
    user_id: int
    agency_id: str | None
    role: str
    channel: str
    address: str  # the channel's chat id
    name: str = ""
    blocked: bool = False


@dataclass(frozen=True)
class DutyState:
    """Where one agency stands on one occurrence of a duty, on a day."""

    plan: DutyPlan
    agency_id: str
    occurrence: Occurrence
    report: ReportView | None
    satisfied: bool
    days_left: int  # working days from the day to the deadline (negative: overdue)


@dataclass(frozen=True)
class AgencyNudge:
    """A step of a ladder that is due for an agency (or, escalated, for several)."""

    kind: str
    audience: Audience
    plan: DutyPlan
    occurrence: Occurrence
    agencies: tuple[str, ...]
    day: dt.date  # the working day the step belongs to
    days_left: int  # on `day`: working days to the deadline (negative: overdue by)
    reason: str
    report: ReportView | None = None
    duties: tuple[DutyPlan, ...] = ()  # a check-in: the continuous duties it asks about


@dataclass(frozen=True)
class DueMessage:
    nudge: AgencyNudge
    recipient: Recipient
    kind: str
    not_before: dt.datetime
    reason: str

    @property
    def key(self) -> tuple[int, str, dt.date, str]:
        return (
            self.recipient.user_id,
            self.nudge.plan.duty_id,
            self.nudge.occurrence.due,
            self.kind,
        )


@dataclass
class PolicyResult:
    messages: list[DueMessage] = field(default_factory=list)
    nudges: list[AgencyNudge] = field(default_factory=list)
    # (nudge, recipient, until): held back by a snooze.
    snoozed: list[tuple[AgencyNudge, Recipient, dt.datetime]] = field(default_factory=list)
    # Nudges that reach nobody (no linked user, or only blocked ones).
    unreached: list[AgencyNudge] = field(default_factory=list)


def satisfied(occurrence: Occurrence, report: ReportView | None, calendar: WorkingCalendar) -> bool:
    """Does the agency's latest report settle this occurrence?"""
    if report is None:
        return False
    if occurrence.kind == "deadline":
        return report.status == "done"
    made_on = calendar.today(report.created_at)
    in_period = occurrence.period_start is None or made_on >= occurrence.period_start
    if occurrence.kind == "checkin":
        return in_period  # any report in the period is a check-in
    return in_period and report.status == "done"


def _ladder(
    occurrence: Occurrence, today: dt.date, calendar: WorkingCalendar, settings: NudgeSettings
) -> list[tuple[dt.date, str]]:
    """The agency's steps around `today` as (day, kind), oldest first."""
    deadline = occurrence.deadline
    if occurrence.kind == "checkin":
        return [(calendar.add_working_days(deadline, -settings.checkin_before), "checkin")]
    steps = [
        (calendar.add_working_days(deadline, -k), f"remind-{k}" if k else "due")
        for k in settings.remind_before
    ]
    overdue_by = calendar.working_days_between(deadline, today)
    multiple = overdue_by // settings.overdue_every
    stop = settings.overdue_stop_after
    if multiple >= 1 and (stop <= 0 or multiple * settings.overdue_every <= stop):
        n = multiple * settings.overdue_every
        steps.append((calendar.add_working_days(deadline, n), f"overdue-{n}"))
    return sorted(steps)


def _reason(kind: str, occurrence: Occurrence, days_left: int, report: ReportView | None) -> str:
    deadline = vn_date(occurrence.deadline)
    moved = (
        f" ({vn_date(occurrence.due)} là ngày nghỉ)"
        if occurrence.due != occurrence.deadline and occurrence.kind != "checkin"
        else ""
    )
    period = f" kỳ {occurrence.label}" if occurrence.label else ""
    if kind == "checkin":
        text = f"báo cáo định kỳ{period}: chưa có báo cáo trong kỳ (hạn {deadline})"
    elif kind.startswith("remind-"):
        text = f"còn {days_left} ngày làm việc đến hạn {deadline}{moved}{period}"
    elif kind == "due":
        text = f"hôm nay là hạn chót {deadline}{moved}{period}"
    elif kind.startswith("overdue-"):
        text = f"quá hạn {-days_left} ngày làm việc (hạn {deadline}{period})"
    elif kind == "escalate-manager":
        text = f"quá hạn {-days_left} ngày làm việc (hạn {deadline}{period}): báo lãnh đạo cơ quan"
    else:
        text = (
            f"quá hạn {-days_left} ngày làm việc (hạn {deadline}{period}): báo lãnh đạo UBND tỉnh"
        )
    if report is None:
        return text + "; chưa có báo cáo"
    return text + f"; báo cáo gần nhất: {report.status} {report.percent}%"


def duty_states(
    today: dt.date,
    plans: Iterable[DutyPlan],
    reports: Mapping[tuple[str, str], ReportView],
    calendar: WorkingCalendar,
    settings: NudgeSettings,
) -> list[DutyState]:
    """Every (duty, agency, occurrence) that matters on `today` (also used by digests)."""
    rules = DeadlineRules(calendar, settings)
    states: list[DutyState] = []
    for plan in plans:
        for occurrence in rules.occurrences(plan, today):
            days_left = calendar.working_days_between(today, occurrence.deadline)
            for agency_id in plan.agencies:
                report = reports.get((agency_id, plan.duty_id))
                done = satisfied(occurrence, report, calendar)
                states.append(DutyState(plan, agency_id, occurrence, report, done, days_left))
    return states


def agency_nudges(
    now: dt.datetime,
    plans: Iterable[DutyPlan],
    reports: Mapping[tuple[str, str], ReportView],
    calendar: WorkingCalendar,
    settings: NudgeSettings,
    catch_up: int | None = None,
) -> tuple[list[AgencyNudge], dict[tuple[str, str], DutyState]]:
    """The steps due on `now`'s day per agency, and the pending states that have begun
    their ladder (by (duty, agency): where snooze follow-ups may go)."""
    today = calendar.today(now)
    window = settings.catch_up_days if catch_up is None else catch_up

    def in_window(day: dt.date) -> bool:
        return day <= today and calendar.working_days_between(day, today) <= window

    nudges: list[AgencyNudge] = []
    active: dict[tuple[str, str], DutyState] = {}
    province: dict[tuple[str, dt.date], list[DutyState]] = defaultdict(list)
    ladders: dict[tuple[str, dt.date], list[tuple[dt.date, str]]] = {}
    checkins: dict[tuple[str, dt.date], list[DutyState]] = defaultdict(list)
    for state in duty_states(today, plans, reports, calendar, settings):
        if state.satisfied:
            continue
        occurrence, plan = state.occurrence, state.plan
        ladder_key = (plan.duty_id, occurrence.due)
        ladder = ladders.get(ladder_key)
        if ladder is None:
            ladder = ladders[ladder_key] = _ladder(occurrence, today, calendar, settings)
        past = [step for step in ladder if step[0] <= today]
        if not past:
            continue
        day, kind = past[-1]
        if occurrence.kind == "checkin":
            if in_window(day):
                checkins[(state.agency_id, occurrence.due)].append(state)
            continue
        active[(plan.duty_id, state.agency_id)] = state
        if in_window(day):
            left = calendar.working_days_between(day, occurrence.deadline)
            nudges.append(
                AgencyNudge(
                    kind,
                    "agency",
                    plan,
                    occurrence,
                    (state.agency_id,),
                    day,
                    left,
                    _reason(kind, occurrence, left, state.report),
                    state.report,
                )
            )
        manager_day = calendar.add_working_days(
            occurrence.deadline, settings.escalate_manager_after
        )
        if in_window(manager_day):
            left = -settings.escalate_manager_after
            nudges.append(
                AgencyNudge(
                    "escalate-manager",
                    "managers",
                    plan,
                    occurrence,
                    (state.agency_id,),
                    manager_day,
                    left,
                    _reason("escalate-manager", occurrence, left, state.report),
                    state.report,
                )
            )
        province_day = calendar.add_working_days(
            occurrence.deadline, settings.escalate_province_after
        )
        if in_window(province_day):
            province[(plan.duty_id, occurrence.due)].append(state)
    # One check-in per agency and period, listing its continuous duties not reported on.
    for (agency_id, _), group in checkins.items():
        first = group[0]
        occurrence = first.occurrence
        day = calendar.add_working_days(occurrence.deadline, -settings.checkin_before)
        left = calendar.working_days_between(day, occurrence.deadline)
        summary = DutyPlan(
            duty_id=CHECKIN_DUTY,
            title=f"{len(group)} nhiệm vụ thực hiện thường xuyên",
            clause_label="",
            timing_kind="continuous",
            agencies=(agency_id,),
        )
        nudges.append(
            AgencyNudge(
                "checkin",
                "agency",
                summary,
                occurrence,
                (agency_id,),
                day,
                left,
                _reason("checkin", occurrence, left, None).removesuffix("; chưa có báo cáo")
                + f"; {len(group)} nhiệm vụ",
                duties=tuple(s.plan for s in group),
            )
        )
    for group in province.values():
        first = group[0]
        left = -settings.escalate_province_after
        day = calendar.add_working_days(first.occurrence.deadline, settings.escalate_province_after)
        nudges.append(
            AgencyNudge(
                "escalate-province",
                "province",
                first.plan,
                first.occurrence,
                tuple(s.agency_id for s in group),
                day,
                left,
                _reason("escalate-province", first.occurrence, left, None).removesuffix(
                    "; chưa có báo cáo"
                )
                + f"; {len(group)} cơ quan",
            )
        )
    return nudges, active


def due_messages(
    now: dt.datetime,
    plans: Iterable[DutyPlan],
    reports: Mapping[tuple[str, str], ReportView],
    users: Sequence[Recipient],
    snoozes: Mapping[tuple[int, str], dt.datetime],
    calendar: WorkingCalendar,
    settings: NudgeSettings,
    catch_up: int | None = None,
) -> PolicyResult:
    """Every message due at `now` (see the module's doc). Pure: no I/O, no clock."""
    today = calendar.today(now)
    window = settings.catch_up_days if catch_up is None else catch_up
    nudges, active = agency_nudges(now, plans, reports, calendar, settings, catch_up)
    reachable = [u for u in users if not u.blocked and u.role in REPORTING_ROLES]
    by_agency: dict[str, list[Recipient]] = defaultdict(list)
    for user in reachable:
        if user.agency_id is not None:
            by_agency[user.agency_id].append(user)

    def audience(nudge: AgencyNudge) -> list[Recipient]:
        if nudge.audience == "agency":
            return by_agency.get(nudge.agencies[0], [])
        owner = nudge.agencies[0] if nudge.audience == "managers" else settings.province_agency
        return [u for u in by_agency.get(owner, []) if u.role == "manager"]

    result = PolicyResult(nudges=nudges)
    reached: set[tuple[int, str]] = set()
    for nudge in nudges:
        recipients = audience(nudge)
        if not recipients:
            result.unreached.append(nudge)
        at = calendar.next_working_slot(max(now, calendar.start_of(nudge.day)))
        for user in recipients:
            until = snoozes.get((user.user_id, nudge.plan.duty_id))
            # Held back while snoozed; a step whose day came before the snooze ended is
            # replaced by the snooze's follow-up rather than sent late.
            if until is not None and (until > at or calendar.start_of(nudge.day) < until):
                result.snoozed.append((nudge, user, until))
                continue
            result.messages.append(DueMessage(nudge, user, nudge.kind, at, nudge.reason))
            reached.add((user.user_id, nudge.plan.duty_id))
    # Follow-ups of snoozes that have ended, while the duty is still pending.
    users_by_id = {u.user_id: u for u in reachable}
    for (user_id, duty_id), until in sorted(snoozes.items()):
        snoozer = users_by_id.get(user_id)
        if snoozer is None or snoozer.agency_id is None or (user_id, duty_id) in reached:
            continue
        if until > now:
            continue
        ended = calendar.today(until)
        if calendar.working_days_between(ended, today) > window:
            continue
        state = active.get((duty_id, snoozer.agency_id))
        if state is None:
            continue
        occurrence = state.occurrence
        left = calendar.working_days_between(today, occurrence.deadline)
        kind = "overdue-0" if left < 0 else ("due" if left == 0 else f"remind-{left}")
        reason = "nhắc lại theo hẹn: " + _reason(kind, occurrence, left, state.report)
        nudge = AgencyNudge(
            f"snooze-{ended:%Y%m%d}",
            "agency",
            state.plan,
            occurrence,
            (snoozer.agency_id,),
            today,
            left,
            reason,
            state.report,
        )
        at = calendar.next_working_slot(max(now, until))
        result.messages.append(DueMessage(nudge, snoozer, nudge.kind, at, reason))
    return result
