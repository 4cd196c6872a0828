"""The project's one HTTP listener (uvicorn + Starlette): the routes the running
channels contribute (Zalo's and Telegram's webhooks, the file links, the portal), on
`WEB_LISTEN:WEB_PORT`, behind the deployment's reverse proxy (TLS there)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
from collections.abc import Iterator, Sequence
from urllib.parse import quote

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.application.file_links import PATH_PREFIX, FileLinks

log = logging.getLogger(__name__)


LINK_NOT_FOUND = (
    "Liên kết tải tệp không đúng hoặc đã hết hạn. "
    "Anh/Chị vui lòng yêu cầu lại tệp trong cuộc trò chuyện với trợ lý."
)


def file_route(links: FileLinks) -> Route:
    """GET /tep/<token>/<name>: the file a link was made for, while it has not expired.
    The name in the path only gives the browser a file name; the token finds the file."""

    async def download(request: Request) -> Response:
        found = await run_in_threadpool(links.fetch, request.path_params["token"])
        if found is None:
            return PlainTextResponse(LINK_NOT_FOUND, status_code=404)
        client = request.client.host if request.client else "?"
        log.info(
            "file %r fetched through the link sent to user %s (%s)",
            found.name,
            found.user_id,
            client,
        )
        media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        # Images open in place (Zalo fetches the chart by URL); documents download.
        disposition = "inline" if media_type.startswith("image/") else "attachment"
        headers = {
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(found.name)}",
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        }
        return Response(found.content, media_type=media_type, headers=headers)

    return Route(PATH_PREFIX + "/{token}/{name}", download, methods=["GET"])


ERROR_PAGES = {
    404: (
        "Không tìm thấy trang",
        "Địa chỉ này không có trên trang của trợ lý. Anh/Chị vui "
        "lòng kiểm tra lại đường dẫn, hoặc nhắn /web cho trợ lý để nhận liên kết mới.",
    ),
    405: (
        "Không thực hiện được",
        "Trang này không nhận thao tác này. Anh/Chị vui lòng quay lại trang trước và thao tác lại.",
    ),
}
ERROR_HTML = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem">
<h1>{title}</h1><p>{text}</p></body></html>
"""


async def error_page(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such path, a method the path does not take) in
    Vietnamese instead of its English "Not Found" (its headers, such as Allow, kept)."""
    assert isinstance(exc, HTTPException)
    title, text = ERROR_PAGES[exc.status_code]
    return HTMLResponse(
        ERROR_HTML.format(title=title, text=text),
        status_code=exc.status_code,
        headers={**(exc.headers or {}), "Cache-Control": "no-store"},
    )


def web_app(routes: Sequence[BaseRoute]) -> Starlette:
    """The listener's application: `routes`, with Vietnamese 404 and 405 pages."""
    return Starlette(
        routes=list(routes), exception_handlers={code: error_page for code in ERROR_PAGES}
    )


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """`bot run` owns SIGINT/SIGTERM (it stops every channel): leave them alone."""
        yield


class _HoldStartupErrors(logging.Filter):
    """What uvicorn logs at ERROR while it starts (the bind error, in English, which it
    then exits on) is kept here, logged at DEBUG, and left out of the output: `start`
    raises it, and `bot run` says it in Vietnamese."""

    def __init__(self) -> None:
        super().__init__()
        self.error: OSError | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        log.debug("uvicorn: %s", record.getMessage())
        if self.error is None:
            # uvicorn logs the OSError itself (`logger.error(exc)`): keep its errno.
            self.error = record.msg if isinstance(record.msg, OSError) else None
        return False


class HttpServer:
    def __init__(self, routes: Sequence[BaseRoute], host: str, port: int) -> None:
        config = uvicorn.Config(
            web_app(routes),
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=5,  # a request still open then is cut
        )
        self.server = _Server(config)
        self._task: asyncio.Task[None] | None = None
        self._held = _HoldStartupErrors()

    async def _serve(self) -> None:
        try:
            await self.server.serve()
        except SystemExit as error:  # uvicorn exits when it cannot bind
            if self._held.error is not None:
                raise self._held.error from None
            raise OSError(f"uvicorn stopped (exit code {error.code})") from None

    async def start(self) -> None:
        """Listen, or raise the OSError that kept it from listening (the port is taken,
        the address is wrong)."""
        uvicorn_log = logging.getLogger("uvicorn.error")
        uvicorn_log.addFilter(self._held)
        try:
            self._task = asyncio.create_task(self._serve())
            while not self.server.started:
                if self._task.done():
                    self._task.result()
                    raise OSError("the HTTP listener did not start")
                await asyncio.sleep(0.02)
        finally:
            uvicorn_log.removeFilter(self._held)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task is not None and not self._task.done():  # else it never started
            await self._task
