"""FAQ and duty files: lossless round trips, all-or-nothing imports with row numbers."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.application.admin import files
from bot.config import ImportLimits
from bot.storage.db import make_engine, make_session_factory, session_scope
from bot.storage.models import AuditLog, Clause, Duty, FaqEntry


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture()
def sessions(seeded_url: str) -> Iterator[sessionmaker[Session]]:
    """A migrated, seeded database of the test's own."""
    engine = make_engine(seeded_url)
    yield make_session_factory(engine)
    engine.dispose()


def faq_state(session: Session) -> list[tuple[object, ...]]:
    entries = session.scalars(select(FaqEntry).where(FaqEntry.active).order_by(FaqEntry.id))
    return [(e.id, e.question, tuple(e.alternates), e.answer, tuple(e.clauses)) for e in entries]


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".xlsx"])
def test_faq_round_trip_is_lossless(
    sessions: sessionmaker[Session], tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"faq{suffix}"
    with session_scope(sessions) as session:
        before = faq_state(session)
        assert files.export_faq(session, path) == len(before) > 0
    with session_scope(sessions) as session:
        clauses = set(session.scalars(select(Clause.id)))
        report = files.import_faq(session, None, path, clauses)
        assert report.created == [] and report.updated == []
        assert faq_state(session) == before


def test_faq_import_applies_edits_and_new_rows(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "faq.csv"
    with session_scope(sessions) as session:
        files.export_faq(session, path)
    text = path.read_text(encoding="utf-8-sig")
    text += (
        "new-1,Ai quản lý Trung tâm dữ liệu tỉnh?,TTDL do ai quản lý | ai vận hành TTDL,"
        "Sở Thông tin và Truyền thông.,1.c\n"
    )
    path.write_text(text, encoding="utf-8")
    with session_scope(sessions) as session:
        report = files.import_faq(session, None, path, set(session.scalars(select(Clause.id))))
        assert report.created == ["new-1"]
        entry = session.get(FaqEntry, "new-1")
        assert entry is not None and entry.alternates == ["TTDL do ai quản lý", "ai vận hành TTDL"]
        assert session.scalar(select(AuditLog).where(AuditLog.entity_id == "new-1")) is not None


def test_invalid_file_is_rejected_whole_with_row_numbers(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "faq.csv"
    path.write_text(
        "id,question,alternates,answer,clauses\n"
        "ok-1,Một câu hỏi đúng?,,Một câu trả lời.,1.a\n"
        "bad-1,,,Trả lời mà thiếu câu hỏi.,1.a\n"
        "bad-2,Câu hỏi?,,Trả lời.,9.z\n"
        "bad-3,🎉🎉🎉,,Trả lời.,1.a\n",
        encoding="utf-8",
    )
    with session_scope(sessions) as session:
        before = faq_state(session)
        with pytest.raises(files.FileProblems) as raised:
            files.import_faq(session, None, path, set(session.scalars(select(Clause.id))))
        assert raised.value.problems == [
            "dòng 3: thiếu câu hỏi",
            "dòng 4: không có mục: 9.z",
            "dòng 5: câu hỏi cần có chữ hoặc số, không chỉ biểu tượng",
        ]
        assert faq_state(session) == before  # not even ok-1


def test_yaml_problems_name_their_lines(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(
        "- id: a\n  question: Hỏi?\n  answer: Đáp.\n- id: a\n  question: Hỏi lại?\n  answer: ''\n",
        encoding="utf-8",
    )
    with session_scope(sessions) as session, pytest.raises(files.FileProblems) as raised:
        files.import_faq(session, None, path, set())
    assert raised.value.problems == [
        "dòng 4: thiếu câu trả lời",
        "dòng 4: mã «a» lặp lại (đã có ở dòng 1)",
    ]


def test_duty_deadlines_round_trip_and_extension(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "duties.xlsx"
    with session_scope(sessions) as session:
        assert files.export_duties(session, path) > 40
        assert files.import_duties(session, None, path).updated == []
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("id")].value == "1.c-1":
            row[header.index("effective_due")].value = "30/6/2020"
    book.save(path)
    with session_scope(sessions) as session:
        assert files.import_duties(session, None, path).updated == ["1.c-1"]
        duty = session.scalar(select(Duty).where(Duty.id == "1.c-1"))
        assert duty is not None and duty.effective_due == dt.date(2020, 6, 30)


def test_unsupported_format(tmp_path: Path) -> None:
    with pytest.raises(files.FileProblems):
        files.read_rows(tmp_path / "faq.txt")


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("faq.csv", "id,question\n,Câu hỏi mới\n".encode("latin-1", "replace"), "UTF-8"),
        ("faq.xlsx", b"PK\x03\x04 not really a spreadsheet", "tệp hỏng"),
        ("faq.xlsx", b"", "tệp hỏng"),
    ],
)
def test_unreadable_files_are_refused_politely(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(files.FileProblems) as raised:
        files.read_rows(path)
    assert problem in raised.value.problems[0]


# ----- hostile files: bounded before (or while) they are read ---------------------------


def billion_laughs() -> str:
    """~1 KB of YAML that stands for 10^9 strings."""
    lines = ['- &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"- &{name} [{', '.join([f'*{previous}'] * 10)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.csv", b""), ("header_only.csv", b"id,question,answer\n"), ("empty.yaml", b"[]\n")],
)
def test_a_file_without_rows_is_refused_not_reported_as_imported(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(files.FileProblems) as raised:
        files.read_rows(path)
    assert raised.value.problems == [files.EMPTY_FILE]


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    assert path.stat().st_size < 1_000
    with pytest.raises(files.FileProblems) as raised:
        files.read_rows(path)
    [problem] = raised.value.problems
    assert problem.startswith("dòng ") and "neo và bí danh" in problem
    # One alias is enough: a FAQ entry reusing another's answer.
    path.write_text(
        "- {id: a, question: Hỏi?, answer: &same Đáp.}\n"
        "- {id: b, question: Hỏi nữa?, answer: *same}\n",
        encoding="utf-8",
    )
    with pytest.raises(files.FileProblems) as raised:
        files.read_rows(path)
    assert raised.value.problems[0].startswith("dòng 1: tệp YAML dùng neo và bí danh")


def test_a_file_past_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")  # it would fail if it were read
    with pytest.raises(files.FileProblems) as raised:
        files.read_rows(path, ImportLimits(max_bytes=100))
    assert raised.value.problems == ["tệp nặng 0,5 KB, quá giới hạn 0,1 KB (IMPORT_MAX_BYTES)"]


def test_a_csv_cell_past_the_limit_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    long_answer = "chữ ký số " * 13_108  # 131,080 characters: one past Python's default
    path.write_text(
        "id,question,alternates,answer,clauses\n"
        "a,Hỏi?,,Đáp.,1.a\n"
        f'b,Hỏi nữa?,,"{long_answer}",1.a\n',
        encoding="utf-8",
    )
    with pytest.raises(files.FileProblems) as raised:
        files.read_rows(path)
    assert raised.value.problems == [
        "dòng 3: một ô dài quá 131.072 ký tự (giới hạn IMPORT_MAX_CELL_CHARS)"
    ]
    # IMPORT_MAX_CELL_CHARS raises it (the FAQ's own checks then say the answer is too long).
    rows = files.read_rows(path, ImportLimits(max_cell_chars=200_000))
    assert [number for number, _ in rows] == [2, 3] and rows[1][1]["answer"] == long_answer


def faq_rows(count: int) -> list[dict[str, object]]:
    return [
        {"id": f"r{n}", "question": f"Hỏi {n}?", "alternates": [], "answer": "Đáp.", "clauses": []}
        for n in range(count)
    ]


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".xlsx"])
def test_rows_past_the_limit_are_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"faq{suffix}"
    limits = ImportLimits(max_rows=3)
    files.write_rows(path, files.FAQ_COLUMNS, faq_rows(3))
    assert len(files.read_rows(path, limits)) == 3
    files.write_rows(path, files.FAQ_COLUMNS, faq_rows(4))
    with pytest.raises(files.FileProblems) as raised:
        files.read_rows(path, limits)
    assert raised.value.problems == ["tệp có hơn 3 dòng dữ liệu (giới hạn IMPORT_MAX_ROWS)"]


def rewrite_xlsx(path: Path, replaced: dict[str, bytes]) -> None:
    """`path` with some members' contents replaced (or added)."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members.update(replaced)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            target.writestr(name, content)


SHEET = "xl/worksheets/sheet1.xml"


@pytest.mark.parametrize(
    ("padding", "problem"),
    [
        # 12 MB unpacked (from ~12 KB): past IMPORT_MAX_UNPACKED_BYTES.
        (12_000_000, "bảng tính giải nén ra 12,1 MB, quá giới hạn 10,0 MB"),
        # 2 MB: under that, but a thousand times its packed size.
        (2_000_000, "bảng tính nén bất thường (giải nén ra gấp"),
    ],
)
def test_an_xlsx_bomb_is_refused_before_it_is_parsed(
    tmp_path: Path, padding: int, problem: str
) -> None:
    path = tmp_path / "faq.xlsx"
    files.write_rows(path, files.FAQ_COLUMNS, faq_rows(2))
    # Not even XML: parsing it would say "tệp hỏng", so the limit is checked first.
    rewrite_xlsx(path, {SHEET: b"<" * padding})
    assert path.stat().st_size < 30_000
    with pytest.raises(files.FileProblems) as raised:
        files.read_rows(path)
    [said] = raised.value.problems
    assert said.startswith(problem)


def test_an_xlsx_row_numbered_past_excel_is_refused(tmp_path: Path) -> None:
    """A row number in the sheet's XML that openpyxl would pad with blank rows up to."""
    path = tmp_path / "faq.xlsx"
    files.write_rows(path, files.FAQ_COLUMNS, faq_rows(1))
    with zipfile.ZipFile(path) as book:
        sheet = book.read(SHEET).decode()
    far = '<row r="4000000000"><c r="A4000000000" t="inlineStr"><is><t>x</t></is></c></row>'
    rewrite_xlsx(path, {SHEET: sheet.replace("</sheetData>", far + "</sheetData>").encode()})
    with pytest.raises(files.FileProblems) as raised:
        files.read_rows(path)
    assert raised.value.problems == ["bảng tính có dòng sau dòng 1.048.576, dòng cuối của Excel"]


def test_an_xlsx_declaring_a_huge_sheet_reads_its_real_rows(tmp_path: Path) -> None:
    """The <dimension> element says A1:XFD1048576; only the rows written are read."""
    path = tmp_path / "faq.xlsx"
    files.write_rows(path, files.FAQ_COLUMNS, faq_rows(2))
    with zipfile.ZipFile(path) as book:
        sheet = book.read(SHEET).decode()
    huge = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', sheet)
    assert huge != sheet
    rewrite_xlsx(path, {SHEET: huge.encode()})
    assert [number for number, _ in files.read_rows(path)] == [2, 3]
