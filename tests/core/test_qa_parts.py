"""A message that asks several things gets each answered, and none answered with a
dump (every deadline of the directive) or a loosely matching sentence; a quantity
no figure of the text counts is said not to be given."""

from __future__ import annotations

import pytest

from bot.app import Assistant
from bot.application.qa.followup import all_parts
from tests.core.test_dialogs import Chat
from tests.core.test_qa import ask, plain


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Sự cố ATTT: ai chịu trách nhiệm, báo cáo về đâu, ai tập huấn?",
            [
                "Sự cố ATTT ai chịu trách nhiệm",
                "Sự cố ATTT báo cáo về đâu",
                "Sự cố ATTT ai tập huấn",
            ],
        ),
        (
            "Năm 2018 phát hành và tiếp nhận bao nhiêu văn bản?",
            ["Năm 2018 phát hành bao nhiêu văn bản?", "Năm 2018 tiếp nhận bao nhiêu văn bản?"],
        ),
        ("số camera giám sát và số DVC mức 3,4", ["số camera giám sát", "số DVC mức 3,4"]),
        (
            "da cap bao nhieu CKS chuyen dung va ai xay dung quy dinh quan ly CKS",
            ["da cap bao nhieu CKS chuyen dung", "ai xay dung quy dinh quan ly CKS"],
        ),
        # One question: two agencies, and a subject with "và" in it.
        ("Sở Tài chính và Sở Nội vụ mỗi sở làm gì?", None),
        ("Sở TC và Sở KH&ĐT có bao nhiêu nhiệm vụ", None),
        ("chữ ký số và an toàn thông tin", None),
    ],
)
def test_the_questions_a_message_asks(question: str, parts: list[str] | None) -> None:
    assert all_parts(question) == parts


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("Năm 2018 phát hành và tiếp nhận bao nhiêu văn bản?", ["316663", "338756"]),
        ("số camera giám sát và số DVC mức 3,4", ["286", "819"]),
        # Unaccented, "so" is a number where it names no agency ("so noi vu" would).
        ("so camera va so tai khoan email", ["286", "9289"]),
        ("so noi vu va so tai chinh phai lam gi", ["chu ky so", "kinh phi"]),
        # Results on two things, each a figure's: both figures.
        ("ket qua noi bat ve chu ky so va camera giam sat", ["719", "286"]),
        ("da cap bao nhieu CKS chuyen dung va ai xay dung quy dinh quan ly CKS", ["719", "noi vu"]),
        # "mấy tháng một lần" asks how often.
        ("Ai ký chỉ thị và Sở TT&TT báo cáo UBND tỉnh mấy tháng một lần", ["nhuong", "hang quy"]),
        (
            "Sự cố ATTT: ai chịu trách nhiệm, báo cáo về đâu, ai tập huấn?",
            # The topic's overview holds all three: said once, not thrice.
            ["nguoi dung dau chiu trach nhiem", "qua so tt&tt", "tap huan"],
        ),
    ],
)
def test_each_part_is_answered(assistant: Assistant, question: str, wanted: list[str]) -> None:
    chat = Chat(assistant)
    chat.send(question)
    reply = chat.text()
    assert all(w in plain(reply) for w in wanted), reply


def test_how_often_after_who_receives_is_the_dates_of_that_duty(assistant: Assistant) -> None:
    """Not the list of every deadline; and the named agency's own report (its quarterly
    one, Mục 2.b) before what every department sends (incidents, Mục 1.f)."""
    chat = Chat(assistant)
    chat.send("STTTT phải báo cáo ai, bao lâu một lần?")
    reply = chat.text()
    assert reply.startswith("Nơi nhận: UBND tỉnh") and "Mục 2.b" in reply, reply
    assert "hàng quý" in reply and "31/5/2019" not in reply and "Mục 1.f" not in reply, reply


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("tỉnh BN có bao nhiêu huyện", "số huyện"),
        ("BCĐ xây dựng CQĐT tỉnh gồm bao nhiêu thành viên, ai làm trưởng ban", "số thành viên"),
        # Named with the rest of its phrase, not cut after two words ("số xã đạt").
        (
            "Tỉnh Bắc Ninh có bao nhiêu xã đạt chuẩn nông thôn mới?",
            "số xã đạt chuẩn nông thôn mới,",
        ),
    ],
)
def test_a_quantity_no_figure_counts_is_said_not_given(
    assistant: Assistant, question: str, subject: str
) -> None:
    """Not the 100% of agencies «cấp tỉnh, cấp huyện» having a website, nor a passage
    about the steering committee."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "refusal" and f"không đề cập đến {subject}" in reply, reply


@pytest.mark.parametrize(
    "question",
    [
        "bao nhiêu cấp chính quyền cùng dùng một phần mềm QLVB",  # the figure's unit
        "hệ thống camera giám sát gồm bao nhiêu mắt camera?",  # a counter word
        "email công vụ đã phát cho bao nhiêu người",  # people: counted as accounts
        "có bao nhiêu chứng thư số cho cơ quan tổ chức",  # the figure's keywords
        "có được dùng máy móc trôi nổi cho hệ thống quan trọng không",  # "máy", not "mấy"
    ],
)
def test_what_a_figure_counts_in_other_words_is_not_refused(
    assistant: Assistant, question: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind != "refusal", reply


def test_a_part_whose_sentence_the_first_quotes_is_not_quoted_again(assistant: Assistant) -> None:
    """«giao cho ai, nội dung gì?»: who does it, with the sentence, once; the topic's
    duty first (on both topics named), not Sở TT&TT's «ứng dụng CNTT dùng chung»."""
    chat = Chat(assistant)
    chat.send("Công tác tuyên truyền về ứng dụng CNTT giao cho ai, nội dung gì?")
    reply = chat.text()
    assert reply.startswith("Báo Bắc Ninh, Đài Phát thanh và Truyền hình tỉnh"), reply
    assert reply.count("đẩy mạnh công tác tuyên truyền") == 1, reply


@pytest.mark.parametrize(
    ("question", "first_line"),
    [
        (
            "Sở Công Thương có phải báo cáo kết quả thực hiện chỉ thị hàng quý không?",
            "Không: Chỉ thị không giao việc này cho Sở Công Thương; "
            "đây là nhiệm vụ của Sở Thông tin và Truyền thông:",
        ),
    ],
)
def test_whether_an_agency_must_do_anothers_duty(
    assistant: Assistant, question: str, first_line: str
) -> None:
    _, reply = ask(assistant, question)
    assert reply.split("\n")[0] == first_line, reply
    # Its own duty: no «Không».
    _, reply = ask(assistant, "Sở TTTT có phải báo cáo hàng quý không")
    assert not reply.startswith("Không") and "Mục 2.b" in reply, reply


@pytest.mark.parametrize(
    ("question", "wanted", "unwanted"),
    [
        # A document it cites, not the directive's own header.
        ("Chỉ thị 02/CT-TTg quy định những gì?", "không có toàn văn", "Người ký"),
        # The one fact asked, not the whole header.
        ("Chỉ thị này thực hiện theo văn bản nào của Thủ tướng", "02/CT-TTg", "Người ký"),
        # A merger the catalog does not hold: not the agency's duties.
        ("Sở TTTT giờ sáp nhập vào sở nào rồi", "không đề cập đến sáp nhập", "Mục 2.b"),
    ],
)
def test_documents_and_mergers_asked_about(
    assistant: Assistant, question: str, wanted: str, unwanted: str
) -> None:
    _, reply = ask(assistant, question)
    assert wanted in reply and unwanted not in reply, reply


@pytest.mark.parametrize(
    "question",
    [
        "Đài PT-TH tỉnh có phải tham gia ko",
        "Sở Nội vụ có phải lông ghép nd chỉ thị vào bộ tiêu chí CCHC ko",
        "UBND thị xã Từ Sơn có phải nộp danh sách cán bộ CNTT cấp xã ko",
        "cac ban nganh thuoc tinh co phai chuyen he thong thong tin ve TTDL tinh khong",
        "Ho so nop truc tuyen co duoc uu tien rut ngan thoi gian xu ly ko",
        "Ban biên tập trang tt điện tử có phải kiện toàn không",
        # "từng" is the text's "các"; "win" is Windows.
        "STTTT co duoc trien khai ha tang cntt dung rieng cho tung co quan ko",
        "may tinh co phai dung win ban quyen ko",
    ],
)
def test_a_yes_no_on_what_the_text_says_is_not_said_unmentioned(
    assistant: Assistant, question: str
) -> None:
    """The words before «có» name who or what is asked about, not what the text must
    hold; «nộp», «tham gia», «nd» (nội dung) are said otherwise in the text."""
    answer, reply = ask(assistant, question)
    assert answer.kind != "not_mentioned", reply


@pytest.mark.parametrize(
    "question",
    [
        "soạn giúp em công văn đôn đốc các xã gửi danh sách cán bộ CNTT",
        "gửi file pdf chỉ thị cho mình với",
        "Anh/chị lập giúp kế hoạch chuyển đổi hệ thống thông tin cho sở tôi được không ạ",
    ],
)
def test_asked_to_write_or_send_a_document_it_says_what_it_does(
    assistant: Assistant, question: str
) -> None:
    """Never the sentence that names that kind of document (2.f, 1.b, 1.c)."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "request" and "không soạn công văn" in reply, reply
    # A poem is no document of the directive's: refused as a foreign subject.
    answer, _ = ask(assistant, "Viết giúp tôi một bài thơ về mùa thu.")
    assert answer.kind == "refusal"


@pytest.mark.parametrize(
    "question",
    [
        "chủ tịch huyện cần làm gì để thực hiện chỉ thị 06/CT-UBND",
        "nhiệm vụ của địa phương theo chỉ thị 06 năm 2019",
        "chỉ thị 06 yêu cầu cấp xã những gì",
        "UBND thành phố được giao gì",
        "huyện phải làm gì",
        "cơ quan cấp tỉnh có nhiệm vụ gì",
    ],
)
def test_levels_asked_in_everyday_words_get_their_duties(
    assistant: Assistant, question: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "duties" and "Phần mở đầu" not in answer.citations, reply


@pytest.mark.parametrize(
    "question", ["cho xem tom tat chi thi", "chỉ thị nói về gì", "chi thi 06 noi ve gi"]
)
def test_what_the_directive_says_is_summed_up_from_its_parts_and_dates(
    assistant: Assistant, question: str
) -> None:
    """Its header, then each numbered part's points and the dates set: a summary made
    from the pack, not the header alone (nor a clause matching "nói về")."""
    directive = assistant.core.qa.catalog.kb.directives[0]
    answer, reply = ask(assistant, question)
    assert answer.kind == "metadata" and directive.number in reply, reply
    points = [c for c in directive.clauses if c.parent is not None]
    assert all(c.title in reply for c in points), reply
    dates = {d.timing.due for d in directive.duties if d.timing.due is not None}
    assert dates and all(f"{d.day}/{d.month}/{d.year}" in reply for d in dates), reply


def test_a_number_asked_about_is_not_the_directive_summed_up(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "con số 819 nói về cái gì")
    assert answer.kind == "figure" and "Nội dung chính" not in reply, reply


@pytest.mark.parametrize(
    "question", ["Mục đich ban hành chỉ thị 06 là gì", "chỉ thị ban hành để làm gì"]
)
def test_why_it_was_issued_is_its_purpose_paragraph(assistant: Assistant, question: str) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "passages" and "mục đích" in answer.citations[0], reply
    assert "Người ký" not in reply, reply


def test_its_standout_results_are_the_figures_not_the_opening_sentence(
    assistant: Assistant,
) -> None:
    for question in (
        "kết quả nổi bật về ứng dụng CNTT thời gian qua là gì",
        # The heading's own words and "đến nay" ask for them all, not one sentence.
        "kết quả ứng dụng CNTT của tỉnh đến nay thế nào",
    ):
        answer, reply = ask(assistant, question)
        assert answer.kind == "results" and "819" in reply and "286" in reply, reply


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Đã cấp bao nhiêu CKS chuyen dung và chỉ thị yêu cầu gì về CKS?",
            ["Đã cấp bao nhiêu CKS chuyen dung", "chỉ thị yêu cầu gì về CKS?"],
        ),
        (
            "Chỉ thị dẫn NĐ nào về cung cấp thông tin, và CT 02/CT-TTg là về việc gì",
            ["Chỉ thị dẫn NĐ nào về cung cấp thông tin", "CT 02/CT-TTg là về việc gì"],
        ),
        ("có bao nhiêu văn bản và hồ sơ gì", None),
    ],
)
def test_two_questions_of_different_kinds(question: str, parts: list[str] | None) -> None:
    assert all_parts(question) == parts


@pytest.mark.parametrize(
    "question",
    ["ICT Index được nhắc tới thế nào trong chỉ thị", "ict index duoc nhac toi the nao"],
)
def test_mentioned_is_not_reminded(assistant: Assistant, question: str) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind != "request" and "ICT Index" in reply, reply


def test_a_district_named_with_its_heads_title_is_listed_once(assistant: Assistant) -> None:
    """Not also the group «Chủ tịch UBND huyện» names; and only the topic's duties, not
    a sentence matching the title's words (1.f names «Chủ tịch UBND các huyện»)."""
    _, reply = ask(assistant, "chủ tich UBND huyện Yên Phong phải làm gì về chữ kí số")
    assert reply.count("Thực hiện nghiêm quy định") == 1 and "Mục 1.f" not in reply, reply


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("thu tuc dang ky cap chu ky so chuyen dung ntn", "cách đăng ký"),
        ("quy trình xử lý sự cố ATTT gồm những bước nào", "các bước"),
        ("Địa chỉ website cổng dịch vụ công tỉnh Bắc Ninh là gì", "địa chỉ"),
        ("Ngân sách bố trí cho chỉ thị 06 năm 2019 là bao nhiêu tỷ?", "số tiền"),
        ("Ai là trưởng ban chỉ đạo xây dựng CQĐT tỉnh?", "họ tên"),
        ("Thủ tục xin cấp chứng thư số cá nhân ở Ban Cơ yếu như thế nào?", "thủ tục xin cấp"),
        # A count of what no figure counts, said as the directive writes it.
        ("tinh co bao nhieu cong chuc", "số công chức"),
        # Help with something this assistant is not.
        ("huong dan su dung zalo cho nguoi gia", "không có thông tin"),
    ],
)
def test_kinds_of_fact_the_text_does_not_give_are_refused_by_name(
    assistant: Assistant, question: str, named: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "refusal" and named in reply, reply


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("Sở TT&TT phải nộp báo cáo quý vào ngày mấy?", "Chỉ thị không quy định ngày cụ thể"),
        ("han kien toan BCD CQDT cap huyen la ngay nao", "Kiện toàn Ban chỉ đạo"),
        ("100% UBND xã đã có trang TTĐT chưa?", "Tỷ lệ UBND cấp xã"),
    ],
)
def test_the_fact_asked_not_a_neighbours(assistant: Assistant, question: str, first: str) -> None:
    """Not the districts' staff list (its report goes through Sở TT&TT), not the commune
    websites' date (same clause), not the 100% of the province's agencies."""
    _, reply = ask(assistant, question)
    assert reply.startswith(first), reply


def test_a_role_asked_is_answered_by_the_role_the_text_gives(assistant: Assistant) -> None:
    answer, reply = ask(
        assistant,
        "SNV có phải chủ trì xây dựng quy định về quản lý sử dụng chữ ký số chuyên dùng ko?",
    )
    assert answer.kind != "not_mentioned" and "Phối hợp xây dựng quy định" in reply, reply


def test_an_index_named_alone_gets_every_place_that_names_it(assistant: Assistant) -> None:
    """Not «no rank is given», which nobody asked, over one quote; its standing asked,
    that line."""
    answer, reply = ask(assistant, "ICT Index")
    assert answer.kind == "term" and "Mục 1.a" in reply and "Mục 2.b" in reply, reply
    assert "thứ hạng" not in reply, reply
    _, reply = ask(assistant, "chỉ số PCI của tỉnh xếp thứ mấy")
    assert "không nêu thứ hạng" in reply, reply


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("trung tam du lieu tinh chi thi yeu cau gi", "Trung tâm dữ liệu"),
        ("Chế độ báo cáo trong chỉ thị quy định thế nào", "Báo cáo"),
    ],
)
def test_a_topic_asked_in_general_gets_its_overview(
    assistant: Assistant, question: str, topic: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "topic_overview" and topic in reply.split("\n")[0], reply


def test_how_many_percent_is_a_figure_whoever_is_named(assistant: Assistant) -> None:
    answer, reply = ask(
        assistant, "chủ tịch ubnd huyện phải chỉ đạo bao nhiêu % công việc trên QLVB có HSCV"
    )
    assert answer.kind == "figure" and "100%" in reply and "Mục 1.b" in reply, reply


def test_what_an_agency_answers_for_is_what_reaches_it(assistant: Assistant) -> None:
    """Not Sở TT&TT's «chịu trách nhiệm trước Chủ tịch UBND tỉnh» (Mục 2.b)."""
    _, reply = ask(assistant, "Sở Tài chính chịu trách nhiệm trước ai")
    assert "Mục 1.f" in reply and "Mục 2.b" not in reply, reply


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("an toàn thông tin cần làm gì", "Chỉ thị nói về An toàn thông tin"),
        ("các ban ngành thuộc UBND tỉnh phải làm gì", "Các sở, ban, ngành"),
        ("BQL các khu công nghiệp phải làm gì theo ct 06", "Ban Quản lý các khu công nghiệp"),
    ],
)
def test_what_must_be_done_of_a_topic_or_a_body(
    assistant: Assistant, question: str, first: str
) -> None:
    _, reply = ask(assistant, question)
    assert reply.startswith(first), reply


def test_sending_evidence_is_the_report_dialog(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("toi muon gui minh chung anh chup man hinh")
    assert "/start" in chat.text() or "/baocao" in chat.text(), chat.text()


def test_a_task_named_bare_gets_its_own_clause_and_date_first(assistant: Assistant) -> None:
    """Not only Sở TT&TT's guiding of it (Mục 2.b), which matches its words best."""
    answer, reply = ask(assistant, "chuyen he thong thong tin ve trung tam du lieu tinh")
    assert answer.citations[0] == "Mục 1.c" and "31/12/2019" in reply and "Mục 2.b" in reply


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("han kien toan BCD chinh quyen dien tu", "Kiện toàn Ban chỉ đạo"),
        ("khi nào phải báo cáo sự cố ATTT", "Kịp thời báo cáo UBND tỉnh"),
    ],
)
def test_when_of_a_topics_task_is_a_date_question(
    assistant: Assistant, question: str, first: str
) -> None:
    """«hạn …» first asks a date; «khi nào …» of a topic is not its overview."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "deadline" and reply.startswith(first), reply


def test_how_many_agencies_are_given_duties_is_counted_from_the_duties(
    assistant: Assistant,
) -> None:
    catalog = assistant.core.qa.catalog
    given = {a for _, d in catalog.duties.values() for a in (*d.addressees, *d.lead)}
    answer, reply = ask(assistant, "có bao nhiêu cơ quan được giao nhiệm vụ")
    assert answer.kind == "duty_count" and f"cho {len(given)} cơ quan" in reply, reply
    assert all(catalog.agencies[a].short_name in reply for a in given), reply


@pytest.mark.parametrize(
    "question",
    [
        "cho hỏi về chữ ký số",  # a polite opening, not a request for help
        "nâng cao nhận thức là gì",  # a topic, whatever words the classifier took for help
        "nội dung về báo cáo",  # the directive's rules on reporting, not a report
        "quy dinh ve che do bao cao",
        "về trung tâm dữ liệu của tỉnh chỉ thị chỉ đạo những gì",
    ],
)
def test_topics_asked_in_everyday_words_get_their_overview(
    assistant: Assistant, question: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "topic_overview", reply


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("ai phải ưu tiên rút ngắn thời gian xử lý hồ sơ trực tuyến", "Mục 1.d"),
        ("ai phải chỉ đạo 100% công việc trên hệ thống quản lý văn bản được lập hồ sơ", "Mục 1.b"),
        ("cơ quan nào chỉ đạo cung cấp thông tin theo Nghị định 43", "Mục 1.a"),
        (
            "cơ quan nào chỉ đạo cấp xã bố trí cán bộ phụ trách CNTT, ưu tiên cán bộ trẻ",
            "Mục 2.f",
        ),
    ],
)
def test_who_does_a_task_is_answered_with_who(
    assistant: Assistant, question: str, clause: str
) -> None:
    """Not the sentence alone, the figure or the cited decree the task names; «trẻ»
    (young) is not «trễ» (late): no progress summary."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "responsible" and clause in answer.citations, reply
    assert "chịu trách nhiệm" in reply.split("\n")[0], reply


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Sở TT&TT dùng phần mềm quản lý văn bản của hãng nào", "hãng, nhà cung cấp"),
        ("nhà cung cấp chữ ký số chuyên dùng là ai", "hãng, nhà cung cấp"),
        ("ai là giám đốc trung tâm dữ liệu", "họ tên"),
    ],
)
def test_makers_and_post_holders_are_refused_by_name(
    assistant: Assistant, question: str, named: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "refusal" and named in reply, reply
    # Equipment of unknown make is what Mục 1.f speaks of: not a question of makers.
    answer, _ = ask(assistant, "máy móc trôi nổi không biết hãng nào có được lắp cho cơ quan không")
    assert answer.kind != "refusal"


@pytest.mark.parametrize(
    "question",
    ["sao lưu dữ liệu định kỳ bao lâu một lần theo chỉ thị", "hạn nộp thuế là khi nào"],
)
def test_when_of_something_no_duty_matches_is_not_every_deadline(
    assistant: Assistant, question: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "refusal" and "31/12/2019" not in reply, reply


@pytest.mark.parametrize(
    "question", ["những việc nào có thời hạn", "liệt kê các deadline", "có những hạn nào sắp tới"]
)
def test_every_deadline_asked_for_is_listed(assistant: Assistant, question: str) -> None:
    answer, _ = ask(assistant, question)
    assert answer.kind == "deadline_list"


def test_a_topics_rules_asked_hesitantly_get_its_overview(assistant: Assistant) -> None:
    """«chế độ báo cáo … thế nào»: the classifier's guess of a deadline, unsure, does
    not make it a «when» question."""
    answer, reply = ask(assistant, "che do bao cao thuc hien chi thi the nao")
    assert answer.kind == "topic_overview" and "hàng quý" in reply, reply


@pytest.mark.parametrize(
    "question", ["các huyện ủy, thành ủy có phải làm gì không?", "huyen uy phai lam gi"]
)
def test_a_body_named_only_among_the_recipients_has_no_duty(
    assistant: Assistant, question: str
) -> None:
    """Not the districts' People's Committees («các huyện» of «các huyện ủy»): the
    directive only sends it the text, and says why."""
    line = next(r for r in assistant.core.qa.catalog.kb.directives[0].recipients if "ủy," in r)
    answer, reply = ask(assistant, question)
    assert answer.kind == "metadata" and line.rstrip(";. ") in reply, reply
    assert "phối hợp chỉ đạo" in reply and "Mục 2.f" not in reply, reply


def test_a_wrong_date_given_for_a_duty_is_said_wrong_with_its_own(assistant: Assistant) -> None:
    """Not the staff list due on the date given: the commune websites' own date."""
    answer, reply = ask(assistant, "trang tt dien tu cap xa xong truoc 31/5 phai ko")
    assert answer.kind == "deadline" and reply.startswith("Không phải 31/5"), reply
    assert "30/6/2019" in reply and "31/5/2019" not in reply, reply
    answer, reply = ask(assistant, "hạn 31/5/2019 là việc gì")
    assert "31/5/2019" in reply and "danh sách" in reply, reply


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        # Named by its issuer or its subject.
        ("chi thi cua Thu tuong ve chu ky so chuyen dung la so may", "02/CT-TTg"),
        ("quyết định nào thành lập ban chỉ đạo", "1987/QĐ-UBND"),
        # "văn bản" stands for any type of document.
        ("số hiệu văn bản thành lập BCĐ", "1987/QĐ-UBND"),
        ("chỉ thị nào về chữ ký số", "02/CT-TTg"),
        # By its number and year: not the directive's own date.
        ("Nghị định 43/2011 ban hành ngày nào", "13/6/2011"),
        # What it holds of it, said so.
        ("quyet dinh 1987 gom nhung thanh vien nao", "không nêu nội dung chi tiết"),
    ],
)
def test_a_cited_document_asked_about(assistant: Assistant, question: str, wanted: str) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "cited_document" and wanted in reply, reply


def test_who_moves_the_systems_is_the_whole_duty_not_its_exception(assistant: Assistant) -> None:
    """1.c's exception sentence is part of the move's duty: who moves (and by when) is
    that duty's; Sở TT&TT guides it (2.b, its own duty)."""
    answer, reply = ask(assistant, "viec chuyen he thong thong tin ve trung tam du lieu la cua ai")
    assert answer.kind == "responsible" and "Chủ động làm việc với Sở" in reply, reply
    assert "31/12/2019" in reply and "Sở Thông tin và Truyền thông chịu trách nhiệm" in reply


def test_the_common_duties_asked_alone_are_told_with_what_each_heading_holds(
    assistant: Assistant,
) -> None:
    """«các sở ban ngành phải làm gì»: not the headings of Mục 1 alone, but each with its
    duties and dates."""
    catalog = assistant.core.qa.catalog
    group = catalog.agencies["all_departments"]
    answer, reply = ask(assistant, "cac so ban nganh phai lam gi a")
    assert answer.kind == "duties", reply
    general = [a.duty for a in catalog.assignments(group) if a.role == "lead"]
    titles = [d.title[:1].lower() + d.title[1:] for d in general]
    assert all(t in reply or t[:1].upper() + t[1:] in reply for t in titles), reply
    assert "31/12/2019" in reply


def test_an_agency_asked_whether_it_must_do_its_own_duty_hears_yes_first(
    assistant: Assistant,
) -> None:
    _, reply = ask(assistant, "Sở Nội vụ có phải lồng ghép nd chỉ thị vào bộ tiêu chí CCHC ko")
    assert reply.startswith("Có: đây là nhiệm vụ của Sở Nội vụ") and "Mục 2.d" in reply, reply


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("trang ttdt xa han bao gio, con ds can bo cntt han bao gio", ["30/6/2019", "31/5/2019"]),
        (
            "STTTT bao cao UBND tinh bao lau 1 lan va long ghep ket qua voi chi so nao",
            ["hàng quý", "ICT Index"],
        ),
        (
            "han chuyen he thong ve ttdl la bao gio va neu ko chuyen dc thi bao cao ai",
            ["31/12/2019", "UBND tỉnh"],
        ),
    ],
)
def test_parts_ending_in_bao_gio_or_bao_lau_are_each_answered(
    assistant: Assistant, question: str, wanted: list[str]
) -> None:
    """«bao giờ», «bao lâu … lần» end a question as «gì» does; «lồng ghép kết quả»
    asks of no result of the preamble."""
    chat = Chat(assistant)
    chat.send(question)
    reply = chat.text()
    assert all(w in reply for w in wanted), reply
    assert "286 camera" not in reply and reply.count("Xem nguyên văn Mục 1.c") <= 1, reply


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("ban hanh ct nay de lam gi vay", "Để khắc phục"),
        ("ct 06 gom may phan chinh", "2 mục"),
        ("sự cố attt thì phải báo cáo trong vòng bao nhiêu giờ ạ", "Kịp thời"),
        ("qd thanh lap bcd xd cqdt tinh so bn", "1987/QĐ-UBND"),
        ("cong dvc tinh co bao nhieu dv muc 3 4", "819"),
        ("tp bac ninh gui ds can bo cntt phuong qua sttt, han 30/6 dung ko", "31/5/2019"),
    ],
)
def test_wordings_officials_type_find_their_answer(
    assistant: Assistant, question: str, wanted: str
) -> None:
    answer, reply = ask(assistant, question)
    assert wanted in reply and answer.kind != "refusal", reply


def test_a_duty_saying_not_to_is_no_yes(assistant: Assistant) -> None:
    _, reply = ask(
        assistant, "Sở TTTT có được triển khai hạ tầng CNTT dùng riêng cho từng cơ quan ko"
    )
    assert not reply.startswith("Có") and "không triển khai hạ tầng" in reply, reply


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        (
            "e ở thị xã Từ Sơn, cho e hỏi ubnd tx co phai chỉ đạo lập trang ttđt cho phường xã ko, "
            "hạn bao giờ",
            "30/6/2019",
        ),
        ("e là cb xã, ct 06 bắt xã mình phải làm gì ạ", "trang thông tin điện tử cấp xã"),
        ("ubnd các huyện tx tp phải làm gì theo mục 2", "Kiện toàn Ban chỉ đạo"),
        (
            "Đề nghị nêu các nhiệm vụ cụ thể của UBND các huyện, thị xã, thành phố tại Chỉ thị "
            "06/CT-UBND.",
            "Kiện toàn Ban chỉ đạo",
        ),
        (
            "anh chị cho hỏi Sở Y tế có phải thực hiện CT 06 không, sở em ko thấy tên trong mục 2",
            "Sở Y tế: không có nhiệm vụ riêng",
        ),
    ],
)
def test_an_agency_asked_in_an_officials_words_gets_its_duties(
    assistant: Assistant, question: str, wanted: str
) -> None:
    """A polite opening («cho e hỏi»), the asker's place («e là cb xã»), wards with
    communes («phường xã»), a clause named with the agency: its duties, not a refusal
    nor the clause's headings."""
    answer, reply = ask(assistant, question)
    assert wanted in reply and answer.kind in ("duties", "deadline"), reply


def test_an_agency_without_duties_on_a_topic_is_told_whose_they_are(assistant: Assistant) -> None:
    _, reply = ask(assistant, "snv có phải bố trí kinh phí cho ct này ko anh")
    assert "không giao nhiệm vụ riêng" in reply and "Sở Tài chính (Mục 2.c)" in reply, reply


def test_an_agencys_duty_asked_with_the_directive_named_is_no_header(assistant: Assistant) -> None:
    """«… tiêu chí của chỉ thị vào đâu» asks no fact of the header (signer, date…)."""
    answer, reply = ask(assistant, "so noi vu long ghep tieu chi cua chi thi vao dau")
    assert answer.kind != "metadata" and "cải cách hành chính" in reply, reply


def test_which_kind_of_a_topics_thing_is_its_sentence(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "cks chuyen dung dung cho nhung loai giao dich nao")
    assert answer.kind == "passages" and "loại hình giao dịch điện tử" in reply, reply


def test_a_topics_overview_lists_first_what_the_question_names(assistant: Assistant) -> None:
    """«Ban biên tập» is an alias of the websites' topic: its duty first (Mục 2.f)."""
    _, reply = ask(assistant, "ban bien tap trang TTDT chi thi yeu cau gi")
    first = reply.split("\n")[1]
    assert "Ban biên tập" in first, reply


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("a oi chuyen cks cong cong sang chuyen dung co han ko", "không quy định thời hạn"),
        ("ban chi dao cntt cap huyen gio doi thanh gi", "Ban chỉ đạo xây dựng Chính quyền"),
    ],
)
def test_whether_a_task_has_a_deadline_and_what_a_body_became(
    assistant: Assistant, question: str, wanted: str
) -> None:
    _, reply = ask(assistant, question)
    assert wanted in reply, reply


def test_whether_one_can_report_through_the_assistant_is_how_to_report(
    assistant: Assistant,
) -> None:
    answer, reply = ask(assistant, "em bao cao tinh hinh su dung cks cua so qua bot dc ko")
    assert answer.kind == "request" and "/baocao" in reply and "719" not in reply, reply


def test_a_heads_personal_responsibility_on_a_topic_is_that_sentence(
    assistant: Assistant,
) -> None:
    _, reply = ask(
        assistant,
        "chủ tịch ubnd huyện có phải chịu trách nhiệm cá nhân về việc cung cấp thông tin "
        "trên mạng ko",
    )
    assert "chịu trách nhiệm cá nhân trước Chủ tịch UBND tỉnh" in reply and "Mục 1.a" in reply
    assert "Ban biên tập" not in reply, reply


def test_a_short_tail_after_a_semicolon_is_quoted_with_its_sentence(assistant: Assistant) -> None:
    """«…; đảm bảo tiết kiệm, phát huy hiệu quả» ends Mục 2.c: not cut from the quote."""
    _, reply = ask(assistant, "ct06 co yeu cau gi ve su dung kinh phi")
    assert "tiết kiệm, phát huy hiệu quả" in reply and "Mục 2.c" in reply, reply


def test_a_shortcoming_asked_what_is_done_about_it_gets_the_remedies(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("một số đơn vị vẫn duy trì hạ tầng riêng thì CT xử lý ntn")
    reply = chat.text()
    assert "duy trì hạ tầng hệ thống thông tin riêng" in reply, reply
    assert "Mục 1.c" in reply and "không triển khai hạ tầng" in reply, reply


def test_the_shortcomings_on_a_topic_are_those_naming_it(assistant: Assistant) -> None:
    _, reply = ask(assistant, "hạn chế về chữ ký số là gì")
    assert reply.count("•") == 1 and "Chữ ký số chuyên dùng Chính phủ chưa" in reply, reply
    _, reply = ask(assistant, "Chỉ thị nêu những hạn chế, bất cập nào trong ứng dụng CNTT?")
    assert reply.count("•") >= 5, reply


def test_a_figure_is_no_answer_to_what_is_special_about_a_system(assistant: Assistant) -> None:
    """No quantity asked: the results on that system (shared by 3 levels, one software)."""
    _, reply = ask(assistant, "hệ thống QLVB điều hành của tỉnh có gì đặc biệt")
    assert "3 cấp" in reply and "01 phần mềm" in reply, reply


def test_a_thing_the_directive_never_names_gets_no_nearest_sentence(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "zalo co duoc dung de gui van ban mat ko")
    assert answer.kind == "not_mentioned" and "«" not in reply.split("»", 1)[1], reply


def test_the_body_a_report_goes_to_is_not_the_one_asked_of(assistant: Assistant) -> None:
    _, reply = ask(assistant, "Sở TT&TT có phải báo cáo UBND tỉnh hàng quý không")
    assert reply.startswith("Có: đây là nhiệm vụ của Sở TT&TT"), reply


@pytest.mark.parametrize(
    ("question", "wanted", "unwanted"),
    [
        ("nhac e han nop ds can bo cntt xa nhe", "lời nhắc", "Nguyên văn"),
        ("bi su co attt thi bao cao trong bao lau", "Kịp thời", "hàng quý"),
        ("Chỉ thị gồm những phần nhiệm vụ nào?", "Nhiệm vụ cụ thể", "Người ký"),
        ("chi thi gom may phan", "Nhiệm vụ cụ thể", "Người ký"),
        (
            "Sở Y tế không được nêu tên trong Chỉ thị 06/CT-UBND thì Giám đốc Sở Y tế có phải "
            "thực hiện Chỉ thị không?",
            "Mục 1",
            "họ tên",
        ),
        (
            "Dạ, đơn vị chúng tôi chưa cập nhật kịp thời thay đổi bộ thủ tục hành chính thì "
            "Chỉ thị nói thế nào ạ?",
            "Mục 1.d",
            "Người ký",
        ),
    ],
)
def test_wordings_from_trial_11k(
    assistant: Assistant, question: str, wanted: str, unwanted: str
) -> None:
    """«nhắc e» asks for a reminder; «trong bao lâu» after an event is no recurrence;
    «gồm những phần nhiệm vụ» asks the parts; «được nêu tên» asks no person's name;
    a shortcoming asked «nói thế nào» gets what is done about it."""
    chat = Chat(assistant)
    chat.send(question)
    reply = chat.text()
    assert wanted in reply and unwanted not in reply, reply


@pytest.mark.parametrize(
    "wording", ["thời hạn {}", "{} có hạn không", "{} hạn khi nào", "{} trước ngày nào"]
)
def test_a_duty_asked_by_when_in_so_many_words_gets_its_timing(
    assistant: Assistant, wording: str
) -> None:
    """Whatever kind the classifier, sure of itself, read in the duty's own words."""
    catalog = assistant.core.qa.catalog
    duty = next(d for _, d in catalog.duties.values() if d.timing.kind == "recurring")
    answer, _ = ask(assistant, wording.format(duty.title))
    assert answer.kind == "deadline" and catalog.duty_clause_label(duty) in answer.citations


@pytest.mark.parametrize(
    ("question", "verdict", "due"),
    [
        (
            "Dạ xã tôi đến tháng 7 năm 2019 mới xong trang thông tin điện tử thì có kịp hạn "
            "không ạ?",
            "Không kịp hạn",
            "30/6/2019",
        ),
        (
            "Nếu đến tháng 1/2020 đơn vị mới chuyển xong hệ thống về Trung tâm dữ liệu thì có "
            "đúng hạn không?",
            "Không kịp hạn",
            "31/12/2019",
        ),
        ("ngày 15/6/2019 xong trang ttđt xã có kịp không", "Kịp hạn", "30/6/2019"),
        # Asked of today: the answer is rendered today, years after the dates.
        (
            "Hôm nay còn kịp nộp danh sách cán bộ phụ trách CNTT cấp xã không?",
            "Không còn kịp",
            "31/5/2019",
        ),
    ],
)
def test_whether_a_day_or_month_given_is_in_time_for_the_duty_named(
    assistant: Assistant, question: str, verdict: str, due: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "deadline" and reply.startswith(verdict) and due in reply, reply


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        (
            "Dạ cho tôi hỏi hạn gửi danh sách cán bộ CNTT xã và hạn làm xong trang thông tin "
            "điện tử xã là ngày nào ạ?",
            ["31/5/2019", "30/6/2019"],
        ),
        ("co bn dvc muc 3,4 va dvc truc tuyen phai uu tien j", ["819", "rút ngắn"]),
        # "…, còn X", "…, trong đó Y", "… với lại …": a second count.
        ("đã cấp bao nhiêu tài khoản thư điện tử, còn camera bao nhiêu cái", ["9.289", "286"]),
        ("tong so chu ky so da cap la bao nhieu, trong do cua ca nhan bao nhieu", ["719", "350"]),
        ("ky so cua co quan to chuc bao nhieu voi lai camera bao nhieu", ["369", "286"]),
    ],
)
def test_both_parts_after_a_polite_opening_or_a_number(
    assistant: Assistant, question: str, wanted: list[str]
) -> None:
    chat = Chat(assistant)
    chat.send(question)
    reply = chat.text()
    assert all(w in reply for w in wanted), reply


def test_what_the_directive_requires_about_a_shortcoming_comes_first(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("cap nhat quy trinh dvc truc tuyen tren cong dvc tinh thi chi thi yeu cau the nao")
    reply = chat.text()
    assert reply.index("Mục 1.d") < reply.index("bất cập, hạn chế"), reply


def test_the_measures_a_topic_lists_are_its_overview(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "cac bien phap dam bao attt chi thi neu ra")
    assert answer.kind == "topic_overview" and "Windows" in reply, reply


def test_a_sentence_of_a_clause_headed_by_its_doer_says_who(assistant: Assistant) -> None:
    _, reply = ask(
        assistant,
        "Nội dung Chỉ thị được gắn với chỉ số cải cách hành chính (PAR Index) như thế nào?",
    )
    assert "Mục 2.d (Sở Nội vụ)" in reply, reply


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("Doanh nghiệp nào cung cấp chữ ký số chuyên dùng Chính phủ cho tỉnh?", "nhà cung cấp"),
        ("Phần mềm quản lý văn bản của tỉnh do công ty nào cung cấp?", "nhà cung cấp"),
        ("Quy chuan ky thuat cua camera giam sat la gi?", "quy chuẩn"),
        ("Luật An toàn thông tin mạng có những nội dung chính nào?", "Luật An toàn thông tin mạng"),
        ("Chỉ thị 06/CT-UBND thay thế chỉ thị nào trước đó?", "không nêu văn bản nào"),
        (
            "Danh sách 819 dịch vụ công mức độ 3, 4 gồm những dịch vụ nào?",
            "không nêu danh sách",
        ),
        ("Mỗi xã phải bố trí bao nhiêu cán bộ phụ trách CNTT?", "số cán bộ"),
        (
            "Chỉ thị 02/CT-TTg yêu cầu các bộ, ngành trung ương làm gì?",
            "không nêu nội dung chi tiết",
        ),
    ],
)
def test_what_the_text_does_not_give_though_its_words_are_near(
    assistant: Assistant, question: str, wanted: str
) -> None:
    """A supplier, a standard, a law, a replaced document, a list behind a count, a
    number of staff, what a cited document itself says: said not given, by name."""
    _, reply = ask(assistant, question)
    assert wanted in reply, reply


@pytest.mark.parametrize(
    ("question", "purpose"),
    [
        ("Danh sách cán bộ CNTT cấp xã gửi về Sở TTTT để làm gì?", "Để tổng hợp, có kế hoạch"),
        ("Đài PT-TH tỉnh tuyên truyền về ứng dụng CNTT nhằm mục đích gì?", "Góp phần nâng cao"),
        (
            "SNV xây dựng quy định lưu trữ văn bản điện tử để làm gì",
            "Để thuận lợi cho việc tra cứu",
        ),
    ],
)
def test_what_a_duty_is_for_is_the_purpose_its_sentence_states(
    assistant: Assistant, question: str, purpose: str
) -> None:
    _, reply = ask(assistant, question)
    assert reply.startswith("Mục đích (Mục") and purpose in reply, reply


def test_a_yes_no_whose_words_one_sentence_holds_apart_gets_that_sentence(
    assistant: Assistant,
) -> None:
    """Chữ ký số on mobile devices: no duty, but a shortcoming of the preamble says it."""
    answer, reply = ask(
        assistant, "Chỉ thị có yêu cầu áp dụng chữ ký số trên thiết bị di động không?"
    )
    assert answer.kind == "passages" and "thiết bị di động" in reply, reply
    assert "bất cập, hạn chế" in reply, reply


def test_which_bodies_share_a_system_is_not_its_topics_overview(assistant: Assistant) -> None:
    answer, _ = ask(
        assistant,
        "Hệ thống Quản lý văn bản và điều hành của tỉnh được dùng chung cho những cơ quan nào?",
    )
    assert answer.kind != "topic_overview"


def test_why_a_duty_is_the_shortcoming_it_answers(assistant: Assistant) -> None:
    _, reply = ask(
        assistant, "Vì sao phải chuyển hệ thống thông tin về Trung tâm dữ liệu của tỉnh?"
    )
    assert reply.startswith("Lý do") and "duy trì hạ tầng" in reply, reply


def test_how_many_general_duties_is_the_parts_points(assistant: Assistant) -> None:
    for question in ("chỉ thị có mấy nhiệm vụ chung", "Chỉ thị có bao nhiêu nhiệm vụ chung?"):
        answer, reply = ask(assistant, question)
        assert answer.kind == "structure" and answer.citations == ("Mục 1",), reply
        assert reply.startswith("Mục 1 (Nhiệm vụ chung) của Chỉ thị 06/CT-UBND có 6 điểm"), reply
        assert "• Mục 1.f: Tăng cường đảm bảo an toàn thông tin" in reply, reply


@pytest.mark.parametrize(
    ("question", "district"),
    [
        ("Phòng Nội vụ huyện Tiên Du có nhiệm vụ gì", "UBND huyện Tiên Du"),
        ("phòng tài chính kế hoạch huyện yên phong phải làm gì", "UBND huyện Yên Phong"),
    ],
)
def test_a_districts_division_named_like_a_department_is_of_that_district(
    assistant: Assistant, question: str, district: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "duties" and reply.startswith(district), reply


def test_how_many_communes_is_not_the_count_of_levels(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "tỉnh có bao nhiêu xã phường")
    assert answer.kind == "refusal" and "3 cấp" not in reply, reply


def test_a_duty_only_joined_is_not_said_led(assistant: Assistant) -> None:
    """Sở Nội vụ «phối hợp xây dựng» the rules on digital signatures (2.d): no lead."""
    _, reply = ask(
        assistant,
        "Cơ quan nào chủ trì xây dựng quy định về quản lý, sử dụng chữ ký số chuyên dùng?",
    )
    assert "Sở Nội vụ phối hợp thực hiện" in reply and "chịu trách nhiệm" not in reply, reply


def test_showing_progress_is_the_askers_own(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "xem tien do thuc hien cac nhiem vu")
    assert answer.kind == "request" and "/tiendo" in reply and "Mục" not in reply, reply


@pytest.mark.parametrize(
    "question",
    [
        "Sở Tài chính phối hợp với sở nào",
        "Cùng Sở Tài chính lo nguồn tiền thực hiện chỉ thị còn có sở nào?",
    ],
)
def test_who_an_agency_works_with_is_who_shares_its_duties(
    assistant: Assistant, question: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "responsible" and "Sở KH&ĐT" in reply and "Mục 2.c" in reply, reply


def test_the_summary_asked_in_a_thread_is_the_directives(assistant: Assistant) -> None:
    """Not an overview of the last question's topic (kinh phí)."""
    chat = Chat(assistant)
    chat.send("Sở Tài chính phối hợp với sở nào")
    chat.send("tóm tắt chỉ thị")
    assert "Nội dung chính" in chat.text(), chat.text()


@pytest.mark.parametrize(
    ("question", "clause", "period"),
    [
        ("cho em hỏi stttt có phải báo cáo ubnd tỉnh định kỳ ko, bao lâu 1 lần ạ", "2.b", "quý"),
        ("báo cáo định kỳ bao lâu 1 lần", "2.b", "quý"),
        ("kinh phí bố trí định kỳ thế nào", "2.c", "năm"),
    ],
)
def test_how_often_is_the_recurring_duty_of_who_or_what_is_named(
    assistant: Assistant, question: str, clause: str, period: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "deadline" and f"Mục {clause}" in reply, reply
    assert f"hàng {period}" in reply.split("\n")[0], reply


def test_the_agency_a_report_goes_to_is_not_the_one_asked_of(assistant: Assistant) -> None:
    """«báo cáo UBND tỉnh»: UBND tỉnh receives, Sở TT&TT is asked of."""
    answer, reply = ask(assistant, "cho em hỏi stttt có phải báo cáo ubnd tỉnh định kỳ ko")
    assert answer.kind == "duties" and "Mục 2.b" in reply, reply
    assert "Ủy ban nhân dân tỉnh Bắc Ninh —" not in reply, reply


def test_a_hesitant_header_asking_none_of_its_facts_is_not_the_header(
    assistant: Assistant,
) -> None:
    """«gửi văn bản qua Zalo»: how documents are sent (Mục 1.b's subject), not where
    the directive went nor its whole header."""
    answer, reply = ask(
        assistant, "Dạ có được gửi văn bản qua Zalo cho nhanh ko ạ, chỉ thị có nói j ko"
    )
    assert answer.kind == "not_mentioned" and "Nơi nhận" not in reply, reply
    assert "Người ký" not in reply, reply
    # Asked of the document, its year aside, it stays the header.
    answer, reply = ask(assistant, "chỉ thị 06 năm 2021 quy định gì")
    assert answer.kind == "metadata", reply


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("cks cong cong co dc dung tiep ko", "Mục 1.e"),
        ("Có được mua thiết bị, phần mềm có nguồn gốc xuất xứ không tin cậy không?", "Mục 1.f"),
        ("Có được dùng thiết bị, phần mềm có nguồn gốc không rõ ràng không?", "Mục 1.f"),
        ("Chỉ thị có nói gì về tránh chồng chéo các đề án, dự án CNTT ko?", "Mục 2.b"),
        ("Hạ tầng CNTT dùng riêng của các cơ quan có được triển khai nữa không?", "Mục 2.b"),
        # Words asking of the directive in general do not hide the subject's sentences.
        ("Chỉ thị có yêu cầu gì về phần mềm không?", "Mục 1.f"),
    ],
)
def test_a_subject_the_text_says_in_other_everyday_words_is_answered(
    assistant: Assistant, question: str, clause: str
) -> None:
    """«tránh» (the text: «không»), «mua» («sử dụng»), «dùng tiếp», «nữa»: not «không đề
    cập» of what the sentence quoted says."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "passages" and clause in reply, reply
    assert "không đề cập" not in reply, reply


@pytest.mark.parametrize(
    ("question", "said"),
    [
        (
            "Nghị định 43/2011 quy định trang thông tin điện tử phải có những mục thông tin nào ạ?",
            "không nêu nội dung chi tiết",
        ),
        ("Chỉ thị 02/CT-TTg có bao nhiêu nhiệm vụ cụ thể?", "không nêu nội dung chi tiết"),
        ("Nghị định 43/2011 đã bị thay bằng nghị định nào rồi", "còn hiệu lực hay đã được"),
    ],
)
def test_what_a_cited_document_holds_is_not_the_directives_own_parts(
    assistant: Assistant, question: str, said: str
) -> None:
    """«những mục», «bao nhiêu nhiệm vụ» of a cited document: not the directive's
    structure; nor its standing today, which a text of 2019 cannot tell."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "cited_document" and said in reply, reply
    assert "có 2 mục" not in reply, reply


def test_which_number_and_machines_are_no_counts(assistant: Assistant) -> None:
    """«số mấy» asks the document's number; «máy tính» is a machine, not «mấy»."""
    answer, reply = ask(
        assistant, "Chỉ thị về tăng cường ứng dụng CNTT của Bắc Ninh số mấy, ban hành ngày nào?"
    )
    assert answer.kind == "metadata" and "06/CT-UBND" in reply and "19/4/2019" in reply, reply
    answer, reply = ask(
        assistant, "Chủ tịch UBND các huyện phải làm gì về máy tính để đảm bảo ATTT?"
    )
    assert answer.kind == "duties" and "Windows có bản quyền" in reply, reply
    # An English word officials use: "migrate" is «di chuyển».
    answer, reply = ask(assistant, "Deadline migrate hệ thống về data center của tỉnh?")
    assert answer.kind == "deadline" and "31/12/2019" in reply, reply


@pytest.mark.parametrize(
    ("question", "subject", "clause"),
    [
        (
            "Dùng Windows bản quyền thì bắt buộc Windows 10 hay Win 11 ạ?",
            "Windows 10 hay Win 11",
            "Mục 1.f",
        ),
        ("Windows có bản quyền thì mua bản Pro hay Home ạ?", "Pro hay Home", "Mục 1.f"),
        (
            "Khi có sự cố mất ATTT thì phải báo cáo trong vòng bao nhiêu giờ?",
            "bao nhiêu giờ",
            "Mục 1.f",
        ),
        (
            "camera giám sát đặt ở những điểm nào cụ thể",
            "những điểm nào cụ thể",
            "kết quả đạt được",
        ),
    ],
)
def test_a_detail_the_sentence_found_does_not_give_is_said_not_mentioned(
    assistant: Assistant, question: str, subject: str, clause: str
) -> None:
    """A choice, a number of hours, specifics where the text says «một số»: said not
    given, the sentence following as the nearest one."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "not_mentioned" and subject in reply.split("\n")[0], reply
    assert "Đoạn gần nhất" in reply and clause in reply, reply


def test_a_choice_the_text_makes_is_answered(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "Chữ ký số công cộng hay chuyên dùng?")
    assert answer.kind != "not_mentioned" and "Mục 1.e" in reply, reply


def test_the_signer_named_is_no_unknown_person(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "ông Nguyễn Tiến Nhường ký chỉ thị với chức vụ gì?")
    assert answer.kind == "metadata" and "Phó Chủ tịch" in reply, reply


@pytest.mark.parametrize(
    "question",
    [
        "Văn phòng Chính phủ có phải làm gì theo chỉ thị 06 không?",
        "Bo Thong tin va Truyen thong co nhiem vu gi trong chi thi nay",
    ],
)
def test_a_body_only_sent_the_directive_is_told_why(assistant: Assistant, question: str) -> None:
    """No duty; «Nơi nhận» sends it the directive «(b/c)», to report to."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "duties" and "không giao nhiệm vụ riêng" in reply, reply
    assert "Nơi nhận" in reply and "để báo cáo" in reply, reply
    assert "Phần đầu và phần ký của văn bản" in answer.citations


def test_the_issuer_is_told_whom_the_common_duties_go_to(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "Chủ tịch UBND tỉnh giao nhiệm vụ chung cho những ai?")
    assert "Mục 1 (Nhiệm vụ chung) giao cho: Giám đốc các sở" in reply, reply
    answer, reply = ask(
        assistant, "Don vi thuoc UBND tinh phai lam gi khi xay ra su co mat an toan thong tin?"
    )
    first = reply.split("\n")[0]
    assert answer.kind == "duties" and first.startswith("Các sở, ban, ngành"), reply
    assert "Mục 1.f" in reply, reply


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("cac he thong thong tin nao uu tien chuyen ve ttdl tinh truoc", "ngân sách nhà nước"),
        ("Những chỉ số đánh giá nào bị ảnh hưởng khi cung cấp thông tin không kịp thời?", "PAPI"),
    ],
)
def test_a_list_asked_in_a_sentences_own_words_is_that_sentence(
    assistant: Assistant, question: str, said: str
) -> None:
    """Not the topic's overview: one sentence names them («nhất là …», «gồm PAPI, …»)."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "passages" and said in reply.split("\n\n")[0], reply
    # A list of measures is the topic's, not the sentence saying to apply them.
    answer, _ = ask(assistant, "CT 06 yêu cầu những biện pháp gì để đảm bảo ATTT?")
    assert answer.kind == "topic_overview"


def test_the_directives_own_subject_does_not_narrow_an_agencys_duties(
    assistant: Assistant,
) -> None:
    """«Chỉ thị 06 về tăng cường ứng dụng CNTT»: the title's subject is the whole text."""
    answer, reply = ask(
        assistant,
        "Anh chị cho em hỏi với ạ, Sở Kế hoạch và Đầu tư có nhiệm vụ gì trong việc triển khai "
        "Chỉ thị 06 về tăng cường ứng dụng CNTT không ạ?",
    )
    assert answer.kind == "duties" and "kinh phí" in reply and "Mục 2.c" in reply, reply


@pytest.mark.parametrize(
    ("question", "date"),
    [
        (
            "Dạ anh chị cho em hỏi, sở em đang có một phần mềm chạy trên máy chủ riêng, duy trì "
            "bằng ngân sách nhà nước, thì theo chỉ thị phải chuyển lên trung tâm dữ liệu của tỉnh "
            "trước thời điểm nào ạ?",
            "31/12/2019",
        ),
        ("trang tin xa phuong lam xong cham nhat bao h", "30/6/2019"),
    ],
)
def test_by_when_asked_in_other_words_is_a_deadline(
    assistant: Assistant, question: str, date: str
) -> None:
    """«trước thời điểm nào», «chậm nhất bao h» («h» being «giờ» after «bao»)."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "deadline" and date in reply.split("\n")[0], reply


@pytest.mark.parametrize(
    ("question", "kind", "said"),
    [
        ("bc tinh hinh thuc hien ct06 len tinh la dinh ky hay dot xuat", "deadline", "hàng quý"),
        (
            "đang dùng chữ ký số công cộng (mua của nhà cung cấp) thì có phải đổi không",
            "passages",
            "chuyên dùng Chính phủ",
        ),
        ("kiện toàn BCĐ CQĐT xong trước ngày nào", "deadline", "không quy định thời hạn"),
        ("KQ thực hiện chỉ thị có tính vào ICT Index k", "passages", "lồng ghép"),
    ],
)
def test_words_said_in_passing_do_not_turn_the_question(
    assistant: Assistant, question: str, kind: str, said: str
) -> None:
    """«định kỳ hay đột xuất» asks how often, not to report; «nhà cung cấp» said in
    passing asks no supplier; «trước» asks by when, no date of another task; «tính vào»
    is the text's «lồng ghép»."""
    answer, reply = ask(assistant, question)
    assert answer.kind == kind and said in reply, reply


def test_a_level_typed_muc_is_no_clause(assistant: Assistant) -> None:
    answer, _ = ask(assistant, "kích hoạt định danh mức 2 VNeID thế nào")
    assert answer.kind == "refusal"
    answer, _ = ask(assistant, "mục 2 nói gì")
    assert answer.kind == "clause"


def test_who_the_assistant_is_is_its_help(assistant: Assistant) -> None:
    for question in ("bạn là ai vậy", "bot là ai"):
        answer, reply = ask(assistant, question)
        assert answer.kind == "help" and "Trợ lý trả lời" in reply, reply


def test_a_zalo_group_is_refused_by_name_and_zalo_help_is_another_things(
    assistant: Assistant,
) -> None:
    answer, reply = ask(assistant, "có nhóm Zalo nào cho cán bộ CNTT các xã trao đổi ko ạ")
    assert answer.kind == "refusal" and "nhóm Zalo" in reply, reply
    answer, _ = ask(assistant, "hướng dẫn sử dụng zalo cho người già")
    assert answer.kind == "refusal"


def test_a_day_asked_of_a_recurring_duty_is_said_not_given(assistant: Assistant) -> None:
    for question in (
        "Sở TTTT phải nộp báo cáo quý cho UBND tỉnh trước ngày mấy của tháng cuối quý",
        "báo cáo quý nộp vào ngày mấy",
    ):
        answer, reply = ask(assistant, question)
        assert answer.kind == "deadline", reply
        assert reply.startswith("Chỉ thị không quy định ngày cụ thể") and "hàng quý" in reply


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("ty le DVC muc do 4 rieng la bn %", "muc do 4 rieng"),
        ("Có bao nhiêu dịch vụ công mức độ 4 riêng trên cổng dvc tỉnh?", "mức độ 4 riêng"),
    ],
)
def test_one_of_numbers_counted_together_is_said_not_given(
    assistant: Assistant, question: str, subject: str
) -> None:
    """The text counts «mức độ 3, 4» together: level 4 alone is not given."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "not_mentioned" and subject in reply.split("\n")[0], reply
    assert "819" in reply or "46%" in reply, reply


def test_who_sits_on_a_body_is_refused_by_name(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "Thành viên BCĐ xây dựng chính quyền điện tử tỉnh gồm những ai")
    assert answer.kind == "refusal" and "thành viên" in reply, reply


def test_the_rest_of_a_dated_sentence_asked_second_is_answered(assistant: Assistant) -> None:
    """The deadline quotes only its date's piece of Mục 1.c: «nếu không thể chuyển thì
    phải làm gì» asks the rest (báo cáo UBND tỉnh)."""
    answer, reply = ask(
        assistant, "Hạn chuyển hệ thống lên TTDL là khi nào, nếu không thể chuyển thì phải làm gì?"
    )
    later = "\n".join(assistant.renderer.render(r) for r in answer.also)
    assert reply.startswith("Hạn: trước ngày 31/12/2019"), reply
    assert "không thể thực hiện phải báo cáo UBND tỉnh" in later, later


@pytest.mark.parametrize(
    "question",
    [
        "cac so ban nganh phai lam viec voi ai de chuyen he thong ve ttdl tinh",
        "các ban ngành thuộc tỉnh có phải làm việc với Sở TTTT về chuyển hệ thống thông tin k",
    ],
)
def test_whom_the_move_to_the_data_centre_is_planned_with(
    assistant: Assistant, question: str
) -> None:
    """Mục 1.c: the sở, ngành plan it with Sở TT&TT («làm việc với»: the partner, not
    the agency asked of)."""
    _, reply = ask(assistant, question)
    assert "Mục 1.c" in reply and ("Sở TT&TT lập kế hoạch" in reply or "làm việc với Sở" in reply)
    assert not reply.startswith("Sở Thông tin và Truyền thông:"), reply


def test_a_count_the_text_lists_after_gom_is_counted(assistant: Assistant) -> None:
    """No figure counts the provincial indices; «… gồm PAPI, PCI, PAR index, ICT Index»
    lists four. What no list counts stays «không đề cập»."""
    answer, reply = ask(assistant, "mấy chỉ số đánh giá cấp tỉnh")
    assert answer.kind == "figure" and reply.startswith("4 chỉ số: PAPI, PCI, PAR index, ICT Index")
    answer, reply = ask(assistant, "tỉnh có bao nhiêu huyện")
    assert answer.kind == "refusal" and "số huyện" in reply, reply


def test_an_index_score_asked_with_bn_is_the_index(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "diem PAPI 2018 cua Bac Ninh la bn")
    assert answer.kind == "term" and reply.startswith("Chỉ thị không nêu thứ hạng"), reply


def test_a_piece_of_a_dated_task_says_its_date(assistant: Assistant) -> None:
    """The sentence on the systems to move (Mục 1.c) has its date in the next piece."""
    _, reply = ask(
        assistant, "Hệ thống thông tin đang duy trì bằng ngân sách nhà nước thì chỉ thị yêu cầu gì?"
    )
    assert "Mục 1.c" in reply and "Hạn của việc này: trước ngày 31/12/2019" in reply, reply


def test_information_given_late_is_the_texts_not_in_time(assistant: Assistant) -> None:
    _, reply = ask(
        assistant, "Cung cấp thông tin chậm thì ảnh hưởng tới những chỉ số đánh giá nào?"
    )
    assert "PAPI, PCI, PAR index, ICT Index" in reply.split("\n")[1], reply


def test_the_issuer_asked_by_which_is_not_why_it_was_issued(assistant: Assistant) -> None:
    """The FAQ entry «Vì sao UBND tỉnh ban hành Chỉ thị 06?» shares every word but the
    question word: «UBND tỉnh nào ban hành» asks the issuer, «vì sao …» the purpose."""
    answer, reply = ask(assistant, "Chỉ thị 06 do UBND tỉnh nào ban hành?")
    assert answer.kind == "metadata" and reply.startswith("Chỉ thị số 06/CT-UBND do Ủy ban"), reply
    for why in ("vì sao tỉnh ban hành chỉ thị này", "tại sao lại ra chỉ thị 06"):
        _, reply = ask(assistant, why)
        assert "Để khắc phục" in reply and "Người ký" not in reply, (why, reply)


def test_a_recipient_named_before_its_parent_body_is_found(assistant: Assistant) -> None:
    """«Cục KSTTHC – Văn phòng Chính phủ» in Nơi nhận is the Cục, asked by its own name."""
    answer, reply = ask(assistant, "Cuc KSTTHC co trong chi thi ko, lam gi")
    assert answer.kind == "metadata" and "không giao nhiệm vụ cho Cục KSTTHC" in reply, reply
    assert "gửi đến cơ quan này" in reply, reply


def test_a_date_asked_with_nhac_giup_is_answered_then_reminders_explained(
    assistant: Assistant,
) -> None:
    answer, reply = ask(
        assistant,
        "Danh sách cán bộ CNTT cấp xã hạn gửi Sở là ngày nào, anh chị nhắc giúp em với ạ?",
    )
    assert answer.kind == "deadline" and "31/5/2019" in reply and "Mục 2.f" in reply, reply
    (reminders,) = answer.also
    assert "/hanchot" in assistant.renderer.render(reminders)


@pytest.mark.parametrize(
    ("question", "date", "clause"),
    [
        ("Nhắc em hạn nộp danh sách cán bộ CNTT cấp xã với", "31/5/2019", "Mục 2.f"),
        ("nhắc giúp tôi hạn chuyển hệ thống về TTDL", "31/12/2019", "Mục 1.c"),
    ],
)
def test_a_deadline_to_be_reminded_of_is_dated_after_how_reminders_work(
    assistant: Assistant, question: str, date: str, clause: str
) -> None:
    """The request first; the date a reminder would give follows, unquoted."""
    answer, _ = ask(assistant, question)
    assert answer.kind == "request" and "/hanchot" in assistant.renderer.render(answer.reply)
    (dated,) = answer.also
    text = assistant.renderer.render(dated)
    assert date in text and clause in text and "Nguyên văn" not in text, text


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("Chỉ thị đánh giá thế nào về tình hình sử dụng CKS chuyên dùng", ["719", "thường xuyên"]),
        ("thực trạng thành lập BCĐ cấp huyện", ["chưa kiện toàn, thành lập"]),
        # How things stood, asked "đã … rồi không": what the preamble says.
        (
            "Có phải tất cả UBND cấp huyện đều đã thành lập BCĐ xây dựng chính quyền điện tử "
            "rồi không?",
            ["chưa kiện toàn, thành lập"],
        ),
    ],
)
def test_how_the_text_judges_a_topic_is_its_preamble(
    assistant: Assistant, question: str, shown: list[str]
) -> None:
    """Results and shortcomings the preamble states on the topic, not a duty."""
    _, reply = ask(assistant, question)
    assert reply.startswith("Chỉ thị đánh giá ở phần mở đầu"), reply
    assert all(s in reply for s in shown) and "Mục 1" not in reply, reply


def test_assessing_as_a_duty_is_asked_of_its_doer(assistant: Assistant) -> None:
    _, reply = ask(assistant, "ai kiem tra danh gia viec quan ly su dung cks trong tung so")
    assert "Mục 1.e" in reply and "phần mở đầu" not in reply, reply


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("xã nào chưa có trang ttđt", "hơn 30%"),
        ("huyện nào chưa thành lập ban chỉ đạo", "một số UBND cấp huyện"),
    ],
)
def test_bodies_the_text_does_not_name_are_said_unnamed(
    assistant: Assistant, question: str, said: str
) -> None:
    _, reply = ask(assistant, question)
    assert reply.startswith("Chỉ thị 06/CT-UBND không nêu tên từng"), reply
    assert said in reply, reply


def test_a_second_part_is_of_the_first_parts_subject(assistant: Assistant) -> None:
    """Who guides moving systems to the data centre (Mục 2.b), not Sở TT&TT guiding the
    districts in general (Mục 2.f)."""
    answer, reply = ask(assistant, "Hạn chuyển TTDL khi nào và ai phối hợp hướng dẫn")
    (later,) = (assistant.renderer.render(r) for r in answer.also)
    assert "31/12/2019" in reply and "Mục 2.b" in later and "Mục 2.f" not in later, later


def test_forbidding_is_what_the_text_says_not_to_do(assistant: Assistant) -> None:
    """«cấm» is the text's «Không sử dụng …» (Mục 1.f), no subject it leaves out."""
    _, reply = ask(assistant, "Chỉ thị có cấm dùng thiết bị không rõ nguồn gốc không?")
    assert "Mục 1.f" in reply and "không đề cập" not in reply, reply


def test_an_agencys_undated_duty_asked_by_when_is_not_its_yearly_one(
    assistant: Assistant,
) -> None:
    """Both Sở Tài chính's duties are on funding (Mục 2.c); the guidance asked has no date."""
    _, reply = ask(assistant, "Sở Tài chính phải hướng dẫn quản lý kinh phí trước ngày nào")
    first = reply.split("\n")[0]
    assert first.startswith("Hướng dẫn quản lý") and "không quy định thời hạn" in first, reply


def test_the_common_groups_counted_are_the_points_of_the_common_part(
    assistant: Assistant,
) -> None:
    """Mục 1's points, not the closing paragraph's duty to carry the directive out."""
    catalog = assistant.core.qa.catalog
    points = [c for _, c in catalog.clauses.values() if c.parent == "1"]
    _, reply = ask(assistant, "Sở Nội vụ phải làm gì")
    assert f"{len(points)} nhóm nhiệm vụ chung" in reply.split("\n")[0], reply
    assert "Đoạn kết" in reply, reply


@pytest.mark.parametrize(
    ("question", "line"),
    [
        (
            "Văn phòng Chính phủ có nhận chỉ thị này không, gửi để làm gì?",
            "Văn phòng Chính phủ (b/c)",
        ),
        ("Bộ TT&TT nhận chỉ thị 06 với mục đích gì?", "Bộ Thông tin và Truyền thông (b/c)"),
        (
            "Thuong truc Tinh uy, TT HDND tinh co phai thuc hien chi thi khong"
            " hay chi nhan de bao cao?",
            "TTTU, TTHĐND tỉnh (b/c)",
        ),
    ],
)
def test_what_a_recipient_gets_the_directive_for_is_its_mark(
    assistant: Assistant, question: str, line: str
) -> None:
    """«(b/c)»: sent to it to report to, no duty; one line, not the whole list, and no
    sentence on sending documents (Mục 1.b) for «gửi để làm gì»."""
    answer, reply = ask(assistant, question)
    assert f"«{line}»" in reply and "để báo cáo" in reply, reply
    assert "Nơi nhận: " not in reply and not answer.also, reply


def test_who_in_an_agency_gets_it_is_its_own_line(assistant: Assistant) -> None:
    for question in (
        "Trong VP UBND tỉnh thì những ai được nhận chỉ thị?",
        # The "nhân" of "ủy ban nhân dân" is no "nhận".
        "Các phòng, ban thuộc VP UBND tỉnh có được nhận chỉ thị không",
    ):
        _, reply = ask(assistant, question)
        assert "«Văn phòng UBND tỉnh: Các phòng, ban, đơn vị trực thuộc" in reply, reply


def test_where_it_is_filed_and_its_gazette_entry_are_read_from_the_text(
    assistant: Assistant,
) -> None:
    _, reply = ask(assistant, "Chỉ thị này lưu ở đâu, bộ phận nào lưu ạ?")
    assert "«Lưu: VT, XDCB»" in reply, reply
    _, reply = ask(assistant, "chỉ thị lưu ở bộ phận nào")
    assert "«Lưu: VT, XDCB»" in reply, reply
    _, reply = ask(assistant, "Ngày đăng công báo và số công báo của chỉ thị là gì?")
    assert "Ngày công báo: «Đang cập nhật»" in reply, reply
    _, reply = ask(assistant, "chỉ thị gửi những nơi nào")
    assert "Lưu:" not in reply and "Văn phòng Chính phủ (b/c)" in reply, reply


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("Có quy đinh gì về phần mềm diệt virut ko?", "quét mã độc"),
        ("Có ưu tiên dùng sản phẩm của doanh nghiệp Việt Nam không?", "doanh nghiệp trong nước"),
        ("chi thi noi gi ve thu dien tu cong vu, da cap bao nhieu tk", "9.289"),
    ],
)
def test_everyday_words_for_the_texts_own(assistant: Assistant, question: str, shown: str) -> None:
    _, reply = ask(assistant, question)
    assert shown in reply and "không đề cập" not in reply, reply


@pytest.mark.parametrize(
    ("question", "part", "shown"),
    [
        ("Phần nhiệm vụ chung của chỉ thị giao cho những ai thực hiện?", "Mục 1", "Giám đốc"),
        ("Nhiệm vụ chung trong chỉ thị áp dụng cho những ai", "Mục 1", "Giám đốc các sở"),
        # Asked to be sent, the clause itself (no document sent for the user).
        ("Gửi giúp tôi nội dung mục 2.f", "Mục 2.f", "30/6/2019"),
        ("nhiem vu cu the gom nhung gi", "Mục 2", "Mục 2.f"),
        # Two headings compared: both parts ("nhau" is a word of the text, no "nhận").
        ("Khác nhau giữa nhiệm vụ chung và nhiệm vụ cụ thể trong chỉ thị?", "Mục 1", "Mục 2.f"),
        # A part without a number, named by its label.
        ("Đoạn kết của chỉ thị quy định điều gì", "Đoạn kết", "có trách nhiệm thi hành"),
    ],
)
def test_a_part_named_by_its_heading_is_that_part(
    assistant: Assistant, question: str, part: str, shown: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "clause" and answer.citations[0] == part, reply
    assert shown in reply, reply


@pytest.mark.parametrize(
    ("question", "point"),
    [
        ("Chỉ thị quy định gì về sử dụng hệ thống quản lý văn bản", "Mục 1.b"),
        ("quy định gì về sử dụng chữ ký số", "Mục 1.e"),
    ],
)
def test_what_it_says_of_a_points_heading_is_that_point_whole(
    assistant: Assistant, question: str, point: str
) -> None:
    """Not the one sentence sharing most words («Chỉ đạo 100% công việc …»)."""
    answer, reply = ask(assistant, question)
    assert answer.kind == "clause" and answer.citations == (point,), reply


def test_a_heading_asked_of_an_agency_is_its_duties(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "Sở TT&TT có những nhiệm vụ chung nào")
    assert answer.kind == "duties", reply


def test_deadlines_in_a_month_given(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "Trong tháng 5/2019 có mốc hạn nào theo chỉ thị không?")
    assert answer.kind == "deadline" and "31/5/2019" in reply and "30/6/2019" not in reply, reply
    _, reply = ask(assistant, "tháng 8/2019 có hạn nào không")
    assert reply.startswith("Không có nhiệm vụ nào của Chỉ thị đến hạn trong tháng 8/2019"), reply


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("Hướng dẫn giúp em cài phần mềm quét mã độc tập trung từng bước với", "cài đặt"),
        ("Hồ sơ trực tuyến được rút ngắn thời gian xử lý bao nhiêu ngày?", "bao nhiêu ngày"),
        ("Danh sách cụ thể các xã đã có trang TTĐT là những xã nào?", "từng xã đã có trang TTĐT"),
    ],
)
def test_details_the_text_does_not_give_are_said_not_given(
    assistant: Assistant, question: str, said: str
) -> None:
    _, reply = ask(assistant, question)
    assert said in reply.split("\n")[0] and "không" in reply.split("\n")[0], reply


@pytest.mark.parametrize(
    ("question", "command"),
    [
        ("cho xem tien do cua huyen Tien Du", "/tonghop"),
        ("Xem danh sách việc sắp đến hạn của đơn vị tôi", "/nhiemvu"),
    ],
)
def test_progress_and_own_duties_are_the_assistants_features(
    assistant: Assistant, question: str, command: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "request" and command in reply, reply


def test_a_clause_headed_by_several_doers_names_them(assistant: Assistant) -> None:
    _, reply = ask(assistant, "Nội dung về công tác tuyên truyền trong chỉ thị là gì?")
    assert reply.startswith("Theo Mục 2.e (Báo Bắc Ninh, Đài Phát thanh"), reply


def test_a_yes_no_on_what_one_sentence_says_of_two_topics_gets_it(
    assistant: Assistant,
) -> None:
    """Training and information security are two topics; one sentence of Mục 1.f joins them."""
    answer, reply = ask(assistant, "Có quy định về tập huấn an toàn thông tin không ạ?")
    assert answer.kind == "passages" and "tập huấn cho các đơn vị về an toàn thông tin" in reply
    answer, _ = ask(assistant, "có quy định về an toàn thông tin không")
    assert answer.kind == "topic_overview"


def test_a_second_part_naming_its_subject_is_answered_on_its_own(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "Hạn chuyển hệ thống về TTDL là bao giờ, và TTDL do ai quản lý?")
    (later,) = (assistant.renderer.render(r) for r in answer.also)
    assert "31/12/2019" in reply and "do Sở Thông tin và truyền thông đang quản lý" in later


def test_a_cited_documents_date_and_subject_in_one_answer(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "QĐ 1987 ký ngày nào và về việc gì?")
    assert answer.kind == "cited_document" and not answer.also, reply
    assert "31/10/2018" in reply and "Thành lập Ban Chỉ đạo" in reply, reply


def test_a_communes_office_is_the_commune(assistant: Assistant) -> None:
    _, reply = ask(assistant, "em là công chức văn phòng UBND xã, xã phải làm gì về cán bộ CNTT")
    assert "Văn phòng Ủy ban nhân dân tỉnh" not in reply and "cấp xã" in reply, reply


@pytest.mark.parametrize(
    "question",
    [
        "Danh sách cụ thể các xã đã có trang TTĐT là những xã nào?",
        "Chỉ thị số 06 năm 2021 của UBND tỉnh Bắc Ninh quy định gì?",
        "cho em xin mau bao cao quy gui so tttt theo chi thi",
        "điểm PAPI của Bắc Ninh là bao nhiêu",
        "Nghị định 43 quy định những nội dung gì",
    ],
)
def test_what_the_assistant_cannot_tell_is_said_in_so_many_words(
    assistant: Assistant, question: str
) -> None:
    """Whatever else follows (what the text does say), the first line says plainly
    that the assistant has no information on what was asked."""
    _, reply = ask(assistant, question)
    assert "không có thông tin" in reply.split("\n")[0], reply


def test_the_nhan_of_ubnd_is_no_receiving(assistant: Assistant) -> None:
    """«những ai» after «VP UBND tỉnh» asks who is checked, not who gets the text."""
    answer, reply = ask(assistant, "VP UBND tinh kiem tra, don doc nhung ai cap nhat bo TTHC?")
    assert answer.kind == "responsible" and "Mục 2.a" in reply, reply


def test_a_later_part_quoting_what_a_deadline_quoted_is_not_repeated(
    assistant: Assistant,
) -> None:
    answer, _ = ask(
        assistant, "ban chỉ đạo cấp huyện kiện toàn theo quyết định nào, thay ban chỉ đạo gì"
    )
    assert not answer.also


def test_who_does_a_task_of_a_clause_named_is_answered_from_that_clause(
    assistant: Assistant,
) -> None:
    answer, reply = ask(assistant, "Ai hướng dẫn các địa phương thực hiện nhiệm vụ ở mục 2.f?")
    assert answer.kind == "responsible" and answer.citations == ("Mục 2.f",), reply
    assert "Sở Thông tin và Truyền thông" in reply, reply


def test_a_word_it_does_not_know_in_an_aside_does_not_refuse_the_question(
    assistant: Assistant,
) -> None:
    answer, reply = ask(
        assistant,
        "Đơn vị em đang dùng CKS công cộng (token của nhà mạng) thì có bắt buộc chuyển "
        "sang CKS chuyên dùng không ạ?",
    )
    assert answer.kind != "refusal" and "Mục 1.e" in reply and "kế hoạch chuyển" in reply, reply


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        # "chỉ số nào" names indices (the sentence lists them), no "sở".
        ("Việc cung cấp thông tin trên mạng chưa đầy đủ ảnh hưởng tới những chỉ số nào?", "PAPI"),
        # "QPPL" reads "quy phạm pháp luật", as the text writes it.
        (
            "Sở TT&TT có phải rà soát văn bản QPPL về giao dịch điện tử và chữ ký số không?",
            "Rà soát, xây dựng văn bản QPPL",
        ),
    ],
)
def test_what_the_text_says_in_its_own_words_is_not_said_unmentioned(
    assistant: Assistant, question: str, shown: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind not in ("not_mentioned", "refusal") and shown in reply, reply


def test_every_word_of_the_source_text_is_known_to_the_speller(assistant: Assistant) -> None:
    """The vocabulary holds the whole text, not only the first characters the
    normalizer keeps of a message: no word of it is "corrected" into another."""
    qa = assistant.core.qa
    for directive in qa.catalog.kb.directives:
        words = qa.nlu.normalizer.tokens(directive.source_text[-900:])
        assert qa.nlu.tokens(" ".join(words)) == words


def test_whether_a_unit_may_keep_what_the_preamble_faults_gets_the_duties_against_it(
    assistant: Assistant,
) -> None:
    answer, reply = ask(
        assistant, "Đơn vị có được tự duy trì hạ tầng hệ thống thông tin riêng không?"
    )
    assert "Mục 1.c" in answer.citations and "Mục 2.b" in answer.citations, reply


@pytest.mark.parametrize(
    ("question", "agency"),
    [
        ("uỷ ban huyen can lam gi theo chi thi 06", "UBND các huyện"),
        ("ủy ban xã phải làm gì", "UBND cấp xã"),
    ],
)
def test_uy_ban_without_nhan_dan_is_that_level(
    assistant: Assistant, question: str, agency: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "duties" and reply.startswith(agency), reply


def test_a_report_asked_of_another_period_is_said_not_of_it(assistant: Assistant) -> None:
    """Quarterly, not monthly: never «Có» to "hàng tháng"."""
    _, reply = ask(assistant, "Sở Thông tin và truyền thông có phải báo cáo hàng tháng không?")
    assert reply.startswith("Không phải hàng tháng:") and "hàng quý" in reply, reply
    _, reply = ask(assistant, "Sở TT&TT có phải báo cáo hàng quý không")
    assert reply.startswith("Có"), reply


def test_what_one_may_do_unmentioned_is_no_bare_no(assistant: Assistant) -> None:
    """ "có được … không" the text does not speak of: said so, with no «Không:» that
    would read as a ban; asked of the text, «Không» answers it."""
    answer, reply = ask(assistant, "có được dùng phần mềm nước ngoài không")
    assert answer.kind == "not_mentioned" and reply.startswith("Chỉ thị 06/CT-UBND không đề cập")


def test_a_post_the_signer_holds_asked_by_name_is_the_signer(assistant: Assistant) -> None:
    """Not «không giao nhiệm vụ cho Chủ tịch, các Phó Chủ tịch» (Nơi nhận); the chairman
    himself, whom the text does not name, is still refused by name."""
    answer, reply = ask(assistant, "Phó Chủ tịch UBND tỉnh là ai?")
    assert answer.kind == "metadata" and "Nguyễn Tiến Nhường" in reply, reply
    answer, reply = ask(assistant, "Chủ tịch UBND tỉnh Bắc Ninh hiện nay là ai vậy?")
    assert answer.kind == "refusal" and "họ tên" in reply, reply
