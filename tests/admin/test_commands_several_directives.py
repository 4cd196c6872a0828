"""The chat's commands with a second, real directive published beside 06 (SQLite and
PostgreSQL): Chỉ thị 15/CT-UBND of 2021, imported from tests/support/ct15.txt. Its
clauses are not 06's («3» is a clause of 15 only) and its duty ids partly are
(«1.a-1» is in both): each command says which directive a duty belongs to."""

from __future__ import annotations

from bot.app import Assistant
from bot.cli import main
from bot.config import PROJECT_ROOT
from tests.admin.test_two_directives_qa import FIFTEEN, admin_of, ct15_draft, two
from tests.core.test_dialogs import Chat, invite
from tests.support.directives import assistant_on

__all__ = ["ct15_draft", "two"]  # the fixtures, used by name


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


def test_a_duty_id_two_directives_share_is_listed_with_its_directive_and_asked_back(
    two: Assistant,
) -> None:
    admin = admin_of(two)
    admin.send("/suanv")
    listed = admin.text()
    assert "• 06/2019·1.a-1 — " in listed and "• 15/2021·1.a-1 — " in listed, listed
    assert "• 1.a-1 — " not in listed
    admin.send("/suanv 1.a-1")
    asked = admin.zalo()
    assert "Mã «1.a-1» có ở 2 văn bản đang áp dụng" in asked, asked
    assert "1. 06/2019·1.a-1" in asked and "2. 15/2021·1.a-1" in asked
    admin.press("15/2021·1.a-1")
    assert "Nhiệm vụ 15/2021·1.a-1" in admin.text() and "15/2021 · Mục 1.a" in admin.text()
    admin.send("/suanv 3-1")  # 15's alone: taken as it is
    assert "Nhiệm vụ 15/2021·3-1" in admin.text()

    admin.send("/gianhan")
    assert "• 15/2021·1.a-1 — " in admin.text()
    admin.send("/gianhan 1.a-1 31/12/2026")  # 06's 1.a-1 has no deadline to extend
    done = admin.text()
    assert "Đã gia hạn nhiệm vụ 1.a-1 của Chỉ thị 15/CT-UBND" in done, done
    admin.send("/lichsu")
    assert "gia hạn nhiệm vụ 1.a-1 (Chỉ thị 15/CT-UBND)" in admin.text(), admin.text()
    # The directive typed apart from the id, as the lists' «15/2021·1.a-1» reads.
    admin.send("/gianhan 15/2021 1.a-1 15/1/2027")
    assert "Đã gia hạn nhiệm vụ 1.a-1 của Chỉ thị 15/CT-UBND" in admin.text(), admin.text()


def test_an_official_types_a_shared_duty_id(two: Assistant) -> None:
    chat = official_of(two, "sttt")
    """«1.a-1» and «1.b-1» are Sở TT&TT's in 15 and every sở's in 06: asked back with
    both, qualified, as choices (once refused as unknown), its own lead duty first."""
    chat.send("/tiendo 1.a-1")
    assert "Mã «1.a-1» có ở 2 văn bản" in chat.text() and "1. 15/2021·1.a-1" in chat.zalo()
    chat.press("15/2021·1.a-1")
    assert "Chủ trì xây dựng Kế hoạch chuyển đổi số" in chat.text(), chat.text()
    chat.send("/xong 1.b-1")  # 15's, Sở TT&TT leads: first; 06's every sở's
    assert "Mã «1.b-1» có ở 2 văn bản" in chat.text() and "/xong 15/2021·1.b-1" in chat.text()
    chat.press("15/2021·1.b-1")
    assert "của Chỉ thị 15/CT-UBND (15/2021 · Mục 1.b)?" in chat.text(), chat.text()
    chat.press("Ghi nhận hoàn thành")
    done = chat.text()
    assert "Không tìm thấy" not in done and "15/2021 · Mục 1.b" in done, done
    chat.send("/nhaclai 15/2021 1.a-1 2")  # the directive typed apart from the id
    assert "Chủ trì xây dựng Kế hoạch chuyển đổi số" in chat.text(), chat.text()


def test_done_on_a_retired_directives_duty_says_it_was_retired(two: Assistant) -> None:
    chat = official_of(two, "sttt")
    assert main(["directive", "retire", FIFTEEN]) == 0  # DATABASE_URL: the fixture's
    with assistant_on(two.settings.database_url, PROJECT_ROOT / "data") as after:
        chat = Chat(after, chat.user_id)
        chat.send("/xong 15/2021·1.c-1")
        text = chat.text()
    assert "Không tìm thấy" not in text and "đã thôi áp dụng từ ngày" in text, text
    assert "Chỉ thị 15/CT-UBND" in text and "/tiendo 15/2021·1.c-1" in text


def test_the_quarterly_report_is_on_the_directive_picked(two: Assistant) -> None:
    admin = admin_of(two)
    admin.send("/baocaoquy")
    asked = admin.zalo()
    assert "Báo cáo quý lập riêng cho từng văn bản" in asked, asked
    assert "1. Chỉ thị 06/CT-UBND" in asked and "2. Chỉ thị 15/CT-UBND" in asked
    assert admin.last is not None and not any(r.files for r in admin.last.replies)
    admin.press("Chỉ thị 15/CT-UBND")
    assert admin.last is not None
    names = [f.name for r in admin.last.replies for f in r.files]
    assert len(names) == 2 and all("chi-thi-15" in n for n in names), names
    assert "tình hình thực hiện Chỉ thị 15/CT-UBND" in admin.text()
    admin.send("/baocaoquy 06/2019")
    assert "tình hình thực hiện Chỉ thị 06/CT-UBND" in admin.text()
    admin.send("/baocaoquy 99/2030")
    assert "Không có văn bản đang áp dụng nào là «99/2030»" in admin.text()


def test_a_second_code_of_another_agency_says_the_reporting_agency_moved(
    two: Assistant,
) -> None:
    chat = official_of(two, "snv")
    chat.send(f"/start {invite(two, 'stc', 'manager')}")
    text = chat.text()
    assert "Cơ quan báo cáo của Anh/Chị đổi từ Sở Nội vụ sang Sở Tài chính" in text, text
    chat.send(f"/start {invite(two, 'stc')}")  # the same agency again: nothing moved
    assert "đổi từ" not in chat.text()
