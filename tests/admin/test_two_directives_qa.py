"""Questions and FAQ entries with a second, real directive published beside 06 (SQLite
and PostgreSQL): Chỉ thị 15/CT-UBND of 2021 «về đẩy mạnh chuyển đổi số», imported from
its text (tests/support/ct15.txt) and published as an admin does on the command line.
Its words are not a copy of 06's: most of a question's words are in both."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.app import Assistant
from bot.application import accounts
from bot.application.qa import directives
from bot.cli import main
from bot.storage.db import session_scope
from bot.storage.models import FaqEntry
from tests.core.test_dialogs import Chat
from tests.support.directives import imported, published

CT15 = Path(__file__).parents[1] / "support" / "ct15.txt"
FIFTEEN = "15-CT-UBND-2021"
SIX = "06-CT-UBND-2019"


@pytest.fixture(scope="module")
def ct15_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return imported(CT15, tmp_path_factory.mktemp("ct15") / "draft")


@pytest.fixture
def two(db_url: str, ct15_draft: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Assistant]:
    with published(monkeypatch, db_url, ct15_draft) as assistant:
        yield assistant


def answered(assistant: Assistant, question: str) -> tuple[str, tuple[str, ...], str]:
    answer = assistant.core.qa.answer(question)
    return answer.kind, answer.citations, assistant.renderer.render(answer.reply)


def test_a_question_asking_when_goes_to_the_directive_that_dates_its_subject(
    two: Assistant,
) -> None:
    """Every word of «dịch vụ công trực tuyến toàn trình» is in both directives, and
    06 speaks of «dịch vụ công trực tuyến» in its preamble and a standing duty; 15
    gives «trực tuyến toàn trình» a deadline (Mục 5, 31/12/2021)."""
    for question in (
        "Dịch vụ công trực tuyến toàn trình hạn bao giờ?",
        "dich vu cong truc tuyen toan trinh han bao gio",
    ):
        kind, citations, reply = answered(two, question)
        assert kind == "deadline" and citations == ("15/2021 · Mục 5",), (question, reply)
        assert "31/12/2021" in reply
    # What 06 alone dates is still 06's; what both speak of alike is asked back.
    kind, citations, reply = answered(two, "Hạn tạo lập trang thông tin điện tử cấp xã?")
    assert citations == ("06/2019 · Mục 2.f",) and "30/6/2019" in reply
    kind, _, reply = answered(two, "Hệ thống quản lý văn bản và điều hành dùng thế nào?")
    assert kind == "which_directive", reply


def test_a_term_of_the_directive_named_is_answered_with_its_passage(two: Assistant) -> None:
    for question in ("Chỉ thị 15 quy định gì về LGSP?", "chi thi 15 noi gi ve lgsp"):
        kind, citations, reply = answered(two, question)
        assert kind == "passages" and citations == ("15/2021 · Mục 1.b",), (question, reply)
        assert "Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)" in reply
    # A subject the directive does not hold is still refused by name.
    kind, _, reply = answered(two, "Chỉ thị 15 quy định gì về bóng đá?")
    assert kind == "refusal" and "không đề cập đến bóng đá" in reply


def told(assistant: Assistant, question: str) -> tuple[str, tuple[str, ...], str]:
    """`answered`, with every message of the answer (a note before it, a second part)."""
    answer = assistant.core.qa.answer(question)
    replies = (answer.reply, *answer.also)
    return answer.kind, answer.citations, "\n".join(assistant.renderer.render(r) for r in replies)


def test_a_directive_named_by_its_year_or_title_gives_all_the_agencys_duties(
    two: Assistant,
) -> None:
    """«chuyển đổi số» is the subject of 15/2021's title: naming it names the directive
    and narrows nothing (Công an tỉnh has two duties in Mục 6, UBND cấp huyện three
    in Mục 7, VP UBND tỉnh one in Mục 5, none of them repeating the words)."""
    for question in (
        "chỉ thị năm 2021 về chuyển đổi số giao Công an tỉnh việc gì?",
        "chi thi chuyen doi so giao cong an tinh viec gi",
    ):
        kind, citations, reply = told(two, question)
        assert kind == "duties" and citations == ("15/2021 · Mục 6",), (question, reply)
        assert "an ninh mạng" in reply and "Cơ sở dữ liệu quốc gia về dân cư" in reply
        assert "không giao" not in reply
    for question in (
        "Văn phòng UBND tỉnh phải làm gì theo chỉ thị chuyển đổi số?",
        "van phong ubnd tinh lam gi theo chi thi day manh chuyen doi so",
    ):
        kind, citations, reply = told(two, question)
        assert kind == "duties" and "15/2021 · Mục 5" in citations, (question, reply)
        assert "06/2019" not in reply and "31/12/2021" in reply
    kind, citations, reply = told(two, "chi thi chuyen doi so giao ubnd huyen viec gi")
    assert {"15/2021 · Mục 7.a", "15/2021 · Mục 7.b", "15/2021 · Mục 7.c"} <= set(citations)
    # Words every title holds name none: «tỉnh Bắc Ninh» is no directive's subject.
    qa = two.core.qa
    question = "Chỉ thị tỉnh Bắc Ninh giao Sở Nội vụ việc gì?"
    assert directives.named(qa.catalog, qa.nlu.parse(question), question) == []


def test_a_subject_asked_of_a_named_directive_is_found_in_its_duties(two: Assistant) -> None:
    """06's topics (with their aliases) found in 15's words: «chữ ký số» in Mục 7.b,
    «thủ tục hành chính» (dịch vụ công) in Mục 5 and 8; never the preamble's «Chủ tịch
    UBND tỉnh chỉ thị:», found by «chỉ thị» and the «số» of «chuyển đổi số»."""
    for question in (
        "chi thi 15 noi gi ve chu ky so",
        "Chỉ thị chuyển đổi số nói gì về chữ ký số?",
    ):
        kind, citations, reply = told(two, question)
        assert citations == ("15/2021 · Mục 7.b",), (question, reply)
        assert "Phần mở đầu" not in reply
    for question in (
        "chi thi 15 noi gi ve dich vu cong truc tuyen",
        "Chỉ thị 15 nói gì về dịch vụ công trực tuyến?",
    ):
        kind, citations, reply = told(two, question)
        assert kind != "refusal" and "15/2021 · Mục 5" in citations, (question, reply)
    for question in ("hạn số hóa hồ sơ thủ tục hành chính", "han so hoa ho so thu tuc hanh chinh"):
        kind, citations, reply = told(two, question)
        assert kind == "deadline" and citations == ("15/2021 · Mục 8",), (question, reply)
        assert "31/12/2022" in reply


def test_a_year_not_the_directives_is_said_before_the_answer(two: Assistant) -> None:
    kind, _, reply = told(two, "Chỉ thị 06/CT-UBND năm 2021 quy định gì?")
    first, rest = reply.split("\n", 1)
    assert first == (
        "Lưu ý: Chỉ thị 06/CT-UBND ban hành năm 2019 (19/4/2019), không phải năm 2021;"
        " trợ lý không có thông tin về văn bản cùng số năm 2021."
    )
    assert kind == "metadata" and "ngày 19/4/2019" in rest
    kind, citations, reply = told(two, "chi thi 15/ct-ubnd nam 2019 giao so noi vu viec gi")
    assert "không phải năm 2019" in reply and "15/2021 · Mục 2.a" in citations, reply
    _, _, reply = told(two, "Chỉ thị 06/CT-UBND năm 2019 quy định gì?")
    assert "không phải năm" not in reply


CT09 = Path(__file__).parents[1] / "support" / "ct09.txt"


def test_which_directive_offers_every_directive_that_fits(
    two: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    """A third directive with dated duties (09/2023, written for the issue 12 trial):
    «Những việc nào có thời hạn?» names no subject, so it is asked of all three."""
    with published(monkeypatch, db_url, imported(CT09, tmp_path / "ct09")) as three:
        for question in ("Những việc nào có thời hạn?", "nhung viec nao sap den han"):
            kind, _, reply = told(three, question)
            assert kind == "which_directive", reply
            for name in ("06/CT-UBND", "15/CT-UBND", "09/CT-UBND"):
                assert f"Chỉ thị {name}" in reply, (question, reply)
        kind, _, _ = told(three, "xin chào")
        assert kind != "which_directive"


def admin_of(assistant: Assistant) -> Chat:
    with session_scope(assistant.sessions) as session:
        accounts.bootstrap_admin(session, "test", "1", "Quản trị")
    return Chat(assistant, "1")


def preview(admin: Chat, question: str, answer: str) -> str:
    """The preview of an FAQ entry written in chat, with no other phrasing or clause."""
    admin.send("/faqthem")
    admin.send(question)
    admin.press("Bỏ qua")  # other phrasings
    admin.send(answer)
    admin.press("Bỏ qua")  # clauses
    return admin.text()


def add_faq(admin: Chat, question: str, answer: str, scope: str = "") -> str:
    """An FAQ entry added in chat; `scope`: a button pressed in the preview."""
    preview(admin, question, answer)
    if scope:
        admin.press(scope)
    admin.press("Lưu")
    return admin.text()


def saved_id(text: str) -> str:
    found = re.search(r"mục hỏi đáp ([\w-]+)", text)
    assert found, text
    return found[1]


def directive_of(assistant: Assistant, faq_id: str) -> str | None:
    with session_scope(assistant.sessions) as session:
        entry = session.get(FaqEntry, faq_id)
        assert entry is not None
        return entry.directive_id


def test_an_faq_entry_added_in_chat_is_about_the_directive_it_names(two: Assistant) -> None:
    admin = admin_of(two)
    shown = preview(admin, "Chỉ thị 15 giao ai đầu mối về chuyển đổi số?", "Sở TT&TT.")
    assert "Áp dụng cho: Chỉ thị 15/CT-UBND" in shown
    admin.press("Lưu")
    saved = admin.text()
    assert "(áp dụng cho Chỉ thị 15/CT-UBND)" in saved
    assert directive_of(two, saved_id(saved)) == FIFTEEN
    # Naming none, it is about every directive unless the admin picks one.
    saved = add_faq(admin, "Đầu mối tiếp nhận góp ý là ai?", "Văn phòng UBND tỉnh.")
    assert "(áp dụng cho mọi chỉ thị đang áp dụng)" in saved
    assert directive_of(two, saved_id(saved)) is None
    saved = add_faq(
        admin, "Cổng góp ý điện tử ở đâu?", "Trên Cổng thông tin tỉnh.", "Chỉ thị 06/CT-UBND"
    )
    assert "(áp dụng cho Chỉ thị 06/CT-UBND)" in saved
    assert directive_of(two, saved_id(saved)) == SIX


def test_an_faq_entry_answers_questions_about_its_directive_only(two: Assistant) -> None:
    admin = admin_of(two)
    add_faq(admin, "Quy trình đăng ký tài khoản LGSP thế nào?", "Đăng ký tại Sở TT&TT.")
    two.core.wait_for_reload()
    user = Chat(two, "2")
    user.send("Quy trình đăng ký tài khoản LGSP thế nào?")  # names no directive
    assert "Đăng ký tại Sở TT&TT." in user.text()
    saved = add_faq(
        admin, "Quy trình đăng ký chữ ký số thế nào?", "Nộp hồ sơ cho Ban Cơ yếu.", "06"
    )
    two.core.wait_for_reload()
    faq_id = saved_id(saved)
    assert directive_of(two, faq_id) == SIX
    user.send("Quy trình đăng ký chữ ký số thế nào?")
    assert "Nộp hồ sơ cho Ban Cơ yếu." in user.text()
    user.send("Theo Chỉ thị 15, quy trình đăng ký chữ ký số thế nào?")
    assert "Nộp hồ sơ cho Ban Cơ yếu." not in user.text()


def test_an_faq_file_names_the_directive_of_each_entry(
    two: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    rows = [
        {"question": "Hỏi về LGSP ở đâu?", "answer": "Sở TT&TT.", "directive": "15/2021"},
        {"question": "Hỏi chung ở đâu?", "answer": "Văn phòng UBND tỉnh."},
    ]
    source = tmp_path / "faq.yaml"
    source.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    assert main(["faq", "import", str(source)]) == 0
    with session_scope(two.sessions) as session:
        scopes = {
            e.question: e.directive_id
            for e in session.scalars(select(FaqEntry).where(FaqEntry.question.like("Hỏi%")))
        }
    assert scopes == {"Hỏi về LGSP ở đâu?": FIFTEEN, "Hỏi chung ở đâu?": None}
    exported = tmp_path / "out.yaml"
    assert main(["faq", "export", str(exported)]) == 0
    written = {r["question"]: r["directive"] for r in yaml.safe_load(exported.read_text("utf-8"))}
    assert written["Hỏi về LGSP ở đâu?"] == FIFTEEN and written["Hỏi chung ở đâu?"] == "*"
    rows[1]["directive"] = "99/2030"
    source.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    assert main(["faq", "import", str(source)]) == 2  # nothing applied


def test_with_one_directive_an_faq_entry_is_about_it(assistant: Assistant) -> None:
    admin = admin_of(assistant)
    shown = preview(admin, "Đầu mối tiếp nhận góp ý là ai?", "Văn phòng UBND tỉnh.")
    assert "Áp dụng cho" not in shown  # nothing to choose from
    admin.press("Lưu")
    saved = admin.text()
    assert "áp dụng cho" not in saved
    assert directive_of(assistant, saved_id(saved)) == SIX


def test_15s_preamble_is_quoted_for_what_each_sentence_says(two: Assistant) -> None:
    """15's one preamble paragraph is results, then «Tuy nhiên» shortcomings, then the
    «Để» purpose (the importer splits it): asked for the shortcomings, the answer
    quotes only that sentence; asked for the results, never the shortcomings."""
    kind, _, reply = answered(two, "chỉ thị 15 nêu hạn chế gì?")
    assert kind == "shortcomings" and "Phần mở đầu – bất cập, hạn chế" in reply, reply
    assert "chuyển đổi số còn chậm, chưa đồng bộ" in reply
    assert "đạt được nhiều kết quả" not in reply
    _, _, reply = answered(two, "chỉ thị 15 nêu kết quả đạt được gì?")
    assert "đạt được nhiều kết quả" in reply and "còn chậm" not in reply, reply


def test_a_duty_under_a_heading_naming_all_departments_is_summed_up_by_what_it_asks(
    two: Assistant,
) -> None:
    """15's «8. Các sở, ban, ngành» names who, not what: an agency's shared duties
    say «số hóa hồ sơ …», never the heading «Các sở, ban, ngành»."""
    _, _, reply = answered(two, "Sở Y tế phải làm gì theo chỉ thị 15?")
    assert (
        "• Thực hiện số hóa hồ sơ, kết quả giải quyết thủ tục hành chính (15/2021 · Mục 8)" in reply
    )
    assert "• Các sở, ban, ngành" not in reply, reply
