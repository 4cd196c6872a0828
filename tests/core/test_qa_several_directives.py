"""Questions with two directives loaded and none named: an agency's duties come from
each directive that gives it any, and a directive's own subject is never refused as
"not covered" (06/CT-UBND and a copy, 15/2021, whose "chữ ký số" reads "chuyển đổi
số", a subject the lexicon lists as foreign to 06)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import Assistant, build_qa
from bot.application.admin import agencies
from bot.application.knowledge.seed import load_knowledge_from_db
from bot.application.messages import IncomingMessage
from bot.config import PROJECT_ROOT
from bot.storage.db import session_scope
from tests.support.directives import assistant_on, copy_pack

SUBJECT = "chuyển đổi số"


@pytest.fixture(scope="module")
def pack_with_subject(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("subject") / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    copy_pack(data, 15, 2021, subject=SUBJECT)
    return data


@pytest.fixture
def both(db_url: str, pack_with_subject: Path) -> Iterator[Assistant]:
    with assistant_on(db_url, pack_with_subject) as assistant:
        yield assistant


def say(assistant: Assistant, text: str) -> list[str]:
    message = IncomingMessage("console", "1", text=text, display_name="Người dùng")
    with session_scope(assistant.sessions) as session:
        response = assistant.core.handle(session, message)
    return [assistant.renderer.render(r) for r in response.replies]


def test_a_directives_own_subject_is_not_refused_as_uncovered(both: Assistant) -> None:
    text = "\n".join(say(both, "Theo chỉ thị chuyển đổi số thì Sở Nội vụ cần làm những việc gì?"))
    assert "không đề cập" not in text
    assert "15/2021 · Mục" in text
    # 06 itself still does not cover it, and says so by name.
    text = "\n".join(say(both, "Chỉ thị 06/CT-UBND nói gì về chuyển đổi số?"))
    assert "không đề cập đến chuyển đổi số" in text


def test_an_agency_asked_without_a_directive_gets_each_directives_part(both: Assistant) -> None:
    replies = say(both, "nhiem vu cua so tai chinh la gi")
    first, second = replies[0], replies[1]
    assert "Theo Chỉ thị 06/CT-UBND (2019)" in first and "06/2019 · Mục 2.c" in first
    assert "Theo Chỉ thị 15/CT-UBND (2021)" in second and "15/2021 · Mục 2.c" in second
    # Each directive's list holds its own clauses only.
    assert "15/2021" not in first and "06/2019" not in second
    # Named, one directive answers alone.
    named = "\n".join(say(both, "Chỉ thị 15/CT-UBND giao Sở Tài chính những việc gì?"))
    assert "15/2021 · Mục 2.c" in named and "06/2019" not in named


def test_how_many_duties_is_counted_per_directive(both: Assistant) -> None:
    (reply,) = say(both, "các chỉ thị giao tổng cộng bao nhiêu nhiệm vụ?")
    lines = reply.splitlines()
    assert lines[0].startswith("Chỉ thị 06/CT-UBND giao") and lines[1].startswith(
        "Chỉ thị 15/CT-UBND giao"
    )


def test_an_agency_that_is_gone_is_said_so_without_asking_which_directive(
    both: Assistant,
) -> None:
    with session_scope(both.sessions) as session:
        agencies.set_active(session, None, "sngv", False)
        qa = build_qa(both.settings, load_knowledge_from_db(session))
    answer = qa.answer("Sở Ngoại vụ cần làm gì về an toàn thông tin?")
    assert answer.kind == "former_agency", answer.kind


def test_a_subject_only_a_retired_directive_was_about_is_said_so(
    db_url: str, tmp_path: Path
) -> None:
    """Once the directive «về đẩy mạnh chuyển đổi số» is retired, a question on its
    subject is told that it no longer applies, not that 06 does not cover it."""
    import datetime as dt
    import re

    from bot.application.knowledge import publishing

    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    pack = data / "directives" / copy_pack(data, 15, 2021, subject=SUBJECT) / "directive.yaml"
    text = re.sub(
        r"^title: .*$", "title: Về đẩy mạnh chuyển đổi số", pack.read_text("utf-8"), flags=re.M
    )
    pack.write_text(text, encoding="utf-8")
    with assistant_on(db_url, data) as assistant, session_scope(assistant.sessions) as session:
        publishing.retire(session, "15/2021", dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
        session.flush()
        qa = build_qa(assistant.settings, load_knowledge_from_db(session))
        answer = qa.answer("kế hoạch chuyển đổi số hạn khi nào?")
        reply = assistant.renderer.render(answer.reply)
    assert answer.kind == "retired", reply
    assert "Chỉ thị 15/CT-UBND" in reply and "đã thôi áp dụng từ ngày 1/6/2026" in reply


def test_a_word_only_one_directive_holds_chooses_it(db_url: str, tmp_path: Path) -> None:
    """«LGSP» is in one directive's text alone, once: a question naming it is about that
    one, though its other words («hạn», «nhiệm vụ») match both directives' passages."""
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    pack = data / "directives" / copy_pack(data, 15, 2021) / "directive.yaml"
    text = pack.read_text(encoding="utf-8")
    assert "Trung tâm dữ liệu của tỉnh" in text
    pack.write_text(
        text.replace("Trung tâm dữ liệu của tỉnh", "Trung tâm dữ liệu của tỉnh (LGSP)", 1)
    )
    with assistant_on(db_url, data) as assistant:
        for question in ("hạn của nhiệm vụ LGSP", "ai thực hiện việc về LGSP"):
            answer = assistant.core.qa.answer(question)
            assert answer.citations, (question, answer.kind)
            assert all(c.startswith("15/2021") for c in answer.citations), answer.citations
