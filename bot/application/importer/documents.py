"""The text of a directive as an admin sends it: plain text, a Word file or a PDF.

The importer works on plain text (`pipeline.import_directive`), and the draft keeps that
text as its `source.txt`, so every verbatim field stays a slice of what was read here.
A .docx is read in document order, paragraphs and tables alike: the header block (the
issuing body beside the national motto) and the signature block (Nơi nhận beside the
signer) are two-column tables in Government documents, read a cell at a time, left to
right, as a text copy of the same page reads them. A .pdf is read from its text layer
(pypdf); a scan without one is refused by name, since guessing its text (OCR) would put
words in the directive's mouth.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import PurePath

from bot.application.file_limits import too_big, zip_problem
from bot.config import ImportLimits

SUFFIXES = (".txt", ".docx", ".pdf")


class UnreadableDocument(ValueError):
    """The file cannot give the directive's text; the message is for the admin."""


def document_text(name: str, data: bytes, limits: ImportLimits) -> str:
    """The plain text of a directive file, by its name's suffix (.txt, .docx, .pdf)."""
    suffix = PurePath(name).suffix.lower()
    if len(data) > limits.max_bytes:
        raise UnreadableDocument(f"Không nhận tệp «{name}»: {too_big(len(data), limits)}.")
    if suffix == ".txt":
        return _plain_text(data)
    if suffix == ".docx":
        return _docx_text(data, limits)
    if suffix == ".pdf":
        return _pdf_text(data)
    raise UnreadableDocument(
        f"Tệp «{name}» không phải .txt, .docx hay .pdf: Anh/Chị gửi văn bản ở một trong ba dạng đó."
    )


def _plain_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableDocument(
            "Tệp văn bản không ở bảng mã UTF-8: Anh/Chị lưu lại với bảng mã UTF-8 (Unicode) "
            "rồi gửi lại."
        ) from None


def _docx_text(data: bytes, limits: ImportLimits) -> str:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    broken = UnreadableDocument(
        "Không mở được tệp Word: tệp hỏng hoặc không phải .docx (tệp .doc cũ cần lưu lại "
        "thành .docx)."
    )
    try:
        problem = zip_problem(io.BytesIO(data), limits, "tệp Word")
    except zipfile.BadZipFile:
        raise broken from None
    if problem:
        raise UnreadableDocument(f"Không nhận tệp Word: {problem}.")
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise broken from None
    text = "\n".join(_docx_lines(document.element.body))
    if not text.strip():
        raise UnreadableDocument("Tệp Word không có chữ.")
    return text


def _docx_lines(container: object) -> Iterator[str]:
    """Paragraphs and table cells in document order: a cell's paragraphs one per line
    and a blank line after each cell (a cell merged across columns is one element)."""
    from docx.oxml.ns import qn

    for child in container.iterchildren():  # type: ignore[attr-defined]
        if child.tag == qn("w:p"):
            yield _paragraph_text(child)
        elif child.tag == qn("w:tbl"):
            for row in child.iterchildren(qn("w:tr")):
                for cell in row.iterchildren(qn("w:tc")):
                    yield from _docx_lines(cell)
                    yield ""


def _paragraph_text(paragraph: object) -> str:
    from docx.oxml.ns import qn

    parts = []
    for node in paragraph.iter():  # type: ignore[attr-defined]
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
        elif node.tag in (qn("w:br"), qn("w:cr")):
            parts.append("\n")
    return "".join(parts)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        pages = [] if encrypted else [page.extract_text() or "" for page in reader.pages]
    # A damaged file fails deep in pypdf with whatever its parser met (KeyError,
    # TypeError, AttributeError...): every such failure means the same to the admin.
    except Exception:
        raise UnreadableDocument("Không mở được tệp PDF: tệp hỏng hoặc không phải PDF.") from None
    if encrypted:
        raise UnreadableDocument("Tệp PDF có mật khẩu: Anh/Chị gửi bản không đặt mật khẩu.")
    text = "\n".join(pages)
    if not text.strip():
        raise UnreadableDocument(
            "Tệp PDF không có lớp chữ (bản quét): Anh/Chị gửi bản .docx hoặc PDF xuất từ Word."
        )
    return text
