"""The unnumbered parts: the preamble's paragraphs and the closing paragraph.

The preamble of a directive says why it is issued ("Để ...", "Căn cứ ...", the results
so far and the shortcomings); each paragraph (with the bullets under it) becomes an
"intro.*" clause named after what it does, so a question like "vì sao ban hành chỉ
thị" finds it. The closing ("Yêu cầu ... nghiêm túc thi hành ...") is a clause of its
own; its sentences that name their doer are duties ("Giao Sở X theo dõi, đôn đốc ...",
"Giám đốc các sở ... có trách nhiệm thi hành ..."), those addressed to everyone
("Yêu cầu các cơ quan, đơn vị nghiêm túc thực hiện ...") stay the clause's text.
"""

from __future__ import annotations

import re

from bot.application.importer.clauses import Part, Roles, clause_text, draft_title, top_items
from bot.application.importer.outline import Block, extent
from bot.application.importer.reading import Span, span_text
from bot.domain.knowledge import Clause
from nlu.normalize import fold_words as fold

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


# Where a paragraph turns to something else: a sentence that starts with one of these
# ("... đạt được nhiều kết quả. Tuy nhiên, ... còn chậm. Để đẩy mạnh ..., chỉ thị:").
_TURN = re.compile(r"(?<=[.!?…])\s+(?=(?:Tuy nhiên|Bên cạnh đó|Để|Nhằm)(?!\w))")
_STILL = re.compile(r"\b(?:con|chua|bat cap|han che|ton tai)\b")  # what "Bên cạnh đó" lacks


def _paragraph_parts(source: str, para: Block) -> list[tuple[str, Block]]:
    """A paragraph as the parts that do different things, each with its kind: the
    results, the shortcomings after "Tuy nhiên" (or "Bên cạnh đó ... còn"), the
    purpose after "Để", so that an answer never quotes a shortcoming as a result.
    A paragraph that does one thing is one part, of the kind it starts with."""
    start, end = para.span
    turns = list(_TURN.finditer(source, start, end))
    starts, ends = [start, *(m.end() for m in turns)], [*(m.start() for m in turns), end]
    pieces: list[tuple[str, Span]] = []
    for piece_start, piece_end in zip(starts, ends, strict=True):
        text = fold(span_text(source, (piece_start, piece_end)))
        kind = _intro_kind(text)
        more_results = text.startswith("ben canh do") and not _STILL.search(text)
        if pieces and (more_results or kind == pieces[-1][0]):
            pieces[-1] = (pieces[-1][0], (pieces[-1][1][0], piece_end))
            continue
        if kind == "shortcomings" and pieces and not pieces[-1][0]:
            pieces[-1] = ("results", pieces[-1][1])  # what came before "however"
        pieces.append((kind, (piece_start, piece_end)))
    if len(pieces) == 1:
        return [(_intro_kind(fold(span_text(source, para.span))), para)]
    return [
        (kind, Block("para", "", (s, e), para.line + source.count("\n", start, s)))
        for kind, (s, e) in pieces
    ]


def intro_parts(source: str, blocks: list[Block], doc_type: str) -> list[Part]:
    """The preamble's clauses: a paragraph and the bullets under it make one (a
    paragraph that turns from results to shortcomings or purpose makes several)."""
    groups: list[tuple[str, list[Block]]] = []
    for b in blocks:
        if b.kind == "para":
            groups += [(kind, [piece]) for kind, piece in _paragraph_parts(source, b)]
        elif not groups:
            groups.append((_intro_kind(fold(span_text(source, b.span))), [b]))
        else:
            groups[-1][1].append(b)
    keyed: list[tuple[str, list[Block]]] = []
    for kind, group in groups:
        if kind == "basis" and keyed and keyed[-1][0] == "basis":
            keyed[-1][1].extend(group)  # consecutive "Căn cứ ..." lines: one clause, items
        else:
            keyed.append((kind, group))
    parts: list[Part] = []
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
            text_span: Span | None = extent(group)
            items = [b.span for b in paras]
        else:
            text_span = clause_text(group)
            items = top_items(source, group)
        text = span_text(source, text_span) if text_span else ""
        clause = Clause(
            id=f"intro.{key}",
            label=f"Phần mở đầu – {label}",
            title=title or draft_title(text),
            text=text,
            items=tuple(span_text(source, s) for s in items),
        )
        parts.append(Part(clause, extent(group), Roles(), False, []))
    return parts


def closing_part(source: str, blocks: list[Block]) -> list[Part]:
    """The closing paragraph(s) as one clause, if there are any."""
    if not blocks:
        return []
    span = extent(blocks)
    text = span_text(source, span)
    clause = Clause(
        id="closing",
        label="Đoạn kết",
        title="Trách nhiệm thi hành" if "thi hanh" in fold(text) else "Đoạn kết",
        text=text,
    )
    return [Part(clause, span, Roles(), False, [(b.span, b.line) for b in blocks])]
