"""`bot nlu eval`: intent and entity quality per backend and typing style.

In the spirit of `rasa test nlu`:
- k-fold cross-validation on the training data (builtin; each fold trains a fresh
  engine) and the held-out test file, which is never trained on;
- each test sentence is rewritten into typing styles by `nlu.augment` *after* the
  split, so no variant of a test sentence is trained on;
- per backend and style: intent accuracy and macro-F1, entity precision/recall/F1
  (on sentences as written, where the annotations' offsets hold), the most frequent
  confusions, out-of-scope rejection and false-rejection rates, parse latency p50/p99;
- a rejection threshold per backend calibrated on the cross-validation predictions
  (never on the test file), see `calibrate`.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from nlu.augment import STYLES, variants
from nlu.training_data import Example, TrainingData

OUT_OF_SCOPE = "out_of_scope"
AS_WRITTEN = "as_written"
ENTITY_TYPES = ("agency", "topic", "date", "percent", "clause")


@dataclass(frozen=True)
class PredictedEntity:
    entity: str
    text: str  # normalized tokens, space-joined
    start: int | None = None  # character offsets, when the backend gives them
    end: int | None = None


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float
    entities: tuple[PredictedEntity, ...] = ()


class EvalBackend(Protocol):
    name: str

    def predict(self, text: str) -> Prediction: ...


@dataclass
class Scored:
    """One test sentence in one style, with what the backend said and how fast."""

    style: str
    text: str
    gold: str
    predicted: str
    confidence: float
    latency_ms: float
    example: Example
    entities: tuple[PredictedEntity, ...] = ()


@dataclass
class Metrics:
    n: int
    accuracy: float
    macro_f1: float
    oos_rejection: float | None
    false_rejection: float | None
    latency_ms_p50: float
    latency_ms_p99: float
    entity_precision: float | None = None
    entity_recall: float | None = None
    entity_f1: float | None = None
    confusions: list[tuple[str, str, int]] = field(default_factory=list)


def test_variants(examples: Iterable[Example]) -> list[tuple[str, str, Example]]:
    """(style, text, example): each sentence as written, plus its style variants."""
    rows = []
    for example in examples:
        rows.append((AS_WRITTEN, example.text, example))
        rows.extend((style, text, example) for style, text in variants(example.text))
    return rows


def run(backend: EvalBackend, rows: Sequence[tuple[str, str, Example]]) -> list[Scored]:
    scored = []
    for style, text, example in rows:
        started = time.perf_counter()
        prediction = backend.predict(text)
        latency = (time.perf_counter() - started) * 1000
        scored.append(
            Scored(
                style,
                text,
                example.intent,
                prediction.intent,
                prediction.confidence,
                latency,
                example,
                prediction.entities,
            )
        )
    return scored


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def apply_threshold(scored: Sequence[Scored], threshold: float) -> list[Scored]:
    """Predictions below `threshold` confidence become out_of_scope (a rejection)."""
    return [s if s.confidence >= threshold else replace(s, predicted=OUT_OF_SCOPE) for s in scored]


def entity_counts(scored: Scored, normalize: Callable[[str], str]) -> tuple[int, int, int]:
    """True positives, false positives, false negatives of one sentence's entities.

    A predicted entity matches a gold span of the same type when their character
    ranges overlap (backends that give offsets) or their normalized texts are equal
    or one contains the other (the builtin gazetteer works on tokens).
    """
    gold = [
        (span.entity, span.start, span.end, normalize(span.text))
        for span in scored.example.entities
        if span.entity in ENTITY_TYPES
    ]
    predicted = [e for e in scored.entities if e.entity in ENTITY_TYPES]
    matched_gold: set[int] = set()
    tp = 0
    for entity in predicted:
        for i, (kind, start, end, text) in enumerate(gold):
            if i in matched_gold or kind != entity.entity:
                continue
            if entity.start is not None and entity.end is not None:
                hit = entity.start < end and start < entity.end
            else:
                hit = bool(text) and (text in entity.text or entity.text in text)
            if hit:
                matched_gold.add(i)
                tp += 1
                break
    return tp, len(predicted) - tp, len(gold) - len(matched_gold)


def metrics(scored: Sequence[Scored], normalize: Callable[[str], str] | None = None) -> Metrics:
    labels = sorted({s.gold for s in scored})
    per_label = []
    for label in labels:
        tp = sum(s.gold == label and s.predicted == label for s in scored)
        fp = sum(s.gold != label and s.predicted == label for s in scored)
        fn = sum(s.gold == label and s.predicted != label for s in scored)
        per_label.append(_f1(tp, fp, fn)[2])
    oos = [s for s in scored if s.gold == OUT_OF_SCOPE]
    in_scope = [s for s in scored if s.gold != OUT_OF_SCOPE]
    confusions = Counter((s.gold, s.predicted) for s in scored if s.gold != s.predicted)
    result = Metrics(
        n=len(scored),
        accuracy=sum(s.gold == s.predicted for s in scored) / len(scored) if scored else 0.0,
        macro_f1=statistics.fmean(per_label) if per_label else 0.0,
        oos_rejection=(sum(s.predicted == OUT_OF_SCOPE for s in oos) / len(oos) if oos else None),
        false_rejection=(
            sum(s.predicted == OUT_OF_SCOPE for s in in_scope) / len(in_scope) if in_scope else None
        ),
        latency_ms_p50=_percentile([s.latency_ms for s in scored], 0.5),
        latency_ms_p99=_percentile([s.latency_ms for s in scored], 0.99),
        confusions=[(g, p, n) for (g, p), n in confusions.most_common(8)],
    )
    if normalize is not None:
        totals = [entity_counts(s, normalize) for s in scored]
        precision, recall, f1 = _f1(*(sum(t[i] for t in totals) for i in range(3)))
        result.entity_precision, result.entity_recall, result.entity_f1 = precision, recall, f1
    return result


def calibrate(scored: Sequence[Scored]) -> float:
    """The confidence threshold that best separates out-of-scope sentences from
    in-scope ones (Youden's J: rejection rate minus false-rejection rate), computed
    on out-of-fold predictions, never on the test file. Below it the assistant asks
    "did you mean ..." instead of answering."""
    oos = [s for s in scored if s.gold == OUT_OF_SCOPE]
    in_scope = [s for s in scored if s.gold != OUT_OF_SCOPE]
    if not oos or not in_scope:
        return 0.0

    def rejected(group: Sequence[Scored], threshold: float) -> float:
        return sum(s.predicted == OUT_OF_SCOPE or s.confidence < threshold for s in group) / len(
            group
        )

    candidates = sorted({round(s.confidence, 3) for s in scored} | {0.0})
    return max(candidates, key=lambda t: (rejected(oos, t) - rejected(in_scope, t), -t))


def k_folds(examples: Sequence[Example], k: int) -> list[tuple[list[Example], list[Example]]]:
    """Stratified by intent, deterministic: example i of each intent goes to fold i % k."""
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example)
    folds: list[list[Example]] = [[] for _ in range(k)]
    for group in by_intent.values():
        for i, example in enumerate(group):
            folds[i % k].append(example)
    return [
        ([e for j, fold in enumerate(folds) if j != i for e in fold], folds[i]) for i in range(k)
    ]


def by_style(
    scored: Sequence[Scored], normalize: Callable[[str], str] | None
) -> dict[str, Metrics]:
    groups: dict[str, list[Scored]] = defaultdict(list)
    for s in scored:
        groups[s.style].append(s)
    return {
        style: metrics(groups[style], normalize if style == AS_WRITTEN else None)
        for style in (AS_WRITTEN, *STYLES)
        if groups.get(style)
    }


def markdown_report(results: dict[str, Any]) -> str:
    lines = ["# NLU evaluation", ""]
    lines.append(
        f"Training examples: {results['train_size']}; held-out test sentences: "
        f"{results['test_size']} (with style variants: {results['test_rows']})."
    )
    lines.append("")
    for section, title in (
        ("cross_validation", "Cross-validation (training data)"),
        ("test", "Held-out test file"),
        ("test_calibrated", "Held-out test file, rejecting below the calibrated threshold"),
    ):
        lines += [f"## {title}", ""]
        header = (
            "| backend | style | n | accuracy | macro-F1 | OOS rejection | false rejection"
            " | entity P/R/F1 | p50 ms | p99 ms |"
        )
        lines += [header, "|" + "---|" * 10]
        for backend, styles in results.get(section, {}).items():
            for style, m in styles.items():
                entity = (
                    f"{m['entity_precision']:.3f}/{m['entity_recall']:.3f}/{m['entity_f1']:.3f}"
                    if m.get("entity_f1") is not None
                    else ""
                )
                oos = "" if m["oos_rejection"] is None else f"{m['oos_rejection']:.3f}"
                fr = "" if m["false_rejection"] is None else f"{m['false_rejection']:.3f}"
                timed = m["latency_ms_p50"] > 0  # Rasa's own cross-validation is not timed
                p50 = f"{m['latency_ms_p50']:.2f}" if timed else "–"
                p99 = f"{m['latency_ms_p99']:.2f}" if timed else "–"
                lines.append(
                    f"| {backend} | {style} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f}"
                    f" | {oos} | {fr} | {entity} | {p50} | {p99} |"
                )
        lines.append("")
    lines += ["## Calibrated rejection thresholds", ""]
    for backend, threshold in results.get("thresholds", {}).items():
        lines.append(f"- {backend}: reject below confidence {threshold:.3f}")
    lines += ["", "## Most frequent confusions (held-out, as written)", ""]
    for backend, styles in results.get("test", {}).items():
        confusions = styles.get(AS_WRITTEN, {}).get("confusions", [])
        lines.append(f"- {backend}: " + "; ".join(f"{g} → {p} ×{n}" for g, p, n in confusions))
    lines += ["", "## Resources", ""]
    for backend, info in results.get("resources", {}).items():
        lines.append(f"- {backend}: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    return "\n".join(lines) + "\n"


def to_json(results: dict[str, Any]) -> str:
    return json.dumps(results, ensure_ascii=False, indent=2, default=str)


def as_dict(styles: dict[str, Metrics]) -> dict[str, Any]:
    return {style: asdict(m) for style, m in styles.items()}


def training_subset(data: TrainingData, examples: list[Example]) -> TrainingData:
    return TrainingData(examples, data.synonyms, data.lookups, data.regexes)
