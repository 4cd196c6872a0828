"""Announcements to the users: who an audience is, a draft kept for its preview, and
sending it (once) through the delivery outbox. `/thongbao` in chat and the portal's
page both go through here, so a draft made in one can be settled in the other and is
never sent twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.application.accounts import holding
from bot.application.admin.content import ContentError, agencies_named, require_admin
from bot.application.calendar import load_calendar
from bot.application.messages import Reply
from bot.application.outbox import enqueue, outbox_row
from bot.application.scheduler.policy import Recipient
from bot.config import NudgeSettings
from bot.domain.calendar import TIMEZONE
from bot.domain.catalog import Catalog
from bot.domain.knowledge import Agency
from bot.domain.roles import ADMIN, MANAGER, OFFICIAL, ROLE_WORDS, can_belong_to
from bot.storage.models import AuditLog, User, utcnow
from nlu.normalize import fold

_AUDIENCE_LABELS = {OFFICIAL: "cán bộ", MANAGER: "lãnh đạo", ADMIN: "quản trị viên"}
# The words that name an audience (folded), and what they stand for.
AUDIENCES = {
    "tatca": ("mọi người dùng đã liên kết", None),
    **{word: (_AUDIENCE_LABELS[role], role) for word, role in ROLE_WORDS.items()},
}
MAX_ANNOUNCEMENT = 3000
BROADCAST_KIND = "broadcast"
DRAFT = "broadcast.draft"
SENT = "broadcast.sent"
CANCELLED = "broadcast.cancelled"


@dataclass(frozen=True)
class Audience:
    label: str  # "cán bộ", or the agency's name
    role: str | None
    agency_id: str | None


def audience(catalog: Catalog, target: str) -> Audience | None:
    """The audience "tatca", a role word or one agency (not a group) names."""
    word = fold(target)
    if word in AUDIENCES:
        label, role = AUDIENCES[word]
        return Audience(label, role, None)
    agencies, unknown = agencies_named(catalog, target)
    if len(agencies) != 1 or unknown:
        return None
    agency = catalog.agencies[agencies[0]]
    if not can_belong_to(agency.kind, agency.level):  # nobody's account is there
        return None
    return Audience(agency.name, None, agency.id)


def agencies_reached(catalog: Catalog) -> list[Agency]:
    """The agencies an announcement can name: those people's accounts belong to (not a
    group of agencies, not a central body the directive only names)."""
    return [a for a in catalog.kb.agencies if can_belong_to(a.kind, a.level)]


def recipients(
    session: Session, push_channels: tuple[str, ...], role: str | None, agency_id: str | None
) -> list[Recipient]:
    """Who an announcement reaches: one account per person, as the nudges."""
    from bot.application.scheduler.world import people_on

    # Linked to an agency (accounts.is_linked), or an admin.
    which = [or_(User.agency_id.is_not(None), User.role == "admin")]
    if role is not None:
        which.append(holding(role))
    if agency_id is not None:
        which.append(User.agency_id == agency_id)
    people = people_on(session, and_(*which), push_channels)
    return [person for person in people if not person.blocked]


def draft(session: Session, user: User, target: str, found: Audience, text: str) -> AuditLog:
    """The announcement as previewed, kept (in the audit log) until it is sent or
    cancelled."""
    require_admin(session, user, DRAFT, target)
    row = AuditLog(
        user_id=user.id,
        action=DRAFT,
        entity_id=fold(target)[:100],
        after={
            "label": found.label,
            "role": found.role,
            "agency_id": found.agency_id,
            "text": text,
        },
    )
    session.add(row)
    session.flush()
    return row


def find_draft(session: Session, draft_id: int) -> AuditLog | None:
    row = session.get(AuditLog, draft_id)
    if row is None or row.action != DRAFT or not row.after:
        return None
    return row


def settled(session: Session, draft_id: int) -> str | None:
    """ "sent" or "cancelled" once the draft was settled; None while it waits."""
    action = session.scalar(
        select(AuditLog.action).where(
            AuditLog.action.in_((SENT, CANCELLED)), AuditLog.entity_id == str(draft_id)
        )
    )
    return action.rpartition(".")[2] if action else None


@dataclass(frozen=True)
class Settled:
    outcome: str  # "sent", "cancelled_now", or what an earlier press did ("sent", "cancelled")
    first: bool  # this call settled it
    count: int = 0  # messages queued
    later: Any = None  # when they go, if not now (nights and days off wait)


def settle(
    session: Session,
    user: User,
    draft_id: int,
    send: bool,
    settings: NudgeSettings,
    push_channels: tuple[str, ...],
) -> Settled:
    """Send (`send`) or cancel a previewed announcement, once: a second press is told
    what the first did. ContentError("draft_unknown") for no such draft."""
    require_admin(session, user, SENT if send else CANCELLED, str(draft_id))
    row = find_draft(session, draft_id)
    if row is None:
        raise ContentError("draft_unknown", draft_id=draft_id)
    earlier = settled(session, draft_id)
    if earlier is not None:
        return Settled(earlier, first=False)
    if not send:
        session.add(AuditLog(user_id=user.id, action=CANCELLED, entity_id=str(row.id)))
        session.flush()
        return Settled("cancelled_now", first=True)
    now = utcnow()
    # Like the nudges, an announcement made at night or on a holiday waits for the
    # next working hours.
    send_at = load_calendar(session, settings).next_working_slot(now)
    spec: dict[str, Any] = row.after or {}
    # The admin's text goes out as data, never as markup or template source.
    message = Reply("admin/announcement", {"label": spec["label"], "text": spec["text"]})
    rows = [
        outbox_row(
            user_id=recipient.user_id,
            channel=recipient.channel,
            address=recipient.address,
            kind=BROADCAST_KIND,
            # One message per announcement and user, whatever retries follow.
            duty_id=f"{BROADCAST_KIND}-{row.id}",
            due=now.astimezone(TIMEZONE).date(),
            agency_id=recipient.agency_id,
            message=message,
            not_before=send_at,
            now=now,
        )
        for recipient in recipients(session, push_channels, spec["role"], spec["agency_id"])
    ]
    count = enqueue(session, rows)
    session.add(
        AuditLog(user_id=user.id, action=SENT, entity_id=str(row.id), after={"recipients": count})
    )
    session.flush()
    return Settled("sent", first=True, count=count, later=send_at if send_at > now else None)
