"""Digests for managers: where each agency stands on each duty, in the Government
Office's words, what is overdue, who has not reported, and what changed since the
last digest; with a chart of completion per agency (`digest_chart`, a PNG) and an
.xlsx of the details.

Scope: a manager sees their own agency; a manager of UBND tỉnh (and an admin) sees
every agency. The status of an agency on a duty (its current occurrence for a
periodic duty, see `bot.domain.deadlines`) is `bot.domain.status.status_of`: the one
definition, in the Government Office's words. Only duties count: a clause that states
a responsibility (`Duty.kind`) is not among the plans.

A periodic duty shows its last period while that is open, or settled late by the
latest report (the manager sees "hoàn thành quá hạn" for the period it was for), and
the next period otherwise; a report counts for one period only (`policy.settle`).

A row whose deadline is not the date written (a day off, an extension) says why
(`DigestRow.note`). The snapshot of every status goes with each digest in the outbox,
so the next digest can list what changed. A duty whose deadline cannot be computed (a
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
    Skipped,
    duty_states,
)
from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar
from bot.domain.dates import vn_date
from bot.domain.deadlines import DutyPlan, Occurrence
from bot.domain.status import DONE, LATE, STATUSES, UNREPORTED, Tally, deadline_note, status_of
from bot.domain.status import WORDS as STATUS_WORDS

__all__ = ["STATUSES", "STATUS_WORDS", "AgencySummary", "Digest", "DigestRow", "build_digest"]
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
    report_status: str | None
    percent: int | None
    reported_at: dt.datetime | None
    blockers: str = ""  # from the latest report
    evidence: str = ""
    completed_on: dt.date | None = None  # done: the day the settling report gives
    note: str = ""  # why the deadline is not the date written (a day off, an extension)
    duty_label: str = ""  # the id users see (DutyPlan.label)
    evidence_number: int | None = None  # the latest report's kept file (`/minhchung`)
    evidence_file_name: str = ""  # that file's name (`DigestBuilder.build` adds it)

    @property
    def evidence_record(self) -> str:
        """The evidence as a formal document records it: the reference typed and the
        file by its name and number ("tệp «bienban.pdf» (số 1)"), never a chat command."""
        parts = [self.evidence] if self.evidence else []
        if self.evidence_number:
            name = f"«{self.evidence_file_name}» " if self.evidence_file_name else ""
            parts.append(f"tệp {name}(số {self.evidence_number})")
        return "; ".join(parts)

    @property
    def key(self) -> str:
        return f"{self.agency_id}|{self.duty_id}"

    @property
    def late(self) -> bool:
        """The deadline has passed and it is not done (reported or not)."""
        return self.status in LATE


@dataclass(frozen=True)
class AgencySummary:
    agency_id: str
    agency: str
    tally: Tally

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.tally.counts)

    @property
    def total(self) -> int:
        return self.tally.total

    @property
    def completion(self) -> float:
        return self.tally.completion


def lowest_first(agencies: Sequence[AgencySummary]) -> list[AgencySummary]:
    """Agencies by completion, lowest first; among equals, the larger share overdue,
    then unreported, then by name. The one order of /tonghop, the chart and the portal
    (they once broke ties three ways, and named different «lowest» agencies)."""
    return sorted(
        agencies,
        key=lambda a: (
            a.completion,
            -a.tally.late / (a.total or 1),
            -a.tally.unreported / (a.total or 1),
            a.agency,
        ),
    )


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
    tally: Tally = field(default_factory=lambda: Tally.of(()))
    changes: list[Change] | None = None  # None: no earlier digest to compare with
    previous_at: dt.datetime | None = None
    skipped: list[Skipped] = field(default_factory=list)  # duties that could not be computed
    subject: str = "Chỉ thị"  # the directives it covers, as titles name them
    subject_dated: str = "Chỉ thị"  # the same with number and date, for formal documents
    province: bool = False  # over every agency with duties (its trend is the province's)
    # Province-wide only: tasks no agency reports on (addressed to a group the catalog
    # has no member of, «UBND cấp xã»): (shown id, title, the group's name).
    unassigned: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return dict(self.tally.counts)

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
        open_blockers = [r for r in self.rows if r.blockers and r.status not in DONE]
        return sorted(open_blockers, key=lambda r: r.reported_at or _EPOCH, reverse=True)

    @property
    def unreported(self) -> list[tuple[str, int]]:
        """(agency, number of duties without a report), most first."""
        counts = Counter(r.agency for r in self.rows if r.status in UNREPORTED)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


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
        rows.append(
            _row(
                state.plan,
                state.agency_id,
                agency_names,
                occurrence,
                state.status(today, calendar),
                state.report,
                state.settled.on if state.settled else None,
                _note(state.plan, occurrence, calendar),
            )
        )
    for plan in scoped:
        if plan.timing_kind != "continuous":
            continue
        for agency_id in plan.agencies:
            report = reports.get((agency_id, plan.duty_id))
            finished = report.finished_on(calendar) if report else None
            status = status_of(None, finished, report is not None, today)
            rows.append(_row(plan, agency_id, agency_names, None, status, report, finished))
    duty_order = {p.duty_id: i for i, p in enumerate(plans)}
    rows.sort(key=lambda r: (order.get(r.agency_id, 0), duty_order.get(r.duty_id, 0)))
    per_agency: dict[str, list[str]] = {}
    for row in rows:
        per_agency.setdefault(row.agency_id, []).append(row.status)
    summaries = [
        AgencySummary(a, agency_names.get(a, a), Tally.of(statuses))
        for a, statuses in sorted(per_agency.items(), key=lambda item: order.get(item[0], 0))
    ]
    tally = Tally.of(row.status for row in rows)
    digest = Digest(scope, list(agency_ids), now, rows, summaries, tally, skipped=problems.skipped)
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


def _note(plan: DutyPlan, occurrence: Occurrence, calendar: WorkingCalendar) -> str:
    """Why the deadline shown is not the date written: an extension, a day off."""
    parts = []
    if plan.extended and plan.pack_due is not None and occurrence.kind == "deadline":
        parts.append(f"gia hạn từ {vn_date(plan.pack_due)}")
    written = occurrence.due
    parts.append(deadline_note(written, occurrence.deadline, calendar.why_not_working(written)))
    return "; ".join(part for part in parts if part)


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
    occurrence: Occurrence | None,
    status: str,
    report: ReportView | None,
    completed_on: dt.date | None = None,
    note: str = "",
) -> DigestRow:
    return DigestRow(
        agency_id,
        names.get(agency_id, agency_id),
        plan.duty_id,
        plan.title,
        plan.clause_label,
        occurrence.deadline if occurrence else None,
        occurrence.label if occurrence else "",
        status,
        report.status if report else None,
        report.percent if report else None,
        report.created_at if report else None,
        _blockers(report),
        report.evidence if report else "",
        completed_on,
        note,
        plan.shown_id,
        report.evidence_number if report else None,
    )


# What a manager reads for a report marked «Gặp vướng mắc» whose official skipped
# the blocker step: it is still a blocker (counted, listed, in the .xlsx and .docx).
UNSTATED_BLOCKER = "(chưa ghi nội dung vướng mắc)"


def _blockers(report: ReportView | None) -> str:
    if report is None:
        return ""
    if not report.blockers and report.status == "blocked":
        return UNSTATED_BLOCKER
    return report.blockers
