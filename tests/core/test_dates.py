"""Typed dates: read strictly, written as administrative texts write them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.app import Assistant
from bot.application import accounts
from bot.application.render import Renderer
from bot.domain.dates import (
    Issued,
    check_date,
    from_today,
    padded_date,
    padded_datetime,
    parse_vn_date,
    vn_date,
    with_day,
)
from bot.domain.numbers import vn_number
from bot.storage.db import session_scope
from bot.storage.models import CalendarDay, Duty
from tests.core.test_dialogs import Chat


@pytest.mark.parametrize(
    "text",
    ["31/12/2026", "31/12/2026 ", "31-12-2026", "31.12.2026", "2026-12-31", "31 / 12 / 2026"],
)
def test_the_ways_people_type_a_date(text: str) -> None:
    assert parse_vn_date(text) == dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # A two-digit year is not year 26: refused, the four-digit reading offered.
        ("31/12/26", "Năm 26 không hợp lệ: Anh/Chị vui lòng ghi năm đủ 4 chữ số, ví dụ 31/12/2026"),
        ("31.12.26", "ví dụ 31/12/2026"),
        ("31/12/0026", "Năm 0026 không hợp lệ: chỉ nhận các năm từ 2000 đến 2100"),
        ("0026-12-31", "Năm 0026 không hợp lệ"),
        ("1/1/9999", "Năm 9999 không hợp lệ"),
        ("31/12/1999", "Năm 1999 không hợp lệ"),
        ("30/2/2027", "Không có ngày 30/2/2027 trong lịch"),
        ("31/12-2026", "Không đọc được ngày «31/12-2026»: .* dd/mm/yyyy"),
        ("", "dd/mm/yyyy"),
        ("mai", "Không đọc được ngày «mai»"),
    ],
)
def test_anything_else_is_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_vn_date(text)


DIRECTIVE = Issued("Chỉ thị", "06/CT-UBND", dt.date(2019, 4, 19))


def test_a_directives_date_is_not_before_its_issue() -> None:
    assert parse_vn_date("19/4/2019", DIRECTIVE) == dt.date(2019, 4, 19)
    problem = "Ngày 18/4/2019 không hợp lệ: trước ngày ban hành Chỉ thị 06/CT-UBND [(]19/4/2019[)]"
    with pytest.raises(ValueError, match=problem):
        parse_vn_date("18/4/2019", DIRECTIVE)
    with pytest.raises(ValueError, match="Năm 0026"):  # the year is named first
        parse_vn_date("31/12/0026", DIRECTIVE)


def test_a_day_that_has_happened_is_not_after_today() -> None:
    today = dt.date(2026, 12, 1)
    assert parse_vn_date("1/12/2026", DIRECTIVE, today) == today
    problem = r"Ngày 2/12/2026 không hợp lệ: sau ngày hôm nay \(1/12/2026\)"
    with pytest.raises(ValueError, match=problem):
        parse_vn_date("2/12/2026", DIRECTIVE, today)
    with pytest.raises(ValueError, match="trước ngày ban hành"):  # both bounds hold
        check_date(dt.date(2019, 1, 1), DIRECTIVE, today)


def test_dates_from_files_pass_the_same_check() -> None:
    assert check_date(dt.date(2026, 12, 31), DIRECTIVE) == dt.date(2026, 12, 31)
    for day, problem in [
        (dt.date(26, 12, 31), "Năm 0026 không hợp lệ"),
        (dt.date(9999, 12, 31), "Năm 9999 không hợp lệ"),
        (dt.date(2001, 1, 1), "trước ngày ban hành Chỉ thị 06/CT-UBND"),
    ]:
        with pytest.raises(ValueError, match=problem):
            check_date(day, DIRECTIVE)


def test_dates_are_written_without_leading_zeros() -> None:
    assert vn_date(dt.date(2019, 4, 9)) == "9/4/2019"
    assert parse_vn_date(vn_date(dt.date(2019, 4, 9))) == dt.date(2019, 4, 9)


def test_a_mistyped_date_in_chat_is_refused_with_its_reason(assistant: Assistant) -> None:
    admin = Chat(assistant, "1")
    with session_scope(assistant.sessions) as session:
        accounts.bootstrap_admin(session, "test", "1", "Quản trị")
    for typed, problem in [
        (
            "31/12/26",
            "Năm 26 không hợp lệ: Anh/Chị vui lòng ghi năm đủ 4 chữ số, ví dụ 31/12/2026.",
        ),
        ("31/12/0026", "Năm 0026 không hợp lệ: chỉ nhận các năm từ 2000 đến 2100."),
        ("1/1/9999", "Năm 9999 không hợp lệ"),
        ("1/1/2001", "Ngày 1/1/2001 không hợp lệ: trước ngày ban hành Chỉ thị 06/CT-UBND"),
    ]:
        admin.send(f"/gianhan 2.f-4 {typed}")
        assert admin.text().startswith(problem), typed
        assert "Đã gia hạn" not in admin.text()
    admin.send("/lich nghi 30/2/2027")
    assert admin.text().startswith("Không có ngày 30/2/2027 trong lịch.")
    admin.send("/lich nghi 1/1/0026")
    assert admin.text().startswith("Năm 0026 không hợp lệ")
    admin.send("/gianhan 2.f-4 31/12/2026")
    assert "Đã gia hạn" in admin.text() and "31/12/2026" in admin.text()
    with session_scope(assistant.sessions) as session:
        assert session.scalar(select(Duty.effective_due).where(Duty.id == "2.f-4")) == dt.date(
            2026, 12, 31
        )
        assert session.scalars(select(CalendarDay)).all() == []


def test_padded_dates_and_numbers_for_the_web_portal() -> None:
    late_evening = dt.datetime(2027, 1, 4, 18, 30, tzinfo=dt.UTC)  # 01:30 on 5/1 in Vietnam
    assert padded_date(dt.date(2027, 1, 5)) == "05/01/2027"
    assert padded_date(late_evening) == "05/01/2027"
    assert padded_datetime(late_evening) == "01:30 05/01/2027"
    assert padded_date(None) == padded_datetime(None) == ""
    assert [vn_number(n) for n in (0, 999, 9289, 1234567)] == ["0", "999", "9.289", "1.234.567"]


@pytest.mark.parametrize(
    ("reference", "shown"),
    [
        ("Công văn 123/STTTT-CNTT", "Công văn 123/STTTT-CNTT (15/5/2019)"),
        ("Công văn 123/STTTT-CNTT ngày 15/5/2019", "Công văn 123/STTTT-CNTT ngày 15/5/2019"),
        ("CV 123 ngày 15/05/2019", "CV 123 ngày 15/05/2019"),
        ("CV 123 (2019-05-15)", "CV 123 (2019-05-15)"),
        ("CV 123 ngày 16/5/2019", "CV 123 ngày 16/5/2019 (15/5/2019)"),  # another day
        ("", "15/5/2019"),
    ],
)
def test_evidence_shows_its_day_once(reference: str, shown: str) -> None:
    assert with_day(reference, dt.date(2019, 5, 15)) == shown
    assert with_day(reference, None) == reference


def test_percentages_as_the_government_office_writes_them() -> None:
    from bot.domain.numbers import vn_percent

    assert [vn_percent(v) for v in (0, 100, 98.62, 0.35, 27.0)] == [
        "0%",
        "100%",
        "98,62%",
        "0,35%",
        "27%",
    ]


@pytest.mark.parametrize(
    ("due", "today", "said"),
    [
        (dt.date(2019, 6, 30), dt.date(2026, 11, 30), "đã quá hạn 7 năm 5 tháng"),
        # Nearly seven years is not said "6 năm".
        (dt.date(2018, 12, 31), dt.date(2025, 11, 29), "đã quá hạn 6 năm 10 tháng"),
        (dt.date(2020, 3, 15), dt.date(2023, 3, 15), "đã quá hạn 3 năm"),
        (dt.date(2027, 1, 31), dt.date(2026, 11, 30), "còn 2 tháng"),
        (dt.date(2028, 2, 29), dt.date(2026, 11, 30), "còn 14 tháng"),
        (dt.date(2026, 12, 12), dt.date(2026, 11, 30), "còn 12 ngày"),
        (dt.date(2026, 11, 30), dt.date(2026, 11, 30), "hạn là hôm nay"),
        (dt.date(2026, 8, 30), dt.date(2026, 11, 30), "đã quá hạn 3 tháng"),
        (dt.date(2026, 11, 1), dt.date(2026, 11, 30), "đã quá hạn 29 ngày"),
    ],
)
def test_a_deadline_is_told_from_today(due: dt.date, today: dt.date, said: str) -> None:
    assert from_today(due, today) == said


def test_a_deadline_answer_says_first_how_it_stands_today(assistant: Assistant) -> None:
    renderer = Renderer(today=lambda: dt.date(2019, 6, 18))
    answer = assistant.core.qa.answer("Hạn chót trang thông tin điện tử cấp xã là khi nào?")
    first = renderer.render(answer.reply).splitlines()[0]
    assert first.startswith("Hạn: trước ngày 30/6/2019 (còn 12 ngày)"), first


def test_a_moment_is_written_as_the_day_it_was_in_vietnam() -> None:
    from bot.domain.dates import padded_date, vn_date

    moment = dt.datetime(2026, 11, 30, 23, 3, tzinfo=dt.UTC)  # 06:03 on 1/12 in Hà Nội
    assert (vn_date(moment), padded_date(moment)) == ("1/12/2026", "01/12/2026")
    assert vn_date(dt.date(2026, 11, 30)) == "30/11/2026"
