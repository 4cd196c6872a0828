"""Typed dates: read strictly, written as administrative texts write them."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import Assistant
from bot.application import accounts
from bot.domain.dates import parse_vn_date, vn_date
from bot.storage.db import session_scope
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
        ("31/12/26", "dd/mm/yyyy"),  # a two-digit year is not year 26
        ("31/12/0026", "ngoài khoảng"),
        ("1/1/9999", "ngoài khoảng"),
        ("30/2/2027", "không có ngày 30/2/2027"),
        ("31/12-2026", "dd/mm/yyyy"),
        ("", "dd/mm/yyyy"),
        ("mai", "dd/mm/yyyy"),
    ],
)
def test_anything_else_is_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_vn_date(text)


def test_dates_are_written_without_leading_zeros() -> None:
    assert vn_date(dt.date(2019, 4, 9)) == "9/4/2019"
    assert parse_vn_date(vn_date(dt.date(2019, 4, 9))) == dt.date(2019, 4, 9)


def test_a_mistyped_date_in_chat_is_refused_with_its_reason(assistant: Assistant) -> None:
    admin = Chat(assistant, "1")
    with session_scope(assistant.sessions) as session:
        accounts.bootstrap_admin(session, "test", "1", "Quản trị")
    admin.send("/gianhan 2.f-4 31/12/26")
    assert "Ngày chưa hợp lệ" in admin.text() and "dd/mm/yyyy" in admin.text()
    admin.send("/lich nghi 30/2/2027")
    assert "không có ngày 30/2/2027" in admin.text()
    admin.send("/gianhan 2.f-4 31/12/2026")
    assert "31/12/2026" in admin.text() and "Ngày chưa hợp lệ" not in admin.text()
