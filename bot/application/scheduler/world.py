"""What the scheduler and the digests read from the database, in one consistent view."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.application.accounts import contact_order
from bot.application.calendar import load_calendar
from bot.application.nudges import responsible_agencies, snoozes_of
from bot.application.scheduler.policy import Recipient, ReportView
from bot.config import NudgeSettings
from bot.domain.calendar import TIMEZONE, WorkingCalendar
from bot.domain.catalog import Catalog
from bot.domain.dates import with_day
from bot.domain.deadlines import DutyPlan
from bot.domain.knowledge import scoped_key
from bot.domain.roles import ADMIN
from bot.storage.models import Duty, ProgressReport, User


@dataclass(frozen=True)
class World:
    plans: list[DutyPlan]
    reports: dict[tuple[str, str], ReportView]
    users: list[Recipient]
    snoozes: dict[tuple[int, str], dt.datetime]
    calendar: WorkingCalendar


def duty_plans(session: Session, catalog: Catalog) -> list[DutyPlan]:
    """Every active task with its effective due date and responsible agencies (a clause
    that only states a responsibility is no task: nobody is nudged or counted on it)."""
    rows = session.execute(
        select(Duty.directive_id, Duty.id, Duty.effective_due).where(
            Duty.active, Duty.effective_due.is_not(None)
        )
    )
    effective: dict[str, dt.date] = {
        scoped_key(directive_id, duty_id): due
        for directive_id, duty_id, due in rows
        if due is not None
    }
    plans = []
    for duty_id, (directive, duty) in catalog.duties.items():
        if not duty.is_task:
            continue
        extended = effective.get(duty_id)
        plans.append(
            DutyPlan(
                duty_id=duty_id,
                title=duty.title,
                clause_label=catalog.duty_clause_label(duty),
                timing_kind=duty.timing.kind,
                recurrence=duty.timing.recurrence,
                due=extended or duty.timing.due,
                extended=extended is not None and extended != duty.timing.due,
                pack_due=duty.timing.due,
                agencies=responsible_agencies(catalog, duty),
                start=directive.effective,
                timing_text=duty.timing.text,
                label=catalog.duty_label(duty_id),
            )
        )
    return plans


# What a report's view is made of (with its id, agency and duty).
_VIEW_COLUMNS = (
    ProgressReport.id,
    ProgressReport.agency_id,
    ProgressReport.directive_id,
    ProgressReport.duty_id,
    ProgressReport.status,
    ProgressReport.percent,
    ProgressReport.created_at,
    ProgressReport.blockers,
    ProgressReport.evidence_ref,
    ProgressReport.evidence_date,
    ProgressReport.completed_on,
    ProgressReport.period_due,
    ProgressReport.evidence_number,
)


def _view(row: Any) -> ReportView:  # a Row of `_VIEW_COLUMNS` (and maybe more)
    return ReportView(
        row.status,
        row.percent,
        _aware(row.created_at),
        row.blockers or "",
        with_day(row.evidence_ref or "", row.evidence_date),
        row.completed_on,
        period_due=row.period_due,
        evidence_number=row.evidence_number,
    )


def latest_reports(session: Session) -> dict[tuple[str, str], ReportView]:
    """Every agency's newest report on every duty, with the finishing days of its
    earlier done reports that no correction replaced (a recurring duty's periods rest
    on them: see `policy.settle`)."""
    newest_first = (
        func.row_number()
        .over(
            partition_by=(
                ProgressReport.agency_id,
                ProgressReport.directive_id,
                ProgressReport.duty_id,
            ),
            order_by=(ProgressReport.created_at.desc(), ProgressReport.id.desc()),
        )
        .label("rank")
    )
    ranked = select(*_VIEW_COLUMNS, newest_first).subquery()
    rows = session.execute(
        select(*(ranked.c[column.key] for column in _VIEW_COLUMNS)).where(ranked.c.rank == 1)
    )
    latest_ids: set[int] = set()
    found: dict[tuple[str, str], ReportView] = {}
    for row in rows:
        latest_ids.add(row.id)
        found[(row.agency_id, scoped_key(row.directive_id, row.duty_id))] = _view(row)
    earlier = _earlier_done(session, latest_ids)
    for key, done in earlier.items():
        if key in found:
            done.sort(key=lambda item: item[0])
            found[key] = replace(
                found[key],
                earlier_done=tuple(day for day, _ in done),
                earlier_periods=tuple(period for _, period in done),
            )
    return found


def with_newer_reports(
    session: Session,
    reports: dict[tuple[str, str], ReportView],
    ids: tuple[int, int],
    expected: int,
    calendar: WorkingCalendar,
) -> dict[tuple[str, str], ReportView] | None:
    """`latest_reports` as it stands once the reports with ids in `ids` (after the
    first, up to the second) were added to `reports` (what it gave when the first was
    the last id), reading only those: each new one becomes its duty's latest, and the
    latest it displaces, when done, joins the earlier done ones. None when that would
    not be `latest_reports`' answer: not `expected` reports in the range (one with a
    lower id committed late), a correction (it takes a report out of the earlier ones),
    a report dated before the latest. Read everything again then."""
    newer = session.execute(
        select(*_VIEW_COLUMNS, ProgressReport.replaces_id)
        .where(ProgressReport.id > ids[0], ProgressReport.id <= ids[1])
        .order_by(ProgressReport.id)
    ).all()
    if len(newer) != expected:
        return None
    updated = dict(reports)
    for row in newer:
        key = (row.agency_id, scoped_key(row.directive_id, row.duty_id))
        view, before = _view(row), updated.get(key)
        if row.replaces_id is not None or (before and view.created_at < before.created_at):
            return None
        if before is not None:
            periods = before.earlier_periods or (None,) * len(before.earlier_done)
            done = list(zip(before.earlier_done, periods, strict=True))
            finished = before.finished_on(calendar)
            if finished is not None:
                done.append((finished, before.period_due))
                done.sort(key=lambda item: item[0])
            view = replace(
                view,
                earlier_done=tuple(day for day, _ in done),
                earlier_periods=tuple(period for _, period in done),
            )
        updated[key] = view
    return updated


def _earlier_done(
    session: Session, latest_ids: set[int]
) -> dict[tuple[str, str], list[tuple[dt.date, dt.date | None]]]:
    """(agency, duty) -> (finishing day, stored period) of its done reports, the latest
    and those a correction replaced left out."""
    replaced = select(ProgressReport.replaces_id).where(ProgressReport.replaces_id.is_not(None))
    rows = session.execute(
        select(
            ProgressReport.id,
            ProgressReport.agency_id,
            ProgressReport.directive_id,
            ProgressReport.duty_id,
            ProgressReport.completed_on,
            ProgressReport.created_at,
            ProgressReport.period_due,
        ).where(ProgressReport.status == "done", ProgressReport.id.not_in(replaced))
    )
    days: dict[tuple[str, str], list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for report_id, agency_id, directive_id, duty_id, completed_on, created_at, period_due in rows:
        if report_id not in latest_ids:
            finished = completed_on or _aware(created_at).astimezone(TIMEZONE).date()
            days[(agency_id, scoped_key(directive_id, duty_id))].append((finished, period_due))
    return days


def _aware(moment: dt.datetime) -> dt.datetime:
    """A raw column from a subquery skips UtcDateTime: naive on SQLite, meaning UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def recipients(session: Session, channels: Collection[str] | None = None) -> list[Recipient]:
    """Every user linked to an agency, on one of `channels` when given (the channels that
    can receive pushed messages: not the console). Plain columns: 10,000 users load in
    ~20 ms."""
    return people_on(session, User.agency_id.is_not(None), channels)


def admins(session: Session, channels: Collection[str] | None = None) -> list[Recipient]:
    """The admins who can be reached on `channels` (linked to an agency or not)."""
    users = people_on(session, User.role == ADMIN, channels)
    return [u for u in users if not u.blocked]


def people_on(
    session: Session, which: ColumnElement[bool], channels: Collection[str] | None
) -> list[Recipient]:
    """The people whose accounts match `which`, one recipient per person: the account
    `accounts.contact_order` ranks first among theirs on `channels`, keyed by the
    person (so a change of account never sends a message twice)."""
    person = func.coalesce(User.person_id, User.id)
    query = (
        select(
            person,
            User.agency_id,
            User.role,
            User.channel,
            User.channel_user_id,
            User.display_name,
            User.blocked_at,
            User.preferred,
            User.roles,
            User.scope,
        )
        .where(which)
        .order_by(person, User.id)
    )
    if channels is not None:
        query = query.where(User.channel.in_(list(channels)))
    order = list(channels or ())
    chosen: dict[int, tuple[tuple[bool, bool, int], Recipient]] = {}
    for row in session.execute(query):
        key, agency_id, role, channel, address, name, blocked_at, preferred, roles, scope = row
        blocked = blocked_at is not None
        rank = contact_order(channel, preferred, blocked, order)
        if key not in chosen or rank < chosen[key][0]:
            recipient = Recipient(
                key,
                agency_id,
                role,
                channel,
                address,
                name,
                blocked,
                frozenset(roles or [role]),
                tuple(scope or ()),
            )
            chosen[key] = (rank, recipient)
    return [recipient for _, recipient in chosen.values()]


def load_world(
    session: Session,
    catalog: Catalog,
    settings: NudgeSettings,
    channels: Collection[str] | None = None,
    people: bool = True,
) -> World:
    """What the policy needs; recipients only on `channels` when given. Without
    `people`, no recipients and no snoozes: what a digest reads (10,000 users take
    longer to load than the digest takes to build)."""
    return World(
        duty_plans(session, catalog),
        latest_reports(session),
        recipients(session, channels) if people else [],
        snoozes_of(session) if people else {},
        load_calendar(session, settings),
    )
