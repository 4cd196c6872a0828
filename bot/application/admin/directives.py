"""Publishing a directive from chat: an admin sends its text (.txt, .docx or a .pdf
with a text layer), reviews the importer's draft and publishes it, or drops it.

The draft is written where `bot directive import` writes its own (data/drafts/<id>),
so the command line can review or publish the same draft; «Công bố» runs what
`bot directive publish` runs (`bot.application.knowledge.publishing`) and rebuilds the
Q&A at once: answers and nudges use the directive from the next message on.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from bot.application.commands import CommandContext, admin
from bot.application.importer.documents import UnreadableDocument, document_text
from bot.application.importer.draft import write_draft
from bot.application.importer.pipeline import import_directive
from bot.application.knowledge import publishing
from bot.application.messages import Attachment, Button, Reply, Response

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.application.services import Services

DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf")
PROBLEMS_SHOWN = 10
AGENCIES_SHOWN = 8
DROP_WORD = "huy"
_DRAFT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,80}$")


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
    clauses, duties, deadlines, the agencies given most, problems by line; its buttons
    publish or drop it (chat and the portal alike)."""
    name = file_name[:80]
    if content is None:
        return Reply("admin/directive_unreadable", {"name": name, "problem": ""})
    try:
        text = document_text(file_name, content, services.import_limits)
    except UnreadableDocument as error:
        return Reply("admin/directive_unreadable", {"name": name, "problem": str(error)})
    result = import_directive(text, services.catalog.kb.agencies)
    directive = result.directive
    write_draft(result, _drafts(services) / directive.id)
    names = {a.id: a.short_name for a in services.catalog.kb.agencies}
    per_agency = Counter(a for d in directive.duties for a in {*d.lead, *d.addressees})
    view: dict[str, Any] = {
        "file": name,
        "name": directive.name,
        "issued": directive.issued,
        "title": directive.title,
        "clauses": len(directive.clauses),
        "duties": len(directive.duties),
        "unaddressed": len(result.candidates) - len(directive.duties),
        "deadlines": sum(d.timing.kind == "deadline" for d in directive.duties),
        "recurring": sum(d.timing.kind == "recurring" for d in directive.duties),
        "agencies": [(names.get(a, a), n) for a, n in per_agency.most_common(AGENCIES_SHOWN)],
        "problems": result.problems[:PROBLEMS_SHOWN],
        "more_problems": max(0, len(result.problems) - PROBLEMS_SHOWN),
        "replaces": directive.id in services.catalog.directives,
        "id": directive.id,
    }
    buttons = (
        Button("Công bố", f"/congbo {directive.id}", "confirm"),
        Button("Hủy", f"/congbo {directive.id} {DROP_WORD}", "cancel"),
    )
    return Reply("admin/directive_draft", view, buttons, columns=2)


def publish_command(ctx: CommandContext) -> Response:
    """/congbo <mã bản nháp> [huy]: publish the draft (answers and nudges start at
    once), or drop it."""
    words = ctx.args.split()
    if not words or len(words) > 2:
        return Response((Reply("admin/directive_usage"),))
    drop = words[1:] == [DROP_WORD]
    if len(words) == 2 and not drop:
        return Response((Reply("admin/directive_usage"),))
    return Response((settle(ctx.session, ctx.app, ctx.user.id, words[0], drop),))


def settle(session: Session, services: Services, user_id: int, draft_id: str, drop: bool) -> Reply:
    """Publish the draft `draft_id` (answers and nudges start at once), or drop it."""
    if not _DRAFT_ID.match(draft_id):
        return Reply("admin/directive_usage")
    folder = _drafts(services) / draft_id
    if not folder.is_dir():
        return Reply("admin/directive_no_draft", {"id": draft_id})
    if drop:
        shutil.rmtree(folder)
        return Reply("admin/directive_dropped", {"id": draft_id})
    try:
        directive = publishing.publish(session, folder, user_id)
    except publishing.PublishError as error:
        return Reply("admin/directive_not_published", {"problem": str(error)})
    services.reload_now(session)
    return Reply(
        "admin/directive_published", {"name": directive.name, "duties": len(directive.duties)}
    )


COMMANDS = (
    admin(
        "congbo",
        publish_command,
        "Công bố văn bản từ bản nháp: /congbo <mã> (gửi tệp .txt, .docx, .pdf để tạo)",
        "directive.publish",
    ),
)
