"""Agencies: the known agencies a text names, and the agency-like names it does not know.

The draft refers to agencies by their ids in agencies.yaml, the catalog admins edit, so
every addressee must be found by name, short name or alias there. Matching folds
diacritics (officials type both ways) and takes the longest spelling first; the rules
below keep a short alias from matching inside another body's name or a common phrase.
What looks like an agency's name but matches none is reported, for the reviewer to add
to the catalog or to correct.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.application.importer.reading import BREAK, TOKEN, Span, line_at
from bot.domain.knowledge import Agency
from nlu.normalize import fold_words as fold


@dataclass(frozen=True)
class AgencyMatch:
    agency: str
    start: int
    end: int
    before: str  # folded word just before the match ("" at the start)


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
            named = (agency.name, agency.short_name, *agency.aliases)
            for spelling in dict.fromkeys((*named, *filter(None, map(_without_place, named)))):
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
        tokens = [(m.start(), m.end(), fold(m.group())) for m in TOKEN.finditer(text, start, stop)]
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
            if any(c in text[start:end] for c in ";:") or BREAK.search(text, start, end):
                continue
            if i and tokens[i - 1][2] in _OTHER_BODY and words[0] not in _ORG_WORDS:
                continue
            return agency_id, n
        return None

    def addressed(self, text: str, start: int, end: int) -> tuple[str, ...]:
        """Agencies a heading or lead-in addresses (not those it names as a scope)."""
        return addressees(self.find(text, start, end))

    def official_name(self, text: str) -> str | None:
        """The agency's name from the catalog when `text` is one agency's name and nothing
        else ("UBND tỉnh Bắc Ninh" -> "Ủy ban nhân dân tỉnh Bắc Ninh")."""
        named = self.find(text)
        if len(named) == 1 and named[0].start == 0 and named[0].end == len(text.rstrip()):
            return self.agencies[named[0].agency].name
        return None


# "... tỉnh Bắc Ninh": a directive of the province writes "Kho bạc Nhà nước tỉnh".
_PLACE = re.compile(r"^(.+\s(?:tỉnh|huyện|thị xã|thành phố))(?:\s+[A-ZĐ]\w*)+$")


def _without_place(spelling: str) -> str:
    """The name without the place it ends with ("Công an tỉnh Bắc Ninh" -> "Công an tỉnh")."""
    m = _PLACE.match(spelling)
    return m.group(1) if m else ""


def agency_ids(matches: Iterable[AgencyMatch]) -> tuple[str, ...]:
    """The ids of the agencies matched, each once, in the order first named."""
    return tuple(dict.fromkeys(m.agency for m in matches))


def addressees(matches: Iterable[AgencyMatch]) -> tuple[str, ...]:
    """The ids of the agencies matched as addressees, not as a scope or a superior."""
    return agency_ids(m for m in matches if m.before not in _NOT_ADDRESSED_AFTER)


def unique(*groups: Iterable[str]) -> tuple[str, ...]:
    """The ids of all `groups`, each once, in order."""
    return tuple(dict.fromkeys(x for group in groups for x in group))


# Words that start the name of an agency-like body: a phrase starting with one of
# them (followed by a capitalized word) that matches no known agency is reported.
_AGENCY_HEAD = re.compile(
    r"(?<!\w)(?:Sở|Phòng|Chi cục|Cục|Bộ|Đài|Báo|Văn phòng|Trung tâm|Công an|Thanh tra"
    r"|Viện|Bệnh viện|Trường|Hội|Kho bạc|Ngân hàng|Tòa án|Ban(?!\s+(?:[Cc]hỉ đạo|[Bb]iên tập))"
    r"|(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)(?:\s+(?:tỉnh|huyện|thị xã|thành phố|xã|phường"
    r"|thị trấn))?)\s+(?=\w)"
)
# Bodies the central government runs in each province (vertically managed, not under
# UBND tỉnh): their names go on with a lower-case level ("Bảo hiểm xã hội tỉnh", "Công
# an huyện"), which `_AGENCY_HEAD` does not take for a name; and the collective "các cơ
# quan Trung ương (ngành dọc) đóng trên địa bàn tỉnh".
_LEVEL = r"(?:tỉnh|huyện|thị xã|thành phố|xã|phường|thị trấn|khu vực)"
_VERTICAL = re.compile(
    r"(?<!\w)(?:(?:Cục|Chi cục) (?:Thuế|Hải quan|Thống kê|Quản lý thị trường)"
    r"|Kho bạc Nhà nước|Bảo hiểm [Xx]ã hội|Công an|Bộ Chỉ huy [Qq]uân sự"
    r"|Ngân hàng Nhà nước(?: (?:Việt Nam|chi nhánh))*|Tòa án nhân dân|Viện [Kk]iểm sát nhân dân)"
    rf"(?: {_LEVEL})?(?: [A-ZĐ]\w*(?: [A-ZĐ]\w*)*)?(?!\w)"
    r"|(?<!\w)(?:[Cc]ác )?cơ quan (?:[Tt]rung ương|ngành dọc)(?: và ngành dọc)?"
    r"(?: (?:đóng )?(?:trên|tại) địa bàn(?: tỉnh)?)?(?!\w)"
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
    spans += [m.span() for m in _VERTICAL.finditer(source, start, end)]
    return _outermost(spans)


def _outermost(spans: list[Span]) -> list[Span]:
    """The spans not inside a longer one, in order ("Cục Thuế tỉnh", not also "Cục Thuế")."""
    return sorted(
        s for s in set(spans) if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)
    )


# Doers no catalog holds, named as a group whose name runs on in lower case ("9. Các
# doanh nghiệp cung cấp dịch vụ bưu chính, viễn thông trên địa bàn"): a heading that
# starts with one names its doer as a whole. "Tổ chức" alone starts "Tổ chức thực hiện".
_COLLECTIVE_DOER = re.compile(
    r"(?:(?:Các|Những)\s+(?:doanh nghiệp|đơn vị|tổ chức|cơ quan|hội|hiệp hội|hợp tác xã"
    r"|nhà mạng|công ty|ngân hàng|trường|bệnh viện|nhà cung cấp)"
    r"|Doanh nghiệp|Tổng công ty|Công ty|Tập đoàn|Hiệp hội|Hợp tác xã|Bưu điện|Viễn thông)"
    r"(?=[\s,])"
)
_MAX_DOER_WORDS = 20  # a heading longer than this is a sentence about something


def unknown_agency_at(source: str, span: Span, matcher: AgencyMatcher) -> str:
    """The name of the agency-like body `span` is, when the catalog does not know it:
    a heading "6. Kho bạc Nhà nước tỉnh" or "9. Các doanh nghiệp viễn thông" names a
    doer all the same; else ""."""
    text = source[span[0] : span[1]].rstrip(" :")
    lead = len(text) - len(text.lstrip())
    collective = _COLLECTIVE_DOER.match(text, lead)
    if collective and len(text.split()) <= _MAX_DOER_WORDS:
        return text[lead:]
    phrases = _agency_phrases(source, span[0] + lead, span[0] + len(text))
    if len(phrases) != 1 or phrases[0] != (span[0] + lead, span[0] + len(text)):
        return ""
    if matcher.find(source, *phrases[0]):
        return ""
    return source[phrases[0][0] : phrases[0][1]]


def report_unknown_agencies(
    source: str, span: Span, known: list[AgencyMatch], problems: list[str]
) -> None:
    """One problem for each agency-like phrase in `span` that no `known` match covers,
    with the lines it stands on."""
    unknown: dict[str, list[int]] = {}
    for start, end in _agency_phrases(source, *span):
        if any(m.start < end and start < m.end for m in known):
            continue
        unknown.setdefault(source[start:end], []).append(line_at(source, start))
    for phrase, line_nos in unknown.items():
        where = ", ".join(str(n) for n in line_nos)
        problems.append(
            f"dòng {where}: không nhận ra cơ quan «{phrase}»: chưa có trong danh mục cơ quan; "
            "Anh/Chị thêm vào danh mục (/coquan_them) rồi gửi lại tệp, hoặc giao nhiệm vụ "
            "cho cơ quan khác"
        )
