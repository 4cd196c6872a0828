"""The chat's commands with a second, real directive published beside 06 (SQLite and
PostgreSQL): Chỉ thị 15/CT-UBND of 2021, imported from tests/support/ct15.txt. Its
clauses are not 06's («3» is a clause of 15 only) and its duty ids partly are
(«1.a-1» is in both): each command says which directive a duty belongs to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import Assistant
from bot.cli import main
from bot.config import PROJECT_ROOT
from tests.core.test_dialogs import Chat, invite
from tests.support.directives import assistant_on

CT15 = Path(__file__).parents[1] / "support" / "ct15.txt"
FIFTEEN = "15-CT-UBND-2021"


@pytest.fixture(scope="module")
def ct15_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    draft = tmp_path_factory.mktemp("ct15") / "draft"
    assert main(["directive", "import", str(CT15), "--out", str(draft)]) == 0
    return draft


@pytest.fixture
def two(db_url: str, ct15_draft: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Assistant]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["directive", "publish", str(ct15_draft)]) == 0
    with assistant_on(db_url, PROJECT_ROOT / "data") as assistant:
        yield assistant


def official_of(assistant: Assistant, agency: str, user_id: str = "7") -> Chat:
    chat = Chat(assistant, user_id)
    chat.send(f"/start {invite(assistant, agency)}")
    assert "Đã liên kết" in chat.text()
    return chat


def test_deadlines_cite_each_duty_with_its_own_directive(two: Assistant) -> None:
    chat = Chat(two, "5")
    chat.send("/hanchot")
    text = chat.text()
    assert "Xin lỗi" not in text
    # 15's plan for digital transformation, due 30/6/2021, is 15's Mục 1.a.
    line = next(x for x in text.splitlines() if "30/6/2021" in x or "30/06/2021" in x)
    assert "15/2021 · Mục 1.a" in line, line
    assert "06/2019 · Mục" in text


def test_an_officials_duties_come_from_every_active_directive(two: Assistant) -> None:
    chat = official_of(two, "sttt")
    for command in ("/nhiemvu", "/nhiemvu tatca"):
        chat.send(command)
        text = chat.text()
        assert "Chỉ thị 06/CT-UBND" in text and "Chỉ thị 15/CT-UBND" in text, text
        # 15's Mục 1.a: Sở TT&TT drafts the digital transformation plan.
        assert "15/2021 · Mục 1.a" in text or "Kế hoạch chuyển đổi số" in text, text
        assert text.index("Chỉ thị 06/CT-UBND") < text.index("Chỉ thị 15/CT-UBND")
