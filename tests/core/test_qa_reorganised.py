"""The Q&A over a catalog the admins reorganised (data/reorganisations/2025-07-01.yaml:
no district level, the Sở TT&TT into the Sở KH&CN)."""

from __future__ import annotations

from bot.app import Assistant, build_qa
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
        assert "7 nhóm nhiệm vụ chung" in text, text
        assert "Mục 1.a" in answer.citations and "Đoạn kết" in answer.citations
