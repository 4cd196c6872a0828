"""Evidence files: kept when an official sends one in the report dialog, opened by
number (`/minhchung <số>` in chat, `/minh-chung/<số>` on the portal).

A channel's file id opens the file only on that channel (Telegram's only for the same
bot; Zalo's photo URL only while Zalo keeps it), so the channel fetches the bytes when
the dialog is at its evidence step (`Core.file_wanted`, at most EVIDENCE_MAX_BYTES) and
the dialog keeps them here, numbered. Whoever may see the reporting agency's progress
may open its files: its own officials and managers, the managers whose digest covers
it, admins. The file goes out through the asker's own channel (a photo sent on
Telegram opens for a manager on Zalo as a link, on the console as a file in var/exports).

Files that no report names (a dialog cancelled after the file was sent) are deleted
after `UNUSED_DAYS`, when another file is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from bot.application.accounts import menu_roles
from bot.application.commands import Command, CommandContext, CommandRefused, small_int
from bot.application.digest.builder import DigestBuilder
from bot.application.messages import Attachment, OutgoingFile, Reply, Response
from bot.domain.roles import MANAGER, OFFICIAL
from bot.storage.models import EvidenceFile, ProgressReport, User, utcnow

COMMAND = "minhchung"
WEB_PATH = "/minh-chung"  # the portal's download: WEB_PATH/<number>
UNUSED_DAYS = 7  # a file no report names is kept this long (a dialog left open)
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
# Sent as a photo (seen at once in the chat) up to this size; larger as a document.
# Telegram's sendPhoto takes 10 MB; a photo of a paper document is far below.
PHOTO_BYTES = 5_000_000
LISTED = 10  # files listed by `/minhchung` without a number
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)


def download_base(web_url: str) -> str:
    """Where the portal at `web_url` serves evidence files ("" without a portal)."""
    return f"{web_url.rstrip('/')}{WEB_PATH}" if web_url else ""


def command_for(number: int) -> str:
    """What a person types to get file `number`."""
    return f"/{COMMAND} {number}"


def media_type(name: str, content: bytes) -> tuple[str, str]:
    """(media type, suffix) of a file: its first bytes for the kinds officials send as
    pictures or scans (a Telegram photo or a Zalo URL has no name), else its name."""
    for magic, kind, suffix in _MAGIC:
        if content.startswith(magic):
            return kind, suffix
    guessed = mimetypes.guess_type(name)[0]
    return guessed or "application/octet-stream", Path(name).suffix.lower()


def keep(
    session: Session, user: User, agency_id: str, attachment: Attachment, content: bytes
) -> EvidenceFile:
    """Store a file an official sent for `agency_id`'s report, numbered; files that no
    report names and are older than `UNUSED_DAYS` go on the way."""
    now = utcnow()
    forget_unused(session, now - dt.timedelta(days=UNUSED_DAYS))
    kind, suffix = media_type(attachment.file_name, content)
    # A photo has no name of its own: it gets its number once it has one.
    name = Path(attachment.file_name).name if attachment.file_name else ""
    file = EvidenceFile(
        agency_id=agency_id,
        user_id=user.id,
        channel=user.channel,
        name=name,
        media_type=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        created_at=now,
    )
    session.add(file)
    session.flush()
    if not file.name:
        file.name = f"minh-chung-{file.id}{suffix or '.bin'}"
    return file


def forget_unused(session: Session, before: dt.datetime) -> None:
    """Delete the files kept before `before` that no report names."""
    named = exists().where(ProgressReport.evidence_number == EvidenceFile.id)
    session.execute(
        delete(EvidenceFile)
        .where(EvidenceFile.created_at < before, ~named)
        .execution_options(synchronize_session=False)
    )


def existing(session: Session, number: int | None, user_id: int, agency_id: str) -> int | None:
    """`number` when it still names the agency's file that `user_id` sent, or that an
    earlier report names (an edit keeping it), else None: a dialog open for days may
    hold one that `forget_unused` deleted, and SQLite may give its number to someone
    else's next file."""
    file = session.get(EvidenceFile, number) if number is not None else None
    if file is None or file.agency_id != agency_id:
        return None
    named = session.scalar(select(exists().where(ProgressReport.evidence_number == file.id)))
    return file.id if file.user_id == user_id or named else None


def may_open(
    builder: DigestBuilder,
    file_agency: str,
    agency_id: str | None,
    roles: frozenset[str],
    scope: Sequence[str] = (),
) -> bool:
    """Whether a person (their agency, `menu_roles`, manager scope) may open a file of
    `file_agency`: its own officials and managers, the digests that cover it."""
    if agency_id == file_agency and roles & {OFFICIAL, MANAGER}:
        return True
    if builder.sees_province(agency_id, roles, scope):
        return True
    covered = builder.scope_of(agency_id, roles, scope)
    return covered is not None and file_agency in covered[0]


@dataclass(frozen=True)
class Opened:
    """A file to hand out, with what says whose evidence it is."""

    number: int
    name: str
    media_type: str
    content: bytes
    agency_id: str
    report_id: int | None  # the newest report naming it (None: no report yet)
    duty_key: str
    sent_by: str
    sent_at: dt.datetime


class Unknown(LookupError):
    """No file has that number (or one no report names yet, for anyone but its sender)."""


def find(session: Session, number: int, user_id: int) -> Opened:
    """The file `number`, or `Unknown`; scope is the caller's to check."""
    file = session.get(EvidenceFile, number)
    if file is None:
        raise Unknown(number)
    report = session.scalar(
        select(ProgressReport)
        .where(ProgressReport.evidence_number == number)
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
        .limit(1)
    )
    if report is None and file.user_id != user_id:
        raise Unknown(number)
    sender = session.get(User, file.user_id)
    return Opened(
        number=file.id,
        name=file.name,
        media_type=file.media_type,
        content=file.content,
        agency_id=file.agency_id,
        report_id=report.id if report else None,
        duty_key=report.duty_key if report else "",
        sent_by=sender.display_name if sender else "",
        sent_at=file.created_at,
    )


def as_outgoing(opened: Opened, caption: str = "") -> OutgoingFile:
    """The file as a message's attachment: a picture as a photo where it is small
    enough to show in the chat, anything else as a document."""
    photo = opened.media_type in PHOTO_TYPES and len(opened.content) <= PHOTO_BYTES
    return OutgoingFile(opened.name, opened.content, caption, "photo" if photo else "document")


# ----- the chat command -----------------------------------------------------------------


def open_evidence(ctx: CommandContext) -> Response:
    """/minhchung <số>: the evidence file of that number, through the asker's channel;
    without a number, the latest files the asker may open."""
    builder = DigestBuilder(ctx.app.catalog, ctx.app.templates_dir, ctx.app.nudge_settings)
    user = ctx.user
    roles, scope = menu_roles(user), tuple(user.scope or ())
    if not roles:  # listed for everyone, as /baocao is: the reply says how to link
        return Response((Reply("account/not_linked"),))
    typed = ctx.args.strip().lstrip("#").removeprefix("số").strip()
    if not typed:
        return Response((Reply("evidence/list", _listing(ctx.session, builder, user)),))
    number = small_int(typed)
    if number is None:
        return Response((Reply("evidence/usage", {"typed": typed[:40]}),))
    try:
        opened = find(ctx.session, number, user.id)
    except Unknown:
        return Response((Reply("evidence/unknown", {"number": number}),))
    catalog = ctx.app.catalog
    agency = catalog.agencies.get(opened.agency_id)
    agency_name = agency.name if agency else opened.agency_id
    if not may_open(builder, opened.agency_id, user.agency_id, roles, scope):
        raise CommandRefused(Reply("evidence/out_of_scope", {"number": number}))
    duty = catalog.duties.get(opened.duty_key) if opened.duty_key else None
    view = {
        "number": number,
        "name": opened.name,
        "agency": agency_name,
        "report_id": opened.report_id,
        "duty_id": catalog.duty_label(opened.duty_key) if duty else "",
        "duty": duty[1].title if duty else "",
        "sent_by": opened.sent_by,
        "sent_at": opened.sent_at,
    }
    caption = f"Minh chứng số {number} — {agency_name}"
    return Response((Reply("evidence/file", view, files=(as_outgoing(opened, caption),)),))


def _listing(session: Session, builder: DigestBuilder, user: User) -> dict[str, object]:
    """The newest files named by a report that `user` may open (newest first)."""
    roles = menu_roles(user)
    covered = builder.scope_of(user.agency_id, roles, tuple(user.scope or ()))
    agencies = set(covered[0]) if covered else set()
    if user.agency_id and roles & {OFFICIAL, MANAGER}:
        agencies.add(user.agency_id)
    rows = session.execute(
        select(EvidenceFile.id, EvidenceFile.name, EvidenceFile.agency_id, EvidenceFile.created_at)
        .where(
            EvidenceFile.agency_id.in_(agencies),
            exists().where(ProgressReport.evidence_number == EvidenceFile.id),
        )
        .order_by(EvidenceFile.id.desc())
        .limit(LISTED)
    ).all()
    names = builder.agency_names()
    files = [
        {"number": n, "name": name, "agency": names.get(a, a), "at": at} for n, name, a, at in rows
    ]
    return {"files": files, "command": f"/{COMMAND}"}


COMMANDS = (
    Command(
        COMMAND,
        open_evidence,
        "Mở tệp minh chứng của một báo cáo: /minhchung <số>",
        audit="evidence.open",
    ),
)
