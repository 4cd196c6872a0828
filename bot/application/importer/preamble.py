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


def intro_parts(source: str, blocks: list[Block], doc_type: str) -> list[Part]:
    """The preamble's clauses: a paragraph and the bullets under it make one."""
    groups: list[list[Block]] = []
    for b in blocks:
        if b.kind == "para" or not groups:
            groups.append([b])
        else:
            groups[-1].append(b)
    keyed: list[tuple[str, list[Block]]] = []
    for group in groups:
        kind = _intro_kind(fold(span_text(source, group[0].span)))
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
