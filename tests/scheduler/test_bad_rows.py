"""A bad row never stops the schedule (SQLite and PostgreSQL): a duty whose stored
deadline the working calendar cannot count is left out and reported to the admins once,
the other duties are nudged, managers still get their digests, and the outbox drains
even when a tick fails as a whole."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select, text

from bot.app import Assistant
from bot.application.delivery import RateLimiter
from bot.application.messages import Reply
from bot.application.outbox import enqueue, outbox_row
from bot.application.render import Renderer
from bot.application.scheduler.service import NudgeService
from bot.application.scheduler.tick import PROBLEM_KIND
from bot.config import NudgeSettings
from bot.storage.db import session_scope
from bot.storage.models import Duty, OutboxMessage
from tests.scheduler.conftest import Clock, add_users, at

DIRECTIVE = "06-CT-UBND-2019"
SETTINGS = NudgeSettings(per_chat_interval=0)


class RenderingSender:
    """An in-memory channel that renders what it is given, as the console would."""

    channel = "telegram"

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.delivered: list[tuple[str, str]] = []

    async def send(self, address: str, message: Reply) -> str:
        self.delivered.append((address, self.renderer.render(message)))
        return str(len(self.delivered))

    def to(self, address: str) -> list[str]:
        return [text for to, text in self.delivered if to == address]


def set_due(assistant: Assistant, dues: dict[str, dt.date]) -> None:
    """Duties' effective_due, as a command or an import could have stored them."""
    with session_scope(assistant.sessions) as session:
        for duty_id, due in dues.items():
            session.get_one(Duty, (DIRECTIVE, duty_id)).effective_due = due


def outbox(assistant: Assistant) -> list[OutboxMessage]:
    with session_scope(assistant.sessions) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def service_for(assistant: Assistant, clock: Clock) -> tuple[NudgeService, RenderingSender]:
    sender = RenderingSender(Renderer(assistant.settings.templates_dir, "text"))
    return NudgeService(assistant, [sender], SETTINGS, clock, RateLimiter(0, 0)), sender


def test_a_bad_date_is_skipped_reported_once_and_the_rest_goes_on(assistant: Assistant) -> None:
    add_users(
        assistant,
        ("501", "h_que_vo", "official"),
        ("502", "h_que_vo", "manager"),
        ("503", "ubnd_tinh", "manager"),
        ("1", None, "admin"),
    )
    # The probe's "/gianhan ... 31/12/26" (stored as year 0026), and a year 9999.
    bad = {"2.f-5": dt.date(26, 12, 31), "1.c-1": dt.date(9999, 12, 31)}
    set_due(assistant, {"2.f-4": dt.date(2026, 12, 4), **bad})
    clock = Clock(at("2026-12-01", "08:00"))  # 2.f-4: three working days left
    service, sender = service_for(assistant, clock)

    result, stats = asyncio.run(service.run_once())
    assert result.error is None
    assert sorted(s.duty_id for s in result.policy.skipped) == [
        f"{DIRECTIVE}:1.c-1",
        f"{DIRECTIVE}:2.f-5",
    ]
    assert result.inserted == 2 and result.problems == 2  # remind-3 to 501 and 502
    assert result.digests == 2  # this week's, still due on Tuesday
    assert stats.sent == 6
    [reminder] = sender.to("501")
    assert "Còn 3 ngày làm việc" in reminder
    reports = sender.to("1")
    assert len(reports) == 2
    [year_26] = [r for r in reports if "2.f-5" in r]
    assert "Không tính được lịch nhắc việc" in year_26
    assert "ngày 31/12/0026 nằm ngoài khoảng lịch làm việc" in year_26
    assert "/gianhan 2.f-5 dd/mm/yyyy" in year_26
    assert any("31/12/9999" in r for r in reports)

    # The next ticks: the same problems are not reported again.
    clock.advance(minutes=1)
    again, stats = asyncio.run(service.run_once())
    assert (again.inserted, again.problems, stats.sent) == (0, 0, 0)
    assert len(again.policy.skipped) == 2

    # Next Monday: every manager's digest, listing what could not be computed.
    clock.now = at("2026-12-07", "08:00")
    monday, stats = asyncio.run(service.run_once())
    assert (monday.digests, monday.digest_failures, monday.problems) == (2, 0, 0)
    for manager in ("502", "503"):
        digest = next(t for t in sender.to(manager) if "Tổng hợp thực hiện" in t)
        assert "Chưa tính được hạn" in digest and "2.f-5" in digest

    # Fixed by an admin: nudged again; a new problem on the duty is a new report.
    set_due(assistant, {"2.f-5": dt.date(2026, 12, 16), "1.c-1": dt.date(2101, 1, 1)})
    clock.advance(minutes=1)
    fixed, stats = asyncio.run(service.run_once())
    assert [s.duty_id for s in fixed.policy.skipped] == [f"{DIRECTIVE}:1.c-1"]
    assert fixed.problems == 1
    assert {
        m.kind for m in fixed.policy.messages if m.nudge.plan.duty_id == f"{DIRECTIVE}:2.f-5"
    } == {"remind-7"}
    problems = [r for r in outbox(assistant) if r.kind.startswith(PROBLEM_KIND)]
    assert sorted(r.duty_id for r in problems) == [
        f"{DIRECTIVE}:1.c-1",
        f"{DIRECTIVE}:1.c-1",
        f"{DIRECTIVE}:2.f-5",
    ]
    service.drainer.close()


def test_the_outbox_drains_when_the_tick_fails(assistant: Assistant) -> None:
    """Whatever breaks the tick (here a table it reads is gone), what is already in the
    outbox still goes out, and the next tick tries again."""
    [official] = add_users(assistant, ("501", "h_que_vo", "official"))
    clock = Clock(at("2026-12-01", "08:00"))
    announcement = Reply("admin/announcement", {"label": "tất cả", "text": "Họp lúc 14:00"})
    with session_scope(assistant.sessions) as session:
        row = outbox_row(
            user_id=official,
            channel="telegram",
            address="501",
            kind="broadcast",
            due=clock().date(),
            duty_id="broadcast-1",
            message=announcement,
            not_before=clock(),
            now=clock(),
        )
        enqueue(session, [row])
        session.execute(text("DROP TABLE snoozes"))
    service, sender = service_for(assistant, clock)
    result, stats = asyncio.run(service.run_once())
    assert result.error is not None and "snoozes" in result.error
    assert stats.sent == 1
    assert sender.to("501") == ["📢 Thông báo (tất cả):\n\nHọp lúc 14:00"]
    service.drainer.close()
