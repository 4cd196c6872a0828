"""Messages that answer nothing, as a Zalo user types them: a number no choice has, a
word at a step that takes a choice, "ok" with nothing to confirm, a number where a
note is asked, a note too long to keep. Each gets a hint about what is expected, never
the Q&A's refusal, and none of it reaches the admins' inbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import Assistant
from bot.application import accounts
from bot.application.dialogs.report import MAX_TEXT, shorten
from bot.application.messages import Reply
from bot.application.render import Renderer
from bot.channels.console.chat import ConsoleChannel
from bot.channels.telegram.render import to_outgoing
from bot.storage.db import session_scope
from bot.storage.models import QuestionLog
from tests.core.test_dialogs import Chat, invite, linked_chat, reports

REFUSAL = "Xin lỗi"
PERCENT_HINT = "Tỷ lệ hoàn thành là một số từ 0 đến 100, ví dụ 50."
NOTHING_ON_OFFER = (
    "Hiện không có lựa chọn nào đang chờ. Anh/Chị nhắn câu hỏi, hoặc /trogiup để xem các lệnh."
)


def logged(assistant: Assistant) -> list[tuple[str, bool]]:
    with session_scope(assistant.sessions) as session:
        rows = session.execute(select(QuestionLog.text, QuestionLog.in_dialog)).all()
    return [(text, in_dialog) for text, in_dialog in rows]


def admin_chat(assistant: Assistant) -> Chat:
    with session_scope(assistant.sessions) as session:
        accounts.bootstrap_admin(session, "test", "1", "Quản trị")
    return Chat(assistant, "1")


def assert_choices_hinted(chat: Chat, typed: str, last: int, step: str) -> None:
    """`typed` gets the hint to pick one of the `last` numbered choices, then the step."""
    chat.send(typed)
    seen = chat.zalo()
    assert REFUSAL not in seen, seen
    assert f"(số từ 1 đến {last}), hoặc nhắn /huy để dừng." in seen and step in seen


def test_wrong_answers_get_the_steps_hint_then_the_step(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1")
    chat.send("7")  # the status step offers 1-6
    seen = chat.zalo()
    assert REFUSAL not in seen
    assert seen.startswith(
        "Không có lựa chọn số 7. Anh/Chị vui lòng chọn một trong các mục dưới đây "
        "(số từ 1 đến 6), hoặc nhắn /huy để dừng."
    )
    assert "Tình trạng thực hiện hiện nay?" in seen and "6. ✖ Hủy" in seen
    assert_choices_hinted(chat, "ok", 6, "Tình trạng")  # nothing to confirm at this step
    chat.send("2")
    chat.send("năm mươi")  # the percent step reads digits
    assert chat.zalo().startswith(PERCENT_HINT) and "phần trăm" in chat.zalo()
    chat.send("150")
    assert chat.zalo().startswith(PERCENT_HINT)
    chat.send("hoàn thành")  # "I want to report": the user is reporting
    assert chat.zalo().startswith(PERCENT_HINT)
    for typed in ("50", "bỏ qua", "bỏ qua"):
        chat.send(typed)
    assert "Kiểm tra lại báo cáo" in chat.zalo()
    long_text = "Tôi muốn xem lại toàn bộ nội dung trước khi gửi lên lãnh đạo đơn vị mình"
    assert_choices_hinted(chat, long_text, 3, "Kiểm tra lại báo cáo")
    chat.send("1")
    assert "Đã lưu báo cáo số" in chat.text()
    # The numbers never were questions; what was asked stays out of the inbox.
    assert all(in_dialog for _, in_dialog in logged(assistant))
    assert not {"7", "150", "50"} & {text for text, _ in logged(assistant)}


def test_a_question_refused_at_a_text_step_says_how_to_write_content(
    assistant: Assistant,
) -> None:
    chat = linked_chat(assistant)
    for typed in ("/baocao", "1", "đang thực hiện", "50"):
        chat.send(typed)
    chat.send("Ngày mai có mưa không?")  # the step reads «?» as a question
    seen = chat.zalo()
    assert REFUSAL not in seen and "không có dấu «?» ở cuối" in seen
    assert "vướng mắc" in seen
    chat.send("có")  # "is there a blocker?" - "yes": not the blocker itself
    assert chat.zalo().startswith("«có» chưa được ghi lại")


def test_the_refusal_says_for_example_only_above_examples(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("Ngày mai có mưa không?")
    seen = chat.zalo()
    assert "ví dụ:\n\nAnh/Chị nhắn số thứ tự để chọn:\n1. " in seen
    # The same refusal where its choices are dropped (as inside a dialog, where the
    # step's choices are the ones on offer) ends its sentence.
    assert chat.last is not None and chat.last.answer is not None
    bare = Renderer(output="text").render(Reply("qa/refusal", chat.last.answer.reply.data))
    assert bare.endswith("mà Chỉ thị nêu.") and "ví dụ" not in bare


def test_the_duty_list_is_shown_once_on_zalo_and_on_telegram(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    response = chat.send("/baocao")
    seen = chat.zalo()
    [prompt] = response.replies
    duties = prompt.data["duties"]
    assert len(duties) == 6 and prompt.listed == 6
    for duty in duties:  # full titles, once each
        assert seen.count(duty["title"][:30]) == 1
    assert "bấm nút" not in seen and "nhắn số thứ tự để chọn:" not in seen
    assert f"6. {duties[5]['title']}" in seen
    assert seen.endswith("7. Trang sau »\n8. ✖ Hủy\nAnh/Chị nhắn số thứ tự để chọn.")
    chat.send("7")  # the next page, as numbered
    assert "(trang 2/" in chat.zalo()
    # The console (no buttons either) numbers the same way.
    console = ConsoleChannel(assistant)
    console.send(f"/start {invite(assistant)}")
    printed = console.render(console.send("/baocao"))
    assert printed.count(duties[0]["title"][:30]) == 1 and "\n7. Trang sau »" in printed
    # Telegram: the same list in the text, the choices as buttons under it.
    [message] = to_outgoing(Renderer(output="html"), prompt)
    assert f"6. {duties[5]['title']}" in message.text and "bấm nút" not in message.text
    assert message.keyboard is not None
    assert len(message.keyboard.inline_keyboard) == 8  # six duties, next page, cancel


def test_a_number_or_ok_with_nothing_on_offer(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("/huy")
    for typed in ("2", "3", "ok", "2"):
        chat.send(typed)
        assert chat.zalo() == NOTHING_ON_OFFER
    assert logged(assistant) == []  # no question: nothing for the inbox
    admin = admin_chat(assistant)
    admin.send("/hopthu")
    assert "«2»" not in admin.text()


def test_a_number_no_suggestion_has_offers_them_again(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("Ngày mai có mưa không?")  # refused, with three questions offered
    chat.send("7")
    seen = chat.zalo()
    assert seen.startswith(
        "Không có lựa chọn số 7. Anh/Chị vui lòng chọn một trong các mục dưới đây "
        "(số từ 1 đến 3), hoặc nhắn câu hỏi khác."
    )
    assert "\n3. " in seen
    chat.send("3")  # still the third question
    assert chat.last is not None and chat.last.answer is not None
    assert chat.last.answer.kind != "refusal"
    asked = [text for text, _ in logged(assistant)]
    assert asked[0] == "Ngày mai có mưa không?" and "7" not in asked


@pytest.mark.parametrize("words", ["tro lai", "trở lại", "quay lai", "quay về"])
def test_back_in_natural_words(assistant: Assistant, words: str) -> None:
    chat = linked_chat(assistant)
    for typed in ("/baocao", "1", "đang thực hiện", "50"):
        chat.send(typed)
    assert "vướng mắc" in chat.text()
    chat.send(words)
    assert "phần trăm" in chat.text()  # the percent step, where numbers are values
    chat.send(words)
    assert "Tình trạng" in chat.text()


def test_a_number_where_the_blockers_are_asked_is_not_a_blocker(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    for typed in ("/baocao", "1", "hoàn thành", "hôm nay"):
        chat.send(typed)
    chat.send("100")  # the percent «Hoàn thành» did not ask
    assert chat.zalo().startswith(
        "Anh/Chị đã chọn «hoàn thành» nên không cần nhập tỷ lệ. "
        "Nhắn vướng mắc (nếu có) hoặc «bỏ qua»."
    )
    assert "vướng mắc" in chat.text()
    chat.send("quay lại")
    chat.send("quay lại")
    chat.send("đang thực hiện")
    chat.send("60")
    chat.send("60%")  # typed twice
    assert chat.zalo().startswith("Tỷ lệ hoàn thành đã ghi 60% (muốn sửa, chọn «Quay lại»).")
    for typed in ("bỏ qua", "bỏ qua", "lưu"):
        chat.send(typed)
    [report] = reports(assistant)
    assert (report.status, report.percent, report.blockers) == ("in_progress", 60, "")


def test_a_long_note_is_cut_after_a_word_and_the_user_told(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    for typed in ("/baocao", "1", "đang thực hiện", "50"):
        chat.send(typed)
    note = " ".join(["Thiếu nhân lực, thiết bị và kinh phí triển khai"] * 110)  # 5,279
    chat.send(note)
    assert chat.zalo().startswith(
        "Nội dung dài hơn 2.000 ký tự nên trợ lý chỉ lưu 2.000 ký tự đầu; "
        "phần chi tiết Anh/Chị gửi kèm như minh chứng."
    )
    assert "Minh chứng" in chat.text()  # on to the next step
    chat.send("Công văn 12/SNV ngày 2/5/2019: " + note)  # evidence: a reference, cut too
    assert chat.zalo().startswith(
        "Nội dung dài hơn 2.000 ký tự nên trợ lý chỉ lưu 2.000 ký tự đầu; "
        "minh chứng chỉ cần số, ngày văn bản (hoặc ảnh của văn bản)."
    )
    chat.send("lưu")
    [report] = reports(assistant)
    assert report.evidence_ref is not None and len(report.evidence_ref) <= MAX_TEXT
    assert report.blockers is not None and len(report.blockers) <= MAX_TEXT
    kept = report.blockers.removesuffix("…")
    assert kept != report.blockers and note.startswith(kept)
    assert not note[len(kept)].isalnum() and kept[-1].isalnum()  # after a whole word


def test_shorten_cuts_after_a_word() -> None:
    assert shorten("Thiếu nhân lực, thiết bị", 100) == "Thiếu nhân lực, thiết bị"
    assert shorten("Thiếu nhân lực, thiết bị", 19) == "Thiếu nhân lực…"
    assert shorten("Thiếu nhân lực, thiết bị", 22) == "Thiếu nhân lực, thiết…"
    assert shorten("Thiếu nhân lực thiết", 20) == "Thiếu nhân lực thiết"
    assert shorten("a" * 30, 10) == "a" * 9 + "…"  # one long word: cut anyway


def test_text_at_the_faq_preview_gets_the_choices_hint(assistant: Assistant) -> None:
    admin = admin_chat(assistant)
    for typed in ("/faqthem", "Ai cấp chứng thư số?", "bỏ qua", "Ban Cơ yếu Chính phủ.", "1.e"):
        admin.send(typed)
    assert "Xem trước" in admin.text()
    assert_choices_hinted(admin, "Ngày mai có mưa không?", 3, "Xem trước")


@pytest.mark.parametrize(
    ("role", "wanted", "unwanted"),
    [
        ("official", ["/baocao", "/nhiemvu", "/trogiup"], ["/tonghop"]),
        ("manager", ["/tonghop", "/baocao", "/trogiup"], []),
        ("admin", ["/moi", "/hopthu", "/trogiup"], ["/baocao"]),
    ],
)
def test_the_welcome_after_linking_fits_the_role(
    assistant: Assistant, role: str, wanted: list[str], unwanted: list[str]
) -> None:
    chat = Chat(assistant)
    agency = None if role == "admin" else "snv"
    chat.send(f"/start {invite(assistant, agency, role)}")
    seen = chat.zalo()
    assert "Đã liên kết tài khoản" in seen
    assert all(command in seen for command in wanted), seen
    assert not any(command in seen for command in unwanted), seen
