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


def _drafts(ctx: CommandContext) -> Path:
    assert ctx.app.drafts_dir is not None, "the composition root sets where drafts go"
    return ctx.app.drafts_dir


def draft_from_file(ctx: CommandContext, attachment: Attachment) -> Response:
    """The review of the draft the importer made of the file, with «Công bố» / «Hủy»."""
    name = attachment.file_name[:80]
    if attachment.content is None:
        return Response((Reply("admin/directive_unreadable", {"name": name, "problem": ""}),))
    try:
        text = document_text(attachment.file_name, attachment.content, ctx.app.import_limits)
    except UnreadableDocument as error:
        unreadable = {"name": name, "problem": str(error)}
        return Response((Reply("admin/directive_unreadable", unreadable),))
    result = import_directive(text, ctx.app.catalog.kb.agencies)
    directive = result.directive
    write_draft(result, _drafts(ctx) / directive.id)
    names = {a.id: a.short_name for a in ctx.app.catalog.kb.agencies}
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
        "replaces": directive.id in ctx.app.catalog.directives,
        "id": directive.id,
    }
    buttons = (
        Button("Công bố", f"/congbo {directive.id}", "confirm"),
        Button("Hủy", f"/congbo {directive.id} {DROP_WORD}", "cancel"),
    )
    return Response((Reply("admin/directive_draft", view, buttons, columns=2),))


def publish_command(ctx: CommandContext) -> Response:
    """/congbo <mã bản nháp> [huy]: publish the draft (answers and nudges start at
    once), or drop it."""
    words = ctx.args.split()
    if not words or len(words) > 2 or not _DRAFT_ID.match(words[0]):
        return Response((Reply("admin/directive_usage"),))
    folder = _drafts(ctx) / words[0]
    if not folder.is_dir():
        return Response((Reply("admin/directive_no_draft", {"id": words[0]}),))
    if words[1:] == [DROP_WORD]:
        shutil.rmtree(folder)
        return Response((Reply("admin/directive_dropped", {"id": words[0]}),))
    try:
        directive = publishing.publish(ctx.session, folder, ctx.user.id)
    except publishing.PublishError as error:
        return Response((Reply("admin/directive_not_published", {"problem": str(error)}),))
    ctx.app.reload_now(ctx.session)
    view = {"name": directive.name, "duties": len(directive.duties)}
    return Response((Reply("admin/directive_published", view),))


COMMANDS = (
    admin(
        "congbo",
        publish_command,
        "Công bố văn bản từ bản nháp: /congbo <mã> (gửi tệp .txt, .docx, .pdf để tạo)",
        "directive.publish",
    ),
)
