"""The admins' FAQ pages: list and search, add, edit (with a preview of the bot's
answer), delete, and the change history with revert.

Every change goes through `bot.application.admin.content`, as `/faqthem`, `/faqsua`,
`/faqxoa` and `/hoantac` do in chat (one versioning and audit path; it checks the
role again), and then rebuilds the Q&A (`Services.reload_now`), so the assistant
answers with the new text from the next question on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.admin import agencies, content, inbox
from bot.application.messages import Reply
from bot.application.portal import access
from bot.application.portal.login import Visitor
from bot.application.qa.views import label
from bot.application.services import Services
from bot.storage.models import AuditLog, FaqEntry, User

HISTORY_LIMIT = 50
ACTIONS = {
    "faq.save": "Lưu mục hỏi đáp",
    "faq.delete": "Xóa mục hỏi đáp",
    "duty.due": "Gia hạn nhiệm vụ",
    "duty.edit": "Sửa nhiệm vụ",
    "revert": "Khôi phục",
}
KINDS = {content.FAQ_ENTITY: "mục hỏi đáp", content.DUTY_ENTITY: "nhiệm vụ"}
FIELDS = {
    "question": "Câu hỏi",
    "alternates": "Cách hỏi khác",
    "answer": "Câu trả lời",
    "clauses": "Trích dẫn",
    "active": "Đang dùng",
    "effective_due": "Hạn đã gia hạn",
    "overrides": "Tiêu đề, phân công đã sửa",
}


@dataclass(frozen=True)
class FaqForm:
    """The edit form's fields as typed: other phrasings one per line, clauses as
    "1.e, 2.a" (read as the chat dialog reads them)."""

    question: str = ""
    alternates: str = ""
    answer: str = ""
    clauses: str = ""

    @classmethod
    def of(cls, entry: FaqEntry) -> FaqForm:
        return cls(
            entry.question, "\n".join(entry.alternates), entry.answer, ", ".join(entry.clauses)
        )

    @classmethod
    def asked(cls, wordings: list[str]) -> FaqForm:
        """A new entry's form from the wordings users asked (the inbox's group): the
        latest as the question, the others, as far as they fit, as other phrasings."""
        fitting = [w for w in wordings[1:] if len(w) <= content.MAX_QUESTION]
        return cls(
            question=wordings[0][: content.MAX_QUESTION],
            alternates="\n".join(fitting[: content.MAX_ALTERNATES]),
        )

    def draft(self) -> content.FaqDraft:
        return content.FaqDraft(
            question=self.question.strip(),
            answer=self.answer.strip(),
            alternates=content.parse_alternates(self.alternates),
            clauses=content.parse_clauses(self.clauses),
        )


def form_for(session: Session, visitor: Visitor, faq_id: str | None) -> FaqForm:
    """The form of an entry as it stands (`faq_id`), or an empty one."""
    if faq_id is None:
        access.admin_user(session, visitor, "hoi-dap them")
        return FaqForm()
    return FaqForm.of(entry(session, visitor, faq_id))


def entries(session: Session, visitor: Visitor, query: str) -> list[FaqEntry]:
    access.admin_user(session, visitor, "hoi-dap")
    return content.find_faq(session, query)


def entry(session: Session, visitor: Visitor, faq_id: str) -> FaqEntry:
    access.admin_user(session, visitor, f"hoi-dap {faq_id}")
    found = session.get(FaqEntry, faq_id)
    if found is None or not found.active:
        raise access.NotFound("faq", faq_id=faq_id)
    return found


def preview(
    session: Session, services: Services, visitor: Visitor, form: FaqForm
) -> tuple[Reply, list[str]]:
    """The assistant's answer with this entry, as a chat user would get it, and what
    keeps the form from being saved (in Vietnamese; empty: nothing)."""
    access.admin_user(session, visitor, "hoi-dap xem-truoc")
    draft = form.draft()
    catalog = services.catalog
    citations = [label(catalog, c) for c in draft.clauses if c in catalog.clauses]
    reply = Reply("qa/faq", {"entry": draft, "citations": citations})
    return reply, draft.problems(catalog.clauses.ids())


def save(
    session: Session,
    services: Services,
    visitor: Visitor,
    form: FaqForm,
    faq_id: str | None,
    inbox_log_id: int | None = None,
) -> FaqEntry:
    """Add an entry (`faq_id` None) or replace one; ContentError("invalid", problems=…)
    when the form is not complete. An entry made from the inbox («Tạo mục hỏi đáp» on
    a group, `inbox_log_id`) takes its group out, as the chat's dialog does."""
    user = access.admin_user(session, visitor, f"hoi-dap {faq_id or 'them'}")
    if faq_id is not None:
        entry(session, visitor, faq_id)  # a deleted entry is not edited back to life here
    saved = content.save_faq(session, user, form.draft(), services.catalog.clauses.ids(), faq_id)
    if inbox_log_id is not None:
        inbox.dismiss_group(session, user, inbox_log_id)
    services.reload_now(session)
    return saved


def delete(session: Session, services: Services, visitor: Visitor, faq_id: str) -> None:
    user = access.admin_user(session, visitor, f"hoi-dap {faq_id} xoa")
    try:
        content.delete_faq(session, user, faq_id)
    except content.ContentError:
        raise access.NotFound("faq", faq_id=faq_id) from None
    services.reload_now(session)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryItem:
    id: int
    created_at: dt.datetime
    title: str  # "Lưu mục hỏi đáp «ngay_hieu_luc»"
    user: str
    changes: list[FieldChange]


def _shown(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return str(value)


def field_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    """The fields a change touched, before and after (a new entry: every field)."""
    before, after = before or {}, after or {}
    keys = [k for k in FIELDS if k in before or k in after]
    return [
        FieldChange(FIELDS[k], _shown(before.get(k)), _shown(after.get(k)))
        for k in keys
        if before.get(k) != after.get(k)
    ]


def _title(change: AuditLog) -> str:
    action = ACTIONS.get(change.action, change.action)
    if change.action == "revert":
        action += " " + KINDS.get(change.entity_type or "", "")
    return f"{action} «{change.entity_id.split('/')[-1]}»"


def history(session: Session, visitor: Visitor) -> list[HistoryItem]:
    """The latest content changes (FAQ entries and duties), newest first, as `/lichsu`."""
    access.admin_user(session, visitor, "hoi-dap lich-su")
    changes = content.history(session, HISTORY_LIMIT)
    ids = {c.user_id for c in changes if c.user_id is not None}
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
    return [
        HistoryItem(
            id=c.id,
            created_at=c.created_at,
            title=_title(c),
            user=names.get(c.user_id, "dòng lệnh") if c.user_id is not None else "dòng lệnh",
            changes=field_changes(c.before, c.after),
        )
        for c in changes
    ]


def revert(session: Session, services: Services, visitor: Visitor, change_id: int) -> AuditLog:
    """Put an entry (or a duty) back as it was before the change, as `/hoantac`."""
    user = access.admin_user(session, visitor, f"hoi-dap lich-su {change_id}")
    try:
        change = agencies.revert_change(session, user, change_id)
    except content.ContentError:
        raise access.NotFound("change", change_id=change_id) from None
    services.reload_now(session)
    return change
