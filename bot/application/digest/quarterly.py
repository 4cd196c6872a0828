"""Sở TT&TT's quarterly report to UBND tỉnh on Directive 06, as a .docx draft.

The draft follows the usual layout of an administrative report (Nghị định
30/2020/NĐ-CP): the two-column heading, the title, I. results (a table per agency
from the digest), II. shortcomings (what is late, who has not reported), III.
proposals (left for the author), and the signature block. Everything factual comes
from a province-wide `Digest`; the wording is for a human to finish.
"""

from __future__ import annotations

import datetime as dt
import io

from bot.application.digest.model import STATUS_WORDS, STATUSES, Digest
from bot.domain.calendar import TIMEZONE
from bot.domain.dates import vn_date
from bot.domain.deadlines import ROMAN


def quarter_of(day: dt.date) -> tuple[int, int]:
    """The quarter a report written on `day` is about: the one that ended last, unless
    the day is in the quarter's last month (then that quarter)."""
    quarter = (day.month - 1) // 3 + 1
    if day.month % 3 == 0:
        return day.year, quarter
    return (day.year, quarter - 1) if quarter > 1 else (day.year - 1, 4)


def to_docx(digest: Digest, year: int, quarter: int) -> bytes:
    from docx import Document  # ~50 ms: only when a report is drafted
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    local = digest.generated_at.astimezone(TIMEZONE)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    heading = document.add_table(rows=1, cols=2)
    left, right = heading.rows[0].cells
    left.text = "UBND TỈNH BẮC NINH\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG\n\nSố:      /BC-STTTT"
    right.text = (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        f"Bắc Ninh, ngày {local.day} tháng {local.month} năm {local.year}"
    )
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(
        f"BÁO CÁO\nTình hình thực hiện Chỉ thị số 06/CT-UBND ngày 19/4/2019 của UBND tỉnh\n"
        f"quý {ROMAN[quarter - 1]} năm {year}"
    )
    run.bold = True
    document.add_paragraph(
        "Kính gửi: Ủy ban nhân dân tỉnh Bắc Ninh."
    ).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_heading("I. KẾT QUẢ THỰC HIỆN", level=2)
    totals = digest.totals
    total = len(digest.rows)
    done = totals.get("on_time", 0) + totals.get("late_done", 0)
    document.add_paragraph(
        f"Tính đến {vn_date(local.date())}, theo báo cáo của các cơ quan trên hệ thống trợ lý, "
        f"{total} lượt nhiệm vụ – cơ quan được theo dõi, trong đó "
        + "; ".join(f"{STATUS_WORDS[s]}: {totals.get(s, 0)}" for s in STATUSES)
        + f". Tỷ lệ hoàn thành: {round(100 * done / total) if total else 0}%."
    )
    table = document.add_table(rows=1, cols=len(STATUSES) + 3)
    table.style = "Table Grid"
    header = ["Cơ quan", *[STATUS_WORDS[s] for s in STATUSES], "Tổng", "Tỷ lệ HT (%)"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for agency in digest.agencies:
        cells = table.add_row().cells
        values = [
            agency.agency,
            *[str(agency.counts.get(s, 0)) for s in STATUSES],
            str(agency.total),
            str(agency.completion),
        ]
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    document.add_heading("II. TỒN TẠI, HẠN CHẾ", level=2)
    late = digest.late
    if late:
        document.add_paragraph(f"Còn {len(late)} lượt nhiệm vụ quá hạn chưa hoàn thành:")
        for row in late[:40]:
            document.add_paragraph(
                f"{row.agency}: {row.title} ({row.clause}), hạn {vn_date(row.deadline)} — "
                f"{STATUS_WORDS[row.status]}.",
                style="List Bullet",
            )
        if len(late) > 40:
            document.add_paragraph(f"… và {len(late) - 40} lượt khác (xem phụ lục Excel).")
    else:
        document.add_paragraph("Không có nhiệm vụ quá hạn.")
    unreported = digest.unreported
    if unreported:
        document.add_paragraph(
            "Cơ quan chưa báo cáo (số nhiệm vụ): "
            + ", ".join(f"{name} ({n})" for name, n in unreported)
            + "."
        )
    document.add_heading("III. ĐỀ XUẤT, KIẾN NGHỊ", level=2)
    document.add_paragraph("[Phần này do Sở Thông tin và Truyền thông soạn thảo.]")
    signature = document.add_paragraph()
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.add_run("GIÁM ĐỐC\n\n\n\n").bold = True
    document.add_paragraph("Nơi nhận:\n- UBND tỉnh (b/c);\n- Lưu: VT, CNTT.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
