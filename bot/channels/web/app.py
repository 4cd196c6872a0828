"""The portal's routes on the project's HTTP listener, its login and logout, and the
one wrapper every page goes through: the session cookie -> the visitor (or a page
saying how to log in), the CSRF token of every POST, the database session (committed
when the page is made), and refusals, missing things and failures as Vietnamese pages.

Logging in: `/web` in chat sends `<public url>/dang-nhap/<token>`. Opening it shows a
«Đăng nhập» button and spends nothing (messengers fetch links for previews); pressing
it opens the session and goes to the dashboard. That form, made before any session,
carries a random value also set as a short-lived cookie (a double-submitted token), so
another site cannot log a browser into someone else's session.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.application.assistant import Assistant
from bot.application.delivery import Clock, utc_clock
from bot.application.portal import access, login
from bot.application.render import Renderer
from bot.channels.web import admin, management, views
from bot.channels.web.context import SESSION_COOKIE, PageContext, Site
from bot.channels.web.forms import FormRefused, Upload, read_form
from bot.channels.web.pages import STATIC_DIR, STATIC_PATH, PageRenderer
from bot.storage.db import session_scope
from nlu.yaml_io import read_yaml

log = logging.getLogger(__name__)

LOGIN_COOKIE = "dang_nhap"  # the login form's double-submitted token
HOME = "/tong-hop"
View = Callable[[PageContext], Response]
Endpoint = Callable[[Request], Awaitable[Response]]

LINK_REFUSED = {
    "unknown": (404, "Liên kết đăng nhập không đúng."),
    "used": (410, "Liên kết đăng nhập này đã được dùng: mỗi liên kết chỉ dùng được một lần."),
    "expired": (
        410,
        f"Liên kết đăng nhập đã hết hạn (mỗi liên kết chỉ dùng được trong "
        f"{login.LINK_MINUTES} phút).",
    ),
}
FORM_REFUSED = {
    413: "Nội dung gửi lên quá lớn.",
    415: "Trang chỉ nhận biểu mẫu của chính trang.",
}


class Portal:
    def __init__(self, assistant: Assistant, public_url: str, clock: Clock = utc_clock) -> None:
        parts = urlsplit(public_url)
        services = assistant.core.services
        base = parts.path.rstrip("/")
        labels = read_yaml(services.templates_dir / "labels.yaml")
        pages = PageRenderer(services.templates_dir, base, labels)
        # Read on every page: a directive published or retired shows at once.
        pages.env.globals["subject"] = lambda: services.catalog.subject()
        self.site = Site(
            sessions=assistant.sessions,
            services=services,
            pages=pages,
            text=Renderer(services.templates_dir, "text"),
            base=base,
            secure=parts.scheme == "https",
            clock=clock,
        )

    def routes(self) -> list[BaseRoute]:
        page = self.page
        return [
            Route("/", self.home, methods=["GET"]),
            Route(login.LOGIN_PATH, self.login_help, methods=["GET"]),
            Route(login.LOGIN_PATH + "/{token}", self.login_page, methods=["GET"]),
            Route(login.LOGIN_PATH + "/{token}", self.login, methods=["POST"]),
            Route("/dang-xuat", page(self.logout), methods=["POST"]),
            *views.routes(page),
            *admin.routes(page),
            *management.routes(page),
            Mount(STATIC_PATH, app=StaticFiles(directory=STATIC_DIR), name="static"),
        ]

    # Every page.

    def page(self, view: View) -> Endpoint:
        """`view` behind the login, the CSRF check of POSTs and the error pages."""

        async def endpoint(request: Request) -> Response:
            form: dict[str, str] | None = None
            uploads: dict[str, Upload] = {}
            if request.method == "POST":
                # Only the pages that take a file read one (a directive's text).
                takes = (
                    self.site.services.import_limits.max_bytes
                    if view in management.TAKES_FILE
                    else 0
                )
                try:
                    form, uploads = await read_form(request, takes)
                except FormRefused as refused:
                    return self._form_refused(refused.status)
            return await run_in_threadpool(self._serve, view, request, form, uploads)

        return endpoint

    def _serve(
        self,
        view: View,
        request: Request,
        form: dict[str, str] | None,
        uploads: Mapping[str, Upload],
    ) -> Response:
        site = self.site
        secret = request.cookies.get(SESSION_COOKIE, "")
        try:
            with session_scope(site.sessions) as session:
                now = site.clock()
                visitor = login.visitor(session, secret, now) if secret else None
                if visitor is None:
                    response = self._login_needed()
                    if secret:
                        site.delete_cookie(response, SESSION_COOKIE)
                    return response
                if form is not None and not login.csrf_ok(secret, form.get("csrf", "")):
                    access.refuse(session, visitor, f"csrf {request.url.path}")
                    return site.message(
                        visitor,
                        403,
                        "Biểu mẫu không hợp lệ",
                        "Biểu mẫu thiếu mã bảo vệ hoặc đã cũ. Anh/Chị vui lòng tải lại trang "
                        "rồi thao tác lại.",
                    )
                context = PageContext(site, request, session, visitor, now, form, uploads)
                try:
                    return view(context)
                except access.Forbidden:
                    return site.message(
                        visitor,
                        403,
                        "Không có quyền xem trang này",
                        "Trang này nằm ngoài phạm vi tài khoản của Anh/Chị.",
                        back=True,
                    )
                except access.NotFound:
                    return site.message(
                        visitor, 404, "Không tìm thấy", "Không có nội dung Anh/Chị tìm.", back=True
                    )
        except Exception:  # one handler: the traceback in the log, an apology on the page
            log.exception("portal page %s failed", request.url.path)
            return site.message(
                None,
                500,
                "Có lỗi xảy ra",
                "Trang chưa hiển thị được do một lỗi của hệ thống. Anh/Chị vui lòng thử lại "
                "sau ít phút; nếu vẫn lỗi, xin báo quản trị viên.",
            )

    def _login_needed(self) -> Response:
        return self.site.page("login_help.html", None, 401, logged_out=False)

    def _form_refused(self, status: int) -> Response:
        return self.site.message(None, status, "Không nhận được biểu mẫu", FORM_REFUSED[status])

    # Pages outside the login.

    async def home(self, request: Request) -> Response:
        return self.site.redirect(HOME)

    async def login_help(self, request: Request) -> Response:
        logged_out = request.query_params.get("da_thoat") == "1"
        return self.site.page("login_help.html", None, logged_out=logged_out)

    def _link_refused(self, reason: str) -> Response:
        status, text = LINK_REFUSED[reason]
        return self.site.message(
            None,
            status,
            "Không đăng nhập được",
            text + " Anh/Chị nhắn /web cho trợ lý để nhận liên kết mới.",
        )

    async def login_page(self, request: Request) -> Response:
        earlier = request.cookies.get(LOGIN_COOKIE, "")
        return await run_in_threadpool(self._login_page, request.path_params["token"], earlier)

    def _login_page(self, token: str, earlier: str) -> Response:
        site = self.site
        with session_scope(site.sessions) as session:
            try:
                login.check_link(session, token, site.clock())
            except login.LoginRefused as refused:
                return self._link_refused(refused.reason)
        # The same value while it lasts: a link opened in two tabs logs in from either.
        nonce = earlier if len(earlier) == len(login.new_token()) else login.new_token()
        action = site.url(f"{login.LOGIN_PATH}/{token}")
        response = site.page("login.html", None, action=action, csrf=nonce)
        site.set_cookie(response, LOGIN_COOKIE, nonce, path=login.LOGIN_PATH)
        return response

    async def login(self, request: Request) -> Response:
        try:
            form, _ = await read_form(request)
        except FormRefused as refused:
            return self._form_refused(refused.status)
        return await run_in_threadpool(self._login, request, form)

    def _login(self, request: Request, form: dict[str, str]) -> Response:
        site = self.site
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        if not login.same_secret(nonce, form.get("csrf", "")):
            return site.message(
                None,
                403,
                "Không đăng nhập được",
                "Biểu mẫu đăng nhập không hợp lệ hoặc đã cũ. Anh/Chị vui lòng mở lại liên "
                "kết đăng nhập rồi bấm «Đăng nhập».",
            )
        with session_scope(site.sessions) as session:
            try:
                secret, _ = login.redeem(session, request.path_params["token"], site.clock())
            except login.LoginRefused as refused:
                return self._link_refused(refused.reason)
            earlier = request.cookies.get(SESSION_COOKIE, "")
            if earlier:  # the session this browser had (perhaps another account's) ends
                login.logout(session, earlier)
        response = site.redirect(HOME)
        site.set_cookie(response, SESSION_COOKIE, secret)
        site.delete_cookie(response, LOGIN_COOKIE, path=login.LOGIN_PATH)
        return response

    def logout(self, context: PageContext) -> Response:
        site = self.site
        login.logout(context.session, context.request.cookies.get(SESSION_COOKIE, ""))
        response = site.redirect(login.LOGIN_PATH, da_thoat=1)
        site.delete_cookie(response, SESSION_COOKIE)
        return response
