"""`bot nudges ...` on a fresh SQLite database (the scheduler job itself: tests/test_runner.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.application.admin import content
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
    assert "- Huyện Quế Võ:" in out and "    2.f-4 " in out
    assert "dùng hạn đã điều chỉnh (effective_due)" in out
    assert main(["nudges", "preview", "--date", due.isoformat(), "--agency", "sttt"]) == 0
    assert "    2.f-4 " not in capsys.readouterr().out
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


DIRECTIVE = "06-CT-UBND-2019"


def _dues(url: str) -> dict[str, dt.date | None]:
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return {d.id: d.effective_due for d in session.query(Duty).order_by(Duty.id)}
    finally:
        engine.dispose()


def _extend(url: str, duty_id: str, due: dt.date) -> None:
    """An admin's extension, as /gianhan makes it (audited)."""
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            content.set_effective_due(session, None, DIRECTIVE, duty_id, due)
    finally:
        engine.dispose()


def test_demo_shift_refuses_a_database_with_an_admins_extension(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    extended = dt.date(2027, 3, 31)
    _extend(seeded_url, "1.c-1", extended)
    before = _dues(seeded_url)
    assert main(["nudges", "demo-shift", "--days", "10"]) == 2
    err = capsys.readouterr().err
    assert "Không chạy chế độ trình diễn" in err and "dữ liệu thật" in err
    assert "1 thay đổi nội dung của quản trị viên" in err and "1.c-1" in err
    assert "run it on a copy" in err
    assert _dues(seeded_url) == before  # nothing written
    assert main(["nudges", "demo-shift", "--reset"]) == 0
    assert "Giữ nguyên hạn điều chỉnh của quản trị viên: 1.c-1." in capsys.readouterr().out
    assert _dues(seeded_url)["1.c-1"] == extended


def test_demo_reset_keeps_an_extension_made_after_the_demo(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    assert main(["nudges", "demo-shift", "--days", "10"]) == 0
    shifted = {k: v for k, v in _dues(seeded_url).items() if v is not None}
    assert len(shifted) >= 3
    assert main(["nudges", "demo-shift", "--days", "20"]) == 0  # its own values: not real data
    extended = dt.date(2027, 3, 31)
    _extend(seeded_url, "1.c-1", extended)
    capsys.readouterr()
    assert main(["nudges", "demo-shift", "--days", "5"]) == 2  # now there is real data
    assert main(["nudges", "demo-shift", "--reset"]) == 0
    out = capsys.readouterr().out
    assert f"Đã bỏ hạn trình diễn của {len(shifted) - 1} nhiệm vụ" in out
    dues = _dues(seeded_url)
    assert dues["1.c-1"] == extended
    assert [k for k, v in dues.items() if v is not None] == ["1.c-1"]
