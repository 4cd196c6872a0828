"""RasaNlu against a real Rasa server (scripts/rasa_ci.sh starts one and sets RASA_URL).

Skipped unless RASA_URL is set. The held-out questions of data/nlu/test.yml go through
the same client the assistant uses; accuracy and latency are printed, and only a
floor on accuracy is asserted (a retrained model may move by a few points).
"""

from __future__ import annotations

import json
import os
import statistics
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from nlu.engine import BuiltinNlu, Lexicon
from nlu.rasa_http import OUT_OF_SCOPE, RasaNlu
from nlu.training_data import Example, load_training_data

RASA_URL = os.environ.get("RASA_URL", "")
NLU_DIR = Path(__file__).resolve().parents[2] / "data" / "nlu"
MIN_ACCURACY = 0.70

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.skipif(not RASA_URL, reason="RASA_URL not set (scripts/rasa_ci.sh sets it)"),
]


@pytest.fixture(scope="module")
def engine() -> RasaNlu:
    builtin = BuiltinNlu.fit(
        load_training_data(NLU_DIR / "nlu.yml"), Lexicon.load(NLU_DIR / "lexicon.yaml")
    )
    # Generous timeout: the first parses of a freshly loaded model are slow.
    return RasaNlu(builtin, RASA_URL, timeout=10.0)


@pytest.fixture(scope="module")
def held_out() -> list[Example]:
    return load_training_data(NLU_DIR / "test.yml").examples


def report(lines: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + "\n".join(lines))


def raw_parse_ms(text: str) -> float:
    """Milliseconds of one bare POST /model/parse, without our client or builtin parse."""
    request = urllib.request.Request(
        RASA_URL.rstrip("/") + "/model/parse",
        data=json.dumps({"text": text}).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=10) as response:
        json.loads(response.read())
    return (time.perf_counter() - started) * 1000


def test_in_scope_held_out_questions_get_their_intent(
    engine: RasaNlu, held_out: list[Example], capsys: pytest.CaptureFixture[str]
) -> None:
    engine.parse("xin chào")  # warm-up: the model's first prediction is slow
    questions = [e for e in held_out if e.intent != OUT_OF_SCOPE]
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses: list[str] = []
    latencies: list[float] = []
    for example in questions:
        started = time.perf_counter()
        parse = engine.parse(example.text)
        latencies.append((time.perf_counter() - started) * 1000)
        assert parse.backend == "rasa", f"Rasa did not answer for {example.text!r}"
        total[example.intent] += 1
        if parse.intent == example.intent:
            right[example.intent] += 1
        else:
            misses.append(
                f"  {example.intent} -> {parse.intent} ({parse.confidence:.2f}): {example.text}"
            )
    raw = [raw_parse_ms(e.text) for e in questions[:50]]
    accuracy = sum(right.values()) / len(questions)
    builtin = sum(engine.builtin.parse(e.text).intent == e.intent for e in questions)
    lines = [
        f"Rasa accuracy on {len(questions)} in-scope held-out questions: {accuracy:.1%} "
        f"(builtin engine on the same: {builtin / len(questions):.1%})"
    ]
    lines += [f"  {i}: {right[i]}/{total[i]}" for i in sorted(total)]
    lines += ["misses:", *misses]
    p90 = statistics.quantiles(latencies, n=10)[-1]
    lines.append(
        f"latency: POST /model/parse p50 {statistics.median(raw):.1f} ms "
        f"(max {max(raw):.1f}); RasaNlu.parse incl. builtin p50 "
        f"{statistics.median(latencies):.1f} ms (p90 {p90:.1f})"
    )
    report(lines, capsys)
    assert accuracy >= MIN_ACCURACY


def test_out_of_scope_questions(
    engine: RasaNlu, held_out: list[Example], capsys: pytest.CaptureFixture[str]
) -> None:
    clear_case = engine.parse("thời tiết Hà Nội ngày mai có mưa không")
    assert clear_case.backend == "rasa"
    others = [e for e in held_out if e.intent == OUT_OF_SCOPE]
    parses = [engine.parse(e.text) for e in others]
    caught = sum(p.intent == OUT_OF_SCOPE for p in parses)
    lines = [
        f"out of scope: {caught}/{len(others)} held-out out-of-scope questions caught; "
        f"the weather question -> {clear_case.intent} ({clear_case.confidence:.2f})"
    ]
    lines += [
        f"  missed: {p.text} -> {p.intent} ({p.confidence:.2f})"
        for p in parses
        if p.intent != OUT_OF_SCOPE
    ]
    report(lines, capsys)
    assert clear_case.intent == OUT_OF_SCOPE
    assert caught / len(others) >= 0.5
