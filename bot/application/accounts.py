"""Users, roles and one-time invite codes.

Roles: an *official* reports for the agency they are linked to; a *manager* reads
digests of their scope (the agencies of the manager codes they redeemed; with UBND
tỉnh among them, the whole province) and may also report for their agency; an
*admin* manages content and invites. A user who has not redeemed a code is linked to
no agency: they may ask questions, nothing more.

Roles belong to the person, several at once: a code adds its role (an admin who
redeems an official's code stays an admin), and every account of the person holds
the same `roles`, `agency_id` and `scope`; `role` is the highest of them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, or_, select
from sqlalchemy.orm import Session

from bot.application.dialogs import state as dialog_state
from bot.application.knowledge.agencies import is_active
from bot.domain.errors import Refused
from bot.domain.roles import ADMIN, MANAGER, OFFICIAL, ROLES, highest, in_order
from bot.storage.models import (
    Agency,
    AuditLog,
    InviteCode,
    LinkCode,
    OfferedChoices,
    OutboxMessage,
    Snooze,
    User,
    utcnow,
)
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


def roles_of(user: User) -> frozenset[str]:
    """Every role the person holds (rows written before `roles` existed: their `role`)."""
    return frozenset(user.roles or [user.role])


def menu_roles(user: User) -> frozenset[str]:
    """The roles that decide what a user may use and is shown: none while not linked
    (an admin need not be linked to an agency)."""
    return frozenset(r for r in roles_of(user) if r == ADMIN or is_linked(user))


def menu_role(user: User) -> str | None:
    """The highest of `menu_roles` (what a single word about the user says); None
    while not linked."""
    held = menu_roles(user)
    return highest(held) if held else None


def has_role(user: User, role: str) -> bool:
    return role in menu_roles(user)


def manager_scope(user: User) -> tuple[str, ...]:
    """The agencies a manager's digest covers (none when the person is no manager)."""
    if not has_role(user, MANAGER):
        return ()
    return tuple(user.scope) or ((user.agency_id,) if user.agency_id else ())


def can_report_for(user: User, agency_id: str) -> bool:
    return bool(menu_roles(user) & {OFFICIAL, MANAGER}) and user.agency_id == agency_id


def create_invite(
    session: Session,
    agency_id: str | None,
    role: str,
    created_by: User | None = None,
    days: int = DEFAULT_INVITE_DAYS,
    now: dt.datetime | None = None,
) -> Invite:
    """A new one-time code. `created_by` None is the command line (trusted)."""
    if created_by is not None and not has_role(created_by, ADMIN):
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
    # Who made whom what is on record; the code itself is not (it is a credential
    # until used): its first two characters tell the entries apart.
    session.add(
        AuditLog(
            user_id=created_by.id if created_by else None,
            action="invite.create",
            entity_id=code[:2] + "…",
            after={
                "role": role,
                "agency_id": agency_id,
                "expires_at": invite.expires_at.isoformat(),
            },
        )
    )
    session.flush()
    return Invite(code, agency_id, role, invite.expires_at)


def accounts_of(session: Session, user: User) -> list[User]:
    """Every chat account of `user`'s person (theirs first)."""
    key = user.person
    others = session.scalars(
        select(User)
        .where(or_(User.id == key, User.person_id == key), User.id != user.id)
        .order_by(User.id)
    )
    return [user, *others]


@dataclass(frozen=True)
class Standing:
    """What a person holds: every role, the agency they report for, a manager's scope."""

    roles: tuple[str, ...]  # highest first
    agency_id: str | None
    scope: tuple[str, ...]

    @classmethod
    def of(cls, user: User) -> Standing:
        """(Not linked: no role yet, whatever the `role` column's default says.)"""
        return cls(tuple(in_order(menu_roles(user))), user.agency_id, tuple(user.scope or ()))

    def granted(self, role: str, agency_id: str | None) -> Standing:
        """With an invite's role added: an agency code links the person to the agency
        (the one they report for); a manager's code adds the agency to their scope."""
        agency = agency_id if agency_id is not None else self.agency_id
        scope = self.scope
        if role == MANAGER and agency_id is not None and agency_id not in scope:
            scope = (*scope, agency_id)
        return Standing(tuple(in_order({*self.roles, role})), agency, scope)


def _set_standing(session: Session, user: User, standing: Standing) -> None:
    """Roles belong to the person: every account of theirs gets the same. A change
    ends what each account had open (a report for the old agency would be refused at
    its last step) and the choices it was offered."""
    for account in accounts_of(session, user):
        if Standing.of(account) != standing:
            dialog_state.clear(session, account.id)
            session.execute(delete(OfferedChoices).where(OfferedChoices.user_id == account.id))
        account.roles, account.role = list(standing.roles), highest(standing.roles)
        account.agency_id, account.scope = standing.agency_id, list(standing.scope)


def redeem(session: Session, user: User, code: str, now: dt.datetime | None = None) -> Invite:
    """Add the code's role (and agency) to `user`'s person, every account of theirs; the
    roles they held stay. The code cannot be used again."""
    now = now or utcnow()
    invite = session.get(InviteCode, code.strip().upper(), with_for_update=True)
    if invite is None:
        raise AccountError("code_unknown")
    if invite.used_at is not None:
        raise AccountError("code_used")
    if invite.expires_at <= now:
        raise AccountError("code_expired")
    if invite.agency_id is not None and not _agency_open(session, invite.agency_id):
        # An agency deactivated after the code was made: nobody may join it (a merged
        # one's codes moved with the merge). The code stays unused, for a reactivation.
        refused = {"agency_id": invite.agency_id, "refused": "agency_inactive"}
        _audit_redeem(session, user, invite, allowed=False, after=refused)
        raise AccountError(
            "code_agency_inactive", agency_id=invite.agency_id, created_by=invite.created_by
        )
    invite.used_by, invite.used_at = user.id, now
    before = _audited(user)
    _set_standing(session, user, Standing.of(user).granted(invite.role, invite.agency_id))
    after = {**_audited(user), "invited_by": invite.created_by}
    _audit_redeem(session, user, invite, before=before, after=after)
    return Invite(invite.code, invite.agency_id, invite.role, invite.expires_at)


def _audit_redeem(session: Session, user: User, invite: InviteCode, **row: Any) -> None:
    """The audit row of a code's use, allowed or refused (the code shown by its start
    only: the log is read by every admin)."""
    entity = invite.code[:2] + "…"
    session.add(AuditLog(user_id=user.id, action="invite.redeem", entity_id=entity, **row))
    session.flush()


def _agency_open(session: Session, agency_id: str) -> bool:
    row = session.get(Agency, agency_id)
    return row is not None and is_active(row)


def bootstrap_admin(session: Session, channel: str, channel_user_id: str, name: str) -> User:
    """Make a chat account an admin (command line only: the first admin has no inviter)."""
    user = UserRepo(session).get_or_create(channel, channel_user_id, name)
    before = _audited(user)
    _set_standing(session, user, Standing.of(user).granted(ADMIN, None))
    session.add(
        AuditLog(
            action="account.admin",
            entity_id=str(user.id),
            before=before,
            after=_audited(user),
        )
    )
    session.flush()
    return user


# ----- one person, several chat accounts -------------------------------------------------------
LINK_CODE_MINUTES = 10


def create_link_code(session: Session, user: User, now: dt.datetime | None = None) -> LinkCode:
    """A one-time code, valid `LINK_CODE_MINUTES`, that joins the account it is typed
    from (on another channel) to `user`'s person."""
    now = now or utcnow()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row = LinkCode(
        code=code,
        person_id=user.person,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=LINK_CODE_MINUTES),
    )
    session.add(row)
    session.flush()
    return row


def join(session: Session, user: User, code: str, now: dt.datetime | None = None) -> list[User]:
    """Join `user`'s account to the person who made `code` (their account on another
    channel); returns the person's accounts.

    The role and agency go one way only, from the account that made the code to the
    one that types it: an account that has a role of its own, other than the
    person's, is refused (else typing someone else's code would hand out roles, or an
    admin tricked into typing one would make its maker an admin). Messages already
    queued or sent to the joining account are re-keyed to the person, so none goes
    out twice; the join is audited."""
    now = now or utcnow()
    row = session.get(LinkCode, code.strip().upper(), with_for_update=True)
    if row is None or row.used_at is not None:
        raise AccountError("link_code_unknown")
    if row.expires_at <= now:
        raise AccountError("link_code_expired")
    if row.person_id == user.person:
        raise AccountError("link_same_account")
    if len(accounts_of(session, user)) > 1:  # already one person's: unlinking is an admin's job
        raise AccountError("link_already_joined")
    owner = session.get_one(User, row.person_id)
    if any(a.channel == user.channel for a in accounts_of(session, owner)):
        raise AccountError("link_same_channel")
    if menu_role(user) is not None and Standing.of(user) != Standing.of(owner):
        raise AccountError("link_role_conflict")
    row.used_at = now
    before = {"person": user.person, **_audited(user)}
    _move_messages(session, user.id, owner.person)
    user.person_id = owner.person
    session.flush()
    _set_standing(session, user, Standing.of(owner))
    after = {"person": owner.person, **_audited(owner)}
    session.add(
        AuditLog(
            user_id=user.id,
            action="account.join",
            entity_id=str(user.id),
            before=before,
            after=after,
        )
    )
    session.flush()
    return accounts_of(session, user)


def _audited(user: User) -> dict[str, object]:
    """A person's standing as the audit log keeps it (`role`: the highest, as before
    `roles` existed)."""
    standing = Standing.of(user)
    return {
        "role": menu_role(user),
        "roles": list(standing.roles),
        "agency_id": user.agency_id,
    }


def _move_messages(session: Session, old: int, person: int) -> None:
    """The outbox rows and snoozes keyed by the joining account's own key, re-keyed to
    the person it joins; a pending row the person already has (the same nudge) is
    dropped, and the person keeps the later of two snoozes."""
    taken = {
        (r.duty_id, r.due, r.kind)
        for r in session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == person))
    }
    for message in session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == old)):
        if (message.duty_id, message.due, message.kind) not in taken:
            message.user_id = person
        elif message.status == "pending":
            message.status, message.last_error = "failed", f"superseded: joined person {person}"
    for snooze in session.scalars(select(Snooze).where(Snooze.user_id == old)):
        kept = session.get(Snooze, (person, snooze.duty_id))
        if kept is None:
            session.add(Snooze(user_id=person, duty_id=snooze.duty_id, until=snooze.until))
        else:
            kept.until = max(kept.until, snooze.until)
        session.delete(snooze)
    session.flush()


def prefer(session: Session, user: User, channel: str) -> User | None:
    """Make the person's account on `channel` the one nudges and digests go to; None
    when the person has no account there."""
    accounts = accounts_of(session, user)
    chosen = next((a for a in accounts if a.channel == channel), None)
    if chosen is not None:
        for account in accounts:
            account.preferred = account is chosen
        session.flush()
    return chosen


def contact_order(
    channel: str, preferred: bool, blocked: bool, channels: Sequence[str]
) -> tuple[bool, bool, int]:
    """How to rank a person's accounts for a pushed message (lowest first): not blocked,
    then the preferred one, then the channels' order (Zalo first)."""
    rank = channels.index(channel) if channel in channels else len(channels)
    return blocked, not preferred, rank


def holding(role: str) -> ColumnElement[bool]:
    """Accounts whose person holds `role` (SQL: the JSON list read as text, the same on
    SQLite and PostgreSQL; rows from before `roles` by their `role`)."""
    return or_(User.role == role, cast(User.roles, String).like(f'%"{role}"%'))


def admins(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == "admin")))
