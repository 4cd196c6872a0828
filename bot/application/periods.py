"""Which period a done report on a recurring duty settles, decided once, when it is
saved, and stored with it (`ProgressReport.period_due`).

The rule is `policy.settle`'s over the periods that matter on the day the report is
saved (the last one past and the next one): the oldest period still open that the
work could be for. Decided anew every day instead, a late annual report (last year's
work) passed a year later for the next year's period, on time, once last year's
period was out of sight.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.application.calendar import load_calendar
from bot.application.scheduler.policy import ReportView, settle
from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar
from bot.domain.catalog import Catalog
from bot.domain.deadlines import DeadlineRules, DutyPlan
from bot.domain.knowledge import split_key
from bot.storage.models import ProgressReport, utcnow
from bot.storage.repositories import ProgressRepo


def period_for(
    session: Session,
    catalog: Catalog,
    settings: NudgeSettings,
    report: ProgressReport,
    calendar: WorkingCalendar | None = None,
) -> dt.date | None:
    """The period (its due date) `report` settles, made (`created_at`) but not yet
    saved, or saved without one: None unless it is a done report on a recurring duty
    that settles one (work finished before any period that matters settles none)."""
    entry = catalog.duties.get(report.duty_key)
    if report.status != "done" or entry is None or entry[1].timing.kind != "recurring":
        return None
    directive, duty = entry
    calendar = calendar or load_calendar(session, settings)
    plan = DutyPlan(
        report.duty_key,
        duty.title,
        "",
        duty.timing.kind,
        duty.timing.recurrence,
        start=directive.effective,
    )
    occurrences = DeadlineRules(calendar, settings).occurrences(
        plan, calendar.today(report.created_at)
    )
    replaced = select(ProgressReport.replaces_id).where(ProgressReport.replaces_id.is_not(None))
    others = [ProgressReport.id != report.replaces_id] if report.replaces_id else []
    if report.id is not None:
        others.append(ProgressReport.id != report.id)
    rows = session.execute(  # columns, not objects: `fill_periods` updates the table
        select(
            ProgressReport.completed_on, ProgressReport.created_at, ProgressReport.period_due
        ).where(
            ProgressReport.agency_id == report.agency_id,
            ProgressReport.directive_id == report.directive_id,
            ProgressReport.duty_id == report.duty_id,
            ProgressReport.status == "done",
            ProgressReport.id.not_in(replaced),
            ProgressReport.created_at <= report.created_at,
            *others,
        )
    )
    earlier = sorted(
        ((completed_on or calendar.today(made), period) for completed_on, made, period in rows),
        key=lambda item: item[0],
    )
    view = ReportView(
        "done",
        100,
        report.created_at,
        completed_on=report.completed_on,
        earlier_done=tuple(day for day, _ in earlier),
        earlier_periods=tuple(period for _, period in earlier),
    )
    for occurrence, settled in zip(occurrences, settle(occurrences, view, calendar), strict=True):
        if settled is not None and settled.by_latest:
            return occurrence.due
    return None


def add_report(
    session: Session, catalog: Catalog, settings: NudgeSettings, report: ProgressReport
) -> ProgressReport:
    """Append a report with the period it settles (the only way reports are saved)."""
    report.created_at = report.created_at or utcnow()
    report.period_due = period_for(session, catalog, settings, report)
    return ProgressRepo(session).add(report)


def fill_periods(session: Session, catalog: Catalog, settings: NudgeSettings) -> int:
    """Store the period of every done report on a recurring duty saved without one
    (before migration 0018), oldest first, each by the rule as it stood the day it was
    saved. Returns how many were filled; reports that settle no period stay without."""
    recurring = {
        key for key, (_, duty) in catalog.duties.items() if duty.timing.kind == "recurring"
    }
    candidates = session.scalars(
        select(ProgressReport)
        .where(
            ProgressReport.status == "done",
            ProgressReport.period_due.is_(None),
            ProgressReport.duty_id.in_({split_key(key)[1] for key in recurring}),
        )
        .order_by(ProgressReport.created_at, ProgressReport.id)
    ).all()
    # The same duty id may be recurring in one directive and not in another.
    pending = [r for r in candidates if r.duty_key in recurring]
    if not pending:
        return 0
    calendar = load_calendar(session, settings)
    filled = 0
    for report in pending:
        due = period_for(session, catalog, settings, report, calendar)
        if due is not None:
            # A bulk UPDATE, past the ORM's append-only guard (a flush event): filling
            # in a column the report was saved without changes nothing it says.
            session.execute(
                update(ProgressReport)
                .where(ProgressReport.id == report.id)
                .values(period_due=due)
                .execution_options(synchronize_session=False)
            )
            filled += 1
    return filled
