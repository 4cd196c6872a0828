"""How the whole assistant (NLU + retrieval + its refusal rules) treats the held-out
questions of data/nlu/test.yml, in each typing style of the augmenter: the share of
out-of-scope questions refused, and of directive questions refused or answered with
"did you mean" suggestions instead of an answer. Not a unit test: a measurement.

Usage (from the project root):
    .venv/bin/python bench/refusal_bench.py [--json bench/results/refusals.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import build_assistant  # noqa: E402
from bot.config import Settings  # noqa: E402
from nlu.evaluate import test_variants  # noqa: E402
from nlu.training_data import load_training_data  # noqa: E402

# Intents whose questions are about the directive (the rest: greetings, thanks, help,
# the progress-report request, out of scope).
DIRECTIVE_INTENTS = {
    "ask_agency_duties",
    "ask_deadline",
    "ask_deadline_list",
    "ask_figure",
    "ask_metadata",
    "ask_responsible",
    "ask_results",
    "ask_shortcomings",
    "ask_topic",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{folder}/bench.db"})
        qa = build_assistant(settings).core.qa
        examples = load_training_data(ROOT / "data" / "nlu" / "test.yml").examples
        counts: dict[str, Counter[str]] = {}
        for style, text, example in test_variants(examples):
            kind = qa.answer(text).kind
            group = (
                "out_of_scope"
                if example.intent == "out_of_scope"
                else "directive"
                if example.intent in DIRECTIVE_INTENTS
                else "other"
            )
            counter = counts.setdefault(style, Counter())
            counter[f"{group}_n"] += 1
            counter[f"{group}_refused"] += kind == "refusal"
            counter[f"{group}_suggested"] += kind == "did_you_mean"
    results = {}
    for style, c in counts.items():
        results[style] = {
            "out_of_scope": c["out_of_scope_n"],
            "out_of_scope_refused": round(c["out_of_scope_refused"] / c["out_of_scope_n"], 3),
            "directive_questions": c["directive_n"],
            "directive_refused": round(c["directive_refused"] / c["directive_n"], 3),
            "directive_suggested": round(c["directive_suggested"] / c["directive_n"], 3),
        }
    text = json.dumps(results, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
