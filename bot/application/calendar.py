"""The working calendar's admin exceptions in the database: make-up working days and
extra days off (`bot calendar ...`, `/lich`), and the calendar built with them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar
from bot.storage.models import CalendarDay


def load_calendar(session: Session, settings: NudgeSettings) -> WorkingCalendar:
    """The calendar with the admins' exceptions from the database."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkingCalendar.from_settings(
        settings,
        extra_workdays=[day for day, kind in rows if kind == "workday"],
        extra_days_off=[day for day, kind in rows if kind == "dayoff"],
    )


def set_day(session: Session, day: dt.date, kind: str, note: str = "") -> CalendarDay:
    """Declare a make-up working day ("workday") or an extra day off ("dayoff")."""
    if kind not in ("workday", "dayoff"):
        raise ValueError(f"kind must be 'workday' or 'dayoff', not {kind!r}")
    row = session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day, kind=kind, note=note)
        session.add(row)
    else:
        row.kind, row.note = kind, note
    session.flush()
    return row


def remove_day(session: Session, day: dt.date) -> bool:
    row = session.get(CalendarDay, day)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
