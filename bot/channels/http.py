"""The project's one HTTP listener (uvicorn + Starlette): the routes the running
channels contribute (Zalo's webhook today; the web portal and file links later), on
`WEB_LISTEN:WEB_PORT`, behind the deployment's reverse proxy (TLS there)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """`bot run` owns SIGINT/SIGTERM (it stops every channel): leave them alone."""
        yield


class HttpServer:
    def __init__(self, routes: Sequence[BaseRoute], host: str, port: int) -> None:
        app = Starlette(routes=list(routes))
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=5,  # a request still open then is cut
        )
        self.server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    async def _serve(self) -> None:
        try:
            await self.server.serve()
        except SystemExit as error:  # uvicorn exits when it cannot bind
            raise OSError(f"uvicorn stopped (exit code {error.code})") from None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._serve())
        while not self.server.started:
            if self._task.done():  # the port is taken, or the address is wrong
                self._task.result()
                raise OSError("the HTTP listener did not start")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task is not None and not self._task.done():  # else it never started
            await self._task
