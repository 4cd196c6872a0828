"""The digest's .xlsx: every row of a digest, formatted as a department head forwards
it: a title, a bold frozen header with filters, STT, wrapped text in set widths, real
dates (dd/mm/yyyy), completion as a percentage with two decimals, a totals row, and
the blockers and evidence officials typed. One sheet per view: the summary per agency,
the blockers, every row, the overdue rows.

Written with XlsxWriter: its formats are shared objects, so a province's workbook
(some 300,000 formatted cells) takes a fraction of what openpyxl needs to style each
cell (openpyxl still reads the files admins import)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.application.digest.model import STATUS_WORDS, STATUSES, Digest, DigestRow
from bot.domain.calendar import TIMEZONE as _TZ

DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.00%"
HEADER_ROW = 3  # 0-based: title, note, a blank line, then the header
FONT = {"font_name": "Times New Roman", "font_size": 12}


@dataclass(frozen=True)
class Link:
    """A cell's text that opens `url` (an evidence file on the portal)."""

    text: str
    url: str


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # characters
    value: Callable[[DigestRow], Any]
    kind: str = "body"  # the format: body, date or percent


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(_TZ).date() if moment else None


def _evidence(row: DigestRow, evidence_url: str) -> str | Link:
    """What the official gave as evidence, the file by its name and number (a chat
    command has no place in a document), linked to the portal's download when the
    portal has an address."""
    text = row.evidence_record
    if row.evidence_number and evidence_url:
        return Link(text, f"{evidence_url}/{row.evidence_number}")
    return text


def _columns(status_labels: dict[str, str], evidence_url: str = "") -> list[Column]:
    """The columns of the row sheets (after STT); `evidence_url`: where the portal
    serves evidence files ("": no links)."""
    return [
        Column("Cơ quan", 28, lambda r: r.agency),
        Column("Mã nhiệm vụ", 11, lambda r: r.duty_label or r.duty_id),
        Column("Nhiệm vụ", 48, lambda r: r.title),
        Column("Điều khoản", 10, lambda r: r.clause),
        Column("Hạn", 12, lambda r: r.deadline, "date"),
        Column("Kỳ", 12, lambda r: r.period),
        Column("Tình trạng", 22, lambda r: STATUS_WORDS[r.status]),
        Column(
            "Báo cáo gần nhất",
            16,
            lambda r: status_labels.get(r.report_status or "", r.report_status or ""),
        ),
        Column("Mức độ (%)", 10, lambda r: r.percent),
        # The day that decides "quá hạn" (a done report's), next to the day it was said.
        Column("Ngày hoàn thành", 13, lambda r: r.completed_on, "date"),
        Column("Ngày báo cáo", 13, lambda r: _local_day(r.reported_at), "date"),
        Column("Vướng mắc", 40, lambda r: r.blockers),
        Column("Minh chứng", 28, lambda r: _evidence(r, evidence_url)),
    ]


class _Book:
    """One workbook and its few shared formats."""

    def __init__(self, out: io.BytesIO) -> None:
        import xlsxwriter  # only when a workbook is made

        self.book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
        cell = {**FONT, "text_wrap": True, "valign": "top"}
        bold = {**cell, "bold": True}
        self.formats = {
            "title": self.book.add_format({**FONT, "font_size": 14, "bold": True}),
            "note": self.book.add_format({**FONT, "italic": True}),
            "header": self.book.add_format(
                {
                    **bold,
                    "bg_color": "#D9E1F2",
                    "align": "center",
                    "valign": "vcenter",
                    "border": 1,
                }
            ),
            "body": self.book.add_format(cell),
            "link": self.book.add_format({**cell, "font_color": "blue", "underline": 1}),
            "total": self.book.add_format({**bold, "top": 1}),
            "date": self.book.add_format({**cell, "num_format": DATE_FORMAT}),
            "percent": self.book.add_format({**cell, "num_format": PERCENT_FORMAT}),
            "total percent": self.book.add_format({**bold, "top": 1, "num_format": PERCENT_FORMAT}),
        }

    def sheet(
        self, name: str, title: str, note: str, header: Sequence[str], widths: Sequence[float]
    ) -> Any:
        """A sheet with its title, note and header row, frozen below the header, printed
        on A4 landscape with the header on every page."""
        sheet = self.book.add_worksheet(name)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        sheet.write(0, 0, title, self.formats["title"])
        sheet.write(1, 0, note, self.formats["note"])
        sheet.write_row(HEADER_ROW, 0, header, self.formats["header"])
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        sheet.repeat_rows(HEADER_ROW)
        # The grid on screen and on paper instead of a border on every cell: bordering
        # an empty cell means writing it, a third of a province's cells.
        sheet.hide_gridlines(0)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        return sheet

    def write(self, sheet: Any, row: int, column: int, value: Any, kind: str) -> None:
        """A cell in its format, by its type (XlsxWriter's generic `write` guesses it);
        an empty one (no date, no percent) is not written at all."""
        fmt = self.formats[kind]
        if value is None or value == "":
            return
        if isinstance(value, Link):
            sheet.write_url(row, column, value.url, self.formats["link"], string=value.text)
        elif isinstance(value, str):
            sheet.write_string(row, column, value, fmt)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, column, value, fmt)
        else:
            sheet.write_number(row, column, value, fmt)

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
        for number, item in enumerate(rows, start=1):
            line = HEADER_ROW + number
            self.write(sheet, line, 0, number, "body")
            for index, column in enumerate(columns, start=1):
                self.write(sheet, line, index, column.value(item), column.kind)
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(rows), 1), len(header) - 1)


def to_xlsx(
    digest: Digest, status_labels: dict[str, str], annex_of: str = "", evidence_url: str = ""
) -> bytes:
    """The digest as a workbook: summary per agency (with totals), blockers, every row,
    the overdue rows; `annex_of`: the report it is the annex of (its heading says so);
    `evidence_url`: where the portal serves evidence files (their cells link there)."""
    out = io.BytesIO()
    book = _Book(out)
    title = f"Tổng hợp thực hiện {digest.subject} — {digest.scope}"
    note = f"Tính đến {digest.generated_at.astimezone(_TZ):%H:%M %d/%m/%Y}"
    if annex_of:
        title, note = f"Phụ lục: {title}", f"{annex_of}. {note}"
    header = ["STT", "Cơ quan", *[STATUS_WORDS[s] for s in STATUSES], "Tổng số"]
    header.append("Tỷ lệ hoàn thành")
    widths = [6, 32, *[14] * len(STATUSES), 10, 14]
    summary = book.sheet("Tổng hợp", title, note, header, widths)
    line = HEADER_ROW
    for number, agency in enumerate(digest.agencies, start=1):
        line += 1
        done = agency.tally.done
        counts = [agency.tally[s] for s in STATUSES]
        for column, value in enumerate((number, agency.agency, *counts, agency.total)):
            book.write(summary, line, column, value, "body")
        share = done / agency.total if agency.total else 0
        book.write(summary, line, len(header) - 1, share, "percent")
    summary.autofilter(HEADER_ROW, 0, line, len(header) - 1)  # the totals row stays out
    line += 1
    total = len(digest.rows)
    done = digest.tally.done
    totals = [digest.tally[s] for s in STATUSES]
    for column, value in enumerate(("", "Tổng cộng", *totals, total)):
        book.write(summary, line, column, value, "total")
    book.write(summary, line, len(header) - 1, done / total if total else 0, "total percent")

    columns = _columns(status_labels, evidence_url)
    blockers = "Khó khăn, vướng mắc (mới nhất trước)"
    book.rows_sheet("Vướng mắc", blockers, note, columns, digest.blocked)
    book.rows_sheet("Chi tiết", title, note, columns, digest.rows)
    book.rows_sheet("Quá hạn", "Nhiệm vụ quá hạn", note, columns, digest.late)
    book.book.close()
    return out.getvalue()
