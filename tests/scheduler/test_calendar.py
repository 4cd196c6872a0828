"""The working calendar: weekends, Vietnamese holidays (Tết, 2/9), admins' exceptions."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bot.application.calendar import load_calendar, set_day
from bot.cli import main
from bot.config import NudgeSettings
from bot.domain.calendar import FIRST_DAY, LAST_DAY, DateOutOfRange, WorkingCalendar
from bot.storage.db import make_engine, make_session_factory, session_scope, upgrade
from tests.scheduler.conftest import at

D = dt.date

TET_2027 = [D(2027, 2, d) for d in range(4, 11)]  # 29 Tết .. mùng 5 (Thu 4/2 .. Wed 10/2)


def test_tet_2027_and_national_day_are_days_off(calendar: WorkingCalendar) -> None:
    for day in TET_2027:
        assert not calendar.is_working_day(day), day
    assert calendar.is_working_day(D(2027, 2, 3))  # Wednesday before Tết
    assert calendar.is_working_day(D(2027, 2, 11))  # Thursday after
    assert not calendar.is_working_day(D(2027, 9, 2))  # Quốc khánh (Thursday)
    assert not calendar.is_working_day(D(2027, 9, 3))  # and the day after
    assert not calendar.is_working_day(D(2026, 9, 2))
    assert calendar.why_not_working(D(2027, 9, 2)) == "ngày lễ (Quốc khánh)"
    assert calendar.why_not_working(D(2027, 2, 6)) == "ngày lễ (Tết Nguyên Đán)"
    assert calendar.why_not_working(D(2027, 2, 13)) == "cuối tuần"


def test_weekends_and_the_governments_makeup_saturday(calendar: WorkingCalendar) -> None:
    assert not calendar.is_working_day(D(2026, 11, 28))  # Saturday
    assert not calendar.is_working_day(D(2026, 11, 29))  # Sunday
    assert calendar.is_working_day(D(2026, 11, 30))
    # 2026: 31/8 is a day off, made up on Saturday 22/8 (in the holidays package).
    assert not calendar.is_working_day(D(2026, 8, 31))
    assert calendar.is_working_day(D(2026, 8, 22))


def test_admin_exceptions_win() -> None:
    cal = WorkingCalendar(extra_workdays=[D(2027, 2, 6)], extra_days_off=[D(2027, 2, 11)])
    assert cal.is_working_day(D(2027, 2, 6))  # a Saturday in Tết, declared a working day
    assert not cal.is_working_day(D(2027, 2, 11))


def test_counting_working_days_across_tet(calendar: WorkingCalendar) -> None:
    # Wed 3/2/2027 -> next working day is Thu 11/2 (Tết in between).
    assert calendar.add_working_days(D(2027, 2, 3), 1) == D(2027, 2, 11)
    assert calendar.add_working_days(D(2027, 2, 11), -1) == D(2027, 2, 3)
    assert calendar.add_working_days(D(2027, 2, 19), -7) == D(2027, 2, 3)
    assert calendar.add_working_days(D(2027, 2, 19), 0) == D(2027, 2, 19)
    assert calendar.working_days_between(D(2027, 2, 3), D(2027, 2, 19)) == 7
    assert calendar.working_days_between(D(2027, 2, 19), D(2027, 2, 3)) == -7
    assert calendar.working_days_between(D(2027, 2, 5), D(2027, 2, 9)) == 0
    # Around 2/9/2027 (Thursday, Friday off): Wed 1/9 + 1 working day = Mon 6/9.
    assert calendar.add_working_days(D(2027, 9, 1), 1) == D(2027, 9, 6)
    for a, n in [(D(2026, 1, 5), 40), (D(2027, 1, 20), 25), (D(2027, 8, 20), 12)]:
        assert calendar.working_days_between(a, calendar.add_working_days(a, n)) == n


def test_counting_across_years_matches_counting_day_by_day(calendar: WorkingCalendar) -> None:
    rng = random.Random(6)
    for _ in range(40):
        a = D(2019, 1, 1) + dt.timedelta(days=rng.randrange(12 * 365))
        b = a + dt.timedelta(days=rng.randrange(3 * 365))
        expected = len(calendar.working_days(a + dt.timedelta(days=1), b))
        assert calendar.working_days_between(a, b) == expected, (a, b)
        assert calendar.working_days_between(b, a) == -expected, (a, b)


@pytest.mark.parametrize("day", [D(1, 1, 1), D(26, 12, 31), D(1999, 12, 31), D(2101, 1, 1)])
def test_days_outside_the_calendar_are_refused_by_name(
    calendar: WorkingCalendar, day: dt.date
) -> None:
    """A stored typo fails at once and says which day (the tick reports it), instead of
    counting from year 1 or stepping past 31/12/9999 into an OverflowError."""
    with pytest.raises(DateOutOfRange) as refused:
        calendar.working_days_between(D(2026, 12, 1), day)
    assert refused.value.day == day
    for call in (calendar.roll_forward, calendar.roll_back):
        with pytest.raises(DateOutOfRange):
            call(day)
    with pytest.raises(DateOutOfRange):
        calendar.add_working_days(day, 3)


def test_the_calendars_edges(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_between(FIRST_DAY, LAST_DAY) > 100 * 240
    with pytest.raises(DateOutOfRange):  # 31/12/2100 is a Friday: Monday is past the end
        calendar.add_working_days(LAST_DAY, 1)
    with pytest.raises(DateOutOfRange):
        calendar.roll_forward(D(9999, 12, 31))  # checked before any step (no OverflowError)
    assert calendar.add_working_days(FIRST_DAY + dt.timedelta(days=10), -3) >= FIRST_DAY


def test_next_working_slot(calendar: WorkingCalendar) -> None:
    assert calendar.next_working_slot(at("2026-12-01", "10:15")) == at("2026-12-01", "10:15")
    assert calendar.next_working_slot(at("2026-12-01", "06:00")) == at("2026-12-01", "08:00")
    assert calendar.next_working_slot(at("2026-12-01", "17:00")) == at("2026-12-02", "08:00")
    assert calendar.next_working_slot(at("2026-12-04", "18:30")) == at("2026-12-07", "08:00")
    assert calendar.next_working_slot(at("2027-02-03", "17:30")) == at("2027-02-11", "08:00")
    assert calendar.next_working_slot(at("2027-09-01", "20:00")) == at("2027-09-06", "08:00")
    utc = dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.UTC)  # 07:30 in Hà Nội
    assert calendar.next_working_slot(utc) == at("2026-12-01", "08:00")
    assert not calendar.is_working_time(at("2026-12-01", "12:00").replace(hour=17))
    with pytest.raises(ValueError):
        calendar.next_working_slot(dt.datetime(2026, 12, 1, 9))


def test_working_hours_come_from_settings() -> None:
    settings = NudgeSettings.from_env({"WORK_HOURS": "07:30-16:30"})
    cal = WorkingCalendar.from_settings(settings)
    assert cal.next_working_slot(at("2026-12-01", "07:00")) == at("2026-12-01", "07:30")
    assert cal.next_working_slot(at("2026-12-01", "16:45")) == at("2026-12-02", "07:30")


def test_calendar_days_table_and_cli(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/cal.db"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["calendar", "add-workday", "2027-02-06", "--note", "làm bù"]) == 0
    assert main(["calendar", "add-dayoff", "2026-12-31"]) == 0
    assert main(["calendar", "add-dayoff"]) == 2
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        cal = load_calendar(session, NudgeSettings())
        assert cal.is_working_day(D(2027, 2, 6))
        assert not cal.is_working_day(D(2026, 12, 31))
        set_day(session, D(2026, 12, 31), "workday")
        assert load_calendar(session, NudgeSettings()).is_working_day(D(2026, 12, 31))
    assert main(["calendar", "remove", "2026-12-31"]) == 0
    assert main(["calendar", "list", "--year", "2027"]) == 0
    engine.dispose()
