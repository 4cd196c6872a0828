"""Input as a careless or hostile sender types it (a NUL, control characters,
invisible characters inside words) reaches neither the database nor the answers: every
message is sanitized as it is made (`IncomingMessage`), every imported cell as it is
read. On SQLite and PostgreSQL, whose text columns refuse a NUL outright."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.app import Assistant
from bot.application.messages import IncomingMessage
from bot.storage.db import session_scope
from bot.storage.models import AuditLog, FaqEntry, QuestionLog, User
from tests.admin.test_duties_announcements import faq_file, send_file
from tests.core.test_dialogs import Chat, linked_chat, reports


def test_a_nul_in_a_command_gets_the_usual_answer(assistant: Assistant) -> None:
    stranger = Chat(assistant, "77")
    stranger.send("/start a\x00b")
    assert "Mã mời không đúng" in stranger.text()
    stranger.send("/faqxoa a\x00b")
    assert "chỉ dành cho quản trị viên" in stranger.text()
    stranger.send("Sở Nội vụ\x00 phải làm gì?")
    assert "Sở Nội vụ" in stranger.text()
    with session_scope(assistant.sessions) as session:
        refused = session.scalars(select(AuditLog).where(AuditLog.allowed.is_(False)))
        assert [r.entity_id for r in refused] == ["ab"]
        logged = session.scalars(select(QuestionLog.text)).all()
        assert logged == ["Sở Nội vụ phải làm gì?"]


def test_a_nul_in_a_name_and_in_a_report_is_stored_without_it(assistant: Assistant) -> None:
    message = IncomingMessage("test", "78\x00", "xin chào", "Cán\x00 bộ\u200b B")
    with session_scope(assistant.sessions) as session:
        assistant.core.handle(session, message)
    with session_scope(assistant.sessions) as session:
        user = session.scalar(select(User).where(User.channel_user_id == "78"))
        assert user is not None and user.display_name == "Cán bộ B"

    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1\u200b")  # a typed choice, an invisible character after it
    chat.press("Đang thực hiện")
    chat.send("40\x00")
    chat.send("Chờ\x00 kinh phí\r\nnăm 2027")
    chat.send("Công văn\x00 12/SNV ngày 2/5/2019")
    chat.press("Lưu")
    assert "Đã lưu báo cáo số" in chat.text()
    [report] = reports(assistant)
    assert report.percent == 40
    assert report.blockers == "Chờ kinh phí\nnăm 2027"
    assert report.evidence_ref == "Công văn 12/SNV ngày 2/5/2019"


def test_a_nul_in_an_imported_cell_is_dropped(
    assistant: Assistant, admin: Chat, tmp_path: Path
) -> None:
    lines = faq_file(assistant, tmp_path, ".csv").decode("utf-8-sig").splitlines()
    added = '"",Ai trực\x00 hệ thống\u200b một cửa?,,Chỉ thị\x00 không quy định.\x1b,1.d'
    send_file(admin, "hoi\x00dap.csv", "\n".join([*lines, added]).encode())
    assert "1 mục mới" in admin.text() and "hoidap.csv" in admin.text()
    with session_scope(assistant.sessions) as session:
        entry = session.scalar(select(FaqEntry).where(FaqEntry.question.like("Ai trực%")))
        assert entry is not None
        assert (entry.question, entry.answer) == (
            "Ai trực hệ thống một cửa?",
            "Chỉ thị không quy định.",
        )
