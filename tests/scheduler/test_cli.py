"""`bot nudges ...` on a fresh SQLite database (the scheduler job itself: tests/test_runner.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.calendar import WorkingCalendar
from bot.storage.db import make_engine, make_session_factory, session_scope
from bot.storage.models import Duty


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


def test_preview_and_tick_name_the_duties_they_leave_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/bad.db"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["nudges", "status"]) == 0  # creates and seeds the database
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        session.get_one(Duty, ("06-CT-UBND-2019", "2.f-5")).effective_due = dt.date(26, 12, 31)
    engine.dispose()
    capsys.readouterr()
    for command in (["preview", "--date", "2026-12-01"], ["tick"]):
        assert main(["nudges", *command]) == 0
        out = capsys.readouterr().out
        assert "1 nhiệm vụ không tính được lịch nhắc nên bị bỏ qua:" in out
        assert "- 2.f-5 " in out and "ngày 31/12/0026 nằm ngoài khoảng" in out
