"""The tail: recipients, signature and effective date, read off the lines after the body.

The body ends where "Nơi nhận:", a signing capacity ("KT. CHỦ TỊCH") or a signer's title
starts a line; `read_tail` then reads the recipients, the capacity, title and name of
the signer, and an effective date a legal-database copy adds ("Ngày hiệu lực: ...").
When the tail gives no effective date, the body may ("có hiệu lực từ ngày ký").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from bot.application.importer.casing import Casing
from bot.application.importer.dates import parse_date
from bot.application.importer.reading import Line, Span, is_caps

_RECIPIENTS = re.compile(r"\s*Nơi nhận\s*:?\s*", re.IGNORECASE)
_CAPACITY = re.compile(r"\s*(KT|TM|TL|TUQ|Q)\s*\.\s*(\S.*?)\s*")
_SIGNER_TITLE = re.compile(
    r"\s*(?:PHÓ\s+|Q\.\s*)?(?:CHỦ TỊCH|GIÁM ĐỐC|CHÁNH VĂN PHÒNG|TRƯỞNG BAN|BỘ TRƯỞNG"
    r"|THỨ TRƯỞNG|TỔNG GIÁM ĐỐC|VIỆN TRƯỞNG|HIỆU TRƯỞNG|CỤC TRƯỞNG|CHÁNH THANH TRA"
    r"|THỦ TRƯỞNG|TRƯỞNG PHÒNG)\s*"
)
_EFFECTIVE = re.compile(r"Ngày hiệu lực\s*:\s*(\d{1,2}/\d{1,2}/\d{4})")


@dataclass
class Tail:
    recipients: list[str] = field(default_factory=list)
    capacity: str = ""
    title: str = ""
    name: str = ""
    effective: dt.date | None = None
    unplaced: list[Line] = field(default_factory=list)


def tail_start(lines: list[Line], source: str, start: int) -> int:
    """The index of the tail's first line at or after `start` (len(lines) if none)."""
    for i in range(start, len(lines)):
        text = lines[i].text(source)
        if lines[i].kind == "text" and (
            _RECIPIENTS.match(text) or _CAPACITY.fullmatch(text) or _SIGNER_TITLE.fullmatch(text)
        ):
            return i
    return len(lines)


def read_tail(lines: list[Line], source: str, start: int, casing: Casing) -> Tail:
    """Recipients, then capacity, title and name of the signer, in that order."""
    tail = Tail()
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
        if (state == "capacity" and is_caps(text)) or (
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
            tail.effective = parse_date(m.group(1))
        tail.unplaced.append(line)
    return tail


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 6 and all(w[:1].isupper() and w.isalpha() for w in words)


_EFFECTIVE_IN_BODY = re.compile(r"có hiệu lực(?: thi hành)?(?: kể)? từ ngày (ký|ban hành|\S+)")


def effective_in_body(source: str, span: Span, issued: dt.date) -> dt.date | None:
    """The date the body says the document takes effect, if it says."""
    m = _EFFECTIVE_IN_BODY.search(source, *span)
    if m is None:
        return None
    return issued if m.group(1) in ("ký", "ban hành") else parse_date(m.group(1))
