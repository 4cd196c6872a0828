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

Bad data never stops the schedule: each duty is computed on its own (`Problems.guard`),
and one whose dates cannot be computed (a stored year 0026 or 9999, outside the working
calendar) or whose computation raises anything is left out and listed in
`PolicyResult.skipped`, for the tick to log and report to the admins. Nothing is due
about a deadline more than `HORIZON` away, either way, so a far but valid date (2100)
costs no counting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from bot.config import NudgeSettings
from bot.domain.calendar import FIRST_DAY, LAST_DAY, DateOutOfRange, WorkingCalendar
from bot.domain.dates import vn_date
from bot.domain.deadlines import DeadlineRules, DutyPlan, Occurrence
from bot.domain.roles import MANAGER, OFFICIAL
from bot.domain.status import DONE, REPORT_WORDS, status_of

Audience = Literal["agency", "managers", "province"]
REPORTING_ROLES = (OFFICIAL, MANAGER)
CHECKIN_DUTY = "*checkin"  # the outbox's duty_id of a check-in (it covers several duties)
# No step of any ladder is this far from its deadline (reminders 14 working days before,
# overdue ones for 60 after, by default): a deadline further away, either way, needs no
# nudge today, and leaving it alone bounds every tick's counting to a few years.
HORIZON = dt.timedelta(days=2 * 366)


def _full_date(day: dt.date) -> str:
    """31/12/0026: `vn_date` with the year's four digits, so that a stored year 26 does
    not read like 2026 in the admins' report."""
    return f"{day.day}/{day.month}/{day.year:04d}"


def describe(error: Exception) -> str:
    """What went wrong computing a duty's schedule, for admins (Vietnamese)."""
    if isinstance(error, DateOutOfRange):
        return (
            f"ngày {_full_date(error.day)} nằm ngoài khoảng lịch làm việc tính được "
            f"({_full_date(FIRST_DAY)}–{_full_date(LAST_DAY)})"
        )
    return f"lỗi khi tính lịch ({type(error).__name__}: {str(error)[:200]})"


@dataclass(frozen=True)
class Skipped:
    """A duty left out of a tick because its schedule could not be computed."""

    duty_id: str
    title: str
    problem: str  # for admins, in Vietnamese (`describe`)
    error: Exception  # for the log, with its traceback
    label: str = ""  # the id admins see and type (DutyPlan.shown_id)

    @property
    def key(self) -> str:
        """Stable across ticks while the problem stays the same (the report's outbox key)."""
        return hashlib.sha1(f"{self.duty_id}\n{self.problem}".encode()).hexdigest()[:16]


class Problems:
    """Collects the duties that could not be computed, one duty at a time."""

    def __init__(self) -> None:
        self.skipped: list[Skipped] = []

    @contextmanager
    def guard(self, plan: DutyPlan) -> Iterator[None]:
        """Run one duty's computation: whatever it raises skips that duty, not the others
        (a bad stored date, or a bug that only this duty's data reaches)."""
        try:
            yield
        except Exception as error:
            skipped = Skipped(plan.duty_id, plan.title, describe(error), error, plan.shown_id)
            if all(s.key != skipped.key for s in self.skipped):
                self.skipped.append(skipped)


@dataclass(frozen=True)
class ReportView:
    """An agency's latest progress report on a duty (and when its earlier done reports
    say the work was finished: a recurring duty's past period may rest on one)."""

    status: str
    percent: int
    created_at: dt.datetime
    blockers: str = ""  # what the official said stands in the way
    evidence: str = ""  # a document number and date, as typed
    completed_on: dt.date | None = None  # a done report: the day the work was finished
    # The finishing days of the agency's earlier done reports on the duty that still
    # stand (not corrected by a /sua), oldest first.
    earlier_done: tuple[dt.date, ...] = ()
    # The period (its due date) each of `earlier_done` settles, in the same order, and
    # the one this report settles, as stored when they were saved (None: not stored).
    earlier_periods: tuple[dt.date | None, ...] = ()
    period_due: dt.date | None = None
    evidence_number: int | None = None  # its kept evidence file (`/minhchung <số>`)

    def finished_on(self, calendar: WorkingCalendar) -> dt.date | None:
        """A done report's finishing day: the one the official gave, else (reports made
        before the question was asked, /xong) the day it was made."""
        if self.status != "done":
            return None
        return self.completed_on or calendar.today(self.created_at)


@dataclass(frozen=True)
class Recipient:
    user_id: int
    agency_id: str | None
    role: str  # the highest of `roles`
    channel: str
    address: str  # the channel's chat id
    name: str = ""
    blocked: bool = False
    roles: frozenset[str] = frozenset()  # every role the person holds (empty: `role`)
    scope: tuple[str, ...] = ()  # a manager's agencies (empty: their own)

    def holds(self, *roles: str) -> bool:
        """Whether the person holds one of `roles`."""
        return bool((self.roles or {self.role}) & set(roles))


@dataclass(frozen=True)
class DutyState:
    """Where one agency stands on one occurrence of a duty, on a day."""

    plan: DutyPlan
    agency_id: str
    occurrence: Occurrence
    report: ReportView | None  # the agency's latest report on the duty
    settled: Settled | None = None  # by which done report, if any (see `settle`)
    # The latest report settled an earlier occurrence: it says nothing about this one.
    report_spent: bool = False

    @property
    def satisfied(self) -> bool:
        return self.settled is not None

    def reported(self, calendar: WorkingCalendar) -> bool:
        """A report counts for this occurrence: made in its period, and not the one
        that settled an earlier period."""
        report, start = self.report, self.occurrence.period_start
        if report is None or self.report_spent:
            return False
        if report.period_due is not None and report.period_due != self.occurrence.due:
            return False  # a done report stored as another period's
        return start is None or calendar.today(report.created_at) >= start

    def status(self, today: dt.date, calendar: WorkingCalendar) -> str:
        """Where the agency stands, in the one definition (`bot.domain.status`)."""
        done_on = self.settled.on if self.settled else None
        return status_of(self.occurrence.deadline, done_on, self.reported(calendar), today)


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
    # Duties left out: their schedule could not be computed (see `Problems`).
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class Settled:
    """An occurrence settled by a done report (a check-in: by any report)."""

    on: dt.date  # the day that report says the work was finished (a check-in: made)
    by_latest: bool  # the agency's latest report settled it, not an earlier one


def settle(
    occurrences: Sequence[Occurrence], report: ReportView | None, calendar: WorkingCalendar
) -> list[Settled | None]:
    """Which of a duty's occurrences (oldest first) an agency's reports settle.

    * a deadline: the latest report, when it says done;
    * a check-in: any report made in its period;
    * a recurring period: each done report settles one period, and each period takes
      one: oldest period first, the done report finished earliest on or after the
      period's start. So a period's own done report settles it on time; failing one,
      work finished after its deadline settles it late (a late annual task reported
      now is last year's, not next year's); the next period takes only what is left.
      The period a report took when it was saved is stored with it (`period_due`):
      from then on it settles that period only, even once the period is out of sight.
    """
    if report is None or not occurrences:
        return [None] * len(occurrences)
    kind = occurrences[0].kind  # a duty's occurrences are all of one kind
    if kind == "checkin":
        made_on = calendar.today(report.created_at)
        return [
            Settled(made_on, True) if o.period_start is None or made_on >= o.period_start else None
            for o in occurrences
        ]
    latest = report.finished_on(calendar)
    if kind == "deadline":
        return [Settled(latest, True) if latest else None for _ in occurrences]
    periods = report.earlier_periods or (None,) * len(report.earlier_done)
    pool = sorted(
        [(day, False, period) for day, period in zip(report.earlier_done, periods, strict=True)]
        + ([(latest, True, report.period_due)] if latest else []),
        key=lambda item: (item[0], item[1]),
    )
    settled: list[Settled | None] = []
    for occurrence in occurrences:
        start = occurrence.period_start
        # A report saved with its period settles that period and no other; one without
        # (not yet filled in) takes the oldest open period it could be for.
        taken = next((i for i, item in enumerate(pool) if item[2] == occurrence.due), None)
        if taken is None:
            taken = next(
                (
                    i
                    for i, (day, _, period) in enumerate(pool)
                    if period is None and (start is None or day >= start)
                ),
                None,
            )
        if taken is None:
            settled.append(None)
        else:
            day, by_latest, _ = pool.pop(taken)
            settled.append(Settled(day, by_latest))
    return settled


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
    status = REPORT_WORDS.get(report.status, report.status)
    return text + f"; báo cáo gần nhất: {status} {report.percent}%"


def _plan_states(
    plan: DutyPlan,
    today: dt.date,
    rules: DeadlineRules,
    reports: Mapping[tuple[str, str], ReportView],
    calendar: WorkingCalendar,
) -> list[DutyState]:
    occurrences = rules.occurrences(plan, today)
    by_agency: dict[str, list[DutyState]] = {}
    for agency_id in plan.agencies:
        report = reports.get((agency_id, plan.duty_id))
        spent = False
        found = by_agency[agency_id] = []
        for occurrence, settled in zip(
            occurrences, settle(occurrences, report, calendar), strict=True
        ):
            found.append(DutyState(plan, agency_id, occurrence, report, settled, spent))
            spent = spent or (settled is not None and settled.by_latest)
    # Occurrence by occurrence, agency by agency: the order callers have relied on.
    return [by_agency[a][i] for i in range(len(occurrences)) for a in plan.agencies]


def duty_states(
    today: dt.date,
    plans: Iterable[DutyPlan],
    reports: Mapping[tuple[str, str], ReportView],
    calendar: WorkingCalendar,
    settings: NudgeSettings,
    problems: Problems | None = None,
) -> list[DutyState]:
    """Every (duty, agency, occurrence) that matters on `today` (also used by digests).
    A duty whose occurrences cannot be computed is left out, and noted in `problems`."""
    rules = DeadlineRules(calendar, settings)
    problems = problems if problems is not None else Problems()
    states: list[DutyState] = []
    for plan in plans:
        with problems.guard(plan):
            states += _plan_states(plan, today, rules, reports, calendar)
    return states


@dataclass
class _PlanNudges:
    """What one duty contributes to a tick (kept apart until the duty is fully computed,
    so a duty that fails half-way contributes nothing)."""

    nudges: list[AgencyNudge] = field(default_factory=list)
    province: list[AgencyNudge] = field(default_factory=list)
    active: dict[tuple[str, str], DutyState] = field(default_factory=dict)
    checkins: list[tuple[DutyState, dt.date]] = field(default_factory=list)


def _plan_nudges(
    plan: DutyPlan,
    today: dt.date,
    in_window: Callable[[dt.date], bool],
    rules: DeadlineRules,
    reports: Mapping[tuple[str, str], ReportView],
    calendar: WorkingCalendar,
    settings: NudgeSettings,
) -> _PlanNudges:
    found = _PlanNudges()
    ladders: dict[dt.date, list[tuple[dt.date, str]]] = {}
    late: dict[dt.date, tuple[dt.date, list[DutyState]]] = {}  # province escalations by due
    for state in _plan_states(plan, today, rules, reports, calendar):
        occurrence = state.occurrence
        if abs(occurrence.deadline - today) > HORIZON or state.status(today, calendar) in DONE:
            continue
        ladder = ladders.get(occurrence.due)
        if ladder is None:
            ladder = ladders[occurrence.due] = _ladder(occurrence, today, calendar, settings)
        past = [step for step in ladder if step[0] <= today]
        if not past:
            continue
        day, kind = past[-1]
        if occurrence.kind == "checkin":
            if in_window(day):
                found.checkins.append((state, day))
            continue
        found.active[(plan.duty_id, state.agency_id)] = state
        if in_window(day):
            left = calendar.working_days_between(day, occurrence.deadline)
            found.nudges.append(
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
            found.nudges.append(
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
            late.setdefault(occurrence.due, (province_day, []))[1].append(state)
    for day, group in late.values():
        first = group[0]
        left = -settings.escalate_province_after
        found.province.append(
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
    return found


def agency_nudges(
    now: dt.datetime,
    plans: Iterable[DutyPlan],
    reports: Mapping[tuple[str, str], ReportView],
    calendar: WorkingCalendar,
    settings: NudgeSettings,
    catch_up: int | None = None,
    problems: Problems | None = None,
) -> tuple[list[AgencyNudge], dict[tuple[str, str], DutyState]]:
    """The steps due on `now`'s day per agency, and the pending states that have begun
    their ladder (by (duty, agency): where snooze follow-ups may go). Computed duty by
    duty: one that cannot be computed is skipped and noted in `problems`."""
    today = calendar.today(now)
    window = settings.catch_up_days if catch_up is None else catch_up
    problems = problems if problems is not None else Problems()
    rules = DeadlineRules(calendar, settings)

    def in_window(day: dt.date) -> bool:
        return day <= today and calendar.working_days_between(day, today) <= window

    nudges: list[AgencyNudge] = []
    province: list[AgencyNudge] = []
    active: dict[tuple[str, str], DutyState] = {}
    checkins: dict[tuple[str, dt.date], list[tuple[DutyState, dt.date]]] = defaultdict(list)
    for plan in plans:
        with problems.guard(plan):
            found = _plan_nudges(plan, today, in_window, rules, reports, calendar, settings)
            nudges += found.nudges
            province += found.province
            active.update(found.active)
            for state, day in found.checkins:
                checkins[(state.agency_id, state.occurrence.due)].append((state, day))
    # One check-in per agency and period, listing its continuous duties not reported on.
    for (agency_id, _), group in checkins.items():
        first, day = group[0]
        occurrence = first.occurrence
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
                duties=tuple(s.plan for s, _ in group),
            )
        )
    return nudges + province, active


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
    problems = Problems()
    nudges, active = agency_nudges(now, plans, reports, calendar, settings, catch_up, problems)
    reachable = [u for u in users if not u.blocked and u.holds(*REPORTING_ROLES)]
    by_agency: dict[str, list[Recipient]] = defaultdict(list)
    for user in reachable:
        if user.agency_id is not None:
            by_agency[user.agency_id].append(user)

    def audience(nudge: AgencyNudge) -> list[Recipient]:
        if nudge.audience == "agency":
            return by_agency.get(nudge.agencies[0], [])
        owner = nudge.agencies[0] if nudge.audience == "managers" else settings.province_agency
        return [u for u in by_agency.get(owner, []) if u.holds(MANAGER)]

    result = PolicyResult(nudges=nudges, skipped=problems.skipped)
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
        state = active.get((duty_id, snoozer.agency_id))
        if until > now or state is None:
            continue
        with problems.guard(state.plan):  # `until` is stored data too
            ended = calendar.today(until)
            if calendar.working_days_between(ended, today) > window:
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
