"""Where an agency stands on a duty, in the Government Office's words: the one
definition every output counts with (the digest's text, chart, .xlsx and .docx,
/tiendo, /tonghop, the web portal's dashboard, and the nudges' idea of "overdue").

* hoàn thành đúng hạn / hoàn thành quá hạn: a done report settles it, the work finished
  on or before / after the deadline;
* đang thực hiện trong hạn / quá hạn: reported, not done, the deadline ahead / passed;
* chưa báo cáo – trong hạn / quá hạn: no report (for a periodic duty: none in the
  period), the deadline ahead / passed.

"Quá hạn" as a count means past the deadline and not done, reported or not
(`LATE`): an unreported duty whose deadline has passed is overdue like a reported
one. A duty with no deadline (continuous) is never late: done counts as on time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.domain.dates import vn_date

STATUSES = ("on_time", "late_done", "open", "overdue", "unreported", "unreported_late")
WORDS = {
    "on_time": "hoàn thành đúng hạn",
    "late_done": "hoàn thành quá hạn",
    "open": "đang thực hiện trong hạn",
    "overdue": "đang thực hiện quá hạn",
    "unreported": "chưa báo cáo – trong hạn",
    "unreported_late": "chưa báo cáo – quá hạn",
}
# A progress report's own status inside a sentence (a nudge's reason: «báo cáo gần nhất:
# đang thực hiện 60%»); the chat's buttons read templates/labels.yaml's capitalized ones.
REPORT_WORDS = {
    "not_started": "chưa thực hiện",
    "in_progress": "đang thực hiện",
    "done": "hoàn thành",
    "blocked": "gặp vướng mắc",
}
DONE = frozenset({"on_time", "late_done"})
LATE = frozenset({"overdue", "unreported_late"})  # past the deadline and not done
UNREPORTED = frozenset({"unreported", "unreported_late"})
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def status_of(
    deadline: dt.date | None, done_on: dt.date | None, reported: bool, today: dt.date
) -> str:
    """The status of one agency on one duty (one period of a periodic duty).

    `done_on`: the day the done report settling it says the work was finished (None:
    not settled); `reported`: a report counts for this period (made in it, and not
    the one that settled the period before)."""
    if deadline is None:
        if done_on is not None:
            return "on_time"
        return "open" if reported else "unreported"
    if done_on is not None:
        return "on_time" if done_on <= deadline else "late_done"
    late = today > deadline
    if reported:
        return "overdue" if late else "open"
    return "unreported_late" if late else "unreported"


@dataclass(frozen=True)
class Tally:
    """Counts by status over some rows: every total is the sum of its statuses."""

    counts: Mapping[str, int]

    @classmethod
    def of(cls, statuses: Iterable[str]) -> Tally:
        counts = dict.fromkeys(STATUSES, 0)
        for status in statuses:
            counts[status] += 1
        return cls(counts)

    def __getitem__(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return sum(self[s] for s in DONE)

    @property
    def late(self) -> int:
        """Past the deadline and not done, reported or not."""
        return sum(self[s] for s in LATE)

    @property
    def unreported(self) -> int:
        return sum(self[s] for s in UNREPORTED)

    @property
    def completion(self) -> float:
        """Percent done (on time or late), to two decimals: 2 of 577 is 0,35%, not 0%."""
        return round(100 * self.done / self.total, 2) if self.total else 0.0


def deadline_note(written: dt.date | None, deadline: dt.date | None, why: str | None) -> str:
    """Why a deadline is not the date the text gives: "30/6/2019 là Chủ nhật: hạn tính
    đến 01/7/2019" (a day off: Bộ luật Dân sự 2015, Điều 148), or "" when they agree.
    `why`: what the working calendar says of the written day ("cuối tuần", "ngày lễ
    (…)"); a weekend is named by its weekday."""
    if written is None or deadline is None or written == deadline:
        return ""
    day = WEEKDAYS[written.weekday()] if why is None or why == "cuối tuần" else why
    return f"{vn_date(written)} là {day}: hạn tính đến {vn_date(deadline)}"


def text_bar(percent: float, width: int = 8) -> str:
    """A progress bar in characters a phone shows in any font: "▓▓▓▓░░░░" for 52%."""
    filled = min(width, max(0, round(percent * width / 100)))
    return "▓" * filled + "░" * (width - filled)


@dataclass(frozen=True)
class Trend:
    """How the counts moved since an earlier digest of the same scope."""

    since: dt.date
    done: int  # more done (on time or late)
    late: int  # more overdue (negative: fewer)
    total: int

    @classmethod
    def between(cls, before: Tally, now: Tally, since: dt.date) -> Trend:
        return cls(since, now.done - before.done, now.late - before.late, now.total - before.total)


def signed(n: int) -> str:
    """+3, −2 (a true minus sign, as printed), 0."""
    return f"+{n}" if n > 0 else f"−{-n}" if n < 0 else "0"
