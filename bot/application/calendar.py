"""The working calendar's admin exceptions in the database: make-up working days and
extra days off (`bot calendar ...`, `/lich`, the portal's «Lịch làm việc»), and the
calendar built with them. An admin's change (`change_day`) is checked and audited
here, whichever way it came."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.admin.content import require_admin
from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar
from bot.storage.models import AuditLog, CalendarDay, User


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


def change_day(session: Session, user: User, day: dt.date, kind: str | None, note: str = "") -> str:
    """An admin declares `day` a "workday" or "dayoff" (`kind`), or takes it out of the
    calendar (`kind` None): "workday", "dayoff", "removed", or "absent" (it was not
    there). Audited as `calendar.<that word>`."""
    require_admin(session, user, f"calendar.{kind or 'removed'}", day.isoformat())
    if kind is None:
        changed = "removed" if remove_day(session, day) else "absent"
    else:
        set_day(session, day, kind, note[:200])
        changed = kind
    session.add(AuditLog(user_id=user.id, action=f"calendar.{changed}", entity_id=day.isoformat()))
    session.flush()
    return changed


def upcoming_days(session: Session, today: dt.date) -> list[CalendarDay]:
    """The admins' exceptions from `today` on, in date order."""
    return list(
        session.scalars(
            select(CalendarDay).where(CalendarDay.day >= today).order_by(CalendarDay.day)
        )
    )
