"""The managers' pages: the dashboard, a duty's history, and the downloads (the
digest's .xlsx, the quarterly .docx and its annex)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.application import evidence
from bot.application.commands import small_int
from bot.application.messages import OutgoingFile
from bot.application.portal import dashboard as boards
from bot.application.portal.access import NotFound
from bot.channels.web.context import PageContext, download

Page = Callable[[Callable[[PageContext], Response]], Callable[[Request], Awaitable[Response]]]


def dashboard(ctx: PageContext) -> Response:
    filters = boards.Filters.read(
        ctx.query("co_quan"),
        ctx.query("tinh_trang"),
        ctx.query("trang"),
        ctx.query("tat_ca"),
        ctx.query("han"),
        ctx.query("chi_thi"),
    )
    board = boards.dashboard(ctx.session, ctx.site.builder(), ctx.visitor, filters, ctx.now)
    kept = {
        "co_quan": board.filters.agency,
        "tinh_trang": board.filters.status,
        "tat_ca": 1 if board.filters.all_bars else "",
        "han": board.filters.deadline,
        "chi_thi": board.filters.directive,
    }

    def here(**changes: object) -> str:
        """This page with the filters kept, some changed (the page number is not kept)."""
        return ctx.site.url("/tong-hop", **{**kept, **changes})

    return ctx.page(
        "dashboard.html",
        section="dashboard",
        board=board,
        status_filters=boards.STATUS_FILTERS,
        deadline_filters=boards.DEADLINE_FILTERS,
        here=here,
    )


def duty(ctx: PageContext) -> Response:
    duty_id, agency = ctx.request.path_params["duty_id"], ctx.query("co_quan")
    status = ctx.query("tinh_trang")
    found = boards.duty_page(
        ctx.session,
        ctx.site.builder(),
        ctx.visitor,
        duty_id,
        agency,
        ctx.now,
        boards.Filters.read("", "", ctx.query("trang"), "").page,
        status,
        boards.Filters.read("", "", ctx.query("trang_cq"), "").page,
    )
    kept = {"co_quan": agency, "tinh_trang": found.status}

    def here(**changes: object) -> str:
        """This page with the agency and status kept (each table's page is not)."""
        return ctx.site.url(f"/nhiem-vu/{quote(duty_id)}", **{**kept, **changes})

    def standing(**changes: object) -> str:
        """The standing table's pages (`trang` is the history's)."""
        return here(trang_cq=changes.get("trang", 1))

    return ctx.page(
        "duty.html", section="dashboard", duty=found, here=here, standing_pages=standing
    )


def digest_xlsx(ctx: PageContext) -> Response:
    builder = ctx.site.builder()
    digest = boards.digest_for_download(
        ctx.session, builder, ctx.visitor, ctx.query("co_quan"), ctx.now
    )
    return download(builder.workbook(digest))


def quarterly_docx(ctx: PageContext) -> Response:
    document, _ = boards.quarterly_for_download(
        ctx.session, ctx.site.builder(), ctx.visitor, ctx.now
    )
    return download(document)


def quarterly_annex(ctx: PageContext) -> Response:
    _, annex = boards.quarterly_for_download(ctx.session, ctx.site.builder(), ctx.visitor, ctx.now)
    return download(annex)


def evidence_file(ctx: PageContext) -> Response:
    number = small_int(ctx.request.path_params["number"])
    if number is None:
        raise NotFound("evidence")
    opened = boards.evidence_file(ctx.session, ctx.site.builder(), ctx.visitor, number)
    return download(OutgoingFile(opened.name, opened.content), opened.media_type)


def routes(page: Page) -> list[Route]:
    return [
        Route("/tong-hop", page(dashboard), methods=["GET"]),
        Route("/tong-hop.xlsx", page(digest_xlsx), methods=["GET"]),
        Route("/bao-cao-quy.docx", page(quarterly_docx), methods=["GET"]),
        Route("/phu-luc-bao-cao-quy.xlsx", page(quarterly_annex), methods=["GET"]),
        Route("/nhiem-vu/{duty_id}", page(duty), methods=["GET"]),
        Route(evidence.WEB_PATH + "/{number}", page(evidence_file), methods=["GET"]),
    ]
