"""Logging into the web portal without a password.

`/web` in chat makes a one-time link `<public url>/dang-nhap/<token>` for the account
that asked: 256 random bits, of which only the SHA-256 is stored; it works once, for
`LINK_MINUTES`. Opening it in a browser and confirming opens a session: another 256
random bits in an HttpOnly cookie, again stored only as a hash, which ends on logout
or after `IDLE` without a request. The role and agency are read from the account at
every request, so a change of role (or an unlinked account) applies at once.

Every form of a session carries its CSRF token, an HMAC of the session's secret: it
needs no storage, differs per session, and the database alone does not give it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from bot.application.accounts import manager_scope, menu_role, menu_roles
from bot.application.file_links import token_hash
from bot.domain.errors import Refused
from bot.storage.models import AuditLog, User, WebLoginLink, WebSession

LOGIN_PATH = "/dang-nhap"  # "đăng nhập": the path officials see in the link
LINK_MINUTES = 10
IDLE = dt.timedelta(hours=8)
TOKEN_BYTES = 32
# A session's last request is written at most this often (not at every page view).
TOUCH_EVERY = dt.timedelta(minutes=1)
# Used and expired links are kept a day, so that opening one again says which it is.
KEEP_LINKS = dt.timedelta(days=1)


class LoginRefused(Refused):
    """A login link that does not open a session: "unknown", "used" or "expired"."""


@dataclass(frozen=True)
class Visitor:
    """Who a session belongs to, as their account stands now."""

    user_id: int
    name: str
    role: str | None  # `accounts.menu_role`: None while not linked to an agency
    agency_id: str | None
    csrf: str  # the token every form of this session carries
    roles: frozenset[str] = frozenset()  # `accounts.menu_roles`: what access checks read
    scope: tuple[str, ...] = ()  # `accounts.manager_scope`


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def create_link(session: Session, user: User, base_url: str, now: dt.datetime) -> str:
    """A new one-time login link for `user` (expired links and idle sessions are
    deleted on the way)."""
    session.execute(delete(WebLoginLink).where(WebLoginLink.expires_at < now - KEEP_LINKS))
    session.execute(delete(WebSession).where(WebSession.last_seen_at < now - IDLE))
    token = new_token()
    session.add(
        WebLoginLink(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=LINK_MINUTES),
        )
    )
    session.flush()
    return f"{base_url.rstrip('/')}{LOGIN_PATH}/{token}"


def check_link(session: Session, token: str, now: dt.datetime) -> WebLoginLink:
    """The link behind `token` if it can still log in; LoginRefused otherwise. Nothing
    is used up: opening the link shows a button, and only pressing it logs in (a
    messenger that fetches the link for a preview must not spend it)."""
    link = session.get(WebLoginLink, token_hash(token))
    if link is None:
        raise LoginRefused("unknown")
    if link.used_at is not None:
        raise LoginRefused("used")
    if link.expires_at <= now:
        raise LoginRefused("expired")
    return link


def redeem(session: Session, token: str, now: dt.datetime) -> tuple[str, int]:
    """Use the link up and open a session: (the session's token, the user's id)."""
    link = check_link(session, token, now)
    # Used once even when two browsers press at the same moment: only one UPDATE
    # finds it unused (PostgreSQL locks the row; SQLite has one writer at a time).
    spent = session.execute(
        update(WebLoginLink)
        .where(WebLoginLink.token_hash == link.token_hash, WebLoginLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 0) != 1:
        raise LoginRefused("used")
    secret = new_token()
    session.add(
        WebSession(
            token_hash=token_hash(secret), user_id=link.user_id, created_at=now, last_seen_at=now
        )
    )
    session.add(AuditLog(user_id=link.user_id, action="web.login", entity_id=""))
    session.flush()
    return secret, link.user_id


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode("ascii", "replace"), b"csrf", hashlib.sha256).hexdigest()


def csrf_ok(secret: str, given: str) -> bool:
    return same_secret(csrf_token(secret), given)


def same_secret(expected: str, given: str) -> bool:
    """Compared in constant time (whatever characters `given` holds)."""
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


def visitor(session: Session, secret: str, now: dt.datetime) -> Visitor | None:
    """Who the session with this cookie belongs to; None when there is no such session
    or it has been idle too long (it is then ended)."""
    row = session.get(WebSession, token_hash(secret))
    if row is None:
        return None
    if now - row.last_seen_at > IDLE:
        session.delete(row)
        session.flush()
        return None
    user = session.get(User, row.user_id)
    if user is None:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return as_visitor(user, csrf_token(secret))


def as_visitor(user: User, csrf: str = "") -> Visitor:
    """The account as the portal's access checks see it (its person's roles and scope)."""
    return Visitor(
        user.id,
        user.display_name,
        menu_role(user),
        user.agency_id,
        csrf,
        menu_roles(user),
        manager_scope(user),
    )


def logout(session: Session, secret: str) -> None:
    row = session.get(WebSession, token_hash(secret))
    if row is not None:
        session.add(AuditLog(user_id=row.user_id, action="web.logout", entity_id=""))
        session.delete(row)
        session.flush()
