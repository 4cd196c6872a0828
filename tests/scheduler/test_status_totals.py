"""Every total equals the sum of its rows, in every output, over many random report
sets (a seeded generator: the same cases every run, each failure names its seed).

Outputs: the digest's first screen and its by-status screen (text), the .xlsx read back
with openpyxl, the quarterly .docx read back with python-docx, /tiendo and /tonghop
through the core, and the web portal's dashboard. All count with the one definition of
status (`bot.domain.status`)."""

from __future__ import annotations

import datetime as dt
import io
import random
import re

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from bot.app import Assistant
from bot.application.digest import views
from bot.application.digest.builder import DigestBuilder
from bot.application.digest.model import Digest, build_digest
from bot.application.digest.quarterly import to_docx
from bot.application.digest.xlsx import to_xlsx
from bot.application.messages import IncomingMessage
from bot.application.portal.dashboard import Filters, dashboard
from bot.application.portal.login import Visitor
from bot.application.render import Renderer, default_templates_dir
from bot.application.scheduler.policy import ReportView
from bot.config import NudgeSettings
from bot.domain.calendar import TIMEZONE, WorkingCalendar
from bot.domain.deadlines import DutyPlan
from bot.domain.status import LATE, STATUSES, UNREPORTED, WORDS
from bot.storage.db import session_scope
from bot.storage.models import ProgressReport
from tests.scheduler.conftest import add_users, at
from tests.web.test_evidence import STTT

NOW = at("2026-12-14", "09:00")
DIRECTIVE = "06-CT-UBND-2019"
REPORT_STATUSES = ("not_started", "in_progress", "done", "blocked")
LABELS = {"not_started": "Chưa bắt đầu", "in_progress": "Đang thực hiện", "done": "Hoàn thành"}


def random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def random_digest(seed: int, calendar: WorkingCalendar) -> Digest:
    """A digest over random duties (deadlines, quarterly, annual, continuous) and
    random reports of random agencies."""
    rng = random.Random(seed)
    agencies = [f"a{i}" for i in range(rng.randint(1, 12))]
    plans = []
    for n in range(rng.randint(1, 15)):
        kind = rng.choice(("deadline", "recurring", "continuous"))
        plans.append(
            DutyPlan(
                duty_id=f"d-{n}",
                title=f"Nhiệm vụ {n}",
                clause_label="Mục 1",
                timing_kind=kind,
                recurrence=rng.choice(("quarterly", "annual")) if kind == "recurring" else None,
                due=random_day(rng, dt.date(2019, 5, 1), dt.date(2027, 6, 30))
                if kind == "deadline"
                else None,
                agencies=tuple(a for a in agencies if rng.random() < 0.7) or (agencies[0],),
            )
        )
    reports = {}
    for plan in plans:
        for agency in plan.agencies:
            if rng.random() < 0.4:
                continue
            status = rng.choice(REPORT_STATUSES)
            made = random_day(rng, dt.date(2019, 5, 1), NOW.date())
            reports[(agency, plan.duty_id)] = ReportView(
                status,
                100 if status == "done" else rng.randrange(100),
                dt.datetime.combine(made, dt.time(10), TIMEZONE),
                blockers="Thiếu kinh phí" if rng.random() < 0.3 else "",
                completed_on=made - dt.timedelta(days=rng.randrange(30))
                if status == "done" and rng.random() < 0.5
                else None,
                earlier_done=tuple(
                    sorted(
                        random_day(rng, dt.date(2019, 5, 1), made) for _ in range(rng.randrange(3))
                    )
                ),
            )
    names = {a: f"Cơ quan {a}" for a in agencies}
    return build_digest(
        NOW, plans, reports, calendar, NudgeSettings(), agencies, names, "toàn tỉnh"
    )


def counted(text: str) -> dict[str, int]:
    """The "• <status words>: n" lines of a screen."""
    found = {}
    for status in STATUSES:
        match = re.search(rf"^• {re.escape(WORDS[status])}: (\d+)$", text, re.MULTILINE)
        assert match, f"no line for {WORDS[status]!r}"
        found[status] = int(match.group(1))
    return found


def check_text(digest: Digest, renderer: Renderer) -> None:
    total = len(digest.rows)
    first = renderer.render(views.summary(digest, "/tonghop"))
    lines = counted(first)
    assert sum(lines.values()) == total
    done = lines["on_time"] + lines["late_done"]
    assert f"hoàn thành ({done}/{total} lượt" in first
    late = sum(lines[s] for s in LATE)
    unreported = sum(lines[s] for s in UNREPORTED)
    assert f"Quá hạn chưa hoàn thành: {late} · Vướng mắc: {len(digest.blocked)} · " in first
    assert f"Chưa báo cáo: {unreported}" in first
    statuses = renderer.render(views.details(digest, "/tonghop", views.Request("tinhtrang")))
    assert counted(statuses) == lines
    assert f"({total} lượt nhiệm vụ – cơ quan)" in statuses
    for status in STATUSES:  # each status's list has as many rows as its count
        page = views.details(digest, "/tonghop", views.Request("tinhtrang", status))
        assert page.data["count"] == lines[status]
    if len(digest.agency_ids) > 1:
        listing = views.details(digest, "/tonghop", views.Request("coquan"))
        assert listing.data["count"] == len(digest.agencies)


def check_xlsx(digest: Digest) -> None:
    book = load_workbook(io.BytesIO(to_xlsx(digest, LABELS)))
    rows = list(book["Tổng hợp"].iter_rows(min_row=5, values_only=True))
    agencies, totals = rows[:-1], rows[-1]
    assert totals[1] == "Tổng cộng" and len(agencies) == len(digest.agencies)
    width = len(STATUSES) + 1  # the statuses and "Tổng số"
    for column in range(2, 2 + width):
        assert totals[column] == sum(row[column] for row in agencies)
    for row in agencies:
        assert row[2 + len(STATUSES)] == sum(row[2 : 2 + len(STATUSES)])
    assert totals[2 + len(STATUSES)] == len(digest.rows)
    details = [r for r in book["Chi tiết"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert len(details) == len(digest.rows)
    for status in STATUSES:
        listed = sum(1 for r in details if r[7] == WORDS[status])
        assert listed == totals[2 + STATUSES.index(status)]
    late = [r for r in book["Quá hạn"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert len(late) == sum(totals[2 + STATUSES.index(s)] for s in LATE)


def check_docx(digest: Digest) -> None:
    document = Document(io.BytesIO(to_docx(digest, 2026, 4, "", STTT)))
    [table] = [t for t in document.tables if t.rows[0].cells[0].text == "Cơ quan"]
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    header, agencies, totals = cells[0], cells[1:-1], cells[-1]
    assert header[1 : 1 + len(STATUSES)] == [WORDS[s] for s in STATUSES]
    assert totals[0] == "Tổng cộng" and len(agencies) == len(digest.agencies)
    for column in range(1, 2 + len(STATUSES)):
        assert int(totals[column]) == sum(int(row[column]) for row in agencies)
    for row in agencies:
        assert int(row[1 + len(STATUSES)]) == sum(int(c) for c in row[1 : 1 + len(STATUSES)])
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"{len(digest.rows)} lượt nhiệm vụ – cơ quan" in text


def test_every_total_is_the_sum_of_its_rows_in_every_file() -> None:
    calendar = WorkingCalendar()
    renderer = Renderer(default_templates_dir(), "text")
    for seed in range(60):
        digest = random_digest(seed, calendar)
        try:
            assert digest.tally.total == len(digest.rows)
            assert sum(a.total for a in digest.agencies) == len(digest.rows)
            for status in STATUSES:
                assert sum(a.tally[status] for a in digest.agencies) == digest.tally[status]
            check_text(digest, renderer)
            if seed % 4 == 0:  # the files take longer: a quarter of the cases
                check_xlsx(digest)
                check_docx(digest)
        except AssertionError as error:
            raise AssertionError(f"case with seed {seed} failed: {error}") from error


def add_random_reports(session: Session, seed: int, user_id: int, builder: DigestBuilder) -> None:
    rng = random.Random(seed)
    for _, duty in builder.catalog.duties.values():
        if not duty.is_task:
            continue
        for agency in builder.all_agencies():
            if rng.random() < 0.8:
                continue
            status = rng.choice(REPORT_STATUSES)
            made = random_day(rng, dt.date(2019, 5, 1), NOW.date())
            session.add(
                ProgressReport(
                    directive_id=DIRECTIVE,
                    duty_id=duty.id,
                    agency_id=agency,
                    user_id=user_id,
                    status=status,
                    percent=100 if status == "done" else rng.randrange(100),
                    blockers="Chờ kinh phí" if rng.random() < 0.2 else "",
                    created_at=dt.datetime.combine(made, dt.time(10), TIMEZONE),
                )
            )


@pytest.mark.parametrize("seed", [1, 2])
def test_tiendo_tonghop_and_the_dashboard_add_up(assistant: Assistant, seed: int) -> None:
    official, province = add_users(
        assistant, ("951", "h_que_vo", "official"), ("952", "ubnd_tinh", "manager")
    )
    builder = DigestBuilder(
        assistant.core.qa.catalog, assistant.settings.templates_dir, NudgeSettings()
    )
    with session_scope(assistant.sessions) as session:
        add_random_reports(session, seed, official, builder)

    def say(chat: str, text: str) -> str:
        message = IncomingMessage("telegram", chat, text=text, display_name="Người dùng")
        with session_scope(assistant.sessions) as session:
            response = assistant.core.handle(session, message)
        return assistant.renderer.render(response.replies[0])

    for chat in ("951", "952"):
        command = "/tiendo" if chat == "951" else "/tonghop"
        text = say(chat, command).replace("<b>", "").replace("</b>", "")
        lines = counted(text)
        total = int(re.search(r"hoàn thành \((\d+)/(\d+) lượt", text).group(2))  # type: ignore[union-attr]
        assert sum(lines.values()) == total, command
        statuses = say(chat, f"{command} tinhtrang")
        assert counted(statuses) == lines
    with session_scope(assistant.sessions) as session:
        visitor = Visitor(province, "Lãnh đạo", "manager", "ubnd_tinh", "x", frozenset({"manager"}))
        board = dashboard(session, builder, visitor, Filters(), dt.datetime.now(dt.UTC))
        counts = dict(board.totals)
        assert sum(counts.values()) == len(board.digest.rows) == board.matching
        for status in STATUSES:
            assert (
                sum(bar.summary.tally[status] for bar in board.bars)
                + sum(
                    a.tally[status]
                    for a in sorted(board.digest.agencies, key=lambda a: (a.completion, a.agency))[
                        len(board.bars) :
                    ]
                )
                == counts[status]
            )
        assert board.late_total == sum(counts[s] for s in LATE)
