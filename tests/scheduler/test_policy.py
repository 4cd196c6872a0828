"""The nudge policy, by time travel: a tick every day of a simulated quarter, with the
outbox's unique key as the only memory between ticks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.application.scheduler.policy import DueMessage, Recipient, ReportView, due_messages
from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar
from bot.domain.deadlines import DeadlineRules, DutyPlan, stated_month_day, stated_quarter_day
from tests.scheduler.conftest import at

D = dt.date
OFFICIAL = Recipient(1, "h_que_vo", "official", "telegram", "101", "Cán bộ A")
COLLEAGUE = Recipient(2, "h_que_vo", "official", "telegram", "102", "Cán bộ B")
MANAGER = Recipient(3, "h_que_vo", "manager", "telegram", "103", "Lãnh đạo huyện")
PROVINCE = Recipient(4, "ubnd_tinh", "manager", "telegram", "104", "Lãnh đạo tỉnh")
OTHER = Recipient(5, "tx_tu_son", "official", "telegram", "105", "Cán bộ Từ Sơn")
USERS = (OFFICIAL, COLLEAGUE, MANAGER, PROVINCE, OTHER)


def plan(due: D | None, agencies: Sequence[str] = ("h_que_vo",), **kw: object) -> DutyPlan:
    return DutyPlan(
        duty_id=str(kw.pop("duty_id", "2.f-4")),
        title="Lập danh sách cán bộ phụ trách CNTT cấp xã",
        clause_label="Mục 2.f",
        timing_kind=str(kw.pop("timing_kind", "deadline")),
        due=due,
        agencies=tuple(agencies),
        **kw,  # type: ignore[arg-type]
    )


def days(start: D, end: D) -> Iterable[D]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def simulate(
    plans: Sequence[DutyPlan],
    calendar: WorkingCalendar,
    settings: NudgeSettings,
    start: D,
    end: D,
    users: Sequence[Recipient] = USERS,
    reports: dict[D, dict[tuple[str, str], ReportView]] | None = None,
    snoozes: dict[tuple[int, str], dt.datetime] | None = None,
    times: Sequence[str] = ("07:00", "09:00", "16:59", "21:00"),
) -> list[DueMessage]:
    """Tick several times every calendar day; keep each key once, like the outbox."""
    sent: dict[tuple[int, str, D, str], DueMessage] = {}
    current: dict[tuple[str, str], ReportView] = {}
    for day in days(start, end):
        current.update((reports or {}).get(day, {}))
        for time in times:
            result = due_messages(
                at(day.isoformat(), time), plans, current, users, snoozes or {}, calendar, settings
            )
            for message in result.messages:
                sent.setdefault(message.key, message)
    return sorted(sent.values(), key=lambda m: (m.not_before, m.recipient.user_id, m.kind))


def schedule(messages: Iterable[DueMessage], user: Recipient = OFFICIAL) -> list[tuple[D, str]]:
    return [(m.not_before.date(), m.kind) for m in messages if m.recipient.user_id == user.user_id]


def test_a_quarter_around_tet_2027(calendar: WorkingCalendar, settings: NudgeSettings) -> None:
    """Deadline Friday 19/2/2027, a week after Tết (4-10/2): ladders skip Tết and weekends."""
    messages = simulate([plan(D(2027, 2, 19))], calendar, settings, D(2027, 1, 1), D(2027, 3, 31))
    assert schedule(messages) == [
        (D(2027, 1, 25), "remind-14"),
        (D(2027, 2, 3), "remind-7"),  # the last working day before Tết
        (D(2027, 2, 16), "remind-3"),
        (D(2027, 2, 18), "remind-1"),
        (D(2027, 2, 19), "due"),
        (D(2027, 2, 24), "overdue-3"),
        (D(2027, 3, 1), "overdue-6"),
        (D(2027, 3, 4), "overdue-9"),
        (D(2027, 3, 9), "overdue-12"),
        (D(2027, 3, 12), "overdue-15"),
        (D(2027, 3, 17), "overdue-18"),
        (D(2027, 3, 22), "overdue-21"),
        (D(2027, 3, 25), "overdue-24"),
        (D(2027, 3, 30), "overdue-27"),
    ]
    assert schedule(messages, MANAGER) == [
        *[(d, k) for d, k in schedule(messages) if d < D(2027, 2, 26)],
        (D(2027, 2, 26), "escalate-manager"),
        *[(d, k) for d, k in schedule(messages) if d >= D(2027, 2, 26)],
    ]
    assert schedule(messages, PROVINCE) == [(D(2027, 3, 5), "escalate-province")]
    assert schedule(messages, OTHER) == []
    for message in messages:  # everything at 08:00 on a working day, or later that day
        assert calendar.is_working_time(message.not_before)
        assert calendar.local(message.not_before).time() == dt.time(8, 0)
    tet = {D(2027, 2, d) for d in range(4, 11)}
    assert not {m.not_before.date() for m in messages} & tet


def test_national_day_2027_is_skipped(calendar: WorkingCalendar, settings: NudgeSettings) -> None:
    """Deadline Monday 6/9/2027; 2/9 and 3/9 are days off."""
    messages = simulate([plan(D(2027, 9, 6))], calendar, settings, D(2027, 8, 1), D(2027, 9, 10))
    assert schedule(messages) == [
        (D(2027, 8, 13), "remind-14"),
        (D(2027, 8, 24), "remind-7"),
        (D(2027, 8, 30), "remind-3"),
        (D(2027, 9, 1), "remind-1"),
        (D(2027, 9, 6), "due"),
        (D(2027, 9, 9), "overdue-3"),
    ]


def test_a_deadline_on_a_day_off_ends_on_the_next_working_day(
    calendar: WorkingCalendar, settings: NudgeSettings
) -> None:
    messages = simulate([plan(D(2027, 2, 6))], calendar, settings, D(2027, 2, 1), D(2027, 2, 12))
    due = [m for m in messages if m.kind == "due" and m.recipient == OFFICIAL]
    assert [m.not_before.date() for m in due] == [D(2027, 2, 11)]
    assert due[0].key[2] == D(2027, 2, 6)  # keyed on the date as written
    assert "6/2/2027 là ngày nghỉ" in due[0].reason


def test_a_done_report_stops_the_reminders(
    calendar: WorkingCalendar, settings: NudgeSettings
) -> None:
    done = ReportView("done", 100, at("2027-02-17", "10:00"))
    partial = ReportView("in_progress", 50, at("2027-02-12", "10:00"))
    messages = simulate(
        [plan(D(2027, 2, 19))],
        calendar,
        settings,
        D(2027, 2, 1),
        D(2027, 3, 31),
        reports={
            D(2027, 2, 12): {("h_que_vo", "2.f-4"): partial},
            D(2027, 2, 17): {("h_que_vo", "2.f-4"): done},
        },
    )
    assert schedule(messages) == [(D(2027, 2, 3), "remind-7"), (D(2027, 2, 16), "remind-3")]
    assert "báo cáo gần nhất: đang thực hiện 50%" in messages[-1].reason


def test_group_duties_reach_every_member_agency(
    calendar: WorkingCalendar, settings: NudgeSettings
) -> None:
    group = plan(D(2027, 2, 19), agencies=("h_que_vo", "tx_tu_son", "h_gia_binh"))
    blocked = Recipient(6, "h_gia_binh", "official", "telegram", "106", blocked=True)
    result = due_messages(at("2027-02-19"), [group], {}, [*USERS, blocked], {}, calendar, settings)
    assert {m.recipient.user_id for m in result.messages} == {1, 2, 3, 5}
    assert [n.agencies for n in result.unreached] == [("h_gia_binh",)]
    # Province escalation: one message listing every late agency.
    later = due_messages(at("2027-03-05"), [group], {}, USERS, {}, calendar, settings)
    province = [m for m in later.messages if m.kind == "escalate-province"]
    assert len(province) == 1 and province[0].recipient == PROVINCE
    assert province[0].nudge.agencies == ("h_que_vo", "tx_tu_son", "h_gia_binh")


def test_snooze_holds_reminders_then_follows_up(
    calendar: WorkingCalendar, settings: NudgeSettings
) -> None:
    """Snoozed on the remind-3 day (Tue 16/2 10:00) for 3 working days: until Fri 19/2 10:00."""
    snoozes = {(OFFICIAL.user_id, "2.f-4"): at("2027-02-19", "10:00")}
    messages = simulate(
        [plan(D(2027, 2, 19))],
        calendar,
        settings,
        D(2027, 2, 16),
        D(2027, 2, 24),
        snoozes=snoozes,
        times=("09:00", "10:00", "11:00"),
    )
    assert schedule(messages) == [
        (D(2027, 2, 19), "snooze-20270219"),  # instead of that morning's "due"
        (D(2027, 2, 24), "overdue-3"),
    ]
    assert schedule(messages, COLLEAGUE)[:3] == [
        (D(2027, 2, 16), "remind-3"),
        (D(2027, 2, 18), "remind-1"),
        (D(2027, 2, 19), "due"),
    ]
    first = next(m for m in messages if m.recipient == OFFICIAL)
    assert first.not_before == at("2027-02-19", "10:00")


def test_snooze_follow_up_when_no_step_is_due(
    calendar: WorkingCalendar, settings: NudgeSettings
) -> None:
    """Snoozed on remind-7 (3/2) for one day: Tết in between, the follow-up is on 11/2."""
    snoozes = {(OFFICIAL.user_id, "2.f-4"): at("2027-02-11", "09:30")}
    messages = simulate(
        [plan(D(2027, 2, 19))],
        calendar,
        settings,
        D(2027, 2, 3),
        D(2027, 2, 12),
        snoozes=snoozes,
        times=("09:00", "10:00"),
    )
    assert schedule(messages) == [(D(2027, 2, 11), "snooze-20270211")]
    follow_up = next(m for m in messages if m.recipient == OFFICIAL)
    assert follow_up.not_before == at("2027-02-11", "10:00")  # the first tick after 09:30
    assert "nhắc lại theo hẹn: còn 6 ngày làm việc" in follow_up.reason


def test_outside_working_time_waits_for_the_next_slot(
    calendar: WorkingCalendar, settings: NudgeSettings
) -> None:
    late = due_messages(
        at("2027-02-18", "18:00"), [plan(D(2027, 2, 19))], {}, USERS, {}, calendar, settings
    )
    assert {m.not_before for m in late.messages} == {at("2027-02-19", "08:00")}
    weekend = due_messages(
        at("2027-02-20", "10:00"), [plan(D(2027, 2, 19))], {}, USERS, {}, calendar, settings
    )
    # Saturday: the "due" step of Friday is caught up on Monday morning (the outbox
    # already holds it if Friday's ticks ran; the key is the same).
    assert {(m.kind, m.not_before) for m in weekend.messages} == {
        ("due", at("2027-02-22", "08:00"))
    }


def test_catch_up_is_limited(calendar: WorkingCalendar, settings: NudgeSettings) -> None:
    """After downtime only the current step goes out, and only for `catch_up_days`."""
    p = plan(D(2027, 2, 19))
    kinds = {
        m.kind
        for m in due_messages(at("2027-02-15"), [p], {}, USERS, {}, calendar, settings).messages
    }
    assert kinds == set()  # remind-7 was on 3/2: 3 working days ago (Tết between)
    kinds = {
        m.kind
        for m in due_messages(at("2027-02-17"), [p], {}, USERS, {}, calendar, settings).messages
    }
    assert kinds == {"remind-3"}


def test_continuous_duties_get_a_monthly_check_in(
    calendar: WorkingCalendar, settings: NudgeSettings
) -> None:
    continuous = plan(None, timing_kind="continuous", duty_id="1.e-3")
    messages = simulate([continuous], calendar, settings, D(2027, 1, 1), D(2027, 3, 31))
    # The last working day of January is Fri 29/1; three working days before: 26/1.
    # February: Fri 26/2 -> 23/2. March: Wed 31/3 -> 26/3.
    assert schedule(messages) == [
        (D(2027, 1, 26), "checkin"),
        (D(2027, 2, 23), "checkin"),
        (D(2027, 3, 26), "checkin"),
    ]
    assert PROVINCE.user_id not in {m.recipient.user_id for m in messages}  # no escalation
    # Several continuous duties: still one check-in per user and period, listing them.
    other = plan(None, timing_kind="continuous", duty_id="1.f-5")
    both = simulate([continuous, other], calendar, settings, D(2027, 1, 1), D(2027, 1, 31))
    assert schedule(both) == [(D(2027, 1, 26), "checkin")]
    mine = next(m for m in both if m.recipient == OFFICIAL)
    assert mine.key[1] == "*checkin"
    assert [p.duty_id for p in mine.nudge.duties] == ["1.e-3", "1.f-5"]
    reported = {
        D(2027, 2, 10): {("h_que_vo", "1.e-3"): ReportView("in_progress", 40, at("2027-02-11"))}
    }
    messages = simulate(
        [continuous], calendar, settings, D(2027, 1, 1), D(2027, 3, 31), reports=reported
    )
    assert schedule(messages) == [(D(2027, 1, 26), "checkin"), (D(2027, 3, 26), "checkin")]


def test_recurring_rules(calendar: WorkingCalendar, settings: NudgeSettings) -> None:
    rules = DeadlineRules(calendar, settings)
    quarterly = plan(None, timing_kind="recurring", recurrence="quarterly", duty_id="2.b-3")
    # Q4/2026 ends Thu 31/12; working days after: 4/1 (1/1 is a holiday), 5, 6, 7, 8/1/2027.
    occurrences = rules.occurrences(quarterly, D(2027, 1, 2))
    assert [(o.due, o.label) for o in occurrences] == [
        (D(2026, 10, 7), "quý III/2026"),
        (D(2027, 1, 8), "quý IV/2026"),
    ]
    assert occurrences[1].period_start == D(2026, 10, 8)
    annual = plan(None, timing_kind="recurring", recurrence="annual", duty_id="2.c-1")
    assert [o.due for o in rules.occurrences(annual, D(2027, 3, 1))] == [
        D(2026, 7, 15),
        D(2027, 7, 15),
    ]
    # A done report for Q3 (made 5/10/2026) does not settle Q4.
    done_q3 = {("h_que_vo", "2.b-3"): ReportView("done", 100, at("2026-10-05"))}
    result = due_messages(at("2027-01-08"), [quarterly], done_q3, USERS, {}, calendar, settings)
    assert {m.kind for m in result.messages if m.recipient == OFFICIAL} == {"due"}
    # Q3 done on 5/10, then Q4 on 6/1: each report settles its own quarter.
    q3_then_q4 = ReportView("done", 100, at("2027-01-06"), earlier_done=(D(2026, 10, 5),))
    done_q4 = {("h_que_vo", "2.b-3"): q3_then_q4}
    result = due_messages(at("2027-01-08"), [quarterly], done_q4, USERS, {}, calendar, settings)
    assert result.messages == []
    # Q3 never reported: the one done report is Q3's, late; Q4 is still due.
    only_one = {("h_que_vo", "2.b-3"): ReportView("done", 100, at("2027-01-06"))}
    result = due_messages(at("2027-01-08"), [quarterly], only_one, USERS, {}, calendar, settings)
    assert {m.kind for m in result.messages if m.recipient == OFFICIAL} == {"due"}
    custom = NudgeSettings.from_env(
        {"NUDGE_QUARTERLY_WORKDAYS_AFTER": "0", "NUDGE_ANNUAL_DUE": "08-01"}
    )
    rules = DeadlineRules(calendar, custom)
    assert rules.occurrences(quarterly, D(2027, 1, 2))[1].due == D(2027, 3, 31)
    assert rules.occurrences(annual, D(2027, 3, 1))[1].due == D(2027, 8, 1)


def test_old_deadlines_stop_nagging(calendar: WorkingCalendar, settings: NudgeSettings) -> None:
    """The pack's 2019 deadlines: overdue reminders stop after 60 working days."""
    result = due_messages(
        at("2026-12-01"), [plan(D(2019, 5, 31))], {}, USERS, {}, calendar, settings
    )
    assert result.messages == []


class CountingCalendar(WorkingCalendar):
    """Records the years whose working days were counted, and whose holidays loaded."""

    def __init__(self) -> None:
        super().__init__()
        self.counted: set[int] = set()
        self.loaded: set[int] = set()

    def _cumulative_of(self, year: int) -> list[int]:
        self.counted.add(year)
        return super()._cumulative_of(year)

    def _load_year(self, year: int) -> None:
        self.loaded.add(year)
        super()._load_year(year)


def test_far_and_impossible_deadlines_cost_no_counting(settings: NudgeSettings) -> None:
    """The probe's year 9999 took 31-41 s a tick (every year since 2000 counted, twice
    for the digest); now a deadline past the horizon is not counted at all, and one
    outside the calendar is refused before anything is counted."""
    calendar = CountingCalendar()
    plans = [
        plan(D(2026, 12, 4)),
        plan(D(2100, 6, 15), duty_id="1.c-1"),
        plan(D(9999, 12, 31), duty_id="2.f-5"),
        plan(D(26, 12, 31), duty_id="2.f-6"),
    ]
    result = due_messages(at("2026-12-01"), plans, {}, USERS, {}, calendar, settings)
    assert {m.nudge.plan.duty_id for m in result.messages} == {"2.f-4"}
    assert [s.duty_id for s in result.skipped] == ["2.f-5", "2.f-6"]
    assert calendar.counted <= {2026, 2027}
    assert calendar.loaded <= {2026, 2027, 2100}  # 2100: is 15/6/2100 a working day?


def test_a_quarterly_duty_due_on_a_stated_day(
    calendar: WorkingCalendar, settings: NudgeSettings
) -> None:
    """ "trước ngày 15 của tháng cuối quý" is the 15th of the quarter's last month, not
    the 5th working day after it; "ngày 10 của tháng đầu quý sau" is after the quarter."""
    rules = DeadlineRules(calendar, settings)
    last_month = plan(
        None,
        timing_kind="recurring",
        recurrence="quarterly",
        timing_text="hằng quý báo cáo kết quả thực hiện trước ngày 15 của tháng cuối quý",
    )
    occurrences = rules.occurrences(last_month, D(2026, 10, 1))
    assert [(o.due, o.label) for o in occurrences] == [
        (D(2026, 9, 15), "quý III/2026"),
        (D(2026, 12, 15), "quý IV/2026"),
    ]
    after = replace(last_month, timing_text="hằng quý, chậm nhất ngày 10 của tháng đầu quý sau")
    # Q4/2026's report is due 10/1/2027 (a Sunday: the deadline is Monday 11/1).
    (q4,) = [o for o in rules.occurrences(after, D(2027, 1, 5)) if o.label == "quý IV/2026"]
    assert (q4.due, q4.deadline) == (D(2027, 1, 10), D(2027, 1, 11))
    assert stated_quarter_day("trước ngày 31 tháng giữa quý") == (2, 31)
    assert stated_quarter_day("hằng quý") is None


def test_a_monthly_duty_is_due_each_month_on_its_stated_day(
    calendar: WorkingCalendar, settings: NudgeSettings
) -> None:
    """ "hằng tháng" is a real recurrence: the month's last day, or the day stated
    ("trước ngày 20 hằng tháng"), so nudges and digests count it like a quarterly one."""
    rules = DeadlineRules(calendar, settings)
    monthly = plan(None, timing_kind="recurring", recurrence="monthly", timing_text="hằng tháng")
    assert [(o.due, o.label) for o in rules.occurrences(monthly, D(2026, 11, 10))] == [
        (D(2026, 10, 31), "tháng 10/2026"),
        (D(2026, 11, 30), "tháng 11/2026"),
    ]
    stated = replace(monthly, timing_text="hằng tháng báo cáo UBND tỉnh trước ngày 20")
    # 20/12/2026 is a Sunday: the report may come on Monday 21/12.
    (december,) = [o for o in rules.occurrences(stated, D(2026, 12, 1)) if o.due.month == 12]
    assert (december.due, december.deadline) == (D(2026, 12, 20), D(2026, 12, 21))
    assert stated_month_day("trước ngày 31 hằng tháng") == 31
    assert stated_month_day("hằng tháng, trước ngày 15/6/2021") is None
    # The one report (2/12) settles November, late: December is still due.
    late = {("h_que_vo", "2.f-4"): ReportView("done", 100, at("2026-12-02"))}
    result = due_messages(at("2026-12-21"), [stated], late, USERS, {}, calendar, settings)
    assert {m.kind for m in result.messages if m.recipient == OFFICIAL} == {"due"}


def test_a_reasons_report_status_is_the_chats_word_for_it() -> None:
    """The nudges' reasons name a report's status as the chat's labels do, lower-cased."""
    from bot.application.render import default_templates_dir
    from bot.domain.status import REPORT_WORDS
    from nlu.yaml_io import read_yaml

    labels = read_yaml(default_templates_dir() / "labels.yaml")["status"]
    assert {k: v.lower() for k, v in labels.items()} == REPORT_WORDS
