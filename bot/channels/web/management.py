"""The admins' pages besides the FAQ: the unanswered inbox, duties (deadline
extensions, assignments), announcements (preview, then send), the working calendar
and the audit log. Each POST redirects to a page saying what was done (a reload sends
nothing twice); a form that cannot be saved is shown again with why."""

from __future__ import annotations

import datetime as dt

from starlette.responses import Response
from starlette.routing import Route

from bot.application.admin.announcements import MAX_ANNOUNCEMENT
from bot.application.messages import Reply
from bot.application.portal import admin as manage
from bot.application.portal import faq
from bot.channels.web.context import PageContext
from bot.channels.web.views import Page
from bot.domain.dates import padded_datetime

# ----- the unanswered inbox ------------------------------------------------------------


def inbox(ctx: PageContext) -> Response:
    groups = manage.inbox_groups(ctx.session, ctx.visitor)
    return ctx.page(
        "inbox.html",
        section="inbox",
        groups=groups,
        wrong=manage.inbox_wrong(ctx.session, ctx.visitor),
        faq_ids=[e.id for e in faq.entries(ctx.session, ctx.visitor, "")],
        merged=ctx.query("da_gop"),
        added=ctx.query("them"),
        skipped=ctx.query("da_bo"),
    )


def _log_id(ctx: PageContext) -> int:
    log_id: int = ctx.request.path_params["log_id"]
    return log_id


def inbox_merge(ctx: PageContext) -> Response:
    faq_id = ctx.field("faq_id").strip()
    merged = manage.inbox_merge(ctx.session, ctx.site.services, ctx.visitor, _log_id(ctx), faq_id)
    return ctx.site.redirect("/hop-thu", da_gop=merged.faq_id, them=str(merged.added))


def inbox_skip(ctx: PageContext) -> Response:
    group = manage.inbox_skip(ctx.session, ctx.visitor, _log_id(ctx))
    return ctx.site.redirect("/hop-thu", da_bo=group.count)


# ----- duties ------------------------------------------------------------------------------


def duties(ctx: PageContext) -> Response:
    items = manage.duty_items(ctx.session, ctx.site.services, ctx.visitor)
    return ctx.page("duties.html", section="duties", items=items)


def duty(ctx: PageContext) -> Response:
    return _duty_page(ctx)


def _duty_page(
    ctx: PageContext,
    problems: list[str] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    duty_id = ctx.request.path_params["duty_id"]
    item = manage.duty_item(ctx.session, ctx.site.services, ctx.visitor, duty_id)
    return ctx.page(
        "duty_admin.html",
        status,
        section="duties",
        item=item,
        roles=manage.ASSIGNMENTS,
        problems=problems or [],
        typed=typed or {},
        saved=ctx.query("da_luu"),
        agencies=ctx.site.services.agency_ids(),
    )


def duty_extend(ctx: PageContext) -> Response:
    duty_id = ctx.request.path_params["duty_id"]
    typed = ctx.field("due")
    try:
        manage.extend(ctx.session, ctx.site.services, ctx.visitor, duty_id, typed)
    except ValueError as problem:
        return _duty_page(ctx, [str(problem)], {"due": typed}, 400)
    return ctx.site.redirect(f"/quan-ly-nhiem-vu/{duty_id}", da_luu="han")


def duty_assign(ctx: PageContext) -> Response:
    duty_id = ctx.request.path_params["duty_id"]
    typed = {field: ctx.field(field) for field in manage.ASSIGNMENTS}
    problems = manage.assign(ctx.session, ctx.site.services, ctx.visitor, duty_id, typed)
    if problems:
        return _duty_page(ctx, problems, typed, 400)
    return ctx.site.redirect(f"/quan-ly-nhiem-vu/{duty_id}", da_luu="phan_cong")


# ----- announcements ---------------------------------------------------------------------


def announcement(ctx: PageContext) -> Response:
    services = ctx.site.services
    audiences = manage.audiences(ctx.session, services, ctx.visitor)
    target, text = ctx.field("audience"), ctx.field("text")
    preview, problem, shown = None, "", ""
    if ctx.form is not None:
        try:
            preview = manage.preview_announcement(ctx.session, services, ctx.visitor, target, text)
        except ValueError as error:
            problem = str(error)
        else:  # the message as it will arrive
            view = {"label": preview.label, "text": preview.text}
            shown = ctx.site.text.render(Reply("admin/announcement", view))
    return ctx.page(
        "announcement.html",
        400 if problem else 200,
        section="announcement",
        audiences=audiences,
        target=target,
        text=text,
        preview=preview,
        shown=shown,
        problem=problem,
        done=ctx.query("ket_qua"),
        count=ctx.query("so_nguoi"),
        later=ctx.query("luc"),
        max_length=MAX_ANNOUNCEMENT,
    )


def _settle(ctx: PageContext, send: bool) -> Response:
    draft_id: int = ctx.request.path_params["draft_id"]
    services = ctx.site.services
    done = manage.settle_announcement(ctx.session, services, ctx.visitor, draft_id, send)
    later = padded_datetime(done.later) if done.later else ""
    outcome = done.outcome if done.first else "truoc_" + done.outcome  # pressed again
    return ctx.site.redirect("/thong-bao", ket_qua=outcome, so_nguoi=done.count, luc=later)


def announcement_send(ctx: PageContext) -> Response:
    return _settle(ctx, send=True)


def announcement_cancel(ctx: PageContext) -> Response:
    return _settle(ctx, send=False)


# ----- the working calendar --------------------------------------------------------------


def calendar(ctx: PageContext) -> Response:
    problem, changed = "", ctx.query("da_sua")
    try:
        day: dt.date | None = dt.date.fromisoformat(ctx.query("ngay"))
    except ValueError:  # none, or not a day: no message about it
        day, changed = None, ""
    if ctx.form is not None:
        kind = ctx.field("kind")
        try:
            found, changed = manage.change_day(
                ctx.session,
                ctx.visitor,
                ctx.field("day"),
                None if kind == "remove" else kind,
                ctx.field("note"),
            )
        except ValueError as error:
            problem = str(error)
        else:
            return ctx.site.redirect("/lich-lam-viec", da_sua=changed, ngay=found.isoformat())
    view = manage.calendar_view(ctx.session, ctx.site.services, ctx.visitor, ctx.now)
    return ctx.page(
        "calendar.html",
        400 if problem else 200,
        section="calendar",
        view=view,
        kinds=manage.CALENDAR_KINDS,
        problem=problem,
        changed=changed,
        day=day,
        typed={"day": ctx.field("day"), "kind": ctx.field("kind"), "note": ctx.field("note")},
    )


# ----- the audit log ---------------------------------------------------------------------------


def audit(ctx: PageContext) -> Response:
    filters = manage.AuditFilters.read(
        ctx.query("loai"), ctx.query("tu_choi"), ctx.query("nguoi"), ctx.query("trang")
    )
    found = manage.audit_log(ctx.session, ctx.visitor, filters)
    kept = {
        "loai": found.filters.kind,
        "tu_choi": 1 if found.filters.refused else "",
        "nguoi": found.filters.user,
    }

    def here(**changes: object) -> str:
        return ctx.site.url("/nhat-ky", **{**kept, **changes})

    return ctx.page("audit.html", section="audit", log=found, kinds=manage.AUDIT_KINDS, here=here)


# ----- directives: upload, review, publish ---------------------------------------------


def directives(ctx: PageContext) -> Response:
    items = manage.directive_list(ctx.session, ctx.visitor)
    limit = ctx.site.services.import_limits.max_bytes
    return ctx.page("directives.html", section="directives", items=items, max_bytes=limit)


def directive_upload(ctx: PageContext) -> Response:
    upload = ctx.uploads.get("file")
    if upload is None or not upload.content:
        items = manage.directive_list(ctx.session, ctx.visitor)
        problem = "Anh/Chị chưa chọn tệp văn bản (.txt, .docx hoặc .pdf)."
        limit = ctx.site.services.import_limits.max_bytes
        return ctx.page(
            "directives.html",
            400,
            section="directives",
            items=items,
            max_bytes=limit,
            problem=problem,
        )
    services = ctx.site.services
    reply = manage.directive_review(
        ctx.session, services, ctx.visitor, upload.file_name, upload.content
    )
    return _review_page(ctx, reply)


def _review_page(
    ctx: PageContext,
    reply: Reply,
    refused: Reply | None = None,
    ask: str = "",
    asked: str = "",
    label: str = "",
) -> Response:
    """A draft's review, with «Công bố» / «Hủy» and a form per duty to correct it; a
    correction refused is said above it (400). `ask` ("cong-bo" or "huy") puts a
    question above it first: what publishing would leave out (`asked`), or whether to
    drop the draft and its corrections; the same form again, confirmed, does it."""
    draft = reply.data.get("id") if reply.template == "admin/directive_draft" else None
    status = 200 if draft and refused is None else 400
    return ctx.page(
        "directive_review.html",
        status,
        section="directives",
        text=ctx.site.text.render(reply),
        draft=draft,
        duties=reply.data.get("duty_rows", []) if draft else [],
        refused=ctx.site.text.render(refused) if refused else "",
        ask=ask if draft else "",
        asked=asked,
        label=label,
    )


def directive_correct(ctx: PageContext) -> Response:
    draft_id, number = ctx.request.path_params["draft_id"], ctx.request.path_params["number"]
    typed = {field: ctx.field(name) for name, field in DRAFT_FIELDS.items()}
    reply, refused = manage.directive_correct(
        ctx.session, ctx.site.services, ctx.visitor, draft_id, str(number), typed
    )
    return _review_page(ctx, reply, refused)


def directive_publish(ctx: PageContext) -> Response:
    return _settle_directive(ctx, drop=False)


def directive_drop(ctx: PageContext) -> Response:
    return _settle_directive(ctx, drop=True)


# The field a confirmation's form adds: «Bỏ bản nháp», «Vẫn công bố» (as chat's xacnhan).
CONFIRMED_FIELD = "xac_nhan"


def _settle_directive(ctx: PageContext, drop: bool) -> Response:
    """«Công bố» or «Hủy»: «Hủy» asks first (the draft and its corrections go), as
    «Công bố» does when it would leave duties out or bring back a retired directive."""
    draft_id = ctx.request.path_params["draft_id"]
    services = ctx.site.services
    confirmed = ctx.field(CONFIRMED_FIELD) == "1"
    if drop and not confirmed:
        review = manage.directive_draft(ctx.session, services, ctx.visitor, draft_id)
        return _review_page(ctx, review, ask="huy")
    reply = manage.directive_settle(ctx.session, services, ctx.visitor, draft_id, drop, confirmed)
    if reply.template == "admin/directive_confirm":
        asked = ctx.site.text.render(Reply(reply.template, {**reply.data, "portal": True}))
        review = manage.directive_draft(ctx.session, services, ctx.visitor, draft_id)
        label = "Công bố lại" if reply.data["retired"] else "Vẫn công bố"
        return _review_page(ctx, review, ask="cong-bo", asked=asked, label=label)
    shown = ctx.site.text.render(reply)
    return ctx.page(
        "directive_review.html",
        section="directives",
        text=shown,
        draft=None,
        duties=[],
        refused="",
        ask="",
    )


# The correction form's fields and the draft's fields they set (`drafts.FIELDS`).
DRAFT_FIELDS = {"chu_tri": "lead", "phoi_hop": "coordinate", "han": "deadline"}


# Pages that take a file with their form (the listener reads multipart bodies for these
# alone, bounded by IMPORT_MAX_BYTES).
TAKES_FILE = frozenset({directive_upload})


def routes(page: Page) -> list[Route]:
    return [
        Route("/van-ban", page(directives), methods=["GET"]),
        Route("/van-ban", page(directive_upload), methods=["POST"]),
        Route("/van-ban/{draft_id}/cong-bo", page(directive_publish), methods=["POST"]),
        Route("/van-ban/{draft_id}/huy", page(directive_drop), methods=["POST"]),
        Route(
            "/van-ban/{draft_id}/nhiem-vu/{number:int}", page(directive_correct), methods=["POST"]
        ),
        Route("/hop-thu", page(inbox), methods=["GET"]),
        Route("/hop-thu/{log_id:int}/gop", page(inbox_merge), methods=["POST"]),
        Route("/hop-thu/{log_id:int}/bo-qua", page(inbox_skip), methods=["POST"]),
        Route("/quan-ly-nhiem-vu", page(duties), methods=["GET"]),
        Route("/quan-ly-nhiem-vu/{duty_id}", page(duty), methods=["GET"]),
        Route("/quan-ly-nhiem-vu/{duty_id}/gia-han", page(duty_extend), methods=["POST"]),
        Route("/quan-ly-nhiem-vu/{duty_id}/phan-cong", page(duty_assign), methods=["POST"]),
        Route("/thong-bao", page(announcement), methods=["GET", "POST"]),
        Route("/thong-bao/{draft_id:int}/gui", page(announcement_send), methods=["POST"]),
        Route("/thong-bao/{draft_id:int}/huy", page(announcement_cancel), methods=["POST"]),
        Route("/lich-lam-viec", page(calendar), methods=["GET", "POST"]),
        Route("/nhat-ky", page(audit), methods=["GET"]),
    ]
