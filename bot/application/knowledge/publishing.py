"""Publish, retire and list directives (`bot directive publish|retire|list`).

A published directive lives in the database (origin "published"): a server's
data/ folder is the repository's, so a pack published from the command line or chat
cannot live there, and seeding from data/directives never retires it. Retiring keeps
every row for history (reports, nudges sent) and only marks the directive inactive:
no answers, nudges or digest rows from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.knowledge.pack import PackError, load_directive
from bot.application.knowledge.seed import publish_directive
from bot.domain.knowledge import Directive
from bot.storage import models as m


class PublishError(Exception):
    """A directive that cannot be published or retired; the reason in Vietnamese."""


@dataclass(frozen=True)
class Listed:
    id: str
    name: str
    issued: dt.date
    origin: str
    active: bool
    retired_at: dt.datetime | None
    duties: int


def publish(session: Session, folder: Path) -> Directive:
    """Check the draft pack in `folder` against the agencies in use and publish it."""
    agency_ids = frozenset(session.scalars(select(m.Agency.id).where(m.Agency.active)))
    try:
        directive = load_directive(folder, agency_ids)
    except (OSError, PackError) as error:
        raise PublishError(f"Bản nháp chưa công bố được: {error}") from error
    publish_directive(session, directive)
    return directive


def retire(session: Session, directive_id: str, now: dt.datetime) -> m.Directive:
    row = session.get(m.Directive, directive_id)
    if row is None:
        raise PublishError(f"Không có văn bản mã {directive_id}.")
    row.active, row.retired_at = False, now
    session.flush()
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
