"""Answers typed instead of pressed: numbers, an option's words, "ok"/"hủy", on every
channel and at every step (Zalo and the console have no buttons)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.app import Assistant
from bot.application import choices
from bot.application.messages import Button, Reply
from bot.application.outbox import Claimed, OutboxStore, enqueue, outbox_row
from bot.storage.db import session_scope
from bot.storage.models import QuestionLog, User
from tests.core.test_dialogs import Chat, linked_chat, reports


def test_a_report_by_typing_numbers_and_words_only(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1")  # the first duty
    assert "Tình trạng" in chat.text()
    chat.send("dang thuc hien")  # a status by its words, without diacritics
    assert "phần trăm" in chat.text()
    chat.send("5")  # the percent step asks for a number: 5%, not the fifth choice
    assert "vướng mắc" in chat.text()
    chat.send("không")  # no blockers: skips the optional step
    chat.send("bỏ qua")
    assert "Kiểm tra lại" in chat.text() and "5%" in chat.text()
    chat.send("ok")
    assert "Đã lưu báo cáo số" in chat.text()
    [report] = reports(assistant)
    assert (report.status, report.percent, report.blockers) == ("in_progress", 5, "")


@pytest.mark.parametrize(
    ("answer", "saved"),
    [("lưu", True), ("Đồng ý", True), ("có", True), ("hủy", False), ("không", False)],
)
def test_natural_answers_at_the_confirm_step(
    assistant: Assistant, answer: str, saved: bool
) -> None:
    chat = linked_chat(assistant)
    for typed in ("/baocao", "1", "hoàn thành", "hôm nay", "bỏ qua", "bỏ qua"):
        chat.send(typed)
    assert "Kiểm tra lại" in chat.text()
    chat.send(answer)
    assert ("Đã lưu báo cáo số" in chat.text()) is saved
    assert len(reports(assistant)) == int(saved)


def test_back_by_words_and_numbers_out_of_range_are_text(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1")
    chat.send("quay lại")
    assert "Chọn nhiệm vụ" in chat.text()
    chat.send("1")
    chat.send("99")  # no such choice: an answer the status step does not take
    assert "Tình trạng" in chat.text()


def test_questions_typed_inside_a_dialog_stay_out_of_the_inbox(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1")
    chat.send("Kết quả bóng đá tối qua thế nào?")  # refused, but typed inside the dialog
    chat.send("/huy")
    chat.send("Kết quả bóng đá hôm nay thế nào?")  # refused, outside any dialog
    with session_scope(assistant.sessions) as session:
        logged = session.execute(select(QuestionLog.text, QuestionLog.in_dialog)).all()
    assert [(t[:17], d) for t, d in logged] == [
        ("Kết quả bóng đá t", True),
        ("Kết quả bóng đá h", False),
    ]
    admin = Chat(assistant, "1")
    with session_scope(assistant.sessions) as session:
        from bot.application import accounts

        accounts.bootstrap_admin(session, "test", "1", "Quản trị")
    admin.send("/hopthu")
    assert "hôm nay" in admin.text() and "tối qua" not in admin.text()


def claimed_nudge(assistant: Assistant, *buttons: Button) -> tuple[OutboxStore, Claimed]:
    """A nudge with `buttons` for the chat's user "100", queued and claimed for sending."""
    with session_scope(assistant.sessions) as session:
        user_id = session.scalars(select(User.id).where(User.channel_user_id == "100")).one()
        now = dt.datetime.now(dt.UTC)
        row = outbox_row(
            user_id=user_id,
            channel="test",
            address="100",
            kind="remind-3",
            due=now.date(),
            message=Reply("nudge/reminder", {}, buttons),
            not_before=now,
            now=now,
        )
        enqueue(session, [row])
    store = OutboxStore(assistant.sessions)
    [claimed] = store.claim(now, 10, dt.timedelta(seconds=60))
    return store, claimed


def test_a_delivered_nudges_buttons_are_answered_by_typing(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    buttons = (Button("Báo cáo ngay", "/baocao"), Button("Nhắc lại sau 1 ngày", "/nhaclai x 1"))
    store, claimed = claimed_nudge(assistant, *buttons)
    chat.send("tiện thể, ai ký chỉ thị?")  # a question in between: its answer offers nothing
    assert store.mark_sent(claimed, dt.datetime.now(dt.UTC))  # the nudge arrives after it
    chat.send("1")
    assert "Chọn nhiệm vụ" in chat.text()


def test_a_question_mid_dialog_keeps_the_steps_numbering(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1")
    chat.send("Kết quả bóng đá tối qua?")  # refused with suggestions: not on offer now
    assert chat.last is not None
    assert [r.buttons != () for r in chat.last.replies] == [False, True]
    chat.send("2")  # the step's second choice, as numbered before the question
    assert "phần trăm" in chat.text()


def test_a_command_mid_dialog_asks_the_step_again(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    for typed in ("/baocao", "1", "hoàn thành", "bỏ qua", "bỏ qua"):
        chat.send(typed)
    assert "Minh chứng" in chat.text()
    chat.send("/sua")  # nothing to edit yet; the report being written stays open
    assert "chưa có báo cáo nào để sửa" in chat.text() and "Minh chứng" in chat.text()
    chat.send("3")  # still the evidence step's third choice: cancel
    assert "Đã hủy" in chat.text()
    assert reports(assistant) == []


def test_a_bare_yes_is_not_stored_as_content(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    for typed in ("/baocao", "1", "đang thực hiện", "50"):
        chat.send(typed)
    chat.send("có")  # "is there a blocker?" - "yes": not the blocker itself
    assert "chưa được ghi lại" in chat.text() and "vướng mắc" in chat.text()
    chat.send("Thiếu kinh phí")
    for typed in ("bỏ qua", "lưu"):
        chat.send(typed)
    [report] = reports(assistant)
    assert report.blockers == "Thiếu kinh phí"


def test_choices_as_text_number_what_a_number_picks() -> None:
    buttons = (Button("0%", "a"), Button("25%", "b"), Button("↩ Quay lại", "c", "back"))
    assert choices.as_text(buttons).splitlines()[1:] == ["1. 0%", "2. 25%", "3. ↩ Quay lại"]
    assert choices.as_text(buttons, first=4).splitlines()[1] == "4. 0%"
    # Where a typed number is a value (the percent), the choices are not numbered.
    assert "1." not in choices.as_text(buttons, numbers_are_values=True)
    # Choices the text numbered itself are not listed again; the others go on from there.
    assert choices.as_text(buttons, listed=2) == ("3. ↩ Quay lại\nAnh/Chị nhắn số thứ tự để chọn.")
    # After another message's choices, the text's numbers are not the ones to type.
    assert choices.as_text(buttons, first=4, listed=2).splitlines()[1:] == [
        "4. 0%",
        "5. 25%",
        "6. ↩ Quay lại",
    ]


def test_a_nudge_arriving_mid_dialog_leaves_the_steps_choices(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1")
    assert "Tình trạng" in chat.text()
    store, claimed = claimed_nudge(assistant, Button("Đã hoàn thành", "/xong 2.f-4"))
    assert store.mark_sent(claimed, dt.datetime.now(dt.UTC))
    chat.send("2")  # still the status step's second choice, not the nudge's «Đã hoàn thành»
    assert "phần trăm" in chat.text()


def test_an_old_suggestion_pressed_mid_dialog_is_a_question(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    for typed in ("/baocao", "1", "đang thực hiện", "50"):
        chat.send(typed)
    assert "vướng mắc" in chat.text()
    chat.send(payload="Ai ký Chỉ thị 06?")  # a suggestion button of an earlier answer
    assert chat.last is not None and chat.last.answer is not None
    assert "vướng mắc" in chat.text()  # the step is asked again
    for typed in ("bỏ qua", "bỏ qua", "lưu"):
        chat.send(typed)
    [report] = reports(assistant)
    assert report.blockers == ""
