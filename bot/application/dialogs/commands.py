"""The reporting commands: start a progress report, edit the last one, see the
agency's latest progress, and cancel whatever dialog is open."""

from __future__ import annotations

from typing import Any

from bot.application import accounts, progress
from bot.application.commands import Command, CommandContext, small_int
from bot.application.dialogs import state as states
from bot.application.dialogs.report import BUTTON_TITLE, shorten
from bot.application.knowledge.agencies import active_names
from bot.application.messages import Button, Reply, Response
from bot.domain.roles import ADMIN, MANAGER
from bot.storage.models import ProgressReport, utcnow

HISTORY_SHOWN = 10  # reports listed by /tiendo <duty>; older ones are counted


def no_progress(ctx: CommandContext) -> Response | None:
    """Why the user's agency has no progress to report or read, or None: no agency
    (an admin is told where the province's progress is), or an agency the directive
    gives no task (UBND tỉnh: it issued the directive)."""
    user = ctx.user
    roles = accounts.menu_roles(user)
    if user.agency_id is None:
        return Response((Reply("account/not_linked", {"admin": ADMIN in roles}),))
    if not progress.reportable_duties(ctx.app.catalog, user.agency_id):
        agency = ctx.app.catalog.agencies[user.agency_id].name
        manages = bool(roles & {ADMIN, MANAGER})
        return Response((Reply("progress/no_duties", {"agency": agency, "manages": manages}),))
    return None


def report(ctx: CommandContext) -> Response:
    """/baocao [duty id]: the report dialog, for the user's own agency."""
    user = ctx.user
    if (refused := no_progress(ctx)) is not None:
        return refused
    assert user.agency_id is not None
    if not accounts.can_report_for(user, user.agency_id):
        return Response((Reply("account/not_allowed"),))
    started = ctx.app.report.start(ctx.session, user, ctx.args.strip() or None)
    return ctx.app.outcome(ctx.session, started)


def edit_report(ctx: CommandContext) -> Response:
    """/sua [số báo cáo | mã nhiệm vụ]: the report dialog again, on the user's last
    report, on a report by its number (/tiendo <mã> lists them), or on the agency's
    latest report on a duty. A correction replaces the newest report on its duty: an
    older one is named with the newer one to correct instead."""
    user = ctx.user
    if user.agency_id is None:
        return Response((Reply("account/not_linked"),))
    typed = ctx.args.strip().lstrip("#")
    number = small_int(typed.removeprefix("số").strip()) if typed else None
    if not typed:
        chosen = progress.last_report_by(ctx.session, user)
    elif number is not None:
        chosen = ctx.session.get(ProgressReport, number)
    else:
        duty_key = progress.find_duty_id(ctx.app.catalog, typed)
        if duty_key is None and (retired := progress.find_retired_duty(ctx.session, typed)):
            duty_key = retired.key  # its latest report is found, then refused below
        chosen = progress.latest_for(ctx.session, user.agency_id, duty_key) if duty_key else None
    if chosen is None or not accounts.can_report_for(user, chosen.agency_id):
        return Response((Reply("dialog/no_report_to_edit", {"typed": typed[:40]}),))
    if chosen.directive_id not in ctx.app.catalog.directives:
        return refuse_retired(ctx, chosen)
    newest = progress.latest_on(ctx.session, chosen)
    if newest.id != chosen.id:
        return Response((Reply("dialog/newer_report", {"number": chosen.id, "newer": newest.id}),))
    started = ctx.app.report.start(ctx.session, user, chosen.duty_key, previous=chosen)
    return ctx.app.outcome(ctx.session, started)


def refuse_retired(ctx: CommandContext, chosen: ProgressReport) -> Response:
    """A report on a directive no longer in force is history: not edited, only read."""
    retired = progress.find_retired_duty(ctx.session, chosen.duty_key)
    if retired is None:  # a directive the pack dropped without retiring it
        return Response((Reply("dialog/no_report_to_edit", {"typed": str(chosen.id)}),))
    view = {
        "number": chosen.id,
        "directive": retired.directive,
        "retired_on": retired.retired_on,
        "duty_id": retired.label,
    }
    return Response((Reply("dialog/retired_report", view),))


def latest_progress(ctx: CommandContext) -> Response:
    """/tiendo [chi tiết | mã nhiệm vụ]: where the agency stands, on one screen (the
    digest's summary of the agency: the same statuses and counts as /tonghop), a page
    of details by status, or every report on one duty."""
    from bot.application.digest import views
    from bot.application.digest.builder import DigestBuilder

    agency_id = ctx.user.agency_id
    words = ctx.args.split()
    request = views.Request.read(words)
    if request is None and agency_id is not None:
        # A duty's history is read even when the agency holds no duty now (merged into
        # a new ward whose district group was closed): its reports are still its own.
        return duty_history(ctx, agency_id, ctx.args.strip())
    if (refused := no_progress(ctx)) is not None:
        return refused
    assert agency_id is not None and request is not None
    app = ctx.app
    builder = DigestBuilder(app.catalog, app.templates_dir, app.nudge_settings)
    name = app.catalog.agencies[agency_id].short_name
    built = builder.build(ctx.session, utcnow(), [agency_id], name)
    if request.view:
        return Response((views.details(built, "/tiendo", request),))
    reply = views.summary(built, "/tiendo", title="Tiến độ thực hiện")
    return Response((reply,))


def duty_history(ctx: CommandContext, agency_id: str, typed: str) -> Response:
    """/tiendo <duty id>: the agency's reports on the duty, newest first; a retired
    directive's duty too (its history, marked as no longer in force)."""
    catalog = ctx.app.catalog
    duty_key = progress.find_duty_id(catalog, typed)
    if duty_key is None:
        shared = progress.own_same_id(catalog, typed, agency_id)
        if len(shared) > 1:
            return Response((progress.which_duty(catalog, typed, shared, "tiendo"),))
        duty_key = shared[0] if shared else None
    if agency_id in catalog.agencies:
        own, name = progress.reportable_duties(catalog, agency_id), catalog.agencies[agency_id].name
    else:  # made a moment ago (a merge into a new ward): the indexes are being rebuilt
        own, name = [], active_names(ctx.session, [agency_id]).get(agency_id, ("", ""))[0]
    view: dict[str, Any] = {"agency": name or agency_id, "retired_on": None}
    if duty_key is not None:
        duty = catalog.duties[duty_key][1]
        view |= {
            "duty_id": catalog.duty_label(duty_key),
            "title": duty.title,
            "clause": catalog.duty_clause_label(duty),
            "assigned": any(d.key == duty_key for d in own),
        }
    elif (retired := progress.find_retired_duty(ctx.session, typed)) is not None:
        duty_key = retired.key
        view |= {
            "duty_id": retired.label,
            "title": retired.title,
            "clause": retired.clause,
            "assigned": True,  # not said: the assignment was the retired directive's
            "retired_on": retired.retired_on,
        }
    else:
        in_clause = progress.duties_of_clause(catalog, typed, [d.key for d in own])
        if len(in_clause) == 1:  # "/tiendo 7.a": the agency's one duty of Mục 7.a
            return duty_history(ctx, agency_id, catalog.duty_label(in_clause[0]))
        example = catalog.duty_label(own[0].key if own else next(iter(catalog.duties)))
        unknown = {"duty_id": typed[:40], "example": example}
        # Several of the agency's duties in the clause typed: each, to pick.
        picks = tuple(
            Button(
                shorten(catalog.duties[k][1].title, BUTTON_TITLE),
                f"/tiendo {catalog.duty_label(k)}",
            )
            for k in in_clause
        )
        return Response((Reply("progress/unknown_duty", unknown | {"clause": bool(picks)}, picks),))
    shown, older = progress.history(ctx.session, agency_id, duty_key, HISTORY_SHOWN)
    status = ctx.app.labels.status
    view["reports"] = [
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
            "evidence_number": r.evidence_number,
            "replaces": r.replaces_id,
        }
        for r, name in shown
    ]
    view["older"] = older
    return Response((Reply("progress/history", view),))


def cancel(ctx: CommandContext) -> Response:
    """/huy: close the open dialog, if any."""
    if states.load(ctx.session, ctx.user.id) is None:
        return Response((Reply("dialog/nothing_to_cancel"),))
    states.clear(ctx.session, ctx.user.id)
    return Response((Reply("dialog/cancelled"),))


COMMANDS = (
    Command("baocao", report, "Báo cáo tiến độ một nhiệm vụ", brief="báo cáo tiến độ một nhiệm vụ"),
    Command("sua", edit_report, "Sửa báo cáo gần nhất của mình"),
    Command(
        "tiendo",
        latest_progress,
        "Tiến độ của cơ quan mình (kèm mã nhiệm vụ: lịch sử báo cáo)",
        brief="tiến độ của cơ quan mình",
    ),
    Command("huy", cancel, "Hủy thao tác đang làm"),
)
