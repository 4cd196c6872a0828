"""The reporting commands: start a progress report, edit the last one, see the
agency's latest progress, and cancel whatever dialog is open."""

from __future__ import annotations

from typing import Any

from bot.application import accounts, progress
from bot.application.commands import Command, CommandContext
from bot.application.dialogs import state as states
from bot.application.messages import Reply, Response
from bot.storage.models import utcnow

HISTORY_SHOWN = 10  # reports listed by /tiendo <duty>; older ones are counted


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
    started = ctx.app.report.start(ctx.session, user, last.duty_key, previous=last)
    return ctx.app.outcome(ctx.session, started)


def latest_progress(ctx: CommandContext) -> Response:
    """/tiendo [chi tiết | mã nhiệm vụ]: where the agency stands, on one screen (the
    digest's summary of the agency: the same statuses and counts as /tonghop), a page
    of details by status, or every report on one duty."""
    from bot.application.digest import views
    from bot.application.digest.builder import DigestBuilder

    agency_id = ctx.user.agency_id
    if agency_id is None:
        return Response((Reply("account/not_linked"),))
    words = ctx.args.split()
    request = views.Request.read(words)
    if request is None:
        return duty_history(ctx, agency_id, ctx.args.strip())
    app = ctx.app
    builder = DigestBuilder(app.catalog, app.templates_dir, app.nudge_settings)
    name = app.catalog.agencies[agency_id].short_name
    built = builder.build(ctx.session, utcnow(), [agency_id], name)
    if request.view:
        return Response((views.details(built, "/tiendo", request),))
    reply = views.summary(built, "/tiendo", title="Tiến độ thực hiện")
    return Response((reply,))


def duty_history(ctx: CommandContext, agency_id: str, typed: str) -> Response:
    """/tiendo <duty id>: the agency's reports on the duty, newest first."""
    catalog = ctx.app.catalog
    duty_id = progress.find_duty_id(catalog, typed)
    own = progress.reportable_duties(catalog, agency_id)
    if duty_id is None:
        example = catalog.duty_label(own[0].key if own else next(iter(catalog.duties)))
        unknown = {"duty_id": typed[:40], "example": example}
        return Response((Reply("progress/unknown_duty", unknown),))
    duty = catalog.duties[duty_id][1]
    shown, older = progress.history(ctx.session, agency_id, duty_id, HISTORY_SHOWN)
    status = ctx.app.labels.status
    reports = [
        {
            "id": r.id,
            "at": r.created_at,
            "by": name,
            "status": status.get(r.status, r.status),
            "percent": r.percent,
            "completed_on": r.completed_on,
            "blockers": r.blockers,
            "evidence_ref": r.evidence_ref or "",
            "has_file": bool(r.evidence_file_id),
            "replaces": r.replaces_id,
        }
        for r, name in shown
    ]
    view: dict[str, Any] = {
        "agency": catalog.agencies[agency_id].name,
        "duty_id": catalog.duty_label(duty_id),
        "title": duty.title,
        "clause": catalog.duty_clause_label(duty),
        "assigned": any(d.key == duty_id for d in own),
        "reports": reports,
        "older": older,
    }
    return Response((Reply("progress/history", view),))


def cancel(ctx: CommandContext) -> Response:
    """/huy: close the open dialog, if any."""
    if states.load(ctx.session, ctx.user.id) is None:
        return Response((Reply("dialog/nothing_to_cancel"),))
    states.clear(ctx.session, ctx.user.id)
    return Response((Reply("dialog/cancelled"),))


COMMANDS = (
    Command("baocao", report, "Báo cáo tiến độ một nhiệm vụ"),
    Command("sua", edit_report, "Sửa báo cáo gần nhất của mình"),
    Command(
        "tiendo", latest_progress, "Tiến độ của cơ quan mình (kèm mã nhiệm vụ: lịch sử báo cáo)"
    ),
    Command("huy", cancel, "Hủy thao tác đang làm"),
)
