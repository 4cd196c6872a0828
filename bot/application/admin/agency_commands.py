"""Admins' chat commands over the agency catalog (bot.application.admin.agencies).

/coquan [từ khóa]                         the catalog: active, merged, closed
/coquan_them <mã> <tên>[; <tên viết tắt>]  a new agency
/coquan_doiten <cơ quan>; <tên>[; <tắt>]   rename (the old names stay understood)
/coquan_gop <A>, <B> vao <C>[; <tên>[; <tắt>]]   A and B become C (new or existing)
/coquan_dong <cơ quan> [xacnhan], /coquan_mo <cơ quan>   deactivate, reactivate

An agency is named by its id or any of its names. Every change is audited, listed by
/lichsu and undone by /hoantac; the indexes are rebuilt at once. Each runs through
`agency_file.apply_op`, as the command line's. Closing an agency that holds duties
lists them and waits for "xacnhan" (or a merge, or the duties reassigned).

An operations file (`bot agencies apply FILE`'s) sent in chat is applied as the
command line applies it: every operation or none, each audited with the file's source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.application.admin import agencies, content
from bot.application.admin.agency_file import AgencyFileError, apply_file, apply_op, read_file
from bot.application.commands import CommandContext, admin
from bot.application.messages import Button, Reply, Response
from bot.application.services import respond
from bot.storage.models import Agency
from nlu.normalize import fold

_INTO = re.compile(r"\s+(?:vao|vào|thanh|thành)\s+", re.IGNORECASE)
CONFIRM_WORD = "xacnhan"  # /coquan_dong <cơ quan> xacnhan: close it although it holds duties


def _agency_id(ctx: CommandContext, text: str) -> str:
    """The id of the agency `text` names (an id, a name, an old name); else `text`.
    An id comes first: a merged agency's names mean the agency it went into."""
    text = text.strip()
    if ctx.session.get(Agency, text) is not None:
        return text
    return ctx.app.catalog.agency_names.get(fold(text), text)


def _usage(command: str) -> Response:
    return respond(Reply("admin/agency_usage", {"command": command}))


def _changed(ctx: CommandContext, op: dict[str, Any]) -> Response:
    """Run a change; reload and say what was done, or say why not."""
    try:
        changes = apply_op(ctx.session, ctx.user, op, "")
    except content.ContentError as error:
        view = {"reason": error.reason, "confirm_word": CONFIRM_WORD, **error.data}
        refusal = Reply("admin/agency_refused", view)
        if error.reason == "agency_has_duties":
            close = f"/coquan_dong {error.data['agency_id']} {CONFIRM_WORD}"
            refusal = Reply(refusal.template, view, (Button("Vẫn ngừng hoạt động", close),))
        return respond(refusal)
    ctx.app.reload_now(ctx.session)
    return respond(Reply("admin/agency_changed", {"changes": changes, "cli": False}))


def apply_agency_file(ctx: CommandContext, name: str, path: Path) -> Response:
    """An operations file sent in chat: all its operations or none (a savepoint, as
    the command line's rolled-back session), then what was done or why not."""
    try:
        plan = read_file(path)
        with ctx.session.begin_nested():
            changes = apply_file(ctx.session, ctx.user, plan)
    except AgencyFileError as error:
        view = {"file_name": name, "where": error.problems, "reason": "", "cli": False}
        if error.refusal is not None:  # worded by admin/agency_refused, for a file
            view |= {"in_file": True, **error.refusal.data, "reason": error.refusal.reason}
        return respond(Reply("admin/agency_file_rejected", view))
    ctx.app.reload_now(ctx.session)
    view = {"file_name": name, "source": plan.source, "changes": changes, "cli": False}
    return respond(Reply("admin/agency_file_applied", view))


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
    return _changed(ctx, {"add": agency_id, "name": name, "short_name": short})


def rename_agency(ctx: CommandContext) -> Response:
    parts = [p.strip() for p in ctx.args.split(";")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return _usage("coquan_doiten")
    agency_id, name, short = _agency_id(ctx, parts[0]), parts[1], (parts[2:] or [""])[0]
    return _changed(ctx, {"rename": agency_id, "name": name, "short_name": short})


def merge_agencies(ctx: CommandContext) -> Response:
    head, _, rest = ctx.args.partition(";")
    sources_text, *target = _INTO.split(head.strip(), maxsplit=1)
    if not target or not sources_text.strip():
        return _usage("coquan_gop")
    sources = [_agency_id(ctx, s) for s in sources_text.split(",") if s.strip()]
    target_id = _agency_id(ctx, target[0])
    name, _, short = rest.partition(";")
    return _changed(ctx, {"merge": sources, "into": target_id, "name": name, "short_name": short})


def _set_active(active: bool, command: str) -> Callable[[CommandContext], Response]:
    def handler(ctx: CommandContext) -> Response:
        named, force = ctx.args.strip(), False
        if not active and fold(named.rpartition(" ")[2]).replace(" ", "") == CONFIRM_WORD:
            named, force = named.rpartition(" ")[0].strip(), True
        if not named:
            return _usage(command)
        what = "reactivate" if active else "deactivate"
        return _changed(ctx, {what: _agency_id(ctx, named), "force": force})

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
