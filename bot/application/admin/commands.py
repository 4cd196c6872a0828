"""The admin commands: FAQ entries, change history and revert, deadline extensions,
the unanswered inbox, duties' titles and assignments, announcements, the working
calendar, invite codes and content files.

Every command here is declared admin-only (`COMMANDS` at the end): the router refuses
and audits anyone else before a handler runs. Handlers change the database through
the services of `bot.application.admin` (which check the role again, for callers
other than the chat) and ask for the indexes to be rebuilt when what the assistant
answers has changed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.application import accounts
from bot.application.admin import (
    agencies,
    agency_commands,
    announcements,
    content,
    files,
    inbox,
    stats,
)
from bot.application.admin.agency_file import is_operations_file
from bot.application.admin.audit_words import REVERTED, action_word, entity_word, names
from bot.application.admin.directives import DOCUMENT_SUFFIXES
from bot.application.commands import CommandContext, admin, small_int
from bot.application.file_limits import size_text, too_big
from bot.application.knowledge.seed import duty_from_db
from bot.application.messages import Attachment, Button, OutgoingFile, Reply, Response
from bot.application.progress import duty_and_value, find_duty_id, same_id, which_duty
from bot.application.services import not_found, respond
from bot.domain.calendar import TIMEZONE
from bot.domain.catalog import Catalog
from bot.domain.dates import Issued
from bot.domain.knowledge import scoped_key
from bot.domain.roles import can_belong_to, role_named
from bot.storage.models import AuditLog, Duty, FaqEntry, QuestionLog, User, utcnow
from nlu.normalize import fold

# /suanv <duty> <field word> ...: the words admins type, folded, and the field they set.
DUTY_FIELDS = {
    "tieude": "title",
    "giao": "addressee",
    "chutri": "lead",
    "phoihop": "coordinate",
}
RESET_WORD = "goc"  # /suanv <duty> goc [field word]: back to the pack's value(s)
# /xuat <word>: what is exported.
EXPORTS = {"faq": "faq", "hoidap": "faq", "nhiemvu": "duties", "nv": "duties"}
# /lich <word> <date>: the calendar exception each word declares.
CALENDAR_KINDS = {"lambu": "workday", "nghi": "dayoff"}


# ----- FAQ entries, the change history, deadline extensions, the inbox --------------


def faq_list(ctx: CommandContext) -> Response:
    query = ctx.args
    entries = content.find_faq(ctx.session, query)
    return respond(Reply("admin/faq_list", {"entries": entries, "query": query}))


def faq_add(ctx: CommandContext) -> Response:
    session, user, log_id = ctx.session, ctx.user, ctx.args
    question, logged = "", None
    if (log_number := small_int(log_id)) is not None:
        logged = session.get(QuestionLog, log_number)
        question = logged.text[: content.MAX_QUESTION] if logged else ""
    started = ctx.app.faq.start(
        session, user, question=question, inbox_log_id=logged.id if logged else None
    )
    return ctx.app.outcome(session, started)


def faq_edit(ctx: CommandContext) -> Response:
    session, user, faq_id = ctx.session, ctx.user, ctx.args
    entry = session.get(FaqEntry, faq_id.strip())
    if entry is None or not entry.active:
        return not_found("mục hỏi đáp", faq_id)
    return ctx.app.outcome(session, ctx.app.faq.start(session, user, entry))


def faq_delete(ctx: CommandContext) -> Response:
    session, user, faq_id = ctx.session, ctx.user, ctx.args
    try:
        content.delete_faq(session, user, faq_id.strip())
    except content.ContentError as error:
        if error.reason == "not_admin":
            return respond(Reply("account/admin_only"))
        return not_found("mục hỏi đáp", faq_id)
    ctx.app.reload_now(session)
    return respond(Reply("admin/faq_deleted", {"id": faq_id.strip()}))


def history(ctx: CommandContext) -> Response:
    session = ctx.session
    known = names(session)
    changes = [
        {
            "id": c.id,
            "created_at": c.created_at,
            "action": action_word(c.action),
            # A revert names what it restored.
            "reverted": REVERTED.get(c.entity_type or "", "") if c.action == "revert" else "",
            "entity": entity_word(c.entity_id, c.entity_type or "", c.action, known),
            "user": _display_name(session, c.user_id),
        }
        for c in content.history(session)
    ]
    return respond(Reply("admin/history", {"changes": changes}))


def revert(ctx: CommandContext) -> Response:
    session, user, change_id = ctx.session, ctx.user, ctx.args
    number = small_int(change_id)
    if number is None:
        return not_found("thay đổi", change_id)
    try:
        change = agencies.revert_change(session, user, number)
    except content.ContentError as error:
        if error.reason == "not_admin":
            return respond(Reply("account/admin_only"))
        return not_found("thay đổi", change_id)
    ctx.app.reload_now(session)
    view = {
        "id": change.id,
        "change": number,
        "entity_type": change.entity_type,
        "entity": entity_word(change.entity_id, change.entity_type or "", "revert", names(session)),
    }
    return respond(Reply("admin/reverted", view))


def extend(ctx: CommandContext) -> Response:
    session, user, args = ctx.session, ctx.user, ctx.args
    typed, value = duty_and_value(args)
    # Recurring duties follow their schedule, continuous ones have none: only a
    # fixed deadline can be extended.
    catalog = ctx.app.catalog
    dated = [k for k, (_, d) in catalog.duties.items() if d.timing.kind == "deadline"]
    listed = _listed(catalog, dated)
    usage = respond(Reply("admin/due_usage", {"duties": listed}))
    if not typed:
        return usage
    key = find_duty_id(catalog, typed)
    if key is None:
        shared = same_id(catalog, typed, dated)
        if len(shared) > 1:
            return respond(which_duty(catalog, typed, shared, "gianhan", value))
        key = shared[0] if shared else None
    if key is None or key not in dated:
        return usage
    directive, duty = catalog.duties[key]
    due = None
    if value.lower() not in ("bo", "bỏ"):
        try:
            due = files.parse_date(value, Issued.of(directive))
        except ValueError as problem:  # the reason, in Vietnamese (`check_date`)
            refused = {"duties": listed, "problem": str(problem)}
            return respond(Reply("admin/due_usage", refused))
    content.set_effective_due(session, user, directive.id, duty.id, due)
    ctx.app.reload_now(session)  # answers show the extension
    view = {"duty": duty.title, "due": due, "id": duty.id, "directive": directive.name}
    return respond(Reply("admin/due_set", view))


def _listed(catalog: Catalog, keys: Iterable[str]) -> list[dict[str, str]]:
    """Duties as lists show them: the id users type (with its directive when several
    are active: «1.a-1» alone is 06's and 15's), and the title."""
    return [{"id": catalog.duty_label(k), "title": catalog.duties[k][1].title} for k in keys]


# "Chưa đúng" shown in /hopthu, and how many of them get buttons (the phone's screen).
INBOX_FEEDBACK, INBOX_FEEDBACK_BUTTONS = 5, 3
ANSWER_PREVIEW = 300  # characters of the answer given, in /hopthu


def inbox_list(ctx: CommandContext) -> Response:
    """/hopthu: answers askers said were wrong ("Chưa đúng", with the answer given and
    their comment), then the questions the assistant could not answer."""
    session = ctx.session
    groups = inbox.unanswered(session)
    wrong = [
        {
            "log_id": log.id,
            "question": log.text[: content.MAX_QUESTION],
            "answer": _preview(log.reply),
            "comment": row.comment,
            "at": row.updated_at,
        }
        for row, log in inbox.wrong_answers(session, INBOX_FEEDBACK)
    ]
    buttons = []
    labels = ctx.app.labels
    for n, item in enumerate(wrong[:INBOX_FEEDBACK_BUTTONS], 1):
        buttons.append(Button(f"{labels.create_faq} (góp ý {n})", f"/faqthem {item['log_id']}"))
        buttons.append(Button(f"{labels.skip} (góp ý {n})", f"/hopthu_bo {item['log_id']}"))
    for n, group in enumerate(groups[:5], 1):
        first = group.log_ids[0]
        buttons.append(Button(f"{labels.create_faq} (nhóm {n})", f"/faqthem {first}"))
        buttons.append(Button(f"{labels.skip} (nhóm {n})", f"/hopthu_bo {first}"))
    view = {"groups": groups, "wrong": wrong}
    return respond(Reply("admin/inbox", view, tuple(buttons), columns=2))


def _preview(text: str) -> str:
    """The start of a logged answer, on one line, cut after a whole word."""
    flat = " ".join(text.split())
    if len(flat) <= ANSWER_PREVIEW:
        return flat
    return flat[:ANSWER_PREVIEW].rsplit(" ", 1)[0] + " …"


def inbox_add(ctx: CommandContext) -> Response:
    session, user, args = ctx.session, ctx.user, ctx.args
    words = args.split()
    log_number = small_int(words[0]) if words else None
    if log_number is None or len(words) < 2:
        return not_found("nhóm câu hỏi hoặc mục hỏi đáp", args)
    try:
        merged = inbox.merge(session, user, log_number, words[1], ctx.app.catalog.clauses.ids())
    except content.ContentError:
        return not_found("nhóm câu hỏi hoặc mục hỏi đáp", args)
    if merged.added:
        ctx.app.reload_now(session)
    view = {"count": merged.count, "faq_id": merged.faq_id, "added": merged.added}
    return respond(Reply("admin/inbox_done", view))


def inbox_dismiss(ctx: CommandContext) -> Response:
    """/hopthu_bo <id>: set aside a group of unanswered questions, or one "Chưa đúng"."""
    session, user, log_id = ctx.session, ctx.user, ctx.args
    log_number = small_int(log_id)
    try:
        group = inbox.skip(session, user, log_number) if log_number is not None else None
    except content.ContentError:
        group = None
    if group is None:
        return not_found("nhóm câu hỏi", log_id)
    view = {"count": group.count, "faq_id": "", "added": 0}
    return respond(Reply("admin/inbox_done", view))


def statistics(ctx: CommandContext) -> Response:
    """/thongke [weeks]: questions, refusals and ratings per week, the most asked."""
    weeks = stats.weeks_asked(ctx.args)
    if weeks is None:
        view = {"max_weeks": stats.MAX_WEEKS, "default_weeks": stats.DEFAULT_WEEKS}
        return respond(Reply("admin/stats_usage", view))
    return respond(Reply("admin/stats", {"stats": stats.weekly(ctx.session, weeks)}))


# ----- duties: title and assignment (versioned, revertable) -------------------------


def edit_duty(ctx: CommandContext) -> Response:
    """/suanv <duty> [tieude <text> | giao|chutri|phoihop <agencies> | goc [field]]."""
    session, user, args = ctx.session, ctx.user, ctx.args
    catalog = ctx.app.catalog
    typed, _, rest = args.strip().partition(" ")
    key = find_duty_id(catalog, typed)
    shared = same_id(catalog, typed) if key is None else []
    if len(shared) > 1:
        return respond(which_duty(catalog, typed, shared, "suanv", rest))
    if key is None:
        return _duty_usage(ctx.app.catalog, typed)
    word, _, value = rest.strip().partition(" ")
    word = fold(word)
    directive, duty_id = catalog.duties[key][0], catalog.duties[key][1].id
    if not word:
        return _duty_view(ctx, directive.id, duty_id, changed=False)
    try:
        if word == RESET_WORD:
            field = fold(value)
            if field and field not in DUTY_FIELDS:
                return _duty_usage(ctx.app.catalog, duty_id)
            row = session.get_one(Duty, (directive.id, duty_id))
            fields = [DUTY_FIELDS[field]] if field else list(row.overrides or {})
            for name in fields:
                content.edit_duty(session, user, directive.id, duty_id, name, None)
        elif word not in DUTY_FIELDS:
            return _duty_usage(ctx.app.catalog, duty_id)
        elif DUTY_FIELDS[word] == "title":
            content.edit_duty(session, user, directive.id, duty_id, "title", value)
        else:
            agencies, unknown = content.agencies_named(ctx.app.catalog, value)
            if unknown or (not agencies and DUTY_FIELDS[word] != "coordinate"):
                view = {"unknown": unknown, "agencies": ctx.app.agency_ids()}
                return respond(Reply("admin/duty_agencies_unknown", view))
            content.edit_duty(
                session, user, directive.id, duty_id, DUTY_FIELDS[word], tuple(agencies)
            )
    except content.ContentError as error:
        problems = error.data.get("problems", [])
        return respond(Reply("admin/duty_invalid", {"problems": problems}))
    ctx.app.reload_now(session)
    return _duty_view(ctx, directive.id, duty_id, changed=True)


def _duty_view(ctx: CommandContext, directive_id: str, duty_id: str, changed: bool) -> Response:
    session = ctx.session
    # From the database: the live catalog may not have the latest edit in yet.
    duty = duty_from_db(session, directive_id, duty_id)
    row = session.get_one(Duty, (directive_id, duty_id))
    names = ctx.app.catalog.agencies

    def short(ids: tuple[str, ...]) -> list[str]:
        return [names[a].short_name if a in names else a for a in ids]

    view = {
        # As typed back in the commands shown: with its directive when several are active.
        "id": ctx.app.catalog.duty_label(scoped_key(directive_id, duty_id)),
        "title": duty.title,
        "clause": ctx.app.catalog.duty_clause_label(duty),
        "addressees": short(duty.addressees),
        "lead": short(duty.lead),
        "coordinate": short(duty.coordinate),
        "edited": sorted(row.overrides or {}),
        "changed": changed,
    }
    return respond(Reply("admin/duty_view", view))


def _duty_usage(catalog: Catalog, duty_id: str) -> Response:
    duties = _listed(catalog, catalog.duties)
    return respond(Reply("admin/duty_usage", {"id": duty_id[:40], "duties": duties}))


# ----- announcements (through the delivery outbox) ----------------------------------


def announce(ctx: CommandContext) -> Response:
    """/thongbao <audience> <text>: a preview, sent when the admin confirms."""
    session, user, args = ctx.session, ctx.user, ctx.args
    target, _, text = args.strip().partition(" ")
    text = text.strip()
    found = announcements.audience(ctx.app.catalog, target)
    too_long = len(text) > announcements.MAX_ANNOUNCEMENT
    if found is None or not text or too_long:
        view = {
            "audiences": announcements.AUDIENCES,
            "too_long": too_long,
            "max": announcements.MAX_ANNOUNCEMENT,
            "agencies": [
                (a.id, a.short_name) for a in announcements.agencies_reached(ctx.app.catalog)
            ],
        }
        return respond(Reply("admin/broadcast_usage", view))
    people = announcements.recipients(session, ctx.app.push_channels, found.role, found.agency_id)
    view = {"label": found.label, "count": len(people), "text": text}
    if not people:  # nothing to send: no draft, no «Gửi»
        return respond(Reply("admin/broadcast_preview", view))
    draft = announcements.draft(session, user, target, found, text)
    labels = ctx.app.faq.labels
    buttons = (
        Button(labels.send, f"/thongbao_gui {draft.id}", "confirm"),
        Button(labels.cancel, f"/thongbao_huy {draft.id}", "cancel"),
    )
    return respond(Reply("admin/broadcast_preview", view, buttons, columns=2))


def cancel_announcement(ctx: CommandContext) -> Response:
    return _settle_announcement(ctx, send=False)


def send_announcement(ctx: CommandContext) -> Response:
    return _settle_announcement(ctx, send=True)


def _settle_announcement(ctx: CommandContext, send: bool) -> Response:
    """Send or cancel a previewed announcement, once (a second press is told so)."""
    draft_id = ctx.args.strip()
    number = small_int(draft_id)
    try:
        if number is None:
            raise content.ContentError("draft_unknown")
        done = announcements.settle(
            ctx.session, ctx.user, number, send, ctx.app.nudge_settings, ctx.app.push_channels
        )
    except content.ContentError:
        return not_found("thông báo", draft_id)
    if done.outcome == "sent" and done.first:
        return respond(Reply("admin/broadcast_sent", {"count": done.count, "later": done.later}))
    return respond(Reply("admin/broadcast_settled", {"settled": done.outcome}))


# ----- the working calendar: make-up working days and extra days off ---------------


def calendar(ctx: CommandContext) -> Response:
    """/lich [lambu|nghi <dd/mm/yyyy> [ghi chú] | xoa <dd/mm/yyyy>]."""
    session, user, args = ctx.session, ctx.user, ctx.args
    from bot.application import calendar

    words = args.split(maxsplit=2)
    action = fold(words[0]) if words else ""
    day, problem = None, ""
    if len(words) >= 2:
        try:
            day = files.parse_date(words[1])
        except ValueError as error:  # the reason, in Vietnamese (`check_date`)
            problem = str(error)
    changed = ""
    if action in CALENDAR_KINDS and day is not None:
        note = words[2] if len(words) > 2 else ""
        changed = calendar.change_day(session, user, day, CALENDAR_KINDS[action], note)
    elif action == "xoa" and day is not None:
        changed = calendar.change_day(session, user, day, None)
    elif action:
        view = {"changed": "", "usage": True, "days": [], "problem": problem}
        return respond(Reply("admin/calendar", view))
    working = calendar.load_calendar(session, ctx.app.nudge_settings)
    rows = calendar.upcoming_days(session, utcnow().astimezone(TIMEZONE).date())
    view = {
        "changed": changed,
        "day": day,
        "description": working.description,
        "days": [{"day": r.day, "kind": r.kind, "note": r.note} for r in rows],
        "usage": not changed,
    }
    return respond(Reply("admin/calendar", view))


# ----- content files: exported to chat, and sent back edited ------------------------


def export(ctx: CommandContext) -> Response:
    """/xuat [faq|nhiemvu] [xlsx|csv|yaml]: the file to edit and send back."""
    session, user, args = ctx.session, ctx.user, ctx.args
    words = [fold(w) for w in args.split()]
    kind = next((EXPORTS[w] for w in words if w in EXPORTS), "faq")
    suffix = next((f".{w}" for w in words if f".{w}" in files.FORMATS), ".xlsx")
    unknown = [w for w in words if w not in EXPORTS and f".{w}" not in files.FORMATS]
    if unknown:
        return respond(Reply("admin/export_usage", {"formats": files.FORMATS}))
    name = f"{'hoi-dap' if kind == 'faq' else 'nhiem-vu'}{suffix}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write = files.export_faq if kind == "faq" else files.export_duties
        count = write(session, path)
        content = path.read_bytes()
    session.add(AuditLog(user_id=user.id, action="file.export", entity_id=name))
    caption = "Sửa tệp rồi gửi lại cho bot để nhập (mọi dòng hoặc không dòng nào)."
    reply = Reply(
        "admin/exported",
        {"kind": kind, "count": count, "name": name},
        files=(OutgoingFile(name, content, caption),),
    )
    return respond(reply)


# ----- content files sent in chat ---------------------------------------------------


def import_file(ctx: CommandContext, attachment: Attachment) -> Response:
    """A FAQ or duties file (YAML, CSV, XLSX), or an agency operations file (YAML),
    sent by an admin: all rows or none."""
    session, user, limits = ctx.session, ctx.user, ctx.app.import_limits
    suffix = Path(attachment.file_name).suffix.lower()
    if attachment.content is None and attachment.size > limits.max_bytes:
        return _file_rejected(attachment, [too_big(attachment.size, limits)])
    if attachment.content is None:
        view: dict[str, Any] = {
            "name": attachment.file_name[:80],
            "formats": files.FORMATS,
            "max_size": size_text(limits.max_bytes),
        }
        return respond(Reply("admin/file_unreadable", view))
    if len(attachment.content) > limits.max_bytes:  # a console's file, read whatever its size
        return _file_rejected(attachment, [too_big(len(attachment.content), limits)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(attachment.content)
        if is_operations_file(path):  # `bot agencies apply`'s file, sent in chat
            return agency_commands.apply_agency_file(ctx, attachment.file_name[:80], path)
        try:
            clauses = ctx.app.catalog.clauses.ids()
            kind, report = files.import_file(session, user, path, clauses, limits)
        except files.FileProblems as error:
            return _file_rejected(attachment, error.problems)
    if report.created or report.updated:
        ctx.app.reload_now(session)
    view = {
        "name": attachment.file_name[:80],
        "kind": kind,
        "created": report.created,
        "updated": report.updated,
        "unchanged": len(report.unchanged),
    }
    return respond(Reply("admin/file_imported", view))


def _file_rejected(attachment: Attachment, problems: list[str]) -> Response:
    view = {
        "name": attachment.file_name[:80],
        "problems": problems[:20],
        "more": max(0, len(problems) - 20),
    }
    return respond(Reply("admin/file_rejected", view))


# ----- invite codes -------------------------------------------------------------------


def invite(ctx: CommandContext) -> Response:
    """/moi <agency id> [canbo|lanhdao|quantri], or /moi quantri (an admin of no agency):
    a one-time code that links an account."""
    words = ctx.args.split()
    catalog = ctx.app.catalog
    # Only agencies a person can belong to: not a group, not a central body.
    joinable = [a for a in catalog.kb.agencies if can_belong_to(a.kind, a.level)]
    if len(words) == 1 and role_named(words[0]):  # no agency: only an admin may have none
        agency_id, word = "", words[0]
    else:
        agency_id, word = (words[0], " ".join(words[1:]) or "canbo") if words else ("", "")
    if not words or (agency_id and agency_id not in {a.id for a in joinable}):
        outside = catalog.agencies.get(agency_id)
        usage = {
            "agencies": [(a.id, a.short_name) for a in joinable],
            "unknown": agency_id[:40] if agency_id and outside is None else "",
            "outside": outside.name if outside else "",
        }
        return respond(Reply("account/invite_usage", usage))
    role = role_named(word) or word  # another word: create_invite refuses it (bad_role)
    try:
        code = accounts.create_invite(ctx.session, agency_id or None, role, created_by=ctx.user)
    except accounts.AccountError as error:
        return respond(Reply("account/code_error", {"reason": error.reason}))
    agency = catalog.agencies.get(agency_id)
    view = {
        "code": code.code,
        "agency": agency.name if agency else "",
        "role": ctx.app.role_label(role),
        "expires": code.expires_at,
    }
    return respond(Reply("account/invite_created", view))


def import_wanted(attachment: Attachment, max_bytes: int) -> bool:
    """Whether a channel should fetch a file's bytes for `import_file` or a directive's
    draft: a content file or a directive's text whose size the channel told, not past
    `max_bytes` (IMPORT_MAX_BYTES), so that a huge file is refused without being
    downloaded."""
    suffix = Path(attachment.file_name).suffix.lower()
    return (
        attachment.kind == "document"
        and suffix in (*files.FORMATS, *DOCUMENT_SUFFIXES)
        and (0 < attachment.size <= max_bytes)
    )


def _display_name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.display_name if user else ""


COMMANDS = (
    admin("moi", invite, "Tạo mã mời: /moi <mã cơ quan> <canbo|lanhdao|quantri>", "invite"),
    admin("faq", faq_list, "Xem, tìm các mục hỏi đáp: /faq [từ khóa]", "faq.list"),
    admin("faqthem", faq_add, "Thêm một mục hỏi đáp", "faq.add"),
    admin("faqsua", faq_edit, "Sửa một mục hỏi đáp: /faqsua <mã>", "faq.edit"),
    admin("faqxoa", faq_delete, "Xóa một mục hỏi đáp: /faqxoa <mã>", "faq.delete"),
    admin("hopthu", inbox_list, "Câu hỏi chưa trả lời được, góp ý «Chưa đúng»", "inbox"),
    admin("hopthu_them", inbox_add, audit="inbox.add"),
    admin("hopthu_bo", inbox_dismiss, audit="inbox.dismiss"),
    admin("thongke", statistics, "Thống kê câu hỏi theo tuần: /thongke [số tuần]", "stats"),
    admin("lichsu", history, "Lịch sử thay đổi nội dung", "history"),
    admin("hoantac", revert, "Khôi phục trước một thay đổi: /hoantac <số>", "revert"),
    admin("gianhan", extend, "Gia hạn nhiệm vụ: /gianhan <mã nhiệm vụ> <dd/mm/yyyy>", "duty.due"),
    admin("suanv", edit_duty, "Sửa tiêu đề, phân công nhiệm vụ: /suanv <mã nhiệm vụ>", "duty.edit"),
    admin("thongbao", announce, "Gửi thông báo: /thongbao <đối tượng> <nội dung>", "broadcast"),
    admin("thongbao_gui", send_announcement, audit="broadcast.sent"),
    admin("thongbao_huy", cancel_announcement, audit="broadcast.cancelled"),
    admin("lich", calendar, "Lịch làm việc: ngày làm bù, ngày nghỉ thêm", "calendar"),
    admin(
        "xuat", export, "Xuất tệp hỏi đáp/nhiệm vụ: /xuat faq|nhiemvu xlsx|csv|yaml", "file.export"
    ),
)
