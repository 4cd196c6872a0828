"""The managers' dashboard and a duty's history, from the digest of the visitor's
scope: the same `DigestBuilder` as `/tonghop` and the weekly digest, so the page shows
the digest's numbers (one definition of every status and of completion).

The dashboard opens with the blockers officials reported ("Khó khăn, vướng mắc") and
what is late, then completion per agency (lowest first, as the digest's chart), then
every row, filtered by agency and status and cut into pages.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.application import evidence, progress
from bot.application.digest import snapshots
from bot.application.digest.builder import DigestBuilder
from bot.application.digest.commands import quarterly_files
from bot.application.digest.model import (
    STATUS_WORDS,
    STATUSES,
    AgencySummary,
    Digest,
    DigestRow,
    lowest_first,
)
from bot.application.messages import OutgoingFile
from bot.application.portal import access
from bot.application.portal.login import Visitor
from bot.domain.calendar import TIMEZONE
from bot.domain.knowledge import split_key
from bot.storage.models import ProgressReport, User

PAGE_SIZE = 50  # rows per page of the detail table
LISTED = 10  # blockers and late rows shown before «Xem tất cả»
BARS = 40  # agencies drawn before «Xem tất cả» (the digest's chart draws as many)
HISTORY_PAGE = 50  # reports per page of a duty's history, newest first
STANDING_PAGE = 50  # agencies per page of where each stands on a duty (538 in a province)
# Where agencies stand on a duty, what needs attention first.
ATTENTION = ("unreported_late", "overdue", "unreported", "open", "late_done", "on_time")
# The status filter: a digest status, or one of the digest's own lists.
STATUS_FILTERS: dict[str, str] = {
    **{status: STATUS_WORDS[status] for status in STATUSES},
    "late": "quá hạn (kể cả chưa báo cáo)",
    "blocked": "có khó khăn, vướng mắc",
}


# The deadline filter: where a row's deadline falls from today.
DEADLINE_FILTERS: dict[str, str] = {
    "qua-han": "hạn đã qua",
    "7-ngay": "hạn trong 7 ngày tới",
    "30-ngay": "hạn trong 30 ngày tới",
    "khong-han": "không có hạn (thường xuyên)",
}


@dataclass(frozen=True)
class Filters:
    agency: str = ""  # "": every agency of the scope
    status: str = ""  # a key of STATUS_FILTERS, or "": every status
    page: int = 1
    all_bars: bool = False
    deadline: str = ""  # a key of DEADLINE_FILTERS, or "": any deadline
    directive: str = ""  # one active directive's id, or "": all of them

    @classmethod
    def read(
        cls,
        agency: str,
        status: str,
        page: str,
        all_bars: str,
        deadline: str = "",
        directive: str = "",
    ) -> Filters:
        """From the query string: an unknown status, deadline or page is ignored, not
        an error (the agency is checked against the scope by the page)."""
        number = int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1
        return cls(
            agency.strip(),
            status if status in STATUS_FILTERS else "",
            max(number, 1),
            all_bars == "1",
            deadline if deadline in DEADLINE_FILTERS else "",
            directive.strip()[:80],  # checked against the active directives by the page
        )

    @property
    def any(self) -> bool:
        """Something filters the rows (the bars' «Xem tất cả» does not)."""
        return bool(self.agency or self.status or self.deadline or self.directive)


@dataclass(frozen=True)
class Segment:
    status: str
    x: float  # percent of the bar's width
    width: float
    count: int


@dataclass(frozen=True)
class Bar:
    summary: AgencySummary
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Week:
    label: str  # the day of the week's last digest, "dd/mm"
    completion: float  # percent
    height: float  # of the drawing's 100: the highest week reaches ~3/4, as in the chart


@dataclass(frozen=True)
class Dashboard:
    scope: access.Scope
    filters: Filters
    digest: Digest
    agencies: list[tuple[str, str]]  # (id, short name): the agency filter's options
    directives: list[tuple[str, str]]  # (id, name) when several apply: the directive filter
    totals: list[tuple[str, int]]  # (status, rows) in STATUSES order
    completion: float  # of every row shown, as `AgencySummary.completion` counts it
    bars: list[Bar]
    more_bars: int
    blocked: list[DigestRow]
    blocked_total: int
    late: list[DigestRow]
    late_total: int
    rows: list[DigestRow]  # this page of the detail table
    matching: int  # rows the filters keep
    pages: int
    may_download_digest: bool
    may_download_quarterly: bool
    weeks: list[Week]  # completion over the last weeks, oldest first ([]: no trend yet)


def bar(summary: AgencySummary) -> Bar:
    segments, x = [], 0.0
    for status in STATUSES:
        count = summary.counts.get(status, 0)
        if count:
            width = 100 * count / summary.total
            segments.append(Segment(status, round(x, 3), round(width, 3), count))
            x += width
    return Bar(summary, tuple(segments))


def _within(row: DigestRow, window: str, today: dt.date) -> bool:
    """Whether the row's deadline falls in the deadline filter's window."""
    if not window:
        return True
    if row.deadline is None:
        return window == "khong-han"
    if window == "qua-han":
        return row.deadline < today
    days = {"7-ngay": 7, "30-ngay": 30}.get(window)
    return days is not None and today <= row.deadline <= today + dt.timedelta(days=days)


def _matches(row: DigestRow, status: str, blocked: set[str]) -> bool:
    if status == "late":
        return row.late
    if status == "blocked":
        return row.key in blocked
    return not status or row.status == status


def dashboard(
    session: Session,
    builder: DigestBuilder,
    visitor: Visitor,
    filters: Filters,
    now: dt.datetime,
) -> Dashboard:
    """The dashboard of the visitor's scope, or of one agency in it (Forbidden outside)."""
    what = f"tong-hop {filters.agency}".strip()
    scope = access.require_agency(session, builder, visitor, filters.agency, what)
    agency_ids = [filters.agency] if filters.agency else list(scope.agency_ids)
    directives = builder.catalog.directives
    # An unknown or retired directive is ignored, as an unknown status is.
    directive_id = filters.directive if filters.directive in directives else None
    filters = replace(filters, directive=directive_id or "")
    digest = builder.build(session, now, agency_ids, scope.title, directive_id=directive_id)
    names = builder.agency_names()
    blocked = digest.blocked
    blocked_keys = {r.key for r in blocked}
    late = digest.late
    # The detail table: what needs attention first (blockers, then late), then the
    # digest's order (agency, duty).
    today = digest.generated_at.astimezone(TIMEZONE).date()
    kept = [
        r
        for r in digest.rows
        if _matches(r, filters.status, blocked_keys) and _within(r, filters.deadline, today)
    ]
    kept.sort(key=lambda r: 0 if r.key in blocked_keys else 1 if r.late else 2)
    pages = max(1, math.ceil(len(kept) / PAGE_SIZE))
    page = min(filters.page, pages)
    ranked = lowest_first(digest.agencies)
    shown = ranked if filters.all_bars else ranked[:BARS]
    everything = AgencySummary("", scope.title, digest.tally)
    return Dashboard(
        scope=scope,
        filters=replace(filters, page=page),
        digest=digest,
        agencies=[(a, names.get(a, a)) for a in scope.agency_ids],
        directives=[(d.id, d.name) for d in directives.values()] if len(directives) > 1 else [],
        totals=[(s, digest.totals.get(s, 0)) for s in STATUSES],
        completion=everything.completion,
        bars=[bar(a) for a in shown],
        more_bars=len(ranked) - len(shown),
        blocked=blocked[:LISTED],
        blocked_total=len(blocked),
        late=late[:LISTED],
        late_total=len(late),
        rows=kept[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        matching=len(kept),
        pages=pages,
        may_download_digest=access.may_download_digest(visitor),
        may_download_quarterly=access.may_download_quarterly(visitor, builder.settings),
        weeks=_weeks(session, builder, digest),
    )


def _weeks(session: Session, builder: DigestBuilder, digest: Digest) -> list[Week]:
    """Completion week by week (the digests' snapshots, as the chart draws it), for a
    scope snapshots are kept of: one agency, or every one (a digest of several other
    agencies is recorded under the province's key: not its own trend)."""
    ids = digest.agency_ids
    if len(ids) != 1 and set(ids) != set(builder.all_agencies()):
        return []
    points = snapshots.weekly(session, digest)
    if len(points) < 2:
        return []
    top = min(max(max(share for _, share in points) * 1.35, 5.0), 100.0)
    return [Week(label, share, round(100 * share / top, 2)) for label, share in points]


def digest_for_download(
    session: Session, builder: DigestBuilder, visitor: Visitor, agency: str, now: dt.datetime
) -> Digest:
    """The digest behind the .xlsx download: `/tonghop`'s users only, in their scope."""
    what = f"tong-hop.xlsx {agency}".strip()
    scope = access.require_agency(session, builder, visitor, agency, what)
    if not access.may_download_digest(visitor):
        raise access.refuse(session, visitor, what)
    agency_ids = [agency] if agency else list(scope.agency_ids)
    return builder.build(session, now, agency_ids, scope.title)


def quarterly_for_download(
    session: Session, builder: DigestBuilder, visitor: Visitor, now: dt.datetime
) -> tuple[OutgoingFile, OutgoingFile]:
    """The quarterly report and its annex, for those who may draft it (`/baocaoquy`)."""
    if not access.may_download_quarterly(visitor, builder.settings):
        raise access.refuse(session, visitor, "bao-cao-quy")
    return quarterly_files(session, builder, visitor.user_id, now)


@dataclass(frozen=True)
class ReportEntry:
    created_at: dt.datetime
    agency: str
    status: str  # the report's status (not_started, in_progress, done, blocked)
    percent: int
    completed_on: dt.date | None  # a done report: the day the work was finished
    blockers: str
    evidence_ref: str
    evidence_date: dt.date | None
    evidence_file: bool  # a file was sent in chat as evidence
    evidence_number: int | None  # the file kept, to open (None: not kept)
    reporter: str


@dataclass(frozen=True)
class DutyPage:
    duty_id: str  # as the address gave it
    label: str  # as users type it: "2.f-4", "06/2019·2.f-4", a retired "15/2021·I.1.a-1"
    title: str
    clause: str
    timing: str
    scope: access.Scope
    agency: str  # the one agency asked for, or ""
    # Where the agencies stand now (the digest's rows), what needs attention first,
    # filtered by `status`, this page of them; and how many stand where.
    rows: list[DigestRow]
    status: str  # a digest status, or "": every one
    standing: int  # the rows `status` keeps
    standing_page: int
    standing_pages: int
    totals: list[tuple[str, int]]  # (status, agencies) in STATUSES order
    reports: list[ReportEntry]  # this page of the history, newest first
    report_count: int  # every report of the duty in the scope
    page: int
    pages: int
    retired_on: dt.date | None = None  # a retired directive's duty: history only


def duty_page(
    session: Session,
    builder: DigestBuilder,
    visitor: Visitor,
    duty_id: str,
    agency: str,
    now: dt.datetime,
    page: int = 1,
    status: str = "",
    standing_page: int = 1,
) -> DutyPage:
    """A duty: where each agency of the scope (or `agency`) stands, with `status` only
    when given, `STANDING_PAGE` agencies a page, and the history of their reports with
    blockers and evidence, `HISTORY_PAGE` a page (a page past the last shows the last)."""
    what = f"nhiem-vu {duty_id} {agency}".strip()
    scope = access.require_agency(session, builder, visitor, agency, what)
    catalog = builder.catalog
    agency_ids = [agency] if agency else list(scope.agency_ids)
    key = catalog.duties.resolve(duty_id)
    retired = None if key is not None else progress.find_retired_duty(session, duty_id)
    if key is not None:
        duty = catalog.duties[key][1]
        title, clause, timing = duty.title, catalog.duty_clause_label(duty), duty.timing.text
        label = catalog.duty_label(key)
        digest = builder.build(session, now, agency_ids, scope.title)
        on_duty = [r for r in digest.rows if r.duty_id == key]
    elif retired is not None:
        key, title, clause, timing = retired.key, retired.title, retired.clause, retired.timing
        label = retired.label
        on_duty = []  # the digest leaves retired directives out: only their history
    else:
        raise access.NotFound("duty", duty_id=duty_id)
    names = builder.agency_names()
    directive_id, plain_id = split_key(key)
    which = (
        ProgressReport.directive_id == directive_id,
        ProgressReport.duty_id == plain_id,
        ProgressReport.agency_id.in_(agency_ids),
    )
    count = session.scalar(select(func.count(ProgressReport.id)).where(*which)) or 0
    pages = max(1, math.ceil(count / HISTORY_PAGE))
    page = min(max(page, 1), pages)
    query = (
        select(ProgressReport, User.display_name)
        .join(User, User.id == ProgressReport.user_id)
        .where(*which)
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
        .offset((page - 1) * HISTORY_PAGE)
        .limit(HISTORY_PAGE)
    )
    reports = [
        ReportEntry(
            created_at=report.created_at,
            agency=names.get(report.agency_id, report.agency_id),
            status=report.status,
            percent=report.percent,
            completed_on=report.completed_on,
            blockers=report.blockers or "",
            evidence_ref=report.evidence_ref or "",
            evidence_date=report.evidence_date,
            evidence_file=bool(report.evidence_file_id),
            evidence_number=report.evidence_number,
            reporter=reporter,
        )
        for report, reporter in session.execute(query)
    ]
    status = status if status in STATUSES else ""
    kept = sorted(
        (r for r in on_duty if not status or r.status == status),
        key=lambda r: ATTENTION.index(r.status),
    )
    standing_pages = max(1, math.ceil(len(kept) / STANDING_PAGE))
    standing_page = min(max(standing_page, 1), standing_pages)
    counts = Counter(r.status for r in on_duty)
    return DutyPage(
        duty_id=duty_id,
        label=label,
        title=title,
        clause=clause,
        timing=timing,
        scope=scope,
        agency=agency,
        rows=kept[(standing_page - 1) * STANDING_PAGE : standing_page * STANDING_PAGE],
        status=status,
        standing=len(kept),
        standing_page=standing_page,
        standing_pages=standing_pages,
        totals=[(s, counts[s]) for s in STATUSES if counts[s]],
        reports=reports,
        report_count=count,
        page=page,
        pages=pages,
        retired_on=retired.retired_on if retired else None,
    )


def evidence_file(
    session: Session, builder: DigestBuilder, visitor: Visitor, number: int
) -> evidence.Opened:
    """An evidence file to download, when the visitor may see its agency's progress
    (the same rule as `/minhchung` in chat)."""
    try:
        opened = evidence.find(session, number, visitor.user_id)
    except evidence.Unknown:
        raise access.NotFound("evidence", number=number) from None
    roles, scope = visitor.roles, visitor.scope
    if not evidence.may_open(builder, opened.agency_id, visitor.agency_id, roles, scope):
        raise access.refuse(session, visitor, f"minh-chung {number}")
    return opened
