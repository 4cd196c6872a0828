"""The working calendar (Asia/Ho_Chi_Minh): working days, hours and slots.

A working day is Monday to Friday, not a Vietnamese public holiday (the `holidays`
package's Vietnam calendar: Tết, Giỗ Tổ, 30/4, 1/5, 2/9 and the days the Government
moves around them, with its make-up Saturdays), unless an admin says otherwise: the
`calendar_days` table holds make-up working days and extra days off
(`bot calendar add-workday/add-dayoff DATE`), which win over everything else.

Counting convention: `working_days_between(a, b)` counts the working days d with
a < d <= b, so "3 working days before the deadline D" is the day R with
working_days_between(R, D) == 3, i.e. `add_working_days(D, -3)`.

Counting and stepping work from FIRST_DAY to LAST_DAY and raise `DateOutOfRange`
outside: the `holidays` package knows Vietnam's lunar holidays (Tết, Giỗ Tổ) up to
2100 only, so past it every Tết would silently be a working day; and a stored typo (a
year 0026 or 9999) must fail fast and by name, not count thousands of years (or step
past 31/12/9999 into an OverflowError).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property
from zoneinfo import ZoneInfo

from bot.config import NudgeSettings

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)  # the last year of the `holidays` package's lunar tables


class DateOutOfRange(ValueError):
    """A day the working calendar cannot count (before FIRST_DAY or after LAST_DAY)."""

    def __init__(self, day: dt.date) -> None:
        super().__init__(
            f"{day.isoformat()} is outside the working calendar ({FIRST_DAY}..{LAST_DAY})"
        )
        self.day = day


def check_in_range(day: dt.date) -> dt.date:
    """`day`, or DateOutOfRange when the calendar cannot count it."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DateOutOfRange(day)
    return day


class WorkingCalendar:
    def __init__(
        self,
        extra_workdays: Iterable[dt.date] = (),
        extra_days_off: Iterable[dt.date] = (),
        work_start: dt.time = dt.time(8, 0),
        work_end: dt.time = dt.time(17, 0),
        tz: ZoneInfo = TIMEZONE,
    ) -> None:
        self.extra_workdays = frozenset(extra_workdays)
        self.extra_days_off = frozenset(extra_days_off) - self.extra_workdays
        self.work_start = work_start
        self.work_end = work_end
        self.tz = tz
        self._holidays: dict[int, dict[dt.date, str]] = {}
        self._makeup: dict[int, frozenset[dt.date]] = {}
        self._cumulative: dict[int, list[int]] = {}  # per year: working days up to each day

    @classmethod
    def from_settings(
        cls,
        settings: NudgeSettings,
        extra_workdays: Iterable[dt.date] = (),
        extra_days_off: Iterable[dt.date] = (),
    ) -> WorkingCalendar:
        return cls(extra_workdays, extra_days_off, settings.work_start, settings.work_end)

    # --- days --------------------------------------------------------------------------
    def _load_year(self, year: int) -> None:
        import holidays  # ~40 ms: only when a calendar is first used

        vietnam = holidays.country_holidays("VN", years=year, language="vi")
        self._holidays[year] = {d: str(name) for d, name in vietnam.items() if d.year == year}
        makeup: set[dt.date] = getattr(vietnam, "weekend_workdays", set())
        self._makeup[year] = frozenset(d for d in makeup if d.year == year)

    def holiday_name(self, day: dt.date) -> str | None:
        if day.year not in self._holidays:
            self._load_year(day.year)
        return self._holidays[day.year].get(day)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_days_off:
            return False
        if day.year not in self._makeup:
            self._load_year(day.year)
        if day in self._makeup[day.year]:
            return True
        return day.weekday() < 5 and self.holiday_name(day) is None

    def why_not_working(self, day: dt.date) -> str | None:
        """None for a working day; else the reason, in Vietnamese (for previews)."""
        if self.is_working_day(day):
            return None
        if day in self.extra_days_off:
            return "ngày nghỉ do quản trị viên khai báo"
        name = self.holiday_name(day)
        if name:
            return f"ngày lễ ({name})"
        return "cuối tuần"

    def _cumulative_of(self, year: int) -> list[int]:
        counts = self._cumulative.get(year)
        if counts is None:
            counts, total = [], 0
            day = dt.date(year, 1, 1)
            while day.year == year:
                total += self.is_working_day(day)
                counts.append(total)
                day += dt.timedelta(days=1)
            self._cumulative[year] = counts
        return counts

    def _through(self, day: dt.date) -> int:
        """Working days from 1/1 of `day`'s year up to and including `day`."""
        return self._cumulative_of(check_in_range(day).year)[day.timetuple().tm_yday - 1]

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days d with a < d <= b (negative when b is before a). Counts only the
        years from a to b: the cost grows with the span, never with the distance from
        any fixed epoch."""
        if b < a:
            return -self.working_days_between(b, a)
        before, through = self._through(a), self._through(b)  # both in range, first
        whole_years = sum(self._cumulative_of(year)[-1] for year in range(a.year, b.year))
        return whole_years + through - before

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The day n working days after `day` (before it when n < 0); n == 0: `day` itself."""
        step = dt.timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        check_in_range(day)
        while remaining:
            day = check_in_range(day + step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def roll_forward(self, day: dt.date) -> dt.date:
        """`day` if it is a working day, else the next one. (A deadline that falls on a
        day off ends on the next working day: Bộ luật Dân sự 2015, Điều 148.)"""
        while not self.is_working_day(check_in_range(day)):
            day += dt.timedelta(days=1)
        return day

    def roll_back(self, day: dt.date) -> dt.date:
        while not self.is_working_day(check_in_range(day)):
            day -= dt.timedelta(days=1)
        return day

    def working_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The working days from `start` to `end`, both included."""
        days, day = [], start
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    # --- times -------------------------------------------------------------------------
    def local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError(f"naive datetime {moment!r}: pass a timezone-aware datetime")
        return moment.astimezone(self.tz)

    def today(self, now: dt.datetime) -> dt.date:
        return self.local(now).date()

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz)

    def start_of(self, day: dt.date) -> dt.datetime:
        return self.at(day, self.work_start)

    def is_working_time(self, moment: dt.datetime) -> bool:
        local = self.local(moment)
        return self.is_working_day(local.date()) and self.work_start <= local.time() < self.work_end

    def next_working_slot(self, moment: dt.datetime) -> dt.datetime:
        """`moment` if it is in working hours, else the start of the next working time."""
        local = self.local(moment)
        day = local.date()
        if self.is_working_day(day):
            if local.time() < self.work_start:
                return self.start_of(day)
            if local.time() < self.work_end:
                return local
        return self.start_of(self.roll_forward(day + dt.timedelta(days=1)))

    @cached_property
    def description(self) -> str:
        return (
            f"giờ làm việc {self.work_start:%H:%M}–{self.work_end:%H:%M}, thứ Hai–thứ Sáu, "
            f"trừ ngày lễ; {len(self.extra_workdays)} ngày làm bù, "
            f"{len(self.extra_days_off)} ngày nghỉ thêm do quản trị viên khai báo"
        )
