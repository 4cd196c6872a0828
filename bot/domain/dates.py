"""Dates as Vietnamese administrative texts write them, both ways.

`vn_date` writes 19/4/2019 (no leading zeros, as the directive does); `parse_vn_date`
reads what people type or files hold: "19/4/2019", "19-4-2019", "19.4.2019" or ISO
"2019-04-19", with a four-digit year, strictly (a two-digit year is refused rather
than read as year 26), within a sane window of years.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.domain.calendar import TIMEZONE

# Typed dates outside these years are typos (a year 0026, a 9999): refused.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

_DAY_FIRST = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def vn_date(value: dt.date | None) -> str:
    """19/4/2019: the way Vietnamese administrative texts write dates."""
    return f"{value.day}/{value.month}/{value.year}" if value else ""


def vn_datetime(value: dt.datetime | None) -> str:
    """08:30 19/4/2019, in Vietnam's time zone."""
    if value is None:
        return ""
    local = value.astimezone(TIMEZONE) if value.tzinfo else value
    return f"{local:%H:%M} {vn_date(local.date())}"


def parse_vn_date(text: str) -> dt.date:
    """The date in `text` (the whole of it); ValueError, in Vietnamese, for anything else."""
    cleaned = text.strip()
    if match := _DAY_FIRST.fullmatch(cleaned):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _ISO.fullmatch(cleaned):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        raise ValueError(f"không đọc được ngày {cleaned[:40]!r} (cần dạng dd/mm/yyyy)")
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValueError(f"năm {year} nằm ngoài khoảng {EARLIEST_YEAR}–{LATEST_YEAR}")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"không có ngày {day}/{month}/{year}") from None
