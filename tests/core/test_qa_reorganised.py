"""The Q&A over a catalog the admins reorganised (data/reorganisations/2025-07-01.yaml:
no district level, the Sở TT&TT into the Sở KH&CN; or merges and closings one by one).
Agencies asked about by their old names get what became of them (and the duties of the
agency that holds them now), never a passage matching the question's other words."""

from __future__ import annotations

from bot.app import Assistant, build_qa
from bot.application.admin import agencies
from bot.application.admin.agency_file import apply_file, read_file
from bot.application.knowledge.seed import load_knowledge_from_db
from bot.application.qa.service import QAService
from bot.config import PROJECT_ROOT
from bot.storage.db import session_scope

REORGANISATION = PROJECT_ROOT / "data" / "reorganisations" / "2025-07-01.yaml"


def reorganised(assistant: Assistant) -> QAService:
    with session_scope(assistant.sessions) as session:
        apply_file(session, None, read_file(REORGANISATION))
        kb = load_knowledge_from_db(session)
    return build_qa(assistant.settings, kb)


def test_common_duties_stay_common_once_the_district_group_is_closed(
    assistant: Assistant,
) -> None:
    qa = reorganised(assistant)
    for question in ("Sở Tài chính được giao những việc gì?", "so khcn co nhiem vu gi"):
        answer = qa.answer(question)
        text = assistant.renderer.render(answer.reply)
        assert "6 nhóm nhiệm vụ chung" in text, text
        assert "Mục 1.a" in answer.citations and "Đoạn kết" in answer.citations


def test_an_agency_merged_into_one_since_closed_is_said_to_be_gone(assistant: Assistant) -> None:
    with session_scope(assistant.sessions) as session:
        agencies.merge(session, None, ["stc"], "skhdt")
        agencies.set_active(session, None, "skhdt", False, force=True)
        qa = build_qa(assistant.settings, load_knowledge_from_db(session))
    for question in ("Nhiệm vụ của Sở Tài chính là gì?", "so tai chinh can lam nhung viec gi"):
        answer = qa.answer(question)
        text = assistant.renderer.render(answer.reply)
        assert answer.kind == "former_agency", text
        assert "Sở Tài chính đã được hợp nhất vào Sở Kế hoạch và Đầu tư" in text
        assert not answer.citations


def test_a_closed_district_and_a_merged_department_asked_by_their_names(
    assistant: Assistant,
) -> None:
    qa = reorganised(assistant)
    answer = qa.answer("Huyện Quế Võ có trách nhiệm gì theo chỉ thị?")
    text = assistant.renderer.render(answer.reply)
    assert answer.kind == "former_agency" and "không còn hoạt động" in text
    assert not answer.citations
    answer = qa.answer("sở thông tin và truyền thông được giao những nhiệm vụ nào")
    text = assistant.renderer.render(answer.reply)
    assert answer.kind == "duties" and "Mục 2.b" in answer.citations
    assert "Sở Thông tin và Truyền thông đã được hợp nhất vào Sở Khoa học và Công nghệ" in text


def test_a_duty_whose_agencies_are_all_closed_says_so(assistant: Assistant) -> None:
    """Mục 2.f's duties went to the districts only: with no district level, who does
    them reads «không còn cơ quan nào», never a blank where the agency was."""
    qa = reorganised(assistant)
    for question in (
        "Ai chịu trách nhiệm lập danh sách cán bộ phụ trách CNTT cấp xã?",
        "Những việc nào có thời hạn?",
    ):
        text = assistant.renderer.render(qa.answer(question).reply)
        assert "—  (" not in text and "\n chịu trách nhiệm" not in text, text
        assert "không còn cơ quan nào" in text.lower(), text


def test_a_bare_level_once_the_districts_are_gone(assistant: Assistant) -> None:
    """«huyện phải làm gì» after 2025 (no district level): answered as any question,
    never an error for a group the catalog no longer has."""
    qa = reorganised(assistant)
    for question in ("huyện phải làm gì", "xã có nhiệm vụ gì", "dia phuong can lam gi"):
        answer = qa.answer(question)
        assert answer.kind in ("duties", "former_agency", "refusal", "did_you_mean", "passages")
