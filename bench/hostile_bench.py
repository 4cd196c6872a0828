"""Hostile input through the core, on SQLite and PostgreSQL: how many crash it.

    .venv/bin/python bench/hostile_bench.py [--inputs 5000] [--db sqlite,postgresql]
        [--seed 1] [--json bench/results/hostile.json]

Each input is a message from one of a few accounts (unlinked, an official in the
middle of /baocao, an admin) built from hostile pieces: NUL and other control
characters, zero-width and bidi marks inside words, soft hyphens, lone surrogates,
emoji only, HTML, Markdown and Jinja-looking text, SQL-looking text, format strings,
10,000-character messages, numbers where none are asked, commands with hostile
arguments, and button payloads from stale or forged buttons. Every reply is rendered
for Telegram's HTML mode and as plain text (Zalo, console).

Reported per database: crashes (an exception out of `Core.handle` or the rendering),
template evaluations ("{{ 7*7 }}" answered as 49), unescaped tags in the HTML
rendering, NULs that reached the database, and the time taken. Aim: 0 of each.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import database, report

PIECES = [
    "\x00",
    "a\x00b",
    "\x07\x1b[31m",
    "\u200b",
    "\u200f",
    "\u202e",
    "\u2066",
    "\u00ad",
    "\u180e",
    "\u061c",
    "\ufeff",
    "\ud800",
    "🙂🙂🙂",
    "<b>đậm</b>",
    "<script>alert(1)</script>",
    "&amp;&lt;",
    "*đậm* _nghiêng_ `mã`",
    "{{ 7*7 }}",
    "{% for x in range(9) %}x{% endfor %}",
    "{0.__class__}",
    "%s%s%n",
    "'; DROP TABLE users; --",
    "1 OR 1=1",
    "Sở Nội v\u200bụ phải làm gì?",
    "ai ký chỉ thị",
    "hạn chót cổng thông tin cấp xã",
    "/baocao",
    "/huy",
    "/sua",
    "/faqxoa ",
    "/start ",
    "/gianhan 2.f-4 31/12/26",
    "/lienket ",
    "/kenh ",
    "/tiendo ",
    "5",
    "100",
    "ok",
    "lưu",
    "quay lại",
    "",
    " ",
]
PAYLOADS = ["", "x", "dlg:report:zzz:pick:1.a", "nudge:snooze:1.a:999", "\x00", "9" * 40]


def hostile_text(rng: random.Random) -> str:
    if rng.random() < 0.03:
        return rng.choice(["x", "ạ", "🙂", "<i>"]) * rng.randint(2_000, 10_000)
    parts = rng.choices(PIECES, k=rng.randint(1, 4))
    return "".join(p + rng.choice(["", " ", "\n"]) for p in parts)


def run_on(url: str, inputs: int, seed: int) -> dict[str, Any]:
    from sqlalchemy import text

    from bot.app import build_assistant
    from bot.application import accounts
    from bot.application.messages import IncomingMessage
    from bot.application.render import Renderer
    from bot.config import Settings
    from bot.storage.db import session_scope

    settings = Settings.from_env({"DATABASE_URL": url})
    assistant = build_assistant(settings)
    html = Renderer(settings.templates_dir, "html")
    with session_scope(assistant.sessions) as session:
        official = accounts.create_invite(session, "snv", "official").code
        admin = accounts.create_invite(session, None, "admin").code
    users = [("telegram", "1001", ""), ("zalo", "z-off", official), ("telegram", "1003", admin)]

    def handle(channel: str, user: str, text_: str, payload: str | None = None) -> Any:
        message = IncomingMessage(channel, user, text_, "Người thử", payload=payload)
        with session_scope(assistant.sessions) as session:
            return assistant.core.handle(session, message)

    for channel, user, code in users:
        if code:
            handle(channel, user, f"/start {code}")
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    crashes: list[str] = []
    started = time.perf_counter()
    for n in range(inputs):
        channel, user, _ = rng.choice(users)
        text_ = hostile_text(rng)
        payload = rng.choice(PAYLOADS) if rng.random() < 0.1 else None
        try:
            response = handle(channel, user, text_, payload)
            for reply in response.replies:
                plain = assistant.renderer.render(reply)
                marked = html.render(reply)
                if "49" in plain and "7*7" in text_:
                    counts["template_evaluations"] += 1
                if "<script" in marked or "<b>đậm" in marked:
                    counts["unescaped_tags"] += 1
        except Exception:  # what the benchmark counts
            counts["crashes"] += 1
            if len(crashes) < 5:
                crashes.append(f"input {n} {text_[:80]!r}: {traceback.format_exc(limit=3)}")
    elapsed = time.perf_counter() - started
    with session_scope(assistant.sessions) as session:  # read back, not matched in SQL
        stored = session.execute(
            text("SELECT text FROM question_logs UNION ALL SELECT blockers FROM progress_reports")
        ).scalars()
        nul_rows = sum(1 for value in stored if value and "\x00" in value)
    return {
        "inputs": inputs,
        "crashes": counts["crashes"],
        "template_evaluations": counts["template_evaluations"],
        "unescaped_tags": counts["unescaped_tags"],
        "nul_rows": nul_rows,
        "seconds": round(elapsed, 1),
        "first_crashes": crashes,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", type=int, default=5000)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result: dict[str, Any] = {"seed": args.seed}
    for kind in args.db.split(","):
        with database(kind, None) as url:
            result[kind] = run_on(url, args.inputs, args.seed)
    report(result, args.json)
    return 0 if all(r["crashes"] == 0 for k, r in result.items() if k != "seed") else 1


if __name__ == "__main__":
    sys.exit(main())
