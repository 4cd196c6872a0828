"""Answers quote the sentence that holds their fact, verbatim, with the clause in full
one choice away (bot/application/qa/quotes.py)."""

from __future__ import annotations

from bot.app import Assistant
from bot.application.qa.deadlines import deadline_answer
from bot.application.qa.duties import responsible_reply
from bot.application.qa.quotes import LONG_SENTENCE, dated_quote, pieces
from bot.domain.dates import vn_date
from tests.core.test_dialogs import Chat
from tests.core.test_qa import ask


def test_pieces_are_verbatim_sentences_and_long_ones_split_at_semicolons() -> None:
    text = "Câu một có 1.000 văn bản. " + "Phần dài " * 20 + "; phần sau trước 31/12/2019."
    found = pieces(text)
    assert found[0] == "Câu một có 1.000 văn bản."
    assert found[-1] == "phần sau trước 31/12/2019."
    assert all(p in text for p in found)


def test_every_dated_duty_quotes_the_words_that_state_its_date(assistant: Assistant) -> None:
    catalog = assistant.core.qa.catalog
    dated = [d for _, d in catalog.duties.values() if d.timing.kind == "deadline"]
    assert dated
    for duty in dated:
        quote = dated_quote(duty)
        assert quote in duty.text, duty.id
        assert duty.timing.due is not None
        day, month, year = duty.timing.due.day, duty.timing.due.month, duty.timing.due.year
        assert f"{day}/{month}/{year}" in quote or f"{day:02}/{month:02}/{year}" in quote
        answer = deadline_answer(catalog, assistant.core.qa.nlu.parse("hạn?"), [duty], 1.0)
        reply = assistant.renderer.render(answer.reply)
        assert vn_date(duty.timing.due) in reply and f"({answer.citations[0]})" in reply
        if quote != duty.text.strip() and answer.citations[0].startswith("Mục"):
            assert [b.payload for b in answer.reply.buttons] == [answer.citations[0]]


def test_a_long_clause_is_cut_to_its_date_and_offered_in_full(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("thời hạn di chuyển hệ thống về trung tâm dữ liệu")
    text = chat.text()
    assert "31/12/2019" in text and "(Mục 1.c)" in text
    assert "«thời gian thực hiện di chuyển xong trước 31/12/2019.»" in text
    assert len(text) < 500
    chat.send("1")  # «Xem nguyên văn Mục 1.c»
    assert "nhất là các hệ thống đang duy trì bằng ngân sách nhà nước" in chat.text()


def test_who_answers_quote_the_sentence_closest_to_the_question(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "đơn vị nào tổ chức tập huấn an toàn thông tin")
    assert answer.kind == "responsible" and "(Mục 1.f)" in reply
    assert "«Giao Sở Thông tin và Truyền thông cử cán bộ chuyên môn hướng dẫn" in reply
    assert "Đầu tư, nâng cấp" not in reply  # another sentence of the same clause
    catalog = assistant.core.qa.catalog
    for _, duty in catalog.duties.values():  # every quote is verbatim and short
        parse = assistant.core.qa.nlu.parse(duty.title)
        [view] = responsible_reply(catalog, parse, [duty]).data["duties"]
        assert view["quote"] in duty.text
        assert len(view["quote"]) <= max(LONG_SENTENCE, *map(len, pieces(duty.text)))


def test_a_second_passage_sharing_fewer_of_the_questions_words_is_not_quoted(
    assistant: Assistant,
) -> None:
    """Whether issuing signatures was slow: the shortcoming says so; Mục 1.e, which
    scores nearly as well on fewer of the question's words, is not quoted after it."""
    answer = assistant.core.qa.answer("Việc cấp CKS chuyên dùng có bị chậm không?")
    assert answer.citations == ("Phần mở đầu – bất cập, hạn chế",), answer.citations
