"""A directive sent as a Word file or a PDF drafts the same pack as its plain text; a file
that cannot give its text is refused with the reason, in Vietnamese."""

from __future__ import annotations

import html
import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfWriter

from bot.application.importer.documents import UnreadableDocument, document_text
from bot.application.importer.pipeline import import_directive
from bot.application.importer.report import ImportResult
from bot.application.knowledge.pack import load_agencies
from bot.cli import main
from bot.config import ImportLimits
from bot.domain.knowledge import Duty
from tests.support.browser import chromium

REPO = Path(__file__).resolve().parents[2]
SOURCE = (REPO / "data" / "directives" / "06-CT-UBND-2019" / "source.txt").read_text()
AGENCIES = load_agencies(REPO / "data" / "agencies.yaml")
LIMITS = ImportLimits()


def drafted(text: str) -> ImportResult:
    return import_directive(text, AGENCIES)


def same_draft(got: ImportResult, want: ImportResult) -> None:
    a, b = got.directive, want.directive
    assert (a.id, a.number, a.issued, a.signer_name, a.issuer) == (
        b.id,
        b.number,
        b.issued,
        b.signer_name,
        b.issuer,
    )
    assert [c.id for c in a.clauses] == [c.id for c in b.clauses]
    assert [duty_key(d) for d in a.duties] == [duty_key(d) for d in b.duties]
    assert [" ".join(r.split()) for r in a.recipients] == list(b.recipients)


def duty_key(duty: Duty) -> tuple[object, ...]:
    """What a duty is, whatever line breaks its verbatim slices carry (a PDF's text
    layer breaks lines where the page did)."""
    timing = duty.timing
    who = (duty.addressees, duty.lead, duty.coordinate, duty.via)
    return (duty.id, duty.clause, who, timing.kind, timing.due, timing.recurrence)


def as_word(source: str) -> bytes:
    """The directive as Word files are written: the header and the signature blocks are
    two-column tables (issuing body | national motto; Nơi nhận | signer), the rest
    paragraphs."""
    lines = source.split("\n")
    body_at = lines.index("CHỈ THỊ")
    recipients_at = next(n for n, line in enumerate(lines) if line.startswith("Nơi nhận"))
    signer_at = lines.index("KT. CHỦ TỊCH")
    signed_at = lines.index("Nguyễn Tiến Nhường")
    header = [line for line in lines[:body_at] if line.strip()]
    number = next(line for line in header if line.startswith("Số:"))
    dated = next(line for line in header if line.startswith("Bắc Ninh, ngày"))
    issuer = header[header.index("ỦY BAN NHÂN DÂN") : header.index("ỦY BAN NHÂN DÂN") + 3]
    motto = header[header.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") :][:3]

    document = Document()
    document.add_paragraph(lines[0])
    table = document.add_table(rows=2, cols=2)
    cells = [*table.rows[0].cells, *table.rows[1].cells]
    for cell, cell_lines in zip(cells, [issuer, motto, [number], [dated]], strict=True):
        cell.text = "\n".join(cell_lines)
    for line in lines[body_at:recipients_at]:
        document.add_paragraph(line)
    signature = document.add_table(rows=1, cols=2)
    signature.rows[0].cells[0].text = "\n".join(lines[recipients_at:signer_at]).strip()
    signature.rows[0].cells[1].text = "\n".join(lines[signer_at : signed_at + 1])
    for line in lines[signed_at + 1 :]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_file_with_table_blocks_drafts_the_same_pack() -> None:
    text = document_text("chi-thi.docx", as_word(SOURCE), LIMITS)
    assert "Số: 06/CT-UBND" in text and "Tiến Nhường" in text
    same_draft(drafted(text), drafted(SOURCE))


async def test_a_pdf_printed_by_a_browser_drafts_the_same_pack() -> None:
    """A text-layer PDF (Chromium's print, A4, lines wrapped at the page's width, one
    page after another) gives the same clauses, duties and deadlines as the text."""
    paragraphs = "".join(f"<p>{html.escape(line) or '&nbsp;'}</p>" for line in SOURCE.split("\n"))
    page_html = (
        "<html><head><meta charset='utf-8'><style>body{font: 13pt 'DejaVu Serif', serif}"
        f"p{{margin:0}}</style></head><body>{paragraphs}</body></html>"
    )
    async with chromium() as browser:
        page = await browser.new_page()
        await page.set_content(page_html)
        pdf = await page.pdf(format="A4")
    text = document_text("chi-thi.pdf", pdf, LIMITS)
    assert text.count("\n") > SOURCE.count("\n")  # wrapped: the text layer's own lines
    same_draft(drafted(text), drafted(SOURCE))


def pdf_of(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 20_000_000)
    return out.getvalue()


def scanned() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return pdf_of(writer)


def locked() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("mật khẩu")
    return pdf_of(writer)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("scan.pdf", scanned(), "không có lớp chữ"),
        ("khoa.pdf", locked(), "có mật khẩu"),
        ("hong.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50, "tệp hỏng"),
        ("hong.docx", b"PK\x03\x04 not a zip", "tệp hỏng"),
        ("bom.docx", zip_bomb(), "IMPORT_MAX_UNPACKED_BYTES"),
        ("cu.doc", b"\xd0\xcf\x11\xe0", "không phải .txt, .docx hay .pdf"),
        ("cp1258.txt", "Đơn vị".encode("cp1258", errors="replace"), "UTF-8"),
        ("to.txt", b"a" * (LIMITS.max_bytes + 1), "IMPORT_MAX_BYTES"),
        ("rong.docx", b"", "tệp hỏng"),
    ],
)
def test_a_file_that_cannot_give_its_text_is_refused_by_name(
    name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(UnreadableDocument, match=reason):
        document_text(name, data, LIMITS)


def test_an_empty_word_file_is_refused() -> None:
    out = io.BytesIO()
    Document().save(out)
    with pytest.raises(UnreadableDocument, match="không có chữ"):
        document_text("trong.docx", out.getvalue(), LIMITS)


def test_the_command_line_drafts_from_a_word_file_and_refuses_a_scan(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)  # the agency catalog
    word = tmp_path / "chi-thi-06.docx"
    word.write_bytes(as_word(SOURCE))
    assert main(["directive", "import", str(word), "--out", str(tmp_path / "draft")]) == 0
    assert (tmp_path / "draft" / "directive.yaml").is_file()
    assert "Nhiệm vụ: 45" in capsys.readouterr().out

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned())
    assert main(["directive", "import", str(scan)]) == 2
    assert "không có lớp chữ (bản quét)" in capsys.readouterr().err
