"""What the scheduler and the digests read from the database, in one consistent view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.application.accounts import contact_order
from bot.application.calendar import load_calendar
from bot.application.nudges import responsible_agencies, snoozes_of
from bot.application.scheduler.policy import Recipient, ReportView
from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar
from bot.domain.catalog import Catalog
from bot.domain.dates import vn_date
from bot.domain.deadlines import DutyPlan
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
    """Every active duty with its effective due date and responsible agencies."""
    rows = session.execute(
        select(Duty.id, Duty.effective_due).where(Duty.active, Duty.effective_due.is_not(None))
    )
    effective: dict[str, dt.date] = {duty_id: due for duty_id, due in rows if due is not None}
    plans = []
    for duty_id, (directive, duty) in catalog.duties.items():
        extended = effective.get(duty_id)
        plans.append(
            DutyPlan(
                duty_id=duty_id,
                title=duty.title,
                clause_label=catalog.clauses[duty.clause][1].label,
                timing_kind=duty.timing.kind,
                recurrence=duty.timing.recurrence,
                due=extended or duty.timing.due,
                extended=extended is not None and extended != duty.timing.due,
                pack_due=duty.timing.due,
                agencies=responsible_agencies(catalog, duty),
                start=directive.effective,
                timing_text=duty.timing.text,
            )
        )
    return plans


def latest_reports(session: Session) -> dict[tuple[str, str], ReportView]:
    """Every agency's newest report on every duty."""
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
    ranked = select(
        ProgressReport.agency_id,
        ProgressReport.duty_id,
        ProgressReport.status,
        ProgressReport.percent,
        ProgressReport.created_at,
        ProgressReport.blockers,
        ProgressReport.evidence_ref,
        ProgressReport.evidence_date,
        newest_first,
    ).subquery()
    rows = session.execute(
        select(
            ranked.c.agency_id,
            ranked.c.duty_id,
            ranked.c.status,
            ranked.c.percent,
            ranked.c.created_at,
            ranked.c.blockers,
            ranked.c.evidence_ref,
            ranked.c.evidence_date,
        ).where(ranked.c.rank == 1)
    )
    result: dict[tuple[str, str], ReportView] = {}
    for agency_id, duty_id, status, percent, created_at, blockers, ref, ref_date in rows:
        if created_at.tzinfo is None:  # a raw column from a subquery skips UtcDateTime
            created_at = created_at.replace(tzinfo=dt.UTC)
        evidence = " ".join(filter(None, (ref, f"({vn_date(ref_date)})" if ref_date else "")))
        result[(agency_id, duty_id)] = ReportView(
            status, percent, created_at, blockers or "", evidence
        )
    return result


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
        )
        .where(which)
        .order_by(person, User.id)
    )
    if channels is not None:
        query = query.where(User.channel.in_(list(channels)))
    order = list(channels or ())
    chosen: dict[int, tuple[tuple[bool, bool, int], Recipient]] = {}
    for key, agency_id, role, channel, address, name, blocked_at, preferred in session.execute(
        query
    ):
        blocked = blocked_at is not None
        rank = contact_order(channel, preferred, blocked, order)
        if key not in chosen or rank < chosen[key][0]:
            recipient = Recipient(key, agency_id, role, channel, address, name, blocked)
            chosen[key] = (rank, recipient)
    return [recipient for _, recipient in chosen.values()]


def load_world(
    session: Session,
    catalog: Catalog,
    settings: NudgeSettings,
    channels: Collection[str] | None = None,
) -> World:
    """What the policy needs; recipients only on `channels` when given."""
    return World(
        duty_plans(session, catalog),
        latest_reports(session),
        recipients(session, channels),
        snoozes_of(session),
        load_calendar(session, settings),
    )
