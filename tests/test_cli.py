"""`bot invite` on a fresh SQLite database: what it refuses, in Vietnamese, and the
code it prints (the chat's /moi: tests/admin/test_invites.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.domain.calendar import TIMEZONE
from bot.storage.db import make_engine, make_session_factory, session_scope
from bot.storage.models import InviteCode


@pytest.fixture()
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def invites(url: str) -> list[InviteCode]:
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            rows = list(session.scalars(select(InviteCode).order_by(InviteCode.created_at)))
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


@pytest.mark.parametrize("days", ["0", "-1", "366"])
def test_an_invite_that_would_be_born_expired_is_refused(
    database: str, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    assert main(["invite", "--agency", "snv", "--days", days]) == 2
    err = capsys.readouterr().err
    assert f"phải từ 1 đến 365, không phải {days}" in err


@pytest.mark.parametrize(
    ("word", "role", "label"),
    [
        ("canbo", "official", "cán bộ"),
        ("lanhdao", "manager", "lãnh đạo"),
        ("lãnh đạo", "manager", "lãnh đạo"),
        ("official", "official", "cán bộ"),
    ],
)
def test_the_role_words_of_the_chat_work_on_the_command_line(
    database: str, capsys: pytest.CaptureFixture[str], word: str, role: str, label: str
) -> None:
    assert main(["invite", "--agency", "snv", "--role", word, "--days", "3"]) == 0
    out = capsys.readouterr().out
    [invite] = invites(database)
    assert invite.role == role and invite.agency_id == "snv"
    expires = invite.expires_at.astimezone(TIMEZONE)
    assert f"Mã mời: {invite.code} ({label}, Sở Nội vụ)" in out
    # Vietnam's time, the way the chat writes it: "hết hạn lúc 17:48 7/12/2026".
    shown = f"{expires:%H:%M} {expires.day}/{expires.month}/{expires.year}"
    assert f"hết hạn lúc {shown} (giờ Việt Nam)" in out and "UTC" not in out
    made = invite.created_at.astimezone(TIMEZONE)
    assert abs(expires - made - dt.timedelta(days=3)) < dt.timedelta(seconds=1)


def test_an_admin_code_needs_no_agency_and_others_do(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "--role", "quantri"]) == 0
    assert "(quản trị viên, toàn tỉnh)" in capsys.readouterr().out
    assert main(["invite", "--role", "canbo"]) == 2
    assert "phải gắn với một cơ quan" in capsys.readouterr().err
    assert main(["invite", "--agency", "snv", "--role", "sep"]) == 2
    assert "Không có vai trò «sep»: chọn canbo (cán bộ)" in capsys.readouterr().err
    assert len(invites(database)) == 1


@pytest.mark.parametrize(
    ("agency", "first_line"),
    [
        ("xyz", "Không có cơ quan «xyz»."),
        ("thu_tuong", "Không mời vào «Thủ tướng Chính phủ» được: mã mời chỉ dành cho"),
        ("all_departments", "Không mời vào «Các sở, ban, ngành, đơn vị thuộc UBND tỉnh»"),
    ],
)
def test_an_agency_nobody_can_belong_to_is_refused_with_the_list(
    database: str, capsys: pytest.CaptureFixture[str], agency: str, first_line: str
) -> None:
    assert main(["invite", "--agency", agency]) == 2
    err = capsys.readouterr().err
    assert err.startswith(first_line), err
    listed = re.findall(r"^  (\w+) — ", err, flags=re.MULTILINE)
    assert "snv" in listed and "tx_tu_son" in listed
    assert not {"thu_tuong", "chinh_phu", "vpcp", "bo_tttt", "all_departments"} & set(listed)
    assert invites(database) == []


def test_a_database_out_of_reach_is_said_in_one_vietnamese_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://postgres:S3cretPW@127.0.0.1:{port}/bot"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["ask", "xin chào"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"Không dùng được cơ sở dữ liệu postgresql+psycopg://postgres:***@127.0.0.1:{port}/bot"
    )
    assert "không kết nối được tới máy chủ" in err and "Traceback" not in err
    assert "S3cretPW" not in err


def test_a_reader_that_stops_early_gets_no_traceback(database: str) -> None:
    """`bot ask --jsonl … | head -c 20`: the pipe closes under the answers; the command
    ends quietly instead of printing a BrokenPipeError traceback."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("ai ký chỉ thị\n".encode() * 2000)
    process.stdin.close()
    assert process.stdout.read(20)
    process.stdout.close()  # the reader goes away mid-answers
    assert process.wait(timeout=120) == 0
    assert process.stderr is not None
    assert b"Traceback" not in process.stderr.read()
