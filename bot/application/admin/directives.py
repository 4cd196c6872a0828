"""Publishing a directive from chat: an admin sends its text (.txt, .docx or a .pdf
with a text layer), reviews the importer's draft and publishes it, or drops it.

The draft is written where `bot directive import` writes its own (data/drafts/<id>),
so the command line can review or publish the same draft; «Công bố» runs what
`bot directive publish` runs (`bot.application.knowledge.publishing`) and rebuilds the
Q&A at once: answers and nudges use the directive from the next message on.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from bot.application.admin import drafts
from bot.application.admin.drafts import DROP_WORD, draft_problems, write_review
from bot.application.commands import CommandContext, admin
from bot.application.importer.documents import UnreadableDocument, document_text
from bot.application.importer.draft import write_draft
from bot.application.importer.pipeline import import_directive
from bot.application.knowledge import publishing
from bot.application.messages import Attachment, Button, Reply, Response
from nlu.normalize import fold

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.application.services import Services
    from bot.storage import models as m

DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf")


def is_directive_file(services: Services, attachment: Attachment) -> bool:
    """A directive's text, where drafts can be written (content files go elsewhere)."""
    suffix = PurePath(attachment.file_name).suffix.lower()
    return services.drafts_dir is not None and suffix in DOCUMENT_SUFFIXES


def _drafts(services: Services) -> Path:
    assert services.drafts_dir is not None, "the composition root sets where drafts go"
    return services.drafts_dir


def draft_from_file(ctx: CommandContext, attachment: Attachment) -> Response:
    """The review of the draft the importer made of the file, with «Công bố» / «Hủy»."""
    return Response((review(ctx.app, attachment.file_name, attachment.content),))


def review(services: Services, file_name: str, content: bytes | None) -> Reply:
    """Draft the directive a file holds (data/drafts/<id>) and say what is in it:
    clauses, duties (numbered, with their agencies and deadline), the agencies given
    most, problems by line; its buttons publish or drop it (chat and the portal alike)."""
    name = file_name[:80]
    if content is None:
        return Reply("admin/directive_unreadable", {"name": name, "problem": ""})
    try:
        text = document_text(file_name, content, services.import_limits)
    except UnreadableDocument as error:
        return Reply("admin/directive_unreadable", {"name": name, "problem": str(error)})
    if not text.strip():
        return Reply(
            "admin/directive_unreadable", {"name": name, "problem": "tệp không có nội dung"}
        )
    result = import_directive(text, services.catalog.kb.agencies)
    if result.missing:  # no number or no date: not a directive (as on the command line)
        problem = f"không tìm thấy {' và '.join(result.missing)}; tệp có phải là văn bản chỉ đạo?"
        return Reply("admin/directive_unreadable", {"name": name, "problem": problem})
    folder = write_draft(result, _drafts(services) / result.directive.id)
    write_review(folder, name, draft_problems(result), result.unassigned)
    return draft_review(services, result.directive.id)


def draft_review(services: Services, draft_id: str, corrected: str = "") -> Reply:
    """The review of the draft `draft_id` as it stands (after corrections)."""
    agencies = services.catalog.kb.agencies
    try:
        draft = drafts.open_draft(drafts.draft_folder(_drafts(services), draft_id), agencies)
    except drafts.DraftError as error:
        return _refused(draft_id, error)
    replaces = draft.directive.id in services.catalog.directives
    return drafts.review_reply(draft, agencies, replaces, corrected)


def correct_draft(
    session: Session,
    services: Services,
    user_id: int,
    draft_id: str,
    duty: str,
    changes: Mapping[str, str],
    *,
    whole_review: bool = True,
) -> Reply:
    """Correct a duty of a draft: the updated review (the portal's page), or only what
    changed (`whole_review` False: chat); or why not, with the agencies an unknown
    name may have meant."""
    agencies = services.catalog.kb.agencies
    try:
        fixed = drafts.correct(
            session, agencies, _drafts(services), user_id, draft_id, duty, changes
        )
    except drafts.DraftError as error:
        return _refused(draft_id, error)
    if not whole_review:
        return drafts.correction_reply(fixed.draft, agencies, fixed.before, fixed.after)
    replaces = fixed.draft.directive.id in services.catalog.directives
    return drafts.review_reply(fixed.draft, agencies, replaces, corrected=fixed.after.id)


def _refused(draft_id: str, error: drafts.DraftError) -> Reply:
    view = {
        "problems": error.problems,
        "suggestions": error.suggestions,
        "hints": error.hints,
        "id": draft_id[:80],
    }
    return Reply("admin/draft_refused", view)


def duties_page(services: Services, draft_id: str, page: str) -> Reply:
    """A page of the draft's duties (/suanhap <mã> trang <n>)."""
    agencies = services.catalog.kb.agencies
    try:
        draft = drafts.open_draft(drafts.draft_folder(_drafts(services), draft_id), agencies)
        return drafts.page_reply(draft, agencies, int(page) if page.isdigit() else 0)
    except drafts.DraftError as error:
        return _refused(draft_id, error)


# /suanhap <draft> <duty> <word> <value>: the words admins type, folded, and the field.
CORRECTION_WORDS = {"chutri": "lead", "phoihop": "coordinate", "han": "deadline"}


def correct_command(ctx: CommandContext) -> Response:
    """/suanhap <mã bản nháp> [<số nhiệm vụ> chutri|phoihop|han <giá trị>]: correct a
    duty of a draft before publishing it (the reply: what changed); with the draft
    alone, its review again; with «trang <n>», its duties from number 15(n-1)+1."""
    words = ctx.args.split(maxsplit=3)
    if len(words) == 1:
        return Response((draft_review(ctx.app, words[0]),))
    if len(words) == 3 and fold(words[1]) == drafts.PAGE_WORD:
        return Response((duties_page(ctx.app, words[0], words[2]),))
    field = CORRECTION_WORDS.get(fold(words[2])) if len(words) == 4 else None
    if field is None:
        return Response((Reply("admin/draft_usage", {"id": words[0] if words else ""}),))
    changes = {field: words[3]}
    reply = correct_draft(
        ctx.session, ctx.app, ctx.user.id, words[0], words[1], changes, whole_review=False
    )
    return Response((reply,))


# /congbo <mã> xacnhan: publish what a plain /congbo asked to confirm (a directive that
# was retired comes back, duties without an agency are left out); a word typed on
# purpose, never a leftover draft's doing.
CONFIRM_WORD = "xacnhan"


def publish_command(ctx: CommandContext) -> Response:
    """/congbo <mã bản nháp> [xacnhan | huy [xacnhan]]: publish the draft (answers and
    nudges start at once), asking first when that brings back a retired directive or
    leaves duties out; or drop it, asked first too (its corrections go with it)."""
    words = ctx.args.split()
    rest = words[1:]
    drop = rest[:1] == [DROP_WORD]
    confirmed = rest[1:] if drop else rest
    if not words or confirmed not in ([], [CONFIRM_WORD]):
        return Response((Reply("admin/directive_usage"),))
    draft_id = words[0]
    if drop and not confirmed and (_drafts(ctx.app) / draft_id).is_dir():
        buttons = (
            Button("Bỏ bản nháp", f"/congbo {draft_id} {DROP_WORD} {CONFIRM_WORD}", "confirm"),
            Button("Giữ bản nháp", f"/suanhap {draft_id}", "cancel"),
        )
        return Response((Reply("admin/directive_drop_confirm", {"id": draft_id}, buttons),))
    reply = settle(ctx.session, ctx.app, ctx.user.id, draft_id, drop, bool(confirmed))
    return Response((reply,))


def settle(
    session: Session,
    services: Services,
    user_id: int,
    draft_id: str,
    drop: bool,
    confirmed: bool = False,
) -> Reply:
    """Publish the draft `draft_id` (answers and nudges start at once), or drop it.
    Published, the draft is gone: a leftover draft, or an old «Công bố» button, cannot
    publish it again (a retired directive would come back without a word)."""
    if not drafts.DRAFT_ID.match(draft_id):
        return Reply("admin/directive_usage")
    folder = _drafts(services) / draft_id
    if not folder.is_dir():
        return Reply("admin/directive_no_draft", {"id": draft_id})
    if drop:
        shutil.rmtree(folder)
        return Reply("admin/directive_dropped", {"id": draft_id})
    agencies = services.catalog.kb.agencies
    try:
        draft: drafts.Draft | None = drafts.open_draft(folder, agencies)
    except drafts.DraftError:
        draft = None  # publishing says what is wrong with it
    if draft is not None and not confirmed:
        left_out = [r for r in drafts.duty_rows(draft, agencies) if not r.assigned]
        gone = publishing.retired(session, draft.directive.id)
        if left_out or gone is not None:
            return _confirm(draft, gone, left_out)
    try:
        directive = publishing.publish(session, folder, user_id, revive=confirmed)
    except publishing.PublishError as error:
        return Reply("admin/directive_not_published", {"problem": str(error)})
    shutil.rmtree(folder)
    services.reload_now(session)
    view = {
        "name": directive.name,
        "duties": len(directive.duties),
        "left_out": [d.id for d in draft.unassigned] if draft else [],
    }
    return Reply("admin/directive_published", view)


def _confirm(
    draft: drafts.Draft, retired: m.Directive | None, left_out: Sequence[drafts.DraftDuty]
) -> Reply:
    """What publishing the draft would do that the admin may not expect (a retired
    directive back in force, duties left out for want of an agency), and the choice
    to publish all the same or to go back to the draft."""
    draft_id = draft.folder.name
    view = {
        "id": draft_id,
        "name": draft.directive.name,
        "retired": retired is not None,
        "retired_on": publishing.retired_day(retired) if retired else None,
        "left_out": left_out,
    }
    buttons = (
        Button(
            "Công bố lại" if retired else "Vẫn công bố",
            f"/congbo {draft_id} {CONFIRM_WORD}",
            "confirm",
        ),
        Button("Chưa công bố", f"/suanhap {draft_id}", "cancel"),
    )
    return Reply("admin/directive_confirm", view, buttons)


COMMANDS = (
    admin(
        "congbo",
        publish_command,
        "Công bố văn bản từ bản nháp: /congbo <mã> (gửi tệp .txt, .docx, .pdf để tạo)",
        "directive.publish",
    ),
    admin(
        "suanhap",
        correct_command,
        "Sửa bản nháp văn bản trước khi công bố: /suanhap <mã> <số nhiệm vụ> chutri|phoihop|han …",
        "draft.correct",
    ),
)
