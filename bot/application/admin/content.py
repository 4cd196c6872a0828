"""Admin content management: FAQ entries and duties' effective deadlines, versioned.

Every change is authorized here (admins only) and written to the audit log with
its before/after, so it can be listed and reverted; a refused attempt is logged
too. Callers own the session and, after a change, ask the core to reload its
indexes (`Core.reload_now`), which swaps them in without interrupting answers.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.application.accounts import has_role
from bot.domain.catalog import Catalog
from bot.domain.errors import Refused
from bot.domain.roles import ADMIN
from bot.storage.models import AuditLog, Duty, FaqEntry, User
from nlu.normalize import fold, has_words

log = logging.getLogger(__name__)

MAX_QUESTION = 300
MAX_ANSWER = 3000
MAX_ALTERNATES = 10
ANY_DIRECTIVE = ""  # a FAQ entry about every directive (stored as None)
FAQ_ENTITY = "faq"
DUTY_ENTITY = "duty"
AGENCY_ENTITY = "agency"  # bot.application.admin.agencies
# Assignment roles an admin can set on a duty (the pack's "via" links stay as written).
EDITABLE_ROLES = ("addressee", "lead", "coordinate")


class ContentError(Refused):
    """A content change that cannot be made."""


@dataclass(frozen=True)
class FaqDraft:
    question: str
    answer: str
    alternates: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()
    # The directive the entry is about: its id, ANY_DIRECTIVE for every one (as every
    # entry written before there were several), None to leave an entry's as it was
    # (a new one: any).
    directive_id: str | None = None

    def problems(self, known_clauses: set[str]) -> list[str]:
        """What is wrong with the draft, in Vietnamese; empty when it can be saved."""
        found = []
        if not self.question.strip():
            found.append("thiếu câu hỏi")
        elif not has_words(self.question):
            # Questions are matched on their words: one of emoji alone never matches.
            found.append("câu hỏi cần có chữ hoặc số, không chỉ biểu tượng")
        if len(self.question) > MAX_QUESTION:
            found.append(f"câu hỏi dài quá {MAX_QUESTION} ký tự")
        if not self.answer.strip():
            found.append("thiếu câu trả lời")
        if len(self.answer) > MAX_ANSWER:
            found.append(f"câu trả lời dài quá {MAX_ANSWER} ký tự")
        if len(self.alternates) > MAX_ALTERNATES:
            found.append(f"quá {MAX_ALTERNATES} cách hỏi khác")
        if any(len(a) > MAX_QUESTION for a in self.alternates):
            found.append(f"một cách hỏi khác dài quá {MAX_QUESTION} ký tự")
        unknown = [c for c in self.clauses if c not in known_clauses]
        if unknown:
            found.append("không có mục: " + ", ".join(unknown))
        return found


_LIST_SEPARATORS = re.compile(r"\s*(?:\n|;)\s*")


def parse_alternates(text: str) -> tuple[str, ...]:
    """Other phrasings of a question as typed: one per line, or separated by ";"."""
    return tuple(a for a in _LIST_SEPARATORS.split(text.strip()) if a)[:MAX_ALTERNATES]


def parse_clauses(text: str) -> tuple[str, ...]:
    """Clause ids as typed ("Mục 1.e, 2.a" -> ("1.e", "2.a"))."""
    return tuple(re.findall(r"[\w.]+", text.replace("Mục", "").replace("mục", "")))


def agencies_named(catalog: Catalog, text: str) -> tuple[list[str], list[str]]:
    """`agencies_in` the catalog's names."""
    return agencies_in(catalog.agency_names, text)


def agencies_in(by_name: Mapping[str, str], text: str) -> tuple[list[str], list[str]]:
    """Agency ids for a list of names or abbreviations separated by ";" or ",", and
    the parts that name none. A part between semicolons that names an agency as a
    whole is kept whole: some names hold commas ("Các sở, ban, ngành")."""
    parts = []
    for piece in text.split(";"):
        whole = piece.strip()  # fold keeps the space after a separator
        parts.extend([whole] if fold(whole) in by_name else whole.split(","))
    found, unknown = [], []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        agency_id = by_name.get(fold(part))
        if agency_id is None:
            unknown.append(part[:60])
        elif agency_id not in found:
            found.append(agency_id)
    return found, unknown


def find_faq(session: Session, query: str = "") -> list[FaqEntry]:
    """The active FAQ entries, in order; with `query`, those whose id, question, other
    phrasings or answer contain it (folded: case, diacritics and Telex aside)."""
    entries = list(
        session.scalars(select(FaqEntry).where(FaqEntry.active).order_by(FaqEntry.position))
    )
    if not query.strip():
        return entries
    wanted = fold(query)
    return [
        e for e in entries if wanted in fold(" ".join((e.id, e.question, *e.alternates, e.answer)))
    ]


def faq_snapshot(entry: FaqEntry) -> dict[str, Any]:
    return {
        "question": entry.question,
        "answer": entry.answer,
        "alternates": list(entry.alternates),
        "clauses": list(entry.clauses),
        "active": entry.active,
        "directive_id": entry.directive_id,
    }


def require_admin(session: Session, user: User, action: str, target: str = "") -> None:
    """Admins only; a refused attempt is logged and audited."""
    if has_role(user, ADMIN):
        return
    log.warning("refused admin action %s on %r by user %s (%s)", action, target, user.id, user.role)
    session.add(AuditLog(user_id=user.id, action=action, entity_id=target, allowed=False))
    session.flush()
    raise ContentError("not_admin")


def audit(
    session: Session,
    user: User | None,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditLog:
    row = AuditLog(
        user_id=user.id if user else None,
        action=action,
        entity_type=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        allowed=True,
    )
    session.add(row)
    session.flush()
    return row


def new_faq_id(session: Session, question: str) -> str:
    """A readable, unique id from the question's words ("faq-chu-ky-so-cong-cong")."""
    words = re.findall(r"[a-z0-9]+", fold(question))[:6]
    base = "faq-" + "-".join(words) if words else "faq"
    candidate, n = base, 1
    while session.get(FaqEntry, candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def save_faq(
    session: Session,
    user: User | None,
    draft: FaqDraft,
    known_clauses: set[str],
    faq_id: str | None = None,
) -> FaqEntry:
    """Add a FAQ entry, or replace one (`faq_id`); `user` None is the command line."""
    if user is not None:
        require_admin(session, user, "faq.save", faq_id or "")
    problems = draft.problems(known_clauses)
    if problems:
        raise ContentError("invalid", problems=problems)
    entry = session.get(FaqEntry, faq_id) if faq_id else None
    before = faq_snapshot(entry) if entry else None
    if entry is None:
        if faq_id is None:
            faq_id = new_faq_id(session, draft.question)
        position = (session.scalar(select(func.max(FaqEntry.position))) or 0) + 1
        entry = FaqEntry(id=faq_id, position=position)
        session.add(entry)
    entry.question = draft.question.strip()
    entry.answer = draft.answer.strip()
    entry.alternates = [a.strip() for a in draft.alternates if a.strip()]
    entry.clauses = list(draft.clauses)
    if draft.directive_id is not None:
        entry.directive_id = draft.directive_id or None
    entry.active = True
    entry.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    audit(session, user, "faq.save", FAQ_ENTITY, entry.id, before, faq_snapshot(entry))
    return entry


def delete_faq(session: Session, user: User | None, faq_id: str) -> FaqEntry:
    if user is not None:
        require_admin(session, user, "faq.delete", faq_id)
    entry = session.get(FaqEntry, faq_id)
    if entry is None or not entry.active:
        raise ContentError("faq_unknown", faq_id=faq_id)
    before = faq_snapshot(entry)
    entry.active = False
    session.flush()
    audit(session, user, "faq.delete", FAQ_ENTITY, faq_id, before, faq_snapshot(entry))
    return entry


def duty_snapshot(duty: Duty) -> dict[str, Any]:
    """What admins can change on a duty (the pack's own values are not versioned here)."""
    return {
        "effective_due": duty.effective_due.isoformat() if duty.effective_due else None,
        "overrides": dict(duty.overrides or {}),
    }


def _restore_duty(duty: Duty, snapshot: dict[str, Any]) -> None:
    # Changes logged before overrides existed only carry effective_due.
    if "effective_due" in snapshot:
        previous = snapshot["effective_due"]
        duty.effective_due = dt.date.fromisoformat(previous) if previous else None
    if "overrides" in snapshot:
        duty.overrides = dict(snapshot["overrides"])


def _duty(session: Session, directive_id: str, duty_id: str) -> Duty:
    duty = session.get(Duty, (directive_id, duty_id))
    if duty is None or not duty.active:
        raise ContentError("duty_unknown", duty_id=duty_id)
    return duty


def set_effective_due(
    session: Session, user: User | None, directive_id: str, duty_id: str, due: dt.date | None
) -> Duty:
    """Extend (gia hạn) or reset a duty's deadline; the directive's own date stays."""
    if user is not None:
        require_admin(session, user, "duty.due", duty_id)
    duty = _duty(session, directive_id, duty_id)
    before = duty_snapshot(duty)
    duty.effective_due = due
    session.flush()
    entity_id = f"{directive_id}/{duty_id}"
    audit(session, user, "duty.due", DUTY_ENTITY, entity_id, before, duty_snapshot(duty))
    return duty


def edit_duty(
    session: Session,
    user: User | None,
    directive_id: str,
    duty_id: str,
    field: str,
    value: str | tuple[str, ...] | None,
) -> Duty:
    """Set an admin's `field` ("title" or an assignment role in EDITABLE_ROLES) on a
    duty, or (value None) give the field back to the pack. The verbatim text is a
    quotation of the directive and is not editable."""
    if user is not None:
        require_admin(session, user, "duty.edit", duty_id)
    if field != "title" and field not in EDITABLE_ROLES:
        raise ContentError("field_unknown", field=field)
    if field == "title" and isinstance(value, str):
        value = value.strip()
        if not value or len(value) > MAX_QUESTION:
            raise ContentError("invalid", problems=[f"tiêu đề phải có 1–{MAX_QUESTION} ký tự"])
    duty = _duty(session, directive_id, duty_id)
    before = duty_snapshot(duty)
    overrides = dict(duty.overrides or {})
    if value is None:
        overrides.pop(field, None)
    else:
        overrides[field] = value if isinstance(value, str) else list(value)
    duty.overrides = overrides
    session.flush()
    entity_id = f"{directive_id}/{duty_id}"
    audit(session, user, "duty.edit", DUTY_ENTITY, entity_id, before, duty_snapshot(duty))
    return duty


def history(session: Session, limit: int = 20) -> list[AuditLog]:
    """The latest content changes, newest first."""
    query = (
        select(AuditLog)
        .where(AuditLog.allowed.is_(True), AuditLog.entity_type.is_not(None))
        .order_by(AuditLog.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def revert(session: Session, user: User | None, change_id: int) -> AuditLog:
    """Put an entity back as it was before change `change_id` (itself a new change)."""
    if user is not None:
        require_admin(session, user, "revert", str(change_id))
    change = session.get(AuditLog, change_id)
    # Agency changes are reverted by `agencies.revert_change`, which calls this for others;
    # publishing or retiring a directive is undone by the directive commands, not here.
    revertible = (FAQ_ENTITY, DUTY_ENTITY)
    if change is None or not change.allowed or change.entity_type not in revertible:
        raise ContentError("change_unknown", change_id=change_id)
    if change.entity_type == FAQ_ENTITY:
        entry = session.get(FaqEntry, change.entity_id)
        current = faq_snapshot(entry) if entry else None
        if change.before is None:  # the change created it: revert = deactivate
            if entry is not None:
                entry.active = False
        else:
            if entry is None:
                entry = FaqEntry(id=change.entity_id, position=0)
                session.add(entry)
            entry.question = change.before["question"]
            entry.answer = change.before["answer"]
            entry.alternates = list(change.before["alternates"])
            entry.clauses = list(change.before["clauses"])
            entry.active = bool(change.before["active"])
            entry.directive_id = change.before.get("directive_id")  # none before 0020
        session.flush()
        after = faq_snapshot(entry) if entry else None
        return audit(session, user, "revert", FAQ_ENTITY, change.entity_id, current, after)
    directive_id, _, duty_id = change.entity_id.partition("/")
    duty = _duty(session, directive_id, duty_id)
    current = duty_snapshot(duty)
    _restore_duty(duty, change.before or {})
    session.flush()
    return audit(
        session, user, "revert", DUTY_ENTITY, change.entity_id, current, duty_snapshot(duty)
    )
