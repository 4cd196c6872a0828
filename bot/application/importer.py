"""Turn a directive's plain text into a DRAFT pack for a human to review.

`import_directive(text, agencies)` reads the text the way an official does:

1. a line classifier says what each line is: blank, rule ("-----"), numbered marker
   ("1." "2)" "I." "1.1." "a)" "Điều 1."), bullet ("-" "+" "•") or plain text;
2. the front matter (issuer, number, place and date, document type, title) is read
   off the lines before the body, the tail ("Nơi nhận:", signature) off those after;
3. an outline builder nests the markers: a marker style seen for the first time
   opens a deeper level, a style already open closes back to that level, so
   "1." / "a)" / "-" and "I." / "1." / "-" / "+" both work. Text before the first
   marker is the preamble ("intro.*"); a final "... thi hành ..." paragraph after
   the last bullet is the closing;
4. duty candidates are cut (by sentence, and at "; ") from the bullets and clauses
   under a "Nhiệm vụ" (or "Giải pháp", "Tổ chức thực hiện"...) heading, addressed to
   the agencies the clause heading names, with the deadline or recurrence stated.

Every verbatim field of the draft is a slice of the (NFC) input, so the pack
loader's substring check holds by construction. Curated fields (titles, subjects,
labels) are drafts for the reviewer. What the importer cannot place is listed in
`ImportResult.problems`, one line each, with its line number.

`write_draft(result, out_dir)` writes directive.yaml, source.txt and
import_report.txt; the folder loads with `bot.application.knowledge.pack` once placed under
data/directives/.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.application.knowledge.pack import DIRECTIVE_FILE, SOURCE_FILE, fold
from bot.domain.knowledge import Agency, CitedDocument, Clause, Directive, Duty, Recurrence, Timing

REPORT_FILE = "import_report.txt"

Span = tuple[int, int]  # [start, end) offsets in the source text

# ---------------------------------------------------------------------------
# Result


@dataclass(frozen=True)
class DutyCandidate:
    """One duty the importer cut from the text; written to the draft if addressed."""

    clause: str
    text: str  # verbatim
    line: int
    span: Span
    addressees: tuple[str, ...]
    lead: tuple[str, ...]
    coordinate: tuple[str, ...]
    timing: Timing
    timing_span: Span | None = None


@dataclass(frozen=True)
class ImportResult:
    directive: Directive  # the draft: everything write_draft puts in directive.yaml
    candidates: tuple[DutyCandidate, ...]  # every duty candidate, addressed or not
    problems: list[str]  # what the importer could not place, "dòng N: ..."
    agencies_matched: tuple[str, ...]  # ids of the known agencies named in the body
    dates_found: int  # calendar dates written in the body

    def summary(self) -> list[str]:
        """Counts for the command line and the report (Vietnamese)."""
        d = self.directive
        intro = sum(c.id.startswith("intro.") for c in d.clauses)
        closing = sum(c.id == "closing" for c in d.clauses)
        deadlines = sum(x.timing.kind == "deadline" for x in d.duties)
        recurring = sum(x.timing.kind == "recurring" for x in d.duties)
        unaddressed = len(self.candidates) - len(d.duties)
        return [
            f"Văn bản: {d.doc_type} {d.number} ngày {_vn_date(d.issued)} – {d.title}",
            f"Cơ quan ban hành: {d.issuer}; người ký: {d.signer_name} "
            f"({d.signing_capacity}, {d.signer_title})",
            f"Mục (clauses): {len(d.clauses)} ({intro} mở đầu, "
            f"{len(d.clauses) - intro - closing} đánh số, {closing} đoạn kết)",
            f"Nhiệm vụ (duties): {len(d.duties)} ghi vào bản nháp / "
            f"{len(self.candidates)} ứng viên ({unaddressed} chưa rõ cơ quan)",
            f"Ngày tháng (dates): {self.dates_found} trong văn bản; gắn vào nhiệm vụ: "
            f"{deadlines} thời hạn, {recurring} định kỳ",
            f"Cơ quan nhận ra (agencies matched): {len(self.agencies_matched)} "
            f"({', '.join(self.agencies_matched)})",
            f"Văn bản dẫn chiếu: {len(d.cites)}; nơi nhận: {len(d.recipients)}",
            f"Vấn đề cần xem (problems): {len(self.problems)}",
        ]


# ---------------------------------------------------------------------------
# Line classifier

LineKind = Literal["blank", "rule", "marker", "bullet", "text"]


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line number
    start: int  # offset of the line in the source
    kind: LineKind
    style: str  # marker style (article, roman, decimal, arabic, letter) or bullet style
    label: str  # "1", "a", "II", "1.2" for markers
    content: Span  # the line's text after its marker, outer whitespace trimmed
    continuation: bool = False  # a text line that carries on the previous line

    def text(self, source: str) -> str:
        return source[self.content[0] : self.content[1]]


_RULE = re.compile(r"\s*[-_=–—*.]{3,}\s*")
_SENTENCE_END = (".", ";", ":", "…", "!", "?")
_WRAPPED_WIDTH = 120
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("article", re.compile(r"\s*Điều\s+(\d{1,3})\s*[.:]\s*")),
    ("roman", re.compile(r"\s*([IVX]{1,6})\s*[.)]\s+")),
    ("decimal", re.compile(r"\s*(\d{1,2}(?:\.\d{1,2})+)\.?\s+")),
    ("arabic", re.compile(r"\s*(\d{1,2})\s*[.)]\s+")),
    ("letter", re.compile(r"\s*([a-zđ])\s*[.)]\s+")),
)
_BULLET = re.compile(r"\s*([-–—+•·*])\s*(?=\S)")
_BULLET_STYLES = {"-": "dash", "–": "dash", "—": "dash", "+": "plus", "*": "dot"}
_ROMAN = re.compile(r"X{0,3}(IX|IV|V?I{0,3})")


def classify_lines(source: str) -> list[Line]:
    """What kind of line each line of `source` is.

    A text line right under a line that does not end a sentence carries it on when
    it starts in lower case or, in a hard-wrapped text (no line longer than
    `_WRAPPED_WIDTH`), when the line above is nearly as long as the longest line.
    """
    raws = source.split("\n")
    width = max((len(raw.rstrip()) for raw in raws), default=0)
    wrapped = width <= _WRAPPED_WIDTH
    lines: list[Line] = []
    offset = 0
    for no, raw in enumerate(raws, 1):
        line = _classify(raw, no, offset)
        previous = lines[-1] if lines else None
        if (
            line.kind == "text"
            and previous is not None
            and previous.kind in ("text", "marker", "bullet")
            and not source[previous.content[0] : previous.content[1]].endswith(_SENTENCE_END)
            and (
                raw.strip()[:1].islower()
                or (wrapped and previous.content[1] - previous.start >= 0.75 * width)
            )
        ):
            line = Line(line.no, line.start, "text", "", "", line.content, continuation=True)
        lines.append(line)
        offset += len(raw) + 1
    return lines


def _classify(raw: str, no: int, offset: int) -> Line:
    if not raw.strip():
        return Line(no, offset, "blank", "", "", (offset, offset))
    if _RULE.fullmatch(raw):
        return Line(no, offset, "rule", "", "", (offset, offset))
    for style, pattern in _MARKERS:
        m = pattern.match(raw)
        if m and (style != "roman" or _ROMAN.fullmatch(m.group(1))):
            return Line(no, offset, "marker", style, m.group(1), _trimmed(raw, m.end(), offset))
    m = _BULLET.match(raw)
    if m:
        style = _BULLET_STYLES.get(m.group(1), "dot")
        return Line(no, offset, "bullet", style, m.group(1), _trimmed(raw, m.end(), offset))
    return Line(no, offset, "text", "", "", _trimmed(raw, 0, offset))


def _trimmed(raw: str, start: int, offset: int) -> Span:
    end = len(raw.rstrip())
    while start < end and raw[start].isspace():
        start += 1
    return (offset + start, offset + end)


def _words(*phrases: str) -> str:
    """Alternatives for a regex, each phrase allowed to wrap onto the next line."""
    return "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases)


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


# ---------------------------------------------------------------------------
# Agencies


@dataclass(frozen=True)
class AgencyMatch:
    agency: str
    start: int
    end: int
    before: str  # folded word just before the match ("" at the start)


_TOKEN = re.compile(r"[\w%]+")
_BREAK = re.compile(r"\n\s*(?:\n|[-–—+•·*])")  # a blank line or a new bullet
# A known short alias right after one of these words names another body:
# "Bộ Thông tin và Truyền thông" is not the Sở, "Phòng Nội vụ" is not Sở Nội vụ.
_OTHER_BODY = frozenset({"bo", "cuc", "phong", "vien", "truong", "hoi", "tong"})
_ORG_WORDS = frozenset({"so", "ubnd", "uy", "van", "ban", "dai", "bao", "cong", "thanh", "cac"})
# Named after these words, an agency is a scope or a superior, not an addressee:
# "đơn vị thuộc UBND tỉnh", "chịu trách nhiệm trước Chủ tịch UBND tỉnh".
_NOT_ADDRESSED_AFTER = frozenset({"thuoc", "truoc", "cua"})


class AgencyMatcher:
    """Finds known agencies in text: diacritics folded, longest name/alias first.

    An alias written with a capital ("Nội vụ", "Thông tin và Truyền thông") only
    matches text that starts with a capital too, so "lĩnh vực thông tin và truyền
    thông" is not the Sở. A match never spans a blank line, a new bullet, ";" or ":".
    """

    def __init__(self, agencies: Sequence[Agency]) -> None:
        self.agencies = {a.id: a for a in agencies}
        index: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}
        for agency in agencies:
            for spelling in dict.fromkeys((agency.name, agency.short_name, *agency.aliases)):
                words = tuple(fold(spelling).split())
                if words:
                    index.setdefault(words[0], []).append(
                        (words, agency.id, spelling[:1].isupper())
                    )
        for entries in index.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        self._index = index

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[AgencyMatch]:
        stop = len(text) if end is None else end
        tokens = [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(text, start, stop)]
        found: list[AgencyMatch] = []
        i = 0
        while i < len(tokens):
            hit = self._longest(text, tokens, i)
            if hit is None:
                i += 1
                continue
            agency_id, n = hit
            before = tokens[i - 1][2] if i else ""
            found.append(AgencyMatch(agency_id, tokens[i][0], tokens[i + n - 1][1], before))
            i += n
        return found

    def _longest(
        self, text: str, tokens: list[tuple[int, int, str]], i: int
    ) -> tuple[str, int] | None:
        for words, agency_id, capital in self._index.get(tokens[i][2], []):
            n = len(words)
            if i + n > len(tokens) or any(tokens[i + k][2] != words[k] for k in range(n)):
                continue
            start, end = tokens[i][0], tokens[i + n - 1][1]
            if capital and text[start].islower():
                continue
            if any(c in text[start:end] for c in ";:") or _BREAK.search(text, start, end):
                continue
            if i and tokens[i - 1][2] in _OTHER_BODY and words[0] not in _ORG_WORDS:
                continue
            return agency_id, n
        return None

    def addressed(self, text: str, start: int, end: int) -> tuple[str, ...]:
        """Agencies a heading or lead-in addresses (not those it names as a scope)."""
        return _ids(m for m in self.find(text, start, end) if m.before not in _NOT_ADDRESSED_AFTER)


def _ids(matches: Iterable[AgencyMatch]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.agency for m in matches))


def _unique(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x for group in groups for x in group))


# Words that start the name of an agency-like body: a phrase starting with one of
# them (followed by a capitalized word) that matches no known agency is reported.
_AGENCY_HEAD = re.compile(
    r"(?<!\w)(?:Sở|Phòng|Chi cục|Cục|Bộ|Đài|Báo|Văn phòng|Trung tâm|Công an|Thanh tra"
    r"|Viện|Bệnh viện|Trường|Hội|Ban(?!\s+(?:[Cc]hỉ đạo|[Bb]iên tập))"
    r"|(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)(?:\s+(?:tỉnh|huyện|thị xã|thành phố|xã|phường"
    r"|thị trấn))?)\s+(?=\w)"
)
_PHRASE_STOP = frozenset(
    {"chủ", "phối", "thực", "có", "chịu", "tổ", "triển", "hướng", "xây", "tham", "kiểm", "cử"}
    | {"về", "của", "cho", "với", "theo", "trong", "để", "tại", "trước", "thuộc", "trên"}
    | {"đã", "được", "là", "giao", "đôn", "rà", "nghiên", "bố", "cập", "phải", "sẽ", "đang"}
)


def _agency_phrases(source: str, start: int, end: int) -> list[Span]:
    """Spans of agency-like phrases ("Sở Du lịch", "UBND huyện Gia Bình")."""
    spans: list[Span] = []
    for m in _AGENCY_HEAD.finditer(source, start, end):
        if not source[m.end()].isupper():
            continue
        stop = m.end()
        for n, word in enumerate(re.finditer(r"[^\s,;:.()]+|[,;:.()\n]", source[m.end() : end])):
            token = word.group()
            if n >= 8 or token in ",;:.()\n" or (token[0].islower() and token in _PHRASE_STOP):
                break
            stop = m.end() + word.end()
        spans.append((m.start(), stop))
    return spans


# ---------------------------------------------------------------------------
# Dates and timing

_NUM_DATE = r"(?<!\d)\d{1,2}\s*/{1,2}\s*\d{1,2}\s*/{1,2}\s*\d{4}(?!\d)"
_WORD_DATE = r"(?<!\d)\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}(?!\d)"
_DATE = re.compile(rf"{_NUM_DATE}|{_WORD_DATE}")
_DATE_PARTS = re.compile(r"(\d{1,2})\D+?(\d{1,2})\D+?(\d{4})")
_DUE = (
    rf"(?:ngày\s+)?(?:{_NUM_DATE}|{_WORD_DATE})"
    r"|tháng\s+\d{1,2}\s*(?:/|năm)\s*\d{4}"
    r"|quý\s+(?:IV|I{1,3}|[1-4])\s*(?:/|năm)\s*\d{4}"
)
_DEADLINE = re.compile(
    r"(?<!\w)(?:(?:thời gian|thời hạn)\s[^;,.\n]{0,60}?\s)?"
    r"(?:(?:xong|hoàn thành|hoàn thiện)\s+)?"
    r"(?:trước|chậm nhất(?:\s+(?:là|vào))?|hạn chót|không quá|trong|đến hết)\s+"
    rf"(?P<due>{_DUE})",
    re.IGNORECASE,
)
_RECURRENCE = re.compile(
    r"(?<!\w)(?:định kỳ\s+)?(?:hàng|hằng)\s+(?P<unit>quý|năm|tháng|tuần|ngày)(?!\w)"
    r"(?:\s*\([^)\n]{0,40}\))?",
    re.IGNORECASE,
)
_RECURRENCES: dict[str, Recurrence] = {"quý": "quarterly", "năm": "annual"}
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _date(text: str) -> dt.date | None:
    """19/4/2019, 31//10/2018, 19 tháng 4 năm 2019; None if no such calendar day."""
    m = _DATE_PARTS.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _due(text: str) -> dt.date | None:
    """The last day a deadline phrase allows: a day, a month ("tháng 6/2019") or a quarter."""
    folded = text.lower()
    if folded.startswith("tháng"):
        month, year = (int(x) for x in re.findall(r"\d+", text)[:2])
        if not 1 <= month <= 12:
            return None
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    if folded.startswith("quý"):
        q = re.match(r"quý\s+(\w+)\s*(?:/|năm)\s*(\d{4})", folded)
        if not q:
            return None
        last_month = 3 * _QUARTERS[q.group(1)]
        return _due(f"tháng {last_month}/{q.group(2)}")
    return _date(text)


# ---------------------------------------------------------------------------
# Casing: capitals back to sentence case


class _Casing:
    """How the body writes each word, to turn a line in capitals into sentence case.

    "TĂNG CƯỜNG ... TỈNH BẮC NINH" becomes "Tăng cường ... tỉnh Bắc Ninh" because the
    body writes "Bắc" and "Ninh" capitalized and "tỉnh" in lower case. A word is
    judged with the word after it first ("Chủ tịch" but "chủ trì").
    """

    def __init__(self) -> None:
        self.votes: dict[str, list[int]] = {}  # word or word pair -> [lower, Capital, UPPER]

    def learn(self, text: str) -> None:
        words = list(re.finditer(r"\w+", text))
        for i, m in enumerate(words):
            word = m.group()
            gap = text[words[i - 1].end() : m.start()] if i else ""
            if i == 0 or re.search(r"[.:!?…\"“(]", gap) or any(c.isdigit() for c in word):
                continue  # a sentence start says nothing about the word
            if word.islower():
                vote = 0
            elif word.isupper() and len(word) > 1:
                vote = 2
            elif word[:1].isupper() and word[1:] == word[1:].lower():
                vote = 1
            else:
                continue
            keys = [word.lower()]
            if i + 1 < len(words) and text[m.end() : words[i + 1].start()] == " ":
                keys.append(f"{word.lower()} {words[i + 1].group().lower()}")
            for key in keys:
                self.votes.setdefault(key, [0, 0, 0])[vote] += 1

    def word(self, word: str, following: str, first: bool) -> str:
        if any(c.isdigit() for c in word):
            return word
        pair = self.votes.get(f"{word.lower()} {following.lower()}")
        lower, capital, upper = pair or self.votes.get(word.lower(), [0, 0, 0])
        if upper > lower + capital:
            return word.upper()
        if first or capital > lower:
            return word.capitalize()
        return word.lower()

    def sentence(self, text: str) -> str:
        parts = re.split(r"(\w+)", " ".join(text.split()))
        words = [i for i in range(1, len(parts), 2)]
        for n, i in enumerate(words):
            following = parts[words[n + 1]] if n + 1 < len(words) and parts[i + 1] == " " else ""
            parts[i] = self.word(parts[i], following, first=n == 0)
        return "".join(parts)


# ---------------------------------------------------------------------------
# Front matter and tail

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
_FORMULA = re.compile(r"(?:QUYẾT ĐỊNH|CHỈ THỊ|QUYẾT NGHỊ|NGHỊ QUYẾT)\s*:\s*")
_RECIPIENTS = re.compile(r"\s*Nơi nhận\s*:?\s*", re.IGNORECASE)
_CAPACITY = re.compile(r"\s*(KT|TM|TL|TUQ|Q)\s*\.\s*(\S.*?)\s*")
_SIGNER_TITLE = re.compile(
    r"\s*(?:PHÓ\s+|Q\.\s*)?(?:CHỦ TỊCH|GIÁM ĐỐC|CHÁNH VĂN PHÒNG|TRƯỞNG BAN|BỘ TRƯỞNG"
    r"|THỨ TRƯỞNG|TỔNG GIÁM ĐỐC|VIỆN TRƯỞNG|HIỆU TRƯỞNG|CỤC TRƯỞNG|CHÁNH THANH TRA"
    r"|THỦ TRƯỞNG|TRƯỞNG PHÒNG)\s*"
)
_EFFECTIVE = re.compile(r"Ngày hiệu lực\s*:\s*(\d{1,2}/\d{1,2}/\d{4})")


@dataclass
class _Front:
    number: str = ""
    place: str = ""
    issued: dt.date | None = None
    issuer_lines: list[str] = field(default_factory=list)
    doc_type: str = ""
    title_lines: list[str] = field(default_factory=list)
    body_start: int = 0  # index of the first body line
    unplaced: list[Line] = field(default_factory=list)


@dataclass
class _Tail:
    recipients: list[str] = field(default_factory=list)
    capacity: str = ""
    title: str = ""
    name: str = ""
    effective: dt.date | None = None
    unplaced: list[Line] = field(default_factory=list)


def _doc_type(text: str) -> tuple[str, str] | None:
    """("Chỉ thị", rest of the line) for "CHỈ THỊ" or "CHỈ THỊ VỀ VIỆC ..."."""
    stripped = " ".join(text.split())
    for doc_type in _DOC_TYPES:
        caps = doc_type.upper()
        if stripped == caps:
            return doc_type, ""
        if stripped.startswith(caps + " ") and _is_caps(stripped):
            return doc_type, stripped[len(caps) + 1 :]
    return None


def _read_front(lines: list[Line], source: str) -> _Front:
    front = _Front()
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
    while i < len(lines) and lines[i].kind == "text" and _is_caps(lines[i].text(source)):
        if _FORMULA.fullmatch(lines[i].text(source)):
            break
        front.title_lines.append(lines[i].text(source))
        i += 1
    front.body_start = i
    return front


def _read_header_cell(cell: str, front: _Front) -> bool:
    cell = cell.strip()
    if not cell:
        return True
    if m := _NUMBER.search(cell):
        front.number = m.group(1).rstrip(".,;")
        return True
    if m := _PLACE_DATE.search(cell):
        front.place = m.group("place").strip()
        try:
            front.issued = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        except ValueError:
            front.issued = None
        return True
    folded = fold(cell)
    if any(motto in folded for motto in _MOTTO):
        return True
    if _is_caps(cell):
        front.issuer_lines.append(cell)
        return True
    return False


def _tail_start(lines: list[Line], source: str, start: int) -> int:
    for i in range(start, len(lines)):
        text = lines[i].text(source)
        if lines[i].kind == "text" and (
            _RECIPIENTS.match(text) or _CAPACITY.fullmatch(text) or _SIGNER_TITLE.fullmatch(text)
        ):
            return i
    return len(lines)


def _read_tail(lines: list[Line], source: str, start: int, casing: _Casing) -> _Tail:
    tail = _Tail()
    state = "start"
    recipient_start = 0
    for line in lines[start:]:
        text = line.text(source)
        if line.kind in ("blank", "rule"):
            continue
        if state != "after" and line.kind == "text" and _RECIPIENTS.fullmatch(text):
            state = "recipients"
            continue
        if state == "recipients" and line.kind == "bullet":
            tail.recipients.append(text)
            recipient_start = line.content[0]
            continue
        if state == "recipients" and line.continuation and tail.recipients:
            tail.recipients[-1] = source[recipient_start : line.content[1]]  # a wrapped line
            continue
        if state in ("start", "recipients") and (m := _CAPACITY.fullmatch(text)):
            tail.capacity = f"{m.group(1)}. {casing.sentence(m.group(2))}"
            state = "capacity"
            continue
        if (state == "capacity" and _is_caps(text)) or (
            state in ("start", "recipients") and _SIGNER_TITLE.fullmatch(text)
        ):
            tail.title = casing.sentence(text)
            state = "title"
            continue
        if state == "title" and re.fullmatch(r"\(.*\)", text):
            continue  # "(Đã ký)"
        if state == "title" and _looks_like_name(text):
            tail.name = text
            state = "after"
            continue
        if m := _EFFECTIVE.search(text):
            tail.effective = _date(m.group(1))
        tail.unplaced.append(line)
    return tail


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 6 and all(w[:1].isupper() and w.isalpha() for w in words)


# ---------------------------------------------------------------------------
# Outline


@dataclass
class _Block:
    kind: Literal["para", "bullet"]
    style: str  # bullet style; "" for a paragraph
    span: Span
    line: int


@dataclass
class _Node:
    id: str
    style: str
    label: str
    line: Line
    head: Span  # the marker line's text (may grow with continuation lines)
    parent: _Node | None
    blocks: list[_Block] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)


@dataclass
class _Outline:
    preamble: list[_Block] = field(default_factory=list)
    roots: list[_Node] = field(default_factory=list)
    closing: list[_Block] = field(default_factory=list)
    duplicate_ids: list[tuple[int, str]] = field(default_factory=list)


_CLOSING_HINTS = ("thi hanh", "hieu luc", "to chuc thuc hien", "trien khai thuc hien")


def _build_outline(lines: list[Line], source: str, lo: int, hi: int) -> _Outline:
    outline = _Outline()
    closing = _closing_lines(lines, source, lo, hi)
    stack: list[_Node] = []
    used: set[str] = set()
    last: _Block | _Node | None = None
    for index in range(lo, hi):
        line = lines[index]
        if line.kind in ("blank", "rule"):
            continue
        if index in closing and not (line.continuation and outline.closing):
            last = _Block("para", "", line.content, line.no)
            outline.closing.append(last)
            continue
        if line.continuation and last is not None:
            if isinstance(last, _Node):
                last.head = (last.head[0], line.content[1])
            else:
                last.span = (last.span[0], line.content[1])
            continue
        text = line.text(source)
        if line.kind == "marker":
            while stack and line.style in {n.style for n in stack}:
                if stack.pop().style == line.style:
                    break
            parent = stack[-1] if stack else None
            node_id = _node_id(parent, line.label)
            if node_id in used:
                outline.duplicate_ids.append((line.no, node_id))
                n = 2
                while f"{node_id}-{n}" in used:
                    n += 1
                node_id = f"{node_id}-{n}"
            used.add(node_id)
            node = _Node(node_id, line.style, line.label, line, line.content, parent)
            (parent.children if parent else outline.roots).append(node)
            stack.append(node)
            last = node
        elif not stack and line.kind == "text" and (_is_caps(text) or _FORMULA.fullmatch(text)):
            last = None  # the issuing authority ("CHỦ TỊCH ỦY BAN NHÂN DÂN ...") or "QUYẾT ĐỊNH:"
        else:
            kind: Literal["para", "bullet"] = "bullet" if line.kind == "bullet" else "para"
            last = _Block(kind, line.style, line.content, line.no)
            (stack[-1].blocks if stack else outline.preamble).append(last)
    return outline


def _node_id(parent: _Node | None, label: str) -> str:
    if parent is None:
        return label
    if "." in label and label.startswith(parent.label + "."):
        return parent.id + label[len(parent.label) :]  # "1.2" under "1" -> "<parent>.2"
    return f"{parent.id}.{label}"


def _closing_lines(lines: list[Line], source: str, lo: int, hi: int) -> set[int]:
    """The final paragraph(s) after the last bullet, when they read like a closing."""
    run: list[int] = []
    pending: list[int] = []  # continuation lines whose paragraph has not started yet
    i = hi - 1
    while i >= lo and lines[i].kind in ("blank", "text"):
        if lines[i].kind == "text":
            pending.append(i)
            if not lines[i].continuation:  # a paragraph starts here
                run, pending = run + pending, []
        i -= 1
    # lines still pending carry on the bullet or marker above them: not the closing
    if not run or i < lo:
        return set()
    text = " ".join(lines[j].text(source) for j in sorted(run))
    if not (any(h in fold(text) for h in _CLOSING_HINTS) or text.rstrip().endswith("./.")):
        return set()
    previous = lines[i]
    if previous.kind == "bullet" or (
        previous.kind == "marker" and previous.text(source).endswith(_SENTENCE_END)
    ):
        return set(run)
    return set()


# ---------------------------------------------------------------------------
# Clauses


@dataclass
class _Roles:
    addressees: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    coordinate: tuple[str, ...] = ()


@dataclass
class _Part:
    """A clause with what the duty builder needs to know about it."""

    clause: Clause
    region: Span  # the clause's own lines (not its children's)
    roles: _Roles
    duty_scope: bool  # under a "Nhiệm vụ"-like heading, or the closing
    units: list[tuple[Span, int]]  # (span, line) of each paragraph/bullet a duty may come from


_DUTY_HEADINGS = ("nhiem vu", "giai phap", "to chuc thuc hien", "trach nhiem", "phan cong")
_INLINE = re.compile(r"([^:.;\n]{2,120}?):\s+(?=\S)")
_COORDINATION = re.compile(
    rf"(?<!\w)(?:{_words('phối hợp với', 'phối hợp cùng', 'làm việc với')})\s+", re.IGNORECASE
)
_INTRO_KINDS: tuple[tuple[str, str, str], ...] = (
    # key, label suffix, title
    ("purpose", "mục đích", "Mục đích ban hành {doc}"),
    ("basis", "căn cứ", "Căn cứ ban hành"),
    ("proposal", "đề nghị", "Đề nghị ban hành"),
    ("shortcomings", "bất cập, hạn chế", "Những bất cập, hạn chế"),
    ("results", "kết quả đạt được", "Kết quả đạt được"),
)


def _intro_kind(folded: str) -> str:
    if folded.startswith(("de ", "nham ", "voi muc dich")):
        return "purpose"
    if folded.startswith(("can cu", "thuc hien ")):
        return "basis"
    if folded.startswith(("xet de nghi", "theo de nghi")):
        return "proposal"
    if folded.startswith(("tuy nhien", "ben canh do")) or any(
        w in folded for w in ("bat cap", "han che", "ton tai")
    ):
        return "shortcomings"
    if "ket qua" in folded or "dat duoc" in folded:
        return "results"
    return ""


def _span_text(source: str, span: Span) -> str:
    return source[span[0] : span[1]]


def _items(source: str, blocks: list[_Block]) -> list[Span]:
    """Top-level bullets as spans; sub-bullets of another style fold into the one above."""
    bullets = [b for b in blocks if b.kind == "bullet"]
    spans: list[Span] = []
    for b in bullets:
        if b.style == bullets[0].style or not spans:
            spans.append(b.span)
        else:
            spans[-1] = (spans[-1][0], b.span[1])
    return spans


def _clause_text(blocks: list[_Block]) -> Span | None:
    """A lead-in paragraph followed only by bullets is the text (like intro.shortcomings);
    otherwise the text runs from the first paragraph or bullet to the last."""
    if not blocks:
        return None
    first_bullet = next((i for i, b in enumerate(blocks) if b.kind == "bullet"), None)
    if first_bullet and all(b.kind == "bullet" for b in blocks[first_bullet:]):
        return (blocks[0].span[0], blocks[first_bullet - 1].span[1])
    return (blocks[0].span[0], blocks[-1].span[1])


def _draft_title(text: str, limit: int = 14) -> str:
    """A first-draft title: the text's first phrase, cut back to a comma when long."""
    words = re.split(r"[;:.(]", text, maxsplit=1)[0].split()
    if len(words) > limit:
        cut = " ".join(words[:limit])
        comma = cut.rfind(",")
        words = (cut[:comma] if comma > 0 and len(cut[:comma].split()) >= 6 else cut).split()
    title = " ".join(words).rstrip(",")
    return title[:1].upper() + title[1:] if title else "(chưa có tiêu đề)"


def _node_parts(
    node: _Node,
    source: str,
    matcher: AgencyMatcher,
    casing: _Casing,
    inherited: _Roles,
    in_scope: bool,
) -> list[_Part]:
    head = _span_text(source, node.head)
    blocks = list(node.blocks)
    title = ""
    roles = inherited
    duty_head: Span | None = None  # the part of the head a duty may come from
    head_block: _Block | None = None
    inline = _INLINE.match(head)
    prefix_agencies = (
        matcher.addressed(source, node.head[0], node.head[0] + inline.end(1)) if inline else ()
    )
    if inline and (prefix_agencies or len(inline.group(1).split()) <= 8):
        title = inline.group(1).strip()
        rest = (node.head[0] + inline.end(), node.head[1])
        if prefix_agencies:  # "Sở Tài chính, Sở KH&ĐT: Tham mưu..." keeps its addressees
            roles = _phrase_roles(source, (node.head[0], node.head[0] + inline.end(1)), matcher)
            head_block = _Block("para", "", node.head, node.line.no)
        else:  # "Dịch vụ công trực tuyến: Thường xuyên..." titles the clause
            head_block = _Block("para", "", rest, node.line.no)
        blocks.insert(0, head_block)
        duty_head = rest
    elif head and (
        _is_caps(head)
        or ((blocks or node.children) and not head.endswith(_SENTENCE_END) and len(head) <= 200)
    ):
        title = casing.sentence(head) if _is_caps(head) else head
        if matcher.addressed(source, *node.head):
            roles = _phrase_roles(source, node.head, matcher)
    elif head:
        head_block = _Block("para", "", node.head, node.line.no)
        blocks.insert(0, head_block)
    lead_in = next((b for b in blocks if b.kind == "para"), None)
    if (
        roles is inherited
        and lead_in is not None
        and _span_text(source, lead_in.span).endswith(":")
        and matcher.addressed(source, *lead_in.span)
    ):
        roles = _phrase_roles(source, lead_in.span, matcher)  # "Giám đốc các sở, ...:"
    in_scope = in_scope or any(h in fold(title) for h in _DUTY_HEADINGS)

    text_span = _clause_text(blocks)
    item_spans = _items(source, blocks)
    text = _span_text(source, text_span) if text_span else ""
    if not title:
        title = _draft_title(text or (_span_text(source, item_spans[0]) if item_spans else ""))
    units = _units(source, blocks, head_block, duty_head)
    ends = [b.span[1] for b in blocks] + [node.head[1]]
    clause = Clause(
        id=node.id,
        label=_label(node),
        title=title,
        text=text,
        parent=node.parent.id if node.parent else None,
        items=tuple(_span_text(source, s) for s in item_spans),
    )
    parts = [_Part(clause, (node.line.start, max(ends)), roles, in_scope, units)]
    for child in node.children:
        parts += _node_parts(child, source, matcher, casing, roles, in_scope)
    return parts


def _units(
    source: str, blocks: list[_Block], head: _Block | None, duty_head: Span | None
) -> list[tuple[Span, int]]:
    """Paragraphs and bullets (sub-bullets too) a duty may come from; a lead-in ending
    in ":" is none. From a head "Sở X: Tham mưu ..." only the part after ":" counts."""
    units: list[tuple[Span, int]] = []
    for b in blocks:
        span = duty_head if b is head and duty_head else b.span
        text = _span_text(source, span)
        if text and not text.endswith(":"):
            units.append((span, b.line))
    return units


def _label(node: _Node) -> str:
    root = node
    while root.parent is not None:
        root = root.parent
    if root.style == "article":
        rest = node.id[len(root.id) + 1 :]
        return f"Điều {root.label}" + (f", mục {rest}" if rest else "")
    return f"Mục {node.id}"


def _phrase_roles(source: str, span: Span, matcher: AgencyMatcher) -> _Roles:
    """Roles a heading names: "Văn phòng UBND tỉnh phối hợp với Sở TT&TT" -> lead, coordinate."""
    split = _COORDINATION.search(source, span[0], span[1])
    if split is None:
        named = matcher.addressed(source, *span)
        return _Roles(named, named)
    lead = matcher.addressed(source, span[0], split.start())
    coordinate = tuple(a for a in matcher.addressed(source, split.end(), span[1]) if a not in lead)
    return _Roles(_unique(lead, coordinate), lead, coordinate)


def _intro_parts(source: str, blocks: list[_Block], doc_type: str) -> list[_Part]:
    groups: list[list[_Block]] = []
    for b in blocks:
        if b.kind == "para" or not groups:
            groups.append([b])
        else:
            groups[-1].append(b)
    keyed: list[tuple[str, list[_Block]]] = []
    for group in groups:
        kind = _intro_kind(fold(_span_text(source, group[0].span)))
        if kind == "basis" and keyed and keyed[-1][0] == "basis":
            keyed[-1][1].extend(group)  # consecutive "Căn cứ ..." lines: one clause, items
        else:
            keyed.append((kind, group))
    parts: list[_Part] = []
    used: set[str] = set()
    for n, (kind, group) in enumerate(keyed, 1):
        key = kind or str(n)
        suffix = 2
        while key in used:
            key, suffix = f"{kind or n}-{suffix}", suffix + 1
        used.add(key)
        label, title = f"đoạn {n}", ""
        for k, k_label, k_title in _INTRO_KINDS:
            if k == kind:
                label, title = k_label, k_title.format(doc=doc_type or "văn bản")
        paras = [b for b in group if b.kind == "para"]
        if kind == "basis" and len(paras) > 1:
            text_span: Span | None = (group[0].span[0], group[-1].span[1])
            items = [b.span for b in paras]
        else:
            text_span = _clause_text(group)
            items = _items(source, group)
        text = _span_text(source, text_span) if text_span else ""
        clause = Clause(
            id=f"intro.{key}",
            label=f"Phần mở đầu – {label}",
            title=title or _draft_title(text),
            text=text,
            items=tuple(_span_text(source, s) for s in items),
        )
        region = (group[0].span[0], group[-1].span[1])
        parts.append(_Part(clause, region, _Roles(), False, []))
    return parts


def _closing_part(source: str, blocks: list[_Block]) -> list[_Part]:
    if not blocks:
        return []
    span = (blocks[0].span[0], blocks[-1].span[1])
    text = _span_text(source, span)
    clause = Clause(
        id="closing",
        label="Đoạn kết",
        title="Trách nhiệm thi hành" if "thi hanh" in fold(text) else "Đoạn kết",
        text=text,
    )
    return [_Part(clause, span, _Roles(), True, [(b.span, b.line) for b in blocks])]


# ---------------------------------------------------------------------------
# Duties

_SUBJECT_VERB = re.compile(
    r"(?<!\w)(?:"
    + _words(
        *("chịu trách nhiệm", "có trách nhiệm", "chủ trì", "phối hợp", "thực hiện", "tổ chức"),
        *("triển khai", "căn cứ", "tham mưu", "thi hành", "hướng dẫn", "xây dựng", "kiểm tra"),
        *("báo cáo", "đôn đốc", "rà soát", "theo dõi", "bố trí", "cập nhật", "cử"),
    )
    + r")(?!\w)",
    re.IGNORECASE,
)
_TIMING_LEAD = ("thoi gian", "thoi han", "xong", "hoan thanh truoc", "truoc ngay", "cham nhat")
_ABBREVIATIONS = frozenset({"tp", "tx", "h", "q", "kt", "tm", "tl", "tuq", "v.v", "ths", "ts"})


def _pieces(source: str, span: Span) -> list[Span]:
    """Sentences of a unit, cut again at "; " + lower case unless a time limit follows."""
    start, end = span
    cuts: list[Span] = []
    piece_start = start
    depth = 0
    for i in range(start, end):
        c = source[i]
        depth += c == "("
        depth -= c == ")" and depth > 0
        nxt = source[i + 1 : i + 2]
        if depth or not nxt.isspace():
            continue
        after = i + 1
        while after < end and source[after].isspace():
            after += 1
        if after >= end:
            break
        if c in ".!?…" and source[after].isupper():
            word = re.findall(r"[\w.]+$", source[piece_start:i])
            if word and word[-1].lower() in _ABBREVIATIONS:
                continue
            cuts.append((piece_start, i + 1))
            piece_start = after
        elif (
            c == ";"
            and source[after].islower()  # "; Chủ tịch UBND ..." continues a list of names
            and not fold(source[after : after + 30]).startswith(_TIMING_LEAD)
        ):
            cuts.append((piece_start, i))
            piece_start = after
    cuts.append((piece_start, end))
    merged: list[Span] = []
    for cut in cuts:  # a fragment of one or two words is not a duty
        if merged and len(_span_text(source, cut).split()) < 3:
            merged[-1] = (merged[-1][0], cut[1])
        else:
            merged.append(cut)
    return [s for s in merged if _span_text(source, s).strip()]


def _run_after(matches: list[AgencyMatch], source: str, pos: int) -> list[AgencyMatch]:
    """Agencies listed right after `pos` ("Giao Sở A, Sở B và ..."), a few words apart at most."""
    run: list[AgencyMatch] = []
    for m in matches:
        if m.start < pos:
            continue
        gap = source[pos : m.start]
        if re.search(r"[.;:]", gap) or len(_TOKEN.findall(gap)) > 3:
            break
        run.append(m)
        pos = m.end
    return run


def _subject(source: str, span: Span, matcher: AgencyMatcher) -> tuple[str, ...]:
    """Who a sentence names as its doer: "Giao Sở X ..." or "Giám đốc các sở ... chịu ..."."""
    start, end = span
    giao = re.match(r"\s*Giao\s+", source[start:end])
    if giao:
        return _ids(_run_after(matcher.find(source, start, end), source, start + giao.end()))
    verb = _SUBJECT_VERB.search(source, start, end)
    if verb is None:
        return ()
    named = [m for m in matcher.find(source, start, verb.start())]
    if not named or len(_TOKEN.findall(source, start, named[0].start)) > 3:
        return ()
    return _ids(m for m in named if m.before not in _NOT_ADDRESSED_AFTER)


def _timing(source: str, span: Span, line: int, problems: list[str]) -> tuple[Timing, Span | None]:
    start, end = span
    deadline = _DEADLINE.search(source, start, end)
    recurrence = _RECURRENCE.search(source, start, end)
    if deadline:
        due = _due(deadline.group("due"))
        if due is not None:
            if recurrence:
                problems.append(
                    f"dòng {line}: vừa có thời hạn vừa có định kỳ «{recurrence.group()}»; "
                    "chỉ ghi thời hạn"
                )
            phrase = deadline.group()
            return Timing("deadline", due=due, text=phrase), deadline.span()
        problems.append(f"dòng {line}: thời hạn «{deadline.group()}» không phải ngày hợp lệ")
    if recurrence:
        unit = recurrence.group("unit").lower()
        if unit in _RECURRENCES:
            timing = Timing("recurring", recurrence=_RECURRENCES[unit], text=recurrence.group())
            return timing, recurrence.span()
        problems.append(
            f"dòng {line}: định kỳ «{recurrence.group()}» chưa hỗ trợ (chỉ hàng quý, hàng năm)"
        )
    return Timing("continuous"), None


def _candidates(
    source: str, parts: list[_Part], matcher: AgencyMatcher, problems: list[str]
) -> list[DutyCandidate]:
    found: list[DutyCandidate] = []
    for part in parts:
        for unit, line in part.units:
            for piece in _pieces(source, unit):
                piece_line = line + source.count("\n", unit[0], piece[0])
                subject = _subject(source, piece, matcher)
                if not part.duty_scope and not subject:
                    continue  # outside a duty section only an explicit "Giao X ..." counts
                roles = _Roles(subject, subject) if subject else part.roles
                coordination = _COORDINATION.search(source, *piece)
                extra = (
                    _ids(_run_after(matcher.find(source, *piece), source, coordination.end()))
                    if coordination
                    else ()
                )
                coordinate = tuple(
                    a for a in _unique(roles.coordinate, extra) if a not in roles.lead
                )
                timing, timing_span = _timing(source, piece, piece_line, problems)
                found.append(
                    DutyCandidate(
                        clause=part.clause.id,
                        text=_span_text(source, piece),
                        line=piece_line,
                        span=piece,
                        addressees=roles.addressees,
                        lead=roles.lead or roles.addressees,
                        coordinate=coordinate,
                        timing=timing,
                        timing_span=timing_span,
                    )
                )
    return found


def _duties(candidates: list[DutyCandidate], problems: list[str]) -> tuple[Duty, ...]:
    duties: list[Duty] = []
    numbers: dict[str, int] = {}
    for c in candidates:
        if not c.addressees:
            problems.append(
                f"dòng {c.line}: nhiệm vụ ở mục {c.clause} chưa rõ cơ quan thực hiện, "
                f"không ghi vào bản nháp: «{_preview(c.text)}»"
            )
            continue
        numbers[c.clause] = numbers.get(c.clause, 0) + 1
        duties.append(
            Duty(
                id=f"{c.clause}-{numbers[c.clause]}",
                clause=c.clause,
                title=_draft_title(c.text),
                text=c.text,
                addressees=c.addressees,
                lead=c.lead,
                coordinate=c.coordinate,
                timing=c.timing,
            )
        )
    return tuple(duties)


# ---------------------------------------------------------------------------
# Cited documents

_CITED_KINDS = _words(
    *("Nghị định", "Quyết định", "Chỉ thị", "Thông tư liên tịch", "Thông tư", "Nghị quyết"),
    *("Kế hoạch", "Công văn", "Hướng dẫn", "Thông báo", "Công điện", "Luật"),
)
_CITE = re.compile(
    rf"(?:(?P<lead>[Nn]gày\s+(?P<lead_date>{_NUM_DATE}|{_WORD_DATE})\s+"
    r"(?:của\s+(?P<lead_issuer>[^,;.:\n]+?)\s+)?(?:đã\s+)?ban hành\s+))?"
    rf"(?P<kind>{_CITED_KINDS})\s+(?:số\s+)?"
    r"(?P<number>\d+/(?:\d{4}/)?[A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-Za-zĐđ0-9]+)*)"
)
_CITE_DATE = re.compile(rf"ngày\s+(?:{_NUM_DATE}|{_WORD_DATE})")
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
class _Citation:
    number: str
    doc_type: str
    date: dt.date | None
    issuer: str
    subject: str
    span: Span
    line: int


def _citations(source: str, span: Span, matcher: AgencyMatcher, own_number: str) -> list[_Citation]:
    found: list[_Citation] = []
    for m in _CITE.finditer(source, *span):
        number = m.group("number")
        if number == own_number:
            continue
        date = _date(m.group("lead_date")) if m.group("lead_date") else None
        issuer = m.group("lead_issuer") or ""
        subject = ""
        end = pos = m.end()
        for _ in range(3):
            while pos < span[1] and source[pos] in " \t,\n" and not _BREAK.match(source, pos):
                pos += 1
            if date is None and (d := _CITE_DATE.match(source, pos, span[1])):
                date, end = _date(d.group()), d.end()
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
            _Citation(
                number=number,
                doc_type=" ".join(m.group("kind").split()),
                date=date,
                issuer=_issuer_name(issuer, number, matcher),
                subject=subject[:1].upper() + subject[1:],
                span=quote,
                line=source.count("\n", 0, m.start()) + 1,
            )
        )
    return found


def _issuer_name(phrase: str, number: str, matcher: AgencyMatcher) -> str:
    if phrase:
        named = matcher.find(phrase)
        if len(named) == 1 and named[0].start == 0 and named[0].end == len(phrase):
            return matcher.agencies[named[0].agency].name
        return phrase
    return _ISSUER_BY_SUFFIX.get(number.rsplit("-", 1)[-1], "")


# ---------------------------------------------------------------------------
# import_directive


def import_directive(text: str, agencies: Sequence[Agency]) -> ImportResult:
    """Draft a pack from a directive's plain text; see the module docstring."""
    source = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    matcher = AgencyMatcher(agencies)
    problems: list[str] = []
    lines = classify_lines(source)

    front = _read_front(lines, source)
    tail_at = _tail_start(lines, source, front.body_start)
    body = range(front.body_start, tail_at)
    body_span: Span = (
        lines[body.start].start if body else len(source),
        lines[body.stop - 1].content[1] if body else len(source),
    )
    casing = _Casing()
    for line in lines[body.start : body.stop]:
        if line.kind != "blank" and not _is_caps(line.text(source)):
            casing.learn(line.text(source))
    tail = _read_tail(lines, source, tail_at, casing)

    outline = _build_outline(lines, source, body.start, body.stop)
    doc_type = front.doc_type
    parts = _intro_parts(source, outline.preamble, doc_type)
    for root in outline.roots:
        parts += _node_parts(root, source, matcher, casing, _Roles(), False)
    parts += _closing_part(source, outline.closing)
    for line_no, node_id in outline.duplicate_ids:
        problems.append(f"dòng {line_no}: số thứ tự «{node_id}» lặp lại; đặt tạm mã khác")

    candidates = _candidates(source, parts, matcher, problems)
    duties = _duties(candidates, problems)

    citations = _citations(source, body_span, matcher, front.number)
    cites: list[CitedDocument] = []
    for number in dict.fromkeys(c.number for c in citations):
        mentions = [c for c in citations if c.number == number]
        dated = [(c, c.date) for c in mentions if c.date is not None]
        if not dated:
            problems.append(
                f"dòng {mentions[0].line}: văn bản dẫn chiếu {number} không rõ ngày; bỏ qua"
            )
            continue
        c, date = dated[0]  # the first mention with a date (CitedDocument holds one clause)
        if not c.issuer:
            problems.append(f"dòng {c.line}: văn bản dẫn chiếu {number} không rõ cơ quan ban hành")
        cites.append(
            CitedDocument(
                number=c.number,
                doc_type=c.doc_type,
                date=date,
                issuer=c.issuer or "(chưa rõ)",
                subject=c.subject or f"{c.doc_type} {c.number}",
                clause=_clause_at(parts, c.span[0]),
                quote=_span_text(source, c.span),
            )
        )

    # Dates not part of a citation or of a duty's time limit.
    attached = [c.span for c in citations] + [
        d.timing_span for d in candidates if d.timing_span and d.addressees
    ]
    dates = list(_DATE.finditer(source, *body_span))
    for m in dates:
        if not any(a <= m.start() < b for a, b in attached):
            line_no = source.count("\n", 0, m.start()) + 1
            problems.append(
                f"dòng {line_no}: ngày «{m.group()}» không gắn được vào nhiệm vụ hay văn bản "
                "dẫn chiếu nào"
            )
        elif _date(m.group()) is None:
            line_no = source.count("\n", 0, m.start()) + 1
            problems.append(f"dòng {line_no}: ngày «{m.group()}» không có thật")

    # Agencies: the known ones named, and agency-like phrases matching none.
    known = matcher.find(source, *body_span)
    for phrase, line_nos in _unknown_agencies(source, body_span, known).items():
        where = ", ".join(str(n) for n in line_nos)
        problems.append(
            f"dòng {where}: không nhận ra cơ quan «{phrase}» (không có trong agencies.yaml)"
        )

    number, issued = front.number, front.issued
    if not number:
        problems.append("không tìm thấy số văn bản («Số: ...»); đặt tạm")
        number = "CHUA-RO"
    if issued is None:
        problems.append("không tìm thấy ngày ban hành («..., ngày ... tháng ... năm ...»); đặt tạm")
        issued = dt.date(1900, 1, 1)
    if not doc_type:
        problems.append("không tìm thấy loại văn bản (CHỈ THỊ, QUYẾT ĐỊNH, KẾ HOẠCH ...)")
        doc_type = "Văn bản"
    effective = tail.effective or _effective_in_body(source, body_span, issued)
    if effective is None:
        problems.append("không thấy ngày hiệu lực; đặt bằng ngày ban hành")
        effective = issued
    if not tail.name:
        problems.append("không tìm thấy người ký")
    for group in _line_groups(front.unplaced + tail.unplaced):
        first, last = group[0], group[-1]
        where = f"dòng {first.no}" if first is last else f"dòng {first.no}–{last.no}"
        problems.append(
            f"{where}: nằm ngoài cấu trúc văn bản, bỏ qua: «{_preview(first.text(source), 60)}»"
            + (f" (+{len(group) - 1} dòng)" if len(group) > 1 else "")
        )

    title = casing.sentence(" ".join(front.title_lines)) if front.title_lines else ""
    directive = Directive(
        id=slug(number, issued),
        number=number,
        doc_type=doc_type,
        title=title or "(chưa có trích yếu)",
        issued=issued,
        effective=effective,
        issuer=_issuer(front.issuer_lines, matcher, casing) or "(chưa rõ)",
        place=front.place or "(chưa rõ)",
        signer_name=tail.name or "(chưa rõ)",
        signer_title=tail.title or "(chưa rõ)",
        signing_capacity=tail.capacity or tail.title or "(chưa rõ)",
        source_text=source,
        cites=tuple(cites),
        recipients=tuple(tail.recipients),
        clauses=tuple(p.clause for p in parts),
        duties=duties,
    )
    return ImportResult(
        directive=directive,
        candidates=tuple(candidates),
        problems=sorted(problems, key=_problem_line),
        agencies_matched=_ids(known),
        dates_found=len(dates),
    )


def _problem_line(problem: str) -> int:
    """Problems in reading order: those about the whole document (no line) first."""
    m = re.match(r"dòng (\d+)", problem)
    return int(m.group(1)) if m else 0


def _clause_at(parts: list[_Part], offset: int) -> str:
    for part in parts:
        if part.region[0] <= offset < part.region[1]:
            return part.clause.id
    return parts[0].clause.id if parts else ""


def _unknown_agencies(source: str, span: Span, known: list[AgencyMatch]) -> dict[str, list[int]]:
    unknown: dict[str, list[int]] = {}
    for start, end in _agency_phrases(source, *span):
        if any(m.start < end and start < m.end for m in known):
            continue
        line_no = source.count("\n", 0, start) + 1
        unknown.setdefault(source[start:end], []).append(line_no)
    return unknown


_EFFECTIVE_IN_BODY = re.compile(r"có hiệu lực(?: thi hành)?(?: kể)? từ ngày (ký|ban hành|\S+)")


def _effective_in_body(source: str, span: Span, issued: dt.date) -> dt.date | None:
    m = _EFFECTIVE_IN_BODY.search(source, *span)
    if m is None:
        return None
    return issued if m.group(1) in ("ký", "ban hành") else _date(m.group(1))


def _issuer(lines: list[str], matcher: AgencyMatcher, casing: _Casing) -> str:
    """The header's issuer lines as the agency's official name when it is known."""
    for candidate in (" ".join(lines), lines[-1] if lines else ""):
        if not candidate:
            continue
        named = matcher.find(candidate)
        if len(named) == 1 and named[0].start == 0 and named[0].end == len(candidate.rstrip()):
            return matcher.agencies[named[0].agency].name
    return casing.sentence(" ".join(lines)) if lines else ""


def _line_groups(lines: list[Line]) -> list[list[Line]]:
    groups: list[list[Line]] = []
    for line in sorted(lines, key=lambda x: x.no):
        if groups and line.no - groups[-1][-1].no <= 3:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def slug(number: str, issued: dt.date) -> str:
    """Pack id from the number and year: "06/CT-UBND", 2019 -> "06-CT-UBND-2019"."""
    ascii_number = unicodedata.normalize("NFD", number.replace("Đ", "D").replace("đ", "d"))
    ascii_number = "".join(c for c in ascii_number if not unicodedata.combining(c))
    base = re.sub(r"[^A-Za-z0-9]+", "-", ascii_number).strip("-") or "van-ban"
    return f"{base}-{issued.year}"


def _vn_date(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def _preview(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------
# Writing the draft


class _DraftDumper(yaml.SafeDumper):
    """Block style for multi-line text, as in the hand-written pack."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_DraftDumper.add_representer(str, _represent_str)


def draft_document(directive: Directive) -> dict[str, Any]:
    """The directive as the mapping directive.yaml holds (no source_text)."""
    d = directive
    return {
        "id": d.id,
        "number": d.number,
        "doc_type": d.doc_type,
        "title": d.title,
        "issued": d.issued,
        "effective": d.effective,
        "issuer": d.issuer,
        "place": d.place,
        "signer_name": d.signer_name,
        "signer_title": d.signer_title,
        "signing_capacity": d.signing_capacity,
        "cites": [
            {
                "number": c.number,
                "doc_type": c.doc_type,
                "date": c.date,
                "issuer": c.issuer,
                "subject": c.subject,
                "clause": c.clause,
                "quote": c.quote,
            }
            for c in d.cites
        ],
        "recipients": list(d.recipients),
        "clauses": [
            {
                "id": c.id,
                "label": c.label,
                "title": c.title,
                **({"parent": c.parent} if c.parent else {}),
                "text": c.text,
                **({"items": list(c.items)} if c.items else {}),
                "topics": list(c.topics),
            }
            for c in d.clauses
        ],
        "duties": [_duty_document(x) for x in d.duties],
        "figures": [],
        "topics": [],
    }


def _duty_document(duty: Duty) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": duty.id,
        "clause": duty.clause,
        "title": duty.title,
        "text": duty.text,
        "addressees": list(duty.addressees),
        "lead": list(duty.lead),
    }
    if duty.coordinate:
        out["coordinate"] = list(duty.coordinate)
    timing = duty.timing
    if timing.kind != "continuous":
        out["timing"] = {
            "kind": timing.kind,
            **({"due": timing.due} if timing.due else {}),
            **({"recurrence": timing.recurrence} if timing.recurrence else {}),
            "text": timing.text,
        }
    return out


def report_text(result: ImportResult) -> str:
    lines = ["# Báo cáo nhập văn bản (bản nháp, cần rà soát)", ""]
    lines += result.summary()
    lines += ["", "## Vấn đề cần xem", ""]
    lines += [f"- {p}" for p in result.problems] or ["(không có)"]
    lines += ["", "## Nhiệm vụ (ứng viên)", ""]
    for c in result.candidates:
        timing = c.timing.kind + (f": {c.timing.text}" if c.timing.text else "")
        who = ", ".join(c.addressees) or "CHƯA RÕ"
        lines.append(f"- [{c.clause}] dòng {c.line} → {who} ({timing}): {_preview(c.text, 100)}")
    return "\n".join(lines) + "\n"


def write_draft(result: ImportResult, out_dir: Path) -> Path:
    """Write directive.yaml, source.txt and import_report.txt into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    d = result.directive
    header = (
        f"# BẢN NHÁP do `bot directive import` tạo từ {SOURCE_FILE}: cần rà soát trước khi dùng.\n"
        f"# Tiêu đề mục, tiêu đề nhiệm vụ, chủ đề, số liệu là bản nháp; xem {REPORT_FILE}.\n"
        f"# Để nạp: chuyển thư mục này thành data/directives/{d.id}/.\n\n"
    )
    body = yaml.dump(
        draft_document(d),
        Dumper=_DraftDumper,
        allow_unicode=True,
        sort_keys=False,
        width=4096,
    )
    (out_dir / DIRECTIVE_FILE).write_text(header + body, encoding="utf-8")
    (out_dir / SOURCE_FILE).write_text(d.source_text, encoding="utf-8")
    (out_dir / REPORT_FILE).write_text(report_text(result), encoding="utf-8")
    return out_dir
