"""Follow-up questions read against the same user's last answer, for a while: "còn
Sở Nội vụ thì sao?", "hạn khi nào?", "ai làm?". The thread is in the database, so a
restart keeps it; another user, or the same one much later, starts afresh."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from bot.app import Assistant
from bot.application.qa.memory import FOLLOW_UP_MINUTES
from bot.storage.db import session_scope
from bot.storage.models import QaContext, utcnow
from tests.core.test_dialogs import Chat


def kind_and_text(chat: Chat) -> tuple[str, str]:
    assert chat.last is not None and chat.last.answer is not None
    return chat.last.answer.kind, chat.text()


def test_what_about_another_agency_asks_the_last_question_about_it(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("Sở Tài chính phải làm gì?")
    chat.send("còn Sở Nội vụ thì sao?")
    kind, text = kind_and_text(chat)
    assert kind == "duties" and text.startswith("Sở Nội vụ"), text
    assert "Mục 2.d" in text


def test_when_and_who_follow_the_duties_just_answered(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("UBND huyện phải làm gì?")
    chat.send("hạn khi nào?")
    kind, text = kind_and_text(chat)
    assert kind == "deadline" and "31/5/2019" in text and "30/6/2019" in text, text
    chat.send("Chỉ đạo tạo lập trang thông tin điện tử cấp xã là việc của ai?")
    chat.send("hạn khi nào?")
    kind, text = kind_and_text(chat)
    assert kind == "deadline" and "30/6/2019" in text and "31/5/2019" not in text, text
    chat.send("ai làm?")
    kind, text = kind_and_text(chat)
    assert kind == "responsible" and "UBND các huyện, thị xã, thành phố" in text, text


def test_when_after_duties_without_dates_is_one_line(assistant: Assistant) -> None:
    """Every agency whose duties have no date: "hạn khi nào?" says so once, cited."""
    catalog = assistant.core.qa.catalog
    undated = [
        agency
        for agency in assistant.knowledge.agencies
        if agency.kind != "group"
        and (own := [a for a in catalog.assignments(agency) if not catalog.is_general(a.duty)])
        and all(a.duty.timing.kind == "continuous" for a in own)
    ]
    assert undated
    for agency in undated[:3]:
        chat = Chat(assistant, agency.id)
        chat.send(f"{agency.short_name} phải làm gì?")
        if kind_and_text(chat)[0] != "duties":
            continue
        chat.send("hạn khi nào?")
        kind, text = kind_and_text(chat)
        assert kind == "deadline" and "không quy định thời hạn" in text, (agency.id, text)
        assert "(Mục" in text and text.count("không quy định thời hạn") == 1, text


def test_the_thread_is_per_user_and_for_a_while(assistant: Assistant) -> None:
    first, other = Chat(assistant, "1"), Chat(assistant, "2")
    first.send("Sở Tài chính hạn khi nào?")
    assert kind_and_text(first)[0] == "deadline"
    # Nothing asked before by this user: Sở Nội vụ's duties, not its deadlines.
    other.send("còn Sở Nội vụ thì sao?")
    assert kind_and_text(other)[0] == "duties"
    with session_scope(assistant.sessions) as session:
        assert session.query(QaContext).count() == 2  # kept in the database, per user
        long_ago = utcnow() - dt.timedelta(minutes=FOLLOW_UP_MINUTES + 1)
        session.execute(update(QaContext).values(updated_at=long_ago))
    first.send("còn Sở Nội vụ thì sao?")
    assert kind_and_text(first)[0] == "duties"


def test_a_two_part_question_is_answered_in_both_parts(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("Sở Nội vụ phải làm gì và hạn khi nào?")
    kind, text = kind_and_text(chat)
    assert kind == "duties" and chat.last is not None and len(chat.last.replies) >= 2
    assert "Mục 2.d" in text and "không quy định thời hạn" in text, text
    chat.send("Ngoài việc đề xuất bố trí kinh phí, Sở Tài chính còn phải hướng dẫn điều gì?")
    assert chat.last is not None and len(chat.last.replies) == 1  # one question


def test_two_questions_of_one_kind_joined_by_va_get_both_answers(assistant: Assistant) -> None:
    """The second part repeats the first's question word ("bao nhiêu ... và bao
    nhiêu ...", "hạn ... và hạn ..."): two questions, whose answers cite the same part
    of the directive without being the same answer."""
    for question, wanted in (
        ("tỉnh có bao nhiêu camera giám sát và bao nhiêu tài khoản thư điện tử", ("286", "9.289")),
        (
            "hạn tạo lập trang thông tin điện tử cấp xã và hạn lập danh sách cán bộ CNTT cấp xã",
            ("30/6/2019", "31/5/2019"),
        ),
    ):
        chat = Chat(assistant)
        chat.send(question)
        _, text = kind_and_text(chat)
        assert all(w in text for w in wanted), text


def test_the_thread_kept_names_each_duty_with_its_directive(assistant: Assistant) -> None:
    """Several directives may hold a duty "1.a-1": what a follow-up reads against is
    kept by directive-scoped key, whatever kind of answer left it."""
    from bot.domain.knowledge import split_key

    directives = {d.id for d in assistant.knowledge.directives}
    chat = Chat(assistant)
    kinds = set()
    for question in (
        "Sở Kế hoạch và Đầu tư có nhiệm vụ gì?",
        "ai phải lập danh sách cán bộ phụ trách cntt cấp xã",
        "hạn chuyển hệ thống về trung tâm dữ liệu là khi nào",
        "chỉ thị nói gì về an toàn thông tin",
    ):
        chat.send(question)
        assert chat.last is not None and chat.last.answer is not None
        kinds.add(chat.last.answer.kind)
        with session_scope(assistant.sessions) as session:
            row = session.query(QaContext).one()
            assert row.duties, question
            assert all(split_key(key)[0] in directives for key in row.duties), row.duties
    assert len(kinds) >= 3, kinds


def test_what_about_an_agency_after_a_topic_gives_its_part_in_that_topic(
    assistant: Assistant,
) -> None:
    catalog = assistant.core.qa.catalog
    checked = 0
    for topic in list(catalog.topics.values())[:4]:
        for agency in [a for a in assistant.knowledge.agencies if a.kind != "group"][:6]:
            chat = Chat(assistant)
            chat.send(topic.name)
            chat.send(f"còn {agency.short_name}?")
            kind, text = kind_and_text(chat)
            assert kind == "duties" and text.startswith(agency.name), (topic.id, agency.id, text)
            assert topic.name in text.splitlines()[0], text
            checked += 1
    assert checked >= 12


def test_whether_a_deadline_has_passed_is_its_deadline_not_the_shortcomings(
    assistant: Assistant,
) -> None:
    """ "quá hạn", "trễ hạn": a deadline's status, never the "hạn chế" of the preamble,
    asked after the duty or naming it."""
    chat = Chat(assistant)
    chat.send("lập danh sách cán bộ phụ trách CNTT cấp xã hạn là bao giờ?")
    chat.send("vậy đã trễ hạn chưa?")
    kind, text = kind_and_text(chat)
    assert kind == "deadline" and "31/5/2019" in text and "quá hạn" in text, text
    chat = Chat(assistant)
    chat.send("việc chuyển hệ thống thông tin về trung tâm dữ liệu đã quá hạn chưa")
    kind, text = kind_and_text(chat)
    assert kind == "deadline" and "31/12/2019" in text, text


def test_a_second_part_asking_about_the_firsts_subject_is_answered_from_its_duty(
    assistant: Assistant,
) -> None:
    """ "..., nộp cho ai?" names nothing: it asks about what the first part did (the
    quarterly report): who receives it (UBND tỉnh), not who sends it, and quotes that
    duty's sentence once for both parts."""
    chat = Chat(assistant)
    chat.send("Hạn nộp báo cáo quý là khi nào, nộp cho ai?")
    _, text = kind_and_text(chat)
    assert chat.last is not None and len(chat.last.replies) == 2, text
    assert "hàng quý" in text and "Nơi nhận: UBND tỉnh" in text, text
    assert text.count("«Hướng dẫn, kiểm tra, đôn đốc") == 1, text
    assert "Mục 2.b" in text and "Mục 1.f" not in text, text


def test_a_two_part_question_about_the_layout_and_a_missing_part(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("chỉ thị có mấy mục, mục 3 nói gì")
    kind, text = kind_and_text(chat)
    assert kind == "structure" and "không có Mục 3" in text, text
    assert "Mục 1. Nhiệm vụ chung" in text and "Mục 2. Nhiệm vụ cụ thể" in text, text


def test_a_follow_up_referring_back_is_about_the_last_question(assistant: Assistant) -> None:
    """ "việc đó" is what the last question asked about: who guides moving the systems
    to the data centre is Sở TT&TT (Mục 2.b), not whoever "hướng dẫn" anything."""
    chat = Chat(assistant)
    chat.send("Hạn di chuyển hệ thống về trung tâm dữ liệu tỉnh?")
    chat.send("ai hướng dẫn việc đó?")
    kind, text = kind_and_text(chat)
    assert kind == "responsible" and "Mục 2.b" in text, text
    assert "Trung tâm dữ liệu" in text and "kinh phí" not in text, text
    # "nhiệm vụ đó hạn khi nào": the duty just answered, not a new search.
    chat.send("chữ ký số ai làm")
    chat.send("nhiệm vụ đó hạn khi nào")
    kind, text = kind_and_text(chat)
    assert kind in ("deadline", "no_deadline") and "Mục 1.e" in text, text


def test_a_short_follow_up_is_read_within_the_duties_just_answered(assistant: Assistant) -> None:
    """ "báo cáo cho ai?" after the information-security duties: the one of them about
    reporting (Mục 1.f), not every report of the directive."""
    chat = Chat(assistant)
    chat.send("Chỉ thị nói gì về an toàn thông tin?")
    chat.send("báo cáo cho ai?")
    kind, text = kind_and_text(chat)
    assert kind == "responsible" and "Mục 1.f" in text, text
    assert "Mục 2.f" not in text and "31/5/2019" not in text, text
    # A question the last answer's duties do not hold is a question of its own.
    chat.send("Sở Nội vụ phải làm gì?")
    kind, text = kind_and_text(chat)
    assert kind == "duties" and "Mục 2.d" in text, text


def test_what_about_another_agency_after_a_deadline_sets_that_agency(
    assistant: Assistant,
) -> None:
    """ "thế còn Sở Nội vụ?" after a deadline leaves Sở Nội vụ as the thread: the next
    "hạn khi nào?" is about its duties, not every deadline of the directive."""
    for first in ("Hạn nộp báo cáo quý là khi nào?", "những việc nào có thời hạn"):
        chat = Chat(assistant)
        chat.send(first)
        chat.send("thế còn Sở Nội vụ?")
        assert chat.last is not None and chat.last.answer is not None
        assert chat.last.answer.duties, chat.text()
        chat.send("hạn khi nào?")
        kind, text = kind_and_text(chat)
        assert kind == "deadline", text
        assert "31/5/2019" not in text and "hàng quý" not in text, text


@pytest.mark.parametrize(
    ("first", "then", "receiver", "clause"),
    [
        ("Hạn nộp báo cáo quý là khi nào?", "nộp cho ai?", "UBND tỉnh", "Mục 2.b"),
        ("hạn lập danh sách cán bộ CNTT cấp xã", "gửi qua đâu?", "Sở TT&TT", "Mục 2.f"),
    ],
)
def test_receiver_after_a_deadline_is_read_from_the_duty(
    assistant: Assistant, first: str, then: str, receiver: str, clause: str
) -> None:
    """ "nộp cho ai?" after the quarterly report's deadline: who receives it."""
    chat = Chat(assistant)
    chat.send(first)
    chat.send(then)
    _, text = kind_and_text(chat)
    assert text.startswith(f"Nơi nhận: {receiver}") and clause in text, text


def test_an_agencys_deadline_then_another_agency(assistant: Assistant) -> None:
    """ "Sở TT&TT hạn khi nào?" is its own dates; "còn UBND huyện thì sao?" theirs."""
    chat = Chat(assistant)
    chat.send("Sở TT&TT hạn khi nào?")
    kind, text = kind_and_text(chat)
    assert kind == "deadline" and "hàng quý" in text and "31/5/2019" not in text, text
    chat.send("còn UBND huyện thì sao?")
    kind, text = kind_and_text(chat)
    assert kind == "deadline" and "31/5/2019" in text and "hàng quý" not in text, text


# Follow-ups that keep the subject but change the kind of question.


@pytest.mark.parametrize(
    ("turns", "kind", "said", "unsaid"),
    [
        # "còn danh sách cán bộ CNTT thì sao?" (CNTT spelled out makes it long) after a
        # deadline: that duty's deadline, not the overviews of its topics ...
        (
            (
                "bao giờ phải xong trang thông tin điện tử cấp xã",
                "còn danh sách cán bộ CNTT thì sao?",
            ),
            "deadline",
            ("31/5/2019",),
            ("30/6/2019",),
        ),
        # ... and after "who", who does it.
        (
            (
                "hạn tạo lập trang thông tin điện tử cấp xã",
                "đơn vị nào chịu trách nhiệm?",
                "còn danh sách cán bộ CNTT thì sao?",
            ),
            "responsible",
            ("lập danh sách", "Mục 2.f"),
            (),
        ),
        # A short question naming nothing is asked of the thread: "cấp được bao nhiêu
        # rồi?" after digital signatures is their figure, not a refusal ...
        (("chỉ thị quy định gì về chữ ký số", "cấp được bao nhiêu rồi?"), "figure", ("719",), ()),
        # ... "nếu không làm được thì sao?" after moving systems, the «không thể» sentence ...
        (
            (
                "thời hạn chuyển hệ thống thông tin về trung tâm dữ liệu",
                "nếu không làm được thì sao?",
            ),
            "passages",
            ("không thể thực hiện phải báo cáo UBND tỉnh", "Mục 1.c"),
            ("Mục 2.b",),
        ),
        # ... but one that finds something sure alone is not bent to the thread.
        (
            ("chỉ thị quy định gì về chữ ký số", "có bao nhiêu camera?"),
            "figure",
            ("286",),
            ("719",),
        ),
    ],
)
def test_a_follow_up_keeps_the_subject_and_changes_the_question(
    assistant: Assistant,
    turns: tuple[str, ...],
    kind: str,
    said: tuple[str, ...],
    unsaid: tuple[str, ...],
) -> None:
    chat = Chat(assistant)
    for turn in turns:
        chat.send(turn)
    answered, text = kind_and_text(chat)
    assert answered == kind, text
    assert all(s in text for s in said) and not any(s in text for s in unsaid), text


def test_recipients_yes_no_then_another_body(assistant: Assistant) -> None:
    """ "có gửi Văn phòng Chính phủ không?" is read from Nơi nhận; "còn Bộ TT&TT?" asks
    the same of it, and "thế còn UBND huyện?" after that, of them."""
    chat = Chat(assistant)
    chat.send("ai ký chỉ thị?")
    for asked, line in (
        ("có gửi Văn phòng Chính phủ không?", "Văn phòng Chính phủ (b/c)"),
        ("còn Bộ TT&TT?", "Bộ Thông tin và Truyền thông (b/c)"),
        ("thế còn UBND huyện?", "UBND các huyện, thị xã, thành phố"),
    ):
        chat.send(asked)
        _, text = kind_and_text(chat)
        assert text.startswith("Có:") and f"«{line}»" in text, (asked, text)


def test_sending_something_is_not_a_recipients_question(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("Sở TT&TT có gửi báo cáo không")
    _, text = kind_and_text(chat)
    assert "Nơi nhận: Văn phòng Chính phủ" not in text, text


def test_the_second_part_naming_nothing_asks_of_the_first_parts_subject(
    assistant: Assistant,
) -> None:
    """ "…hạn khi nào, ai hướng dẫn": the one guiding that task (Mục 2.b, Sở TT&TT,
    whose duty guiding the agencies is), not any guidance."""
    chat = Chat(assistant)
    chat.send("chuyển cơ sở dữ liệu về trung tâm dữ liệu chung hạn khi nào, ai hướng dẫn")
    _, text = kind_and_text(chat)
    assert "31/12/2019" in text and "Sở Thông tin và Truyền thông chịu trách nhiệm" in text, text
    assert "Mục 2.f" not in text, text


def dialog(assistant: Assistant, *turns: str) -> Chat:
    chat = Chat(assistant)
    for turn in turns:
        chat.send(turn)
    return chat


def test_when_after_another_agency_asks_of_its_duties(assistant: Assistant) -> None:
    """ "có hạn không?" (which the classifier takes for a topic question) after Sở Nội
    vụ's duties: its own have no date, said once, after the date of the common duty it
    has too (Mục 1.c); not every deadline."""
    chat = dialog(assistant, "Sở TTTT có nhiệm vụ gì?", "còn Sở Nội vụ thì sao?", "có hạn không?")
    kind, text = kind_and_text(chat)
    assert kind == "deadline" and "không quy định thời hạn" in text and "Mục 2.d" in text, text
    assert "31/12/2019" in text and "31/5/2019" not in text, text


def test_in_full_gives_the_clauses_of_the_last_answer(assistant: Assistant) -> None:
    chat = dialog(assistant, "ai xây dựng quy định về lưu trữ văn bản điện tử?", "cụ thể hơn đi")
    kind, text = kind_and_text(chat)
    assert kind == "clause" and "Mục 2.d" in text and "chữ ký số chuyên dùng" in text, text
    # A quoted passage about no duty: its clause in full.
    chat = dialog(assistant, "co duoc dung thiet bi cua trung quoc ko", "chi tiết hơn")
    kind, text = kind_and_text(chat)
    assert kind == "clause" and "Mục 1.f" in text and "Windows" in text, text
    chat.send("hạn khi nào?")  # the thread is still the last answer's
    assert kind_and_text(chat)[0] != "refusal"


def test_that_task_is_searched_in_the_clauses_just_answered(assistant: Assistant) -> None:
    chat = dialog(
        assistant,
        "han tao lap trang ttdt cap xa",
        "còn danh sách cán bộ CNTT xã?",
        "gửi cho ai?",
        "việc đó có ưu tiên gì không?",
    )
    text = chat.text()
    assert "ưu tiên cán bộ trẻ" in text and "Mục 2.f" in text, text


def test_when_of_an_undated_part_gives_the_subjects_date_first(assistant: Assistant) -> None:
    chat = dialog(assistant, "chuyen he thong ve trung tam du lieu", "han khi nao")
    kind, text = kind_and_text(chat)
    assert kind == "deadline" and "31/12/2019" in text and "Mục 1.c" in text, text
    assert text.index("31/12/2019") < text.index("không quy định thời hạn riêng"), text


def test_what_about_with_words_of_its_own_is_read_alone(assistant: Assistant) -> None:
    chat = dialog(
        assistant,
        "chữ ký số chuyên dùng",
        "đã cấp bao nhiêu",
        "trong đó cá nhân bao nhiêu",
        "đơn vị đang dùng CKS công cộng thì sao",
    )
    kind, text = kind_and_text(chat)
    assert "350" not in text and "kế hoạch chuyển sang" in text and "Mục 1.e" in text, text
    chat.send("có hạn không?")
    kind, text = kind_and_text(chat)
    assert kind == "deadline" and "không quy định thời hạn" in text and "Mục 1.e" in text, text
    assert "31/5/2019" not in text, text


def test_what_about_an_agency_none_of_the_answers_duties_reach(assistant: Assistant) -> None:
    chat = dialog(assistant, "Báo Bắc Ninh phải làm gì", "phối hợp với ai?", "còn Sở Y tế thì sao?")
    kind, text = kind_and_text(chat)
    assert kind == "duties" and text.startswith("Sở Y tế"), text
    assert "Mục 2.d" not in text and "Mục 1.a" in text, text


def test_what_about_an_agency_after_a_quote_says_whose_duty_it_is(assistant: Assistant) -> None:
    chat = dialog(assistant, "co duoc dung thiet bi cua trung quoc ko", "còn UBND huyện thì sao?")
    kind, text = kind_and_text(chat)
    assert kind == "responsible" and "UBND các huyện" in text and "Mục 1.f" in text, text


def test_what_about_a_topic_no_figure_counts_after_a_figure(assistant: Assistant) -> None:
    """Not the websites' percentages for «an toàn thông tin»: what the text says of it."""
    chat = dialog(assistant, "chữ ký số", "đã cấp bao nhiêu cái?", "còn an toàn thông tin thì sao?")
    kind, text = kind_and_text(chat)
    assert kind != "figure" and "Mục 1.f" in text and "100%" not in text, text


def test_that_task_sent_to_whom_after_its_deadline(assistant: Assistant) -> None:
    chat = dialog(assistant, "danh sách cán bộ CNTT cấp xã", "hạn khi nào?", "việc đó nộp cho ai?")
    kind, text = kind_and_text(chat)
    assert kind == "responsible" and "Nơi nhận: Sở TT&TT" in text, text


def test_that_decision_is_the_document_the_last_answer_cited(assistant: Assistant) -> None:
    chat = dialog(
        assistant,
        "BCĐ xây dựng chính quyền điện tử cấp huyện kiện toàn theo quyết định nào",
        "quyết định đó ban hành ngày nào",
    )
    kind, text = kind_and_text(chat)
    assert kind == "cited_document" and "31/10/2018" in text and "19/4/2019" not in text, text


def test_a_key_held_down_after_an_answer_does_not_repeat_it(assistant: Assistant) -> None:
    """ "aaaa" reads "a" (a particle): nothing is asked of the thread."""
    chat = Chat(assistant)
    chat.send("Chỉ thị quy định gì về chỉ số ICT Index?")
    chat.send("aaaa")
    kind, text = kind_and_text(chat)
    assert kind != "topic_overview" and "ICT Index" not in text, text
