"""Dates as Vietnamese administrative texts write them, both ways, and the one check
every typed date passes.

`vn_date` writes 19/4/2019 (no leading zeros, as the directive does); `parse_vn_date`
reads what people type or files hold: "19/4/2019", "19-4-2019", "19.4.2019" or ISO
"2019-04-19". `check_date` is the check every date typed in chat, in a dialog, on the
command line or in an imported file goes through before it is stored: a year within
2000–2100 (a year 0026 or 9999 is a typo, and the working calendar cannot even
compute one) and, for a date that belongs to a directive (an extended deadline, a
report's evidence or completion), not before the directive was issued; a day that
has already happened (a completion) not after today either. Each refusal says, in
Vietnamese, what is wrong.

A two-digit year ("31/12/26") is refused, with the four-digit reading offered
("31/12/2026"), rather than guessed: a deadline is binding, and "26" may as well be a
slip for "2026" as the start of "2062". The operator types two more digits once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.domain.calendar import TIMEZONE

# Typed dates outside these years are typos (a year 0026, a 9999): refused.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

_DAY_FIRST = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SHORT_YEAR = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{2})")


class _Directive(Protocol):
    """A directive, as the pack's dataclass or its database row."""

    @property
    def doc_type(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def issued(self) -> dt.date: ...


@dataclass(frozen=True)
class Issued:
    """The directive a date belongs to: none of its dates may fall before its issue."""

    doc_type: str  # "Chỉ thị"
    number: str  # "06/CT-UBND"
    day: dt.date

    @classmethod
    def of(cls, directive: _Directive) -> Issued:
        return cls(directive.doc_type, directive.number, directive.issued)


def vn_date(value: dt.date | None) -> str:
    """19/4/2019: the way Vietnamese administrative texts write dates. A moment is the
    day it was in Vietnam (a file sent at 06:03 on 1/12 is 30/11 in UTC)."""
    value = _local(value)
    return f"{value.day}/{value.month}/{value.year}" if value else ""


def _local(value: dt.date | None) -> dt.date | None:
    """A moment (stored in UTC) as Vietnam's day; a plain date as it is."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(TIMEZONE).date()
    return value


def vn_datetime(value: dt.datetime | None) -> str:
    """08:30 19/4/2019, in Vietnam's time zone."""
    return _time_and_day(value, vn_date)


def _time_and_day(value: dt.datetime | None, day: Callable[[dt.date], str]) -> str:
    if value is None:
        return ""
    local = value.astimezone(TIMEZONE) if value.tzinfo else value
    return f"{local:%H:%M} {day(local.date())}"


def padded_date(value: dt.date | None) -> str:
    """05/01/2027: dd/mm/yyyy, for tables and forms where dates line up in columns
    (the web portal); messages keep `vn_date`, as the directive writes them. A moment
    is the day it was in Vietnam."""
    value = _local(value)
    return f"{value:%d/%m/%Y}" if value else ""


def padded_datetime(value: dt.datetime | None) -> str:
    """08:30 05/01/2027, in Vietnam's time zone (see `padded_date`)."""
    return _time_and_day(value, padded_date)


def with_day(text: str, day: dt.date | None) -> str:
    """ "Công văn 123/STTTT" with its day: "Công văn 123/STTTT (15/5/2019)"; the text
    alone when it already names that day ("Công văn 123/STTTT ngày 15/05/2019")."""
    if day is None or _names(text, day):
        return text
    return f"{text} ({vn_date(day)})" if text else vn_date(day)


def _names(text: str, day: dt.date) -> bool:
    written = [(int(m[4]), int(m[3]), int(m[1])) for m in _DAY_FIRST.finditer(text)]
    written += [(int(m[1]), int(m[2]), int(m[3])) for m in _ISO.finditer(text)]
    return (day.year, day.month, day.day) in written


def parse_vn_date(text: str, issued: Issued | None = None, today: dt.date | None = None) -> dt.date:
    """The date in `text` (the whole of it), through `check_date`; ValueError, in
    Vietnamese, for anything else."""
    cleaned = text.strip()
    if match := _DAY_FIRST.fullmatch(cleaned):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _ISO.fullmatch(cleaned):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _SHORT_YEAR.fullmatch(cleaned):
        try:  # the four-digit reading, offered when it is a real day
            example = vn_date(dt.date(2000 + int(match[4]), int(match[3]), int(match[1])))
        except ValueError:
            example = "31/12/2026"
        raise ValueError(
            f"Năm {match[4]} không hợp lệ: Anh/Chị vui lòng ghi năm đủ 4 chữ số, ví dụ {example}"
        )
    else:
        raise ValueError(
            f"Không đọc được ngày «{cleaned[:40]}»: Anh/Chị vui lòng ghi theo dạng "
            "dd/mm/yyyy, ví dụ 31/12/2026"
        )
    _check_year(year)
    try:
        typed = dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"Không có ngày {day}/{month}/{year} trong lịch") from None
    return check_date(typed, issued, today)


def check_date(day: dt.date, issued: Issued | None = None, today: dt.date | None = None) -> dt.date:
    """`day`, if the assistant may store it as typed (see the module's docstring): not
    before `issued`, nor after `today` when given (a day that must have happened);
    ValueError, in Vietnamese, naming the problem."""
    _check_year(day.year)
    if issued is not None and day < issued.day:
        raise ValueError(
            f"Ngày {vn_date(day)} không hợp lệ: trước ngày ban hành {issued.doc_type} "
            f"{issued.number} ({vn_date(issued.day)})"
        )
    if today is not None and day > today:
        raise ValueError(f"Ngày {vn_date(day)} không hợp lệ: sau ngày hôm nay ({vn_date(today)})")
    return day


def _check_year(year: int) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValueError(
            f"Năm {year:04d} không hợp lệ: chỉ nhận các năm từ {EARLIEST_YEAR} đến {LATEST_YEAR}"
        )


def today_in_vietnam() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


def from_today(due: dt.date, today: dt.date) -> str:
    """How a deadline stands on `today`, as an official says it: "còn 12 ngày", "hạn là
    hôm nay", "đã quá hạn 3 tháng", "đã quá hạn 6 năm 11 tháng". Whole calendar months
    (a month is complete on the same day of the next month); from two years on, years
    and the months left over, so that 31/12/2019 seen on 30/11/2026 is not "6 năm"
    when it is nearly seven."""
    days = (due - today).days
    if days == 0:
        return "hạn là hôm nay"
    earlier, later = sorted((due, today))
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    if abs(days) < 60:
        amount = f"{abs(days)} ngày"
    elif months < 24:
        amount = f"{months} tháng"
    else:
        years, rest = divmod(months, 12)
        amount = f"{years} năm" + (f" {rest} tháng" if rest else "")
    return f"còn {amount}" if days > 0 else f"đã quá hạn {amount}"
