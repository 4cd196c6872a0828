"""The commands everyone has: start (and linking an account), help, the agency's
duties and the directive's deadlines."""

from __future__ import annotations

from bot.application import accounts
from bot.application.commands import Command, CommandContext
from bot.application.messages import Reply, Response


def start(ctx: CommandContext) -> Response:
    """/start [code]: a greeting and the account's state, or linking with an invite code."""
    code = ctx.args
    if code:
        try:
            invite = accounts.redeem(ctx.session, ctx.user, code)
        except accounts.AccountError as error:
            return Response((Reply("account/code_error", {"reason": error.reason}),))
        agency = ctx.app.catalog.agencies.get(invite.agency_id or "")
        view = {"agency": agency.name if agency else "", "role": ctx.app.role_label(invite.role)}
        return Response((Reply("account/linked", view),), refresh_menu=True)
    greeting = ctx.app.qa.answer("xin chào")
    agency = ctx.app.catalog.agencies.get(ctx.user.agency_id or "")
    status = {
        "linked": accounts.is_linked(ctx.user),
        "agency": agency.name if agency else "",
        "role": ctx.app.role_label(ctx.user.role),
    }
    return Response((greeting.reply, Reply("account/status", status)))


def help_(ctx: CommandContext) -> Response:
    """/trogiup: what the assistant does, and the user's own commands."""
    commands = ctx.app.commands.menu_for(accounts.menu_role(ctx.user))
    return Response((Reply("chat/help", {"commands": commands}),))


def my_duties(ctx: CommandContext) -> Response:
    """/nhiemvu: the duties of the user's agency."""
    if ctx.user.agency_id is None:
        return Response((Reply("account/not_linked"),))
    answer = ctx.app.qa.agency_duties(ctx.user.agency_id)
    return Response((answer.reply,) if answer else (Reply("account/no_duties"),), answer)


def deadlines(ctx: CommandContext) -> Response:
    """/hanchot: every deadline the directive sets."""
    answer = ctx.app.qa.deadlines()
    return Response((answer.reply,) if answer else (), answer)


COMMANDS = (
    Command("start", start, "Bắt đầu, hoặc liên kết tài khoản bằng mã mời", private_only=False),
    Command("trogiup", help_, "Hướng dẫn sử dụng", private_only=False),
    Command("nhiemvu", my_duties, "Nhiệm vụ của cơ quan mình"),
    Command("hanchot", deadlines, "Các mốc thời hạn của Chỉ thị", private_only=False),
)
