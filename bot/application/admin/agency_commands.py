"""Admins' chat commands over the agency catalog (bot.application.admin.agencies).

/coquan [từ khóa]                         the catalog: active, merged, closed
/coquan_them <mã> <tên>[; <tên viết tắt>]  a new agency
/coquan_doiten <cơ quan>; <tên>[; <tắt>]   rename (the old names stay understood)
/coquan_gop <A>, <B> vao <C>[; <tên>[; <tắt>]]   A and B become C (new or existing)
/coquan_dong <cơ quan>, /coquan_mo <cơ quan>      deactivate, reactivate

An agency is named by its id or any of its names. Every change is audited, listed by
/lichsu and undone by /hoantac; the indexes are rebuilt at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.application.admin import agencies, content
from bot.application.commands import CommandContext, admin
from bot.application.messages import Reply, Response
from bot.application.services import respond
from bot.storage.models import Agency
from nlu.normalize import fold

_INTO = re.compile(r"\s+(?:vao|vào|thanh|thành)\s+", re.IGNORECASE)


def _agency_id(ctx: CommandContext, text: str) -> str:
    """The id of the agency `text` names (an id, a name, an old name); else `text`.
    An id comes first: a merged agency's names mean the agency it went into."""
    text = text.strip()
    if ctx.session.get(Agency, text) is not None:
        return text
    return ctx.app.catalog.agency_names.get(fold(text), text)


def _usage(command: str) -> Response:
    return respond(Reply("admin/agency_usage", {"command": command}))


def _changed(ctx: CommandContext, run: Callable[[], Agency], what: str) -> Response:
    """Run a change; reload and say what was done, or say why not."""
    try:
        row = run()
    except content.ContentError as error:
        return respond(Reply("admin/agency_refused", {"reason": error.reason, **error.data}))
    ctx.app.reload_now(ctx.session)
    name = (row.overrides or {}).get("name", row.name)
    return respond(Reply("admin/agency_changed", {"what": what, "id": row.id, "name": name}))


def list_agencies(ctx: CommandContext) -> Response:
    wanted = fold(ctx.args)
    views = [
        v
        for v in agencies.catalog(ctx.session)
        if not wanted or wanted in fold(" ".join((v.id, v.name, v.short_name)))
    ]
    return respond(Reply("admin/agencies", {"agencies": views, "query": ctx.args[:40]}))


def add_agency(ctx: CommandContext) -> Response:
    agency_id, _, rest = ctx.args.strip().partition(" ")
    name, _, short = rest.partition(";")
    if not agency_id or not name.strip():
        return _usage("coquan_them")
    return _changed(ctx, lambda: agencies.add(ctx.session, ctx.user, agency_id, name, short), "add")


def rename_agency(ctx: CommandContext) -> Response:
    parts = [p.strip() for p in ctx.args.split(";")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return _usage("coquan_doiten")
    agency_id, name, short = _agency_id(ctx, parts[0]), parts[1], (parts[2:] or [""])[0]
    return _changed(
        ctx, lambda: agencies.rename(ctx.session, ctx.user, agency_id, name, short), "rename"
    )


def merge_agencies(ctx: CommandContext) -> Response:
    head, _, rest = ctx.args.partition(";")
    sources_text, *target = _INTO.split(head.strip(), maxsplit=1)
    if not target or not sources_text.strip():
        return _usage("coquan_gop")
    sources = [_agency_id(ctx, s) for s in sources_text.split(",") if s.strip()]
    target_id = _agency_id(ctx, target[0])
    name, _, short = rest.partition(";")
    return _changed(
        ctx,
        lambda: agencies.merge(ctx.session, ctx.user, sources, target_id, name, short),
        "merge",
    )


def _set_active(active: bool, command: str) -> Callable[[CommandContext], Response]:
    def handler(ctx: CommandContext) -> Response:
        if not ctx.args.strip():
            return _usage(command)
        agency_id = _agency_id(ctx, ctx.args)
        what = "reactivate" if active else "deactivate"
        return _changed(
            ctx, lambda: agencies.set_active(ctx.session, ctx.user, agency_id, active), what
        )

    return handler


COMMANDS = (
    admin("coquan", list_agencies, "Danh mục cơ quan: /coquan [từ khóa]", "agency.list"),
    admin("coquan_them", add_agency, "Thêm cơ quan: /coquan_them <mã> <tên>", "agency.add"),
    admin(
        "coquan_doiten",
        rename_agency,
        "Đổi tên cơ quan: /coquan_doiten <cơ quan>; <tên mới>",
        "agency.rename",
    ),
    admin(
        "coquan_gop",
        merge_agencies,
        "Gộp cơ quan: /coquan_gop <A>, <B> vao <C>",
        "agency.merge",
    ),
    admin(
        "coquan_dong",
        _set_active(False, "coquan_dong"),
        "Ngừng hoạt động một cơ quan: /coquan_dong <cơ quan>",
        "agency.deactivate",
    ),
    admin(
        "coquan_mo",
        _set_active(True, "coquan_mo"),
        "Cho cơ quan hoạt động lại: /coquan_mo <cơ quan>",
        "agency.reactivate",
    ),
)
