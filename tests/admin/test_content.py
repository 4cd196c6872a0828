"""Admin content management in chat: versioned FAQ edits, revert, inbox, authorization."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import Assistant
from bot.application.router import DECLARED_COMMANDS
from bot.storage.db import session_scope
from bot.storage.models import AuditLog, Duty
from tests.core.test_dialogs import Chat, invite

QUESTION = "Đơn vị nào cấp chứng thư số chuyên dùng cho cán bộ?"
ANSWER = "Chỉ thị không quy định đơn vị cấp chứng thư số; xem Mục 1.e về sử dụng chữ ký số."


def add_faq(
    admin: Chat,
    question: str = QUESTION,
    alternates: str = "Ai cấp chứng thư số cho công chức\nchứng thư số chuyên dùng do ai cấp",
    answer: str = ANSWER,
) -> str:
    admin.send("/faqthem")
    admin.send(question)
    admin.send(alternates)
    admin.send(answer)
    admin.send("1.e")
    assert "Xem trước" in admin.text() and "Chưa lưu được" not in admin.text()
    admin.press("Lưu")
    assert "Đã lưu mục hỏi đáp" in admin.text()
    return admin.text().split("mục hỏi đáp ")[1].split(";")[0]


def test_new_faq_answers_at_once_and_can_be_edited_and_reverted(
    assistant: Assistant, admin: Chat
) -> None:
    user = Chat(assistant, "2")
    faq_id = add_faq(admin)
    assistant.core.wait_for_reload()
    user.send("chứng thư số chuyên dùng do ai cấp")
    assert ANSWER in user.text()

    admin.send(f"/faqsua {faq_id}")
    admin.press("Giữ nguyên")  # question
    admin.press("Giữ nguyên")  # alternates
    admin.send("Câu trả lời đã sửa: xem Mục 1.e.")
    admin.press("Giữ nguyên")  # clauses
    admin.press("Lưu")
    assistant.core.wait_for_reload()
    user.send("chứng thư số chuyên dùng do ai cấp")
    assert "Câu trả lời đã sửa" in user.text()

    admin.send("/lichsu")
    history = admin.text()
    assert history.count(faq_id) >= 2
    latest = history.split("#")[1].split()[0]
    admin.send(f"/hoantac {latest}")
    assert "Đã khôi phục" in admin.text()
    assistant.core.wait_for_reload()
    user.send("chứng thư số chuyên dùng do ai cấp")
    assert ANSWER in user.text()

    admin.send(f"/faqxoa {faq_id}")
    assistant.core.wait_for_reload()
    user.send("chứng thư số chuyên dùng do ai cấp")
    assert ANSWER not in user.text()


def test_invalid_faq_is_not_saved(admin: Chat) -> None:
    admin.send("/faqthem")
    admin.send("Câu hỏi?")
    admin.press("Bỏ qua")
    admin.send("x" * 3500)
    admin.send("9.z")
    assert "Chưa lưu được" in admin.text() and "9.z" in admin.text()
    admin.press("Lưu")
    assert "Đã lưu" not in admin.text()


def test_inbox_groups_unanswered_questions_and_one_tap_adds_them(
    assistant: Assistant, admin: Chat
) -> None:
    user = Chat(assistant, "2")
    for question in (
        "Giá vàng SJC hôm nay bao nhiêu?",
        "gia vang sjc hom nay",
        "Giá vàng SJC hôm nay là bao nhiêu vậy?",
        "Công thức nấu phở bò",
    ):
        user.send(question)
        assert "Xin lỗi" in user.text()
    admin.send("/hopthu")
    inbox = admin.text()
    assert "3 lần" in inbox and "1 lần" in inbox
    faq_id = add_faq(
        admin,
        "Trợ lý có cho biết giá vàng không?",
        "Hỏi giá vàng ở đâu",
        "Không. Trợ lý chỉ trả lời về Chỉ thị 06/CT-UBND.",
    )
    admin.send("/hopthu")
    first_log = admin.last.replies[0].buttons[0].payload.split()[-1]  # type: ignore[union-attr]
    admin.send(f"/hopthu_them {first_log} {faq_id}")
    assert "Đã thêm 3 cách hỏi mới" in admin.text()
    assistant.core.wait_for_reload()
    user.send("gia vang sjc hom nay")
    assert "Trợ lý chỉ trả lời về Chỉ thị" in user.text()
    admin.send("/hopthu")
    assert "3 lần" not in admin.text()
    admin.press("Bỏ qua")
    admin.send("/hopthu")
    assert "Không có câu hỏi nào" in admin.text()


def test_what_the_directive_does_not_mention_reaches_the_inbox(
    assistant: Assistant, admin: Chat
) -> None:
    """«Chỉ thị không đề cập …» with the nearest passage is no answer: an FAQ could be."""
    user = Chat(assistant, "2")
    user.send("chỉ thị có quy định về họp trực tuyến không")
    assert "không đề cập" in user.text()
    admin.send("/hopthu")
    assert "họp trực tuyến" in admin.text()


def test_an_faq_started_from_the_inbox_takes_its_group_out(
    assistant: Assistant, admin: Chat
) -> None:
    Chat(assistant, "2").send("Công thức nấu phở bò")
    admin.send("/hopthu")
    admin.press("Tạo mục hỏi đáp")
    assert "Công thức nấu phở bò" in admin.text()
    admin.send("cách nấu phở bò")
    admin.send("Chỉ thị 06/CT-UBND không nói về nấu ăn.")
    admin.send("1.a")
    admin.press("Lưu")
    admin.send("/hopthu")
    assert "Không có câu hỏi nào" in admin.text()


def test_effective_deadline_is_versioned(assistant: Assistant, admin: Chat) -> None:
    admin.send("/gianhan 1.c-1 31/3/2020")
    assert "hạn mới 31/3/2020" in admin.text()
    with session_scope(assistant.sessions) as session:
        duty = session.scalar(select(Duty).where(Duty.id == "1.c-1"))
        assert duty is not None and str(duty.effective_due) == "2020-03-31"
    admin.send("/gianhan 1.c-1 bo")
    admin.send("/lichsu")
    assert admin.text().count("gia hạn nhiệm vụ 1.c-1") == 2


ADMIN_COMMANDS = [c.name for c in DECLARED_COMMANDS if c.roles == frozenset({"admin"})]


def test_every_admin_command_is_declared_admin_only() -> None:
    assert {"moi", "faq", "faqxoa", "hopthu_them", "thongbao_gui", "xuat"} <= set(ADMIN_COMMANDS)


@pytest.mark.parametrize("role", [None, "official", "manager"])
def test_admin_commands_are_refused_to_others_and_audited(
    assistant: Assistant, role: str | None
) -> None:
    chat = Chat(assistant, "7")
    if role:
        chat.send(f"/start {invite(assistant, 'snv', role)}")
    for command in ADMIN_COMMANDS:
        chat.send(f"/{command} 1 2")
        assert "chỉ dành cho quản trị viên" in chat.text(), command
    with session_scope(assistant.sessions) as session:
        refused = session.scalars(select(AuditLog).where(AuditLog.allowed.is_(False))).all()
        # Each refusal audited once, by the router, under the command's audit action.
        assert len(refused) == len(ADMIN_COMMANDS)
        actions = {c.name: c.audit_action for c in DECLARED_COMMANDS}
        assert sorted(r.action for r in refused) == sorted(actions[c] for c in ADMIN_COMMANDS)


def test_an_faq_answers_a_question_the_assistant_used_to_refuse(
    assistant: Assistant, admin: Chat
) -> None:
    user = Chat(assistant, "2")
    question = "Chỉ thị 06 có nói về chuyển đổi số không?"
    user.send(question)
    assert user.last is not None and user.last.answer is not None
    assert user.last.answer.kind == "refusal"  # an uncovered subject, refused by name
    add_faq(admin, question, "Chỉ thị 06 có đề cập chuyển đổi số không", ANSWER)
    assistant.core.wait_for_reload()
    user.send(question)
    assert user.last.answer is not None and user.last.answer.kind == "faq", user.text()
