"""The admins' pages other than the FAQ: the unanswered inbox, duties' deadlines and
assignments, announcements, the working calendar and the audit log.

Every change goes through the services the chat commands use (`admin.inbox`,
`admin.content`, `admin.announcements`, `calendar.change_day`): one check of the role,
one versioning and audit path; what the assistant answers is rebuilt at once
(`Services.reload_now`) when it changed. Each function checks the visitor first
(`access.admin_user`: 403 and audited for anyone else).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from bot.application import calendar
from bot.application.admin import announcements, content, files, inbox
from bot.application.admin import directives as directive_files
from bot.application.admin.audit_words import action_word, entity_word, names
from bot.application.knowledge.seed import duties_from_db, duty_from_db
from bot.application.messages import Reply
from bot.application.portal import access
from bot.application.portal.login import Visitor
from bot.application.services import Services
from bot.domain.calendar import TIMEZONE
from bot.domain.dates import Issued
from bot.domain.knowledge import Duty, split_key
from bot.storage.models import AuditLog, User
from bot.storage.models import Directive as DirectiveRow
from bot.storage.models import Duty as DutyRow

# ----- the unanswered inbox ----------------------------------------------------------


def inbox_groups(session: Session, visitor: Visitor) -> list[inbox.InboxGroup]:
    access.admin_user(session, visitor, "hop-thu")
    return inbox.unanswered(session)


@dataclass(frozen=True)
class WrongAnswer:
    """A «Chưa đúng»: the question, the answer given, the asker's comment."""

    log_id: int
    question: str
    answer: str
    comment: str
    at: dt.datetime


def inbox_wrong(session: Session, visitor: Visitor) -> list[WrongAnswer]:
    """The «Chưa đúng» not set aside yet, newest first (as /hopthu lists them)."""
    access.admin_user(session, visitor, "hop-thu")
    return [
        WrongAnswer(log.id, log.text, log.reply, feedback.comment, feedback.updated_at)
        for feedback, log in inbox.wrong_answers(session, limit=50)
    ]


def inbox_group(session: Session, visitor: Visitor, log_id: int) -> inbox.InboxGroup:
    """What a logged question is in the inbox now, a group or a «Chưa đúng» (NotFound
    once it has left the inbox)."""
    access.admin_user(session, visitor, f"hop-thu {log_id}")
    group = inbox.entry_of(session, log_id)
    if group is None:
        raise access.NotFound("inbox", log_id=log_id)
    return group


def inbox_merge(
    session: Session, services: Services, visitor: Visitor, log_id: int, faq_id: str
) -> inbox.Merged:
    """«Gộp vào»: as `/hopthu_them`."""
    user = access.admin_user(session, visitor, f"hop-thu {log_id} gop")
    try:
        merged = inbox.merge(session, user, log_id, faq_id, services.catalog.clauses.ids())
    except content.ContentError as error:
        raise access.NotFound(error.reason, log_id=log_id, faq_id=faq_id) from None
    if merged.added:
        services.reload_now(session)
    return merged


def inbox_skip(session: Session, visitor: Visitor, log_id: int) -> inbox.InboxGroup:
    """«Bỏ qua»: as `/hopthu_bo`."""
    user = access.admin_user(session, visitor, f"hop-thu {log_id} bo-qua")
    try:
        return inbox.skip(session, user, log_id)
    except content.ContentError:
        raise access.NotFound("inbox", log_id=log_id) from None


# ----- duties: deadline extensions and assignments -------------------------------------

ASSIGNMENTS = {"addressee": "Giao cho", "lead": "Chủ trì", "coordinate": "Phối hợp"}


@dataclass(frozen=True)
class DutyItem:
    id: str
    label: str  # as users see it: "1.a-1", or "06/2019 · 1.a-1" with several directives
    directive_id: str
    title: str
    clause: str
    timing: str  # the directive's words ("trước ngày 31/5/2019", "hàng quý")
    due: dt.date | None  # the directive's own deadline (fixed-deadline duties only)
    extended_to: dt.date | None  # the admins' extension, if any
    agencies: dict[str, list[str]]  # ASSIGNMENTS key -> short names
    agency_text: dict[str, str]  # ASSIGNMENTS key -> the form's text ("Sở KH&CN; ...")
    edited: list[str]  # fields the admins changed (overrides)

    @property
    def extendable(self) -> bool:
        """Only a fixed deadline can be extended (as `/gianhan`)."""
        return self.due is not None


def _item(services: Services, row: DutyRow, duty: Duty) -> DutyItem:
    catalog = services.catalog
    names = catalog.agencies

    def short(ids: tuple[str, ...]) -> list[str]:
        return [names[a].short_name if a in names else a for a in ids]

    assigned = {
        "addressee": short(duty.addressees),
        "lead": short(duty.lead),
        "coordinate": short(duty.coordinate),
    }
    return DutyItem(
        id=duty.key,
        label=catalog.duty_label(duty.key),
        directive_id=row.directive_id,
        title=duty.title,
        clause=catalog.duty_clause_label(duty),
        timing=duty.timing.text,
        due=duty.timing.due if duty.timing.kind == "deadline" else None,
        extended_to=row.effective_due,
        agencies=assigned,
        # ";" between agencies: some names hold commas ("Các sở, ban, ngành").
        agency_text={k: "; ".join(v) for k, v in assigned.items()},
        edited=sorted(row.overrides or {}),
    )


def duty_items(session: Session, services: Services, visitor: Visitor) -> list[DutyItem]:
    """Every duty as answers will show it (the admins' edits in, even before the
    indexes are rebuilt)."""
    access.admin_user(session, visitor, "quan-tri-nhiem-vu")
    return [_item(services, row, duty) for row, duty in duties_from_db(session)]


def duty_item(session: Session, services: Services, visitor: Visitor, duty_id: str) -> DutyItem:
    access.admin_user(session, visitor, f"quan-tri-nhiem-vu {duty_id}")
    found = services.catalog.duties.get(duty_id)
    row = session.get(DutyRow, (found[0].id, found[1].id)) if found else None
    if found is None or row is None or not row.active:
        raise access.NotFound("duty", duty_id=duty_id)
    return _item(services, row, duty_from_db(session, row.directive_id, row.id))


def extend(
    session: Session, services: Services, visitor: Visitor, duty_id: str, typed: str
) -> dt.date | None:
    """Extend a fixed deadline to the typed date (dd/mm/yyyy, read and checked as
    `/gianhan` reads it), or give the directive's back (empty); ValueError, in
    Vietnamese, for a date that cannot be."""
    item = duty_item(session, services, visitor, duty_id)
    user = access.admin_user(session, visitor, f"quan-tri-nhiem-vu {duty_id} gia-han")
    if not item.extendable:
        raise ValueError("Nhiệm vụ này không có hạn cố định nên không gia hạn được")
    directive, duty = services.catalog.duties[duty_id]
    due = files.parse_date(typed, Issued.of(directive)) if typed.strip() else None
    content.set_effective_due(session, user, item.directive_id, duty.id, due)
    services.reload_now(session)
    return due


def assign(
    session: Session,
    services: Services,
    visitor: Visitor,
    duty_id: str,
    typed: dict[str, str],
) -> list[str]:
    """Set the duty's agencies per role from the typed lists (names or
    abbreviations separated by ";" or ",", as `/suanv` reads them); only the roles whose
    list changed are saved, each a versioned edit. What keeps it from being saved, in
    Vietnamese (nothing saved then); empty: saved."""
    item = duty_item(session, services, visitor, duty_id)
    user = access.admin_user(session, visitor, f"quan-tri-nhiem-vu {duty_id} phan-cong")
    catalog = services.catalog
    wanted: dict[str, tuple[str, ...]] = {}
    problems = []
    for field, label in ASSIGNMENTS.items():
        agencies, unknown = content.agencies_named(catalog, typed.get(field, ""))
        if unknown:
            problems.append(f"{label}: không có cơ quan «{'», «'.join(unknown)}»")
        elif not agencies and field != "coordinate":
            problems.append(f"{label}: cần ít nhất một cơ quan")
        current, _ = content.agencies_named(catalog, item.agency_text[field])
        if agencies != current:
            wanted[field] = tuple(agencies)
    if problems:
        return problems
    for field, ids in wanted.items():
        content.edit_duty(session, user, item.directive_id, split_key(item.id)[1], field, ids)
    if wanted:
        services.reload_now(session)
    return []


# ----- announcements ----------------------------------------------------------------


@dataclass(frozen=True)
class AnnouncementPreview:
    label: str
    count: int  # people it reaches
    text: str
    draft_id: int | None  # None: nobody to send it to (no draft kept)


def audiences(session: Session, services: Services, visitor: Visitor) -> list[tuple[str, str]]:
    """(word, label) of every audience the form offers: all, by role, each agency."""
    access.admin_user(session, visitor, "thong-bao")
    return [(w, label) for w, (label, _) in announcements.AUDIENCES.items()] + [
        (a.id, a.name) for a in announcements.agencies_reached(services.catalog)
    ]


def preview_announcement(
    session: Session, services: Services, visitor: Visitor, target: str, text: str
) -> AnnouncementPreview:
    """The announcement as it will arrive and how many it reaches, kept as a draft for
    «Gửi» (as `/thongbao`); ValueError, in Vietnamese, for a form that cannot be."""
    user = access.admin_user(session, visitor, "thong-bao")
    text = text.strip()
    found = announcements.audience(services.catalog, target)
    if found is None:
        raise ValueError("Anh/Chị chưa chọn gửi tới ai")
    if not text:
        raise ValueError("Thông báo chưa có nội dung")
    if len(text) > announcements.MAX_ANNOUNCEMENT:
        raise ValueError(f"Thông báo dài quá {announcements.MAX_ANNOUNCEMENT} ký tự")
    people = announcements.recipients(session, services.push_channels, found.role, found.agency_id)
    draft = announcements.draft(session, user, target, found, text) if people else None
    return AnnouncementPreview(found.label, len(people), text, draft.id if draft else None)


def draft_preview(session: Session, visitor: Visitor, draft_id: int) -> AnnouncementPreview:
    """A kept draft, to show again (NotFound for no such draft)."""
    access.admin_user(session, visitor, f"thong-bao {draft_id}")
    row = announcements.find_draft(session, draft_id)
    if row is None or row.after is None:
        raise access.NotFound("draft", draft_id=draft_id)
    return AnnouncementPreview(row.after["label"], 0, row.after["text"], row.id)


def settle_announcement(
    session: Session, services: Services, visitor: Visitor, draft_id: int, send: bool
) -> announcements.Settled:
    """«Gửi» or «Hủy» on a preview (once, whether pressed here or in chat)."""
    user = access.admin_user(session, visitor, f"thong-bao {draft_id}")
    try:
        return announcements.settle(
            session, user, draft_id, send, services.nudge_settings, services.push_channels
        )
    except content.ContentError:
        raise access.NotFound("draft", draft_id=draft_id) from None


# ----- the working calendar ------------------------------------------------------------

CALENDAR_KINDS = {"workday": "làm việc bù", "dayoff": "nghỉ thêm"}


@dataclass(frozen=True)
class CalendarView:
    description: str  # the working week and hours, as `/lich` says them
    days: list[tuple[dt.date, str, str]]  # (day, kind, note) from today on


def calendar_view(
    session: Session, services: Services, visitor: Visitor, now: dt.datetime
) -> CalendarView:
    access.admin_user(session, visitor, "lich-lam-viec")
    working = calendar.load_calendar(session, services.nudge_settings)
    rows = calendar.upcoming_days(session, now.astimezone(TIMEZONE).date())
    return CalendarView(working.description, [(r.day, r.kind, r.note) for r in rows])


def change_day(
    session: Session, visitor: Visitor, typed_day: str, kind: str | None, note: str = ""
) -> tuple[dt.date, str]:
    """Declare a day (`kind` "workday" or "dayoff") or take it out (None), as `/lich`:
    (the day, what changed); ValueError, in Vietnamese, for a day that cannot be."""
    user = access.admin_user(session, visitor, "lich-lam-viec sua")
    if kind is not None and kind not in CALENDAR_KINDS:
        raise ValueError("Loại ngày không đúng")
    day = files.parse_date(typed_day)
    if day is None:
        raise ValueError("Anh/Chị chưa nhập ngày")
    return day, calendar.change_day(session, user, day, kind, note)


# ----- the audit log ---------------------------------------------------------------------

AUDIT_PAGE = 50
# The first word of an action, for the filter: what the entries are about.
AUDIT_KINDS = {
    "faq": "Hỏi đáp",
    "revert": "Khôi phục",
    "duty": "Nhiệm vụ",
    "inbox": "Hộp thư câu hỏi",
    "broadcast": "Thông báo",
    "calendar": "Lịch làm việc",
    "agency": "Cơ quan",
    "invite": "Mã mời",
    "account": "Tài khoản",
    "file": "Tệp nội dung",
    "draft": "Bản nháp văn bản",
    "web": "Trang web",
}


@dataclass(frozen=True)
class AuditFilters:
    kind: str = ""  # a key of AUDIT_KINDS, or "": every action
    refused: bool = False  # only refused attempts
    user: str = ""  # part of a display name
    page: int = 1

    @classmethod
    def read(cls, kind: str, refused: str, user: str, page: str) -> AuditFilters:
        number = int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1
        return cls(
            kind if kind in AUDIT_KINDS else "", refused == "1", user.strip()[:80], max(number, 1)
        )


@dataclass(frozen=True)
class AuditEntry:
    id: int
    created_at: dt.datetime
    user: str
    action: str
    kind: str  # AUDIT_KINDS' word for it, or ""
    entity: str
    allowed: bool


@dataclass(frozen=True)
class AuditPage:
    filters: AuditFilters
    entries: list[AuditEntry]
    matching: int
    pages: int


def audit_log(session: Session, visitor: Visitor, filters: AuditFilters) -> AuditPage:
    """The audit log, newest first, filtered and cut into pages."""
    access.admin_user(session, visitor, "nhat-ky")
    where: list[ColumnElement[bool]] = []
    if filters.kind:
        word = filters.kind
        where.append(or_(AuditLog.action == word, AuditLog.action.startswith(word + ".")))
    if filters.refused:
        where.append(AuditLog.allowed.is_(False))
    if filters.user:
        like = f"%{filters.user.replace('%', '').replace('_', '')}%"
        where.append(AuditLog.user_id.in_(select(User.id).where(User.display_name.ilike(like))))
    matching = session.scalar(select(func.count(AuditLog.id)).where(and_(True, *where))) or 0
    pages = max(1, math.ceil(matching / AUDIT_PAGE))
    page = min(filters.page, pages)
    query = (
        select(AuditLog, User.display_name)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(*where)
        .order_by(AuditLog.id.desc())
        .offset((page - 1) * AUDIT_PAGE)
        .limit(AUDIT_PAGE)
    )
    known = names(session)
    entries = [
        AuditEntry(
            id=row.id,
            created_at=row.created_at,
            user=name or ("dòng lệnh" if row.user_id is None else f"tài khoản số {row.user_id}"),
            action=action_word(row.action),
            kind=AUDIT_KINDS.get(row.action.partition(".")[0], ""),
            entity=entity_word(row.entity_id, row.entity_type or "", row.action, known),
            allowed=row.allowed,
        )
        for row, name in session.execute(query)
    ]
    return AuditPage(
        AuditFilters(filters.kind, filters.refused, filters.user, page), entries, matching, pages
    )


# ----- directives: upload, review, publish ---------------------------------------------


@dataclass(frozen=True)
class DirectiveItem:
    id: str
    name: str
    title: str
    issued: dt.date
    published: bool  # published by an admin (else shipped in the data pack)
    retired_at: dt.datetime | None


def directive_list(session: Session, visitor: Visitor) -> list[DirectiveItem]:
    """Every directive the database holds, in force first."""
    access.admin_user(session, visitor, "van-ban")
    rows = session.scalars(select(DirectiveRow).order_by(DirectiveRow.position))
    items = [
        DirectiveItem(
            r.id,
            f"{r.doc_type} {r.number}",
            r.title,
            r.issued,
            r.origin == "published",
            r.retired_at,
        )
        for r in rows
    ]
    return sorted(items, key=lambda d: d.retired_at is not None)


def directive_review(
    session: Session, services: Services, visitor: Visitor, file_name: str, content: bytes
) -> Reply:
    """The draft of an uploaded directive, as chat reviews a file sent to it."""
    access.admin_user(session, visitor, "van-ban tai-len")
    return directive_files.review(services, file_name, content)


def directive_settle(
    session: Session,
    services: Services,
    visitor: Visitor,
    draft_id: str,
    drop: bool,
    confirmed: bool = False,
) -> Reply:
    """«Công bố» or «Hủy» a draft, as /congbo; `confirmed` as /congbo … xacnhan."""
    user = access.admin_user(session, visitor, f"van-ban {draft_id[:80]}")
    return directive_files.settle(session, services, user.id, draft_id, drop, confirmed)


def directive_draft(session: Session, services: Services, visitor: Visitor, draft_id: str) -> Reply:
    """A draft's review as it stands (shown again under a question about it)."""
    access.admin_user(session, visitor, f"van-ban {draft_id[:80]} xem")
    return directive_files.draft_review(services, draft_id)


def directive_correct(
    session: Session,
    services: Services,
    visitor: Visitor,
    draft_id: str,
    duty: str,
    typed: Mapping[str, str],
) -> tuple[Reply, Reply | None]:
    """A duty's agencies or deadline corrected in a draft, as /suanhap: the updated
    review; or why not, with the review as it stands (to correct again)."""
    user = access.admin_user(session, visitor, f"van-ban {draft_id[:80]} sua")
    reply = directive_files.correct_draft(session, services, user.id, draft_id, duty, typed)
    if reply.template == "admin/directive_draft":
        return reply, None
    return directive_files.draft_review(services, draft_id), reply
