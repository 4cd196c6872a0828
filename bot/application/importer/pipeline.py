"""The importer's stages in order: plain text in, a draft directive and its problems out.

Reading (lines), front matter and tail, outline, clauses, duties, cited documents,
then the checks that only make sense on the whole text (dates and agency names left
over, missing metadata, lines outside the structure). Each stage appends what it could
not place to one problem list; the list is sorted by line at the end, and the sort is
stable, so problems on one line stay in the order the stages found them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from bot.application.importer.agencies import AgencyMatcher, agency_ids, report_unknown_agencies
from bot.application.importer.casing import Casing
from bot.application.importer.citations import cited_documents, find_citations
from bot.application.importer.clauses import Roles, node_parts
from bot.application.importer.dates import report_dates
from bot.application.importer.duties import draft_duties, duty_candidates
from bot.application.importer.front import official_issuer, read_front, subject_title
from bot.application.importer.outline import build_outline
from bot.application.importer.preamble import closing_part, intro_parts
from bot.application.importer.reading import (
    Line,
    Span,
    classify_lines,
    is_caps,
    normalized,
    preview,
)
from bot.application.importer.report import ImportResult, in_reading_order
from bot.application.importer.tail import effective_in_body, read_tail, tail_start
from bot.application.importer.topics import draft_topics, with_topics
from bot.domain.knowledge import Agency, Directive
from nlu.normalize import strip_diacritics


def import_directive(text: str, agencies: Sequence[Agency]) -> ImportResult:
    """Draft a pack from a directive's plain text; see the package docstring."""
    source = normalized(text)
    matcher = AgencyMatcher(agencies)
    problems: list[str] = []
    lines = classify_lines(source)

    front = read_front(lines, source)
    tail_at = tail_start(lines, source, front.body_start)
    body = range(front.body_start, tail_at)
    body_span: Span = (
        lines[body.start].start if body else len(source),
        lines[body.stop - 1].content[1] if body else len(source),
    )
    casing = Casing()
    for line in lines[body.start : body.stop]:
        if line.kind != "blank" and not is_caps(line.text(source)):
            casing.learn(line.text(source))
    tail = read_tail(lines, source, tail_at, casing)

    outline = build_outline(lines, source, body.start, body.stop)
    doc_type = front.doc_type
    parts = intro_parts(source, outline.preamble, doc_type)
    for root in outline.roots:
        parts += node_parts(root, source, matcher, casing, Roles(), False)
    parts += closing_part(source, outline.closing)
    for line_no, node_id in outline.duplicate_ids:
        problems.append(f"dòng {line_no}: số thứ tự «{node_id}» lặp lại; đặt tạm mã khác")

    candidates = duty_candidates(source, parts, matcher, problems)
    duties, unassigned = draft_duties(candidates, problems)

    citations = find_citations(source, body_span, matcher, front.number)
    cites = cited_documents(source, citations, parts, problems)

    # Dates not part of a citation or of a duty's time limit (addressed or not: the
    # reviewer sees an unaddressed duty with its deadline).
    attached = [c.span for c in citations] + [d.timing_span for d in candidates if d.timing_span]
    dates_found = report_dates(source, body_span, attached, problems)

    # Agencies: the known ones named, and agency-like phrases matching none.
    known = matcher.find(source, *body_span)
    report_unknown_agencies(source, body_span, known, problems)

    number, issued = front.number, front.issued
    missing: list[str] = []
    if not number:
        missing.append(_MISSING_NUMBER)
        problems.append(f"không tìm thấy {_MISSING_NUMBER}; đặt tạm")
        number = "CHUA-RO"
    if issued is None:
        missing.append(_MISSING_DATE)
        problems.append(f"không tìm thấy {_MISSING_DATE}; đặt tạm")
        issued = dt.date(1900, 1, 1)
    if not doc_type:
        problems.append("không tìm thấy loại văn bản (CHỈ THỊ, QUYẾT ĐỊNH, KẾ HOẠCH ...)")
        doc_type = "Văn bản"
    effective = tail.effective or effective_in_body(source, body_span, issued)
    if effective is None:
        problems.append("không thấy ngày hiệu lực; đặt bằng ngày ban hành")
        effective = issued
    if not tail.name:
        problems.append("không tìm thấy người ký")
    _report_unplaced(source, front.unplaced + tail.unplaced, problems)

    title = subject_title(front.title_lines, casing, front.subject_cased)
    topics = draft_topics(title, parts)
    clauses, duties = with_topics(topics, [p.clause for p in parts], duties)
    directive = Directive(
        id=slug(number, issued),
        number=number,
        doc_type=doc_type,
        title=title or "(chưa có trích yếu)",
        issued=issued,
        effective=effective,
        issuer=official_issuer(front.issuer_lines, matcher, casing) or "(chưa rõ)",
        place=front.place or "(chưa rõ)",
        signer_name=tail.name or "(chưa rõ)",
        signer_title=tail.title or "(chưa rõ)",
        signing_capacity=tail.capacity or tail.title or "(chưa rõ)",
        source_text=source,
        cites=tuple(cites),
        recipients=tuple(tail.recipients),
        clauses=clauses,
        duties=duties,
        topics=topics,
    )
    return ImportResult(
        directive=directive,
        candidates=tuple(candidates),
        unassigned=unassigned,
        problems=in_reading_order(problems),
        agencies_matched=agency_ids(known),
        dates_found=dates_found,
        missing=tuple(missing),
    )


_MISSING_NUMBER = "số văn bản («Số: ...»)"
_MISSING_DATE = "ngày ban hành («..., ngày ... tháng ... năm ...»)"


def _report_unplaced(source: str, lines: list[Line], problems: list[str]) -> None:
    """One problem for each group of header or tail lines the importer could not read."""
    for group in _line_groups(lines):
        first, last = group[0], group[-1]
        where = f"dòng {first.no}" if first is last else f"dòng {first.no}–{last.no}"
        problems.append(
            f"{where}: nằm ngoài cấu trúc văn bản, bỏ qua: «{preview(first.text(source), 60)}»"
            + (f" (+{len(group) - 1} dòng)" if len(group) > 1 else "")
        )


def _line_groups(lines: list[Line]) -> list[list[Line]]:
    """Lines in order, grouped when at most three lines apart."""
    groups: list[list[Line]] = []
    for line in sorted(lines, key=lambda x: x.no):
        if groups and line.no - groups[-1][-1].no <= 3:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def slug(number: str, issued: dt.date) -> str:
    """Pack id from the number and year: "06/CT-UBND", 2019 -> "06-CT-UBND-2019"."""
    ascii_number = strip_diacritics(number)
    base = re.sub(r"[^A-Za-z0-9]+", "-", ascii_number).strip("-") or "van-ban"
    return f"{base}-{issued.year}"
