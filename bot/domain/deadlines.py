"""Effective deadlines: when each duty (and each period of a recurring one) is due.

Rules (documented in the README, configurable in `NudgeSettings`):

* **deadline** duties: the admin-set `duties.effective_due` when there is one (an
  extension, or the demo shift), else the pack's date.
* **recurring, quarterly** (e.g. Sở TT&TT's report to UBND tỉnh): the report on a
  quarter is due on the 5th working day after the quarter ends
  (`quarterly_workdays_after`; 0 = the quarter's last day). Reports made after the
  previous quarter's deadline count for this one.
  When the duty's timing text states the day ("trước ngày 15 của tháng cuối quý",
  "chậm nhất ngày 10 của tháng đầu quý sau"), that day is the due date instead
  (`stated_quarter_day`).
* **recurring, monthly** (a monthly report): the month's last day, or the day the
  timing text states ("trước ngày 20 hằng tháng": the 20th of each month,
  `stated_month_day`).
* **recurring, annual** (budget proposals for the next year): 15 July each year
  (`annual_due`), the time the provincial budget estimates are being prepared.
* **continuous** duties have no deadline: a monthly check-in (`checkin_months`) asks
  for a progress report by the period's last working day; any report made in the
  period satisfies it. Check-ins never turn overdue or escalate.

A deadline that falls on a day off ends on the next working day (Bộ luật Dân sự 2015,
Điều 148): `deadline` is that working day, `due` keeps the date as written, and the
outbox keys on `due` so calendar edits never resend a message.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar

OccurrenceKind = Literal["deadline", "recurring", "checkin"]


@dataclass(frozen=True)
class DutyPlan:
    """What the scheduler needs to know about one duty."""

    duty_id: str  # the duty's key across directives ("06-CT-UBND-2019:1.a-1")
    title: str
    clause_label: str
    timing_kind: str  # "deadline" | "recurring" | "continuous"
    recurrence: str | None = None  # "monthly" | "quarterly" | "annual"
    due: dt.date | None = None  # deadline duties: the effective due date
    extended: bool = False  # `due` is the admins' effective_due, not the pack's date
    pack_due: dt.date | None = None
    agencies: tuple[str, ...] = ()  # concrete agencies responsible for it
    start: dt.date = dt.date(2019, 4, 19)  # the directive's effective date
    timing_text: str = ""
    label: str = ""  # the id users see: "1.a-1", or "06/2019 · 1.a-1" (several directives)

    @property
    def shown_id(self) -> str:
        return self.label or self.duty_id


@dataclass(frozen=True)
class Occurrence:
    """One time a duty is due."""

    kind: OccurrenceKind
    due: dt.date  # as written / computed (the outbox key)
    deadline: dt.date  # the working day by which it must be done
    # Reports made on or after this day count for this occurrence (None: any report).
    period_start: dt.date | None = None
    label: str = ""  # "quý III/2026", "năm 2027", "tháng 11/2026"


ROMAN = ("I", "II", "III", "IV")


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


# "ngày 15 (của) tháng cuối quý": the month counted from the quarter's first (1-4).
_QUARTER_DAY = re.compile(
    r"ngày\s+(?P<day>\d{1,2})\s+(?:của\s+)?tháng\s+(?P<month>cuối quý|đầu quý sau"
    r"|đầu (?:của )?quý tiếp theo|đầu quý|giữa quý)(?!\w)",
    re.IGNORECASE,
)
_QUARTER_MONTHS = {"đầu quý": 1, "giữa quý": 2, "cuối quý": 3}


def stated_quarter_day(timing_text: str) -> tuple[int, int] | None:
    """(month counted from the quarter's first, 1-4; day) when a quarterly duty's timing
    text states its day: "ngày 15 của tháng cuối quý" -> (3, 15), "ngày 10 của tháng
    đầu quý sau" -> (4, 10)."""
    m = _QUARTER_DAY.search(timing_text)
    if m is None or not 1 <= int(m.group("day")) <= 31:
        return None
    which = " ".join(m.group("month").lower().split())
    return _QUARTER_MONTHS.get(which, 4), int(m.group("day"))


# "ngày 20 (hằng tháng)" in a monthly duty's timing text; not "ngày 20/6/2021".
_MONTH_DAY = re.compile(r"ngày\s+(?P<day>\d{1,2})(?!\s*/)(?!\d)")


def stated_month_day(timing_text: str) -> int | None:
    """The day of the month a monthly duty's timing text states: "hằng tháng ... trước
    ngày 20" -> 20."""
    m = _MONTH_DAY.search(timing_text)
    return int(m.group("day")) if m and 1 <= int(m.group("day")) <= 31 else None


class DeadlineRules:
    def __init__(self, calendar: WorkingCalendar, settings: NudgeSettings) -> None:
        self.calendar = calendar
        self.settings = settings

    def _quarterly(
        self, year: int, quarter: int, stated: tuple[int, int] | None
    ) -> tuple[dt.date, str]:
        label = f"quý {ROMAN[quarter - 1]}/{year}"
        if stated is not None:
            month_of_quarter, day = stated
            month = quarter * 3 - 3 + month_of_quarter  # 13 is January after
            year_of, month = year + (month - 1) // 12, (month - 1) % 12 + 1
            last = _month_end(year_of, month)
            return last.replace(day=min(day, last.day)), label
        end = _month_end(year, quarter * 3)
        n = self.settings.quarterly_workdays_after
        due = self.calendar.add_working_days(end, n) if n > 0 else end
        return due, label

    def _annual(self, year: int) -> tuple[dt.date, str]:
        month, day = self.settings.annual_due
        return dt.date(year, month, day), f"năm {year}"

    def _checkin(self, year: int, month: int) -> tuple[dt.date, str]:
        return _month_end(year, month), f"tháng {month}/{year}"

    def _monthly(self, year: int, month: int, stated: int | None) -> tuple[dt.date, str]:
        last = _month_end(year, month)
        due = last.replace(day=min(stated, last.day)) if stated else last
        return due, f"tháng {month}/{year}"

    def _series(self, plan: DutyPlan, around: dt.date) -> list[tuple[dt.date, str]]:
        """Due dates of a periodic duty from a year before `around` to a year after."""
        found: list[tuple[dt.date, str]] = []
        for year in range(around.year - 1, around.year + 2):
            if plan.timing_kind == "recurring" and plan.recurrence == "quarterly":
                stated = stated_quarter_day(plan.timing_text)
                found += [self._quarterly(year, q, stated) for q in range(1, 5)]
            elif plan.timing_kind == "recurring" and plan.recurrence == "annual":
                found.append(self._annual(year))
            elif plan.timing_kind == "recurring" and plan.recurrence == "monthly":
                day = stated_month_day(plan.timing_text)
                found += [self._monthly(year, m, day) for m in range(1, 13)]
            elif plan.timing_kind == "continuous" and self.settings.checkin_months > 0:
                every = self.settings.checkin_months
                found += [self._checkin(year, m) for m in range(every, 13, every)]
        # Only periods that ended after the directive took effect.
        return sorted(item for item in found if item[0] > plan.start)

    def occurrences(self, plan: DutyPlan, today: dt.date) -> list[Occurrence]:
        """The occurrences that matter on `today`: a deadline duty's one deadline; for a
        periodic duty, the last one that has passed (it may still be overdue) and the
        next one."""
        if plan.timing_kind == "deadline":
            if plan.due is None:
                return []
            return [Occurrence("deadline", plan.due, self.calendar.roll_forward(plan.due))]
        kind: OccurrenceKind = "checkin" if plan.timing_kind == "continuous" else "recurring"
        series = self._series(plan, today)
        result: list[Occurrence] = []
        previous_deadline: dt.date | None = None
        for due, label in series:
            # A check-in asks by the period's last working day; a report due on a
            # day off may be handed in on the next working day.
            deadline = (
                self.calendar.roll_back(due)
                if kind == "checkin"
                else self.calendar.roll_forward(due)
            )
            start = previous_deadline + dt.timedelta(days=1) if previous_deadline else plan.start
            occurrence = Occurrence(kind, due, deadline, start, label)
            previous_deadline = deadline
            if deadline < today:
                result = [occurrence]  # keep only the latest past one
            else:
                result.append(occurrence)
                break
        return result
