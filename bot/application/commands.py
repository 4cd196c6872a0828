"""The chat commands, who sees them in the menu, and what they do (by name).

Menus only help people find commands: every action is authorized again in the core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = ("official", "manager", "admin")


@dataclass(frozen=True)
class Command:
    name: str  # without the slash
    description: str  # Vietnamese, shown in the messenger's command menu
    roles: tuple[str, ...] = ROLES  # who sees it in the menu (everyone by default)


COMMANDS = (
    Command("start", "Bắt đầu, hoặc liên kết tài khoản bằng mã mời"),
    Command("trogiup", "Hướng dẫn sử dụng"),
    Command("nhiemvu", "Nhiệm vụ của cơ quan tôi"),
    Command("hanchot", "Các mốc thời hạn của Chỉ thị"),
    Command("baocao", "Báo cáo tiến độ một nhiệm vụ"),
    Command("sua", "Sửa báo cáo gần nhất của tôi"),
    Command("tiendo", "Tiến độ mới nhất của cơ quan tôi"),
    Command("huy", "Hủy thao tác đang làm"),
    Command("tonghop", "Tổng hợp tình hình thực hiện (lãnh đạo)", ("manager", "admin")),
    Command("baocaoquy", "Dự thảo báo cáo quý của Sở TT&TT (.docx)", ("manager", "admin")),
    Command("moi", "Tạo mã mời: /moi <mã cơ quan> <official|manager|admin>", ("admin",)),
    Command("faq", "Xem, tìm các mục hỏi đáp: /faq [từ khóa]", ("admin",)),
    Command("faqthem", "Thêm một mục hỏi đáp", ("admin",)),
    Command("faqsua", "Sửa một mục hỏi đáp: /faqsua <mã>", ("admin",)),
    Command("faqxoa", "Xóa một mục hỏi đáp: /faqxoa <mã>", ("admin",)),
    Command("hopthu", "Câu hỏi chưa trả lời được", ("admin",)),
    Command("lichsu", "Lịch sử thay đổi nội dung", ("admin",)),
    Command("hoantac", "Khôi phục trước một thay đổi: /hoantac <số>", ("admin",)),
    Command("gianhan", "Gia hạn nhiệm vụ: /gianhan <mã nhiệm vụ> <dd/mm/yyyy>", ("admin",)),
    Command("suanv", "Sửa tiêu đề, phân công nhiệm vụ: /suanv <mã nhiệm vụ>", ("admin",)),
    Command("thongbao", "Gửi thông báo: /thongbao <đối tượng> <nội dung>", ("admin",)),
    Command("lich", "Lịch làm việc: ngày làm bù, ngày nghỉ thêm", ("admin",)),
    Command("xuat", "Xuất tệp hỏi đáp/nhiệm vụ: /xuat faq|nhiemvu xlsx|csv|yaml", ("admin",)),
)


def menu_for(role: str | None) -> tuple[Command, ...]:
    """Commands shown to a user with `role` (None: not linked to an agency yet)."""
    return tuple(c for c in COMMANDS if c.roles == ROLES or (role is not None and role in c.roles))


def parse_command(text: str) -> tuple[str, str] | None:
    """ "/baocao@MyBot 2.f-4" -> ("baocao", "2.f-4"); None when `text` is no command."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) < 2:
        return None
    head, _, rest = stripped[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    valid = name.isascii() and name.replace("_", "").isalnum()
    return (name, rest.strip()) if valid else None


_SMALL_INT = re.compile(r"#?([0-9]{1,9})")


def small_int(text: str) -> int | None:
    """A typed id or count ("42", "#42"); None for anything else, including digits that
    int() refuses ("²") and numbers too large for a database integer."""
    match = _SMALL_INT.fullmatch(text.strip())
    return int(match.group(1)) if match else None
