"""Cited documents: the decrees, decisions and plans the body refers to.

The pack lists each cited document once (number, type, date, issuer, subject) with the
clause and the verbatim words that cite it, so the assistant can answer "chỉ thị căn
cứ vào văn bản nào". A citation is "<type> số <number>" with, before or after it, its
date ("ngày 19/4/2019"), issuer ("của Chính phủ") and subject ("về ..."); the issuer
of a government document follows from its number's suffix ("-CP", "-TTg") when the
text does not name it. A document cited without a date anywhere is reported and left
out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.application.importer.agencies import AgencyMatcher
from bot.application.importer.clauses import Part, clause_at
from bot.application.importer.dates import NUM_DATE, WORD_DATE, parse_date
from bot.application.importer.reading import BREAK, Span, any_phrase, line_at, span_text
from bot.domain.knowledge import CitedDocument

_CITED_KINDS = any_phrase(
    *("Nghị định", "Quyết định", "Chỉ thị", "Thông tư liên tịch", "Thông tư", "Nghị quyết"),
    *("Kế hoạch", "Công văn", "Hướng dẫn", "Thông báo", "Công điện", "Luật"),
)
_CITE = re.compile(
    rf"(?:(?P<lead>[Nn]gày\s+(?P<lead_date>{NUM_DATE}|{WORD_DATE})\s+"
    r"(?:của\s+(?P<lead_issuer>[^,;.:\n]+?)\s+)?(?:đã\s+)?ban hành\s+))?"
    rf"(?P<kind>{_CITED_KINDS})\s+(?:số\s+)?"
    r"(?P<number>\d+/(?:\d{4}/)?[A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-Za-zĐđ0-9]+)*)"
)
_CITE_DATE = re.compile(rf"ngày\s+(?:{NUM_DATE}|{WORD_DATE})")
_CITE_ISSUER = re.compile(
    r"của\s+(?P<issuer>[^,;.:()\n]+?)(?=\s+(?:ngày|về|quy định|ban hành|đã|tại|theo)(?!\w)"
    r"|[,;.:()\n]|$)"
)
_CITE_SUBJECT = re.compile(
    r"(?:(?:quy định|ban hành|hướng dẫn)\s+)?về(?:\s+việc)?\s+(?P<subject>[^,;.\n]+)"
)
_ISSUER_BY_SUFFIX = {
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "QH": "Quốc hội",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội",
}


@dataclass(frozen=True)
class Citation:
    """One mention of a cited document, with what the words around it say."""

    number: str
    doc_type: str
    date: dt.date | None
    issuer: str
    subject: str
    span: Span
    line: int


def find_citations(
    source: str, span: Span, matcher: AgencyMatcher, own_number: str
) -> list[Citation]:
    """Every mention in `span` of a document other than the text itself."""
    found: list[Citation] = []
    for m in _CITE.finditer(source, *span):
        number = m.group("number")
        if number == own_number:
            continue
        date = parse_date(m.group("lead_date")) if m.group("lead_date") else None
        issuer = m.group("lead_issuer") or ""
        subject = ""
        end = pos = m.end()
        for _ in range(3):
            while pos < span[1] and source[pos] in " \t,\n" and not BREAK.match(source, pos):
                pos += 1
            if date is None and (d := _CITE_DATE.match(source, pos, span[1])):
                date, end = parse_date(d.group()), d.end()
            elif not issuer and (i := _CITE_ISSUER.match(source, pos, span[1])):
                issuer, end = i.group("issuer").strip(), i.end()
            elif s := _CITE_SUBJECT.match(source, pos, span[1]):
                subject, end = (
                    s.group("subject").strip(),
                    s.start("subject") + len(s.group("subject").rstrip()),
                )
                break
            else:
                break
            pos = end
        quote = (m.start(), end)
        found.append(
            Citation(
                number=number,
                doc_type=" ".join(m.group("kind").split()),
                date=date,
                issuer=_issuer_name(issuer, number, matcher),
                subject=subject[:1].upper() + subject[1:],
                span=quote,
                line=line_at(source, m.start()),
            )
        )
    return found


def _issuer_name(phrase: str, number: str, matcher: AgencyMatcher) -> str:
    if phrase:
        return matcher.official_name(phrase) or phrase
    return _ISSUER_BY_SUFFIX.get(number.rsplit("-", 1)[-1], "")


def cited_documents(
    source: str, citations: list[Citation], parts: list[Part], problems: list[str]
) -> list[CitedDocument]:
    """Each document cited, once, from its first mention with a date (a CitedDocument
    holds one clause); a document never dated is reported instead."""
    cites: list[CitedDocument] = []
    for number in dict.fromkeys(c.number for c in citations):
        mentions = [c for c in citations if c.number == number]
        dated = [(c, c.date) for c in mentions if c.date is not None]
        if not dated:
            problems.append(
                f"dòng {mentions[0].line}: văn bản dẫn chiếu {number} không rõ ngày; bỏ qua"
            )
            continue
        c, date = dated[0]
        if not c.issuer:
            problems.append(f"dòng {c.line}: văn bản dẫn chiếu {number} không rõ cơ quan ban hành")
        cites.append(
            CitedDocument(
                number=c.number,
                doc_type=c.doc_type,
                date=date,
                issuer=c.issuer or "(chưa rõ)",
                subject=c.subject or f"{c.doc_type} {c.number}",
                clause=clause_at(parts, c.span[0]),
                quote=span_text(source, c.span),
            )
        )
    return cites
