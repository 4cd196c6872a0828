"""Publish, retire and list directives (`bot directive publish|retire|list`).

A published directive lives in the database (origin "published"): a server's
data/ folder is the repository's, so a pack published from the command line or chat
cannot live there, and seeding from data/directives never retires it. Retiring keeps
every row for history (reports, nudges sent) and only marks the directive inactive:
no answers, nudges or digest rows from it.

Both are audited content changes (`DIRECTIVE_ENTITY`): a running bot's reloader sees
the new audit row on its next check and rebuilds its indexes, so a directive
published or retired from the command line is answered from (or no longer) within
`bot.application.reload.CHECK_EVERY_SECONDS`, without a restart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.knowledge.pack import PackError, load_directive
from bot.application.knowledge.seed import publish_directive
from bot.domain.calendar import TIMEZONE
from bot.domain.dates import vn_date
from bot.domain.knowledge import Directive, names_directive
from bot.storage import models as m

DIRECTIVE_ENTITY = "directive"


def _audit(session: Session, action: str, directive_id: str, user_id: int | None) -> None:
    session.add(
        m.AuditLog(
            user_id=user_id,
            action=f"directive.{action}",
            entity_type=DIRECTIVE_ENTITY,
            entity_id=directive_id,
        )
    )
    session.flush()


class PublishError(Exception):
    """A directive that cannot be published or retired; the reason in Vietnamese."""


class RetiredDirective(PublishError):
    """A draft of a directive that was retired: publishing it brings the directive back
    (answers, nudges), which only an explicit `revive` may do, never a leftover draft
    or an old «Công bố» button."""

    def __init__(self, row: m.Directive) -> None:
        self.retired_on = retired_day(row)
        name = f"{row.doc_type} {row.number}"
        since = f" từ ngày {vn_date(self.retired_on)}" if self.retired_on else ""
        super().__init__(f"{name} đã thôi áp dụng{since}; công bố lại cần xác nhận.")
        self.name = name


def retired_day(row: m.Directive) -> dt.date | None:
    """The province's day a directive was retired, as admins read dates (None: not
    kept)."""
    return row.retired_at.astimezone(TIMEZONE).date() if row.retired_at else None


def retired(session: Session, directive_id: str) -> m.Directive | None:
    """The directive `directive_id` when it was published and then retired."""
    row = session.get(m.Directive, directive_id)
    return row if row is not None and not row.active else None


@dataclass(frozen=True)
class Listed:
    id: str
    name: str
    issued: dt.date
    origin: str
    active: bool
    retired_at: dt.datetime | None
    duties: int


def publish(
    session: Session, folder: Path, user_id: int | None = None, *, revive: bool = False
) -> Directive:
    """Check the draft pack in `folder` against the agencies in use and publish it
    (`user_id`: the admin who did, None from the command line). A retired directive is
    published again only with `revive` (RetiredDirective otherwise)."""
    agency_ids = frozenset(session.scalars(select(m.Agency.id).where(m.Agency.active)))
    try:
        directive = load_directive(folder, agency_ids, named_by_id=False)
    except (OSError, PackError) as error:
        raise PublishError(f"Bản nháp chưa công bố được: {error}") from error
    gone = retired(session, directive.id)
    if gone is not None and not revive:
        raise RetiredDirective(gone)
    publish_directive(session, directive)
    _audit(session, "publish", directive.id, user_id)
    return directive


def find(session: Session, typed: str) -> m.Directive | None:
    """The directive an admin names: its id ("15-CT-UBND-2021"), its number
    ("15/CT-UBND", "Chỉ thị 15/CT-UBND") or its short name ("15/2021"), when only one
    directive answers to it."""
    found = [
        r
        for r in session.scalars(select(m.Directive))
        if names_directive(typed, r.id, r.doc_type, r.number, r.issued)
    ]
    return found[0] if len(found) == 1 else None


def retire(
    session: Session, typed: str, now: dt.datetime, user_id: int | None = None
) -> m.Directive:
    row = find(session, typed)
    if row is None:
        raise PublishError(f"Không có văn bản «{typed.strip()[:60]}».")
    row.active, row.retired_at = False, now
    _audit(session, "retire", row.id, user_id)
    return row


def listed(session: Session) -> list[Listed]:
    counts: dict[str, int] = {}
    for directive_id in session.scalars(select(m.Duty.directive_id).where(m.Duty.active)):
        counts[directive_id] = counts.get(directive_id, 0) + 1
    return [
        Listed(
            r.id,
            f"{r.doc_type} {r.number}",
            r.issued,
            r.origin,
            r.active,
            r.retired_at,
            counts.get(r.id, 0),
        )
        for r in session.scalars(select(m.Directive).order_by(m.Directive.position, m.Directive.id))
    ]
