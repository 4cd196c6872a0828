"""Front matter: what the lines above the body say about the document.

The header of a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP) holds the
issuer, the national motto, "Số: ...", "<place>, ngày ... tháng ... năm ..." (often
two cells on one line), then the document type ("CHỈ THỊ") and the title in capitals.
`read_front` reads them and says where the body starts; a header line it cannot read
is kept for the report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from bot.application.importer.agencies import AgencyMatcher
from bot.application.importer.casing import Casing
from bot.application.importer.dates import parse_date
from bot.application.importer.reading import SENTENCE_END, Line, is_caps
from nlu.normalize import fold_words as fold

_DOC_TYPES = (
    "Chỉ thị",
    "Quyết định",
    "Kế hoạch",
    "Nghị quyết",
    "Thông báo",
    "Hướng dẫn",
    "Công văn",
    "Công điện",
    "Báo cáo",
    "Thông tư",
    "Nghị định",
    "Quy chế",
    "Quy định",
    "Chương trình",
    "Đề án",
    "Tờ trình",
    "Luật",
)
_NUMBER = re.compile(r"Số\s*:\s*(\S*)")
_PLACE_DATE = re.compile(
    r"(?P<place>[^\W\d][^,\d]{0,40}),\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})"
    r"\s+năm\s+(?P<y>\d{4})"
)
_MOTTO = ("cong hoa xa hoi chu nghia viet nam", "doc lap tu do hanh phuc")
# The line that opens the operative part: "QUYẾT ĐỊNH:" (not part of the title).
FORMULA = re.compile(r"(?:QUYẾT ĐỊNH|CHỈ THỊ|QUYẾT NGHỊ|NGHỊ QUYẾT)\s*:\s*")


@dataclass
class Front:
    number: str = ""
    place: str = ""
    issued: dt.date | None = None
    issuer_lines: list[str] = field(default_factory=list)
    doc_type: str = ""
    title_lines: list[str] = field(default_factory=list)
    subject_cased: bool = False  # the title lines are in sentence case, not capitals
    body_start: int = 0  # index of the first body line
    unplaced: list[Line] = field(default_factory=list)


def _doc_type(text: str) -> tuple[str, str] | None:
    """("Chỉ thị", rest of the line) for "CHỈ THỊ" or "CHỈ THỊ VỀ VIỆC ..."."""
    stripped = " ".join(text.split())
    for doc_type in _DOC_TYPES:
        caps = doc_type.upper()
        if stripped == caps:
            return doc_type, ""
        if stripped.startswith(caps + " ") and is_caps(stripped):
            return doc_type, stripped[len(caps) + 1 :]
    return None


def read_front(lines: list[Line], source: str) -> Front:
    """The header's fields, the document type and title, and where the body starts."""
    front = Front()
    type_at = None
    for i, line in enumerate(lines):
        if line.kind in ("marker", "bullet"):
            break
        if line.kind == "text" and (found := _doc_type(line.text(source))):
            type_at, (front.doc_type, rest) = i, found
            if rest:
                front.title_lines.append(rest)
            break
    header_end = type_at if type_at is not None else 0
    for line in lines[:header_end]:
        if line.kind in ("blank", "rule"):
            continue
        for cell in re.split(r"\s{2,}|\t", line.text(source)):
            if not _read_header_cell(cell, front):
                front.unplaced.append(line)
                break
    if type_at is None:
        # No document type line: the body starts after the last number/date line.
        for i, line in enumerate(lines):
            if line.kind == "text" and _PLACE_DATE.search(line.text(source)):
                front.body_start = i + 1
                _read_header_cell(line.text(source), front)
        return front
    i = type_at + 1
    while i < len(lines) and lines[i].kind == "blank" and not front.title_lines:
        i += 1
    while i < len(lines) and lines[i].kind == "text" and is_caps(lines[i].text(source)):
        if FORMULA.fullmatch(lines[i].text(source)):
            break
        front.title_lines.append(lines[i].text(source))
        i += 1
    if not front.title_lines:
        subject = _subject_lines(lines, source, i)
        front.title_lines = [line.text(source) for line in subject]
        front.subject_cased = bool(subject)
        i += len(subject)
    front.body_start = i
    return front


_ABOUT = re.compile(r"(?:Về|V/v)(?:\s+việc)?\s+", re.IGNORECASE)
_SUBJECT_MAX = 300  # characters; a longer block under the document type is the body
_SHORT_LINE = 120


def _subject_lines(lines: list[Line], source: str, i: int) -> list[Line]:
    """The subject (trích yếu) typed in sentence case right under the document type:
    "Về đẩy mạnh chuyển đổi số ..." possibly wrapped over more lines, or without "Về".

    It is the block of text lines there when that block does not read like the body:
    at most `_SUBJECT_MAX` characters, not ending a sentence. A line starting with a
    capital joins it only as the block's last line and when short (a wrapped subject
    "... thực hiện Nghị quyết / Hội đồng nhân dân tỉnh"), so a body paragraph typed
    right under a one-line subject stays the body.
    """
    if i >= len(lines) or lines[i].kind != "text" or FORMULA.fullmatch(lines[i].text(source)):
        return []
    block = [lines[i]]
    j = i + 1
    while j < len(lines) and lines[j].kind == "text":
        line = lines[j]
        last = j + 1 >= len(lines) or lines[j + 1].kind == "blank"
        if not (line.continuation or (last and len(line.text(source)) <= _SHORT_LINE)):
            break
        block.append(line)
        j += 1
    text = " ".join(line.text(source) for line in block)
    if len(text) > _SUBJECT_MAX or text.endswith(SENTENCE_END):
        return []
    return block


def subject_title(lines: list[str], casing: Casing, cased: bool) -> str:
    """The directive's title from its subject lines: in the body's case, without the
    "Về (việc)" that introduces it (answers say "Chỉ thị ... về <title>")."""
    text = " ".join(" ".join(lines).split())
    if not cased:
        text = casing.sentence(text)
    about = _ABOUT.match(text)
    if about and about.end() < len(text):
        text = text[about.end() :]
    return text[:1].upper() + text[1:]


def _read_header_cell(cell: str, front: Front) -> bool:
    cell = cell.strip()
    if not cell:
        return True
    if m := _NUMBER.search(cell):
        front.number = m.group(1).rstrip(".,;")
        return True
    if m := _PLACE_DATE.search(cell):
        front.place = m.group("place").strip()
        front.issued = parse_date(f"{m['d']}/{m['m']}/{m['y']}")
        return True
    folded = fold(cell)
    if any(motto in folded for motto in _MOTTO):
        return True
    if is_caps(cell):
        front.issuer_lines.append(cell)
        return True
    return False


def official_issuer(lines: list[str], matcher: AgencyMatcher, casing: Casing) -> str:
    """The header's issuer lines as the agency's official name when it is known."""
    for candidate in (" ".join(lines), lines[-1] if lines else ""):
        if candidate and (name := matcher.official_name(candidate)):
            return name
    return casing.sentence(" ".join(lines)) if lines else ""
