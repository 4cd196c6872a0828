"""The directive importer: on the real 06 text against the hand-reviewed pack, and on
two small texts of other shapes (a KẾ HOẠCH with I./1./-/+ and a QUYẾT ĐỊNH with Điều)."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path

import pytest

from bot.application.admin.drafts import REVIEW_FILE
from bot.application.importer.agencies import AgencyMatcher
from bot.application.importer.draft import write_draft
from bot.application.importer.pipeline import import_directive, slug
from bot.application.importer.reading import classify_lines
from bot.application.importer.report import ImportResult
from bot.application.knowledge.pack import (
    DIRECTIVE_FILE,
    SOURCE_FILE,
    load_agencies,
    load_knowledge,
)
from bot.cli import main
from bot.domain.knowledge import Agency, Directive, KnowledgeBase

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
PACK_06 = DATA / "directives" / "06-CT-UBND-2019"

KE_HOACH = """\
ỦY BAN NHÂN DÂN
TỈNH BẮC NINH
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Số: 120/KH-UBND
Bắc Ninh, ngày 10 tháng 5 năm 2020

KẾ HOẠCH
TRIỂN KHAI CHÍNH QUYỀN ĐIỆN TỬ TỈNH BẮC NINH NĂM 2020

Thực hiện Chỉ thị số 06/CT-UBND ngày 19/4/2019 của UBND tỉnh Bắc Ninh về tăng cường \
ứng dụng công nghệ thông tin trong hoạt động của các cơ quan nhà nước, Ủy ban nhân dân \
tỉnh ban hành Kế hoạch xây dựng Chính quyền điện tử năm 2020 như sau:

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Cụ thể hóa các nhiệm vụ xây dựng Chính quyền điện tử của tỉnh năm 2020.
2. Yêu cầu
- Bảo đảm đúng tiến độ, hiệu quả, tiết kiệm.
- Bảo đảm an toàn thông tin.

II. NHIỆM VỤ
1. Sở Thông tin và Truyền thông
- Chủ trì nâng cấp Trung tâm dữ liệu của tỉnh, hoàn thành trước ngày 30/9/2020.
- Tổ chức tập huấn an toàn thông tin cho cán bộ:
+ Cấp tỉnh: trong quý II/2020;
+ Cấp huyện, cấp xã: trước ngày 31/10/2020.
2. Sở Du lịch
- Cập nhật cơ sở dữ liệu du lịch lên Cổng thông tin điện tử tỉnh hàng quý.
3. UBND các huyện, thị xã, thành phố
- Báo cáo kết quả thực hiện về Sở Thông tin và Truyền thông hàng năm.

III. TỔ CHỨC THỰC HIỆN
- Giao Sở Tài chính bố trí kinh phí thực hiện Kế hoạch.
- Sở Thông tin và Truyền thông theo dõi, tổng hợp kết quả thực hiện.

Các sở, ban, ngành, UBND các huyện, thị xã, thành phố căn cứ Kế hoạch này tổ chức thực hiện./.

Nơi nhận:
- UBND tỉnh (b/c);
- Các sở, ban, ngành;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Nguyễn Tử Quỳnh
"""

QUYET_DINH = """\
ỦY BAN NHÂN DÂN
TỈNH BẮC NINH
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Số: 210/QĐ-UBND
Bắc Ninh, ngày 3 tháng 6 năm 2019

QUYẾT ĐỊNH
VỀ VIỆC THÀNH LẬP TỔ CÔNG TÁC TRIỂN KHAI CHỈ THỊ SỐ 06/CT-UBND

CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẮC NINH

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;
Căn cứ Chỉ thị số 06/CT-UBND ngày 19/4/2019 của UBND tỉnh Bắc Ninh về tăng cường ứng \
dụng công nghệ thông tin trong hoạt động của các cơ quan nhà nước tỉnh Bắc Ninh;
Xét đề nghị của Giám đốc Sở Thông tin và Truyền thông,

QUYẾT ĐỊNH:

Điều 1. Thành lập Tổ công tác triển khai Chỉ thị số 06/CT-UBND, gồm:
1. Đại diện lãnh đạo Sở Thông tin và Truyền thông, Tổ trưởng;
2. Đại diện lãnh đạo Sở Nội vụ, thành viên;
3. Đại diện lãnh đạo Trung tâm Hành chính công tỉnh, thành viên.

Điều 2. Giao Sở Thông tin và Truyền thông chủ trì xây dựng quy chế hoạt động của Tổ \
công tác, trình UBND tỉnh trước ngày 30/6/2019.

Điều 3. Chánh Văn phòng UBND tỉnh, Giám đốc các sở, ban, ngành và Chủ tịch UBND các \
huyện, thị xã, thành phố chịu trách nhiệm thi hành Quyết định này./.

Nơi nhận:
- Như Điều 3;
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Nguyễn Tiến Nhường
"""


@pytest.fixture(scope="module")
def agencies() -> tuple[Agency, ...]:
    return load_agencies(DATA / "agencies.yaml")


@pytest.fixture(scope="module")
def reviewed() -> KnowledgeBase:
    return load_knowledge(DATA)


@pytest.fixture(scope="module")
def ref(reviewed: KnowledgeBase) -> Directive:
    return next(d for d in reviewed.directives if d.id == "06-CT-UBND-2019")


@pytest.fixture(scope="module")
def imported(agencies: tuple[Agency, ...]) -> ImportResult:
    return import_directive((PACK_06 / SOURCE_FILE).read_text(encoding="utf-8"), agencies)


def load_draft(tmp_path: Path, result: ImportResult, faq: Path | None = None) -> Directive:
    """Write the draft into a fresh data dir (agencies.yaml, faq.yaml) and load it."""
    data = tmp_path / "data"
    write_draft(result, data / "directives" / result.directive.id)
    shutil.copy(DATA / "agencies.yaml", data / "agencies.yaml")
    if faq is None:
        (data / "faq.yaml").write_text("[]\n", encoding="utf-8")
    else:
        shutil.copy(faq, data / "faq.yaml")
    (loaded,) = load_knowledge(data).directives
    return loaded


def deadlines(d: Directive) -> set[tuple[str, dt.date | None]]:
    return {(x.clause, x.timing.due) for x in d.duties if x.timing.kind == "deadline"}


def recurrences(d: Directive) -> set[tuple[str, str | None]]:
    return {(x.clause, x.timing.recurrence) for x in d.duties if x.timing.kind == "recurring"}


def problems_about(result: ImportResult, phrase: str) -> list[str]:
    return [p for p in result.problems if phrase in p]


# --- the 06 text against the reviewed pack ---------------------------------------


def test_06_clause_split_equals_the_reviewed_pack(imported: ImportResult, ref: Directive) -> None:
    draft = {c.id: c for c in imported.directive.clauses}
    reviewed = {c.id: c for c in ref.clauses}
    assert set(draft) == set(reviewed)
    assert [c.id for c in imported.directive.clauses] == [c.id for c in ref.clauses]
    for clause_id, clause in reviewed.items():
        assert len(draft[clause_id].items) == len(clause.items), clause_id
        assert draft[clause_id].items == clause.items, clause_id
        assert draft[clause_id].text == clause.text, clause_id
        assert draft[clause_id].parent == clause.parent, clause_id
        assert draft[clause_id].label == clause.label, clause_id


def test_06_headings_become_titles(imported: ImportResult) -> None:
    titles = {c.id: c.title for c in imported.directive.clauses}
    assert titles["1"] == "Nhiệm vụ chung"
    assert titles["1.d"] == "Dịch vụ công trực tuyến"  # "Dịch vụ công trực tuyến: ..." inline
    assert titles["1.e"] == "Tăng cường sử dụng chữ ký số"
    assert titles["2.b"] == "Sở Thông tin và Truyền thông"


def test_06_metadata_equals_the_reviewed_pack(imported: ImportResult, ref: Directive) -> None:
    d = imported.directive
    for name in (
        "id",
        "number",
        "doc_type",
        "title",
        "issued",
        "effective",
        "issuer",
        "place",
        "signer_name",
        "signer_title",
        "signing_capacity",
        "recipients",
    ):
        assert getattr(d, name) == getattr(ref, name), name


def test_06_the_three_cited_documents(imported: ImportResult, ref: Directive) -> None:
    found = {
        (c.number, c.doc_type, c.date, c.issuer, c.clause, c.quote)
        for c in imported.directive.cites
    }
    expected = {(c.number, c.doc_type, c.date, c.issuer, c.clause, c.quote) for c in ref.cites}
    assert found == expected
    assert {c[0] for c in found} == {"43/2011/NĐ-CP", "1987/QĐ-UBND", "02/CT-TTg"}


def test_06_deadlines_and_recurrences_on_the_right_clauses(
    imported: ImportResult, ref: Directive
) -> None:
    d = imported.directive
    assert deadlines(d) == {
        ("1.c", dt.date(2019, 12, 31)),
        ("2.f", dt.date(2019, 5, 31)),
        ("2.f", dt.date(2019, 6, 30)),
    }
    assert deadlines(d) == deadlines(ref)
    assert recurrences(d) == {("2.b", "quarterly"), ("2.c", "annual")} == recurrences(ref)
    texts = {x.timing.text for x in d.duties if x.timing.kind != "continuous"}
    assert texts == {
        "thời gian thực hiện di chuyển xong trước 31/12/2019",
        "trước ngày 31/5/2019",
        "xong trước ngày 30/6/2019",
        "hàng quý (hoặc đột xuất)",
        "hàng năm",
    }


def test_06_duty_candidates_against_the_reviewed_duties(
    imported: ImportResult, ref: Directive
) -> None:
    d = imported.directive
    assert len(ref.duties) == 43
    assert len(imported.candidates) == len(d.duties) == 45  # every candidate is addressed
    reviewed = {x.text: x for x in ref.duties}
    same = [x for x in d.duties if x.text in reviewed]
    assert len(same) >= 35  # the others are cut differently (by sentence and at "; ")
    for duty in same:
        assert duty.clause == reviewed[duty.text].clause
        assert duty.addressees == reviewed[duty.text].addressees, duty.id
        assert duty.timing == reviewed[duty.text].timing, duty.id
        assert duty.kind == reviewed[duty.text].kind, duty.id  # responsibility or task
    by_id = {x.id: x for x in d.duties}
    assert by_id["2.a-1"].lead == ("vp_ubnd",) and by_id["2.a-1"].coordinate == ("sttt",)
    assert by_id["1.f-3"].addressees == ("sttt",)  # "Giao Sở Thông tin và Truyền thông ..."
    assert by_id["closing-1"].addressees == ("all_departments", "all_districts")
    assert by_id["closing-1"].kind == "responsibility"  # "có trách nhiệm thi hành"
    answering = {x.id for x in d.duties if x.kind == "responsibility"}
    assert {"closing-1", "2.b-1"} <= answering
    assert all("trách nhiệm" in by_id[x].text for x in answering)


def test_06_problems_are_only_the_lines_around_the_document(imported: ImportResult) -> None:
    assert len(imported.problems) == 2
    assert imported.problems[0].startswith("dòng 1:")  # "Hệ thống pháp luật"
    assert "HIỆU LỰC VĂN BẢN" in imported.problems[1]  # the website's trailer


def test_06_every_verbatim_field_is_in_the_source(imported: ImportResult) -> None:
    d = imported.directive
    fields = [c.text for c in d.clauses] + [i for c in d.clauses for i in c.items]
    fields += [x.text for x in d.duties] + [x.timing.text for x in d.duties]
    fields += [c.quote for c in d.cites] + list(d.recipients)
    assert all(f in d.source_text for f in fields)


def test_06_hard_wrapped_text_gives_the_same_split(
    imported: ImportResult, agencies: tuple[Agency, ...]
) -> None:
    """As extracted from a PDF: every paragraph broken at 80 columns."""
    source = imported.directive.source_text
    wrapped = "\n".join(
        "\n".join(textwrap.wrap(line, 80)) if len(line) > 80 else line
        for line in source.split("\n")
    )
    result = import_directive(wrapped, agencies)
    d = result.directive
    assert [(c.id, len(c.items)) for c in d.clauses] == [
        (c.id, len(c.items)) for c in imported.directive.clauses
    ]
    assert deadlines(d) == deadlines(imported.directive)
    assert recurrences(d) == recurrences(imported.directive)
    assert {c.number for c in d.cites} == {c.number for c in imported.directive.cites}
    assert len(d.duties) == len(imported.directive.duties)
    assert len(result.problems) == len(imported.problems)


def test_06_draft_loads_through_the_pack_loader(tmp_path: Path, imported: ImportResult) -> None:
    loaded = load_draft(tmp_path, imported, faq=DATA / "faq.yaml")
    d = imported.directive
    assert loaded.source_text == d.source_text
    assert loaded.clauses == d.clauses
    assert loaded.duties == d.duties
    assert loaded.cites == d.cites
    folder = tmp_path / "data" / "directives" / d.id
    assert (folder / DIRECTIVE_FILE).read_text(encoding="utf-8").startswith("# BẢN NHÁP")
    assert "Vấn đề cần xem" in (folder / "import_report.txt").read_text(encoding="utf-8")


# --- a KẾ HOẠCH: I. / 1. / - / + ---------------------------------------------------


@pytest.fixture(scope="module")
def plan(agencies: tuple[Agency, ...]) -> ImportResult:
    return import_directive(KE_HOACH, agencies)


def test_plan_split(plan: ImportResult) -> None:
    d = plan.directive
    assert (d.doc_type, d.number, d.issued) == ("Kế hoạch", "120/KH-UBND", dt.date(2020, 5, 10))
    assert d.title == "Triển khai Chính quyền điện tử tỉnh Bắc Ninh năm 2020"
    assert (d.signing_capacity, d.signer_title, d.signer_name) == (
        "TM. Ủy ban nhân dân",
        "Chủ tịch",
        "Nguyễn Tử Quỳnh",
    )
    items = {c.id: len(c.items) for c in d.clauses}
    assert items == {
        "intro.basis": 0,
        "I": 0,
        "I.1": 1,
        "I.2": 2,
        "II": 0,
        "II.1": 2,
        "II.2": 1,
        "II.3": 1,
        "III": 2,
        "closing": 0,
    }
    parents = {c.id: c.parent for c in d.clauses}
    assert parents["II.1"] == "II" and parents["I.2"] == "I" and parents["III"] is None
    # the "+" sub-bullets fold into their "-" item
    assert d.clause("II.1").items[1] == (
        "Tổ chức tập huấn an toàn thông tin cho cán bộ:\n"
        "+ Cấp tỉnh: trong quý II/2020;\n"
        "+ Cấp huyện, cấp xã: trước ngày 31/10/2020."
    )
    assert [c.number for c in d.cites] == ["06/CT-UBND"]


def test_plan_deadlines_and_addressees(plan: ImportResult) -> None:
    d = plan.directive
    assert deadlines(d) == {
        ("II.1", dt.date(2020, 9, 30)),
        ("II.1", dt.date(2020, 6, 30)),  # "trong quý II/2020"
        ("II.1", dt.date(2020, 10, 31)),
    }
    assert recurrences(d) == {("II.3", "annual")}
    addressees = {x.id: x.addressees for x in d.duties}
    assert addressees["II.1-1"] == ("sttt",)
    assert addressees["III-1"] == ("stc",)  # "Giao Sở Tài chính ..."
    assert addressees["closing-1"] == ("all_departments", "all_districts")


def test_plan_reports_the_unknown_agency_and_its_duty(plan: ImportResult) -> None:
    assert problems_about(plan, "«Sở Du lịch»")
    assert problems_about(plan, "mục II.2 giao cho «Sở Du lịch», cơ quan chưa có trong danh mục")
    assert all(x.clause != "II.2" for x in plan.directive.duties)


CT15 = REPO / "tests" / "support" / "ct15.txt"


@pytest.mark.parametrize(
    "heading",
    [
        "Trung tâm Dữ liệu tỉnh",
        "Các doanh nghiệp cung cấp dịch vụ bưu chính, viễn thông trên địa bàn",
    ],
)
@pytest.mark.parametrize("verb", ["Chủ trì", "Bảo đảm"])
def test_a_section_headed_by_an_unknown_doer_holds_its_duty_whatever_its_verb(
    agencies: tuple[Agency, ...], heading: str, verb: str
) -> None:
    """A numbered section whose heading names a doer the catalog does not have (an
    agency, or a group of enterprises) is addressed to it: its sentence is a duty
    waiting for an agency (shown «chưa có cơ quan»), never dropped unnoticed."""
    section = (
        f"9. {heading}\n{verb} hạ tầng dữ liệu dùng chung, hoàn thành trước ngày 31/12/2021.\n\n"
    )
    text = CT15.read_text(encoding="utf-8").replace(
        "9. Tổ chức thực hiện", section + "10. Tổ chức thực hiện"
    )
    result = import_directive(text, agencies)
    (waiting,) = result.unassigned
    assert (waiting.id, waiting.timing.due) == ("9-1", dt.date(2021, 12, 31))
    assert waiting.text.startswith(verb)
    assert problems_about(result, f"mục 9 giao cho «{heading}», cơ quan chưa có trong danh mục")


def test_a_preamble_paragraph_is_split_where_it_turns(agencies: tuple[Agency, ...]) -> None:
    """15's one preamble paragraph holds results, then «Tuy nhiên» shortcomings, then
    the «Để» purpose: three clauses, each labelled for what it says."""
    result = import_directive(CT15.read_text(encoding="utf-8"), agencies)
    intro = {c.id: c for c in result.directive.clauses if c.id.startswith("intro.")}
    assert list(intro) == ["intro.results", "intro.shortcomings", "intro.purpose"]
    assert intro["intro.results"].text.endswith("đã đạt được nhiều kết quả.")
    assert intro["intro.shortcomings"].text == "Tuy nhiên, chuyển đổi số còn chậm, chưa đồng bộ."
    assert intro["intro.shortcomings"].label == "Phần mở đầu – bất cập, hạn chế"
    assert intro["intro.purpose"].text.startswith("Để đẩy mạnh chuyển đổi số")
    assert intro["intro.purpose"].label == "Phần mở đầu – mục đích"


@pytest.mark.parametrize(
    ("paragraph", "kinds"),
    [
        ("Tỉnh đã triển khai nhiều việc. Bên cạnh đó, tỉnh đã ban hành nhiều văn bản.", ["1"]),
        (
            "Tỉnh đã triển khai nhiều việc. Bên cạnh đó, việc số hóa còn chậm.",
            ["results", "shortcomings"],
        ),
        ("Để đẩy mạnh chuyển đổi số. Để bảo đảm an toàn thông tin, Chủ tịch chỉ thị:", ["purpose"]),
    ],
)
def test_a_preamble_paragraph_turns_only_at_a_change_of_subject(
    agencies: tuple[Agency, ...], paragraph: str, kinds: list[str]
) -> None:
    """«Bên cạnh đó» adds more results unless it says what is still lacking; two
    purposes in a row are one clause."""
    text = CT15.read_text(encoding="utf-8")
    (old,) = [line for line in text.splitlines() if line.startswith("Trong thời gian qua")]
    result = import_directive(text.replace(old, paragraph), agencies)
    intro = [c.id for c in result.directive.clauses if c.id.startswith("intro.")]
    assert intro == [f"intro.{kind}" for kind in kinds]


def test_plan_draft_loads(tmp_path: Path, plan: ImportResult) -> None:
    loaded = load_draft(tmp_path, plan)
    assert loaded.id == "120-KH-UBND-2020"
    assert loaded.clauses == plan.directive.clauses


# --- a QUYẾT ĐỊNH: Điều 1. / Điều 2. ------------------------------------------------


@pytest.fixture(scope="module")
def decision(agencies: tuple[Agency, ...]) -> ImportResult:
    return import_directive(QUYET_DINH, agencies)


def test_decision_split(decision: ImportResult) -> None:
    d = decision.directive
    assert (d.doc_type, d.number) == ("Quyết định", "210/QĐ-UBND")
    assert d.title == "Thành lập Tổ công tác triển khai Chỉ thị số 06/CT-UBND"
    assert [c.id for c in d.clauses] == [
        "intro.basis",
        "intro.proposal",
        "1",
        "1.1",
        "1.2",
        "1.3",
        "2",
        "3",
    ]
    assert len(d.clause("intro.basis").items) == 2  # two "Căn cứ ..." lines
    assert d.clause("1").text == "Thành lập Tổ công tác triển khai Chỉ thị số 06/CT-UBND, gồm:"
    assert d.clause("1.2").parent == "1"
    assert d.clause("2").label == "Điều 2"
    assert (d.signing_capacity, d.signer_title) == ("KT. Chủ tịch", "Phó Chủ tịch")


def test_decision_deadline_and_addressees(decision: ImportResult) -> None:
    d = decision.directive
    assert deadlines(d) == {("2", dt.date(2019, 6, 30))}
    (article_2,) = [x for x in d.duties if x.clause == "2"]
    assert article_2.addressees == ("sttt",) and article_2.timing.text == "trước ngày 30/6/2019"
    (article_3,) = [x for x in d.duties if x.clause == "3"]
    assert article_3.addressees == ("vp_ubnd", "all_departments", "all_districts")
    assert {x.clause for x in d.duties} == {"2", "3"}  # members of the team are no duties


def test_decision_reports_the_unknown_agency_and_a_loose_date(decision: ImportResult) -> None:
    assert problems_about(decision, "«Trung tâm Hành chính công tỉnh»")
    assert problems_about(decision, "«19/6/2015»")  # "Luật ... ngày 19/6/2015": no number


def test_decision_draft_loads(tmp_path: Path, decision: ImportResult) -> None:
    assert load_draft(tmp_path, decision).duties == decision.directive.duties


# --- pieces ------------------------------------------------------------------------


def test_line_classifier() -> None:
    text = (
        "1. Nhiệm vụ chung\n2) Cụ thể\nII. NHIỆM VỤ\n1.2. Con\na) Chữ\n"
        "Điều 3. Thi hành\n- Gạch\n+ Cộng\n-----\n\nVăn bản"
    )
    kinds = [(x.kind, x.style, x.label) for x in classify_lines(text)]
    assert kinds == [
        ("marker", "arabic", "1"),
        ("marker", "arabic", "2"),
        ("marker", "roman", "II"),
        ("marker", "decimal", "1.2"),
        ("marker", "letter", "a"),
        ("marker", "article", "3"),
        ("bullet", "dash", "-"),
        ("bullet", "plus", "+"),
        ("rule", "", ""),
        ("blank", "", ""),
        ("text", "", ""),
    ]
    assert classify_lines(text)[0].text(text) == "Nhiệm vụ chung"


def test_agency_matcher_longest_match_and_case(agencies: tuple[Agency, ...]) -> None:
    matcher = AgencyMatcher(agencies)
    text = "Văn phòng UBND tỉnh, Sở Thong tin va Truyen thong; lĩnh vực thông tin và truyền thông"
    assert [m.agency for m in matcher.find(text)] == ["vp_ubnd", "sttt"]
    assert [m.agency for m in matcher.find("Bộ Thông tin và Truyền thông")] == ["bo_tttt"]
    assert [m.agency for m in matcher.find("Phòng Nội vụ huyện")] == []  # not Sở Nội vụ
    heading = "đơn vị thuộc UBND tỉnh, UBND các huyện"  # a scope, then an addressee
    assert matcher.addressed(heading, 0, len(heading)) == ("all_districts",)


def test_slug() -> None:
    assert slug("1987/QĐ-UBND", dt.date(2018, 10, 31)) == "1987-QD-UBND-2018"


def test_cli_import_prints_a_summary_and_writes_the_draft(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    monkeypatch.setenv("DATA_DIR", str(data))
    monkeypatch.setenv("DATABASE_URL", db_url)  # the agencies as admins keep them
    assert main(["directive", "import", str(PACK_06 / SOURCE_FILE)]) == 0
    out = capsys.readouterr().out
    assert "Mục: 18" in out
    assert "Nhiệm vụ: 45" in out
    assert "Vấn đề cần xem (problems): 2" in out
    draft = data / "drafts" / "06-CT-UBND-2019"
    # review.yaml: the problems tied to duties, which `bot directive set` settles.
    files = {DIRECTIVE_FILE, SOURCE_FILE, "import_report.txt", REVIEW_FILE}
    assert {p.name for p in draft.iterdir()} == files
    assert main(["directive", "import", str(tmp_path / "missing.txt")]) == 2
