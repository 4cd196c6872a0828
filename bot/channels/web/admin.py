"""The admins' pages: the FAQ (list and search, add, edit with a preview, delete) and
the history of content changes with revert. Every POST redirects (so a reload does not
send it again) to a page that says what was done."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from bot.application.admin.content import ContentError
from bot.application.commands import small_int
from bot.application.portal import admin as manage
from bot.application.portal import faq
from bot.channels.web.context import PageContext
from bot.channels.web.views import Page


def faq_list(ctx: PageContext) -> Response:
    query = ctx.query("q")
    entries = faq.entries(ctx.session, ctx.visitor, query)
    return ctx.page(
        "faq_list.html",
        section="faq",
        entries=entries,
        query=query,
        saved=ctx.query("da_luu"),
        deleted=ctx.query("da_xoa"),
    )


def faq_new(ctx: PageContext) -> Response:
    return _faq_form(ctx, None)


def faq_edit(ctx: PageContext) -> Response:
    return _faq_form(ctx, ctx.request.path_params["faq_id"])


def _faq_form(ctx: PageContext, faq_id: str | None) -> Response:
    site = ctx.site
    from_inbox = small_int(ctx.field("hop_thu") or ctx.query("hop_thu"))
    if ctx.form is None:
        form = faq.form_for(ctx.session, ctx.visitor, faq_id)
        if from_inbox is not None and faq_id is None:  # «Tạo mục hỏi đáp» in the inbox
            group = manage.inbox_group(ctx.session, ctx.visitor, from_inbox)
            form = faq.FaqForm.asked(group.texts)
        return _form_page(ctx, faq_id, form, from_inbox=from_inbox)
    form = faq.FaqForm(
        question=ctx.field("question"),
        alternates=ctx.field("alternates"),
        answer=ctx.field("answer"),
        clauses=ctx.field("clauses"),
    )
    if ctx.field("action") == "preview":
        reply, problems = faq.preview(ctx.session, site.services, ctx.visitor, form)
        return _form_page(
            ctx, faq_id, form, problems, site.text.render(reply), from_inbox=from_inbox
        )
    try:
        saved = faq.save(ctx.session, site.services, ctx.visitor, form, faq_id, from_inbox)
    except ContentError as error:
        found = error.data.get("problems")
        problems = [str(p) for p in found] if isinstance(found, list) else [error.reason]
        return _form_page(ctx, faq_id, form, problems, status=400, from_inbox=from_inbox)
    return site.redirect("/hoi-dap", da_luu=saved.id)


def _form_page(
    ctx: PageContext,
    faq_id: str | None,
    form: faq.FaqForm,
    problems: list[str] | None = None,
    preview: str = "",
    status: int = 200,
    from_inbox: int | None = None,
) -> Response:
    return ctx.page(
        "faq_form.html",
        status,
        section="faq",
        faq_id=faq_id,
        form=form,
        problems=problems or [],
        preview=preview,
        from_inbox=from_inbox,
    )


def faq_delete(ctx: PageContext) -> Response:
    faq_id = ctx.request.path_params["faq_id"]
    if ctx.form is None:
        entry = faq.entry(ctx.session, ctx.visitor, faq_id)
        return ctx.page("faq_delete.html", section="faq", entry=entry)
    faq.delete(ctx.session, ctx.site.services, ctx.visitor, faq_id)
    return ctx.site.redirect("/hoi-dap", da_xoa=faq_id)


def history(ctx: PageContext) -> Response:
    items = faq.history(ctx.session, ctx.visitor)
    return ctx.page(
        "history.html", section="history", items=items, reverted=ctx.query("da_khoi_phuc")
    )


def revert(ctx: PageContext) -> Response:
    change_id: int = ctx.request.path_params["change_id"]
    change = faq.revert(ctx.session, ctx.site.services, ctx.visitor, change_id)
    return ctx.site.redirect("/lich-su", da_khoi_phuc=change.id)


def routes(page: Page) -> list[Route]:
    return [
        Route("/hoi-dap", page(faq_list), methods=["GET"]),
        Route("/hoi-dap/them", page(faq_new), methods=["GET", "POST"]),
        Route("/hoi-dap/{faq_id}", page(faq_edit), methods=["GET", "POST"]),
        Route("/hoi-dap/{faq_id}/xoa", page(faq_delete), methods=["GET", "POST"]),
        Route("/lich-su", page(history), methods=["GET"]),
        Route("/lich-su/{change_id:int}/khoi-phuc", page(revert), methods=["POST"]),
    ]
