"""Every typed date passes one check (`bot.domain.dates.check_date`): a year within
2000–2100, not before the directive's issue, refused in Vietnamese with the reason,
in chat, in the report dialog, on the command line and in imported files (by line,
nothing applied); a duty or FAQ entry given twice in a file is refused with both
lines. On SQLite and PostgreSQL (`assistant`, `seeded_url`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from bot.app import Assistant
from bot.application.admin import files
from bot.cli import main
from bot.storage.db import session_scope
from bot.storage.models import Duty
from tests.admin.test_duties_announcements import send_file
from tests.core.test_dialogs import Chat, linked_chat, reports

DIRECTIVE = "06-CT-UBND-2019"
HEADER = ["directive_id", "id", "effective_due"]
# (duty, typed date) rows of a duties file, from line 2 on, and what is wrong with each.
ROWS = [
    ("2.f-4", "31/12/0026"),
    ("1.c-1", "31/12/26"),
    ("2.f-4", "31/12/2026"),
    ("2.f-5", "1/1/2001"),
    ("1.a-1", "1/1/9999"),
]


def problems(lines: list[int]) -> list[str]:
    """What is wrong with ROWS, when they stand on these lines of the file."""
    first, second, third, fourth, fifth = lines
    return [
        f"dòng {first} (cột effective_due): Năm 0026 không hợp lệ: chỉ nhận các năm từ 2000 "
        "đến 2100",
        f"dòng {second} (cột effective_due): Năm 26 không hợp lệ: Anh/Chị vui lòng ghi năm đủ "
        "4 chữ số, ví dụ 31/12/2026",
        f"dòng {third}: nhiệm vụ «2.f-4 ({DIRECTIVE})» lặp lại (đã có ở dòng {first})",
        f"dòng {fourth} (cột effective_due): Ngày 1/1/2001 không hợp lệ: trước ngày ban hành "
        "Chỉ thị 06/CT-UBND (19/4/2019)",
        f"dòng {fifth} (cột effective_due): Năm 9999 không hợp lệ: chỉ nhận các năm từ 2000 "
        "đến 2100",
    ]


CSV_LINES = [2, 3, 4, 5, 6]  # after the header
YAML_LINES = [1, 4, 7, 10, 13]  # each item three lines long


def extensions(assistant: Assistant) -> dict[str, dt.date]:
    with session_scope(assistant.sessions) as session:
        rows = session.execute(
            select(Duty.id, Duty.effective_due).where(Duty.effective_due.is_not(None))
        )
        return {duty_id: due for duty_id, due in rows}


def write_csv(path: Path) -> None:
    lines = [",".join(HEADER)] + [f"{DIRECTIVE},{duty},{due}" for duty, due in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_xlsx(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for duty, due in ROWS:
        # A real date cell for the year Excel can hold; typed text for the others.
        cell: object = dt.datetime(9999, 1, 1) if due == "1/1/9999" else due
        sheet.append([DIRECTIVE, duty, cell])
    book.save(path)


def write_yaml(path: Path) -> None:
    # YAML reads 0026-12-31 as a date of its own: the same check applies.
    typed = {"31/12/0026": "0026-12-31", "1/1/9999": "9999-01-01"}
    items = [
        f"- directive_id: {DIRECTIVE}\n  id: {duty}\n  effective_due: {typed.get(due, repr(due))}\n"
        for duty, due in ROWS
    ]
    path.write_text("".join(items), encoding="utf-8")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".yaml"])
def test_a_duties_file_with_bad_dates_or_a_duty_twice_is_refused_by_line(
    assistant: Assistant, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"nhiem_vu{suffix}"
    {".csv": write_csv, ".xlsx": write_xlsx, ".yaml": write_yaml}[suffix](path)
    with session_scope(assistant.sessions) as session, pytest.raises(files.FileProblems) as raised:
        files.import_duties(session, None, path)
    expected = problems(YAML_LINES if suffix == ".yaml" else CSV_LINES)
    assert raised.value.problems == expected
    assert extensions(assistant) == {}  # not even the good row


def test_a_duties_file_sent_in_chat_is_refused_by_line(
    assistant: Assistant, admin: Chat, tmp_path: Path
) -> None:
    path = tmp_path / "nhiem_vu.csv"
    write_csv(path)
    send_file(admin, path.name, path.read_bytes())
    text = admin.text()
    assert "chưa được áp dụng" in text
    for problem in problems(CSV_LINES):
        assert problem in text
    assert extensions(assistant) == {}


def written(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_repeated_columns_and_yaml_keys_are_refused(assistant: Assistant, tmp_path: Path) -> None:
    header = "directive_id,id,effective_due"
    csv = written(tmp_path / "a.csv", f"{header},effective_due\n{DIRECTIVE},2.f-4,31/12/2026,\n")
    yaml = written(
        tmp_path / "a.yaml",
        f"- directive_id: {DIRECTIVE}\n  id: 2.f-4\n  effective_due: 31/12/2026\n"
        "  effective_due: ''\n",
    )
    faq = written(
        tmp_path / "b.csv",
        "id,question,alternates,answer,clauses\n"
        "x-1,Hỏi một?,,Đáp.,1.a\nx-2,Hỏi hai?,,Đáp.,1.a\nx-1,Hỏi ba?,,Đáp.,1.a\n",
    )
    with session_scope(assistant.sessions) as session:
        with pytest.raises(files.FileProblems, match="dòng 1: cột «effective_due» lặp lại"):
            files.import_duties(session, None, csv)
        with pytest.raises(files.FileProblems) as raised:
            files.import_duties(session, None, yaml)
        assert raised.value.problems == ["dòng 4: khóa «effective_due» lặp lại (đã có ở dòng 3)"]
        with pytest.raises(files.FileProblems) as raised:
            files.import_faq(session, None, faq, {"1.a"})
        assert raised.value.problems == ["dòng 4: mã «x-1» lặp lại (đã có ở dòng 2)"]
    assert extensions(assistant) == {}


def test_a_good_file_still_applies(assistant: Assistant, tmp_path: Path) -> None:
    rows = f"{DIRECTIVE},2.f-4,31/12/2026\n{DIRECTIVE},1.c-1,19/4/2019\n"
    path = written(tmp_path / "a.csv", f"directive_id,id,effective_due\n{rows}")
    with session_scope(assistant.sessions) as session:
        assert files.import_duties(session, None, path).updated == ["2.f-4", "1.c-1"]
    assert extensions(assistant) == {"2.f-4": dt.date(2026, 12, 31), "1.c-1": dt.date(2019, 4, 19)}


def test_an_evidence_date_out_of_range_is_asked_again(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send("/baocao")
    chat.send("1")
    chat.press("Hoàn thành")
    chat.press("Hôm nay")
    chat.press("Bỏ qua")
    chat.send("Công văn 12/SNV ngày 2/5/0026")
    assert chat.text().startswith("Năm 0026 không hợp lệ: chỉ nhận các năm từ 2000 đến 2100.")
    assert "Minh chứng (không bắt buộc)" in chat.text()  # the step is asked again
    chat.send("Công văn 12/SNV ngày 2/5/2018")
    assert "trước ngày ban hành Chỉ thị 06/CT-UBND (19/4/2019)" in chat.text()
    chat.send("Công văn 12/SNV ngày 2/5/2020")
    chat.press("Lưu")
    [report] = reports(assistant)
    assert report.evidence_date == dt.date(2020, 5, 2)


def test_the_command_line_refuses_a_bad_date_and_a_bad_file(
    assistant: Assistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", assistant.settings.database_url)
    for argv, problem in [
        (["calendar", "add-workday", "31/12/26"], "Năm 26 không hợp lệ: Anh/Chị vui lòng ghi"),
        (["nudges", "tick", "--now", "0026-12-07T08:30"], "Năm 0026 không hợp lệ"),
        (["nudges", "tick", "--now", "sáng mai"], "Không đọc được thời điểm «sáng mai»"),
    ]:
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2
        assert problem in capsys.readouterr().err
    path = tmp_path / "nhiem_vu.csv"
    write_csv(path)
    assert main(["duties", "import", str(path)]) == 2
    err = capsys.readouterr().err
    for problem in problems(CSV_LINES):
        assert f"  - {problem}\n" in err
    assert extensions(assistant) == {}
