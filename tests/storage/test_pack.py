"""The real directive pack under data/ and the loader's refusals.

The checks on the real pack re-read source.txt and fold names here, on their own,
so that a bug in the loader's validation cannot hide a bad pack.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.application.knowledge.pack import PackError, default_data_dir, load_knowledge
from bot.domain.knowledge import Directive, KnowledgeBase

REPO = Path(__file__).resolve().parents[2]
DIRECTIVE_ID = "06-CT-UBND-2019"
SOURCE = REPO / "data" / "directives" / DIRECTIVE_ID / "source.txt"

RESULT_FIGURES = {
    "9.289",
    "316.663",
    "144.750",
    "171.913",
    "338.756",
    "182.225",
    "156.531",
    "819",
    "46%",
    "719",
    "369",
    "350",
    "286",
}
DISTRICT_PLACES = {
    "Bắc Ninh",
    "Từ Sơn",
    "Tiên Du",
    "Yên Phong",
    "Quế Võ",
    "Thuận Thành",
    "Gia Bình",
    "Lương Tài",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(default_data_dir())


@pytest.fixture(scope="module")
def directive(kb: KnowledgeBase) -> Directive:
    (only,) = [d for d in kb.directives if d.id == DIRECTIVE_ID]
    return only


@pytest.fixture(scope="module")
def source() -> str:
    return SOURCE.read_text(encoding="utf-8")


def fold(text: str) -> str:
    """Lower-case, no diacritics, đ -> d, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(re.sub(r"[^0-9a-z%]+", " ", text).split())


def verbatim_fields(d: Directive) -> Iterator[tuple[str, str]]:
    for c in d.clauses:
        if c.text:
            yield f"clause {c.id} text", c.text
        for i, item in enumerate(c.items, 1):
            yield f"clause {c.id} item {i}", item
    for x in d.duties:
        yield f"duty {x.id} text", x.text
        if x.timing.text:
            yield f"duty {x.id} timing", x.timing.text
    for f in d.figures:
        yield f"figure {f.id} quote", f.quote
    for cite in d.cites:
        yield f"cite {cite.number} quote", cite.quote
    for i, line in enumerate(d.recipients):
        yield f"recipient {i}", line


# --- the real pack ----------------------------------------------------------------


def test_default_data_dir_is_the_repo_data_folder() -> None:
    assert default_data_dir() == REPO / "data"


def test_source_text_is_loaded_from_source_txt(directive: Directive, source: str) -> None:
    assert directive.source_text == source


def test_every_verbatim_field_is_an_exact_substring_of_the_source(
    directive: Directive, source: str
) -> None:
    fields = list(verbatim_fields(directive))
    assert len(fields) > 100
    missing = [name for name, text in fields if text not in source]
    assert missing == []


def test_metadata(directive: Directive) -> None:
    assert directive.number == "06/CT-UBND"
    assert directive.doc_type == "Chỉ thị"
    assert directive.issued == dt.date(2019, 4, 19)
    assert directive.effective == dt.date(2019, 4, 19)
    assert directive.signer_name == "Nguyễn Tiến Nhường"
    assert directive.signing_capacity == "KT. Chủ tịch"
    assert fold(directive.title) in fold(directive.source_text)


def test_all_clauses_exist_with_parents(directive: Directive) -> None:
    ids = {c.id for c in directive.clauses}
    lettered = {f"{n}.{x}" for n in "12" for x in "abcdef"}
    assert {"intro.results", "intro.shortcomings", "intro.purpose", "1", "2", "closing"} <= ids
    assert lettered <= ids
    for clause_id in lettered:
        assert directive.clause(clause_id).parent == clause_id[0]
        assert directive.clause(clause_id).label == f"Mục {clause_id}"
    assert directive.clause("1.e").title == "Tăng cường sử dụng chữ ký số"
    assert directive.clause("1.d").title == "Dịch vụ công trực tuyến"
    assert len(directive.clause("intro.shortcomings").items) == 5


def test_bullets_are_items(directive: Directive) -> None:
    counts = {c.id: len(c.items) for c in directive.clauses}
    assert counts["1.e"] == 3
    assert counts["1.f"] == 3
    assert counts["2.b"] == 8
    assert counts["2.d"] == 2
    assert counts["2.f"] == 5
    assert not any(item.startswith("- ") for c in directive.clauses for item in c.items)


def test_every_duty_sits_in_its_clause(directive: Directive) -> None:
    for duty in directive.duties:
        assert duty.id.startswith(duty.clause + "-")
        clause = directive.clause(duty.clause)
        assert duty.text in clause.text or any(duty.text in item for item in clause.items), duty.id
        assert set(duty.topics) <= set(clause.topics), duty.id
        assert 0 < len(duty.title) <= 90, duty.id
        assert unicodedata.is_normalized("NFC", duty.title)


def test_split_bullets_give_separate_duties(directive: Directive) -> None:
    by_clause: dict[str, int] = {}
    for duty in directive.duties:
        by_clause[duty.clause] = by_clause.get(duty.clause, 0) + 1
    assert by_clause["1.f"] >= 5  # three bullets, several duties each
    assert by_clause["2.f"] >= 6  # the third bullet holds two duties
    sttt_in_1f = [d for d in directive.duties if d.clause == "1.f" and d.addressees == ("sttt",)]
    assert len(sttt_in_1f) == 1


def test_the_three_deadlines(directive: Directive) -> None:
    deadlines = {
        (d.clause, d.timing.due, d.timing.text)
        for d in directive.duties
        if d.timing.kind == "deadline"
    }
    assert deadlines == {
        ("1.c", dt.date(2019, 12, 31), "thời gian thực hiện di chuyển xong trước 31/12/2019"),
        ("2.f", dt.date(2019, 5, 31), "trước ngày 31/5/2019"),
        ("2.f", dt.date(2019, 6, 30), "xong trước ngày 30/6/2019"),
    }


def test_quarterly_and_annual_recurrences(directive: Directive) -> None:
    recurring = {
        (d.clause, d.timing.recurrence, d.lead)
        for d in directive.duties
        if d.timing.kind == "recurring"
    }
    assert ("2.b", "quarterly", ("sttt",)) in recurring
    assert ("2.c", "annual", ("stc", "skhdt")) in recurring
    for d in directive.duties:
        if d.timing.kind == "continuous":
            assert d.timing.due is None and d.timing.recurrence is None and d.timing.text == ""


def test_roles_in_section_2(directive: Directive) -> None:
    roles = {d.id: (d.lead, d.coordinate) for d in directive.duties}
    assert roles["2.a-1"] == (("vp_ubnd",), ("sttt",))
    assert roles["2.e-1"] == (
        ("bao_bac_ninh", "dai_pt_th", "cong_ttdt"),
        ("all_departments", "all_districts"),
    )
    for d in directive.duties:
        if d.clause.startswith("1.") and d.addressees != ("sttt",):
            assert d.addressees == ("all_departments", "all_districts"), d.id
        if d.clause == "2.f":
            assert "all_districts" in d.lead, d.id
    communes_via = {d.id for d in directive.duties if "communes" in d.via}
    assert communes_via and all(i.startswith("2.f-") for i in communes_via)


def test_every_reference_resolves(kb: KnowledgeBase, directive: Directive) -> None:
    agency_ids = {a.id for a in kb.agencies}
    clause_ids = {c.id for c in directive.clauses}
    topic_ids = {t.id for t in directive.topics}
    for d in directive.duties:
        for ref in (*d.addressees, *d.lead, *d.coordinate, *d.via):
            assert ref in agency_ids, (d.id, ref)
    for c in directive.clauses:
        assert set(c.topics) <= topic_ids, c.id
    for f in directive.figures:
        assert f.clause in clause_ids
    for cite in directive.cites:
        assert cite.clause in clause_ids
    for e in kb.faq:
        assert set(e.clauses) <= clause_ids, e.id


def test_topics_and_clauses_agree(directive: Directive) -> None:
    for topic in directive.topics:
        assert topic.clauses, topic.id
        for clause_id in topic.clauses:
            assert topic.id in directive.clause(clause_id).topics, (topic.id, clause_id)
    for clause in directive.clauses:
        for topic_id in clause.topics:
            (topic,) = [t for t in directive.topics if t.id == topic_id]
            assert clause.id in topic.clauses, (clause.id, topic_id)


def test_required_topics(directive: Directive) -> None:
    ids = {t.id for t in directive.topics}
    assert {
        "chu_ky_so",
        "an_toan_thong_tin",
        "dich_vu_cong",
        "trung_tam_du_lieu",
        "van_ban_dien_tu",
        "windows_ban_quyen",
        "san_pham_trong_nuoc",
        "cung_cap_thong_tin",
        "chinh_quyen_dien_tu",
        "trang_tin_cap_xa",
        "can_bo_cntt",
        "kinh_phi",
        "tuyen_truyen",
        "bao_cao",
        "cai_cach_hanh_chinh",
        "ict_index",
    } <= ids
    owner: dict[str, str] = {}
    for topic in directive.topics:
        for spelling in (topic.name, *topic.aliases):
            assert owner.setdefault(fold(spelling), topic.id) == topic.id, spelling


def test_cited_documents(directive: Directive) -> None:
    cites = {c.number: c for c in directive.cites}
    assert set(cites) == {"02/CT-TTg", "43/2011/NĐ-CP", "1987/QĐ-UBND"}
    assert cites["02/CT-TTg"].date == dt.date(2019, 1, 23)
    assert cites["43/2011/NĐ-CP"].date == dt.date(2011, 6, 13)
    assert cites["43/2011/NĐ-CP"].clause == "1.a"
    assert cites["1987/QĐ-UBND"].date == dt.date(2018, 10, 31)
    for cite in directive.cites:
        assert cite.number in cite.quote


def test_every_result_figure_is_present(directive: Directive) -> None:
    results = {f.value for f in directive.figures if f.clause == "intro.results"}
    assert results >= RESULT_FIGURES
    for f in directive.figures:
        assert f.value in f.quote, f.id
        assert f.keywords, f.id
    ids = {f.id for f in directive.figures}
    for f in directive.figures:
        assert f.parent is None or f.parent in ids, f.id
    by_value = {f.value: f for f in directive.figures}
    assert by_value["144.750"].parent == by_value["316.663"].id
    assert by_value["156.531"].parent == by_value["338.756"].id
    assert by_value["369"].parent == by_value["719"].id
    assert any(f.clause == "1.b" and f.value == "100%" for f in directive.figures)


def test_recipients_are_nơi_nhận_lines(directive: Directive, source: str) -> None:
    block = source.split("Nơi nhận:\n", 1)[1].split("\n\n", 1)[0]
    lines = [line.removeprefix("- ") for line in block.splitlines()]
    assert list(directive.recipients) == lines


# --- agencies -----------------------------------------------------------------------


def test_the_eight_district_units(kb: KnowledgeBase) -> None:
    districts = [a for a in kb.agencies if a.level == "district" and a.kind == "district"]
    assert len(districts) == 8
    for place in DISTRICT_PLACES:
        assert sum(place in a.name for a in districts) == 1, place
    group = kb.agency("all_districts")
    assert set(kb.members(group)) == set(districts)


def test_groups_and_named_agencies(kb: KnowledgeBase) -> None:
    ids = {a.id for a in kb.agencies}
    named = {"sttt", "vp_ubnd", "stc", "skhdt", "snv", "bao_bac_ninh", "dai_pt_th", "cong_ttdt"}
    assert named | {"ubnd_tinh", "all_departments", "all_districts", "communes"} <= ids
    assert kb.agency("communes").level == "commune"
    departments = kb.members(kb.agency("all_departments"))
    assert kb.agency("sttt") in departments
    assert not {a.id for a in departments} & {"bao_bac_ninh", "dai_pt_th", "cong_ttdt"}
    assert {a.level for a in departments} == {"province"}
    central = {a.id for a in kb.agencies if a.level == "central"}
    assert {"vpcp", "bo_tttt", "thu_tuong"} <= central


def test_no_two_agencies_share_a_folded_spelling(kb: KnowledgeBase) -> None:
    owner: dict[str, str] = {}
    clashes = []
    for agency in kb.agencies:
        for spelling in {agency.name, agency.short_name, *agency.aliases}:
            key = fold(spelling)
            if owner.setdefault(key, agency.id) != agency.id:
                clashes.append((spelling, agency.id, owner[key]))
    assert clashes == []
    assert "bac ninh" not in owner  # ambiguous: province, city, newspaper


# --- FAQ ----------------------------------------------------------------------------


def test_faq_entries(kb: KnowledgeBase) -> None:
    assert 8 <= len(kb.faq) <= 12
    for entry in kb.faq:
        assert 2 <= len(entry.alternates) <= 4, entry.id
        assert entry.question.endswith("?"), entry.id
        assert entry.answer and len(entry.answer) < 800, entry.id


# --- the loader's refusals ------------------------------------------------------------

TINY_SOURCE = (
    "CHỈ THỊ THỬ\n\n1. Nhiệm vụ\n\na) Sở A báo cáo trước ngày 31/5/2019.\n\nĐã cấp 12 tài khoản.\n"
)


TINY_AGENCIES = """
- {id: so_a, name: Sở A, short_name: SA, kind: department, level: province, aliases: [Sở AA]}
- {id: all, name: Các sở, short_name: Các sở, kind: group, level: province,
   member_levels: [province]}
"""
TINY_DIRECTIVE = """
id: T-1
number: 1/CT-T
doc_type: Chỉ thị
title: Chỉ thị thử
issued: 2019-04-19
effective: 2019-04-19
issuer: UBND
place: Nơi
signer_name: Người ký
signer_title: Phó Chủ tịch
signing_capacity: KT. Chủ tịch
cites: []
recipients: []
clauses:
  - {id: "1", label: Mục 1, title: Nhiệm vụ, text: "", topics: [bc]}
  - {id: "1.a", label: Mục 1.a, title: Báo cáo, parent: "1", topics: [bc],
     text: "Sở A báo cáo trước ngày 31/5/2019."}
duties:
  - id: "1.a-1"
    clause: "1.a"
    title: Báo cáo
    text: "Sở A báo cáo trước ngày 31/5/2019."
    addressees: [so_a]
    lead: [so_a]
    coordinate: [all]
    topics: [bc]
    timing: {kind: deadline, due: 2019-05-31, text: "trước ngày 31/5/2019"}
figures:
  - {id: tk, label: Số tài khoản, value: "12", unit: tài khoản, clause: "1",
     quote: "Đã cấp 12 tài khoản"}
topics:
  - {id: bc, name: Báo cáo, clauses: ["1", "1.a"]}
"""
TINY_FAQ = """
- {id: q1, question: "Hỏi?", answer: "Đáp.", clauses: ["1.a"]}
"""


def tiny_pack() -> dict[str, Any]:
    """A minimal valid pack as plain data, for the breakers below to spoil."""
    return {
        "agencies": yaml.safe_load(TINY_AGENCIES),
        "directive": yaml.safe_load(TINY_DIRECTIVE),
        "faq": yaml.safe_load(TINY_FAQ),
    }


def write_pack(root: Path, pack: dict[str, Any]) -> Path:
    def dump(path: Path, data: object) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")

    dump(root / "agencies.yaml", pack["agencies"])
    dump(root / "faq.yaml", pack["faq"])
    folder = root / "directives" / pack["directive"]["id"]
    dump(folder / "directive.yaml", pack["directive"])
    (folder / "source.txt").write_text(TINY_SOURCE, encoding="utf-8")
    return root


def test_tiny_pack_loads(tmp_path: Path) -> None:
    kb = load_knowledge(write_pack(tmp_path, tiny_pack()))
    (d,) = kb.directives
    assert d.source_text == TINY_SOURCE
    assert d.issued == dt.date(2019, 4, 19)
    assert d.duties[0].timing.due == dt.date(2019, 5, 31)
    assert d.duties[0].lead == ("so_a",)
    assert isinstance(d.clauses, tuple) and isinstance(d.duties[0].addressees, tuple)


Breaker = Callable[[dict[str, Any]], None]


def _set(path: str, value: object) -> Breaker:
    """A mutation setting pack[...][...] = value along a '/'-separated path."""

    def apply(pack: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = pack
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value

    return apply


BROKEN: dict[str, tuple[Breaker, str]] = {
    "figure quote not verbatim": (
        _set("directive/figures/0/quote", "Đã cấp 12 tài khoản thư"),
        "không khớp nguyên văn với source.txt",
    ),
    "duty text not verbatim": (
        _set("directive/duties/0/text", "Sở A báo cáo trước ngày 31/5/2019"[::-1]),
        "không khớp nguyên văn với source.txt",
    ),
    "clause item not verbatim": (
        _set("directive/clauses/1/items", ["Sở A báo cáo sau ngày 31/5/2019."]),
        "không khớp nguyên văn với source.txt",
    ),
    "cite quote not verbatim": (
        _set(
            "directive/cites",
            yaml.safe_load(
                "[{number: 9/QĐ, doc_type: Quyết định, date: 2019-01-01, issuer: X,"
                " subject: Y, clause: '1', quote: Quyết định 9/QĐ}]"
            ),
        ),
        "không khớp nguyên văn với source.txt",
    ),
    "unknown agency": (
        _set("directive/duties/0/lead", ["so_b"]),
        r"\(nhiệm vụ .1.a-1.\): không có cơ quan \(lead\) nào mang mã so_b",
    ),
    "unknown topic": (
        _set("directive/duties/0/topics", ["khac"]),
        "không có chủ đề nào mang mã khac",
    ),
    "unknown clause in faq": (_set("faq/0/clauses", ["9.z"]), "không có mục nào mang mã 9.z"),
    "unknown parent clause": (
        _set("directive/clauses/1/parent", "3"),
        r"không có mục cha \(parent\) nào",
    ),
    "duplicate agency id": (_set("agencies/1/id", "so_a"), "mã cơ quan lặp lại: so_a"),
    "duplicate clause id": (_set("directive/clauses/1/id", "1"), "mã mục lặp lại: 1"),
    "deadline without due": (
        _set("directive/duties/0/timing/due", None),
        r"cần có ngày \(due date\)",
    ),
    "figure value not in quote": (
        _set("directive/figures/0/value", "13"),
        "không có trong câu trích",
    ),
    "alias shared by two agencies": (_set("agencies/1/aliases", ["So AA"]), "trùng với"),
    "unknown field": (
        _set("directive/duties/0/deadline", "2019-05-31"),
        "trường không có trong mẫu: deadline",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_loader_rejects_a_broken_pack(tmp_path: Path, case: str) -> None:
    breaker, message = BROKEN[case]
    pack = tiny_pack()
    breaker(pack)
    with pytest.raises(PackError, match=message) as refused:
        load_knowledge(write_pack(tmp_path, pack))
    assert str(refused.value).startswith(str(tmp_path))  # the file, then the place in it


def test_the_loaders_problems_say_in_vietnamese_where_they_are(tmp_path: Path) -> None:
    """An admin reads these (a draft that does not load, a pack edited by hand): the
    file, the record by its position and id, the problem, all in Vietnamese."""
    pack = tiny_pack()
    _set("directive/duties/0/timing/kind", "monthly")(pack)
    with pytest.raises(PackError) as refused:
        load_knowledge(write_pack(tmp_path, pack))
    directive_file = tmp_path / "directives" / "T-1" / "directive.yaml"
    assert str(refused.value) == (
        f"{directive_file}, duties thứ 1 (nhiệm vụ '1.a-1'): kind 'monthly' không phải "
        "một trong continuous, deadline, recurring"
    )
    (directive_file).write_text("id: T-1\nclauses: [\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"directive.yaml: sai cú pháp YAML ở dòng 3, cột 1"):
        load_knowledge(tmp_path)
