"""Clauses: each numbered part of the outline as a clause of the pack, with its roles.

A clause keeps its verbatim text and top-level bullets (what the assistant quotes) and
gets a draft title: the heading when the part has one ("Dịch vụ công trực tuyến: ...",
"NHIỆM VỤ" in sentence case), else the text's first phrase. A heading or a lead-in
ending in ":" that names agencies ("Sở Tài chính, Sở KH&ĐT: ...", "Giám đốc các sở,
...:") gives the roles (addressees, lead, coordinating) its duties inherit; a part
under a "Nhiệm vụ"-like heading is where duties are cut from (see `duties`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.application.importer.agencies import (
    AgencyMatcher,
    addressees,
    unique,
    unknown_agency_at,
)
from bot.application.importer.casing import Casing
from bot.application.importer.dates import time_limit_at
from bot.application.importer.outline import Block, Node, extent
from bot.application.importer.reading import (
    SENTENCE_END,
    TOKEN,
    Span,
    any_phrase,
    is_caps,
    span_text,
)
from bot.domain.knowledge import Clause
from nlu.normalize import fold_words as fold


@dataclass
class Roles:
    """The agencies a clause's duties are addressed to, led by and coordinated with."""

    addressees: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    coordinate: tuple[str, ...] = ()
    # The name a heading gives a doer the catalog does not know ("Kho bạc Nhà nước
    # tỉnh"): its duties wait for the admin to add the agency or assign another.
    unknown: str = ""


@dataclass
class Part:
    """A clause with what the duty builder needs to know about it."""

    clause: Clause
    region: Span  # the clause's own lines (not its children's)
    roles: Roles
    duty_scope: bool  # under a "Nhiệm vụ"-like heading, or the closing
    units: list[tuple[Span, int]]  # (span, line) of each paragraph/bullet a duty may come from
    subject: str = ""  # the heading, when it says what the part is about (not who acts)


_DUTY_HEADINGS = ("nhiem vu", "giai phap", "to chuc thuc hien", "trach nhiem", "phan cong")
_INLINE = re.compile(r"([^:.;\n]{2,120}?):\s+(?=\S)")
COORDINATION = re.compile(
    rf"(?<!\w)(?:{any_phrase('phối hợp với', 'phối hợp cùng', 'làm việc với')})\s+",
    re.IGNORECASE,
)


def top_items(source: str, blocks: list[Block]) -> list[Span]:
    """Top-level bullets as spans; sub-bullets of another style fold into the one above."""
    bullets = [b for b in blocks if b.kind == "bullet"]
    spans: list[Span] = []
    for b in bullets:
        if b.style == bullets[0].style or not spans:
            spans.append(b.span)
        else:
            spans[-1] = (spans[-1][0], b.span[1])
    return spans


def clause_text(blocks: list[Block]) -> Span | None:
    """A lead-in paragraph followed only by bullets is the text (like intro.shortcomings);
    otherwise the text runs from the first paragraph or bullet to the last."""
    if not blocks:
        return None
    first_bullet = next((i for i, b in enumerate(blocks) if b.kind == "bullet"), None)
    if first_bullet and all(b.kind == "bullet" for b in blocks[first_bullet:]):
        return extent(blocks[:first_bullet])
    return extent(blocks)


# A title is the text's first phrase without its time limit (the duty's timing says it)
# nor "trên địa bàn tỉnh" (every duty of a provincial directive is). A long one is cut
# where a phrase ends: after a comma or before "để", "nhằm" or "và" + a lower-case word
# (a new phrase), else before a preposition (`_PREPOSITIONS`: what follows qualifies
# what the title already says). Never before a capitalized word (a name going on) nor
# inside a name: names hold lower-case words too ("Sở Thông tin và Truyền thông", "Hệ
# thống quản lý văn bản và điều hành"), hence "và" only before a lower-case word.
_CLAUSE_STARTS = frozenset({"để", "nhằm", "và"})
_PREPOSITIONS = frozenset(
    {"về", "của", "cho", "với", "trong", "tại", "theo", "trên", "trước", "từ", "đến", "qua"}
    | {"vào", "bằng"}
)
_MIN_TITLE_WORDS = 6
_REACH = 4  # words past the limit a title may run, to end where a phrase ends
# Without a phrase boundary a title keeps its whole first phrase up to this many words:
# a longer title reads better than one cut inside a word ("... triển khai thanh").
_MAX_TITLE_WORDS = 28
_FIRST_PHRASE = re.compile(r"[;:(]|\.(?=\s|$)")
# "Trong quá trình thực hiện, nếu có khó khăn ...": when, not what.
_WHILE_CARRYING_OUT = re.compile(
    r"\s*trong quá trình (?:triển khai |tổ chức )?(?:thực hiện|triển khai),\s*", re.IGNORECASE
)
_WHERE_EVERY_DUTY_IS = re.compile(r"\s+trên địa bàn(?: tỉnh)?(?![\w/])(?!\s+[A-ZĐ])")


def draft_title(text: str, limit: int = 16) -> str:
    """A first-draft title: the text's first phrase without its time limit, cut when
    longer than `limit` (+ `_REACH`) words where a phrase ends (see above)."""
    head = _FIRST_PHRASE.split(_WHILE_CARRYING_OUT.sub("", text, count=1), maxsplit=1)[0]
    at = time_limit_at(head)
    if at is not None and len(head[:at].split()) >= 3:
        head = head[:at]
    words = _WHERE_EVERY_DUTY_IS.sub("", head).split()
    if len(words) > limit + _REACH:
        words = words[: _title_cut(words, limit)]
    title = " ".join(words).rstrip(",")
    return title[:1].upper() + title[1:] if title else "(chưa có tiêu đề)"


def _title_cut(words: list[str], limit: int) -> int:
    """How many words to keep: the longest title within `limit` + `_REACH` words that
    ends a phrase, a clause boundary before a preposition; else up to the first phrase
    end, at most `_MAX_TITLE_WORDS` words."""
    ends = [n for n in range(_MIN_TITLE_WORDS, len(words)) if _phrase_ends(words, n)]
    within = [n for n in ends if n <= limit + _REACH]
    strong = [n for n in within if _phrase_ends(words, n, strong=True)]
    if strong or within:
        return max(strong or within)
    return min(ends[0], _MAX_TITLE_WORDS) if ends else _MAX_TITLE_WORDS


def _phrase_ends(words: list[str], n: int, strong: bool = False) -> bool:
    """Whether a phrase ends after `words[n - 1]` (a comma, a new clause; unless
    `strong`, a preposition too), with no name going on past it."""
    before, after = words[n - 1], words[n]
    following = words[n + 1] if n + 1 < len(words) else ""
    if after[:1].isupper():
        return False
    if before.endswith(","):
        return True
    if after.lower() in _CLAUSE_STARTS:
        return after.lower() != "và" or following[:1].islower()
    return not strong and after.lower() in _PREPOSITIONS


def node_parts(
    node: Node,
    source: str,
    matcher: AgencyMatcher,
    casing: Casing,
    inherited: Roles,
    in_scope: bool,
) -> list[Part]:
    """The clause of `node`, then those of its sub-parts, in reading order; roles the
    heading or lead-in names pass down, as does being under a duty heading."""
    head = span_text(source, node.head)
    blocks = list(node.blocks)
    title = ""
    roles = inherited
    duty_head: Span | None = None  # the part of the head a duty may come from
    head_block: Block | None = None
    names_doer = False  # the heading or lead-in starts with the agencies it addresses
    inline = _INLINE.match(head)
    prefix_agencies = (
        matcher.addressed(source, node.head[0], node.head[0] + inline.end(1)) if inline else ()
    )
    if inline and (prefix_agencies or len(inline.group(1).split()) <= 8):
        title = inline.group(1).strip()
        rest = (node.head[0] + inline.end(), node.head[1])
        if prefix_agencies:  # "Sở Tài chính, Sở KH&ĐT: Tham mưu..." keeps its addressees
            prefix = (node.head[0], node.head[0] + inline.end(1))
            roles = _phrase_roles(source, prefix, matcher)
            names_doer = _starts_with_agency(source, prefix, matcher)
            head_block = Block("para", "", node.head, node.line.no)
        else:  # "Dịch vụ công trực tuyến: Thường xuyên..." titles the clause
            head_block = Block("para", "", rest, node.line.no)
        blocks.insert(0, head_block)
        duty_head = rest
    elif head and (
        is_caps(head)
        or ((blocks or node.children) and not head.endswith(SENTENCE_END) and len(head) <= 200)
    ):
        title = casing.sentence(head) if is_caps(head) else head
        if matcher.addressed(source, *node.head):
            roles = _phrase_roles(source, node.head, matcher)
            names_doer = _starts_with_agency(source, node.head, matcher)
        elif unknown := unknown_agency_at(source, node.head, matcher):
            roles, names_doer = Roles(unknown=unknown), True
    elif head:
        head_block = Block("para", "", node.head, node.line.no)
        blocks.insert(0, head_block)
    # A heading naming no agency says what the part is about ("Kinh phí thực hiện"):
    # a topic of the pack, unless it is a heading every directive has (`topics`).
    subject = title if roles is inherited else ""
    lead_in = next((b for b in blocks if b.kind == "para"), None)
    if (
        roles is inherited
        and lead_in is not None
        and span_text(source, lead_in.span).endswith(":")
        and matcher.addressed(source, *lead_in.span)
    ):
        roles = _phrase_roles(source, lead_in.span, matcher)  # "Giám đốc các sở, ...:"
        names_doer = _starts_with_agency(source, lead_in.span, matcher)
    # A heading that names its doer ("1. Sở Nội vụ", "2. UBND các huyện, thị xã, thành
    # phố có trách nhiệm:") makes what it heads that doer's duties, as a "Nhiệm vụ"
    # heading does: the common layout of a provincial chỉ thị with no such heading.
    in_scope = in_scope or names_doer or any(h in fold(title) for h in _DUTY_HEADINGS)

    text_span = clause_text(blocks)
    item_spans = top_items(source, blocks)
    text = span_text(source, text_span) if text_span else ""
    if not title:
        title = draft_title(text or (span_text(source, item_spans[0]) if item_spans else ""))
    units = _units(source, blocks, head_block, duty_head)
    ends = [b.span[1] for b in blocks] + [node.head[1]]
    clause = Clause(
        id=node.id,
        label=_label(node),
        title=title,
        text=text,
        parent=node.parent.id if node.parent else None,
        items=tuple(span_text(source, s) for s in item_spans),
    )
    parts = [Part(clause, (node.line.start, max(ends)), roles, in_scope, units, subject)]
    for child in node.children:
        parts += node_parts(child, source, matcher, casing, roles, in_scope)
    return parts


def _units(
    source: str, blocks: list[Block], head: Block | None, duty_head: Span | None
) -> list[tuple[Span, int]]:
    """Paragraphs and bullets (sub-bullets too) a duty may come from; a lead-in ending
    in ":" is none. From a head "Sở X: Tham mưu ..." only the part after ":" counts."""
    units: list[tuple[Span, int]] = []
    for b in blocks:
        span = duty_head if b is head and duty_head else b.span
        text = span_text(source, span)
        if text and not text.endswith(":"):
            units.append((span, b.line))
    return units


def _label(node: Node) -> str:
    root = node
    while root.parent is not None:
        root = root.parent
    if root.style == "article":
        rest = node.id[len(root.id) + 1 :]
        return f"Điều {root.label}" + (f", mục {rest}" if rest else "")
    return f"Mục {node.id}"


# Words that may stand before the doer a heading names: "Đối với Sở Nội vụ", "Giám
# đốc Sở Tài chính", "Chủ tịch UBND các huyện", "Giao Công an tỉnh" (folded).
_DOER_LEAD = frozenset({"doi", "voi", "giao", "giam", "doc", "chu", "tich", "thu", "truong"})


def _starts_with_agency(source: str, span: Span, matcher: AgencyMatcher) -> bool:
    """Whether `span` opens with the agencies it addresses: only words like "Đối với",
    "Giám đốc" before the first one, so "Tăng cường ... tại Sở X" does not count."""
    named = matcher.find(source, *span)
    if not named or not addressees(named[:1]):
        return False
    before = [fold(w) for w in TOKEN.findall(source, span[0], named[0].start)]
    return all(w in _DOER_LEAD for w in before)


def _phrase_roles(source: str, span: Span, matcher: AgencyMatcher) -> Roles:
    """Roles a heading names: "Văn phòng UBND tỉnh phối hợp với Sở TT&TT" -> lead, coordinate."""
    split = COORDINATION.search(source, span[0], span[1])
    if split is None:
        named = matcher.addressed(source, *span)
        return Roles(named, named)
    lead = matcher.addressed(source, span[0], split.start())
    coordinate = tuple(a for a in matcher.addressed(source, split.end(), span[1]) if a not in lead)
    return Roles(unique(lead, coordinate), lead, coordinate)


def clause_at(parts: list[Part], offset: int) -> str:
    """The id of the clause whose own lines hold `offset` (else the first clause's)."""
    for part in parts:
        if part.region[0] <= offset < part.region[1]:
            return part.clause.id
    return parts[0].clause.id if parts else ""
