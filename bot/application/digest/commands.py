"""The managers' commands: the digest of their scope, and a directive's quarterly report
(drafted by the agency the directive makes report to UBND tỉnh every quarter)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
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
from bot.domain.knowledge import Agency
from bot.domain.roles import ADMIN, MANAGER
from bot.storage.models import utcnow
from nlu.normalize import fold


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


def reporter_id(catalog: Catalog, settings: NudgeSettings, directive_id: str) -> str:
    """Who reports on `directive_id` to UBND tỉnh every quarter: the agency its duties
    name (`Catalog.quarterly_reporter`), else the settings' `quarterly_agency`."""
    return catalog.quarterly_reporter(directive_id) or settings.quarterly_agency


def reporter(catalog: Catalog, settings: NudgeSettings, directive_id: str | None) -> Agency:
    """The agency a report on `directive_id` (None: every active one) is written as:
    the directives' one reporter, else the settings' (then UBND tỉnh, should that
    agency be gone from the catalog)."""
    chosen = [directive_id] if directive_id else list(catalog.directives)
    found = {reporter_id(catalog, settings, d) for d in chosen}
    agency_id = found.pop() if len(found) == 1 else settings.quarterly_agency
    agencies = catalog.agencies
    return agencies.get(agency_id) or agencies[settings.province_agency]


def may_draft_quarterly(
    roles: frozenset[str],
    scope: Sequence[str],
    settings: NudgeSettings,
    reporters: Collection[str] | None = None,
) -> bool:
    """The managers of the reporting agency (`reporters`; None: the settings' own) and
    of the province (`accounts.manager_scope`), and admins, draft the quarterly report."""
    drafting = {settings.province_agency, *(reporters or (settings.quarterly_agency,))}
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
    author = reporter(builder.catalog, builder.settings, directive_id)
    content = quarterly.to_docx(built, year, quarter, builder.evidence_url, author)
    document = OutgoingFile(name, content)
    # The report refers to its annex ("chi tiết tại Phụ lục kèm theo"): the workbook,
    # headed as the annex of that report.
    annex_name = f"phu-luc-bao-cao-quy-{quarter}-{year}-{which}.xlsx"
    annex_of = quarterly.annex_of(year, author)
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
    """/baocaoquy [văn bản]: a directive's quarterly report to UBND tỉnh, as a .docx
    draft from the province-wide status, written as the agency the directive makes
    report (`reporter`): for that agency's and the province's managers, and admins.
    With several directives active, the user picks one first (each is reported on by
    itself) among those they may draft, as /tonghop offers them."""
    user = ctx.user
    roles, scope = accounts.menu_roles(user), accounts.manager_scope(user)
    catalog, settings = ctx.app.catalog, ctx.app.nudge_settings
    reporters = {d: reporter_id(catalog, settings, d) for d in catalog.directives}
    drafted = [
        d for d, by in reporters.items() if may_draft_quarterly(roles, scope, settings, {by})
    ]
    typed = ctx.args.strip()
    directive_id = catalog.directive_named(typed) if typed else None
    if directive_id is not None and directive_id not in drafted:
        raise CommandRefused(_not_allowed(catalog, [reporters[directive_id]], directive_id))
    if not drafted:
        raise CommandRefused(_not_allowed(catalog, list(reporters.values())))
    if not typed and len(drafted) == 1:
        directive_id = drafted[0] if catalog.active_count > 1 else None
    if directive_id is None and (typed or catalog.active_count > 1):
        directives = [catalog.directives[d] for d in drafted]
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
        "author": reporter(catalog, settings, directive_id).name,
    }
    return Response((Reply("digest/quarterly", view, files=(document, annex)),))


def _not_allowed(catalog: Catalog, reporters: list[str], directive_id: str = "") -> Reply:
    """Who drafts the report the user may not: each directive's reporting agency."""
    names = sorted({catalog.agencies[a].short_name for a in reporters if a in catalog.agencies})
    subject = catalog.directives[directive_id].name if directive_id else ""
    return Reply("digest/quarterly_not_allowed", {"reporters": names, "subject": subject})


MANAGERS = frozenset({MANAGER, ADMIN})
COMMANDS = (
    Command(
        "tonghop",
        digest,
        "Tổng hợp tình hình thực hiện (lãnh đạo)",
        MANAGERS,
        refusal="digest/not_allowed",
        brief="tổng hợp tiến độ các cơ quan",
    ),
    Command(
        "baocaoquy",
        quarterly_report,
        "Dự thảo báo cáo quý gửi UBND tỉnh (.docx): /baocaoquy [văn bản]",
        MANAGERS,
        refusal="digest/quarterly_not_allowed",
        brief="dự thảo báo cáo quý",
    ),
)
