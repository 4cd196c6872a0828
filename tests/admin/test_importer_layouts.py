"""The importer on the layouts provincial directives commonly use, each on a small
inline text: numbered headings that name the doer with no "Nhiệm vụ" heading above
them, the subject line in sentence case, recurrences with a stated day."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import build_qa
from bot.application.importer.clauses import draft_title
from bot.application.importer.duties import duty_kind
from bot.application.importer.pipeline import import_directive
from bot.application.importer.report import ImportResult
from bot.application.knowledge.pack import load_agencies, load_knowledge
from bot.config import Settings
from bot.domain.deadlines import stated_month_day, stated_quarter_day
from bot.domain.knowledge import Agency

DATA = Path(__file__).resolve().parents[2] / "data"

HEADER = """\
ỦY BAN NHÂN DÂN
TỈNH BẮC NINH
Số: 15/CT-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bắc Ninh, ngày 10 tháng 3 năm 2021

CHỈ THỊ
{subject}

"""
FOOTER = """
Nơi nhận:
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn Phong
"""
SUBJECT = "Về đẩy mạnh chuyển đổi số tỉnh Bắc Ninh giai đoạn 2021-2025"


def directive(body: str, subject: str = SUBJECT) -> str:
    return HEADER.format(subject=subject) + body + FOOTER


@pytest.fixture(scope="module")
def agencies() -> tuple[Agency, ...]:
    return load_agencies(DATA / "agencies.yaml")


def duties(result: ImportResult) -> list[tuple[str, tuple[str, ...], dt.date | None]]:
    return [(d.clause, d.addressees, d.timing.due) for d in result.directive.duties]


# --- headings that name the doer --------------------------------------------------

AGENCY_HEADINGS = """\
Để đẩy mạnh chuyển đổi số, Chủ tịch UBND tỉnh chỉ thị:

1. Sở Nội vụ{colon}
a) Tổ chức bồi dưỡng kỹ năng số cho công chức; hoàn thành trước ngày 30/9/2021.
b) Đưa kết quả chuyển đổi số vào tiêu chí thi đua.

2. Công an tỉnh{colon}
Bảo đảm an ninh mạng cho các hệ thống thông tin của tỉnh.

3. UBND các huyện, thị xã, thành phố{colon}
- Ban hành kế hoạch chuyển đổi số của địa phương trước ngày 31/8/2021.
"""


@pytest.mark.parametrize("colon", ["", ":", " có trách nhiệm:"])
def test_a_heading_naming_an_agency_makes_its_items_that_agencys_duties(
    agencies: tuple[Agency, ...], colon: str
) -> None:
    result = import_directive(directive(AGENCY_HEADINGS.format(colon=colon)), agencies)
    assert duties(result) == [
        ("1.a", ("snv",), dt.date(2021, 9, 30)),
        ("1.b", ("snv",), None),
        ("2", ("cong_an_tinh",), None),
        ("3", ("all_districts",), dt.date(2021, 8, 31)),
    ]
    assert not [p for p in result.problems if "không gắn được" in p]


def test_a_heading_opened_by_a_title_or_by_doi_voi_names_its_doer_too(
    agencies: tuple[Agency, ...],
) -> None:
    body = """\
Chủ tịch UBND tỉnh yêu cầu:

1. Đối với Sở Tư pháp:
- Rà soát thủ tục hành chính thuộc thẩm quyền của tỉnh.

2. Giám đốc Sở Tài chính
- Bố trí kinh phí thực hiện Chỉ thị.

3. Đài Phát thanh và Truyền hình tỉnh, Báo Bắc Ninh, Bộ Chỉ huy Quân sự tỉnh
- Tuyên truyền về chuyển đổi số.
"""
    result = import_directive(directive(body), agencies)
    assert duties(result) == [
        ("1", ("stp",), None),
        ("2", ("stc",), None),
        ("3", ("dai_pt_th", "bao_bac_ninh", "bo_chqs_tinh"), None),
    ]


def test_a_heading_that_only_mentions_an_agency_does_not_make_duties(
    agencies: tuple[Agency, ...],
) -> None:
    body = """\
Chủ tịch UBND tỉnh chỉ thị:

1. Kết quả ứng dụng công nghệ thông tin tại Sở Nội vụ
- Hệ thống quản lý văn bản được dùng ở mọi phòng.
"""
    result = import_directive(directive(body), agencies)
    assert duties(result) == []


# --- the subject line -------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        (SUBJECT, "Đẩy mạnh chuyển đổi số tỉnh Bắc Ninh giai đoạn 2021-2025"),
        # wrapped over two lines, without "Về"
        (
            "Tăng cường công tác cải cách hành chính và nâng cao chất lượng\n"
            "phục vụ người dân, doanh nghiệp trên địa bàn tỉnh",
            "Tăng cường công tác cải cách hành chính và nâng cao chất lượng "
            "phục vụ người dân, doanh nghiệp trên địa bàn tỉnh",
        ),
        (
            "\n\nV/v triển khai Nghị quyết\nHội đồng nhân dân tỉnh\n",
            "Triển khai Nghị quyết Hội đồng nhân dân tỉnh",
        ),
        ("VỀ VIỆC TĂNG CƯỜNG SỬ DỤNG CHỮ KÝ SỐ", "Tăng cường sử dụng chữ ký số"),
    ],
)
def test_the_subject_under_the_document_type_is_the_title(
    agencies: tuple[Agency, ...], subject: str, title: str
) -> None:
    result = import_directive(directive(AGENCY_HEADINGS.format(colon=""), subject), agencies)
    assert result.directive.title == title
    assert [c.id for c in result.directive.clauses][:2] == ["intro.purpose", "1"]


def test_a_body_paragraph_right_under_the_document_type_is_not_a_subject(
    agencies: tuple[Agency, ...],
) -> None:
    body = AGENCY_HEADINGS.format(colon="")
    result = import_directive(
        directive(body, subject="").replace("CHỈ THỊ\n\n\n", "CHỈ THỊ\n"), agencies
    )
    assert result.directive.title == "(chưa có trích yếu)"
    assert result.directive.clauses[0].id == "intro.purpose"


def test_topics_come_from_the_subject_and_from_headings_that_name_no_agency(
    agencies: tuple[Agency, ...],
) -> None:
    body = AGENCY_HEADINGS.format(colon="") + (
        "\n4. Về kinh phí thực hiện\nSở Tài chính bố trí kinh phí thực hiện Chỉ thị này.\n"
    )
    d = import_directive(directive(body), agencies).directive
    assert [(t.id, t.name, t.clauses) for t in d.topics] == [
        ("chuyen_doi_so", "Chuyển đổi số", ("intro.purpose", "1.b", "3")),
        ("kinh_phi_thuc_hien", "Kinh phí thực hiện", ("4",)),
    ]
    assert {x.clause: x.topics for x in d.duties}["4"] == ("kinh_phi_thuc_hien",)


@pytest.mark.parametrize(
    "subject",
    [
        SUBJECT,  # its topic "Chuyển đổi số" names the subject
        # the subject's topic is "Ứng dụng trí tuệ nhân tạo": only the title says it
        "Về ứng dụng trí tuệ nhân tạo trong chuyển đổi số",
    ],
    ids=["its-topic", "its-title"],
)
def test_an_imported_directive_covers_its_own_subject_in_the_qa(
    agencies: tuple[Agency, ...], tmp_path: Path, subject: str
) -> None:
    """The lexicon lists "chuyển đổi số" as a subject 06 does not cover; once a
    directive about it is loaded, a question about it is answered, not refused."""
    question = "Chỉ thị nói gì về chuyển đổi số?"
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}"})
    alone = load_knowledge(DATA)
    assert build_qa(settings, alone).answer(question).kind == "refusal"
    imported = import_directive(directive(AGENCY_HEADINGS.format(colon=""), subject), agencies)
    both = replace(alone, directives=(*alone.directives, imported.directive))
    answer = build_qa(settings, both).answer(question)
    assert answer.kind != "refusal", answer.parse.entities


def test_a_quarterly_duty_keeps_its_stated_day_and_no_doubled_dinh_ky(
    agencies: tuple[Agency, ...],
) -> None:
    body = """\
Chủ tịch UBND tỉnh chỉ thị:

1. Sở Thông tin và Truyền thông
a) Định kỳ hằng quý tổng hợp, báo cáo UBND tỉnh tình hình thực hiện Chỉ thị này.
b) Định kỳ hằng quý báo cáo kết quả về UBND tỉnh trước ngày 15 của tháng cuối quý.
"""
    a, b = import_directive(directive(body), agencies).directive.duties
    assert (a.timing.recurrence, a.timing.text) == ("quarterly", "hằng quý")
    assert b.timing.text == "hằng quý báo cáo kết quả về UBND tỉnh trước ngày 15 của tháng cuối quý"
    assert stated_quarter_day(b.timing.text) == (3, 15)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "Chủ trì, phối hợp với Sở Thông tin và Truyền thông tổ chức đào tạo, bồi dưỡng "
            "kỹ năng số cho cán bộ, công chức, viên chức",
            "Chủ trì, phối hợp với Sở Thông tin và Truyền thông tổ chức đào tạo",
        ),
        (
            "Định kỳ hằng quý báo cáo kết quả thực hiện về Sở Thông tin và Truyền thông "
            "trước ngày 15 của tháng cuối quý.",
            "Định kỳ hằng quý báo cáo kết quả thực hiện về Sở Thông tin và Truyền thông",
        ),
        (
            "Chỉ đạo UBND cấp xã sử dụng hệ thống quản lý văn bản và điều hành, chữ ký số "
            "trong xử lý công việc.",
            "Chỉ đạo UBND cấp xã sử dụng hệ thống quản lý văn bản và điều hành",
        ),
        (
            "Tổ chức kiểm tra việc thực hiện các nhiệm vụ được giao tại các cơ quan đơn vị "
            "thuộc Ủy ban nhân dân tỉnh Bắc Ninh hằng năm",
            "Tổ chức kiểm tra việc thực hiện các nhiệm vụ được giao",
        ),
    ],
)
def test_a_long_duty_title_is_cut_where_a_phrase_ends(text: str, title: str) -> None:
    assert draft_title(text) == title


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (  # no phrase ends near the limit: kept whole, not cut inside «thanh toán»
            "Chỉ đạo 100% bệnh viện công lập trên địa bàn tỉnh triển khai thanh toán viện "
            "phí không dùng tiền mặt, hoàn thành trước ngày 31/3/2027.",
            "Chỉ đạo 100% bệnh viện công lập triển khai thanh toán viện phí không dùng tiền mặt",
        ),
        (  # the time limit is the duty's timing, not its title
            "Định kỳ hằng quý báo cáo kết quả thực hiện về Sở Tài chính trước ngày 15 của "
            "tháng cuối quý.",
            "Định kỳ hằng quý báo cáo kết quả thực hiện về Sở Tài chính",
        ),
        (  # «vào» + a name is no place to end
            "Chủ trì tích hợp Nền tảng thanh toán trực tuyến quốc gia vào Cổng dịch vụ công "
            "và Hệ thống thông tin giải quyết thủ tục hành chính tỉnh, hoàn thành trước "
            "ngày 31/3/2025.",
            "Chủ trì tích hợp Nền tảng thanh toán trực tuyến quốc gia",
        ),
    ],
)
def test_a_title_never_ends_inside_a_word_group(text: str, title: str) -> None:
    assert draft_title(text) == title


def test_duty_titles_start_at_the_task_and_keep_its_object(
    agencies: tuple[Agency, ...],
) -> None:
    """Chỉ thị 11 (trial 12e, N2): the partners of «Chủ trì, phối hợp với X, Y» and the
    doers before «chịu trách nhiệm» are the roles, not the title; what is done stays."""
    text = (Path(__file__).parents[1] / "support" / "ct11.txt").read_text(encoding="utf-8")
    titles = {d.id: d.title for d in import_directive(text, agencies).directive.duties}
    assert titles["5-1"] == (
        "Triển khai thu học phí không dùng tiền mặt tại 100% trường học công lập"
    )
    assert titles["6-1"] == "Tuyên truyền, cảnh báo các thủ đoạn lừa đảo qua thanh toán điện tử"
    # a partner the catalog does not know (Kho bạc) ends before the task's verb
    assert titles["1.b-1"] == "Hướng dẫn các cơ quan, đơn vị thu phí, lệ phí qua tài khoản"
    assert titles["10-1"] == "Chịu trách nhiệm tổ chức thực hiện nghiêm Chỉ thị này"
    assert not titles["4-1"].endswith("thanh"), titles["4-1"]


def test_a_monthly_duty_is_a_recurrence_with_its_stated_day(agencies: tuple[Agency, ...]) -> None:
    body = """\
Chủ tịch UBND tỉnh chỉ thị:

1. Sở Thông tin và Truyền thông
a) Định kỳ hằng tháng tổng hợp, báo cáo UBND tỉnh tình hình thực hiện Chỉ thị này.
b) Báo cáo kết quả về UBND tỉnh trước ngày 20 hàng tháng.
"""
    result = import_directive(directive(body), agencies)
    a, b = result.directive.duties
    assert (a.timing.kind, a.timing.recurrence, a.timing.text) == (
        "recurring",
        "monthly",
        "hằng tháng",
    )
    assert (b.timing.recurrence, b.timing.text) == ("monthly", "trước ngày 20 hàng tháng")
    assert stated_month_day(b.timing.text) == 20
    assert not [p for p in result.problems if "định kỳ" in p]


@pytest.mark.parametrize(
    ("sentence", "recurrence"),
    [
        # «hằng năm» qualifies a noun: the emulation, the criteria, the plan.
        (
            "Đưa kết quả thực hiện chuyển đổi số vào tiêu chí đánh giá, xếp loại thi đua "
            "hằng năm của các cơ quan, đơn vị.",
            None,
        ),
        ("Đưa kết quả thực hiện vào tiêu chí đánh giá thi đua hằng năm.", None),
        ("Lấy kết quả làm căn cứ bình xét khen thưởng hằng năm.", None),
        ("Lồng ghép nhiệm vụ chuyển đổi số trong kế hoạch hằng năm của đơn vị.", None),
        # «hằng năm» sets the duty's cadence.
        ("Định kỳ hằng năm báo cáo kết quả thực hiện về UBND tỉnh.", "annual"),
        ("Báo cáo kết quả thực hiện về UBND tỉnh hằng năm.", "annual"),
        ("Tham mưu, đề xuất bố trí kinh phí hằng năm để thực hiện Chỉ thị này.", "annual"),
        ("Hằng năm, tổ chức kiểm tra việc thực hiện tại các cơ quan, đơn vị.", "annual"),
    ],
)
def test_hang_nam_is_a_cadence_only_where_it_qualifies_the_duty(
    agencies: tuple[Agency, ...], sentence: str, recurrence: str | None
) -> None:
    body = f"Chủ tịch UBND tỉnh chỉ thị:\n\n1. Sở Nội vụ\n{sentence}\n"
    (duty,) = import_directive(directive(body), agencies).directive.duties
    assert duty.timing.recurrence == recurrence
    assert duty.timing.kind == ("recurring" if recurrence else "continuous")


VERTICAL = """\
Chủ tịch UBND tỉnh chỉ thị:

1. Cục Thuế tỉnh
Triển khai hóa đơn điện tử cho các doanh nghiệp trước ngày 30/6/2021.

2. Kho bạc Nhà nước tỉnh
Phối hợp với Sở Tài chính thanh toán điện tử các khoản chi ngân sách.

3. Bảo hiểm xã hội tỉnh
Định kỳ hằng tháng báo cáo UBND tỉnh số người tham gia bảo hiểm.

4. Công an tỉnh
Bảo đảm an ninh mạng cho hệ thống thanh toán.

5. Các cơ quan Trung ương đóng trên địa bàn tỉnh
Phối hợp thực hiện các nội dung của Chỉ thị này.
"""


def test_vertical_agencies_are_matched_in_the_catalog_or_reported_unknown(
    agencies: tuple[Agency, ...],
) -> None:
    kho_bac = Agency("kbnn", "Kho bạc Nhà nước tỉnh Bắc Ninh", "KBNN tỉnh", "central", "province")
    result = import_directive(directive(VERTICAL), (*agencies, kho_bac))
    assert [(d.clause, d.lead) for d in result.directive.duties] == [
        ("2", ("kbnn",)),  # in the admins' catalog: matched
        ("4", ("cong_an_tinh",)),
    ]
    for name, line in [
        ("Cục Thuế tỉnh", 13),
        ("Bảo hiểm xã hội tỉnh", 19),
        ("Các cơ quan Trung ương đóng trên địa bàn tỉnh", 25),
    ]:
        said = [p for p in result.problems if f"«{name}»" in p]
        assert said[0].startswith(f"dòng {line}: không nhận ra cơ quan «{name}»"), said
        assert f"dòng {line + 1}: nhiệm vụ ở mục" in said[1], said  # its duty waits for one
    assert not [p for p in result.problems if "«30/6/2021» không gắn" in p]  # its duty's


CLOSING = """\
Chủ tịch UBND tỉnh chỉ thị:

1. Sở Nội vụ
Tổ chức bồi dưỡng kỹ năng số cho công chức; hoàn thành trước ngày 30/9/2021.

2. Các sở, ban, ngành
a) Thực hiện số hóa hồ sơ thủ tục hành chính.
b) Cập nhật dữ liệu lên Cổng thông tin điện tử tỉnh.
{last}
Yêu cầu Thủ trưởng các cơ quan, đơn vị, địa phương nghiêm túc thực hiện Chỉ thị này.
Giao Sở Thông tin và Truyền thông theo dõi, đôn đốc, kiểm tra việc thực hiện Chỉ thị \
này; báo cáo Chủ tịch UBND tỉnh.
"""


@pytest.mark.parametrize(
    "last",
    [
        "",  # after a), b): the items are done
        "3. Sở Tài chính\nBảo đảm kinh phí thực hiện chuyển đổi số.\n",  # after a heading's text
        "3. Sở Tài chính\n\nBảo đảm kinh phí thực hiện chuyển đổi số.\n\n",  # blank lines
    ],
)
def test_closing_lines_are_a_clause_not_the_last_items_duties(
    agencies: tuple[Agency, ...], last: str
) -> None:
    result = import_directive(directive(CLOSING.format(last=last)), agencies)
    d = result.directive
    closing = d.clause("closing")
    assert (
        closing.text.startswith("Yêu cầu Thủ trưởng các cơ quan") and "báo cáo Chủ" in closing.text
    )
    by_clause = {x.clause: x for x in d.duties}
    assert by_clause["closing"].lead == ("sttt",)  # «Giao Sở X theo dõi ...»: its duty
    assert [x.id for x in d.duties if x.clause == "closing"] == ["closing-1"]
    assert not any(
        "Yêu cầu" in x.text or "Giao Sở" in x.text for x in d.duties if x.clause != "closing"
    )
    assert not [p for p in result.problems if "chưa rõ cơ quan" in p]  # «Yêu cầu ...»: everyone
    if last:
        assert by_clause["3"].text == "Bảo đảm kinh phí thực hiện chuyển đổi số."


def test_a_heading_keeps_a_paragraph_that_reads_like_a_closing(
    agencies: tuple[Agency, ...],
) -> None:
    body = """\
Chủ tịch UBND tỉnh chỉ thị:

1. Sở Nội vụ
Tổ chức bồi dưỡng kỹ năng số cho công chức.

2. Tổ chức thực hiện
Thủ trưởng các sở, ban, ngành chịu trách nhiệm trước Chủ tịch UBND tỉnh về việc triển \
khai thực hiện Chỉ thị này.
"""
    d = import_directive(directive(body), agencies).directive
    assert [c.id for c in d.clauses if c.id == "closing"] == []
    (duty,) = [x for x in d.duties if x.clause == "2"]
    assert duty.kind == "responsibility"


def test_a_closing_that_carries_out_the_document_is_a_responsibility() -> None:
    assert (
        duty_kind("Yêu cầu Giám đốc các sở nghiêm túc thực hiện Chỉ thị này.") == "responsibility"
    )
    assert duty_kind("Tham mưu bố trí kinh phí để triển khai thực hiện Chỉ thị này.") == "task"
    assert duty_kind("Thực hiện nghiêm các quy định của pháp luật về chữ ký số.") == "task"


@pytest.mark.parametrize(
    "closing",
    [
        "Trong quá trình triển khai, nếu phát sinh khó khăn, vướng mắc, các cơ quan, đơn vị "
        "kịp thời phản ánh về Sở Nội vụ để tổng hợp, báo cáo UBND tỉnh.",
        "Nếu có vướng mắc, đề nghị báo cáo UBND tỉnh (qua Văn phòng UBND tỉnh) xem xét.",
    ],
)
def test_the_closing_formula_for_difficulties_is_every_agencys_responsibility(
    agencies: tuple[Agency, ...], closing: str
) -> None:
    """«Nếu có khó khăn, vướng mắc, báo cáo về X» under a heading naming no doer is said
    to every agency the directive addresses (its groups), and is nothing to report on."""
    body = AGENCY_HEADINGS.format(colon="") + f"\n4. Tổ chức thực hiện\n{closing}\n"
    result = import_directive(directive(body), agencies)
    assert not result.unassigned
    assert not [p for p in result.problems if "chưa rõ cơ quan" in p], result.problems
    closing_duty = result.directive.duties[-1]
    assert closing_duty.clause == "4"
    # Sở Nội vụ and Công an tỉnh are in no group the directive names: each is named
    assert closing_duty.addressees == closing_duty.lead == ("all_districts", "snv", "cong_an_tinh")
    assert closing_duty.kind == "responsibility"


def test_a_duty_that_only_mentions_difficulties_stays_a_task() -> None:
    assert duty_kind("Rà soát, tháo gỡ khó khăn, vướng mắc cho doanh nghiệp") == "task"
    assert duty_kind("Nếu có khó khăn, vướng mắc, báo cáo về Sở Tài chính") == "responsibility"
