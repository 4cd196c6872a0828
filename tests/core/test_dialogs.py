"""Onboarding, roles and the progress-report dialog, through the core (no channel)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import Assistant, build_assistant
from bot.application import accounts
from bot.application.messages import Attachment, IncomingMessage, Response
from bot.application.render import Renderer
from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.sender import ZaloSender
from bot.domain.calendar import TIMEZONE
from bot.storage.db import session_scope
from bot.storage.models import ProgressReport, QuestionLog, User

AGENCY = "snv"  # Sở Nội vụ
# Renders only (`texts`): its client never sends.
ZALO = ZaloSender(ZaloClient("0:never-used"), Renderer(output="text"))


class Chat:
    """One user talking to the core, as a channel would, with the last buttons kept."""

    def __init__(self, assistant: Assistant, user_id: str = "100") -> None:
        self.assistant = assistant
        self.user_id = user_id
        self.last: Response | None = None

    def send(self, text: str = "", **extra: object) -> Response:
        message = IncomingMessage("test", self.user_id, text, "Cán bộ A", **extra)  # type: ignore[arg-type]
        with session_scope(self.assistant.sessions) as session:
            self.last = self.assistant.core.handle(session, message)
        return self.last

    def press(self, label_part: str) -> Response:
        assert self.last is not None
        buttons = [b for r in self.last.replies for b in r.buttons if label_part in b.label]
        assert buttons, f"no button with {label_part!r}"
        return self.send(payload=buttons[0].payload)

    def text(self) -> str:
        assert self.last is not None
        return "\n".join(self.assistant.renderer.render(r) for r in self.last.replies)

    def zalo(self) -> str:
        """The last replies as a Zalo user reads them: plain text, the choices numbered
        across the replies (as the Zalo channel sends them)."""
        assert self.last is not None
        texts, first = [], 1
        for reply in self.last.replies:
            texts += ZALO.texts(reply, first)
            first += len(reply.buttons)
        return "\n\n".join(texts)


def today() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


def invite(
    assistant: Assistant, agency: str | None = AGENCY, role: str = "official", **kw: object
) -> str:
    with session_scope(assistant.sessions) as session:
        return accounts.create_invite(session, agency, role, **kw).code  # type: ignore[arg-type]


def reports(assistant: Assistant) -> list[ProgressReport]:
    with session_scope(assistant.sessions) as session:
        return list(session.scalars(select(ProgressReport).order_by(ProgressReport.id)))


def linked_chat(assistant: Assistant, user_id: str = "100") -> Chat:
    chat = Chat(assistant, user_id)
    chat.send(f"/start {invite(assistant)}")
    assert "Đã liên kết" in chat.text()
    return chat


def test_invite_codes_bind_once_and_expire(assistant: Assistant) -> None:
    code = invite(assistant)
    first, second = Chat(assistant, "1"), Chat(assistant, "2")
    assert first.send(f"/start {code.lower()}").refresh_menu
    assert "Sở Nội vụ" in first.text()
    second.send(f"/start {code}")
    assert "đã được sử dụng" in second.text()
    second.send("/start KHONGCO1")
    assert "không đúng" in second.text()
    old = invite(assistant, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    second.send(f"/start {old}")
    assert "hết hạn" in second.text()


def test_full_report_with_back_and_typed_answers(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    assert "Chọn nhiệm vụ" in chat.text()
    chat.send("2")  # typed number of the page
    assert "Tình trạng" in chat.text()
    chat.press("Quay lại")
    assert "Chọn nhiệm vụ" in chat.text()
    chat.press("Phối hợp xây dựng quy định")
    chat.press("Đang thực hiện")
    chat.send("150%")
    assert "từ 0 đến 100" in chat.text()
    chat.send("70 %")
    chat.send("Chờ Sở TT&TT góp ý dự thảo")
    chat.send("Tờ trình 45/TTr-SNV ngày 2/5/2019")
    assert "Kiểm tra lại" in chat.text() and "70%" in chat.text()
    chat.press("Lưu")
    assert "Đã lưu báo cáo số" in chat.text()
    [report] = reports(assistant)
    assert (report.agency_id, report.status, report.percent) == (AGENCY, "in_progress", 70)
    assert report.blockers == "Chờ Sở TT&TT góp ý dự thảo"
    assert report.evidence_date == dt.date(2019, 5, 2)
    chat.send("/tiendo")
    assert "Chờ Sở TT&TT góp ý dự thảo" in chat.text()  # blockers on the first screen
    chat.send("/tiendo vuongmac")
    assert "đã thực hiện 70%; vướng mắc: Chờ Sở TT&TT góp ý dự thảo" in chat.text()


def test_done_skips_the_percent_and_a_file_is_evidence(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1")
    chat.press("Hoàn thành")
    assert "hoàn thành ngày nào" in chat.text()
    chat.press("Hôm nay")
    assert "vướng mắc" in chat.text()
    chat.press("Bỏ qua")
    chat.send(attachment=Attachment("document", "FILE-1", "bien_ban.pdf"))
    assert "bien_ban.pdf" in chat.text()
    chat.press("Lưu")
    [report] = reports(assistant)
    assert (report.status, report.percent, report.evidence_file_id) == ("done", 100, "FILE-1")
    assert report.completed_on == today()


def test_question_mid_dialog_is_answered_and_the_step_kept(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1")
    response = chat.send("Trang thông tin điện tử cấp xã phải xong trước ngày nào?")
    assert "30/6/2019" in chat.text() and "Tình trạng" in chat.text()
    assert response.answer is not None
    chat.press("Đang thực hiện")
    assert "phần trăm" in chat.text()


def test_cancel_stale_buttons_and_edit(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1")
    stale = chat.last
    chat.press("Chưa thực hiện")
    assert stale is not None
    old_payload = next(b for r in stale.replies for b in r.buttons).payload
    assert chat.send(payload=old_payload).notice  # a button of an earlier step
    chat.send("/huy")
    assert "Đã hủy" in chat.text() and reports(assistant) == []
    assert chat.send(payload=old_payload).notice  # the dialog is over
    chat.send("/huy")
    assert "Không có thao tác" in chat.text()
    # a full report, then /sua starts from it and saves a second row (history kept)
    chat.send("/baocao")
    chat.send("1")
    chat.press("Đang thực hiện")
    chat.press("50%")
    chat.press("Bỏ qua")
    chat.press("Bỏ qua")
    chat.press("Lưu")
    chat.send("/sua")
    assert "Sửa báo cáo số" in chat.text() and "50%" in chat.text()
    chat.press("Hoàn thành")
    chat.press("Hôm nay")
    chat.press("Bỏ qua")
    chat.press("Bỏ qua")
    chat.press("Lưu")
    assert [(r.status, r.percent) for r in reports(assistant)] == [
        ("in_progress", 50),
        ("done", 100),
    ]


def test_dialog_survives_a_restart(assistant: Assistant, tmp_path: Path) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1")
    chat.press("Gặp vướng mắc")
    restarted = build_assistant(assistant.settings)
    chat.assistant = restarted
    chat.send("40")
    chat.send("Thiếu máy chủ")
    chat.press("Bỏ qua")
    chat.press("Lưu")
    [report] = reports(restarted)
    assert (report.status, report.percent, report.blockers) == ("blocked", 40, "Thiếu máy chủ")


def test_authorization_is_checked_in_the_core(assistant: Assistant) -> None:
    stranger = Chat(assistant, "999")
    stranger.send("/baocao")
    assert "chưa được liên kết" in stranger.text()
    stranger.send("/moi snv official")
    assert "chỉ dành cho quản trị viên" in stranger.text()
    official = linked_chat(assistant, "101")
    official.send("/moi snv official")
    assert "chỉ dành cho quản trị viên" in official.text()
    admin = Chat(assistant, "1")
    admin.send(f"/start {invite(assistant, None, 'admin')}")
    admin.send("/moi snv manager")
    code = admin.text().split("Mã mời: ")[1].split()[0]
    manager = Chat(assistant, "102")
    manager.send(f"/start {code}")
    assert "lãnh đạo của Sở Nội vụ" in manager.text()
    # an admin with no agency may not report
    admin.send("/baocao")
    assert "Tài khoản quản trị của Anh/Chị không gắn với cơ quan nào" in admin.text()


def test_groups_edits_and_files_outside_a_dialog(assistant: Assistant) -> None:
    chat = Chat(assistant)
    assert chat.send("Sở Nội vụ phải làm gì?", is_private=False).replies == ()
    chat.send("/baocao", is_private=False)
    assert "nhắn riêng" in chat.text()
    chat.send("/hanchot", is_private=False)
    assert "31/12/2019" in chat.text()
    chat.send("abc", edited=True)
    assert "tin nhắn đã sửa" in chat.text()
    chat.send(attachment=Attachment("photo", "PHOTO-1"))
    assert "/baocao" in chat.text()


def test_long_suggestion_payloads_are_stored_and_resolved(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("Giá vàng hôm nay thế nào?")
    payloads = [b.payload for r in chat.last.replies for b in r.buttons]  # type: ignore[union-attr]
    assert payloads and all(len(p.encode()) <= 64 for p in payloads)
    chat.send(payload=payloads[0])
    assert "Xin lỗi" not in chat.text() and "Mục" in chat.text()
    assert chat.send(payload="p:999999").notice


def test_every_question_is_logged(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("ai ký chỉ thị")
    chat.send("/baocao")
    chat.send("1")
    chat.send("hạn chót chuyển hệ thống về trung tâm dữ liệu?")
    with session_scope(assistant.sessions) as session:
        assert session.scalar(select(func.count()).select_from(QuestionLog)) == 2


def test_invite_codes_take_the_vietnamese_role_words(assistant: Assistant) -> None:
    admin = Chat(assistant, "1")
    with session_scope(assistant.sessions) as session:
        accounts.bootstrap_admin(session, "test", "1", "Quản trị")
    admin.send("/moi snv lanhdao")
    assert "lãnh đạo" in admin.text() and "Mã mời" in admin.text()
    admin.send("/moi snv sep")
    assert "canbo (cán bộ), lanhdao (lãnh đạo)" in admin.text()


def test_a_command_inside_a_dialog_offers_one_set_of_choices(assistant: Assistant) -> None:
    """/baocao again while reporting starts over once (not the picker twice); a command
    with choices of its own (/tiendo) keeps them alone on offer, numbered from 1, and
    recalls the open report in a line; a command without choices is followed by the
    step again."""
    chat = linked_chat(assistant)
    chat.send("/baocao")
    picker = chat.last
    assert picker is not None
    chat.send("/baocao")
    assert [r.template for r in chat.last.replies] == [r.template for r in picker.replies]
    chat.send(payload=chat.last.replies[0].buttons[0].payload)  # the first duty
    assert chat.last.replies[-1].template == "dialog/report_status"
    chat.send("/tiendo")
    assert chat.last.replies[-1].template == "dialog/still_open"
    offered = [b.label for r in chat.last.replies for b in r.buttons]
    assert offered and "Hoàn thành" not in offered  # the step's choices are not mixed in
    assert "/huy" in chat.text()
    chat.send("1")  # the first of /tiendo's choices, not of the report's statuses
    assert chat.last.replies[0].template.startswith("digest/"), chat.last.replies[0].template
    assert not reports(assistant)
    chat.send("/toi")
    assert chat.last.replies[-1].template == "dialog/report_status"


def test_a_restarted_console_shows_the_open_step_without_answering_it(
    assistant: Assistant,
) -> None:
    """`bot chat` opens with /start, not a typed greeting: at a free-text step a typed
    «xin chào» was taken as the blockers."""
    import io

    from bot.application.dialogs import state as states
    from bot.channels.console.chat import ConsoleChannel, chat

    console = ConsoleChannel(assistant, "r1")
    console.send(f"/start {invite(assistant)}")
    console.send("/baocao")
    console.send("1")  # the first duty
    console.send("2")  # Đang thực hiện
    console.send("50")
    with session_scope(assistant.sessions) as session:
        user = session.scalars(select(User).where(User.channel_user_id == "r1")).one()
        before = states.load(session, user.id)
        assert before is not None and before.step == "blockers"
        user_id, data = user.id, dict(before.data)
    out = io.StringIO()
    chat(console, stdin=io.StringIO(""), out=out)
    assert "Vướng mắc" in out.getvalue() or "vướng mắc" in out.getvalue()
    with session_scope(assistant.sessions) as session:
        after = states.load(session, user_id)
        assert after is not None and (after.step, dict(after.data)) == ("blockers", data)
    console.send("Xin chào!")  # typed on coming back: a greeting, not the blockers
    with session_scope(assistant.sessions) as session:
        after = states.load(session, user_id)
        assert after is not None and (after.step, dict(after.data)) == ("blockers", data)
    console.send("Thiếu máy chủ")
    with session_scope(assistant.sessions) as session:
        after = states.load(session, user_id)
        assert after is not None and after.data.get("blockers") == "Thiếu máy chủ"


def test_a_line_the_core_fails_on_gets_an_apology_and_the_console_goes_on(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import json

    from bot.application.messages import APOLOGY
    from bot.channels.console.chat import ConsoleChannel, ask_lines, chat

    handle = assistant.core.handle

    def failing(session: object, message: IncomingMessage) -> object:
        if "hỏng" in message.text:
            raise KeyError("a bug")
        return handle(session, message)  # type: ignore[arg-type]

    monkeypatch.setattr(assistant.core, "handle", failing)
    console = ConsoleChannel(assistant, "e1")
    out = io.StringIO()
    chat(console, stdin=io.StringIO("câu hỏng\nai ký chỉ thị\n"), out=out)
    after = out.getvalue().split(APOLOGY)
    assert len(after) == 2 and "Nguyễn Tiến Nhường" in after[1]  # answered after it
    lines = io.StringIO()
    ask_lines(console, ["câu hỏng\n", "ai ký chỉ thị\n"], lines)
    first, second = (json.loads(x) for x in lines.getvalue().splitlines())
    assert first == {"reply": APOLOGY, "kind": "error"} and "Nguyễn" in second["reply"]


def test_ask_jsonl_takes_plain_lines_and_json_objects_alike(assistant: Assistant) -> None:
    """A JSON line's "text" is the question; its other keys are not words of it."""
    import io
    import json

    from bot.channels.console.chat import ConsoleChannel, ask_lines

    question = "Có bao nhiêu camera giám sát?"
    lines = [question, json.dumps({"id": "x", "text": question}, ensure_ascii=False)]
    lines += ['{"không phải JSON"', json.dumps({"id": "y"})]
    out = io.StringIO()
    ask_lines(ConsoleChannel(assistant, "j1", standalone=True), lines, out)
    plain, from_json, broken, no_text = (json.loads(x) for x in out.getvalue().splitlines())
    assert "286" in plain["reply"] and from_json == plain
    assert from_json["kind"] != "error" and broken["kind"] != "error"
    assert "286" not in no_text["reply"]
