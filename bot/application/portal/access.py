"""Who may see what in the web portal: the same roles and scopes as in chat.

An official sees their own agency; a manager the scope of their digest (`/tonghop`:
their agency, or every agency for UBND tỉnh's managers); an admin everything, and the
admin pages. The .xlsx is for those who get `/tonghop`, the quarterly .docx for those
who may draft it (`/baocaoquy`). Every page asks here, whatever its template shows;
a refusal is audited as the router audits a refused command.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.application.digest.builder import DigestBuilder
from bot.application.digest.commands import MANAGERS, may_draft_quarterly
from bot.application.portal.login import Visitor
from bot.config import NudgeSettings
from bot.domain.errors import Refused
from bot.domain.roles import ADMIN, OFFICIAL
from bot.storage.models import AuditLog, User


class Forbidden(Refused):
    """A page outside the visitor's role or scope."""


class NotFound(Refused):
    """A page about something that does not exist (a duty, a FAQ entry)."""


@dataclass(frozen=True)
class Scope:
    agency_ids: tuple[str, ...]  # in the pack's order
    title: str  # "toàn tỉnh", or the agency's short name

    def covers(self, agency_id: str) -> bool:
        return agency_id in self.agency_ids


def scope_of(builder: DigestBuilder, visitor: Visitor) -> Scope | None:
    """The agencies the visitor sees; None: none (not linked to an agency)."""
    found = builder.scope_of(visitor.agency_id, visitor.roles, visitor.scope)
    if found is not None:
        return Scope(tuple(found[0]), found[1])
    agencies = builder.catalog.agencies
    if OFFICIAL in visitor.roles and visitor.agency_id in agencies:
        return Scope((visitor.agency_id,), agencies[visitor.agency_id].short_name)
    return None


def refuse(session: Session, visitor: Visitor, what: str) -> Forbidden:
    """Audit a refused page (`what`: the page and its arguments) and return the error."""
    session.add(
        AuditLog(user_id=visitor.user_id, action="web.refused", entity_id=what[:100], allowed=False)
    )
    session.flush()
    return Forbidden("scope", what=what)


def require_scope(session: Session, builder: DigestBuilder, visitor: Visitor, what: str) -> Scope:
    scope = scope_of(builder, visitor)
    if scope is None:
        raise refuse(session, visitor, what)
    return scope


def require_agency(
    session: Session, builder: DigestBuilder, visitor: Visitor, agency_id: str, what: str
) -> Scope:
    """The visitor's scope, when it covers `agency_id` ("" : no agency asked for)."""
    scope = require_scope(session, builder, visitor, what)
    if agency_id and agency_id not in builder.catalog.agencies:
        raise NotFound("agency", agency_id=agency_id[:40])  # not "outside your scope"
    if agency_id and not scope.covers(agency_id):
        raise refuse(session, visitor, what)
    return scope


def require_admin(session: Session, visitor: Visitor, what: str) -> None:
    if ADMIN not in visitor.roles:
        raise refuse(session, visitor, what)


def admin_user(session: Session, visitor: Visitor, what: str) -> User:
    """The visitor's account, when it is an admin's (the services it is handed to
    check the role once more, as for chat)."""
    require_admin(session, visitor, what)
    return session.get_one(User, visitor.user_id)


def may_download_digest(visitor: Visitor) -> bool:
    return bool(visitor.roles & MANAGERS)


def may_download_quarterly(visitor: Visitor, settings: NudgeSettings) -> bool:
    return may_draft_quarterly(visitor.roles, visitor.scope, settings)
