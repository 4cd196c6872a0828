"""Benchmark several directives: publishing one, and answering with five loaded.

Usage (from the project root, after the README's setup):
    .venv/bin/python bench/directives_bench.py [--rounds 3] [--json bench/results/directives.json]

- upload to first answer: a running assistant (in this process, a fresh SQLite
  database and a copy of data/) is handed the text of Directive 06 renumbered 77 as an
  admin's upload would be (.txt bytes): reading, the importer's draft, publishing,
  the Q&A rebuilt and swapped in (`Services.reload_now`, as a publish from chat does),
  then "Chỉ thị 77/CT-UBND do ai ký?" answered from it. Aim: at most 10 s.
- answer latency, one directive vs five: the same questions (tests/eval/questions.yaml)
  asked of an assistant holding 06 alone and one holding 06 and four copies whose
  clause and duty ids all collide (tests/support/directives.py); p50 and p90 per
  answer, `--rounds` times over. Aim: five within 20% of one.

A publish from the command line reaches a running bot through its reloader's check
(`bot.application.reload.CHECK_EVERY_SECONDS`), which this does not time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import Assistant, build_assistant  # noqa: E402
from bot.application.messages import IncomingMessage  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.storage.db import session_scope  # noqa: E402
from tests.support.directives import FIRST, copy_pack  # noqa: E402

QUESTIONS = ROOT / "tests" / "eval" / "questions.yaml"
PUBLISHED_QUESTION = "Chỉ thị 77/CT-UBND do ai ký?"


def assistant_with(folder: Path, copies: int) -> Assistant:
    """An assistant on a new database in `folder`, holding 06 and `copies` copies."""
    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    for n in range(copies):
        copy_pack(data, 90 + n, 2020 + n, subject=f"chữ ký điện tử {n}")
    url = f"sqlite:///{folder / 'bot.sqlite3'}"
    return build_assistant(Settings.from_env({"DATABASE_URL": url, "DATA_DIR": str(data)}))


def ask(assistant: Assistant, text: str) -> str:
    message = IncomingMessage("console", "bench", text=text, display_name="Bench")
    with session_scope(assistant.sessions) as session:
        response = assistant.core.handle(session, message)
    return "\n".join(assistant.renderer.render(r) for r in response.replies)


def upload_to_first_answer(folder: Path) -> dict[str, Any]:
    from bot.application.importer.documents import document_text
    from bot.application.importer.draft import write_draft
    from bot.application.importer.pipeline import import_directive
    from bot.application.knowledge import publishing
    from bot.application.knowledge.pack import load_agencies

    assistant = assistant_with(folder, 0)
    source = (ROOT / "data" / "directives" / FIRST / "source.txt").read_text(encoding="utf-8")
    upload = source.replace("06/CT-UBND", "77/CT-UBND").encode("utf-8")
    settings = assistant.settings
    marks: dict[str, float] = {}
    start = time.perf_counter()
    text = document_text("chi-thi-77.txt", upload, settings.imports)
    result = import_directive(text, load_agencies(settings.data_dir / "agencies.yaml"))
    draft = settings.data_dir / "drafts" / result.directive.id
    write_draft(result, draft)
    marks["draft"] = time.perf_counter() - start
    with session_scope(assistant.sessions) as session:
        publishing.publish(session, draft)
        marks["published"] = time.perf_counter() - start
        assistant.core.services.reload_now(session)
    assistant.core.wait_for_reload()
    marks["reloaded"] = time.perf_counter() - start
    reply = ask(assistant, PUBLISHED_QUESTION)
    marks["answered"] = time.perf_counter() - start
    assert "77/CT-UBND" in reply, reply
    words = len(source.split())
    return {"words": words, "seconds": {k: round(v, 3) for k, v in marks.items()}}


def latencies(assistant: Assistant, questions: list[str], rounds: int) -> dict[str, Any]:
    """Per answer through the core (what a user waits for: routing, the answer's
    buttons stored, the conversation remembered) and of the Q&A alone."""
    ask(assistant, questions[0])  # anything built on first use is built
    through_core, qa_only = [], []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            ask(assistant, question)
            through_core.append(time.perf_counter() - start)
            start = time.perf_counter()
            assistant.core.qa.answer(question)
            qa_only.append(time.perf_counter() - start)
    return {"core": summary(through_core), "qa": summary(qa_only)}


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "answers": len(times),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p90_ms": round(ordered[int(0.9 * len(ordered))] * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    questions = [c["q"] for c in yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["cases"]]
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        report["upload_to_first_answer"] = upload_to_first_answer(Path(tmp) / "publish")
        print("upload to first answer:", report["upload_to_first_answer"], flush=True)
        for count in (1, 5):
            assistant = assistant_with(Path(tmp) / f"d{count}", count - 1)
            report[f"latency_{count}_directives"] = latencies(assistant, questions, args.rounds)
            print(f"{count} directive(s):", report[f"latency_{count}_directives"], flush=True)
    one, five = report["latency_1_directives"], report["latency_5_directives"]
    for part in ("core", "qa"):
        ratio = round(five[part]["p50_ms"] / one[part]["p50_ms"], 3)
        report[f"p50_ratio_5_vs_1_{part}"] = ratio
        print(f"p50 ratio ({part}), five directives vs one:", ratio)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
