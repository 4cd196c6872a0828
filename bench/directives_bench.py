"""Benchmark several directives: publishing one, and answering with five loaded.

Usage (from the project root, after the README's setup):
    .venv/bin/python bench/directives_bench.py [--rounds 3] [--json bench/results/directives.json]

- upload to first answer: a running assistant (in this process, a fresh SQLite
  database and a copy of data/) is handed the text of Directive 06 renumbered 77 as an
  admin's upload would be (.txt bytes): reading, the importer's draft, publishing,
  the Q&A rebuilt and swapped in (`Services.reload_now`, as a publish from chat does),
  then "Chỉ thị 77/CT-UBND do ai ký?" answered from it; for Directive 06 itself
  (~5 pages) and for a 20-page text generated from it (`twenty_pages`). Aim: at most
  10 s for 20 pages.
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


WORDS_PER_PAGE = 500  # a page of Times New Roman 13-14 pt on A4, as directives are set
PAGES = 20
PLAN_HEADING = "2) Nhiệm vụ cụ thể"
CLOSING = "Giám đốc các sở, thủ trưởng"


def twenty_pages(source: str, pages: int = PAGES) -> str:
    """Directive 06 grown to `pages` pages the way a yearly plan grows: its «Nhiệm vụ cụ
    thể» again for each following year ("3) Nhiệm vụ cụ thể năm 2020", its dates a year
    on), before the closing paragraph. Generated, not stored: a fixture this size would
    only repeat what the generator says."""
    start = source.index(PLAN_HEADING)
    end = source.index(CLOSING, start)
    plan, out, number = source[start:end], source[:end], 3
    assert plan.split(), "the plan to repeat is empty: the loop would never end"
    while len(out.split()) + len(source[end:].split()) < pages * WORDS_PER_PAGE:
        year = 2019 + number - 2
        heading = f"{number}) Nhiệm vụ cụ thể năm {year}"
        out += plan.replace(PLAN_HEADING, heading).replace("2019", str(year))
        number += 1
    return out + source[end:]


def upload_to_first_answer(folder: Path, source: str) -> dict[str, Any]:
    """From the bytes an admin uploads to the first answer about the directive: the
    review as chat makes it (draft written, problems tied to duties), «Công bố», the
    Q&A rebuilt, the question answered."""
    from bot.application.admin.directives import review
    from bot.application.knowledge import publishing

    assistant = assistant_with(folder, 0)
    upload = source.replace("06/CT-UBND", "77/CT-UBND").encode("utf-8")
    services = assistant.core.services
    marks: dict[str, float] = {}
    start = time.perf_counter()
    shown = review(services, "chi-thi-77.txt", upload)
    assert shown.template == "admin/directive_draft", shown
    marks["review"] = time.perf_counter() - start
    with session_scope(assistant.sessions) as session:
        assert services.drafts_dir is not None
        publishing.publish(session, services.drafts_dir / shown.data["id"])
        marks["published"] = time.perf_counter() - start
        services.reload_now(session)
    assistant.core.wait_for_reload()
    marks["reloaded"] = time.perf_counter() - start
    reply = ask(assistant, PUBLISHED_QUESTION)
    marks["answered"] = time.perf_counter() - start
    assert "77/CT-UBND" in reply, reply
    assistant.sessions.kw["bind"].dispose()
    return {
        "words": len(source.split()),
        "pages": round(len(source.split()) / WORDS_PER_PAGE, 1),
        "duties": shown.data["duties"],
        "seconds": {k: round(v, 3) for k, v in marks.items()},
    }


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
        source = (ROOT / "data" / "directives" / FIRST / "source.txt").read_text(encoding="utf-8")
        for name, text in (("directive_06", source), ("twenty_pages", twenty_pages(source))):
            timed = upload_to_first_answer(Path(tmp) / f"publish-{name}", text)
            report[f"upload_to_first_answer_{name}"] = timed
            print(f"upload to first answer ({name}):", timed, flush=True)
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
