"""Dates: calendar dates, deadline phrases and recurrences, read off the text.

A duty's timing is what the scheduler nudges on, so a phrase only becomes a deadline
when it names a real last day: a date ("trước ngày 30/6/2019"), a month ("trong tháng
6/2019": its last day) or a quarter ("quý III/2019": the quarter's last day). Only the
recurrences the domain knows (monthly, quarterly, annual) are kept, and only where they
set the duty's cadence: "hằng năm" in "tiêu chí thi đua hằng năm của các cơ quan"
qualifies a noun (`_sets_cadence`). Dates the importer could not attach to a duty or a
cited document are reported, for the reviewer to place by hand.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.application.importer.reading import Span, line_at
from bot.domain.knowledge import Recurrence, Timing
from nlu.normalize import fold_words as fold

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
_RECURRENCES: dict[str, Recurrence] = {"tháng": "monthly", "quý": "quarterly", "năm": "annual"}
# The day a monthly duty is due, when the sentence states it ("trước ngày 20 hằng
# tháng"); the scheduler reads it back (bot.domain.deadlines.stated_month_day).
_MONTH_DAY = re.compile(
    r"(?:trước|chậm nhất(?:\s+(?:là|vào))?|không quá|đến)\s+ngày\s+\d{1,2}(?!\s*/)"
    r"(?:\s+(?:hằng|hàng)\s+tháng)?(?!\w)",
    re.IGNORECASE,
)
_STATED_DAY = {"quý": _QUARTER_DAY, "tháng": _MONTH_DAY}
# Where "hằng năm" is a noun's modifier, not the duty's cadence: right before "của"
# ("thi đua hằng năm của các cơ quan"), inside a phrase that names where the work goes
# ("vào tiêu chí ... hằng năm", "trong kế hoạch ... hằng năm", "theo ..."), or right
# after a noun naming a periodic assessment ("xếp loại thi đua hằng năm"). Folded.
_MODIFIED_NOUN = re.compile(r"(?:thi dua|khen thuong|xep loai|binh xet|danh gia|kiem diem)\s*$")
_NOUN_PHRASE_PREPOSITION = re.compile(r"(?<!\w)(?:vao|trong|theo)(?!\w)")
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
    recurrence = _cadence(source, span)
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
            stated = _STATED_DAY.get(unit)
            day = stated.search(source, start, end) if stated else None
            if day is not None:  # "hằng quý ... trước ngày 15 của tháng cuối quý"
                span = (min(span[0], day.start()), max(span[1], day.end()))
            text = source[span[0] : span[1]]
            return Timing("recurring", recurrence=_RECURRENCES[unit], text=text), span
        problems.append(
            f"dòng {line}: định kỳ «{recurrence.group()}» chưa hỗ trợ "
            "(chỉ hằng tháng, hằng quý, hằng năm)"
        )
    return Timing("continuous"), None


def _cadence(source: str, span: Span) -> re.Match[str] | None:
    """The first recurrence phrase of the sentence `span` that sets the duty's cadence."""
    for m in _RECURRENCE.finditer(source, *span):
        if _sets_cadence(source, span[0], m):
            return m
    return None


def _sets_cadence(source: str, start: int, m: re.Match[str]) -> bool:
    """Whether a recurrence phrase qualifies the duty ("Định kỳ hằng quý báo cáo",
    "bố trí kinh phí hằng năm để ...") rather than a noun before it (`_MODIFIED_NOUN`)."""
    if m.start("phrase") > m.start():  # "định kỳ hằng ..." is always the cadence
        return True
    # The words since the clause began (a comma, ";" or the sentence's start).
    before = fold(re.split(r"[,;:]", source[start : m.start()])[-1])
    after = fold(source[m.end() : m.end() + 8]).split()
    return not (
        after[:1] == ["cua"]
        or _MODIFIED_NOUN.search(before)
        or _NOUN_PHRASE_PREPOSITION.search(before)
    )


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


def time_limit_at(text: str) -> int | None:
    """Where `text` states its time limit ("hoàn thành trước ngày 31/3/2025", "trước
    ngày 15 của tháng cuối quý"), if it states one: a title leaves it to the timing."""
    found = [m.start() for p in (_DEADLINE, _QUARTER_DAY, _MONTH_DAY) if (m := p.search(text))]
    return min(found, default=None)
