"""`bot ask --jsonl` and `bot ask` as a user runs them: a real process, a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = [
    "",
    "   ",
    "x" * 10_000,
    "😀🎉👍",
    "<b>x</b>",
    "{{ 7*7 }}",
    "'; DROP TABLE question_logs;--",
    unicodedata.normalize("NFD", "Sở Nội vụ phải làm gì?"),
    "abc\x00\x01\x1b[31m\x7fdef",
    "<script>alert(1)</script> chữ ký số",
    "*bold* _it_ [link](http://x) `code`",
]


def run_bot(args: list[str], database: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("console")) / "assistant.db"


def test_jsonl_answers_every_line_in_order_and_logs_it(database: Path) -> None:
    questions = ["Sở Nội vụ phải làm gì?", "trang tin điện tử cấp xã xong trước ngày nào", *HOSTILE]
    stdin = "".join(q.replace("\n", " ") + "\n" for q in questions)
    result = run_bot(["ask", "--jsonl"], database, stdin)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(questions)
    replies = [json.loads(line) for line in lines]
    for reply in replies:
        assert {"reply", "intent", "confidence", "citations"} <= set(reply)
        assert reply["reply"].strip()
        # Nothing the user typed comes back: no markup, no evaluated template.
        assert "<b>" not in reply["reply"] and "<script>" not in reply["reply"]
        assert "49" not in reply["reply"] and "DROP TABLE" not in reply["reply"]
    assert "Mục 2.d" in replies[0]["citations"]
    assert "30/6/2019" in replies[1]["reply"]
    assert replies[2]["intent"] == "out_of_scope"  # empty line
    # NFD input is understood like NFC input.
    assert replies[9]["reply"] == replies[0]["reply"]

    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        logged = connection.execute(text("SELECT text, intent FROM question_logs ORDER BY id"))
        rows = list(logged)
    assert len(rows) == len(questions)
    assert rows[4][0] == "x" * 10_000
    assert rows[8][0] == "'; DROP TABLE question_logs;--"


def test_ask_prints_one_answer(database: Path) -> None:
    result = run_bot(["ask", "ai", "ký", "chỉ", "thị"], database)
    assert result.returncode == 0, result.stderr
    assert "Nguyễn Tiến Nhường" in result.stdout


def test_chat_shows_buttons_as_numbers_and_follows_a_choice(database: Path) -> None:
    result = run_bot(["chat"], database, "món ăn ngon nhất Hà Nội\n1\nthoát\n")
    assert result.returncode == 0, result.stderr
    assert "Anh/Chị nhắn số thứ tự để chọn:\n1. " in result.stdout
    assert "Tạm biệt" in result.stdout
    # The reply to "1" is an answer with a citation, not a refusal.
    after_choice = result.stdout.split("Anh/Chị: ")[2]
    assert "Mục" in after_choice and "Xin lỗi" not in after_choice


def test_a_one_shot_question_follows_neither_a_chat_nor_the_line_before(
    tmp_path: Path,
) -> None:
    """`bot ask` is the same console user as `bot chat`: its question is still read on
    its own, as on a database where nobody asked anything before."""
    follow_up = "thế hạn chót khi nào?"
    alone = run_bot(["ask", "--jsonl"], tmp_path / "alone.db", follow_up + "\n")
    assert alone.returncode == 0, alone.stderr
    expected = json.loads(alone.stdout)["reply"]
    database = tmp_path / "after_chat.db"
    chatted = run_bot(["chat"], database, "Sở Tài chính phải làm gì?\nthoát\n")
    assert chatted.returncode == 0, chatted.stderr
    after_chat = run_bot(["ask", "--jsonl"], database, follow_up + "\n")
    assert json.loads(after_chat.stdout)["reply"] == expected
    lines = run_bot(["ask", "--jsonl"], database, "Sở Tài chính phải làm gì?\n" + follow_up + "\n")
    assert json.loads(lines.stdout.splitlines()[1])["reply"] == expected


def test_chat_as_another_console_user(database: Path) -> None:
    """`bot chat --user-id` plays several people on one machine: an admin made of one
    console account is not the other's."""
    made = run_bot(["admin", "--channel", "console", "--user-id", "lanh-dao"], database)
    assert made.returncode == 0, made.stderr
    admin = run_bot(["chat", "--user-id", "lanh-dao"], database, "/toi\nthoát\n")
    other = run_bot(["chat"], database, "/toi\nthoát\n")
    role = "hiện là: quản trị viên"
    assert role in admin.stdout and role not in other.stdout
