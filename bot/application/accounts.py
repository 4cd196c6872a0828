"""Users, roles and one-time invite codes.

Roles: an *official* reports for the agency they are linked to; a *manager* reads
digests of their agency (or, linked to UBND tỉnh, of the whole province) and may
also report for it; an *admin* manages content and invites. A user who has not
redeemed a code is linked to no agency: they may ask questions, nothing more.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.errors import Refused
from bot.domain.roles import ADMIN, ROLES
from bot.storage.models import InviteCode, User, utcnow
from bot.storage.repositories import UserRepo

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
DEFAULT_INVITE_DAYS = 7


class AccountError(Refused):
    """An account action that cannot be done."""


@dataclass(frozen=True)
class Invite:
    code: str
    agency_id: str | None
    role: str
    expires_at: dt.datetime


def is_linked(user: User) -> bool:
    """May report: linked to an agency (admins need not be)."""
    return user.agency_id is not None


def menu_role(user: User) -> str | None:
    """The role that decides what a user may use and is shown; None while not linked
    (an admin need not be linked to an agency)."""
    return user.role if is_linked(user) or user.role == ADMIN else None


def can_report_for(user: User, agency_id: str) -> bool:
    return user.role in ("official", "manager") and user.agency_id == agency_id


def create_invite(
    session: Session,
    agency_id: str | None,
    role: str,
    created_by: User | None = None,
    days: int = DEFAULT_INVITE_DAYS,
    now: dt.datetime | None = None,
) -> Invite:
    """A new one-time code. `created_by` None is the command line (trusted)."""
    if created_by is not None and created_by.role != "admin":
        raise AccountError("not_admin")
    if role not in ROLES:
        raise AccountError("bad_role", role=role)
    if role != "admin" and agency_id is None:
        raise AccountError("agency_required")
    now = now or utcnow()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    invite = InviteCode(
        code=code,
        agency_id=agency_id,
        role=role,
        created_by=created_by.id if created_by else None,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(invite)
    session.flush()
    return Invite(code, agency_id, role, invite.expires_at)


def redeem(session: Session, user: User, code: str, now: dt.datetime | None = None) -> Invite:
    """Link `user` to the code's agency and role; the code cannot be used again."""
    now = now or utcnow()
    invite = session.get(InviteCode, code.strip().upper(), with_for_update=True)
    if invite is None:
        raise AccountError("code_unknown")
    if invite.used_at is not None:
        raise AccountError("code_used")
    if invite.expires_at <= now:
        raise AccountError("code_expired")
    invite.used_by, invite.used_at = user.id, now
    user.agency_id, user.role = invite.agency_id, invite.role
    session.flush()
    return Invite(invite.code, invite.agency_id, invite.role, invite.expires_at)


def bootstrap_admin(session: Session, channel: str, channel_user_id: str, name: str) -> User:
    """Make a chat account an admin (command line only: the first admin has no inviter)."""
    user = UserRepo(session).get_or_create(channel, channel_user_id, name)
    user.role = "admin"
    session.flush()
    return user


def admins(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == "admin")))
