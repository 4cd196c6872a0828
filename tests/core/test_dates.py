"""Typed dates: read strictly, written as administrative texts write them."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.dates import parse_vn_date, vn_date


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
