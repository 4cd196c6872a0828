"""The JobQueue wiring, and `bot nudges ...` on a fresh SQLite database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.app import Assistant
from bot.channels.telegram.jobs import JOB_NAME, install
from bot.cli import main
from bot.config import NudgeSettings
from bot.domain.calendar import WorkingCalendar
from bot.storage.db import session_scope
from bot.storage.models import Duty
from tests.scheduler.conftest import Clock, add_users, at
from tests.support.fake_bot_api import FakeBotApi


async def test_install_registers_one_job_that_sends(assistant: Assistant) -> None:
    add_users(assistant, ("901", "h_que_vo", "official"))
    with session_scope(assistant.sessions) as session:
        session.get_one(Duty, ("06-CT-UBND-2019", "2.f-4")).effective_due = dt.date(2026, 12, 4)
    clock = Clock(at("2026-12-04", "10:00"))  # the deadline, in working hours
    async with FakeBotApi() as api:
        application = Application.builder().token(api.token).base_url(api.base_url).build()
        job = install(application, assistant, NudgeSettings(tick_seconds=30), 0.05, clock)
        assert application.job_queue is not None
        assert [j.name for j in application.job_queue.jobs()] == [JOB_NAME]
        assert job.job.misfire_grace_time == 30 and job.job.max_instances == 1
        async with application:
            await application.start()
            try:
                await api.wait_for("sendMessage", timeout=5)
            finally:
                await application.stop()
        assert "Hôm nay là hạn chót" in api.sent_messages(901)[0]["text"]
        application.bot_data["nudges"].drainer.close()


def test_preview_on_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/fresh.db")
    assert main(["nudges", "preview", "--date", "2026-12-05"]) == 0
    assert "là cuối tuần: không gửi tin nào" in capsys.readouterr().out
    assert main(["nudges", "demo-shift", "--days", "10"]) == 0
    out = capsys.readouterr().out
    assert "CHẾ ĐỘ TRÌNH DIỄN" in out and "effective_due" in out
    calendar = WorkingCalendar()
    due = calendar.roll_forward(dt.date.today() + dt.timedelta(days=10))
    assert main(["nudges", "preview", "--date", due.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Chưa có người dùng nào được liên kết" in out
    assert "- Huyện Quế Võ:" in out and "[due] 2.f-4" in out
    assert "dùng hạn đã điều chỉnh (effective_due)" in out
    assert main(["nudges", "preview", "--date", due.isoformat(), "--agency", "sttt"]) == 0
    assert "[due] 2.f-4" not in capsys.readouterr().out
    assert main(["nudges", "tick"]) == 0
    assert "tin đến hạn" in capsys.readouterr().out
    assert main(["nudges", "status"]) == 0
    assert main(["nudges", "demo-shift", "--reset"]) == 0
