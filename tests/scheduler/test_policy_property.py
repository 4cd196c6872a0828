"""Property of the tick's computation (the policy and the digest): whatever deadlines
are stored (year 1, 0026, 1999, 2101, 9999, none, or valid but far: 2100) and whatever
exceptions the admins put in the calendar, it never raises, it leaves out exactly the
duties whose dates the calendar cannot count, and the well-formed duties get exactly
the nudges (and digest rows) they get when the bad ones are not there at all.

hypothesis is not installed: a seeded random loop instead. A failure names the seed
of its case; `POLICY_PROPERTY_SEED=<n>` starts the loop from another seed.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Iterable
from dataclasses import dataclass

from bot.application.digest.model import DigestRow, build_digest
from bot.application.scheduler.policy import (
    AgencyNudge,
    DueMessage,
    PolicyResult,
    Recipient,
    ReportView,
    due_messages,
)
from bot.config import NudgeSettings
from bot.domain.calendar import FIRST_DAY, LAST_DAY, TIMEZONE, WorkingCalendar
from bot.domain.deadlines import DutyPlan

D = dt.date
CASES = 300
BASE_SEED = int(os.environ.get("POLICY_PROPERTY_SEED", "20261201"))
AGENCIES = ("h_que_vo", "tx_tu_son", "ubnd_tinh")
# Out of the calendar's range: skipped and reported.
UNCOUNTABLE = (D(1, 1, 1), D(26, 12, 31), D(1999, 12, 31), D(2101, 1, 1), D(9999, 12, 31))
# Countable but far, or no date at all: no nudge, nothing to report.
HARMLESS: tuple[D | None, ...] = (D(2100, 12, 31), D(2100, 6, 15), D(2001, 3, 1), None)
STATUSES = ("done", "in_progress", "not_started")


@dataclass
class Case:
    now: dt.datetime
    calendar: WorkingCalendar
    settings: NudgeSettings
    good: list[DutyPlan]
    bad: list[DutyPlan]
    mixed: list[DutyPlan]  # good and bad, shuffled
    users: list[Recipient]
    reports: dict[tuple[str, str], ReportView]
    snoozes: dict[tuple[int, str], dt.datetime]
    anchor: tuple[DutyPlan, str] | None  # a duty certainly due today, and its step


def duty(
    duty_id: str,
    kind: str,
    agencies: Iterable[str],
    due: D | None = None,
    recurrence: str | None = None,
) -> DutyPlan:
    return DutyPlan(
        duty_id=duty_id,
        title=f"Nhiệm vụ {duty_id}",
        clause_label="Mục 2.f",
        timing_kind=kind,
        recurrence=recurrence,
        due=due,
        agencies=tuple(agencies),
    )


def random_case(seed: int) -> Case:
    rng = random.Random(seed)
    today = D(2025, 1, 1) + dt.timedelta(days=rng.randrange(4 * 366))
    hour = rng.choice((6, 8, 9, 12, 16, 18, 22))
    now = dt.datetime.combine(today, dt.time(hour, rng.choice((0, 30))), tzinfo=TIMEZONE)

    def near(span: int) -> D:
        return today + dt.timedelta(days=rng.randint(-span, span))

    odd = rng.sample(UNCOUNTABLE, rng.randint(0, 2))  # exceptions stored with bad dates too
    calendar = WorkingCalendar(
        extra_workdays=[near(60) for _ in range(rng.randint(0, 5))] + odd,
        extra_days_off=[near(60) for _ in range(rng.randint(0, 10))] + odd[:1],
    )
    settings = NudgeSettings(
        remind_before=tuple(sorted(rng.sample((14, 7, 5, 3, 1, 0), rng.randint(1, 5)))),
        overdue_stop_after=rng.choice((0, 20, 60)),
        catch_up_days=rng.choice((0, 2, 5)),
        checkin_months=rng.choice((0, 1, 3)),
    )

    def agencies() -> list[str]:
        return rng.sample(AGENCIES, rng.randint(1, len(AGENCIES)))

    good: list[DutyPlan] = []
    for i in range(rng.randint(1, 6)):
        shape = rng.choice(("deadline", "deadline", "quarterly", "annual", "continuous"))
        if shape == "deadline":
            good.append(duty(f"good-{i}", "deadline", agencies(), near(45)))
        elif shape == "continuous":
            good.append(duty(f"good-{i}", "continuous", agencies()))
        else:
            good.append(duty(f"good-{i}", "recurring", agencies(), recurrence=shape))
    anchor = None
    if calendar.is_working_day(today):
        k = rng.choice(settings.remind_before)
        due = calendar.add_working_days(today, k)
        anchor_plan = duty("anchor", "deadline", AGENCIES[:1], due)
        anchor = (anchor_plan, f"remind-{k}" if k else "due")
        good.append(anchor_plan)
    bad = [
        duty(f"bad-{i}", "deadline", agencies(), rng.choice(UNCOUNTABLE + HARMLESS))
        for i in range(rng.randint(1, 4))
    ]
    mixed = good + bad
    rng.shuffle(mixed)
    users = [
        Recipient(10 * a + r, agency, role, "telegram", f"{10 * a + r}", blocked=rng.random() < 0.1)
        for a, agency in enumerate(AGENCIES)
        for r, role in enumerate(("official", "manager"))
    ]
    users[0] = Recipient(0, AGENCIES[0], "official", "telegram", "0")  # the anchor's reader
    reports = {
        (agency, plan.duty_id): ReportView(
            rng.choice(STATUSES),
            rng.randrange(0, 101, 10),
            dt.datetime.combine(near(90), dt.time(10), tzinfo=TIMEZONE),
        )
        for plan in mixed
        if plan.duty_id != "anchor"
        for agency in plan.agencies
        if rng.random() < 0.3
    }
    snoozes = {
        (user.user_id, plan.duty_id): now + dt.timedelta(hours=rng.randint(-100, 100))
        for plan in mixed
        if plan.duty_id != "anchor"
        for user in users
        if rng.random() < 0.05
    }
    return Case(now, calendar, settings, good, bad, mixed, users, reports, snoozes, anchor)


def policy(case: Case, plans: list[DutyPlan]) -> PolicyResult:
    return due_messages(
        case.now, plans, case.reports, case.users, case.snoozes, case.calendar, case.settings
    )


def messages(items: Iterable[DueMessage]) -> list[tuple[object, ...]]:
    return sorted((m.key, m.not_before, m.reason, m.nudge.agencies) for m in items)


def nudges(items: Iterable[AgencyNudge]) -> list[tuple[object, ...]]:
    return sorted((n.plan.duty_id, n.kind, n.occurrence.due, n.agencies) for n in items)


def rows(items: Iterable[DigestRow], duty_ids: set[str]) -> list[DigestRow]:
    return sorted((r for r in items if r.duty_id in duty_ids), key=lambda r: r.key)


def uncountable(plan: DutyPlan) -> bool:
    return plan.due is not None and not FIRST_DAY <= plan.due <= LAST_DAY


def check(case: Case) -> None:
    mixed, clean = policy(case, case.mixed), policy(case, case.good)
    assert clean.skipped == []
    assert {s.duty_id for s in mixed.skipped} == {p.duty_id for p in case.bad if uncountable(p)}
    assert all(s.problem.startswith("ngày ") for s in mixed.skipped)
    # The well-formed duties are untouched by the bad ones.
    assert messages(mixed.messages) == messages(clean.messages)
    assert nudges(mixed.unreached) == nudges(clean.unreached)
    assert {n.plan.duty_id for n in mixed.nudges} <= {p.duty_id for p in case.good} | {"*checkin"}
    if case.anchor is not None:
        plan, kind = case.anchor
        assert (0, plan.duty_id, plan.due, kind) in {m.key for m in mixed.messages}

    names = {a: a for a in AGENCIES}
    args = (case.calendar, case.settings, list(AGENCIES), names, "toàn tỉnh")
    digest = build_digest(case.now, case.mixed, case.reports, *args)
    clean_digest = build_digest(case.now, case.good, case.reports, *args)
    good_ids = {p.duty_id for p in case.good}
    assert rows(digest.rows, good_ids) == rows(clean_digest.rows, good_ids)
    assert {s.duty_id for s in digest.skipped} == {s.duty_id for s in mixed.skipped}


def test_bad_dates_never_break_the_tick_and_leave_good_duties_alone() -> None:
    anchored = 0
    for seed in range(BASE_SEED, BASE_SEED + CASES):
        case = random_case(seed)
        try:
            check(case)
        except Exception as error:
            raise AssertionError(f"case with seed {seed} failed: {error!r}") from error
        anchored += case.anchor is not None
    assert anchored > CASES // 2  # most cases checked a nudge that must go out
