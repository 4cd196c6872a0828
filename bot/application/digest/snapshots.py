"""The counts each scope's digest showed, one row a day (`digest_snapshots`): the next
digest says what changed since ("hoàn thành +3, quá hạn −2") and its chart draws
completion over the last weeks.

A snapshot is recorded when a digest goes out (the weekly digest when it is sent,
`/tonghop` when it is answered); the last one of a day stands for that day. The trend
compares with the latest day before today, so the managers of one scope who get the
same Monday digest a few seconds apart all see the change since last time, not since
each other."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.digest.model import Digest
from bot.domain.calendar import TIMEZONE
from bot.domain.status import STATUSES, Tally, Trend
from bot.storage.db import dialect_insert
from bot.storage.models import DigestSnapshot

PROVINCE = "*"  # the scope key of a digest over every agency
WEEKS = 8  # weeks of completion the chart draws


def scope_key(digest: Digest) -> str:
    """`PROVINCE` for the province's digest, else its agencies' ids ("stc", or
    "sct+stc" for a manager of two): a manager of several agencies is compared with
    their own last digest, not the province's."""
    return PROVINCE if digest.province else "+".join(sorted(digest.agency_ids))


def _day(digest: Digest) -> dt.date:
    return digest.generated_at.astimezone(TIMEZONE).date()


def record(session: Session, digest: Digest) -> None:
    """Keep what the digest shows as its scope's counts for its day (one statement:
    two senders recording the same scope at once both succeed, the last one stands)."""
    values = {
        "scope": scope_key(digest),
        "day": _day(digest),
        "taken_at": digest.generated_at,
        "counts": {s: digest.tally[s] for s in STATUSES},
    }
    statement = dialect_insert(session, DigestSnapshot).values(**values)
    updated = {k: statement.excluded[k] for k in ("taken_at", "counts")}
    session.execute(statement.on_conflict_do_update(index_elements=["scope", "day"], set_=updated))


def _tally(counts: dict[str, int]) -> Tally:
    return Tally({s: int(counts.get(s, 0)) for s in STATUSES})


def trend(session: Session, digest: Digest) -> Trend | None:
    """The change since the scope's latest snapshot before the digest's day (None: none)."""
    row = session.execute(
        select(DigestSnapshot.day, DigestSnapshot.counts)
        .where(DigestSnapshot.scope == scope_key(digest), DigestSnapshot.day < _day(digest))
        .order_by(DigestSnapshot.day.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Trend.between(_tally(row.counts), digest.tally, row.day)


def weekly(session: Session, digest: Digest, weeks: int = WEEKS) -> tuple[tuple[str, float], ...]:
    """(label, completion) per week, oldest first: the last snapshot of each of the
    `weeks` weeks before the digest's, then the digest itself ("nay")."""
    today = _day(digest)
    monday = today - dt.timedelta(days=today.weekday())
    since = monday - dt.timedelta(weeks=weeks)
    rows = session.execute(
        select(DigestSnapshot.day, DigestSnapshot.counts)
        .where(
            DigestSnapshot.scope == scope_key(digest),
            DigestSnapshot.day >= since,
            DigestSnapshot.day < monday,
        )
        .order_by(DigestSnapshot.day)
    )
    by_week: dict[dt.date, tuple[dt.date, float]] = {}
    for day, counts in rows:
        week = day - dt.timedelta(days=day.weekday())
        by_week[week] = (day, _tally(counts).completion)  # the week's last one stands
    points = [(f"{day.day:02d}/{day.month:02d}", share) for day, share in by_week.values()]
    return (*points, (f"{today.day:02d}/{today.month:02d}", digest.tally.completion))
