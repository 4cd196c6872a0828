"""Commands with Chỉ thị 11/CT-UBND of 2024 («đẩy mạnh thanh toán không dùng tiền
mặt») published beside 06 (SQLite and PostgreSQL), imported from its text
(tests/support/ct11.txt) as an admin does on the command line. Unlike 15, its
quarterly report to UBND tỉnh is not Sở TT&TT's but Văn phòng UBND tỉnh's (Mục 3), it
addresses UBND cấp xã (Mục 8), and several of its duty ids are every sở's in 06."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import Assistant
from bot.application.admin import drafts
from bot.cli import main
from bot.config import PROJECT_ROOT
from tests.admin.test_commands_several_directives import official_of
from tests.admin.test_two_directives_qa import admin_of
from tests.core.test_dialogs import Chat, invite, reports
from tests.support.directives import assistant_on, imported, published

CT11 = Path(__file__).parents[1] / "support" / "ct11.txt"
ELEVEN = "11-CT-UBND-2024"


@pytest.fixture(scope="module")
def ct11_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return imported(CT11, tmp_path_factory.mktemp("ct11") / ELEVEN)  # named by its id


@pytest.fixture
def eleven(db_url: str, ct11_draft: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Assistant]:
    with published(monkeypatch, db_url, ct11_draft) as assistant:
        yield assistant


def docx_text(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([*cells, *(p.text for p in document.paragraphs)])


def test_the_quarterly_report_is_the_agency_the_directive_makes_report(
    eleven: Assistant,
) -> None:
    """11's Mục 3: VP UBND tỉnh reports quarterly to the Chủ tịch; 06's Mục 2.b: Sở
    TT&TT. Each drafts its own directive's report, headed with its own name."""
    vp = official_of(eleven, "vp_ubnd")  # a cán bộ: no report at all
    vp.send("/baocaoquy 11/2024")
    assert "chỉ dành cho" in vp.text()
    vp.send(f"/start {invite(eleven, 'vp_ubnd', 'manager')}")
    vp.send("/baocaoquy")  # offers only what VP UBND reports on
    assert vp.last is not None
    names = [f.name for r in vp.last.replies for f in r.files]
    assert names and all("chi-thi-11" in n for n in names), (names, vp.text())
    document = next(f for r in vp.last.replies for f in r.files if f.name.endswith(".docx"))
    text = docx_text(document.content)
    assert "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH" in text, text
    assert "[Phần này do Văn phòng Ủy ban nhân dân tỉnh soạn thảo.]" in text
    assert "Thông tin và Truyền thông" not in text and "THÔNG TIN VÀ TRUYỀN THÔNG" not in text
    vp.send("/baocaoquy 06/2019")
    assert "Sở TT&TT" in vp.text() and "chỉ dành cho" in vp.text(), vp.text()

    sttt = official_of(eleven, "sttt", "8")
    sttt.send(f"/start {invite(eleven, 'sttt', 'manager')}")
    sttt.send("/baocaoquy 11/2024")
    assert "Văn phòng UBND tỉnh" in sttt.text() or "VP UBND tỉnh" in sttt.text(), sttt.text()
    sttt.send("/baocaoquy 06/2019")
    assert sttt.last is not None
    document = next(f for r in sttt.last.replies for f in r.files if f.name.endswith(".docx"))
    assert "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" in docx_text(document.content)

    admin = admin_of(eleven)  # admins draft any, as the directive's reporter
    admin.send("/baocaoquy 11/2024")
    assert admin.last is not None and any(r.files for r in admin.last.replies)


def test_a_shared_id_puts_the_agencys_own_duty_first_and_confirms_the_one_picked(
    eleven: Assistant,
) -> None:
    """«1.a-1» is Sở Tài chính's own lead duty in 11 (its plan, Mục 1.a) and every
    sở's in 06: 11's comes first, and the one picked is named before it is recorded."""
    chat = official_of(eleven, "stc")
    chat.send("/xong 1.a-1")
    asked = chat.zalo()
    assert "1. 11/2024·1.a-1" in asked and "2. 06/2019·1.a-1" in asked, asked
    chat.send("1")  # typed, as on Zalo: one keystroke records nothing yet
    shown = chat.text()
    assert "Ghi nhận Sở Tài chính đã hoàn thành nhiệm vụ" in shown, shown
    assert "Chủ trì xây dựng Kế hoạch" in shown and "Chỉ thị 11/CT-UBND" in shown
    assert reports(eleven) == []
    chat.press("Không ghi nhận")
    assert "Chưa ghi nhận gì" in chat.text() and reports(eleven) == []
    chat.send("/xong 1.a-1")
    chat.press("11/2024·1.a-1")
    chat.send("ok")
    assert "Đã ghi nhận hoàn thành" in chat.text() and "11/2024 · Mục 1.a" in chat.text()
    [report] = reports(eleven)
    assert (report.directive_id, report.duty_id) == (ELEVEN, "1.a-1")


def test_a_retired_directive_asked_about_by_its_subject_is_said_retired(
    eleven: Assistant,
) -> None:
    """Once 11 is retired, «không dùng tiền mặt» (its title's words, in no directive in
    force) asks about it: never a passage of 06 matching «thanh toán», nor «06 has no
    such thing»."""
    assert main(["directive", "retire", ELEVEN]) == 0  # DATABASE_URL: the fixture's
    with assistant_on(eleven.settings.database_url, PROJECT_ROOT / "data") as after:
        for question in (
            "chi thi thanh toan khong dung tien mat",
            "hạn thu học phí không dùng tiền mặt",
            "Chỉ thị về thanh toán không dùng tiền mặt giao Sở Tài chính việc gì?",
        ):
            answer = after.core.qa.answer(question)
            reply = after.renderer.render(answer.reply)
            assert answer.kind == "retired", (question, answer.kind, reply)
            assert "Chỉ thị 11/CT-UBND" in reply and "đã thôi áp dụng từ ngày" in reply
        # 06's own subjects are still 06's.
        answer = after.core.qa.answer("Hạn tạo lập trang thông tin điện tử cấp xã?")
        assert answer.kind == "deadline" and answer.citations == ("Mục 2.f",)


def test_a_duty_for_a_level_with_no_agency_is_said_to_reach_nobody(
    eleven: Assistant, ct11_draft: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """11's Mục 8 is «UBND các xã, phường, thị trấn»'s; the catalog lists no commune,
    so nobody can report it: the review says so and how to fix it, and the nudge
    preview and the province's digest list it as reaching nobody (once: silence)."""
    agencies = eleven.core.qa.catalog.kb.agencies
    draft = drafts.open_draft(ct11_draft, agencies)
    review = eleven.renderer.render(drafts.review_reply(draft, agencies, False))
    warning = next((x for x in review.splitlines() if "(8-1) giao Cấp xã" in x), review)
    assert "không ai báo cáo được" in warning and "chutri" in warning, warning
    capsys.readouterr()
    assert main(["nudges", "preview", "--date", "2026-12-14"]) == 0
    out = capsys.readouterr().out
    assert "nhiệm vụ không có người nhận" in out and "11/2024·8-1 Niêm yết mã QR" in out, out
    assert main(["digest", "--preview"]) == 0
    out = capsys.readouterr().out
    assert "Không có người nhận (1 nhiệm vụ" in out, out
    title = "Niêm yết mã QR thanh toán phí, lệ phí tại Bộ phận tiếp nhận và trả kết quả"
    assert f"{title} (mã 11/2024·8-1) — Cấp xã" in out, out


def test_deadlines_name_a_periodic_duty_by_its_recurrence_and_day(eleven: Assistant) -> None:
    """11's Mục 2.b: «Định kỳ hằng tháng tổng hợp …, báo cáo UBND tỉnh trước ngày 25
    hằng tháng» was shown lower-cased («ubnd tỉnh») before the title repeating it."""
    chat = Chat(eleven, "5")
    chat.send("/hanchot")
    text = chat.text()
    assert "Các nhiệm vụ có thời hạn trong các văn bản đang áp dụng:" in text, text
    line = next(x for x in text.splitlines() if "giao dịch thanh toán trực tuyến" in x)
    assert line.startswith("• Định kỳ hàng tháng, trước ngày 25 hằng tháng: Định kỳ"), line
    assert "ubnd" not in line and "sở tài chính" not in text
    assert "• Định kỳ hàng quý (hoặc đột xuất): " in text  # 06's Mục 2.b, as it was


def test_an_effective_date_the_text_does_not_state_is_not_stated_as_its(
    eleven: Assistant,
) -> None:
    """11 states no effective date (the importer set the signing date, trial 12e N12):
    the answer says so; 06's «Ngày hiệu lực: 19/04/2019» is stated as the text's."""
    for question in ("chỉ thị 11 có hiệu lực từ ngày nào", "chỉ thị 11 ban hành ngày nào"):
        reply = eleven.renderer.render(eleven.core.qa.answer(question).reply)
        assert "11/CT-UBND" in reply and "không ghi ngày hiệu lực riêng" in reply, reply
        assert "22/8/2024" in reply, reply
    reply = eleven.renderer.render(
        eleven.core.qa.answer("chỉ thị 06 có hiệu lực từ ngày nào").reply
    )
    assert "có hiệu lực từ ngày" in reply and "19/4/2019" in reply, reply
    assert "không ghi ngày hiệu lực riêng" not in reply, reply
