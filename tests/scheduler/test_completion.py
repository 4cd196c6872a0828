"""On time or late, and which period a done report settles, judged on the day the work
was finished (`progress_reports.completed_on`), not on the day it was reported."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.app import Assistant
from bot.application.digest.builder import DigestBuilder
from bot.application.digest.model import Digest
from bot.application.periods import add_report, fill_periods
from bot.application.scheduler.policy import ReportView, Settled, duty_states, settle
from bot.application.scheduler.world import load_world
from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar
from bot.domain.deadlines import DeadlineRules, DutyPlan
from bot.storage.db import session_scope
from bot.storage.models import Duty, ProgressReport
from tests.scheduler.conftest import add_users, at
from tests.support.directives import key

D = dt.date
DIRECTIVE = "06-CT-UBND-2019"
NOW = at("2026-12-14", "09:00")  # Monday
ANNUAL = "2.c-1"  # Sở Tài chính, Sở KH&ĐT: budget proposals, due 15/7 every year
QUARTERLY = "2.b-3"  # Sở TT&TT's quarterly report: Q3/2026 due 7/10/2026


class Reports:
    """Progress reports written straight to the database, as the dialog saves them."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        [self.user_id] = add_users(assistant, ("901", "sttt", "official"))

    def add(self, agency: str, duty: str, status: str, made: str, **more: Any) -> int:
        with session_scope(self.assistant.sessions) as session:
            report = ProgressReport(
                directive_id=DIRECTIVE,
                duty_id=duty,
                agency_id=agency,
                user_id=self.user_id,
                status=status,
                percent=100 if status == "done" else 50,
                created_at=at(made, "10:00"),
                **more,
            )
            session.add(report)
            session.flush()
            return report.id


def digest_of(assistant: Assistant, *agencies: str, now: dt.datetime = NOW) -> Digest:
    builder = DigestBuilder(
        assistant.core.qa.catalog, assistant.settings.templates_dir, NudgeSettings()
    )
    with session_scope(assistant.sessions) as session:
        return builder.build(session, now, list(agencies), "test")


def rows(digest: Digest, duty: str) -> dict[str, tuple[str, str, D | None]]:
    return {
        r.agency_id: (r.period, r.status, r.completed_on)
        for r in digest.rows
        if r.duty_label == duty
    }


@pytest.fixture
def reports(assistant: Assistant) -> Reports:
    return Reports(assistant)


def test_a_deadline_is_judged_on_the_day_the_work_was_finished(
    assistant: Assistant, reports: Reports
) -> None:
    with session_scope(assistant.sessions) as session:
        session.get_one(Duty, (DIRECTIVE, "2.f-4")).effective_due = D(2026, 12, 4)
    # Both reported after the deadline; one finished before it.
    reports.add("h_que_vo", "2.f-4", "done", "2026-12-10", completed_on=D(2026, 12, 3))
    reports.add("tx_tu_son", "2.f-4", "done", "2026-12-10", completed_on=D(2026, 12, 8))
    reports.add("h_tien_du", "2.f-4", "done", "2026-12-10")  # before the question: the 10th
    # Work finished in 2019 and reported only now counts for its 2019 deadline.
    reports.add("snv", "1.c-1", "done", "2026-12-10", completed_on=D(2019, 12, 20))
    reports.add("stc", "1.c-1", "done", "2026-12-10", completed_on=D(2020, 1, 6))
    digest = digest_of(assistant, "h_que_vo", "tx_tu_son", "h_tien_du", "snv", "stc")
    assert rows(digest, "2.f-4") == {
        "h_que_vo": ("", "on_time", D(2026, 12, 3)),
        "tx_tu_son": ("", "late_done", D(2026, 12, 8)),
        "h_tien_du": ("", "late_done", D(2026, 12, 10)),
    }
    migration = rows(digest, "1.c-1")  # every sở's and district's duty
    assert migration["snv"] == ("", "on_time", D(2019, 12, 20))
    assert migration["stc"] == ("", "late_done", D(2020, 1, 6))


def test_a_late_annual_task_reported_now_is_last_years(
    assistant: Assistant, reports: Reports
) -> None:
    # Sở Tài chính finished 2026's proposal (due 15/7/2026) in December: late, and not
    # next year's (due 15/7/2027) done early.
    reports.add("stc", ANNUAL, "done", "2026-12-01", completed_on=D(2026, 12, 1))
    # Sở KH&ĐT finished 2026's on time, and 2027's already.
    reports.add("skhdt", ANNUAL, "done", "2026-07-10", completed_on=D(2026, 7, 10))
    reports.add("skhdt", ANNUAL, "done", "2026-12-01", completed_on=D(2026, 12, 1))
    digest = digest_of(assistant, "stc", "skhdt")
    assert rows(digest, ANNUAL) == {
        "stc": ("năm 2026", "late_done", D(2026, 12, 1)),
        "skhdt": ("năm 2027", "on_time", D(2026, 12, 1)),
    }
    with session_scope(assistant.sessions) as session:
        world = load_world(session, assistant.core.qa.catalog, NudgeSettings())
    states = duty_states(
        NOW.date(),
        [p for p in world.plans if p.shown_id == ANNUAL],
        world.reports,
        world.calendar,
        NudgeSettings(),
    )
    settled = {(s.agency_id, s.occurrence.label): s.satisfied for s in states}
    assert settled == {
        ("stc", "năm 2026"): True,
        ("stc", "năm 2027"): False,  # still to do: its reminders will come in 2027
        ("skhdt", "năm 2026"): True,
        ("skhdt", "năm 2027"): True,
    }
    # A report on the next period after the late one: the digest moves on to it.
    reports.add("stc", ANNUAL, "in_progress", "2026-12-10")
    assert rows(digest_of(assistant, "stc"), ANNUAL) == {"stc": ("năm 2027", "open", None)}


def test_a_corrected_report_settles_nothing(assistant: Assistant, reports: Reports) -> None:
    # Q3 reported done, finished 20/10 (late); corrected with /sua: finished 5/10.
    wrong = reports.add("sttt", QUARTERLY, "done", "2026-10-20", completed_on=D(2026, 10, 20))
    reports.add(
        "sttt", QUARTERLY, "done", "2026-10-21", completed_on=D(2026, 10, 5), replaces_id=wrong
    )
    with session_scope(assistant.sessions) as session:
        world = load_world(session, assistant.core.qa.catalog, NudgeSettings())
    view = world.reports[("sttt", key(QUARTERLY))]
    assert (view.completed_on, view.earlier_done) == (D(2026, 10, 5), ())
    # Q3 on time; Q4 not settled by the report the correction replaced.
    assert rows(digest_of(assistant, "sttt"), QUARTERLY) == {
        "sttt": ("quý IV/2026", "unreported", None)
    }
    # Corrected once more, to "not done": Q3 is open again, and late.
    reports.add("sttt", QUARTERLY, "in_progress", "2026-10-22", replaces_id=wrong + 1)
    assert rows(digest_of(assistant, "sttt"), QUARTERLY) == {
        "sttt": ("quý III/2026", "overdue", None)
    }


def quarterly_plan() -> DutyPlan:
    return DutyPlan(
        QUARTERLY, "Báo cáo quý", "Mục 2.b", "recurring", "quarterly", agencies=("sttt",)
    )


@pytest.mark.parametrize(
    ("latest", "earlier", "expected"),
    [
        # Each quarter's own report, on time.
        (
            D(2027, 1, 6),
            (D(2026, 10, 5),),
            [Settled(D(2026, 10, 5), False), Settled(D(2027, 1, 6), True)],
        ),
        # One report after Q3's deadline, Q3 unsettled: Q3's, late; Q4 still to do.
        (D(2027, 1, 6), (), [Settled(D(2027, 1, 6), True), None]),
        # Q3 late, then Q4 on time.
        (
            D(2027, 1, 6),
            (D(2026, 10, 20),),
            [Settled(D(2026, 10, 20), False), Settled(D(2027, 1, 6), True)],
        ),
        # Work finished before Q3's period began settles neither.
        (D(2026, 6, 1), (), [None, None]),
        # Two done reports inside Q3's period: Q3 takes the first; the second is not Q4's.
        (D(2026, 10, 6), (D(2026, 9, 1),), [Settled(D(2026, 9, 1), False), None]),
    ],
)
def test_each_done_report_settles_one_period(
    calendar: WorkingCalendar,
    latest: D,
    earlier: tuple[D, ...],
    expected: list[Settled | None],
) -> None:
    occurrences = DeadlineRules(calendar, NudgeSettings()).occurrences(
        quarterly_plan(), D(2027, 1, 7)
    )
    assert [o.label for o in occurrences] == ["quý III/2026", "quý IV/2026"]
    report = ReportView("done", 100, at("2027-01-07"), completed_on=latest, earlier_done=earlier)
    assert settle(occurrences, report, calendar) == expected


def test_a_report_made_before_the_question_was_asked_is_finished_the_day_it_was_made(
    calendar: WorkingCalendar,
) -> None:
    made = at("2026-10-05", "23:30")  # the local day, not UTC's
    assert ReportView("done", 100, made).finished_on(calendar) == D(2026, 10, 5)
    assert ReportView("in_progress", 50, made).finished_on(calendar) is None
    assert ReportView("done", 100, made, completed_on=D(2026, 9, 1)).finished_on(calendar) == D(
        2026, 9, 1
    )


def test_a_late_annual_report_keeps_its_period_a_year_on(
    assistant: Assistant, reports: Reports
) -> None:
    # Sở Tài chính finished 2026's proposal (due 15/7/2026) in December: late. A year on,
    # 2026's period is out of sight; the report must not pass for 2027's, on time.
    reports.add("stc", ANNUAL, "done", "2026-12-01", completed_on=D(2026, 12, 1))
    next_year = at("2027-12-14", "09:00")
    # Saved without its period (before migration 0018): the old rule's hole, 2027's
    # period settled (the digest moved on to 2028's).
    assert settled_periods(assistant, next_year) == {"năm 2027": True, "năm 2028": False}
    assert rows(digest_of(assistant, "stc", now=next_year), ANNUAL)["stc"][0] == "năm 2028"
    with session_scope(assistant.sessions) as session:
        assert fill_periods(session, assistant.core.qa.catalog, NudgeSettings()) == 1
        assert fill_periods(session, assistant.core.qa.catalog, NudgeSettings()) == 0
    # Filled by the rule of the day it was saved: 2026's, late; 2027's is still undone.
    assert rows(digest_of(assistant, "stc"), ANNUAL)["stc"][:2] == ("năm 2026", "late_done")
    assert settled_periods(assistant, next_year) == {"năm 2027": False, "năm 2028": False}
    assert rows(digest_of(assistant, "stc", now=next_year), ANNUAL) == {
        "stc": ("năm 2027", "unreported_late", None)
    }
    # 2027's own report, saved as the dialog saves it, settles 2027's period.
    with session_scope(assistant.sessions) as session:
        saved = add_report(
            session,
            assistant.core.qa.catalog,
            NudgeSettings(),
            ProgressReport(
                directive_id=DIRECTIVE,
                duty_id=ANNUAL,
                agency_id="stc",
                user_id=reports.user_id,
                status="done",
                percent=100,
                completed_on=D(2027, 7, 1),
                created_at=at("2027-07-01", "10:00"),
            ),
        )
        assert saved.period_due == D(2027, 7, 15)
    assert settled_periods(assistant, next_year) == {"năm 2027": True, "năm 2028": False}


def settled_periods(assistant: Assistant, now: dt.datetime) -> dict[str, bool]:
    """Sở Tài chính's periods of the annual duty on `now`: settled or not."""
    with session_scope(assistant.sessions) as session:
        world = load_world(session, assistant.core.qa.catalog, NudgeSettings())
    plans = [p for p in world.plans if p.shown_id == ANNUAL]
    states = duty_states(now.date(), plans, world.reports, world.calendar, NudgeSettings())
    return {s.occurrence.label: s.satisfied for s in states if s.agency_id == "stc"}


def test_a_report_saved_with_its_period_settles_only_that_one(calendar: WorkingCalendar) -> None:
    occurrences = DeadlineRules(calendar, NudgeSettings()).occurrences(
        quarterly_plan(), D(2027, 1, 7)
    )
    # Finished in Q4's period but stored as Q3's (it was saved while Q3 was open).
    report = ReportView("done", 100, at("2026-12-01"), period_due=occurrences[0].due)
    assert settle(occurrences, report, calendar) == [Settled(D(2026, 12, 1), True), None]
    # Stored as a period now out of sight: it settles neither.
    elsewhere = ReportView("done", 100, at("2026-12-01"), period_due=D(2026, 7, 7))
    assert settle(occurrences, elsewhere, calendar) == [None, None]
