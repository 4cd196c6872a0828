"""Admins in chat: a duty's title and assignment, deadline extensions in answers,
announcements through the outbox, and content files sent as attachments."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import Assistant, build_assistant
from bot.application.admin import content, files
from bot.application.messages import Attachment
from bot.application.outbox import stored_message
from bot.application.render import Renderer
from bot.domain.calendar import WorkingCalendar
from bot.storage.db import session_scope
from bot.storage.models import FaqEntry, OutboxMessage, utcnow
from tests.core.test_dialogs import Chat, invite
from tests.scheduler.conftest import add_user

DUTY = "2.d-4"  # the pack: Sở Nội vụ leads it
NEW_TITLE = "Ban hành quy chế lưu trữ hồ sơ điện tử của tỉnh"


def rendered_duties(assistant: Assistant, agency_id: str) -> str:
    answer = assistant.core.qa.agency_duties(agency_id, complete=True)
    return assistant.renderer.render(answer.reply) if answer else ""


def test_title_and_assignment_edits_are_answered_kept_and_reverted(
    assistant: Assistant,
    admin: Chat,
) -> None:
    assert "Chủ trì xây dựng quy định quản lý" in rendered_duties(assistant, "snv")
    admin.send(f"/suanv {DUTY}")
    assert "Chủ trì: Sở Nội vụ" in admin.text() and "/suanv 2.d-4 tieude" in admin.text()

    admin.send(f"/suanv {DUTY} chutri Sở TT&TT")
    assert "Chủ trì: Sở TT&TT" in admin.text() and "Đã lưu" in admin.text()
    admin.send(f"/suanv {DUTY} giao so tttt")  # no diacritics, an abbreviation
    admin.send(f"/suanv {DUTY} tieude {NEW_TITLE}")
    assistant.core.wait_for_reload()
    assert NEW_TITLE in rendered_duties(assistant, "sttt")
    assert NEW_TITLE not in rendered_duties(assistant, "snv")
    assert "Chủ trì xây dựng quy định quản lý" not in rendered_duties(assistant, "snv")

    # A restart seeds the pack again: the admins' edits stay.
    restarted = build_assistant(assistant.settings)
    assert NEW_TITLE in rendered_duties(restarted, "sttt")

    admin.send("/lichsu")
    history = admin.text()
    assert history.count("sửa nhiệm vụ 2.d-4") == 3
    newest = int(history.split("#")[1].split()[0])
    admin.send(f"/hoantac {newest}")  # the title goes back, the assignment stays
    assistant.core.wait_for_reload()
    sttt = rendered_duties(assistant, "sttt")
    assert NEW_TITLE not in sttt and "Chủ trì xây dựng quy định quản lý" in sttt

    admin.send(f"/suanv {DUTY} goc")
    assistant.core.wait_for_reload()
    assert "Chủ trì xây dựng quy định quản lý" in rendered_duties(assistant, "snv")
    assert "Đã sửa so với Chỉ thị" not in admin.text()


def test_bad_duty_edits_change_nothing(assistant: Assistant, admin: Chat) -> None:
    admin.send(f"/suanv {DUTY} chutri Sở Không Có, snv")
    assert "Không nhận ra cơ quan: Sở Không Có" in admin.text()
    admin.send(f"/suanv {DUTY} tieude " + "x" * 400)
    assert "Chưa lưu được" in admin.text()
    admin.send(f"/suanv {DUTY} nguyenvan <b>x</b>")  # the quoted text is not editable
    assert "Cách dùng" in admin.text()
    admin.send("/suanv 9.z-9")
    assert "Không có nhiệm vụ hoặc cách sửa «9.z-9»" in admin.text()
    admin.send("/lichsu")
    assert "sửa nhiệm vụ" not in admin.text()


def test_an_extension_is_shown_next_to_the_directives_date(
    assistant: Assistant,
    admin: Chat,
) -> None:
    admin.send("/gianhan 2.f-4 15/12/2026")
    assistant.core.wait_for_reload()
    answer = assistant.core.qa.deadlines()
    assert answer is not None
    text = assistant.renderer.render(answer.reply)
    assert "Trước 31/5/2019 (đã gia hạn đến 15/12/2026)" in text
    user = Chat(assistant, "5")
    user.send("hạn 15/12/2026 là việc gì")
    assert "đã gia hạn đến 15/12/2026" in user.text() and "Mục 2.f" in user.text()


def telegram_users(assistant: Assistant) -> dict[str, int]:
    specs = [("11", "snv", "official"), ("12", "snv", "manager"), ("13", "sttt", "manager")]
    specs += [("14", None, "official"), ("15", "stc", "manager")]  # not linked; blocked
    with session_scope(assistant.sessions) as session:
        users = {chat: add_user(session, chat, agency, role) for chat, agency, role in specs}
        users["15"].blocked_at = utcnow()
        return {chat: user.id for chat, user in users.items()}


def outbox(assistant: Assistant) -> list[OutboxMessage]:
    with session_scope(assistant.sessions) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_announcement_goes_once_to_its_audience(
    assistant: Assistant,
    admin: Chat,
) -> None:
    ids = telegram_users(assistant)
    admin.send("/thongbao lanhdao Đề nghị báo cáo trước thứ Sáu <b>gấp</b> {{ 7*7 }}")
    assert "2 người nhận" in admin.text() and "{{ 7*7 }}" in admin.text()
    assert outbox(assistant) == []  # a preview sends nothing
    preview = admin.last
    admin.press("Gửi")
    assert "Đã xếp 2 tin" in admin.text()
    rows = outbox(assistant)
    assert sorted(r.user_id for r in rows) == [ids["12"], ids["13"]]
    calendar = WorkingCalendar()  # nothing goes out at night or on a holiday
    assert all(calendar.is_working_time(r.next_attempt_at) for r in rows)
    message = stored_message(rows[0].payload)  # the text as typed, as data
    assert assistant.renderer.render(message).endswith("<b>gấp</b> {{ 7*7 }}")
    html = Renderer(assistant.settings.templates_dir, "html").render(message)
    assert html.endswith("&lt;b&gt;gấp&lt;/b&gt; {{ 7*7 }}")
    admin.last = preview
    admin.press("Gửi")  # a second press, e.g. a stale button
    assert "đã được gửi rồi" in admin.text() and len(outbox(assistant)) == 2

    with session_scope(assistant.sessions) as session:  # officials on Zalo hear it too
        add_user(session, "z16", "snv", "official", channel="zalo")
    admin.send("/thongbao snv Họp giao ban lúc 14h.")
    assert "Sở Nội vụ (3 người nhận)" in admin.text()
    draft = admin.last
    admin.press("Hủy")
    assert "Đã hủy thông báo" in admin.text()
    admin.last = draft
    admin.press("Gửi")
    assert "đã bị hủy" in admin.text() and len(outbox(assistant)) == 2


@pytest.mark.parametrize(
    "args", ["", "lanhdao", "ai_do noi dung", "tatca " + "x" * 3001, "thu_tuong Họp"]
)
def test_announcement_usage(assistant: Assistant, admin: Chat, args: str) -> None:
    """A central body the directive names has nobody's account: not an audience."""
    admin.send(f"/thongbao {args}")
    assert "Cách dùng: /thongbao" in admin.text()
    assert "thu_tuong" not in admin.text() and "bo_tttt" not in admin.text()


def faq_file(assistant: Assistant, tmp_path: Path, suffix: str) -> bytes:
    path = tmp_path / f"faq{suffix}"
    with session_scope(assistant.sessions) as session:
        files.export_faq(session, path)
    return path.read_bytes()


def send_file(chat: Chat, name: str, content: bytes | None) -> None:
    attachment = Attachment("document", "file-1", name, len(content or b""), content)
    chat.send(attachment=attachment)


def test_an_admin_imports_a_file_sent_in_chat(
    assistant: Assistant,
    admin: Chat,
    tmp_path: Path,
) -> None:
    csv = faq_file(assistant, tmp_path, ".csv").decode("utf-8-sig")
    lines = csv.splitlines()
    added = '"",Ai trực hệ thống một cửa điện tử?,,Chỉ thị không quy định người trực.,1.d'
    send_file(admin, "hoi_dap.csv", "\n".join([*lines, added]).encode())
    assert "1 mục mới, 0 mục sửa" in admin.text()
    assistant.core.wait_for_reload()
    user = Chat(assistant, "9")
    user.send("Ai trực hệ thống một cửa điện tử?")
    assert "Chỉ thị không quy định người trực" in user.text()

    with session_scope(assistant.sessions) as session:
        before = session.scalar(select(func.count()).select_from(FaqEntry))
    broken = io.StringIO()
    broken.write(lines[0] + "\n" + lines[1] + "\n")
    broken.write('"",,,Thiếu câu hỏi,1.d\n"",Câu hỏi?,,Trả lời,9.z\n')
    send_file(admin, "loi.csv", broken.getvalue().encode())
    text = admin.text()
    assert "chưa được áp dụng" in text and "dòng 3: thiếu câu hỏi" in text
    assert "dòng 4: không có mục: 9.z" in text
    with session_scope(assistant.sessions) as session:
        assert session.scalar(select(func.count()).select_from(FaqEntry)) == before

    send_file(admin, "bang.csv", b"a,b\n1,2\n")
    assert "không nhận ra loại tệp" in admin.text()
    send_file(admin, "anh.pdf", None)
    assert "Không đọc được tệp «anh.pdf»" in admin.text()


def test_an_official_sending_a_content_file_changes_nothing(
    assistant: Assistant,
    tmp_path: Path,
) -> None:
    official = Chat(assistant, "3")
    official.send(f"/start {invite(assistant, 'snv')}")
    send_file(official, "faq.yaml", faq_file(assistant, tmp_path, ".yaml"))
    assert "Đã nhập" not in official.text() and "tệp" in official.text()
    with session_scope(assistant.sessions) as session:
        assert content.history(session) == []


def test_admins_keep_the_working_calendar_in_chat(assistant: Assistant, admin: Chat) -> None:
    from bot.application.calendar import load_calendar
    from bot.config import NudgeSettings

    admin.send("/lich lambu 5/6/2100 làm bù cho dịp nghỉ")
    assert "Đã khai báo 5/6/2100 là ngày làm việc bù" in admin.text()
    admin.send("/lich nghi 2100-06-07")
    assert "ngày nghỉ thêm" in admin.text() and "5/6/2100: làm việc bù — làm bù" in admin.text()
    with session_scope(assistant.sessions) as session:
        calendar = load_calendar(session, NudgeSettings())
        assert calendar.is_working_day(dt.date(2100, 6, 5))  # a Saturday
        assert not calendar.is_working_day(dt.date(2100, 6, 7))  # a Monday
    admin.send("/lich xoa 7/6/2100")
    assert "Đã xóa 7/6/2100" in admin.text()
    admin.send("/lich nghi 31/6/2100")
    assert "Cách dùng: /lich" in admin.text()
    official = Chat(assistant, "3")
    official.send("/lich nghi 8/6/2100")
    assert "chỉ dành cho quản trị viên" in official.text()
    with session_scope(assistant.sessions) as session:
        assert load_calendar(session, NudgeSettings()).is_working_day(dt.date(2100, 6, 8))


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "yaml"])
def test_an_export_in_chat_comes_back_unchanged(admin: Chat, fmt: str) -> None:
    for kind in ("faq", "nhiemvu"):
        admin.send(f"/xuat {kind} {fmt}")
        [file] = [f for reply in admin.last.replies for f in reply.files]  # type: ignore[union-attr]
        assert file.name.endswith(f".{fmt}") and file.content
        send_file(admin, file.name, file.content)
        assert "0 mục mới, 0 mục sửa" in admin.text(), admin.text()
    admin.send("/xuat bangluong")
    assert "Cách dùng: /xuat" in admin.text()


def test_admin_mistakes_get_usage_not_silent_changes(assistant: Assistant, admin: Chat) -> None:
    admin.send(f"/suanv {DUTY} chutri sttt")
    admin.send(f"/suanv {DUTY} goc tieu de")  # not a field word: nothing is reset
    assert "Cách dùng" in admin.text() or "Không có nhiệm vụ hoặc cách sửa" in admin.text()
    admin.send(f"/suanv {DUTY}")
    assert "Chủ trì: Sở TT&TT" in admin.text()
    admin.send("/gianhan 2.b-3 31/12/2030")  # quarterly: follows its schedule
    assert "Cách dùng: /gianhan" in admin.text()
    for command in ("/hoantac ²", "/hoantac 3000000000", "/thongbao_gui ²", "/hopthu_bo ²"):
        admin.send(command)
        assert "Không tìm thấy" in admin.text(), command


def test_an_announcement_nobody_would_receive_offers_no_send(admin: Chat) -> None:
    admin.send("/thongbao lanhdao Họp lúc 14h.")  # no manager is linked yet
    assert "0 người nhận" in admin.text() and "chưa gửi được tới ai" in admin.text()
    assert admin.last is not None and all(not r.buttons for r in admin.last.replies)
