"""The commands everyone has: start (and linking an account), help, the agency's
duties and the directive's deadlines."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from sqlalchemy import func

from bot.application import accounts
from bot.application.admin.agencies import tell_admins_code_refused
from bot.application.commands import Command, CommandContext, CommandTable
from bot.application.knowledge.agencies import active_names
from bot.application.messages import Reply, Response
from bot.application.qa.answer import Answer
from bot.application.qa.duties import ALL
from bot.application.scheduler.world import people_on
from bot.domain.roles import in_order
from bot.storage.models import User, utcnow
from nlu.normalize import fold


def start(ctx: CommandContext) -> Response:
    """/start [code]: a greeting and the account's state, or linking with an invite code."""
    code = ctx.args
    if code:
        before = ctx.user.agency_id if accounts.is_linked(ctx.user) else None
        try:
            invite = accounts.redeem(ctx.session, ctx.user, code)
        except accounts.AccountError as error:
            if error.reason == "code_agency_inactive":
                tell_admins_code_refused(
                    ctx.session,
                    ctx.app.push_channels,
                    ctx.user,
                    str(error.data["agency_id"]),
                    cast("int | None", error.data["created_by"]),
                    utcnow(),
                )
            return Response((Reply("account/code_error", {"reason": error.reason}),))
        agency = ctx.app.catalog.agencies.get(invite.agency_id or "")
        # A person reports for one agency: a code of another moves them, said aloud.
        left = ctx.app.catalog.agencies.get(before or "")
        moved = left is not None and ctx.user.agency_id != before
        view = {
            "agency": agency.name if agency else "",
            "moved_from": left.name if left and moved else "",
            "role": ctx.app.role_label(invite.role),
            "role_id": invite.role,  # what to try first differs: /baocao, /tonghop, /hopthu
            **_standing_view(ctx),  # the roles held before stay: all of them are named
        }
        return Response((Reply("account/linked", view),), refresh_menu=True)
    greeting = ctx.app.qa.answer("xin chào")
    agency = ctx.app.catalog.agencies.get(ctx.user.agency_id or "")
    status = {
        "linked": accounts.is_linked(ctx.user),
        "agency": agency.name if agency else "",
        "role": ", ".join(_standing_view(ctx)["roles"]),
    }
    return Response((greeting.reply, Reply("account/status", status)))


def _standing_view(ctx: CommandContext) -> dict[str, list[str] | str]:
    """The person's roles (Vietnamese, highest first), the agency they report for, and
    a manager's scope ("toàn tỉnh", or the agencies' short names). Names are read from
    the database, not the indexes: right after an agency change (a merge undone) the
    indexes are still being rebuilt and may not know the person's agency yet."""
    user = ctx.user
    scope = accounts.manager_scope(user)
    names = active_names(ctx.session, (user.agency_id or "", *scope))
    if ctx.app.nudge_settings.province_agency in scope:
        scope_text = "toàn tỉnh"
    else:
        # In the catalog's order, as the digest lists them.
        scope_text = ", ".join(short for a, (_, short) in names.items() if a in scope)
    agency = names.get(user.agency_id or "")
    return {
        "roles": [ctx.app.role_label(r) for r in in_order(accounts.menu_roles(user))],
        "agency": agency[0] if agency and accounts.is_linked(user) else "",
        "scope": scope_text,
    }


def whoami(ctx: CommandContext) -> Response:
    """/toi: the person's roles, their agency, a manager's scope and their accounts."""
    view = {**_standing_view(ctx), **_accounts_view(ctx), "name": ctx.user.display_name}
    return Response((Reply("account/me", view),))


def help_(ctx: CommandContext) -> Response:
    """/trogiup: what the assistant does, and the user's own commands."""
    commands = ctx.app.commands.menu_for(accounts.menu_role(ctx.user))
    return Response(
        (Reply("chat/help", {"commands": commands, "subject": ctx.app.catalog.subject()}),)
    )


def with_commands(answer: Answer, table: CommandTable, user: User) -> Answer:
    """The Q&A's help («hướng dẫn sử dụng»), which knows only the questions it answers,
    with the commands this user uses most (their `brief`) and, unlinked, how to link."""
    view = {
        **answer.reply.data,
        "commands": table.brief_for(accounts.menu_roles(user)),
        "linked": accounts.is_linked(user),
    }
    return replace(answer, reply=replace(answer.reply, data=view))


def my_duties(ctx: CommandContext) -> Response:
    """/nhiemvu [agency] [tatca]: the duties of the user's agency, or of the agency
    named (by id or any of its names); "tatca" lists them all (the "xem thêm" choice
    of a cut list)."""
    words = ctx.args.split()
    complete = bool(words) and words[-1] == ALL
    named = " ".join(words[:-1] if complete else words)
    agency_id = ctx.app.catalog.agency_names.get(fold(named)) if named else ctx.user.agency_id
    if named and agency_id is None:
        return Response((Reply("account/unknown_agency", {"name": named[:60]}),))
    if agency_id is None:
        return Response((Reply("account/not_linked"),))
    answer = ctx.app.qa.agency_duties(agency_id, complete)
    return Response(_replies(answer) or (Reply("account/no_duties"),), answer)


def deadlines(ctx: CommandContext) -> Response:
    """/hanchot: every deadline the directive sets."""
    answer = ctx.app.qa.deadlines()
    return Response(_replies(answer), answer)


def _replies(answer: Answer | None) -> tuple[Reply, ...]:
    """An answer's messages: with several directives, one per directive (`also`)."""
    return (answer.reply, *answer.also) if answer else ()


CHANNEL_NAMES = {"zalo": "Zalo", "telegram": "Telegram", "console": "cửa sổ dòng lệnh"}


def _accounts_view(ctx: CommandContext) -> dict[str, object]:
    """The person's accounts and the one pushed messages go to (`people_on`'s pick)."""
    order = ctx.app.push_channels
    person = func.coalesce(User.person_id, User.id) == ctx.user.person
    chosen = next(iter(people_on(ctx.session, person, order)), None)
    return {
        "accounts": [
            CHANNEL_NAMES.get(a.channel, a.channel)
            for a in accounts.accounts_of(ctx.session, ctx.user)
        ],
        "pushed_to": CHANNEL_NAMES.get(chosen.channel, chosen.channel) if chosen else "",
        "channels": list(order) if len(order) > 1 else [],
    }


def link_accounts(ctx: CommandContext) -> Response:
    """/lienket [mã]: a code for joining another chat account (Zalo, Telegram) to this
    person, or the code made on the other account, typed here."""
    if not ctx.args:
        code = accounts.create_link_code(ctx.session, ctx.user)
        view = {"code": code.code, "minutes": accounts.LINK_CODE_MINUTES}
        return Response((Reply("account/link_code", view),))
    try:
        accounts.join(ctx.session, ctx.user, ctx.args.split()[0])
    except accounts.AccountError as error:
        return Response((Reply("account/link_error", {"reason": error.reason}),))
    agency = ctx.app.catalog.agencies.get(ctx.user.agency_id or "")
    view = {
        **_accounts_view(ctx),
        "role": ", ".join(_standing_view(ctx)["roles"]),
        "agency": agency.name if agency else "",
    }
    return Response((Reply("account/joined", view),), refresh_menu=True)


def choose_channel(ctx: CommandContext) -> Response:
    """/kenh [zalo|telegram]: which of the person's accounts gets nudges and digests."""
    wanted = ctx.args.strip().lower()
    if wanted:
        channel = next((c for c, name in CHANNEL_NAMES.items() if wanted in (c, name.lower())), "")
        if channel not in ctx.app.push_channels or not accounts.prefer(
            ctx.session, ctx.user, channel
        ):
            view = {"wanted": ctx.args.strip()[:40], **_accounts_view(ctx)}
            return Response((Reply("account/channel_missing", view),))
    return Response((Reply("account/channels", _accounts_view(ctx)),))


COMMANDS = (
    Command("start", start, "Bắt đầu, hoặc liên kết tài khoản bằng mã mời", private_only=False),
    Command("trogiup", help_, "Hướng dẫn sử dụng", private_only=False),
    Command(
        "nhiemvu",
        my_duties,
        "Nhiệm vụ của cơ quan mình (hoặc: /nhiemvu <cơ quan>)",
        brief="nhiệm vụ của cơ quan mình",
    ),
    Command(
        "hanchot",
        deadlines,
        "Các mốc thời hạn của Chỉ thị",
        private_only=False,
        brief="các thời hạn",
    ),
    Command("toi", whoami, "Xem vai trò và phạm vi của Anh/Chị"),
    Command("lienket", link_accounts, "Dùng chung tài khoản trên Zalo và Telegram"),
    Command("kenh", choose_channel, "Chọn kênh nhận nhắc việc (Zalo hoặc Telegram)"),
)
