"""The importer on the layouts provincial directives commonly use, each on a small
inline text: numbered headings that name the doer with no "Nhiệm vụ" heading above
them, the subject line in sentence case, recurrences with a stated day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.application.importer.pipeline import import_directive
from bot.application.importer.report import ImportResult
from bot.application.knowledge.pack import load_agencies
from bot.domain.knowledge import Agency

DATA = Path(__file__).resolve().parents[2] / "data"

HEADER = """\
ỦY BAN NHÂN DÂN
TỈNH BẮC NINH
Số: 15/CT-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bắc Ninh, ngày 10 tháng 3 năm 2021

CHỈ THỊ
{subject}

"""
FOOTER = """
Nơi nhận:
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn Phong
"""
SUBJECT = "Về đẩy mạnh chuyển đổi số tỉnh Bắc Ninh giai đoạn 2021-2025"


def directive(body: str, subject: str = SUBJECT) -> str:
    return HEADER.format(subject=subject) + body + FOOTER


@pytest.fixture(scope="module")
def agencies() -> tuple[Agency, ...]:
    return load_agencies(DATA / "agencies.yaml")


def duties(result: ImportResult) -> list[tuple[str, tuple[str, ...], dt.date | None]]:
    return [(d.clause, d.addressees, d.timing.due) for d in result.directive.duties]


# --- headings that name the doer --------------------------------------------------

AGENCY_HEADINGS = """\
Để đẩy mạnh chuyển đổi số, Chủ tịch UBND tỉnh chỉ thị:

1. Sở Nội vụ{colon}
a) Tổ chức bồi dưỡng kỹ năng số cho công chức; hoàn thành trước ngày 30/9/2021.
b) Đưa kết quả chuyển đổi số vào tiêu chí thi đua.

2. Công an tỉnh{colon}
Bảo đảm an ninh mạng cho các hệ thống thông tin của tỉnh.

3. UBND các huyện, thị xã, thành phố{colon}
- Ban hành kế hoạch chuyển đổi số của địa phương trước ngày 31/8/2021.
"""


@pytest.mark.parametrize("colon", ["", ":", " có trách nhiệm:"])
def test_a_heading_naming_an_agency_makes_its_items_that_agencys_duties(
    agencies: tuple[Agency, ...], colon: str
) -> None:
    result = import_directive(directive(AGENCY_HEADINGS.format(colon=colon)), agencies)
    assert duties(result) == [
        ("1.a", ("snv",), dt.date(2021, 9, 30)),
        ("1.b", ("snv",), None),
        ("2", ("cong_an_tinh",), None),
        ("3", ("all_districts",), dt.date(2021, 8, 31)),
    ]
    assert not [p for p in result.problems if "không gắn được" in p]


def test_a_heading_opened_by_a_title_or_by_doi_voi_names_its_doer_too(
    agencies: tuple[Agency, ...],
) -> None:
    body = """\
Chủ tịch UBND tỉnh yêu cầu:

1. Đối với Sở Tư pháp:
- Rà soát thủ tục hành chính thuộc thẩm quyền của tỉnh.

2. Giám đốc Sở Tài chính
- Bố trí kinh phí thực hiện Chỉ thị.

3. Đài Phát thanh và Truyền hình tỉnh, Báo Bắc Ninh, Bộ Chỉ huy Quân sự tỉnh
- Tuyên truyền về chuyển đổi số.
"""
    result = import_directive(directive(body), agencies)
    assert duties(result) == [
        ("1", ("stp",), None),
        ("2", ("stc",), None),
        ("3", ("dai_pt_th", "bao_bac_ninh", "bo_chqs_tinh"), None),
    ]


def test_a_heading_that_only_mentions_an_agency_does_not_make_duties(
    agencies: tuple[Agency, ...],
) -> None:
    body = """\
Chủ tịch UBND tỉnh chỉ thị:

1. Kết quả ứng dụng công nghệ thông tin tại Sở Nội vụ
- Hệ thống quản lý văn bản được dùng ở mọi phòng.
"""
    result = import_directive(directive(body), agencies)
    assert duties(result) == []
