"""Dates: calendar dates, deadline phrases and recurrences, read off the text.

A duty's timing is what the scheduler nudges on, so a phrase only becomes a deadline
when it names a real last day: a date ("trước ngày 30/6/2019"), a month ("trong tháng
6/2019": its last day) or a quarter ("quý III/2019": the quarter's last day). Only the
recurrences the domain knows (quarterly, annual) are kept. Dates the importer could not
attach to a duty or a cited document are reported, for the reviewer to place by hand.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.application.importer.reading import Span, line_at
from bot.domain.knowledge import Recurrence, Timing

NUM_DATE = r"(?<!\d)\d{1,2}\s*/{1,2}\s*\d{1,2}\s*/{1,2}\s*\d{4}(?!\d)"
WORD_DATE = r"(?<!\d)\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}(?!\d)"
DATE = re.compile(rf"{NUM_DATE}|{WORD_DATE}")
_DATE_PARTS = re.compile(r"(\d{1,2})\D+?(\d{1,2})\D+?(\d{4})")
_DUE = (
    rf"(?:ngày\s+)?(?:{NUM_DATE}|{WORD_DATE})"
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
    r"(?<!\w)(?:định kỳ\s+)?(?P<phrase>(?:hàng|hằng)\s+(?P<unit>quý|năm|tháng|tuần|ngày)(?!\w)"
    r"(?:\s*\([^)\n]{0,40}\))?)",
    re.IGNORECASE,
)
# The day a quarterly duty is due, when the sentence states it ("trước ngày 15 của
# tháng cuối quý"); the scheduler reads it back from the timing text
# (bot.domain.deadlines.stated_quarter_day).
_QUARTER_DAY = re.compile(
    r"(?:trước|chậm nhất(?:\s+(?:là|vào))?|không quá|đến)\s+ngày\s+\d{1,2}\s+(?:của\s+)?"
    r"tháng\s+(?:cuối quý|đầu quý sau|đầu (?:của )?quý tiếp theo|đầu quý|giữa quý)(?!\w)",
    re.IGNORECASE,
)
_RECURRENCES: dict[str, Recurrence] = {"quý": "quarterly", "năm": "annual"}
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_date(text: str) -> dt.date | None:
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
    return parse_date(text)


def read_timing(
    source: str, span: Span, line: int, problems: list[str]
) -> tuple[Timing, Span | None]:
    """The timing a sentence states, and where its phrase stands: a deadline first, then a
    recurrence, else continuous. `line` is the sentence's line, for the problems."""
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
            # Templates say "định kỳ <text>": the text is "hằng quý", not "Định kỳ hằng quý".
            span = recurrence.span("phrase")
            day = _QUARTER_DAY.search(source, start, end) if unit == "quý" else None
            if day is not None:  # "hằng quý ... trước ngày 15 của tháng cuối quý"
                span = (min(span[0], day.start()), max(span[1], day.end()))
            text = source[span[0] : span[1]]
            return Timing("recurring", recurrence=_RECURRENCES[unit], text=text), span
        problems.append(
            f"dòng {line}: định kỳ «{recurrence.group()}» chưa hỗ trợ (chỉ hàng quý, hàng năm)"
        )
    return Timing("continuous"), None


def report_dates(source: str, span: Span, attached: list[Span], problems: list[str]) -> int:
    """How many dates `span` writes; one problem for each that no `attached` span (a
    citation, a duty's time limit) holds, and for each that is no calendar day."""
    dates = list(DATE.finditer(source, *span))
    for m in dates:
        if not any(a <= m.start() < b for a, b in attached):
            problems.append(
                f"dòng {line_at(source, m.start())}: ngày «{m.group()}» không gắn được vào "
                "nhiệm vụ hay văn bản dẫn chiếu nào"
            )
        elif parse_date(m.group()) is None:
            problems.append(f"dòng {line_at(source, m.start())}: ngày «{m.group()}» không có thật")
    return len(dates)
