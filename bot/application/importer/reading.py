"""Reading the text: the one clean-up the importer makes, and what each line is.

Every later stage works on offsets into one string, so that every verbatim field of
the draft is a slice of the source and the pack loader's substring check holds by
construction. `normalized` is the only change made to the input (`sanitize`: NFC, LF
line ends, no control or invisible characters). `classify_lines` says what each line
is: blank, rule ("-----"), numbered marker ("1." "2)" "I." "1.1." "a)" "Điều 1."),
bullet ("-" "+" "•") or plain text, and which text lines carry on the line above. The
small text helpers every stage shares live here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from nlu.normalize import sanitize

Span = tuple[int, int]  # [start, end) offsets in the source text
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
        return span_text(source, self.content)


_RULE = re.compile(r"\s*[-_=–—*.]{3,}\s*")
SENTENCE_END = (".", ";", ":", "…", "!", "?")
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
TOKEN = re.compile(r"[\w%]+")  # a word or a number, as agency names are matched
BREAK = re.compile(r"\n\s*(?:\n|[-–—+•·*])")  # a blank line or a new bullet


def normalized(text: str) -> str:
    """The text as every stage reads it: `sanitize`d (line ends as LF, no control or
    invisible characters such as the soft hyphens a word processor leaves, NFC)."""
    return sanitize(text)


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
            and not previous.text(source).endswith(SENTENCE_END)
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


def any_phrase(*phrases: str) -> str:
    """Alternatives for a regex, each phrase allowed to wrap onto the next line."""
    return "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases)


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def span_text(source: str, span: Span) -> str:
    return source[span[0] : span[1]]


def line_at(source: str, offset: int) -> int:
    """The 1-based number of the line `offset` is on."""
    return source.count("\n", 0, offset) + 1


def preview(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
