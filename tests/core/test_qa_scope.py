"""What the pack does not hold is refused by name (another document, another province,
a subject the directive never mentions), and every question the assistant suggests
is one it answers when pressed."""

from __future__ import annotations

import pytest

from bot.app import Assistant
from tests.core.test_dialogs import Chat
from tests.core.test_qa import ask

NOT_ANSWERS = ("refusal", "did_you_mean", "empty")


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Chỉ thị 15/CT-UBND nói gì?", "Chỉ thị 15/CT-UBND"),
        ("chỉ thị 05 là gì", "Chỉ thị 05"),
        ("Kế hoạch số 120/KH-UBND giao việc gì?", "Kế hoạch 120/KH-UBND"),
        ("thong tu 01/2011/tt-bnv quy dinh gi", "Thông tư 01/2011/TT-BNV"),
        ("thời tiết", "thời tiết"),
        ("thoi tiet ha noi", "Hà Nội"),
        ("Kết quả bóng đá tối qua", "bóng đá"),
        # The national Project 06 shares its number with the directive, not its kind.
        ("Đề án 06 của Chính phủ", "Đề án 06"),
        ("cong dien 06 cua thu tuong noi gi", "Công điện 06"),
        # A law is named by its title and year.
        ("Luật An toàn thông tin mạng 2015 quy định gì", "Luật An toàn thông tin mạng 2015"),
        ("luat giao dich dien tu nam 2023 noi gi", "Luật giao dich dien tu 2023"),
    ],
)
def test_what_the_pack_does_not_hold_is_refused_by_name(
    assistant: Assistant, question: str, named: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "refusal", reply
    assert named in reply and "06/CT-UBND" in reply


@pytest.mark.parametrize(
    "question",
    [
        "Chỉ thị 06/CT-UBND nói gì về chữ ký số?",
        "Nghị định 43/2011/NĐ-CP quy định gì?",
        # "pháp luật" (the law in general), with a year: not a law named.
        "ưu tiên sản phẩm đáp ứng yêu cầu theo quy định của pháp luật năm 2019 là gì",
    ],
)
def test_the_directive_and_the_documents_it_cites_are_not_refused(
    assistant: Assistant, question: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind not in NOT_ANSWERS, reply


def test_greetings_are_still_greetings(assistant: Assistant) -> None:
    for question in ("xin chào", "tạm biệt", "cảm ơn nhiều"):
        answer, _ = ask(assistant, question)
        assert answer.kind in ("greet", "goodbye", "thanks"), question


def test_every_suggestion_the_assistant_can_offer_is_answered(assistant: Assistant) -> None:
    qa = assistant.core.qa
    offered = set(qa.suggested.texts)
    # And those offered under refusals and "did you mean" of questions it cannot answer.
    for question in ("kinh phí thực hiện lấy ở đâu", "thời tiết", "abc xyz", "hạn", "ai"):
        offered |= {b.payload for b in qa.answer(question).reply.buttons}
    assert len(offered) >= 20
    for question in sorted(offered):
        answer, reply = ask(assistant, question)
        assert answer.kind not in NOT_ANSWERS, (question, reply)


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("kinh phí thực hiện lấy ở đâu", "Mục 2.c"),
        ("Hạn chót cổng thông tin cấp xã là khi nào?", "Mục 2.f"),
        ("báo cáo quý gửi ai", "Mục 2.b"),
        ("Ai chịu trách nhiệm về chữ ký số?", "Mục 1.e"),
        # Called foreign by the classifier, though one sentence holds nearly every word.
        ("ưu tiên sản phẩm của doanh nghiệp nào?", "Mục 1.f"),
        # Everyday words for the directive's own (data/nlu/lexicon.yaml, phrases).
        ("máy móc trôi nổi có được lắp cho cơ quan không", "Mục 1.f"),
        ("có được tự mua máy chủ đặt ở cơ quan không", "Mục 2.b"),
    ],
)
def test_covered_questions_in_other_words_are_answered(
    assistant: Assistant, question: str, clause: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind not in NOT_ANSWERS, reply
    assert clause in answer.citations, reply


def test_the_commune_websites_deadline_is_not_the_staff_lists(assistant: Assistant) -> None:
    _, reply = ask(assistant, "Hạn chót cổng thông tin cấp xã là khi nào?")
    assert "30/6/2019" in reply and "31/5/2019" not in reply


@pytest.mark.parametrize(
    ("request_", "command"),
    [
        ("nhắc tôi sau 2 ngày", "/nhaclai"),
        ("nhac lai sau nhe", "/nhaclai"),
        ("cơ quan nào chưa báo cáo?", "/tonghop"),
        ("tổng hợp tiến độ các sở", "/tonghop"),
        ("xem lại báo cáo của tôi", "/tiendo"),
        ("nhiệm vụ của cơ quan tôi", "/nhiemvu"),
        # Told by their shape, not by a listed phrase.
        ("cho tôi coi tiến độ bên mình", "/tiendo"),
        ("làm sao để tôi báo cáo tiến độ, hướng dẫn giúp", "/baocao"),
        ("muốn được nhắc trước hạn 5 ngày thì cài nhắc thế nào", "/nhaclai"),
        ("tổng hợp giúp tôi tiến độ các đơn vị thực hiện chỉ thị", "/tonghop"),
        ("cho xem tình hình tiến độ chung", "/tonghop"),
        ("bot oi soan giup minh bao cao quy 2 ve thuc hien CT 06", "/baocaoquy"),
        ("Gửi giúp em báo cáo quý cho Sở TT&TT", "/baocaoquy"),
        ("gửi giúp em file chỉ thị", "/baocao"),
        ("nhờ trợ lý viết giúp dự thảo báo cáo quý", "/baocaoquy"),
        ("cho mình xem tiến độ các xã", "/tonghop"),
        ("tổng hợp giúp tình hình thực hiện của các sở", "/tonghop"),
        ("gửi báo cáo qua trợ lý như thế nào", "/baocao"),
        # Which bodies lag, or are done: today's standing, not the directive's text.
        ("Đơn vị nào đang chậm tiến độ?", "/tonghop"),
        ("những đơn vị nào trễ hạn", "/tonghop"),
        ("sở nào chưa hoàn thành", "/tonghop"),
        ("danh sách đơn vị chậm triển khai", "/tonghop"),
        ("tình hình thực hiện của các huyện đến nay", "/tonghop"),
        # Asked to be reminded, naming nothing: how reminders work.
        ("nhắc tôi nhé", "/hanchot"),
        ("đăng ký nhận thông báo hạn", "/hanchot"),
        # "nhắc đến" with a time is a reminder put off, not a mention.
        ("hoãn nhắc đến mai", "/nhaclai"),
        # The assistant's other features: editing, cancelling, linking, evidence, Excel.
        ("sửa báo cáo vừa gửi", "/sua"),
        ("hủy báo cáo", "/huy"),
        ("làm sao để liên kết tài khoản với cơ quan", "/start"),
        ("tôi quên mã mời", "/start"),
        ("tôi là cán bộ sở y tế, đăng ký thế nào", "/start"),
        ("gửi file minh chứng thế nào", "/minhchung"),
        ("xuất báo cáo ra excel", "/tonghop"),
        ("Tôi là lãnh đạo Sở, muốn xem báo cáo tổng hợp tất cả các đơn vị", "/tonghop"),
        # Told by their shape: correcting a report, one's own standing, stopping.
        ("em lỡ nhập sai số liệu trong báo cáo rồi, sửa lại đc ko ạ", "/sua"),
        ("báo cáo hôm qua em gửi thiếu số liệu, bổ sung thế nào", "/sua"),
        ("đơn vị em hoàn thành đc bao nhiêu % rồi bot", "/tiendo"),
        ("thôi ko báo cáo nữa, bỏ đi", "/huy"),
        ("tat nhac han giup toi voi, nhac nhieu qua", "/xong"),
        ("bot có tự nhắc hạn không hay mình phải tự nhớ", "/hanchot"),
        (
            "Xã em đã tạo xong trang TTĐT rồi, em muốn báo cáo tiến độ thì làm thế nào ạ?",
            "/baocao",
        ),
        ("Hủy giúp em báo cáo vừa gửi, em gửi nhầm rồi", "/huy"),
        (
            "Việc lập danh sách cán bộ CNTT xã bên em làm xong rồi, đánh dấu hoàn thành giúp em",
            "/xong",
        ),
    ],
)
def test_requests_to_the_assistant_name_the_command_not_the_directive(
    assistant: Assistant, request_: str, command: str
) -> None:
    answer, reply = ask(assistant, request_)
    assert answer.kind == "request", reply
    assert command in reply and not answer.citations
    assert "Chỉ thị không" not in reply  # the assistant's own feature: no word on the text
    assert assistant.core.commands.get(command[1:]) is not None  # a real command


def test_asked_to_be_reminded_of_a_duty_says_how_reminders_work(assistant: Assistant) -> None:
    """Not a snooze: the assistant reminds by itself, once the account is linked; the
    date of the duty named follows (what a reminder would say), never a quote."""
    answer, reply = ask(assistant, "Nhắc tôi hạn nộp danh sách cán bộ CNTT xã nhé")
    assert answer.kind == "request" and not answer.citations, reply
    assert all(c in reply for c in ("/start", "/hanchot", "/nhaclai")), reply
    (dated,) = answer.also
    text = assistant.renderer.render(dated)
    assert "31/5/2019" in text and "«" not in text, text
    # Postponing one is the snooze.
    for snooze in ("nhắc tôi sau 2 ngày", "nhắc lại sau 3 ngày", "hoãn nhắc"):
        answer, reply = ask(assistant, snooze)
        assert answer.kind == "request" and "/nhaclai" in reply and "/hanchot" not in reply
        assert not answer.also, snooze


@pytest.mark.parametrize(
    "question",
    [
        "đơn vị nào chậm tiến độ thì bị xử lý thế nào",
        "nhiệm vụ nào quá hạn",
        "Sở Y tế phải chuyển hệ thống về trung tâm dữ liệu chậm nhất là ngày nào",
        "huyện nào chưa kiện toàn ban chỉ đạo",
        "co huyen nao cham kien toan bo may chi dao chinh quyen dien tu khong",
        "Sở nào phải hoàn thành trước 31/5/2019",
    ],
)
def test_which_bodies_the_directive_speaks_of_is_no_request(
    assistant: Assistant, question: str
) -> None:
    """A task that is overdue, a deadline («chậm nhất»), what befalls a lagging body or
    a shortcoming the text names: questions about the directive, not the summary."""
    answer, reply = ask(assistant, question)
    assert answer.kind != "request", reply


def test_wanting_to_report_opens_the_report_dialog(assistant: Assistant) -> None:
    chat = Chat(assistant)
    chat.send("tôi muốn báo cáo tiến độ")
    assert "chưa được liên kết" in chat.text()  # /baocao's answer to an unlinked user


@pytest.mark.parametrize(
    "question",
    ["giao dịch điện tử và chữ ký số cần văn bản gì", "giao dich dien tu va CKS can van ban gi"],
)
def test_a_hesitant_figure_question_asking_no_quantity_is_answered(
    assistant: Assistant, question: str
) -> None:
    """Classified as a figure question without asking "bao nhiêu": the next kind of
    question answers it, from the clause about digital signatures."""
    answer = assistant.core.qa.answer(question)
    assert answer.kind not in ("refusal", "did_you_mean"), answer
    assert any(c.startswith("Mục") for c in answer.citations)


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("Bộ Công an có nhận không", "Không: phần Nơi nhận"),
        ("bo tttt co nhan chi thi nay khong", "Có: phần Nơi nhận"),
    ],
)
def test_whether_a_body_receives_the_directive_is_read_from_noi_nhan(
    assistant: Assistant, question: str, says: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "metadata" and reply.startswith(says), reply
    # "nhận báo cáo" is about reports, not about who the directive was sent to.
    answer, reply = ask(assistant, "Sở TT&TT có nhận báo cáo không")
    assert "Nơi nhận" not in reply, reply


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("chỉ thị có mấy mục", ""),
        ("mục 3 nói gì", "Mục 3"),
        ("Mục 3 của chỉ thị nói gì?", "Mục 3"),
        ("khoan 2g quy dinh gi", "Khoản 2.g"),
        # A point named after its part, or before it ("điểm h" is no "huyện").
        ("Mục 1 điểm g nói gì", "Mục 1.g"),
        ("diem h muc 2 quy dinh gi", "Mục 2.h"),
    ],
)
def test_the_layout_and_parts_the_directive_does_not_have(
    assistant: Assistant, question: str, missing: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "structure", reply
    assert answer.citations == ("Mục 1", "Mục 2"), reply
    assert (f"không có {missing}" in reply) == bool(missing), reply
    # "mức 3, 4" folds as "mục 3, 4" would: a level of online services, not a part.
    answer, reply = ask(assistant, "DVC mức 3, 4 chiếm bao nhiêu % tổng số DVC trực tuyến?")
    assert answer.kind == "figure" and "46%" in reply, reply


@pytest.mark.parametrize("question", ["Mục 1 điểm c nói gì", "điểm c của mục 1 quy định gì"])
def test_a_point_named_with_its_part_is_that_point(assistant: Assistant, question: str) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "clause" and answer.citations == ("Mục 1.c",), reply


def test_a_clause_with_bullets_quotes_each_once(assistant: Assistant) -> None:
    answer, reply = ask(assistant, "mục 2.f nói gì")
    assert answer.kind == "clause" and reply.count("30/6/2019") == 1, reply


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("chỉ thị có quy định gì về bảo vệ dữ liệu cá nhân ko", "bảo vệ dữ liệu cá nhân"),
        ("chi thi co quy dinh gi ve bao ve du lieu ca nhan khong", "bao ve du lieu ca nhan"),
        ("chỉ thị có nói về họp trực tuyến không?", "họp trực tuyến"),
        # The subject before «có», asked of the document after it.
        ("Họp trực tuyến có quy định gì trong chỉ thị không?", "Họp trực tuyến"),
    ],
)
def test_a_subject_the_text_never_mentions_is_said_so_by_its_words(
    assistant: Assistant, question: str, subject: str
) -> None:
    """Not the recipients' list («cá nhân» folds like «nhận»), not a loose passage
    presented as the answer; the subject named without the question's words."""
    _, reply = ask(assistant, question)
    assert f"không đề cập đến «{subject}»" in reply, reply
    assert "Nơi nhận" not in reply
    # Not padded with sentences that share a qualifier ("dịch vụ công trực tuyến"):
    # questions it does answer are offered.
    assert "«" not in reply.split("»", 1)[1] and "Mục" not in reply, reply


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        # "which X" of an X the text never names: said so, the agency's duties after.
        ("Sở GD phải triển khai phần mềm quản lý trường học nào", "phần mềm quản lý trường học"),
        # Asked of something else than the document: no bare «Không» that would read
        # as the directive's verdict on Zalo.
        ("Zalo có an toàn để gửi văn bản mật ko", "Zalo an toàn để gửi văn bản mật"),
    ],
)
def test_what_a_question_asks_of_something_the_text_never_names(
    assistant: Assistant, question: str, subject: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "not_mentioned", reply
    assert reply.startswith(f"Chỉ thị 06/CT-UBND không đề cập đến «{subject}»"), reply


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("chỉ thị có yêu cầu ưu tiên sp trong nước ko", "Mục 1.f"),  # «sp»: sản phẩm
        ("Chỉ thị yêu cầu bản dự thảo cuối cùng được gửi dưới dạng file nào?", "Mục 1.b"),
        ("phải dùng phần mềm diệt virus nào", "Mục 1.f"),  # «quét mã độc»
        ("Cổng thông tin điện tử tỉnh có bị giao việc gì ko", "Mục 2.e"),
        ("Sở Y tế có nhiệm vụ riêng nào trong chỉ thị 06 không?", "Mục 1.a"),
    ],
)
def test_what_the_text_says_in_other_words_is_not_said_unmentioned(
    assistant: Assistant, question: str, clause: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind != "not_mentioned" and clause in reply, reply


@pytest.mark.parametrize(
    "question",
    [
        "các sở báo cáo tình hình thực hiện chỉ thị cho ai",
        "Sở TT&TT báo cáo tình hình thực hiện chỉ thị khi nào",
        # "tiến độ … như thế nào" of an agency the user does not speak for.
        "Sở TT&TT báo cáo tiến độ như thế nào",
        "sở tttt bc tiến độ thực hiện chỉ thị ntn",
    ],
)
def test_the_directives_own_reporting_is_no_request(assistant: Assistant, question: str) -> None:
    """«tình hình thực hiện» is the directive's words (Mục 2.b) unless asked to be shown."""
    answer, reply = ask(assistant, question)
    assert answer.kind != "request" and "Mục 2.b" in reply, reply


@pytest.mark.parametrize(
    "question",
    [
        "nhắc tôi 2 ngày nữa",
        "2 ngày nữa nhắc lại nhé",
        "mai nhắc lại giúp tôi",
        "nhắc tôi vào thứ hai tuần sau",
    ],
)
def test_a_reminder_put_off_to_a_time_is_a_snooze(assistant: Assistant, question: str) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "request" and reply.startswith("Trợ lý hoãn lời nhắc"), reply


@pytest.mark.parametrize(
    ("question", "command"),
    [
        ("báo cáo tiến độ như thế nào", "/baocao"),
        ("tiến độ thực hiện chỉ thị như thế nào", "/tonghop"),
    ],
)
def test_how_progress_is_reported_or_stands_is_the_assistants(
    assistant: Assistant, question: str, command: str
) -> None:
    answer, reply = ask(assistant, question)
    assert answer.kind == "request" and command in reply, reply
