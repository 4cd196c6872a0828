"""The Q&A answers from the pack, for every agency, deadline and figure it holds.

Questions are generated from the data with a few generic wordings, so these tests
check that the mechanism generalizes over the whole pack rather than a few lines.
"""

from __future__ import annotations

import re

import pytest

from bot.app import Assistant
from bot.application.qa.answer import Answer
from bot.application.qa.duties import MAX_LISTED
from nlu.normalize import fold
from tests.core.test_dialogs import Chat


def ask(assistant: Assistant, question: str) -> tuple[Answer, str]:
    answer = assistant.core.qa.answer(question)
    return answer, assistant.renderer.render(answer.reply)


def plain(text: str) -> str:
    """Folded, without thousand separators: how the reply is compared."""
    return re.sub(r"(?<=\d)\.(?=\d{3}\b)", "", fold(text))


def test_every_agency_with_duties_gets_them_with_citations(assistant: Assistant) -> None:
    catalog = assistant.core.qa.catalog
    checked = 0
    for agency in assistant.knowledge.agencies:
        direct = [a for a in catalog.assignments(agency) if a.direct]
        if agency.kind == "group" or not direct:
            continue
        for wording in ("{} phải làm gì?", "nhiem vu cua {}"):
            answer, reply = ask(assistant, wording.format(agency.short_name))
            assert answer.kind == "duties", (agency.id, wording, reply)
            for assignment in direct[:MAX_LISTED]:  # longer lists: test_qa_agencies.py
                assert catalog.clauses[assignment.duty.clause][1].label in answer.citations
            if len(direct) <= MAX_LISTED:
                assert all(a.duty.title in reply for a in direct), reply
        checked += 1
    assert checked >= 8


def test_the_issuer_is_told_it_issued_the_directive_and_agencies_without_duties_are_told_so(
    assistant: Assistant,
) -> None:
    answer, reply = ask(assistant, "UBND tỉnh phải làm gì?")
    assert "là cơ quan ban hành Chỉ thị 06/CT-UBND" in reply
    assert list(answer.citations[:2]) == ["Mục 1", "Mục 2"]
    catalog = assistant.core.qa.catalog
    others = [
        a
        for a in assistant.knowledge.agencies
        if a.kind != "group" and a.id != "ubnd_tinh" and not catalog.assignments(a)
    ]
    assert len(others) >= 3  # the Government, the Prime Minister, the Ministry ...
    for agency in others:
        _, reply = ask(assistant, f"{agency.short_name} phải làm gì?")
        assert re.search("không giao nhiệm vụ (riêng|nào) cho cơ quan này", reply), agency.id


def test_a_provincial_body_managed_from_the_centre_is_told_no_duty_reaches_it(
    assistant: Assistant,
) -> None:
    """Vertically managed (Công an, Quân sự tỉnh): the common duties of "các sở, ban,
    ngành" do not name it, and the answer says so rather than "no duty of its own",
    saying where its being vertical comes from (the catalog, not the directive)."""
    for agency in assistant.knowledge.agencies:
        if agency.kind == "central" and agency.level == "province":
            answer, reply = ask(assistant, f"{agency.short_name} được giao làm gì?")
            assert answer.kind == "duties" and "không giao nhiệm vụ nào" in reply, reply
            assert "danh mục cơ quan của trợ lý" in reply and "ngành dọc" in reply, reply
            assert "nhiệm vụ chung ở Mục 1 được giao cho các sở" in reply, reply
    # Officials name the provincial police as they name the sở.
    assert "không giao nhiệm vụ nào" in ask(assistant, "Sở Công an phải làm gì")[1]


def test_an_agencys_heading_counts_what_its_lists_show(assistant: Assistant) -> None:
    """The heading's count of own duties is what the list shows, plus what it says is
    left out under it; a group's common duties are its own, listed first."""
    for agency in assistant.knowledge.agencies:
        if agency.kind == "group":
            continue
        _, reply = ask(assistant, f"{agency.short_name} phải làm gì?")
        said = re.search(r"(\d+) nhiệm vụ riêng[,. ]", reply.split("\n")[0])
        if said is None:
            continue
        own = reply.split("Phối hợp thực hiện:")[0].split("Nhiệm vụ chung")[0]
        listed = own.count("\n• ")
        more = re.search(r"… và (\d+) nhiệm vụ riêng khác", own)
        shown = listed - (1 if more else 0) + (int(more.group(1)) if more else 0)
        assert shown == int(said.group(1)), reply
        assert "… và 1 nhiệm vụ" not in reply, reply
    _, reply = ask(assistant, "nhiệm vụ chung của các sở, ban, ngành là gì")
    assert "0 nhiệm vụ riêng" not in reply and "nhiệm vụ chung" in reply.split("\n")[0], reply
    assert "Mục 1.a" in reply.split("Phối hợp thực hiện:")[0], reply


def test_district_gets_district_and_general_duties(assistant: Assistant) -> None:
    districts = [a for a in assistant.knowledge.agencies if a.kind == "district"]
    assert len(districts) == 8
    for district in districts:
        answer, reply = ask(assistant, f"{district.short_name} cần làm những gì")
        assert answer.kind == "duties", reply
        assert "30/6/2019" in reply and "Mục 1.e" in reply and "Mục 2.f" in reply


def test_every_dated_duty_answers_its_deadline(assistant: Assistant) -> None:
    duties = [
        d
        for directive in assistant.knowledge.directives
        for d in directive.duties
        if d.timing.kind == "deadline"
    ]
    assert len(duties) >= 3
    for duty in duties:
        _, reply = ask(assistant, f"Hạn chót của việc {duty.title.lower()} là khi nào?")
        due = f"{duty.timing.due.day}/{duty.timing.due.month}/{duty.timing.due.year}"
        assert due in reply, (duty.id, reply)
        others = {d.timing.due for d in duties} - {duty.timing.due}
        for other in others:
            assert f"{other.day}/{other.month}/{other.year}" not in reply, reply


def test_every_figure_is_found_by_its_label(assistant: Assistant) -> None:
    figures = [f for d in assistant.knowledge.directives for f in d.figures]
    for figure in figures:
        answer, reply = ask(assistant, f"{figure.label} là bao nhiêu?")
        assert answer.kind == "figure", (figure.id, reply)
        assert plain(figure.value) in plain(reply), (figure.id, reply)


def test_metadata_names_signer_date_and_cited_documents(assistant: Assistant) -> None:
    _, reply = ask(assistant, "chi thi nay la van ban gi")
    directive = assistant.knowledge.directives[0]
    assert directive.signer_name in reply and "19/4/2019" in reply
    for cited in directive.cites:
        assert cited.number in reply


@pytest.mark.parametrize(
    "question",
    [
        "Giá vàng hôm nay thế nào?",
        "Làm thủ tục cấp hộ chiếu ở đâu?",
        "Đội tuyển bóng đá Việt Nam đá mấy giờ?",
        "Công thức nấu phở bò",
        "asdkjh qwpoeiru zxmcnv",
        "Lương cơ bản năm 2024 là bao nhiêu?",
    ],
)
def test_out_of_scope_is_refused_without_inventing(assistant: Assistant, question: str) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "refusal", reply
    assert "Xin lỗi" in reply
    assert not re.search(r"Mục \d", reply) and "2019" not in reply.split("ví dụ")[0]
    assert 2 <= len(answer.reply.buttons) <= 3


def test_suggested_questions_are_answerable(assistant: Assistant) -> None:
    answer, _ = ask(assistant, "Giá vàng hôm nay thế nào?")
    for button in answer.reply.buttons:
        followed, reply = ask(assistant, button.payload)
        assert followed.kind not in ("refusal", "empty"), (button.payload, reply)
        assert followed.citations, (button.payload, reply)


def test_same_answer_with_and_without_diacritics_and_telex(assistant: Assistant) -> None:
    styles = [
        "Sở Tài chính có nhiệm vụ gì?",
        "so tai chinh co nhiem vu gi",
        "sowr taif chinhs cos nhieemj vuj gif",
        "STC có nhiệm vụ gì?",
    ]
    replies = {ask(assistant, q)[1] for q in styles}
    assert len(replies) == 1, replies


# Zero-width space and joiners, bidi marks and isolates, word joiner, soft hyphen,
# Mongolian vowel separator, Arabic letter mark, BOM, and a NUL.
INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2060\u2066\u2069\u00ad\u180e\u061c\ufeff\x00"
)


def test_an_invisible_character_inside_a_word_changes_no_answer(assistant: Assistant) -> None:
    question = "Sở Nội vụ phải làm gì?"
    chat = Chat(assistant)
    chat.send(question)
    expected = chat.text()
    assert "Sở Nội vụ" in expected and chat.last is not None and chat.last.answer is not None
    assert chat.last.answer.kind == "duties"
    for character in INVISIBLE:
        hidden = question.replace("vụ", f"v{character}ụ")
        chat.send(hidden)  # through the door every channel uses
        assert chat.text() == expected, repr(character)
        assert ask(assistant, hidden)[1] == expected, repr(character)  # the Q&A alone


def test_topic_overview_lists_the_topic_duties(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "chỉ thị quy định gì về chữ ký số")
    assert answer.kind == "topic_overview"
    assert "Mục 1.e" in answer.citations and "Mục 2.d" in reply


def test_a_stated_number_finds_its_figure(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "con số 819 nói về cái gì")
    assert answer.kind == "figure" and "dịch vụ công" in reply
    assert "9.289" not in reply


def test_a_figure_the_directive_does_not_state_is_refused(assistant: Assistant) -> None:
    for question in ("Năm 2020 cấp bao nhiêu chữ ký số?", "bao nhiêu xã đã có cán bộ CNTT"):
        answer, reply = ask(assistant, question)
        assert answer.kind in ("refusal", "did_you_mean"), reply
        assert not re.search(r"\b(719|369|350)\b", reply)


def test_the_year_of_the_directive_named_is_not_a_figure_asked(assistant: Assistant) -> None:
    for question in (
        "Chỉ thị số 06 năm 2019 nêu có bao nhiêu camera giám sát?",
        "chi thi nam 2019 co bao nhieu tai khoan thu dien tu",
    ):
        answer, reply = ask(assistant, question)
        assert answer.kind == "figure", reply
    # A year that dates nothing named is still a figure the directive does not give.
    answer, _ = ask(assistant, "năm 2019 tỉnh cấp thêm bao nhiêu camera")
    assert answer.kind != "figure"


def test_an_agencys_attributes_the_directive_lacks_are_refused_by_name(
    assistant: Assistant,
) -> None:
    for question, named in (
        ("cho tôi xin số điện thoại của Sở Tài chính", "số điện thoại của Sở Tài chính"),
        ("lãnh đạo Sở TT&TT là ai?", "họ tên lãnh đạo, cán bộ của Sở TT&TT"),
        ("tru so so noi vu nam o dau", "trụ sở của Sở Nội vụ"),
        ("địa chỉ email của Sở Tư pháp", "địa chỉ email của Sở Tư pháp"),
    ):
        answer, reply = ask(assistant, question)
        assert answer.kind == "refusal" and named in reply, reply
        assert answer.reply.buttons  # with questions it can answer
    # The duties of the same agencies, and who signed, are still answered.
    assert ask(assistant, "Sở Tài chính có trách nhiệm gì?")[0].kind == "duties"
    assert ask(assistant, "chủ tịch tỉnh ký chỉ thị tên là gì")[0].kind == "metadata"
    assert ask(assistant, "dùng chữ ký số trên điện thoại được không")[0].kind != "refusal"


def test_how_many_duties_is_one_line_from_the_data(assistant: Assistant) -> None:
    catalog = assistant.core.qa.catalog
    tasks = sum(d.is_task for _, d in catalog.duties.values())
    for question in ("Tổng cộng chỉ thị có mấy nhiệm vụ?", "van ban nay giao bao nhieu dau viec"):
        answer, reply = ask(assistant, question)
        assert answer.kind == "duty_count", reply
        assert f"giao {tasks} nhiệm vụ" in reply and len(reply.splitlines()) == 1
    answer, reply = ask(assistant, "Sở Tài chính có bao nhiêu nhiệm vụ?")
    assert answer.kind == "duties" and reply.startswith("Sở Tài chính: 2 nhiệm vụ riêng")
    assert "•" not in reply and [b.label for b in answer.reply.buttons] == [
        "Xem nhiệm vụ của Sở Tài chính"
    ]


def test_a_quantity_of_the_agency_itself_is_neither_its_duties_nor_a_province_figure(
    assistant: Assistant,
) -> None:
    for question in ("Sở Tư pháp có bao nhiêu phòng ban?", "so tai chinh co bao nhieu cong chuc"):
        answer, reply = ask(assistant, question)
        assert answer.kind == "refusal", reply
    # A figure naming the group the agency belongs to still answers.
    assert ask(assistant, "UBND cấp xã có bao nhiêu trang thông tin điện tử")[0].kind == "figure"


def test_who_with_nothing_asked_before_is_asked_back(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "ai thực hiện?")
    assert answer.kind == "ask_back" and "việc gì" in reply and answer.reply.buttons


def test_agencies_asked_together_are_told_their_common_duties_once(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "so noi vu va so tt&tt can lam nhung gi")
    assert answer.kind == "duties"
    assert reply.count("Mục 1.b") == 1 and "Sở Nội vụ" in reply and "Mục 2.b" in reply


def test_a_question_for_one_figure_gets_that_one(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "cho biết số lượng dịch vụ công mức độ 3 và 4")
    assert answer.kind == "figure" and "819" in reply and "46%" not in reply
    answer, reply = ask(assistant, "dich vu cong muc do 3,4 chiem bao nhieu phan tram")
    assert answer.kind == "figure" and "46%" in reply and "819" not in reply
    answer, reply = ask(assistant, "những kết quả đạt được về chữ ký số")
    assert "719" in reply and "9.289" not in reply and "286" not in reply, reply


def test_an_index_the_directive_cites_is_answered_with_what_it_says_of_it(
    assistant: Assistant,
) -> None:
    for question, index in (
        ("tỉnh ta xếp thứ mấy về PCI?", "PCI"),
        ("diem ict index cua tinh", "ICT Index"),
    ):
        answer, reply = ask(assistant, question)
        assert answer.kind == "term", reply
        first, quote = reply.splitlines()[:2]
        assert f"không nêu thứ hạng hay điểm số của {index}" in first
        assert quote.startswith("Nguyên văn: «") and index.lower() in quote.lower()
    # Asked about something else that names an index: that question is answered.
    answer, _ = ask(assistant, "để ảnh hưởng đến chỉ số PAPI thì ai phải chịu trách nhiệm")
    assert answer.kind == "responsible" and "Mục 1.a" in answer.citations
    assert ask(assistant, "vì sao chỉ số PAR index bị ảnh hưởng")[0].kind != "refusal"


def test_cited_documents_are_answered_with_their_date(assistant: Assistant) -> None:
    for cited in assistant.knowledge.directives[0].cites:
        answer, reply = ask(assistant, f"{cited.doc_type} {cited.number} ban hành khi nào")
        assert answer.kind == "cited_document", reply
        assert f"{cited.date.day}/{cited.date.month}/{cited.date.year}" in reply
        # What the directive says of it, and no more: its details are not held.
        assert "không có toàn văn" in reply, reply


def test_duties_due_on_a_given_date(assistant: Assistant) -> None:
    _, reply = ask(assistant, "hạn 31/5/2019 là của việc gì")
    assert "danh sách" in reply and "30/6/2019" not in reply


def test_another_province_is_named_in_the_refusal(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "Hải Dương đã cấp bao nhiêu chữ ký số chuyên dùng?")
    assert answer.kind == "refusal" and "Hải Dương" in reply and "719" not in reply


def test_foreign_words_are_not_matched_to_the_directive(assistant: Assistant) -> None:
    answer, _ = ask(assistant, "Blockchain trong chính phủ điện tử là gì?")
    assert answer.kind == "refusal"


def test_hesitant_classifier_offers_closest_questions(assistant: Assistant) -> None:
    qa = assistant.core.qa
    parse = qa.nlu.parse("cái đó thì sao nhỉ về cái kia")
    answer, reply = ask(assistant, "cái đó thì sao nhỉ về cái kia")
    if parse.confidence < qa.suggest_below:
        assert answer.kind == "did_you_mean" and 2 <= len(answer.reply.buttons) <= 3
    else:
        assert answer.kind in ("refusal", "did_you_mean"), reply


def test_a_question_for_a_list_on_a_topic_gets_every_duty_on_it(assistant: Assistant) -> None:
    qa = assistant.core.qa
    checked = 0
    for topic in qa.catalog.topics.values():
        duties = [d for _, d in qa.catalog.duties.values() if topic.id in d.topics]
        if len(duties) < 2:
            continue
        answer, reply = ask(assistant, f"Chỉ thị yêu cầu những biện pháp gì về {topic.name}?")
        assert answer.kind == "topic_overview", (topic.id, reply)
        for duty in duties:
            assert duty.title in reply, (topic.id, duty.id)
        checked += 1
    assert checked >= 4


def test_a_day_and_month_without_a_year_finds_the_duties_due_then(assistant: Assistant) -> None:
    qa = assistant.core.qa
    dated = [(d, d.timing.due) for _, d in qa.catalog.duties.values() if d.timing.due]
    assert len({(due.month, due.day) for _, due in dated}) >= 3
    for duty, due in dated:
        answer, reply = ask(assistant, f"hạn {due.day}/{due.month} là việc gì")
        assert answer.kind == "deadline", reply
        assert duty.title in reply
        others = [d for d, other in dated if (other.month, other.day) != (due.month, due.day)]
        assert not any(d.title in reply for d in others), reply


def test_a_deadline_question_is_answered_with_the_dated_duty(assistant: Assistant) -> None:
    qa = assistant.core.qa
    for _, duty in qa.catalog.duties.values():
        if duty.timing.kind != "deadline":
            continue
        answer, reply = ask(assistant, f"hạn chót {duty.title.lower()} là khi nào")
        assert answer.kind == "deadline", (duty.id, reply)
        assert "không quy định thời hạn" not in reply, (duty.id, reply)
    # Undated duties on the same subject match these words even better.
    answer, reply = ask(assistant, "hạn chót chuyển hệ thống về trung tâm dữ liệu?")
    assert "31/12/2019" in reply and "không quy định thời hạn" not in reply, reply
    # ... but not an undated duty that holds the question's words when the dated one
    # shares only the generic ones (moving systems to the data centre, Mục 1.c).
    for question, clause in [
        ("Kế hoạch chuyển sang chữ ký số chuyên dùng phải xong khi nào?", "Mục 1.e"),
        ("Kiện toàn Ban biên tập trang TTĐT có thời hạn ko", "Mục 2.f"),
        ("thoi han cap nhat bo TTHC tren cong DVC", "Mục 1.d"),
        # A topic the dated duty (the quarterly report, Mục 2.b) is not on.
        ("Sự cố ATTT xảy ra thì báo cáo UBND tỉnh khi nào", "Mục 1.f"),
    ]:
        answer, reply = ask(assistant, question)
        assert reply.split("\n")[0].endswith("Chỉ thị không quy định thời hạn cho việc này."), reply
        assert clause in reply.split("\n")[0], reply


def test_an_undated_duty_is_said_undated_not_continuous(assistant: Assistant) -> None:
    """The pack files every undated duty as "continuous" for the nudges; an answer says
    only what the text says: no deadline, not that the task is an ongoing one."""
    qa = assistant.core.qa
    undated = [
        duty
        for _, duty in qa.catalog.duties.values()
        if duty.timing.kind == "continuous" and "thường xuyên" not in duty.text.lower()
    ]
    assert undated
    for duty in undated[:5]:
        answer, reply = ask(assistant, f"hạn chót {duty.title.lower()} là khi nào")
        if answer.kind != "deadline" or duty.title not in reply:
            continue
        assert "không quy định thời hạn" in reply and "thường xuyên" not in reply, (duty.id, reply)


def test_help_with_something_else_is_refused(assistant: Assistant) -> None:
    answer, _ = ask(assistant, "hướng dẫn sử dụng facebook")
    assert answer.kind == "refusal"
    answer, _ = ask(assistant, "hướng dẫn sử dụng")
    assert answer.kind == "help"


def test_an_agency_a_report_goes_to_is_not_taken_for_the_one_that_acts(
    assistant: Assistant,
) -> None:
    duty = assistant.core.qa.catalog.duties["2.f-4"][1]  # districts report via Sở TT&TT
    assert duty.timing.due is not None and "sttt" not in duty.lead
    for preposition in ("về", "qua", "lên"):
        answer, reply = ask(assistant, f"han nop ds can bo cntt cap xa {preposition} so tttt")
        assert answer.kind == "deadline" and duty.title in reply, (preposition, reply)


def test_a_general_question_on_the_results_gets_their_figures(assistant: Assistant) -> None:
    qa = assistant.core.qa
    results = [f for f in qa.catalog.figures.values() if f.clause == "intro.results"]
    answer, reply = ask(
        assistant, "kết quả ứng dụng CNTT của tỉnh trước khi có chỉ thị, cho xin số liệu"
    )
    assert answer.kind == "results", reply
    assert sum(plain(f.value) in plain(reply) for f in results if not f.parent) >= 5
    answer, reply = ask(assistant, "hệ thống quản lý văn bản dùng chung cho những cơ quan nào")
    assert answer.kind == "passages" and "chính trị - xã hội" in reply, reply


def test_who_does_an_action_is_answered_by_the_duty_holding_that_action(
    assistant: Assistant,
) -> None:
    # 2.f: the districts build the commune websites; Sở TT&TT guides them ("hướng dẫn").
    answer, reply = ask(assistant, "đơn vị nào hướng dẫn các huyện tạo lập trang TTĐT cấp xã")
    assert answer.kind == "responsible" and "Giao Sở Thông tin và Truyền thông" in reply, reply
    answer, reply = ask(assistant, "đơn vị nào chỉ đạo tạo lập trang TTĐT cấp xã")
    assert answer.kind == "responsible" and "UBND các huyện" in reply, reply


def test_who_is_in_charge_of_an_action_is_read_as_who_does_it(assistant: Assistant) -> None:
    """ "ai chịu trách nhiệm về <action> <topic>": the duties holding the action (the
    press spreads awareness, Mục 2.e), not those sharing the most words of the topic
    (Sở TT&TT's duties on IT, Mục 2.b)."""
    for question in (
        "cơ quan nào phụ trách tuyên truyền ứng dụng công nghệ thông tin",
        "ai chịu trách nhiệm về tuyên truyền ứng dụng CNTT trong cơ quan nhà nước",
        "đơn vị nào đảm nhận tuyên truyền về CNTT",
    ):
        answer, reply = ask(assistant, question)
        assert answer.kind == "responsible" and "(Mục 2.e)" in reply, reply


def test_a_passive_who_question_names_the_agency_the_text_says_does_it(
    assistant: Assistant,
) -> None:
    """ "<thing> do cơ quan nào <verb>": the agency the text puts after "do" before that
    verb, not the agencies whose duty merely mentions the thing."""
    catalog = assistant.core.qa.catalog
    checked = 0
    for _, duty in catalog.duties.values():
        words = duty.text.split()
        for i, word in enumerate(words[:-3]):
            if word != "do" or i < 3:
                continue
            rest = fold(" ".join(words[i + 1 :]))
            for agency in assistant.knowledge.agencies:
                name = fold(agency.name)
                if not rest.startswith(name + " "):
                    continue
                verb = rest[len(name) :].split()
                verb = verb[1:3] if verb[0] == "dang" else verb[:2]
                thing = " ".join(words[i - 3 : i])
                # The passive, and the active that asks the same ("đơn vị nào đang
                # <verb> <thing>"), whatever tense it is asked in.
                for question in (
                    f"{thing} do cơ quan nào {' '.join(verb)}?",
                    f"đơn vị nào đang {' '.join(verb)} {thing}",
                ):
                    answer, reply = ask(assistant, question)
                    first = reply.splitlines()[0]
                    assert answer.kind == "responsible" and agency.name in first, (question, reply)
                    others = [catalog.agencies[a].name for a in duty.lead if a != agency.id]
                    assert not any(o in first for o in others), (duty.id, reply)
                    checked += 1
    assert checked >= 1


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("ai là người ký?", "signer"),
        ("ai ky ngay nao", "signer"),  # who and when: the signer's line holds the date
        ("ky ngay nao", "date"),  # when only: the date, not the signer again
        ("khi nào ban hành?", "date"),
    ],
)
def test_a_bare_question_about_signing_or_dates_asks_about_the_directive(
    assistant: Assistant, question: str, fact: str
) -> None:
    """With no earlier question, "who signed" or "which day" alone is about the
    directive's header, read from its metadata, and nothing else."""
    directive = assistant.knowledge.directives[0]
    answer, reply = ask(assistant, question)
    assert answer.kind == "metadata", reply
    issued = f"{directive.issued.day}/{directive.issued.month}/{directive.issued.year}"
    assert issued in reply
    assert (directive.signer_name in reply) == (fact == "signer"), reply
    assert len(reply) < 200, reply


def test_no_answer_reads_a_topic_its_catalog_does_not_hold(assistant: Assistant) -> None:
    """With several directives a question is parsed with all their names, then answered
    from one directive's catalog, which may lack the topic found (a directive «về chuyển
    đổi số» has none of 06's «kinh phí»): every kind of answer takes it as not named,
    where one read `catalog.topics[t]` and the user got a traceback."""
    from dataclasses import replace

    qa = assistant.core.qa
    service = qa.by_directive[next(iter(qa.by_directive))] if qa.by_directive else qa
    for text in (
        "ai chịu trách nhiệm về chữ ký số",
        "đào tạo về chữ ký số do ai chủ trì",
        "chỉ thị nói gì về chữ ký số",
        "Sở Nội vụ làm gì về chữ ký số, hạn khi nào",
    ):
        parse = service.nlu.parse(text)
        assert "topic" in {e.entity for e in parse.entities}, text
        foreign = tuple(
            replace(e, value="chu_de_cua_van_ban_khac") if e.entity == "topic" else e
            for e in parse.entities
        )
        for intent, handler in service._handlers.items():
            handler(replace(parse, intent=intent, entities=foreign))  # never raises


def test_a_question_on_one_fact_of_the_header_gets_that_fact_in_a_line(
    assistant: Assistant,
) -> None:
    """Who signed, in what position, whether a body is among the recipients, whether it
    is in force: the fact asked, not the whole header with its cited documents."""
    directive = assistant.knowledge.directives[0]
    cited = directive.cites[0].number
    _, reply = ask(assistant, "văn bản này do ai ký vậy?")
    assert directive.signer_name in reply and cited not in reply, reply
    _, reply = ask(assistant, "người ký chỉ thị có chức danh gì")
    assert directive.signer_title in reply and cited not in reply, reply
    _, reply = ask(assistant, "chỉ thị bắt đầu có hiệu lực khi nào, giờ còn hiệu lực không")
    assert "không nêu" in reply and cited not in reply, reply
    _, reply = ask(assistant, "Văn phòng Chính phủ có được gửi văn bản này không?")
    assert reply.startswith("Có") and cited not in reply, reply
    _, reply = ask(assistant, "Bộ Tài chính có nằm trong nơi nhận không")
    assert reply.startswith("Không") and "Nơi nhận:" in reply, reply
    for question in ("ai ký chỉ thị này", "chỉ thị ban hành năm nào"):
        answer, reply = ask(assistant, question)
        assert answer.kind == "metadata" and len(reply) < 200, reply
    # Three facts in one message: a line each, not a split whose later parts, naming
    # nothing of the document, quote stray sentences.
    for question in (
        "chỉ thị 06 do ai ký, ban hành ngày nào, số hiệu gì",
        "ai ky, ngay nao, so hieu gi",
    ):
        answer, reply = ask(assistant, question)
        assert directive.signer_name in reply and "19/4/2019" in reply, reply
        assert "Mục" not in reply and "«" not in reply, reply


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("đơn vị chậm triển khai chỉ thị sẽ bị xử phạt thế nào", "mức xử phạt"),
        ("mua một chứng thư chữ ký số giá bao nhiêu", "giá, chi phí"),
        ("chi phí cấp chữ ký số cho một cán bộ", "giá, chi phí"),
        ("anh Lê Văn C ở Sở Tài chính được giao việc gì", "thông tin về cá nhân (Lê Văn C)"),
        ("cho xin email của Sở Nội vụ", "địa chỉ email của Sở Nội vụ"),
        ("máy chủ của trung tâm dữ liệu tỉnh đặt ở đâu", "địa điểm"),
        ("hướng dẫn đăng ký tài khoản trên cổng dịch vụ công", "cách đăng ký, cài đặt"),
        ("Hướng dẫn em cài chữ ký số VGCA trên máy tính với", "cài đặt"),
        ("Cấp mới chữ ký số chuyên dùng mất mấy ngày làm việc?", "số ngày làm việc"),
        ("Cán bộ không dùng chữ ký số chuyên dùng thì bị kỷ luật hình thức gì?", "kỷ luật"),
        ("luong can bo CNTT cap xa bao nhieu", "lương"),
        ("thoi han su dung chung thu so chuyen dung la bao lau", "thời hạn sử dụng"),
        ("Cán bộ trẻ xã muốn học thạc sĩ CNTT thì được hỗ trợ học phí bao nhiêu?", "học phí"),
        # A document the directive asks for names no number.
        ("Quy định về quản lý chữ ký số số hiệu bao nhiêu", "số hiệu"),
        ("Chủ tịch UBND tỉnh Bắc Ninh hiện nay là ai vậy?", "họ tên"),
        ("Luật An toàn thông tin mạng ban hành năm nào?", "Luật An toàn thông tin mạng"),
        ("kinh phi thuc hien ct bn ty dong vay", "số tiền"),
        ("Đăng ký cấp chữ ký số chuyên dùng Chính phủ ở đâu, thủ tục ra sao?", "thủ tục"),
        ("hdan cai dat chu ky so tren dien thoai", "cài đặt"),
        (
            "Ban Chỉ đạo xây dựng Chính quyền điện tử tỉnh gồm những ai, ai làm trưởng ban?",
            "họ tên",
        ),
    ],
)
def test_a_fact_of_a_kind_the_directive_never_states_is_refused_by_name(
    assistant: Assistant, question: str, named: str
) -> None:
    """A price, a fine, a place, an address, a person, the steps of a procedure: the
    directive states none, so the question is refused by naming what it asked, never
    answered with a passage sharing its other words."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "refusal" and named in reply, reply
    assert answer.reply.buttons


def test_what_a_levels_staff_are_owed_is_not_said_of_the_level(assistant: Assistant) -> None:
    """«phụ cấp», not «phụ cấp của Cấp xã»: the staff of a level, not the level."""
    answer, reply = ask(assistant, "Cán bộ CNTT cấp xã được hưởng phụ cấp gì?")
    assert answer.kind == "refusal" and "không đề cập đến phụ cấp," in reply, reply


def test_the_words_of_a_price_or_a_place_in_a_directive_question_are_not_refused(
    assistant: Assistant,
) -> None:
    for question in (
        "có bao nhiêu tài khoản thư điện tử đã cấp",
        "danh sách cán bộ CNTT cấp xã gửi ở đâu",
        "cổng dịch vụ công quốc gia được nhắc đến thế nào",
        "kinh phí thực hiện chỉ thị do ai bố trí",
        # "lượng" folds as "lương" (salary); "Lương Tài" is a district.
        "chất lượng dịch vụ công trực tuyến",
        "huyen luong tai phai lam gi",
        "Tổng lượng văn bản đến được tiếp nhận là bao nhiêu",
        # The mailboxes given out are the accounts the preamble counts.
        "hộp thư công vụ đã được cấp cho bao nhiêu cán bộ",
    ):
        assert ask(assistant, question)[0].kind != "refusal", question


def test_the_full_list_of_an_agencys_duties_does_not_repeat_the_common_ones(
    assistant: Assistant,
) -> None:
    """«Xem đủ» follows the first answer: its lists in full, the common duties (told
    the first time) by their count."""
    qa = assistant.core.qa
    answer = qa.agency_duties("sttt", complete=True)
    assert answer is not None
    reply = assistant.renderer.render(answer.reply)
    assert "Nhiệm vụ chung của các sở" not in reply and "nhóm nhiệm vụ chung" in reply, reply


@pytest.mark.parametrize(
    ("question", "says", "not_said"),
    [
        ("văn bản này do cơ quan nào ban hành", "do Ủy ban nhân dân tỉnh Bắc Ninh", "43/2011"),
        ("chi thi nay thuc hien chi thi nao cua thu tuong", "thực hiện Chỉ thị 02/CT-TTg", "1987"),
        ("chỉ thị này có số hiệu là gì", "Chỉ thị số 06/CT-UBND ngày 19/4/2019", "43/2011"),
        ("ai phải thi hành chỉ thị", "Giám đốc các sở", "Người ký"),
        ("Chỉ thị này là nghị quyết, quyết định hay chỉ thị?", "Chỉ thị số 06/CT-UBND", "Người ký"),
    ],
)
def test_one_fact_of_the_document_is_one_line(
    assistant: Assistant, question: str, says: str, not_said: str
) -> None:
    """Asked for the issuer, the higher directive, the number or who carries it out:
    that fact, not the whole header with every cited document."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "metadata" and says in reply and not_said not in reply, reply
    assert len(reply) <= 300, reply


def test_a_condition_is_not_a_deadline_question(assistant: Assistant) -> None:
    """ "khi có sự cố ..." states when something applies; it asks no date."""
    for question in (
        "khi có sự cố ATTT thì báo cáo thế nào",
        "khi co su co attt thi bao cao the nao",
    ):
        answer, reply = ask(assistant, question)
        assert answer.kind != "deadline" and "Mục 1.f" in reply and "UBND tỉnh" in reply, reply


def test_heads_of_agencies_get_every_clause_naming_their_responsibility(
    assistant: Assistant,
) -> None:
    answer, reply = ask(assistant, "thủ trưởng cơ quan chịu trách nhiệm gì")
    assert answer.kind == "responsible" and "Mục 1.a" in reply and "Mục 1.f" in reply, reply
    # Chủ tịch UBND tỉnh is who they answer to, not one who answers.
    assert "Mục 2.b" not in reply, reply
