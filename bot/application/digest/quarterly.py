"""A directive's quarterly report to UBND tỉnh, as a .docx draft written as the agency
the directive makes report (Sở TT&TT for 06, Văn phòng UBND tỉnh for 11).

The draft follows the format of Nghị định 30/2020/NĐ-CP: the two-column heading,
the title, I. results (a table per agency from the digest; the digest's .xlsx goes
with it as the annex), II. shortcomings (blockers, then what is late grouped by task,
then who has not reported), III. proposals (left for the author), the signature
block and "Nơi nhận". Everything factual comes
from a province-wide `Digest`; the wording is for a human to finish.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from typing import Any

from bot.application.digest.model import STATUS_WORDS, STATUSES, Digest, DigestRow
from bot.domain.calendar import TIMEZONE
from bot.domain.dates import vn_date
from bot.domain.deadlines import ROMAN
from bot.domain.knowledge import Agency
from bot.domain.numbers import vn_percent
from nlu.normalize import fold_words


def quarter_of(day: dt.date) -> tuple[int, int]:
    """The quarter a report written on `day` (Vietnam's day) is about: the one that
    ended last, unless the day is in the quarter's last month (then that quarter)."""
    quarter = (day.month - 1) // 3 + 1
    if day.month % 3 == 0:
        return day.year, quarter
    return (day.year, quarter - 1) if quarter > 1 else (day.year - 1, 4)


def local_day(moment: dt.datetime) -> dt.date:
    """The day in Vietnam: at 03:30 on 1/12 there it is still 30/11 in UTC, and the
    report would be dated and titled for the quarter before."""
    return moment.astimezone(TIMEZONE).date()


# Words an agency's symbol in a document number leaves out ("Sở Tài chính": STC;
# "Văn phòng Ủy ban nhân dân tỉnh": VPUBND).
_NOT_IN_SYMBOL = frozenset({"va", "tinh"})


def symbol(agency: Agency) -> str:
    """The agency's letters in a document number ("BC-STTTT"): its name's initials,
    but for "và" and "tỉnh"."""
    words = fold_words(agency.name).split()
    return "".join(w[0] for w in words if w not in _NOT_IN_SYMBOL).upper()


# Who signs for an agency, by the first word of its name ("Sở" and anything else: the
# director).
_HEADS = {"van phong": "CHÁNH VĂN PHÒNG", "ban": "TRƯỞNG BAN"}


def head_of(agency: Agency) -> str:
    """The title signing the agency's report: "GIÁM ĐỐC" of a Sở, "CHÁNH VĂN PHÒNG"."""
    name = fold_words(agency.name)
    return next((t for w, t in _HEADS.items() if name.startswith(w + " ")), "GIÁM ĐỐC")


def annex_of(year: int, author: Agency) -> str:
    """The annex's heading: the report's number is left blank until it is issued."""
    return f"Kèm theo Báo cáo số      /BC-{symbol(author)} năm {year} của {author.name}"


def vn_long_date(day: dt.date, place: str) -> str:
    """The place and date line of Nghị định 30/2020/NĐ-CP: a day below 10 and the
    months 1 and 2 take a leading zero ("Bắc Ninh, ngày 05 tháng 02 năm 2027")."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


ANNEX_NOTE = "(chi tiết tại Phụ lục kèm theo)"
LISTED_PER_TASK = 12  # agencies named under one task before "và N cơ quan khác"


def to_docx(digest: Digest, year: int, quarter: int, evidence_url: str, author: Agency) -> bytes:
    """The report as a .docx in the format of Nghị định 30/2020/NĐ-CP (Phụ lục I): A4,
    margins 20/20/30/15 mm, Times New Roman 13-14, the two-column heading with the
    national motto, the italic place and date, the title, bold section headings,
    justified body with first-line indent, the signature block and "Nơi nhận".
    `evidence_url`: where the portal serves evidence files ("": no portal to name);
    `author`: the agency writing it, named in the heading, the number and section III.
    The text is marked Vietnamese (vi-VN), so Word checks its spelling as such."""
    from docx import Document  # ~50 ms: only when a report is drafted
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Pt

    local = digest.generated_at.astimezone(TIMEZONE)
    document = Document()
    properties = document.core_properties  # python-docx names itself the author
    properties.author = properties.last_modified_by = author.name
    # The template's own dates (2013) would show as when the report was written.
    properties.created = properties.modified = digest.generated_at
    properties.revision = 1
    properties.title = f"Báo cáo tình hình thực hiện Chỉ thị, quý {ROMAN[quarter - 1]}/{year}"
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(0)
    # East Asian text (Vietnamese is fine, but Word picks this slot for some glyphs).
    normal.element.rPr.rFonts.set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia",
        "Times New Roman",
    )
    _mark_vietnamese(document)

    def line(
        container: Any,
        text: str,
        size: int = 14,
        bold: bool = False,
        italic: bool = False,
        align: Any = WD_ALIGN_PARAGRAPH.CENTER,
        first: bool = False,
    ) -> Any:
        paragraph = container.add_paragraph() if not first else container.paragraphs[0]
        paragraph.alignment = align
        run = paragraph.add_run(text)
        run.font.size, run.bold, run.italic = Pt(size), bold, italic
        return paragraph

    formatted_body: list[Any] = []  # the first body paragraph, once written

    def body(text: str) -> None:
        """A justified paragraph with its first line indented. After the first, each is
        a copy of it with the text replaced: a province's section II is thousands of
        paragraphs, and python-docx's formatting calls took most of a second."""
        if formatted_body:
            copied = copy.deepcopy(formatted_body[0])
            next(copied.iter(qn("w:t"))).text = text
            document.element.body.sectPr.addprevious(copied)
            return
        paragraph = line(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
        paragraph.paragraph_format.space_before = Pt(6)
        next(paragraph._p.iter(qn("w:t"))).set(qn("xml:space"), "preserve")
        formatted_body.append(paragraph._p)

    def heading(text: str) -> None:
        paragraph = line(document, text, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
        paragraph.paragraph_format.space_before = Pt(6)

    top = document.add_table(rows=1, cols=2)
    top.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = top.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(9.5)

    def rule(cell: Any, width: float) -> None:
        """The short solid line under the issuing body's name and under the motto
        (Phụ lục I: a third to a half of the line above, or as long as the motto): the
        top border of an empty paragraph indented to `width` cm of the cell."""
        paragraph = line(cell, "", 2)
        indent = Cm((cell.width.cm - width) / 2)
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = indent
        borders = paragraph._p.get_or_add_pPr().makeelement(qn("w:pBdr"), {})
        top_border = borders.makeelement(
            qn("w:top"), {qn("w:val"): "single", qn("w:sz"): "6", qn("w:space"): "1"}
        )
        borders.append(top_border)
        paragraph._p.get_or_add_pPr().append(borders)

    line(left, "UBND TỈNH BẮC NINH", 13, first=True)
    line(left, author.name.upper(), 13, bold=True)
    rule(left, 2.5)
    line(left, f"Số:      /BC-{symbol(author)}", 13).paragraph_format.space_before = Pt(6)
    line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, bold=True, first=True)
    line(right, "Độc lập - Tự do - Hạnh phúc", 14, bold=True)
    rule(right, 6.2)
    date_line = line(right, vn_long_date(local.date(), "Bắc Ninh"), 14, italic=True)
    date_line.paragraph_format.space_before = Pt(6)

    line(document, "BÁO CÁO", bold=True).paragraph_format.space_before = Pt(18)
    line(document, f"Tình hình thực hiện {digest.subject_dated}", bold=True)
    line(document, f"của UBND tỉnh, quý {ROMAN[quarter - 1]} năm {year}", bold=True)
    line(document, "Kính gửi: Ủy ban nhân dân tỉnh Bắc Ninh.").paragraph_format.space_before = Pt(
        12
    )

    heading("I. KẾT QUẢ THỰC HIỆN")
    totals = digest.tally
    total = totals.total
    share = vn_percent(totals.completion)
    body(
        f"Tính đến ngày {vn_date(local.date())}, theo báo cáo của các cơ quan trên hệ thống "
        f"trợ lý, {total} lượt nhiệm vụ – cơ quan được theo dõi, trong đó "
        + "; ".join(f"{STATUS_WORDS[s]}: {totals[s]}" for s in STATUSES)
        + f". Tỷ lệ hoàn thành: {share} {ANNEX_NOTE}."
    )
    header = ["Cơ quan", *[STATUS_WORDS[s] for s in STATUSES], "Tổng", "Tỷ lệ HT (%)"]
    # One row per agency, then the totals (the sum of the rows: the same `Tally`).
    tallies = [(a.agency, a.tally, False) for a in digest.agencies]
    body_rows = [
        (
            [
                name,
                *[str(tally[s]) for s in STATUSES],
                str(tally.total),
                vn_percent(tally.completion).removesuffix("%"),
            ],
            bold,
        )
        for name, tally, bold in [*tallies, ("Tổng cộng", digest.tally, True)]
    ]
    table = document.add_table(rows=2, cols=len(header))
    table.style = "Table Grid"
    header_cells, template_cells = table.rows[0].cells, table.rows[1].cells
    for cell, text in zip(header_cells, header, strict=True):
        line(cell, text, 11, bold=True, first=True)
    for cell in template_cells:
        line(cell, "-", 11, first=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    # The rows are copies of one formatted row: formatting 4,500 cells one by one
    # through python-docx took 3 s for 500 agencies.
    template = table.rows[1]._tr
    for values, bold in body_rows:
        row = copy.deepcopy(template)
        for text_element, text in zip(row.iter(qn("w:t")), values, strict=True):
            text_element.text = text
        if bold:
            for weight in row.iter(qn("w:b")):
                weight.set(qn("w:val"), "1")
        template.addprevious(row)
    table._tbl.remove(template)
    files = sorted({r.evidence_number for r in digest.rows if r.evidence_number})
    if files:
        where = f"; tải các tệp tại {evidence_url}" if evidence_url else ""
        body(
            f"Các cơ quan gửi kèm báo cáo {len(files)} tệp minh chứng (tên và số tệp ghi ở "
            f"cột «Minh chứng» của phụ lục){where}."
        )

    heading("II. TỒN TẠI, HẠN CHẾ")
    blocked = digest.blocked
    if blocked:
        body(f"Khó khăn, vướng mắc các cơ quan nêu ({len(blocked)}):")
        for row in blocked:
            record = row.evidence_record
            proof = f" (minh chứng: {record})" if record else ""
            body(f"- {row.agency} ({row.title}, {row.clause}): {row.blockers}{proof}.")
    late = digest.late
    if late:
        by_task: dict[tuple[str, str], list[DigestRow]] = {}
        for row in late:
            by_task.setdefault((row.title, row.clause), []).append(row)
        body(f"Còn {len(late)} lượt nhiệm vụ quá hạn chưa hoàn thành, theo nhiệm vụ:")
        for number, ((title, clause), rows) in enumerate(by_task.items(), start=1):
            deadline = vn_date(rows[0].deadline)
            names = ", ".join(r.agency for r in rows[:LISTED_PER_TASK])
            more = len(rows) - LISTED_PER_TASK
            if more > 0:
                names += f" và {more} cơ quan khác"
            body(f"{number}. {title} ({clause}, hạn {deadline}): {len(rows)} cơ quan — {names}.")
    else:
        body("Không có nhiệm vụ quá hạn.")
    unreported = digest.unreported
    if unreported:
        body(
            "Cơ quan chưa báo cáo (số nhiệm vụ): "
            + ", ".join(f"{name} ({n})" for name, n in unreported)
            + "."
        )
    heading("III. ĐỀ XUẤT, KIẾN NGHỊ")
    body(f"[Phần này do {author.name} soạn thảo.]")

    end = document.add_table(rows=1, cols=2)
    recipients, signer = end.rows[0].cells
    line(
        recipients,
        "Nơi nhận:",
        12,
        bold=True,
        italic=True,
        first=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
    ).paragraph_format.space_before = Pt(12)
    for item in ("- UBND tỉnh (b/c);", "- Lưu: VT."):
        line(recipients, item, 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    line(signer, head_of(author), 14, bold=True, first=True).paragraph_format.space_before = Pt(12)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _mark_vietnamese(document: Any) -> None:
    """Every style's language vi-VN (python-docx's template says en-US: Word then marks
    every Vietnamese word misspelt): the document defaults and the Normal style."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    holders = [document.styles["Normal"].element.get_or_add_rPr()]
    if defaults is not None:
        holders.append(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")))
    for properties in holders:
        lang = properties.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            properties.append(lang)
        for kind in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(kind), "vi-VN")
    # Word 2010 reads the styles' copy in stylesWithEffects.xml, which python-docx
    # keeps as plain bytes.
    for part in document.part.package.iter_parts():
        if str(part.partname).endswith("/stylesWithEffects.xml"):
            part._blob = part.blob.replace(b'"en-US"', b'"vi-VN"')
