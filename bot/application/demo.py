"""Demonstration mode (`bot nudges demo-shift`): the directive's 2019 deadlines moved
near today, so that nudges can be seen, on a database that holds no real work.

The shift writes the duties' adjusted deadline (`effective_due`), the same column an
admin's extension (/gianhan) sets; so it refuses on a database with real data: an
admin's content change (FAQ, extension, duty edit: the audited changes /lichsu lists),
an adjusted deadline it did not set itself, or a progress report. What it sets is
recorded (an audit row without an entity, kept out of /lichsu), and `--reset` clears
only the deadlines that still hold the demonstration's value: an admin's extension made
since is never touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.errors import Refused
from bot.storage.models import AuditLog, Duty, ProgressReport

SHIFT_ACTION = "demo.shift"


class RealData(Refused):
    """The database holds real work: the demonstration does not run on it."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("real_data", reasons=reasons)
        self.reasons = reasons


@dataclass(frozen=True)
class Shifted:
    duty_id: str
    due: dt.date  # the directive's own
    shown: dt.date  # the demonstration's


def _key(duty: Duty) -> str:
    return f"{duty.directive_id}/{duty.id}"


def demo_dues(session: Session) -> dict[str, str]:
    """The deadlines the latest demonstration set (ISO dates by "directive/duty")."""
    row = session.scalars(
        select(AuditLog).where(AuditLog.action == SHIFT_ACTION).order_by(AuditLog.id.desc())
    ).first()
    return dict((row.after or {}).get("dues", {})) if row else {}


def real_data(session: Session) -> list[str]:
    """Why this database holds real work (Vietnamese, one line each); empty: none."""
    reasons = []
    changes = session.scalar(
        select(func.count())
        .select_from(AuditLog)
        .where(AuditLog.allowed.is_(True), AuditLog.entity_type.is_not(None))
    )
    if changes:
        reasons.append(f"{changes} thay đổi nội dung của quản trị viên (xem /lichsu)")
    demo = demo_dues(session)
    adjusted = [
        d.id
        for d in session.scalars(select(Duty).where(Duty.effective_due.is_not(None)))
        if demo.get(_key(d)) != (d.effective_due.isoformat() if d.effective_due else None)
    ]
    if adjusted:
        reasons.append(f"hạn đã điều chỉnh (gia hạn) của nhiệm vụ {', '.join(sorted(adjusted))}")
    reports = session.scalar(select(func.count()).select_from(ProgressReport))
    if reports:
        reasons.append(f"{reports} báo cáo tiến độ")
    return reasons


def shift(session: Session, days: int, today: dt.date) -> list[Shifted]:
    """Move every dated duty's deadline so the earliest falls `days` after `today`;
    RealData when the database holds real work (nothing is changed then)."""
    reasons = real_data(session)
    if reasons:
        raise RealData(reasons)
    duties = list(session.scalars(select(Duty).where(Duty.active, Duty.timing_due.is_not(None))))
    dated = sorted(
        ((d, d.timing_due) for d in duties if d.timing_due is not None), key=lambda p: p[1]
    )
    if not dated:
        return []
    offset = today + dt.timedelta(days=days) - dated[0][1]
    shifted = []
    for duty, due in dated:
        duty.effective_due = due + offset
        shifted.append(Shifted(duty.id, due, duty.effective_due))
    dues = {_key(d): d.effective_due.isoformat() for d, _ in dated if d.effective_due}
    session.add(AuditLog(user_id=None, action=SHIFT_ACTION, after={"dues": dues}))
    session.flush()
    return shifted


def reset(session: Session) -> tuple[list[str], list[str]]:
    """Clear the deadlines the demonstration set; (cleared, kept): kept are the duties
    whose adjusted deadline is no longer the demonstration's (an admin changed it)."""
    demo = demo_dues(session)
    cleared, kept = [], []
    for duty in session.scalars(select(Duty).where(Duty.effective_due.is_not(None))):
        shown = demo.get(_key(duty))
        if shown is not None and duty.effective_due and shown == duty.effective_due.isoformat():
            duty.effective_due = None
            cleared.append(duty.id)
        else:
            kept.append(duty.id)
    # The demonstration holds no deadline any more (what stays is an admin's).
    session.add(AuditLog(user_id=None, action=SHIFT_ACTION, after={"dues": {}, "reset": True}))
    session.flush()
    return sorted(cleared), sorted(kept)
