"""The feedback loop: "Đúng / Chưa đúng" under Q&A answers, the comment after "Chưa
đúng", the admins' inbox and /thongke (SQLite, then PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.app import Assistant
from bot.application import choices, feedback
from bot.application.admin import stats
from bot.application.messages import Button, Reply
from bot.cli import main
from bot.domain.calendar import TIMEZONE
from bot.storage.db import session_scope
from bot.storage.models import AnswerFeedback, OfferedChoices, QuestionLog, utcnow
from tests.core.test_dialogs import Chat, linked_chat

QUESTION = "Ai ký Chỉ thị?"
RATING = "Câu trả lời đúng chưa? Nhắn 1 (👍 Đúng) hoặc 2 (👎 Chưa đúng)."


def rows(assistant: Assistant) -> list[AnswerFeedback]:
    with session_scope(assistant.sessions) as session:
        found = list(session.scalars(select(AnswerFeedback)))
        session.expunge_all()
        return found


def labels(chat: Chat) -> list[str]:
    assert chat.last is not None
    return [b.label for r in chat.last.replies for b in r.buttons]


def test_an_answer_offers_the_rating_and_zalo_shows_it_on_one_line(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send(QUESTION)
    assert labels(chat) == ["👍 Đúng", "👎 Chưa đúng"]
    assert chat.zalo().endswith(RATING)
    assert "Anh/Chị nhắn số thứ tự để chọn" not in chat.zalo()  # one line, no list


def test_the_answers_own_choices_keep_their_numbers(assistant: Assistant) -> None:
    """Suggestions (or "xem thêm") come first, numbered 1, 2 as without the rating."""
    own = (Button("Xem thêm", "xem them"), Button("Hạn chót?", "han chot"))
    rated = feedback.offer(Reply("qa/faq", {}, own), 7, assistant.core.report.labels)
    assert rated.buttons[:2] == own and rated.rating == 2
    text = choices.as_text(rated.buttons, rating=rated.rating)
    assert text.splitlines() == [
        choices.NUMBERED_HINT,
        "1. Xem thêm",
        "2. Hạn chót?",
        "Câu trả lời đúng chưa? Nhắn 3 (👍 Đúng) hoặc 4 (👎 Chưa đúng).",
    ]


@pytest.mark.parametrize(
    "text", ["món ăn ngon nhất Hà Nội", "xin chào", "cảm ơn", "nhắc tôi sau 2 ngày"]
)
def test_refusals_small_talk_and_requests_are_not_rated(assistant: Assistant, text: str) -> None:
    chat = Chat(assistant)
    chat.send(text)
    assert not {"👍 Đúng", "👎 Chưa đúng"} & set(labels(chat))


def test_commands_and_answers_inside_a_dialog_are_not_rated(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/nhiemvu")
    assert "Đúng" not in " ".join(labels(chat))
    chat.send("/baocao")
    chat.send("1")
    chat.send(QUESTION)  # answered, then the step again: its choices only
    assert "Đúng" not in " ".join(labels(chat))


def test_typed_right_is_a_notice_and_keeps_the_choices(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send(QUESTION)
    response = chat.send("1")
    # Said back: a number typed for the other verdict shows, and how to change it.
    assert response.replies == () and response.notice.startswith("Đã ghi nhận: 👍 Đúng")
    [row] = rows(assistant)
    assert (row.verdict, row.comment) == ("right", "")
    with session_scope(assistant.sessions) as session:
        assert len(choices.offered(session, _user_id(assistant, chat))) == 2
    chat.send("chưa đúng")  # by its words: the verdict changes, one row still
    assert [r.verdict for r in rows(assistant)] == ["wrong"]


def test_the_thumbs_typed_as_emoji_rate_the_answer(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send(QUESTION)
    chat.send("👎🏻")
    assert [r.verdict for r in rows(assistant)] == ["wrong"]


@pytest.mark.parametrize(
    ("typed", "verdict"),
    [("sai", "wrong"), ("Sai rồi", "wrong"), ("không đúng", "wrong"), ("đúng", "right"),
     ("Đúng rồi", "right")],
)  # fmt: skip
def test_a_rating_typed_in_words_right_after_an_answer(
    assistant: Assistant, typed: str, verdict: str
) -> None:
    chat = Chat(assistant)
    chat.send(QUESTION)
    chat.send(typed)
    assert [r.verdict for r in rows(assistant)] == [verdict]


def test_sai_without_a_rating_on_offer_rates_nothing(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("món ăn ngon nhất Hà Nội")  # a refusal: not rated
    chat.send("sai")
    assert rows(assistant) == []


def _user_id(assistant: Assistant, chat: Chat) -> int:
    with session_scope(assistant.sessions) as session:
        log = session.scalars(select(QuestionLog).order_by(QuestionLog.id.desc())).first()
        assert log is not None and log.user_id is not None
        return log.user_id


def test_wrong_with_a_comment_reaches_the_inbox_and_can_be_set_aside(
    assistant: Assistant, admin: Chat
) -> None:
    chat = Chat(assistant)
    chat.send(QUESTION)
    chat.send("2")
    assert "đã được chuyển tới quản trị viên" in chat.text()
    assert labels(chat) == ["Bỏ qua"]
    chat.send("Người ký là Phó Chủ tịch Nguyễn Tiến Nhường")
    assert "Đã ghi nhận góp ý" in chat.text()
    chat.send("Sở Nội vụ phải làm gì?")  # the window is over: a question again
    assert "Mục 2.d" in chat.text()
    [row] = rows(assistant)
    assert row.comment == "Người ký là Phó Chủ tịch Nguyễn Tiến Nhường"
    admin.send("/hopthu")
    inbox = admin.text()
    assert "«Ai ký Chỉ thị?»" in inbox and "Đã trả lời: " in inbox and "Nguyễn Tiến" in inbox
    assert "Góp ý: Người ký là Phó Chủ tịch" in inbox
    admin.press("Bỏ qua (góp ý 1)")
    assert "Đã bỏ qua 1 câu hỏi." in admin.text()
    admin.send("/hopthu")
    assert "«Ai ký Chỉ thị?»" not in admin.text()


def test_skipping_the_comment_leaves_the_next_text_a_question(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send(QUESTION)
    chat.send("2")
    chat.send("bỏ qua")
    chat.send("Sở Nội vụ phải làm gì?")
    assert "Mục 2.d" in chat.text()
    assert [r.comment for r in rows(assistant)] == [""]


def test_a_comment_is_only_taken_soon_after(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send(QUESTION)
    chat.send("2")
    with session_scope(assistant.sessions) as session:
        late = utcnow() - feedback.COMMENT_WINDOW - dt.timedelta(minutes=1)
        session.execute(update(OfferedChoices).values(offered_at=late))
    chat.send("Sở Nội vụ phải làm gì?")
    assert "Mục 2.d" in chat.text()


def test_old_buttons_still_work_and_foreign_or_unknown_ones_reply_politely(
    assistant: Assistant,
) -> None:
    chat = Chat(assistant)
    chat.send(QUESTION)
    assert chat.last is not None
    wrong = next(b for b in chat.last.replies[0].buttons if "Chưa" in b.label)
    for question in ("Sở Nội vụ phải làm gì?", "Hạn chót là khi nào?"):
        chat.send(question)  # other answers since: other choices on offer
    with session_scope(assistant.sessions) as session:  # the answer is days old
        session.execute(update(QuestionLog).values(created_at=utcnow() - dt.timedelta(days=9)))
        session.execute(update(OfferedChoices).values(offered_at=utcnow() - dt.timedelta(days=9)))
    chat.send(payload=wrong.payload)
    assert "đã được chuyển tới quản trị viên" in chat.text()
    assert [r.verdict for r in rows(assistant)] == ["wrong"]
    stranger = Chat(assistant, "other")
    for payload in (wrong.payload.replace("sai", "dung"), "/danhgia 999999 dung", "/danhgia x"):
        stranger.send(payload=payload)  # someone else's answer, none, nonsense
        assert "không còn trong hệ thống" in stranger.text()
    assert len(rows(assistant)) == 1


def test_weekly_statistics(assistant: Assistant, admin: Chat) -> None:
    chat = Chat(assistant)
    for text in (QUESTION, QUESTION, "món ăn ngon nhất Hà Nội"):
        chat.send(text)
    chat.send("2")  # no rating after a refusal: "2" picks a suggestion or is a hint
    chat.send(QUESTION)
    chat.send("2")
    with session_scope(assistant.sessions) as session:
        first = session.scalars(select(QuestionLog).order_by(QuestionLog.id)).first()
        assert first is not None  # two weeks ago: the oldest week of three
        first.created_at = utcnow() - dt.timedelta(weeks=2)
        found = stats.weekly(session, 3)
    assert [w.start.weekday() for w in found.weeks] == [0, 0, 0]
    assert found.weeks[-1].start == _monday_today()
    assert found.weeks[0].questions == 1 and found.weeks[1].questions == 0
    this_week = found.weeks[-1]
    assert this_week.refused >= 1 and this_week.wrong == 1
    assert found.top_questions[0].text == QUESTION and found.top_questions[0].count == 3
    assert found.top_refused[0].text == "món ăn ngon nhất Hà Nội"
    admin.send("/thongke 3")
    text = admin.text()
    assert "Thống kê 3 tuần" in text and "«Ai ký Chỉ thị?» — 3 lần" in text
    assert "Góp ý «Chưa đúng» gần nhất" in text
    assert max(len(line) for line in text.splitlines()) < 120  # a phone's lines
    admin.send("/thongke 100")
    assert "Cách dùng: /thongke" in admin.text()


def _monday_today() -> dt.date:
    today = dt.datetime.now(TIMEZONE).date()
    return today - dt.timedelta(days=today.weekday())


def test_stats_on_the_command_line(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    assert main(["stats", "--weeks", "2"]) == 0
    out = capsys.readouterr().out
    assert "Thống kê 2 tuần" in out and out.count("• ") == 2
    assert main(["stats", "--weeks", "0"]) == 2
    assert "từ 1 đến 26 tuần" in capsys.readouterr().err


def test_a_question_right_after_chua_dung_is_asked_not_taken_as_the_comment(
    assistant: Assistant,
) -> None:
    chat = Chat(assistant)
    chat.send(QUESTION)
    chat.send("2")
    chat.send("Sở Nội vụ phải làm gì?")
    assert "Mục 2.d" in chat.text() and "Đã ghi nhận góp ý" not in chat.text()
    assert [r.comment for r in rows(assistant)] == [""]
