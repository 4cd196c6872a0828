"""The reporting commands: start a progress report, edit the last one, see the
agency's latest progress, and cancel whatever dialog is open."""

from __future__ import annotations

from bot.application import accounts, progress
from bot.application.commands import Command, CommandContext
from bot.application.dialogs import state as states
from bot.application.messages import Reply, Response


def report(ctx: CommandContext) -> Response:
    """/baocao [duty id]: the report dialog, for the user's own agency."""
    user = ctx.user
    if user.agency_id is None:
        return Response((Reply("account/not_linked"),))
    if not accounts.can_report_for(user, user.agency_id):
        return Response((Reply("account/not_allowed"),))
    started = ctx.app.report.start(ctx.session, user, ctx.args.strip() or None)
    return ctx.app.outcome(ctx.session, started)


def edit_report(ctx: CommandContext) -> Response:
    """/sua: the report dialog again, on the user's last report."""
    user = ctx.user
    if user.agency_id is None:
        return Response((Reply("account/not_linked"),))
    last = progress.last_report_by(ctx.session, user)
    if last is None or not accounts.can_report_for(user, last.agency_id):
        return Response((Reply("dialog/no_report_to_edit"),))
    started = ctx.app.report.start(ctx.session, user, last.duty_id, previous=last)
    return ctx.app.outcome(ctx.session, started)


def latest_progress(ctx: CommandContext) -> Response:
    """/tiendo: the latest report on each of the agency's duties."""
    agency_id = ctx.user.agency_id
    if agency_id is None:
        return Response((Reply("account/not_linked"),))
    latest = progress.latest_by_duty(ctx.session, agency_id)
    catalog = ctx.app.catalog
    rows = []
    for duty in progress.reportable_duties(catalog, agency_id):
        last = latest.get(duty.id)
        rows.append(
            {
                "title": duty.title,
                "clause": catalog.clauses[duty.clause][1].label,
                "status": ctx.app.labels.status[last.status] if last else None,
                "percent": last.percent if last else None,
                "at": last.created_at if last else None,
            }
        )
    view = {"agency": catalog.agencies[agency_id].name, "rows": rows}
    return Response((Reply("progress/latest", view),))


def cancel(ctx: CommandContext) -> Response:
    """/huy: close the open dialog, if any."""
    if states.load(ctx.session, ctx.user.id) is None:
        return Response((Reply("dialog/nothing_to_cancel"),))
    states.clear(ctx.session, ctx.user.id)
    return Response((Reply("dialog/cancelled"),))


COMMANDS = (
    Command("baocao", report, "Báo cáo tiến độ một nhiệm vụ"),
    Command("sua", edit_report, "Sửa báo cáo gần nhất của mình"),
    Command("tiendo", latest_progress, "Tiến độ mới nhất của cơ quan mình"),
    Command("huy", cancel, "Hủy thao tác đang làm"),
)
