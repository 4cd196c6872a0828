"""Digests for managers: where each agency stands on each duty, in the Government
Office's words, what is overdue, who has not reported, and what changed since the
last digest; with a chart of completion per agency (`digest_chart`, a PNG) and an
.xlsx of the details.

Scope: a manager sees their own agency; a manager of UBND tỉnh (and an admin) sees
every agency. Status of an agency on a duty (its current occurrence for a periodic
duty, see `bot.domain.deadlines`):

* hoàn thành đúng hạn / hoàn thành quá hạn: the done report settling it says the work
  was finished (`completed_on`; older reports: the day they were made) on or before /
  after the deadline, whenever it was reported;
* chưa hoàn thành – trong hạn / – quá hạn: reported, not done, deadline ahead / passed;
* chưa báo cáo: no report (for a periodic duty: none in the period, the late report
  that settled the period before not counting).

A periodic duty shows its last period while that is open, or settled late by the
latest report (the manager sees "hoàn thành quá hạn" for the period it was for), and
the next period otherwise.

A continuous duty has no deadline: done counts as on time, anything else reported as
"trong hạn". The snapshot of every status goes with each digest in the outbox, so
the next digest can list what changed. A duty whose deadline cannot be computed (a
stored date outside the working calendar) is left out and listed apart (`skipped`);
the rest of the digest stands.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.application.scheduler.policy import (
    DutyState,
    Problems,
    ReportView,
    Settled,
    Skipped,
    duty_states,
)
from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar
from bot.domain.deadlines import DutyPlan

STATUSES = ("on_time", "late_done", "open", "overdue", "unreported")
STATUS_WORDS = {
    "on_time": "hoàn thành đúng hạn",
    "late_done": "hoàn thành quá hạn",
    "open": "chưa hoàn thành – trong hạn",
    "overdue": "chưa hoàn thành – quá hạn",
    "unreported": "chưa báo cáo",
}
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
MAX_LISTED = 15  # items per list in the message; the spreadsheet has everything
DIGEST_KIND = "digest"


@dataclass(frozen=True)
class DigestRow:
    agency_id: str
    agency: str
    duty_id: str
    title: str
    clause: str
    deadline: dt.date | None
    period: str
    status: str  # one of STATUSES
    late: bool  # the deadline has passed and it is not done (reported or not)
    report_status: str | None
    percent: int | None
    reported_at: dt.datetime | None
    blockers: str = ""  # from the latest report
    evidence: str = ""
    completed_on: dt.date | None = None  # done: the day the settling report gives

    @property
    def key(self) -> str:
        return f"{self.agency_id}|{self.duty_id}"


@dataclass(frozen=True)
class AgencySummary:
    agency_id: str
    agency: str
    counts: dict[str, int]
    total: int

    @property
    def completion(self) -> float:
        """Percent done (on time or late), to two decimals: 2 of 577 is 0,35%, not 0%."""
        done = self.counts.get("on_time", 0) + self.counts.get("late_done", 0)
        return round(100 * done / self.total, 2) if self.total else 0.0


@dataclass(frozen=True)
class Change:
    agency: str
    title: str
    before: str
    after: str


@dataclass
class Digest:
    scope: str
    agency_ids: list[str]
    generated_at: dt.datetime
    rows: list[DigestRow]
    agencies: list[AgencySummary] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    changes: list[Change] | None = None  # None: no earlier digest to compare with
    previous_at: dt.datetime | None = None
    skipped: list[Skipped] = field(default_factory=list)  # duties that could not be computed

    @property
    def snapshot(self) -> dict[str, str]:
        return {row.key: row.status for row in self.rows}

    @property
    def late(self) -> list[DigestRow]:
        """Late rows: reported-but-late first, then by the most recent deadline."""
        late = [r for r in self.rows if r.late]
        return sorted(
            late,
            key=lambda r: (r.status != "overdue", -(r.deadline or dt.date.min).toordinal()),
        )

    @property
    def blocked(self) -> list[DigestRow]:
        """Rows whose latest report names a blocker and is not done: newest first
        (managers read a digest for these)."""
        open_blockers = [
            r for r in self.rows if r.blockers and r.status not in ("on_time", "late_done")
        ]
        return sorted(open_blockers, key=lambda r: r.reported_at or _EPOCH, reverse=True)

    @property
    def unreported(self) -> list[tuple[str, int]]:
        """(agency, number of duties without a report), most first."""
        counts = Counter(r.agency for r in self.rows if r.status == "unreported")
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def status_of(
    report: ReportView | None,
    deadline: dt.date | None,
    settled: Settled | None,
    today: dt.date,
    calendar: WorkingCalendar,
    period_start: dt.date | None,
    report_spent: bool = False,
) -> tuple[str, bool]:
    """(status, late) of one agency on one duty (`report_spent`: the latest report
    settled an earlier period, so it is no report on this one)."""
    in_period = (
        report is not None
        and not report_spent
        and (period_start is None or calendar.today(report.created_at) >= period_start)
    )
    if deadline is None:  # continuous
        if report is None:
            return "unreported", False
        return ("on_time" if report.status == "done" else "open"), False
    if settled is not None:
        return ("on_time" if settled.on <= deadline else "late_done"), False
    late = today > deadline
    if not in_period:
        return "unreported", late
    return ("overdue" if late else "open"), late


def build_digest(
    now: dt.datetime,
    plans: Sequence[DutyPlan],
    reports: dict[tuple[str, str], ReportView],
    calendar: WorkingCalendar,
    settings: NudgeSettings,
    agency_ids: Sequence[str],
    agency_names: dict[str, str],
    scope: str,
    previous: dict[str, str] | None = None,
    previous_at: dt.datetime | None = None,
) -> Digest:
    """The digest over `agency_ids` (pure: everything comes in as arguments)."""
    today = calendar.today(now)
    wanted = set(agency_ids)
    order = {agency_id: i for i, agency_id in enumerate(agency_ids)}
    scoped = [
        DutyPlan(**{**p.__dict__, "agencies": tuple(a for a in p.agencies if a in wanted)})
        for p in plans
    ]
    scoped = [p for p in scoped if p.agencies]
    rows: list[DigestRow] = []
    periodic = [p for p in scoped if p.timing_kind != "continuous"]
    # The occurrence that matters: the last one if it is still open (or was just
    # settled late, by the latest report), else the next one.
    chosen: dict[tuple[str, str], DutyState] = {}
    problems = Problems()
    for state in duty_states(today, periodic, reports, calendar, settings, problems):
        key = (state.agency_id, state.plan.duty_id)
        if key not in chosen or _gives_way(chosen[key]):
            chosen[key] = state
    for state in chosen.values():
        occurrence = state.occurrence
        status, late = status_of(
            state.report,
            occurrence.deadline,
            state.settled,
            today,
            calendar,
            occurrence.period_start,
            state.report_spent,
        )
        rows.append(
            _row(
                state.plan,
                state.agency_id,
                agency_names,
                occurrence.deadline,
                occurrence.label,
                status,
                late,
                state.report,
                state.settled.on if state.settled else None,
            )
        )
    for plan in scoped:
        if plan.timing_kind != "continuous":
            continue
        for agency_id in plan.agencies:
            report = reports.get((agency_id, plan.duty_id))
            status, late = status_of(report, None, None, today, calendar, None)
            finished = report.finished_on(calendar) if report else None
            rows.append(
                _row(plan, agency_id, agency_names, None, "", status, late, report, finished)
            )
    duty_order = {p.duty_id: i for i, p in enumerate(plans)}
    rows.sort(key=lambda r: (order.get(r.agency_id, 0), duty_order.get(r.duty_id, 0)))
    per_agency: dict[str, Counter[str]] = {}
    for row in rows:
        per_agency.setdefault(row.agency_id, Counter())[row.status] += 1
    summaries = [
        AgencySummary(a, agency_names.get(a, a), dict(c), sum(c.values()))
        for a, c in sorted(per_agency.items(), key=lambda item: order.get(item[0], 0))
    ]
    totals = Counter(row.status for row in rows)
    digest = Digest(
        scope, list(agency_ids), now, rows, summaries, dict(totals), skipped=problems.skipped
    )
    if previous is not None:
        names = {r.key: (r.agency, r.title) for r in rows}
        digest.changes = [
            Change(
                names[key][0], names[key][1], STATUS_WORDS.get(before, before), STATUS_WORDS[after]
            )
            for key, after in digest.snapshot.items()
            if (before := previous.get(key, "unreported")) != after
        ]
        digest.previous_at = previous_at
    return digest


def _gives_way(past: DutyState) -> bool:
    """A settled past occurrence gives way to the next one, unless the latest report
    settled it late: that is the news, until the agency reports on the next period."""
    settled = past.settled
    if settled is None:
        return False
    return not (settled.by_latest and settled.on > past.occurrence.deadline)


def _row(
    plan: DutyPlan,
    agency_id: str,
    names: dict[str, str],
    deadline: dt.date | None,
    period: str,
    status: str,
    late: bool,
    report: ReportView | None,
    completed_on: dt.date | None = None,
) -> DigestRow:
    return DigestRow(
        agency_id,
        names.get(agency_id, agency_id),
        plan.duty_id,
        plan.title,
        plan.clause_label,
        deadline,
        period,
        status,
        late,
        report.status if report else None,
        report.percent if report else None,
        report.created_at if report else None,
        report.blockers if report else "",
        report.evidence if report else "",
        completed_on,
    )
