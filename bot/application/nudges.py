"""Who a duty's nudges are for, and the actions their buttons trigger (snooze, done).

`responsible_agencies` is the one rule for "whose duty is it": the concrete agencies
the duty is addressed to, a group (all sở, all UBND huyện) standing for each of its
members. The scheduler nudges those agencies' linked users, and only those users may
snooze the duty's reminders or mark it done (province managers, who get escalations,
may snooze them too).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application import accounts, progress
from bot.application.commands import Command, CommandContext, small_int
from bot.application.messages import Button, Reply, Response
from bot.application.periods import add_report
from bot.config import NudgeSettings
from bot.domain.calendar import TIMEZONE, WorkingCalendar
from bot.domain.catalog import Catalog
from bot.domain.errors import Refused
from bot.domain.knowledge import Duty
from bot.storage.models import ProgressReport, Snooze, User, utcnow

SNOOZE_DAYS = (1, 3)
MAX_SNOOZE_DAYS = 10
DONE_NOTE = "Xác nhận hoàn thành bằng nút trên tin nhắc việc"


class NudgeError(Refused):
    """A nudge action that cannot be done."""


def responsible_agencies(catalog: Catalog, duty: Duty) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for agency_id in duty.addressees:
        agency = catalog.agencies.get(agency_id)
        if agency is None:
            continue
        for member in catalog.kb.members(agency):
            if member.kind != "group":
                found[member.id] = None
    return tuple(found)


def may_snooze(catalog: Catalog, user: User, duty: Duty, province_agency: str) -> bool:
    if not accounts.can_report_for(user, user.agency_id or ""):
        return False
    if province_agency in accounts.manager_scope(user):
        return True
    return user.agency_id in responsible_agencies(catalog, duty)


def snooze(
    session: Session,
    catalog: Catalog,
    user: User,
    duty_id: str,
    days: int,
    calendar: WorkingCalendar,
    province_agency: str,
    now: dt.datetime | None = None,
) -> dt.datetime:
    """No reminder about the duty to this user for `days` working days; returns when
    they end (the same time of day, moved into working hours)."""
    key = progress.find_duty_id(catalog, duty_id)
    if key is None:
        raise NudgeError("unknown_duty")
    entry = catalog.duties[key]
    if not 1 <= days <= MAX_SNOOZE_DAYS:
        raise NudgeError("usage")
    if not may_snooze(catalog, user, entry[1], province_agency):
        raise NudgeError("not_responsible")
    now = now or utcnow()
    local = calendar.local(now)
    day = calendar.add_working_days(calendar.roll_forward(local.date()), days)
    target = max(calendar.at(day, local.time()), calendar.start_of(day))
    until = calendar.next_working_slot(target).astimezone(dt.UTC)
    # Keyed by the person: a snooze from one account holds for all of theirs.
    row = session.get(Snooze, (user.person, key))
    if row is None:
        session.add(Snooze(user_id=user.person, duty_id=key, until=until, created_at=now))
    else:
        row.until, row.created_at = until, now
    session.flush()
    return until


def mark_done(
    session: Session, catalog: Catalog, settings: NudgeSettings, user: User, duty_id: str
) -> tuple[ProgressReport, bool]:
    """Record a "done" report for the user's agency, finished today; (report, False)
    when its latest report already says done (a second press adds nothing). A
    recurring duty's done report settles one period only (`policy.settle`): there,
    only a press the same day as that report is a second press."""
    key = progress.find_duty_id(catalog, duty_id)
    if key is None:
        raise NudgeError("unknown_duty")
    entry = catalog.duties[key]
    agency_id = user.agency_id
    if agency_id is None or not accounts.can_report_for(user, agency_id):
        raise NudgeError("not_responsible")
    if agency_id not in responsible_agencies(catalog, entry[1]):
        raise NudgeError("not_responsible")
    latest = progress.latest_by_duty(session, agency_id).get(key)
    today = utcnow().astimezone(TIMEZONE).date()
    if latest is not None and latest.status == "done":
        made_on = latest.created_at.astimezone(TIMEZONE).date()
        if entry[1].timing.kind != "recurring" or made_on == today:
            return latest, False
    directive, duty = entry
    report = add_report(
        session,
        catalog,
        settings,
        ProgressReport(
            directive_id=directive.id,
            duty_id=duty.id,
            agency_id=agency_id,
            user_id=user.id,
            status="done",
            percent=100,
            notes=DONE_NOTE,
            completed_on=today,
        ),
    )
    snoozed = session.get(Snooze, (user.person, key))
    if snoozed is not None:
        session.delete(snoozed)
        session.flush()
    return report, True


def snoozes_of(session: Session) -> dict[tuple[int, str], dt.datetime]:
    return {(s.user_id, s.duty_id): s.until for s in session.scalars(select(Snooze))}


# ----- the commands behind a nudge's buttons ------------------------------------------


def _nudge_error(reason: str, duty_id: str) -> Reply:
    if reason == "unknown_duty":
        return Reply("nudge/unknown_duty", {"duty_id": duty_id[:40]})
    if reason == "usage":
        return Reply("nudge/usage", {"max_days": MAX_SNOOZE_DAYS})
    return Reply("nudge/not_responsible")


def snooze_command(ctx: CommandContext) -> Response:
    """/nhaclai <duty_id> <days>: no reminder about the duty for that many working days."""
    from bot.application.calendar import load_calendar

    typed, days = progress.duty_and_value(ctx.args)
    if not typed or small_int(days) is None:
        return Response((Reply("nudge/usage", {"max_days": MAX_SNOOZE_DAYS}),))
    settings = ctx.app.nudge_settings
    catalog = ctx.app.catalog
    try:
        until = snooze(
            ctx.session,
            catalog,
            ctx.user,
            typed,
            int(days),
            load_calendar(ctx.session, settings),
            settings.province_agency,
        )
    except NudgeError as error:
        return Response((_nudge_error(error.reason, typed),))
    # What the user typed may be a plain id or a shown one ("06/2019·2.f-4"): resolved
    # as `snooze` did, since it succeeded.
    title = catalog.duties[progress.find_duty_id(catalog, typed) or typed][1].title
    return Response((Reply("nudge/snoozed", {"title": title, "until": until}),))


# The words after a duty id: a duty picked among those sharing a bare id is shown to
# be confirmed (ASK), then recorded (CONFIRM) or not (DECLINE).
ASK, CONFIRM, DECLINE = "xem", "xacnhan", "khong"


def done_command(ctx: CommandContext) -> Response:
    """/xong <duty_id>: record that the user's agency has done the duty. A bare id
    several directives share is asked back; the duty picked is confirmed before it is
    recorded (one keystroke must not record another directive's duty)."""
    duty_id, _, step = ctx.args.strip().rpartition(" ")
    if step not in (ASK, CONFIRM, DECLINE):
        duty_id, step = ctx.args.strip(), ""
    if not duty_id:
        return Response((Reply("nudge/usage", {"max_days": MAX_SNOOZE_DAYS}),))
    if ctx.user.agency_id is None:
        return Response((Reply("account/not_linked"),))
    catalog = ctx.app.catalog
    if progress.find_duty_id(catalog, duty_id) is None:
        shared = progress.own_same_id(catalog, duty_id, ctx.user.agency_id)
        if len(shared) > 1:
            return Response((progress.which_duty(catalog, duty_id, shared, "xong", ASK),))
        duty_id = catalog.duty_label(shared[0]) if shared else duty_id
    key = progress.find_duty_id(catalog, duty_id)
    if key is not None and step in (ASK, DECLINE):
        return Response((_done_asked(catalog, key, ctx.user.agency_id, step == ASK),))
    try:
        report, new = mark_done(ctx.session, catalog, ctx.app.nudge_settings, ctx.user, duty_id)
    except NudgeError as error:
        retired = error.reason == "unknown_duty" and progress.find_retired_duty(
            ctx.session, duty_id
        )
        if retired:  # not "not found": it is, in a directive no longer in force
            view = {"directive": retired.directive, "retired_on": retired.retired_on}
            return Response((Reply("nudge/retired_duty", view | {"duty_id": retired.label}),))
        return Response((_nudge_error(error.reason, duty_id),))
    duty = catalog.duties[report.duty_key][1]
    view = {
        "new": new,
        "title": duty.title,
        "clause": catalog.duty_clause_label(duty),
        "agency": catalog.agencies[report.agency_id].name,
        "at": report.created_at,
    }
    return Response((Reply("nudge/done", view),))


def _done_asked(catalog: Catalog, key: str, agency_id: str, asking: bool) -> Reply:
    """What /xong would record (the directive, the duty, the agency), to confirm; or
    that nothing was, once declined."""
    directive, duty = catalog.duties[key]
    label = catalog.duty_label(key)
    view = {
        "asking": asking,
        "directive": directive.name,
        "title": duty.title,
        "clause": catalog.duty_clause_label(duty),
        "agency": catalog.agencies[agency_id].name,
        "label": label,
    }
    buttons = (
        Button("Ghi nhận hoàn thành", f"/xong {label} {CONFIRM}", "confirm"),
        Button("Không ghi nhận", f"/xong {label} {DECLINE}", "cancel"),
    )
    return Reply("nudge/done_confirm", view, buttons if asking else ())


COMMANDS = (
    Command("nhaclai", snooze_command, brief="hoãn một lời nhắc (kèm mã nhiệm vụ và số ngày)"),
    Command("xong", done_command, brief="báo việc đã xong (kèm mã nhiệm vụ)"),
)
