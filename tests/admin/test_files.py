"""FAQ and duty files: lossless round trips, all-or-nothing imports with row numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.application.admin import files
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
        "bad-2,Câu hỏi?,,Trả lời.,9.z\n",
        encoding="utf-8",
    )
    with session_scope(sessions) as session:
        before = faq_state(session)
        with pytest.raises(files.FileProblems) as raised:
            files.import_faq(session, None, path, set(session.scalars(select(Clause.id))))
        assert raised.value.problems == ["dòng 3: thiếu câu hỏi", "dòng 4: không có mục: 9.z"]
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
