"""The managers' commands: the digest of their scope, and Sở TT&TT's quarterly report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from bot.application import accounts, evidence
from bot.application.commands import Command, CommandContext, CommandRefused
from bot.application.digest import quarterly, snapshots, views
from bot.application.digest.builder import DigestBuilder, enqueue_on_demand
from bot.application.digest.xlsx import to_xlsx
from bot.application.messages import Button, OutgoingFile, Reply, Response
from bot.config import NudgeSettings
from bot.domain.catalog import Catalog
from bot.domain.roles import ADMIN, MANAGER
from bot.storage.models import utcnow
from nlu.normalize import fold

# The agency that drafts the quarterly report on the directive (Sở TT&TT) besides the
# province's own managers.
DRAFTING_AGENCY = "sttt"


def builder_for(ctx: CommandContext) -> DigestBuilder:
    return DigestBuilder(
        ctx.app.catalog,
        ctx.app.templates_dir,
        ctx.app.nudge_settings,
        evidence.download_base(ctx.app.web_url),
    )


def digest(ctx: CommandContext) -> Response:
    """/tonghop [cơ quan] [chi tiết]: the one-screen summary of what the user manages
    (its chart and .xlsx follow), or a page of its details (by status, by agency, the
    blockers); a province manager may name one agency."""
    builder = builder_for(ctx)
    scope = builder.user_scope(ctx.user)
    if scope is None:
        raise CommandRefused(Reply("digest/not_allowed"))
    agency_ids, title = scope
    words = ctx.args.split()
    command = "/tonghop"
    catalog = ctx.app.catalog
    directive_id = catalog.directive_named(words[0]) if words and catalog.active_count > 1 else None
    if directive_id is not None:  # one directive of several: "/tonghop 99/2025 ..."
        command = f"{command} {words.pop(0)}"
    named = _agency_named(ctx, words)
    if named is not None and named not in agency_ids:
        view = {"agency": catalog.agencies[named].name, "scope": title}
        return Response((Reply("digest/out_of_scope", view),))
    if named is not None and len(agency_ids) > 1:
        agency_ids, title = [named], builder.agency_names().get(named, named)
        command = f"{command} {named}"
    request = views.Request.read(words)
    if request is None:
        return Response((Reply("digest/usage", {"typed": ctx.args[:40]}),))
    first = request.view == "" and command == "/tonghop"  # the user's own digest
    now = utcnow()
    user_id = ctx.user.id if first else None
    built = builder.build(ctx.session, now, agency_ids, title, user_id, directive_id=directive_id)
    if request.view:
        return Response((views.details(built, command, request),))
    # Snapshots are of every directive's digest: one directive's is compared with none.
    trend = snapshots.trend(ctx.session, built) if directive_id is None else None
    summary = builder.reply(built, trend=trend, command=command)
    if first and catalog.active_count > 1:  # over every directive: offer each alone
        picks = tuple(
            Button(d.name, f"/tonghop {d.short_label}") for d in catalog.directives.values()
        )
        data = {**summary.data, "directive_picks": True}
        summary = replace(summary, data=data, buttons=summary.buttons + picks, columns=2)
    replies = [summary]
    if first:
        snapshots.record(ctx.session, built)
        # Chart and .xlsx go out as messages of their own: only to a channel that
        # takes pushed messages (not the console, which nothing sends to).
        pushed = ctx.user.channel in ctx.app.push_channels
        if pushed and enqueue_on_demand(ctx.session, builder, ctx.user, built):
            replies.append(Reply("digest/queued", {"chart": bool(built.agencies)}))
    return Response(tuple(replies))


def _agency_named(ctx: CommandContext, words: list[str]) -> str | None:
    """The agency `/tonghop` names, by id ("snv", then the details' words) or by name
    ("Sở Nội vụ", alone); the words naming it are taken off `words`."""
    agencies = ctx.app.catalog.agencies
    if words and words[0] in agencies:
        return words.pop(0)
    if words and views.Request.read(words) is None:
        named = ctx.app.catalog.agency_names.get(fold(" ".join(words)))
        if named is not None:
            words.clear()
        return named
    return None


def may_draft_quarterly(
    roles: frozenset[str], scope: Sequence[str], settings: NudgeSettings
) -> bool:
    """Sở TT&TT's and the province's managers (`accounts.manager_scope`), and admins,
    draft the quarterly report."""
    drafting = {DRAFTING_AGENCY, settings.province_agency}
    return ADMIN in roles or (MANAGER in roles and bool(drafting & set(scope)))


def quarterly_files(
    session: Session,
    builder: DigestBuilder,
    user_id: int | None,
    now: dt.datetime,
    directive_id: str | None = None,
) -> tuple[OutgoingFile, OutgoingFile]:
    """The quarterly report (.docx) from the province-wide status, and its annex (.xlsx):
    on `directive_id`, or on every active directive (None)."""
    built = builder.build(
        session, now, builder.all_agencies(), "toàn tỉnh", user_id, directive_id=directive_id
    )
    year, quarter = quarterly.quarter_of(quarterly.local_day(built.generated_at))
    which = _file_word(builder.catalog, directive_id)
    name = f"bao-cao-quy-{quarter}-{year}-{which}.docx"
    document = OutgoingFile(name, quarterly.to_docx(built, year, quarter, builder.evidence_url))
    # The report refers to its annex ("chi tiết tại Phụ lục kèm theo"): the workbook,
    # headed as the annex of that report.
    annex_name = f"phu-luc-bao-cao-quy-{quarter}-{year}-{which}.xlsx"
    annex_of = quarterly.ANNEX_OF.format(year=year)
    workbook = to_xlsx(built, builder.status_labels, annex_of, builder.evidence_url)
    annex = OutgoingFile(annex_name, workbook, "Phụ lục")
    return document, annex


def _file_word(catalog: Catalog, directive_id: str | None) -> str:
    """How the files name what they report on: "chi-thi-06", or "cac-chi-thi" for
    several directives at once."""
    chosen = [directive_id] if directive_id else list(catalog.directives)
    if len(chosen) != 1:
        return "cac-chi-thi"
    number = catalog.directives[chosen[0]].number.split("/")[0]
    return f"chi-thi-{fold(number).replace(' ', '-')}"


def quarterly_report(ctx: CommandContext) -> Response:
    """/baocaoquy [văn bản]: Sở TT&TT's quarterly report to UBND tỉnh on a directive,
    as a .docx draft from the province-wide status (Sở TT&TT's and the province's
    managers, and admins). With several directives active, the user picks one first
    (each is reported on by itself), as /tonghop offers them."""
    user = ctx.user
    roles, scope = accounts.menu_roles(user), accounts.manager_scope(user)
    if not may_draft_quarterly(roles, scope, ctx.app.nudge_settings):
        raise CommandRefused(Reply("digest/quarterly_not_allowed"))
    catalog = ctx.app.catalog
    typed = ctx.args.strip()
    directive_id = catalog.directive_named(typed) if typed else None
    if (typed and directive_id is None) or (not typed and catalog.active_count > 1):
        directives = list(catalog.directives.values())
        picks = tuple(Button(d.name, f"/baocaoquy {d.short_label}") for d in directives)
        which = {
            "typed": typed[:40],
            "directives": [d.name for d in directives],
            "example": directives[0].short_label,
        }
        return Response((Reply("digest/quarterly_which", which, picks),))
    now = utcnow()
    document, annex = quarterly_files(ctx.session, builder_for(ctx), user.id, now, directive_id)
    year, quarter = quarterly.quarter_of(quarterly.local_day(now))
    view = {
        "quarter": quarter,
        "year": year,
        "name": document.name,
        "annex": annex.name,
        "subject": catalog.subject([directive_id] if directive_id else ()),
    }
    return Response((Reply("digest/quarterly", view, files=(document, annex)),))


MANAGERS = frozenset({MANAGER, ADMIN})
COMMANDS = (
    Command(
        "tonghop",
        digest,
        "Tổng hợp tình hình thực hiện (lãnh đạo)",
        MANAGERS,
        refusal="digest/not_allowed",
    ),
    Command(
        "baocaoquy",
        quarterly_report,
        "Dự thảo báo cáo quý của Sở TT&TT (.docx): /baocaoquy [văn bản]",
        MANAGERS,
        refusal="digest/quarterly_not_allowed",
    ),
)
