"""The outline: the body's numbered parts nested as the text numbers them.

Directives number their parts in several ways ("1." / "a)" / "-" in a chỉ thị,
"I." / "1." / "-" / "+" in a kế hoạch, "Điều 1." in a quyết định), so no style is tied
to a depth: a marker style seen for the first time opens a deeper level, a style
already open closes back to that level. Text before the first marker is the preamble;
the final paragraphs after the last item that speak of the document as a whole ("...
thi hành ...", "Yêu cầu ... nghiêm túc thực hiện Chỉ thị này", "Giao Sở X theo dõi,
đôn đốc việc thực hiện Chỉ thị này") are the closing, not the last item's text. A
number met twice gets a stand-in id and is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.application.importer.front import FORMULA
from bot.application.importer.reading import SENTENCE_END, Line, Span, is_caps
from nlu.normalize import fold_words as fold


@dataclass
class Block:
    """A paragraph or a bullet (with the lines that carry it on)."""

    kind: Literal["para", "bullet"]
    style: str  # bullet style; "" for a paragraph
    span: Span
    line: int


@dataclass
class Node:
    """A numbered part: its marker line (the head), its own blocks, its sub-parts."""

    id: str
    style: str
    label: str
    line: Line
    head: Span  # the marker line's text (may grow with continuation lines)
    parent: Node | None
    blocks: list[Block] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)


@dataclass
class Outline:
    preamble: list[Block] = field(default_factory=list)
    roots: list[Node] = field(default_factory=list)
    closing: list[Block] = field(default_factory=list)
    duplicate_ids: list[tuple[int, str]] = field(default_factory=list)


_CLOSING_HINTS = ("thi hanh", "hieu luc", "to chuc thuc hien", "trien khai thuc hien")
# A paragraph that opens like a closing and names the document itself ("... Chỉ thị
# này"): "Yêu cầu Thủ trưởng các cơ quan ... nghiêm túc thực hiện Chỉ thị này", "Giao
# Sở X theo dõi, đôn đốc việc thực hiện Chỉ thị này". Folded.
_CLOSING_OPENERS = ("yeu cau", "de nghi", "giao ", "trong qua trinh", "chu tich", "thu truong")
_THE_DOCUMENT = re.compile(r"\b(?:chi thi|ke hoach|quyet dinh|van ban) nay\b")


def extent(blocks: list[Block]) -> Span:
    """From the first block's start to the last one's end."""
    return (blocks[0].span[0], blocks[-1].span[1])


def build_outline(lines: list[Line], source: str, lo: int, hi: int) -> Outline:
    """The outline of the body lines `lines[lo:hi]`."""
    outline = Outline()
    closing = _closing_lines(lines, source, lo, hi)
    stack: list[Node] = []
    used: set[str] = set()
    last: Block | Node | None = None
    for index in range(lo, hi):
        line = lines[index]
        if line.kind in ("blank", "rule"):
            continue
        if index in closing and not (line.continuation and outline.closing):
            last = Block("para", "", line.content, line.no)
            outline.closing.append(last)
            continue
        if line.continuation and last is not None:
            if isinstance(last, Node):
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
            node = Node(node_id, line.style, line.label, line, line.content, parent)
            (parent.children if parent else outline.roots).append(node)
            stack.append(node)
            last = node
        elif not stack and line.kind == "text" and (is_caps(text) or FORMULA.fullmatch(text)):
            last = None  # the issuing authority ("CHỦ TỊCH ỦY BAN NHÂN DÂN ...") or "QUYẾT ĐỊNH:"
        else:
            kind: Literal["para", "bullet"] = "bullet" if line.kind == "bullet" else "para"
            last = Block(kind, line.style, line.content, line.no)
            (stack[-1].blocks if stack else outline.preamble).append(last)
    return outline


def _node_id(parent: Node | None, label: str) -> str:
    if parent is None:
        return label
    if "." in label and label.startswith(parent.label + "."):
        return parent.id + label[len(parent.label) :]  # "1.2" under "1" -> "<parent>.2"
    return f"{parent.id}.{label}"


def _closing_lines(lines: list[Line], source: str, lo: int, hi: int) -> set[int]:
    """The final paragraphs after the last item that read like a closing, from the last
    one back; a heading ("8. Các sở, ban, ngành") keeps at least its first paragraph."""
    paragraphs: list[list[int]] = []  # from the last one back, each in reading order
    pending: list[int] = []  # continuation lines whose paragraph has not started yet
    i = hi - 1
    while i >= lo and lines[i].kind in ("blank", "text"):
        if lines[i].kind == "text":
            pending.insert(0, i)
            if not lines[i].continuation:  # a paragraph starts here
                paragraphs.append(pending)
                pending = []
        i -= 1
    # lines still pending carry on the bullet or marker above them: not the closing
    if not paragraphs or i < lo:
        return set()
    previous = lines[i]
    item_done = previous.kind == "bullet" or (
        previous.kind == "marker" and previous.text(source).endswith(SENTENCE_END)
    )
    movable = paragraphs if item_done else paragraphs[:-1]
    closing: set[int] = set()
    for paragraph in movable:
        if not _reads_like_closing(" ".join(lines[j].text(source) for j in paragraph)):
            break
        closing.update(paragraph)
    return closing


def _reads_like_closing(text: str) -> bool:
    folded = fold(text)
    return (
        text.rstrip().endswith("./.")
        or any(h in folded for h in _CLOSING_HINTS)
        or (folded.startswith(_CLOSING_OPENERS) and bool(_THE_DOCUMENT.search(folded)))
    )
