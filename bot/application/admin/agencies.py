"""Admins edit the agency catalog: add, rename, merge, deactivate, reactivate.

Each change writes the admins' layer (`agencies.overrides`, read by
bot.application.knowledge.agencies, never touched by seeding) and one audit row with
its before/after, so /lichsu lists it and /hoantac (`revert_change`) undoes it.

A merge (A and B into C) also moves what points at A and B outside the knowledge:
accounts (`users.agency_id`), managers' scopes, progress reports, outbox rows and
unused invite codes. Each moved row's id is recorded in the audit row, and a revert
moves exactly those back (with the reports the moved accounts made for C since).
Progress reports are append-only in what they say; a merge only re-points the agency
they count under, in one recorded UPDATE that bypasses the ORM's guard on purpose.
Callers own the session and reload the indexes afterwards (`Core.reload_now`).

Closing an agency never drops its duties unnoticed: while it leads or is addressed
duties of an active directive (its own, or those of agencies merged into it), a
deactivation is refused with those duties (`HeldDuty`) unless the admin confirms
(`force`); merging into an agency that is closed is refused outright.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.application.admin import content
from bot.application.admin.content import AGENCY_ENTITY, ContentError, audit, require_admin
from bot.application.knowledge.agencies import agency_layer, is_active, merged_into, name_of
from bot.application.knowledge.seed import load_knowledge_from_db
from bot.application.messages import Reply
from bot.application.outbox import enqueue, outbox_row
from bot.application.scheduler.world import admins
from bot.domain.calendar import TIMEZONE
from bot.domain.catalog import qualified
from bot.storage import models as m
from nlu.normalize import fold

MAX_NAME = 200
# Tables whose `agency_id` a merge moves: (model, its key, which rows: unused invites).
_MOVED: dict[str, tuple[Any, Any, tuple[Any, ...]]] = {
    "users": (m.User, m.User.id, ()),
    "reports": (m.ProgressReport, m.ProgressReport.id, ()),
    "outbox": (m.OutboxMessage, m.OutboxMessage.id, ()),
    "invites": (m.InviteCode, m.InviteCode.code, (m.InviteCode.used_at.is_(None),)),
    "evidence": (m.EvidenceFile, m.EvidenceFile.id, ()),
}


@dataclass(frozen=True)
class AgencyView:
    id: str
    name: str
    short_name: str
    active: bool
    merged_into: str | None
    people: int


@dataclass(frozen=True)
class HeldDuty:
    """A duty an agency leads or is addressed, as admins see it."""

    directive: str  # "Chỉ thị 06/CT-UBND"
    shown_id: str  # as users type it: "2.c-1", "06/2019·2.c-1" with several directives
    title: str
    kept_by: tuple[str, ...]  # short names of the other agencies that lead or are addressed


def held_duties(session: Session, agency_id: str) -> list[HeldDuty]:
    """The tasks of the active directives `agency_id` leads or is addressed, its own
    or those of agencies merged into it (read through the merges, as answers are)."""
    kb = load_knowledge_from_db(session)
    names = {a.id: a.short_name for a in kb.agencies}
    several = len(kb.directives) > 1
    held = []
    for directive in kb.directives:
        for duty in directive.duties:
            holders = dict.fromkeys((*duty.lead, *duty.addressees))
            if duty.is_task and agency_id in holders:
                others = tuple(names[a] for a in holders if a != agency_id and a in names)
                shown = qualified(directive, duty.id, several, "·")
                held.append(HeldDuty(directive.name, shown, duty.title, others))
    return held


@dataclass(frozen=True)
class Leftovers:
    """What closing an agency leaves: the duties it holds, and the agencies merged
    into it (closed with it: their names no longer lead anywhere)."""

    duties: tuple[HeldDuty, ...]
    merged_in: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.duties or self.merged_in)


def leftovers(session: Session, agency_id: str) -> Leftovers:
    rows = list(session.scalars(select(m.Agency).order_by(m.Agency.position, m.Agency.id)))
    merged = agency_layer(rows, {}).merged
    merged_in = tuple(name_of(r) for r in rows if merged.get(r.id) == agency_id)
    return Leftovers(tuple(held_duties(session, agency_id)), merged_in)


def catalog(session: Session) -> list[AgencyView]:
    """Every agency, active first, with where a merged one went and its accounts."""
    counts = session.execute(select(m.User.agency_id, func.count()).group_by(m.User.agency_id))
    people = {agency_id: count for agency_id, count in counts}
    views = [
        AgencyView(
            row.id,
            name_of(row),
            name_of(row, "short_name"),
            is_active(row),
            merged_into(row),
            people.get(row.id, 0),
        )
        for row in session.scalars(select(m.Agency).order_by(m.Agency.position, m.Agency.id))
    ]
    return sorted(views, key=lambda v: not v.active)


def _row(session: Session, agency_id: str, *, active: bool | None = True) -> m.Agency:
    row = session.get(m.Agency, agency_id.strip())
    if row is None or (active is not None and is_active(row) != active):
        raise ContentError("agency_unknown", agency_id=agency_id)
    return row


def _receiver(session: Session, agency_id: str) -> m.Agency:
    """The existing agency a merge goes into: an active one, or the duties merged into
    it would have no one."""
    row = session.get(m.Agency, agency_id)
    if row is not None and not is_active(row):
        raise ContentError("agency_inactive", agency_id=row.id, name=name_of(row))
    return _row(session, agency_id)


def _names_taken(session: Session, names: Sequence[str], owner: str | None) -> list[str]:
    """Those of `names` another agency than `owner` already answers to."""
    aliases: dict[str, list[str]] = defaultdict(list)
    for alias in session.scalars(select(m.AgencyAlias)):
        aliases[alias.agency_id].append(alias.alias)
    taken: dict[str, str] = {}
    for a in agency_layer(session.scalars(select(m.Agency)), aliases).agencies:
        for surface in (a.id, a.name, a.short_name, *a.aliases):
            taken.setdefault(fold(surface), a.id)
    return [n for n in names if taken.get(fold(n), owner) != owner]


def _check_names(session: Session, owner: str | None, *names: str) -> None:
    problems = [f"tên phải có 1–{MAX_NAME} ký tự" for n in names if not 0 < len(n) <= MAX_NAME]
    problems += [f"«{n}» đã là tên của cơ quan khác" for n in _names_taken(session, names, owner)]
    if problems:
        raise ContentError("invalid", problems=problems)


def _snapshot(row: m.Agency | None) -> dict[str, Any] | None:
    return None if row is None else dict(row.overrides or {})


def _record(
    session: Session,
    user: m.User | None,
    action: str,
    entity_id: str,
    before: dict[str, Any],
    rows: Sequence[m.Agency],
    source: str = "",
    moved: dict[str, Any] | None = None,
) -> m.AuditLog:
    session.flush()
    after: dict[str, Any] = {"agencies": {r.id: _snapshot(r) for r in rows}}
    if source:
        after["source"] = source
    return audit(
        session,
        user,
        action,
        AGENCY_ENTITY,
        entity_id,
        {"agencies": before, **({"moved": moved} if moved else {})},
        after,
    )


def add(
    session: Session,
    user: m.User | None,
    agency_id: str,
    name: str,
    short_name: str = "",
    kind: str = "department",
    level: str = "province",
    source: str = "",
) -> m.Agency:
    """A new agency the pack does not have."""
    if user is not None:
        require_admin(session, user, "agency.add", agency_id)
    agency_id, name, short_name = agency_id.strip(), name.strip(), (short_name or name).strip()
    if not agency_id.isascii() or not agency_id.replace("_", "").isalnum():
        raise ContentError("invalid", problems=["mã cơ quan chỉ gồm chữ không dấu, số và _"])
    if session.get(m.Agency, agency_id) is not None:
        raise ContentError("invalid", problems=[f"đã có cơ quan mã «{agency_id}»"])
    if kind not in m.AGENCY_KINDS or level not in m.AGENCY_LEVELS:
        raise ContentError("invalid", problems=[f"loại/cấp không hợp lệ: {kind}/{level}"])
    _check_names(session, None, name, short_name)
    position = (session.scalar(select(func.max(m.Agency.position))) or 0) + 1
    row = m.Agency(
        id=agency_id,
        name=name,
        short_name=short_name,
        kind=kind,
        level=level,
        member_levels=[],
        member_kinds=[],
        position=position,
        active=True,
        overrides={"added": True},
    )
    session.add(row)
    _record(session, user, "agency.add", agency_id, {agency_id: None}, [row], source)
    return row


def rename(
    session: Session,
    user: m.User | None,
    agency_id: str,
    name: str,
    short_name: str = "",
    source: str = "",
) -> m.Agency:
    """A new name; the old name and short name stay understood as aliases."""
    if user is not None:
        require_admin(session, user, "agency.rename", agency_id)
    row = _row(session, agency_id)
    name, short_name = name.strip(), (short_name or name).strip()
    _check_names(session, row.id, name, short_name)
    before = _snapshot(row) or {}
    old = [str(before.get("name", row.name)), str(before.get("short_name", row.short_name))]
    kept = [*before.get("aliases", ()), *(n for n in old if fold(n) not in {fold(name)})]
    row.overrides = {
        **before,
        "name": name,
        "short_name": short_name,
        "aliases": list(dict.fromkeys(kept)),
    }
    _record(session, user, "agency.rename", row.id, {row.id: before}, [row], source)
    return row


def set_active(
    session: Session,
    user: m.User | None,
    agency_id: str,
    active: bool,
    source: str = "",
    force: bool = False,
) -> tuple[m.Agency, Leftovers]:
    """Deactivate or reactivate an agency (a merged one stands on its own again); with
    what a deactivated one leaves behind.

    A deactivation is refused while accounts still belong to the agency (merge it
    instead), and while it holds duties or agencies were merged into it unless `force`
    (the admin saw them and confirmed): closed, it is dropped from those duties (one it
    alone held has no one) and the agencies merged into it are closed with it."""
    action = "agency.reactivate" if active else "agency.deactivate"
    if user is not None:
        require_admin(session, user, action, agency_id)
    row = _row(session, agency_id, active=not active)
    left = Leftovers((), ())
    if not active:
        people = session.scalar(select(func.count()).where(m.User.agency_id == row.id)) or 0
        if people:
            raise ContentError("agency_in_use", agency_id=row.id, name=name_of(row), people=people)
        left = leftovers(session, row.id)
        if left and not force:
            name = name_of(row)
            raise ContentError(
                "agency_has_duties",
                agency_id=row.id,
                name=name,
                duties=left.duties,
                merged_in=left.merged_in,
            )
    before = _snapshot(row) or {}
    overrides = {k: v for k, v in before.items() if k != "merged_into"}
    row.overrides = {**overrides, "active": active}
    _record(session, user, action, row.id, {row.id: before}, [row], source)
    _forget_contexts(session, {row.id})
    return row, left


def merge(
    session: Session,
    user: m.User | None,
    sources: Sequence[str],
    target_id: str,
    name: str = "",
    short_name: str = "",
    source: str = "",
) -> m.Agency:
    """`sources` become `target_id`: an existing agency, or a new one named `name`."""
    if user is not None:
        require_admin(session, user, "agency.merge", target_id)
    target_id = target_id.strip()
    rows = [_row(session, s) for s in dict.fromkeys(s.strip() for s in sources)]
    if not rows or target_id in {r.id for r in rows}:
        raise ContentError("invalid", problems=["cần ít nhất một cơ quan khác cơ quan nhận"])
    if any(r.kind == "group" for r in rows):
        raise ContentError("invalid", problems=["không gộp được một nhóm cơ quan"])
    target = session.get(m.Agency, target_id)
    before: dict[str, Any] = {r.id: _snapshot(r) for r in rows}
    if target is None:
        if not name.strip():
            raise ContentError("invalid", problems=[f"cơ quan mới «{target_id}» cần có tên"])
        first = rows[0]
        target = add(session, None, target_id, name, short_name, first.kind, first.level)
        before[target_id] = None
    else:
        target = _receiver(session, target_id)
        before[target_id] = _snapshot(target)
    last_report = session.scalar(select(func.max(m.ProgressReport.id))) or 0
    moved: dict[str, Any] = {"last_report": last_report, "scopes": {}}
    ids = [r.id for r in rows]
    for key, (model, column, where) in _MOVED.items():
        moved[key] = {}
        for row in rows:
            query = select(column).where(model.agency_id == row.id, *where)
            found = list(session.scalars(query))
            if found:
                moved[key][row.id] = found
                _move(session, model, column, found, target.id)
    for person in session.scalars(select(m.User)):
        if any(a in ids for a in person.scope or ()):
            moved["scopes"][str(person.id)] = list(person.scope)
            person.scope = list(dict.fromkeys(target.id if a in ids else a for a in person.scope))
    for row in rows:
        row.overrides = {**(row.overrides or {}), "active": False, "merged_into": target.id}
    _forget_contexts(session, set(ids))
    entity = f"{'+'.join(ids)}/{target.id}"
    _record(session, user, "agency.merge", entity, before, [*rows, target], source, moved)
    return target


def _move(session: Session, model: Any, column: Any, ids: list[Any], agency_id: str) -> None:
    if ids:
        session.execute(
            update(model)
            .where(column.in_(ids))
            .values(agency_id=agency_id)
            .execution_options(synchronize_session="fetch")
        )


def _forget_contexts(session: Session, agency_ids: set[str]) -> None:
    """Follow-up memory naming a merged or closed agency would point at nothing."""
    for context in session.scalars(select(m.QaContext)):
        if agency_ids & set(context.agencies or ()):
            session.delete(context)


def revert_change(session: Session, user: m.User | None, change_id: int) -> m.AuditLog:
    """/hoantac: put back what change `change_id` changed, an agency's or content's."""
    change = session.get(m.AuditLog, change_id)
    if change is None or not change.allowed or change.entity_type != AGENCY_ENTITY:
        return content.revert(session, user, change_id)
    if user is not None:
        require_admin(session, user, "revert", str(change_id))
    return revert(session, user, change)


def revert(session: Session, user: m.User | None, change: m.AuditLog) -> m.AuditLog:
    """Undo an agency change: the layer as it was before, moved rows moved back."""
    before = change.before or {}
    current: dict[str, Any] = {}
    touched = []
    for agency_id, snapshot in before.get("agencies", {}).items():
        row = session.get(m.Agency, agency_id)
        if row is None:
            continue
        current[agency_id] = _snapshot(row)
        # A row the change created stays (things may point at it), closed.
        row.overrides = snapshot if snapshot is not None else {"added": True, "active": False}
        touched.append(row)
    moved = before.get("moved")
    if moved:
        _move_back(session, moved, change.entity_id.rpartition("/")[2])
    session.flush()
    return _record(session, user, "revert", change.entity_id, current, touched)


def _move_back(session: Session, moved: dict[str, Any], target: str) -> None:
    for key, (model, column, _) in _MOVED.items():
        for source, ids in moved.get(key, {}).items():
            _move(session, model, column, ids, source)
    # Reports the moved accounts made for the merged agency since go back with them.
    home = {uid: source for source, uids in moved.get("users", {}).items() for uid in uids}
    by_source: dict[str, list[int]] = defaultdict(list)
    for report_id, user_id in session.execute(
        select(m.ProgressReport.id, m.ProgressReport.user_id).where(
            m.ProgressReport.id > moved.get("last_report", 0),
            m.ProgressReport.agency_id == target,
            m.ProgressReport.user_id.in_(home),
        )
    ):
        by_source[home[user_id]].append(report_id)
    for source, ids in by_source.items():
        _move(session, m.ProgressReport, m.ProgressReport.id, ids, source)
    for user_id, scope in moved.get("scopes", {}).items():
        person = session.get(m.User, int(user_id))
        if person is not None:
            person.scope = list(scope)


CODE_REFUSED_KIND = "invite_refused"


def tell_admins_code_refused(
    session: Session,
    push_channels: Sequence[str],
    user: m.User,
    agency_id: str,
    created_by: int | None,
    now: dt.datetime,
) -> int:
    """Tell the admin who made a code (every admin, when made on the command line or
    not reachable) that someone tried it for an agency no longer active: they give the
    person a code of the agency that took over its work. Once a day per person."""
    reachable = admins(session, push_channels)
    inviter = [r for r in reachable if created_by is not None and r.user_id == created_by]
    row = session.get(m.Agency, agency_id)
    message = Reply(
        "admin/code_agency_inactive",
        {"person": user.display_name, "agency": row.short_name if row else agency_id},
    )
    rows = [
        outbox_row(
            user_id=r.user_id,
            channel=r.channel,
            address=r.address,
            kind=CODE_REFUSED_KIND,
            duty_id=f"{CODE_REFUSED_KIND}-{user.id}-{agency_id}"[:120],
            due=now.astimezone(TIMEZONE).date(),
            message=message,
            not_before=now,
            now=now,
        )
        for r in inviter or reachable
    ]
    return enqueue(session, rows)
