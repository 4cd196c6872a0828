"""`/web`: a one-time link into the web portal, for any linked account (an official
sees their agency there, a manager their scope, an admin everything). Listed for
everyone, as `/baocao` is: an account not linked yet is told how to link it (the
refusal is audited)."""

from __future__ import annotations

from bot.application.accounts import menu_role
from bot.application.commands import Command, CommandContext, CommandRefused
from bot.application.messages import Reply, Response
from bot.application.portal import login
from bot.storage.models import utcnow


def web_link(ctx: CommandContext) -> Response:
    """/web: the link (10 minutes, one use), or why there is none."""
    if menu_role(ctx.user) is None:
        raise CommandRefused(Reply("account/web_not_linked"))
    if not ctx.app.web_url:
        return Response((Reply("account/web_unavailable"),))
    url = login.create_link(ctx.session, ctx.user, ctx.app.web_url, utcnow())
    return Response((Reply("account/web_link", {"url": url, "minutes": login.LINK_MINUTES}),))


COMMANDS = (
    Command(
        "web",
        web_link,
        "Mở trang web tổng hợp, quản trị (liên kết đăng nhập một lần)",
        audit="web.link",
    ),
)
