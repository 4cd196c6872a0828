"""Digests for managers: where each agency stands on each duty, in the Government
Office's words, what is overdue, who has not reported, and what changed since the
last digest; with a chart of completion per agency (`digest_chart`, a PNG) and an
.xlsx of the details.

Scope: a manager sees their own agency; a manager of UBND tỉnh (and an admin) sees
every agency. Status of an agency on a duty (its current occurrence for a periodic
duty, see `bot.scheduler.deadlines`):

* hoàn thành đúng hạn / hoàn thành quá hạn: the report settling it is dated on or
  before / after the deadline;
* chưa hoàn thành – trong hạn / – quá hạn: reported, not done, deadline ahead / passed;
* chưa báo cáo: no report (for a periodic duty: none in the period).

A continuous duty has no deadline: done counts as on time, anything else reported as
"trong hạn". The snapshot of every status goes with each digest in the outbox, so
the next digest can list what changed.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.catalog import Catalog
from bot.core.messages import Reply
from bot.core.render import Renderer, vn_date
from bot.scheduler.calendar import TIMEZONE as _TZ
from bot.scheduler.calendar import WorkingCalendar
from bot.scheduler.deadlines import DutyPlan
from bot.scheduler.policy import DutyState, Recipient, ReportView, duty_states
from bot.scheduler.settings import NudgeSettings
from bot.scheduler.settings import current as current_settings
from bot.scheduler.world import World, load_world
from bot.storage.models import OutboxMessage, User
from nlu.yaml_io import read_yaml

if TYPE_CHECKING:
    from bot.core.services.digest_chart import ChartData

STATUSES = ("on_time", "late_done", "open", "overdue", "unreported")
STATUS_WORDS = {
    "on_time": "hoàn thành đúng hạn",
    "late_done": "hoàn thành quá hạn",
    "open": "chưa hoàn thành – trong hạn",
    "overdue": "chưa hoàn thành – quá hạn",
    "unreported": "chưa báo cáo",
}
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
    def completion(self) -> int:
        done = self.counts.get("on_time", 0) + self.counts.get("late_done", 0)
        return round(100 * done / self.total) if self.total else 0


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
    def unreported(self) -> list[tuple[str, int]]:
        """(agency, number of duties without a report), most first."""
        counts = Counter(r.agency for r in self.rows if r.status == "unreported")
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def status_of(
    plan: DutyPlan,
    report: ReportView | None,
    deadline: dt.date | None,
    satisfied: bool,
    today: dt.date,
    calendar: WorkingCalendar,
    period_start: dt.date | None,
) -> tuple[str, bool]:
    """(status, late) of one agency on one duty."""
    in_period = report is not None and (
        period_start is None or calendar.today(report.created_at) >= period_start
    )
    if deadline is None:  # continuous
        if report is None:
            return "unreported", False
        return ("on_time" if report.status == "done" else "open"), False
    if satisfied and report is not None:
        made_on = calendar.today(report.created_at)
        return ("on_time" if made_on <= deadline else "late_done"), False
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
    # The occurrence that matters: the last one if it is still open, else the next one.
    chosen: dict[tuple[str, str], DutyState] = {}
    for state in duty_states(today, periodic, reports, calendar, settings):
        key = (state.agency_id, state.plan.duty_id)
        if key not in chosen or chosen[key].satisfied:
            chosen[key] = state  # a settled past occurrence gives way to the next one
    for state in chosen.values():
        occurrence = state.occurrence
        status, late = status_of(
            state.plan,
            state.report,
            occurrence.deadline,
            state.satisfied,
            today,
            calendar,
            occurrence.period_start,
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
            )
        )
    for plan in scoped:
        if plan.timing_kind != "continuous":
            continue
        for agency_id in plan.agencies:
            report = reports.get((agency_id, plan.duty_id))
            status, late = status_of(plan, report, None, False, today, calendar, None)
            rows.append(_row(plan, agency_id, agency_names, None, "", status, late, report))
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
    digest = Digest(scope, list(agency_ids), now, rows, summaries, dict(totals))
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


def _row(
    plan: DutyPlan,
    agency_id: str,
    names: dict[str, str],
    deadline: dt.date | None,
    period: str,
    status: str,
    late: bool,
    report: ReportView | None,
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
    )


def to_xlsx(digest: Digest, status_labels: dict[str, str]) -> bytes:
    """The digest as a workbook: summary per agency, every row, the overdue ones."""
    from openpyxl import Workbook  # ~0.2 s to import: only when a workbook is made

    book = Workbook(write_only=True)
    summary = book.create_sheet("Tổng hợp")
    summary.append([f"Tổng hợp thực hiện Chỉ thị 06/CT-UBND — {digest.scope}"])
    summary.append([f"Tính đến {digest.generated_at.astimezone(_TZ):%H:%M %d/%m/%Y}"])
    summary.append([])
    summary.append(
        ["Cơ quan", *[STATUS_WORDS[s] for s in STATUSES], "Tổng số", "Tỷ lệ hoàn thành (%)"]
    )
    for agency in digest.agencies:
        summary.append(
            [
                agency.agency,
                *[agency.counts.get(s, 0) for s in STATUSES],
                agency.total,
                agency.completion,
            ]
        )
    details = book.create_sheet("Chi tiết")
    header = [
        "Cơ quan",
        "Mã nhiệm vụ",
        "Nhiệm vụ",
        "Điều khoản",
        "Hạn",
        "Kỳ",
        "Tình trạng",
        "Báo cáo gần nhất",
        "Mức độ (%)",
        "Ngày báo cáo",
    ]
    details.append(header)
    late = book.create_sheet("Quá hạn")
    late.append(header)
    for row in digest.rows:
        values = [
            row.agency,
            row.duty_id,
            row.title,
            row.clause,
            vn_date(row.deadline),
            row.period,
            STATUS_WORDS[row.status],
            status_labels.get(row.report_status or "", row.report_status or ""),
            row.percent,
            row.reported_at.astimezone(_TZ).strftime("%d/%m/%Y") if row.reported_at else "",
        ]
        details.append(values)
        if row.late:
            late.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class DigestBuilder:
    """Builds digests for users from the database, and renders them."""

    def __init__(
        self, catalog: Catalog, templates_dir: Path, settings: NudgeSettings | None = None
    ) -> None:
        self.catalog = catalog
        self.templates_dir = templates_dir
        self.settings = settings or current_settings()
        self.status_labels: dict[str, str] = read_yaml(templates_dir / "labels.yaml")["status"]
        self.renderers = {
            "html": Renderer(templates_dir, "html"),
            "text": Renderer(templates_dir, "text"),
        }
        self._charts: dict[ChartData, bytes] = {}  # see `chart`

    def all_agencies(self) -> list[str]:
        """Concrete agencies with at least one duty, in the pack's order."""
        concerned = {a for plan_agencies in self._responsible().values() for a in plan_agencies}
        return [a.id for a in self.catalog.kb.agencies if a.id in concerned]

    def _responsible(self) -> dict[str, tuple[str, ...]]:
        from bot.core.services.nudges import responsible_agencies

        return {
            duty_id: responsible_agencies(self.catalog, duty)
            for duty_id, (_, duty) in self.catalog.duties.items()
        }

    def scope_of(self, agency_id: str | None, role: str) -> tuple[list[str], str] | None:
        """The agencies a user's digest covers, and its title; None: not allowed."""
        if role == "admin" or (role == "manager" and agency_id == self.settings.province_agency):
            return self.all_agencies(), "toàn tỉnh"
        if role == "manager" and agency_id in self.catalog.agencies:
            return [agency_id], self.catalog.agencies[agency_id].short_name
        return None

    def agency_names(self) -> dict[str, str]:
        return {a.id: a.short_name for a in self.catalog.kb.agencies}

    def build(
        self,
        session: Session,
        now: dt.datetime,
        agency_ids: list[str],
        scope: str,
        user_id: int | None = None,
        world: World | None = None,
    ) -> Digest:
        world = world or load_world(session, self.catalog, self.settings)
        previous, previous_at = (None, None) if user_id is None else last_snapshot(session, user_id)
        return build_digest(
            now,
            world.plans,
            world.reports,
            world.calendar,
            self.settings,
            agency_ids,
            self.agency_names(),
            scope,
            previous,
            previous_at,
        )

    def for_recipient(
        self, session: Session, recipient: Recipient, now: dt.datetime, world: World | None = None
    ) -> Digest:
        scope = self.scope_of(recipient.agency_id, recipient.role)
        if scope is None:
            raise ValueError(f"user {recipient.user_id} gets no digest")
        return self.build(session, now, scope[0], scope[1], recipient.user_id, world)

    def for_user(self, session: Session, user: User, now: dt.datetime) -> Digest | None:
        scope = self.scope_of(user.agency_id, user.role)
        if scope is None:
            return None
        return self.build(session, now, scope[0], scope[1], user.id)

    def reply(self, digest: Digest, attached: bool = False) -> Reply:
        single = len(digest.agency_ids) == 1
        data = {
            "scope": digest.scope,
            "at": digest.generated_at,
            "single": single,
            "total": len(digest.rows),
            "totals": [(STATUS_WORDS[s], digest.totals.get(s, 0)) for s in STATUSES],
            "agencies": [
                {
                    "name": a.agency,
                    "completion": a.completion,
                    "late": a.counts.get("overdue", 0),
                    "unreported": a.counts.get("unreported", 0),
                    "total": a.total,
                }
                for a in digest.agencies
            ][: 3 * MAX_LISTED],
            "rows": [
                {
                    "title": r.title,
                    "clause": r.clause,
                    "status": STATUS_WORDS[r.status],
                    "deadline": r.deadline,
                }
                for r in digest.rows
                if r.deadline is not None or r.status != "on_time"
            ][: 3 * MAX_LISTED]
            if single
            else [],
            "late": [
                {
                    "agency": r.agency,
                    "title": r.title,
                    "deadline": r.deadline,
                    "status": STATUS_WORDS[r.status],
                }
                for r in digest.late
            ],
            "unreported": digest.unreported,
            "changes": digest.changes,
            "previous_at": digest.previous_at,
            "max": MAX_LISTED,
            "attached": attached,
        }
        return Reply("digest/summary", data)

    def chart(self, digest: Digest) -> tuple[str, bytes]:
        """(caption, PNG) of the digest's chart. Memoized on what is drawn: a weekly
        tick's managers of one agency (or of the province) share one drawing."""
        from bot.core.services.digest_chart import chart_data, to_png

        data = chart_data(digest)
        png = self._charts.get(data)
        if png is None:
            if len(self._charts) >= 32:
                self._charts.clear()
            png = self._charts[data] = to_png(data)
        return data.caption, png

    def payload(self, channel: str, digest: Digest, attach: bool = True) -> dict[str, Any]:
        html = channel == "telegram"
        text = self.renderers["html" if html else "text"].render(self.reply(digest, attach))
        payload: dict[str, Any] = {
            "text": text,
            "parse_mode": "HTML" if html else None,
            "buttons": [],
            "columns": 1,
            "snapshot": digest.snapshot,
            "generated_at": digest.generated_at.isoformat(),
        }
        if attach:
            local = digest.generated_at.astimezone(_TZ)
            if digest.agencies:  # sent before the workbook (TelegramSender: photos first)
                caption, png = self.chart(digest)
                payload["photos"] = [
                    {
                        "filename": f"bieu-do-chi-thi-06-{local:%Y%m%d}.png",
                        "content": base64.b64encode(png).decode(),
                        "caption": caption,
                    }
                ]
            payload["documents"] = [
                {
                    "filename": f"tong-hop-chi-thi-06-{local:%Y%m%d}.xlsx",
                    "content": base64.b64encode(to_xlsx(digest, self.status_labels)).decode(),
                    "caption": f"Tổng hợp chi tiết — {digest.scope}",
                }
            ]
        return payload


def last_snapshot(
    session: Session, user_id: int
) -> tuple[dict[str, str] | None, dt.datetime | None]:
    """The statuses the user's previous digest showed (None: never had one)."""
    row = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.user_id == user_id, OutboxMessage.kind.startswith(DIGEST_KIND))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    )
    if row is None or "snapshot" not in row.payload:
        return None, None
    at = row.payload.get("generated_at")
    return dict(row.payload["snapshot"]), dt.datetime.fromisoformat(at) if at else row.created_at


def enqueue_on_demand(session: Session, builder: DigestBuilder, user: User, built: Digest) -> bool:
    """Queue the chart and spreadsheet of an on-demand digest for delivery (with its
    snapshot, so the next digest lists changes since this one); False if one is queued
    this minute."""
    from bot.scheduler.outbox import enqueue

    local = built.generated_at.astimezone(_TZ)
    payload = builder.payload(user.channel, built, attach=True)
    what = "Biểu đồ và tệp Excel chi tiết" if "photos" in payload else "Tệp Excel chi tiết"
    payload["text"] = f"{what} — bản tổng hợp {built.scope}, {local:%H:%M %d/%m/%Y}."
    row = {
        "user_id": user.id,
        "duty_id": "",
        "due": local.date(),
        "kind": f"{DIGEST_KIND}-now-{local:%H%M}",
        "agency_id": user.agency_id,
        "channel": user.channel,
        "address": user.channel_user_id,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": built.generated_at,
        "payload": payload,
        "created_at": built.generated_at,
    }
    return enqueue(session, [row]) == 1
