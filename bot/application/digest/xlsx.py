"""The digest's .xlsx: every row of a digest, formatted as a department head forwards
it: a title, a bold frozen header with filters, STT, wrapped text in set widths, real
dates (dd/mm/yyyy), completion as a percentage with two decimals, a totals row, and
the blockers and evidence officials typed. One sheet per view: the summary per agency,
the blockers, every row, the overdue rows."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.application.digest.model import STATUS_WORDS, STATUSES, Digest, DigestRow
from bot.domain.calendar import TIMEZONE as _TZ

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.00%"


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # characters
    value: Callable[[DigestRow], Any]
    number_format: str | None = None


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(_TZ).date() if moment else None


def _columns(status_labels: dict[str, str]) -> list[Column]:
    """The columns of the row sheets (after STT)."""
    return [
        Column("Cơ quan", 28, lambda r: r.agency),
        Column("Mã nhiệm vụ", 11, lambda r: r.duty_id),
        Column("Nhiệm vụ", 48, lambda r: r.title),
        Column("Điều khoản", 10, lambda r: r.clause),
        Column("Hạn", 12, lambda r: r.deadline, DATE_FORMAT),
        Column("Kỳ", 12, lambda r: r.period),
        Column("Tình trạng", 22, lambda r: STATUS_WORDS[r.status]),
        Column(
            "Báo cáo gần nhất",
            16,
            lambda r: status_labels.get(r.report_status or "", r.report_status or ""),
        ),
        Column("Mức độ (%)", 10, lambda r: r.percent),
        Column("Ngày báo cáo", 13, lambda r: _local_day(r.reported_at), DATE_FORMAT),
        Column("Vướng mắc", 40, lambda r: r.blockers),
        Column("Minh chứng", 28, lambda r: r.evidence),
    ]


class _Sheets:
    """Styled cells for one write-only workbook (styles are made once)."""

    def __init__(self) -> None:
        from openpyxl import Workbook  # ~0.2 s to import: only when a workbook is made
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.book = Workbook(write_only=True)
        thin = Side(style="thin", color="808080")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.header_font = Font(name="Times New Roman", size=12, bold=True)
        self.header_fill = PatternFill("solid", fgColor="D9E1F2")
        self.font = Font(name="Times New Roman", size=12)
        self.title_font = Font(name="Times New Roman", size=14, bold=True)
        self.note_font = Font(name="Times New Roman", size=12, italic=True)

    def cell(self, sheet: WriteOnlyWorksheet, value: Any, kind: str = "body", fmt: str = "") -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        if kind == "title":
            cell.font = self.title_font
            return cell
        if kind == "note":
            cell.font = self.note_font
            return cell
        cell.border = self.border
        if kind == "header":
            cell.font, cell.fill, cell.alignment = self.header_font, self.header_fill, self.center
        else:
            cell.font = self.header_font if kind == "total" else self.font
            cell.alignment = self.wrap
        if fmt:
            cell.number_format = fmt
        return cell

    def sheet(
        self,
        name: str,
        title: str,
        note: str,
        header: Sequence[str],
        widths: Sequence[float],
    ) -> WriteOnlyWorksheet:
        """A sheet with its title, note, and the header row frozen and filtered (the
        filter's range is set by `finish`, once the rows are known)."""
        from openpyxl.utils import get_column_letter

        sheet = self.book.create_sheet(name)
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A5"  # title, note, blank line, header
        sheet.print_title_rows = "4:4"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = 9  # A4
        sheet.page_setup.fitToWidth = 1
        sheet.append([self.cell(sheet, title, "title")])
        sheet.append([self.cell(sheet, note, "note")])
        sheet.append([])
        sheet.append([self.cell(sheet, text, "header") for text in header])
        return sheet

    @staticmethod
    def finish(sheet: WriteOnlyWorksheet, columns: int, rows: int) -> None:
        from openpyxl.utils import get_column_letter

        sheet.auto_filter.ref = f"A4:{get_column_letter(columns)}{4 + max(rows, 1)}"

    def rows_sheet(
        self,
        name: str,
        title: str,
        note: str,
        columns: Sequence[Column],
        rows: Sequence[DigestRow],
    ) -> None:
        header = ["STT", *[c.title for c in columns]]
        sheet = self.sheet(name, title, note, header, [6, *[c.width for c in columns]])
        for number, row in enumerate(rows, start=1):
            cells = [self.cell(sheet, number)]
            cells += [self.cell(sheet, c.value(row), fmt=c.number_format or "") for c in columns]
            sheet.append(cells)
        self.finish(sheet, len(header), len(rows))


def to_xlsx(digest: Digest, status_labels: dict[str, str]) -> bytes:
    """The digest as a workbook: summary per agency (with totals), blockers, every row,
    the overdue rows."""
    sheets = _Sheets()
    title = f"Tổng hợp thực hiện Chỉ thị 06/CT-UBND — {digest.scope}"
    note = f"Tính đến {digest.generated_at.astimezone(_TZ):%H:%M %d/%m/%Y}"
    header = ["STT", "Cơ quan", *[STATUS_WORDS[s] for s in STATUSES], "Tổng số"]
    header.append("Tỷ lệ hoàn thành")
    widths = [6, 32, *[14] * len(STATUSES), 10, 14]
    summary = sheets.sheet("Tổng hợp", title, note, header, widths)
    for number, agency in enumerate(digest.agencies, start=1):
        counts = [agency.counts.get(s, 0) for s in STATUSES]
        done = agency.counts.get("on_time", 0) + agency.counts.get("late_done", 0)
        share = done / agency.total if agency.total else 0
        cells = [sheets.cell(summary, v) for v in (number, agency.agency, *counts, agency.total)]
        cells.append(sheets.cell(summary, share, fmt=PERCENT_FORMAT))
        summary.append(cells)
    totals = [digest.totals.get(s, 0) for s in STATUSES]
    total = len(digest.rows)
    done = digest.totals.get("on_time", 0) + digest.totals.get("late_done", 0)
    cells = [sheets.cell(summary, v, "total") for v in ("", "Tổng cộng", *totals, total)]
    cells.append(sheets.cell(summary, done / total if total else 0, "total", PERCENT_FORMAT))
    summary.append(cells)
    sheets.finish(summary, len(header), len(digest.agencies))

    columns = _columns(status_labels)
    sheets.rows_sheet(
        "Vướng mắc", "Khó khăn, vướng mắc (mới nhất trước)", note, columns, digest.blocked
    )
    sheets.rows_sheet("Chi tiết", title, note, columns, digest.rows)
    sheets.rows_sheet("Quá hạn", "Nhiệm vụ quá hạn", note, columns, digest.late)
    out = io.BytesIO()
    sheets.book.save(out)
    return out.getvalue()
