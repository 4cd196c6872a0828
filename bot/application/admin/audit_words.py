"""The audit log in the admins' words: what each recorded action was, and what it was
about, for the chat's /lichsu and the portal's journal alike (the log itself keeps the
stable English action names that code filters on)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.knowledge.agencies import name_of
from bot.storage import models as m

ACTION_WORDS = {
    "faq.save": "lưu mục hỏi đáp",
    "faq.delete": "xóa mục hỏi đáp",
    "duty.due": "gia hạn nhiệm vụ",
    "duty.edit": "sửa nhiệm vụ",
    "directive.publish": "công bố",  # + the directive's name: "công bố Chỉ thị 15/CT-UBND"
    "directive.retire": "ngừng áp dụng",
    "draft.correct": "sửa bản nháp văn bản",
    "revert": "khôi phục",
    "agency.add": "thêm cơ quan",
    "agency.rename": "đổi tên cơ quan",
    "agency.merge": "gộp",  # + "Sở TT&TT vào Sở KH&CN"
    "agency.deactivate": "ngừng hoạt động cơ quan",
    "agency.reactivate": "mở lại cơ quan",
    "inbox.dismiss": "bỏ qua câu hỏi trong hộp thư",
    "broadcast.draft": "soạn thông báo",
    "broadcast.sent": "gửi thông báo",
    "broadcast.cancelled": "hủy thông báo",
    "calendar.workday": "đặt ngày làm việc bù",
    "calendar.dayoff": "đặt ngày nghỉ thêm",
    "calendar.removed": "bỏ ngày khỏi lịch làm việc",
    "calendar.absent": "bỏ ngày khỏi lịch làm việc (không có sẵn)",
    "invite.create": "tạo mã mời",
    "invite.redeem": "dùng mã mời",
    "account.join": "liên kết tài khoản",
    "account.admin": "đặt quản trị viên (dòng lệnh)",
    "file.export": "xuất tệp nội dung",
    "web.login": "đăng nhập trang web",
    "web.logout": "đăng xuất trang web",
    "web.refused": "mở trang ngoài phạm vi",
    "demo.shift": "dời hạn để trình diễn",
}
REVERTED = {"faq": "mục hỏi đáp", "duty": "nhiệm vụ", "agency": "cơ quan"}  # what a revert restored
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def action_word(action: str) -> str:
    """The action in Vietnamese; a refused chat command is named by its command."""
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    return f"lệnh /{action}" if re.fullmatch(r"[a-z_]+", action) else action


@dataclass(frozen=True)
class Names:
    """Agencies' and directives' names by id: entries are about them by id."""

    agencies: Mapping[str, str] = field(default_factory=dict)
    directives: Mapping[str, str] = field(default_factory=dict)
    several: bool = False  # directives in force: a duty's id alone does not say whose


def names(session: Session) -> Names:
    """Every agency (closed and merged ones too: the log is history) and directive."""
    return Names(
        {row.id: name_of(row) for row in session.scalars(select(m.Agency))},
        {d.id: f"{d.doc_type} {d.number}" for d in session.scalars(select(m.Directive))},
        len(session.scalars(select(m.Directive.id).where(m.Directive.active)).all()) > 1,
    )


def entity_word(
    entity_id: str, entity_type: str = "", action: str = "", by: Names = Names()
) -> str:
    """What an entry is about as an admin reads it: an agency or directive by name, a
    merge as "A, B vào C", a duty or clause without its directive's key
    ("06-CT-UBND-2019/2.f-5" -> "2.f-5"; with several directives in force, named:
    "2.f-5 (Chỉ thị 06/CT-UBND)"), a day as dd/mm/yyyy."""
    if entity_type == "agency":
        merged, _, target = entity_id.rpartition("/")
        if not merged:
            return by.agencies.get(entity_id, entity_id)
        sources = ", ".join(by.agencies.get(a, a) for a in merged.split("+"))
        into = by.agencies.get(target, target)
        return f"{sources} (bỏ gộp vào {into})" if action == "revert" else f"{sources} vào {into}"
    if action.startswith("directive."):
        return by.directives.get(entity_id, entity_id)
    if _ISO_DAY.fullmatch(entity_id):
        return f"{dt.date.fromisoformat(entity_id):%d/%m/%Y}"
    directive_id, _, item = entity_id.rpartition("/")
    if by.several and directive_id in by.directives:
        return f"{item} ({by.directives[directive_id]})"  # «1.a-1» is 06's and 15's
    return item
