"""What every page handler works with: the site (sessions, services, renderer, the
public path) and the request's context (the visitor, the form, the database session,
the time), with the responses pages return."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.application import evidence
from bot.application.delivery import Clock
from bot.application.digest.builder import DigestBuilder
from bot.application.messages import OutgoingFile
from bot.application.portal.digests import CachedDigests
from bot.application.portal.login import Visitor
from bot.application.render import Renderer
from bot.application.services import Services
from bot.channels.web.forms import Upload
from bot.channels.web.pages import PageRenderer, link

SESSION_COOKIE = "phien"  # "phiên": the browser's session
# Every page: no caching of what a visitor sees, no framing, no referrer (a login
# link's token is in its path), and nothing but the portal's own files (the SVG bars
# are inline markup, not styles).
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


@dataclass
class Site:
    sessions: sessionmaker[Session]
    services: Services
    pages: PageRenderer
    text: Renderer  # chat's plain-text rendering, for previews of the bot's answers
    base: str  # the public URL's path ("" at the root), before every link
    secure: bool  # the public URL is https: cookies are Secure
    clock: Clock
    _builder: DigestBuilder | None = field(default=None, repr=False)

    def builder(self) -> DigestBuilder:
        """The digest builder over the live catalog (rebuilt, with an empty cache, when an
        edit swaps it)."""
        catalog = self.services.catalog
        if self._builder is None or self._builder.catalog is not catalog:
            self._builder = CachedDigests(
                catalog,
                self.services.templates_dir,
                self.services.nudge_settings,
                evidence.download_base(self.services.web_url),
            )
        return self._builder

    def url(self, path: str, **query: object) -> str:
        return link(self.base, path, **query)

    def page(
        self, template: str, visitor: Visitor | None, status: int = 200, **data: Any
    ) -> HTMLResponse:
        role_word = self.services.role_label(visitor.role) if visitor and visitor.role else ""
        html = self.pages.render(template, visitor=visitor, role_word=role_word, **data)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def message(
        self, visitor: Visitor | None, status: int, title: str, text: str, **more: Any
    ) -> HTMLResponse:
        """A page that only says something (an error, a refusal)."""
        return self.page("message.html", visitor, status, title=title, text=text, **more)

    def redirect(self, path: str, **query: object) -> RedirectResponse:
        return RedirectResponse(self.url(path, **query), status_code=303, headers=SECURITY_HEADERS)

    def set_cookie(self, response: Response, name: str, value: str, path: str = "/") -> None:
        response.set_cookie(
            name,
            value,
            path=self.base + path if path != "/" else (self.base or "/"),
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )

    def delete_cookie(self, response: Response, name: str, path: str = "/") -> None:
        response.delete_cookie(
            name,
            path=self.base + path if path != "/" else (self.base or "/"),
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )


@dataclass(frozen=True)
class PageContext:
    site: Site
    request: Request
    session: Session
    visitor: Visitor
    now: dt.datetime
    form: dict[str, str] | None  # a POST's fields (its CSRF token already checked)
    uploads: Mapping[str, Upload] = field(default_factory=dict)  # its files, where taken

    def query(self, name: str) -> str:
        return self.request.query_params.get(name, "")

    def field(self, name: str) -> str:
        return (self.form or {}).get(name, "")

    def page(self, template: str, status: int = 200, **data: Any) -> HTMLResponse:
        return self.site.page(template, self.visitor, status, **data)


def download(file: OutgoingFile, media_type: str = "") -> Response:
    """A file to save (the .xlsx, the .docx, an evidence file), never shown in the
    page; `media_type` when known, else by the name's suffix."""
    headers = {
        **SECURITY_HEADERS,
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(file.name)}",
    }
    media = {
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    kind = media_type or media.get(file.name[file.name.rfind(".") :], "application/octet-stream")
    return Response(file.content, media_type=kind, headers=headers)
