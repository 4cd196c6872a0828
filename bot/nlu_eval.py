"""Run `bot nlu eval`: the builtin engine (and a Rasa server, when given) side by side.

The builtin engine is cross-validated on data/nlu/nlu.yml and scored on the
held-out data/nlu/test.yml; a Rasa server (trained on the same nlu.yml by
scripts/rasa_train.sh) is scored on the same held-out sentences and styles.
"""

from __future__ import annotations

import json
import resource
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import NluResources, nlu_resources, prepare_database
from bot.application.knowledge.seed import load_knowledge_from_db
from bot.config import Settings
from bot.storage.db import session_scope
from nlu import evaluate as ev
from nlu.engine import BuiltinNlu
from nlu.rasa_http import map_intent
from nlu.training_data import Example, TrainingData, load_training_data
from nlu.yaml_io import read_yaml


@dataclass
class BuiltinBackend:
    engine: BuiltinNlu
    name: str = "builtin"

    def predict(self, text: str) -> ev.Prediction:
        parse = self.engine.parse(text)
        entities = tuple(ev.PredictedEntity(e.entity, e.text) for e in parse.entities)
        return ev.Prediction(parse.intent, parse.confidence, entities)


@dataclass
class RasaBackend:
    """Raw /model/parse answers: intent and Rasa's own entities, with their offsets."""

    url: str
    timeout: float = 10.0
    name: str = "rasa"

    def predict(self, text: str) -> ev.Prediction:
        request = urllib.request.Request(
            self.url.rstrip("/") + "/model/parse",
            data=json.dumps({"text": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            answer: dict[str, Any] = json.load(response)
        intent = answer.get("intent") or {}
        entities = tuple(
            ev.PredictedEntity(e["entity"], str(e.get("value", "")), e.get("start"), e.get("end"))
            for e in answer.get("entities", [])
        )
        return ev.Prediction(
            map_intent(str(intent.get("name") or ev.OUT_OF_SCOPE)),
            float(intent.get("confidence") or 0.0),
            entities,
        )


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident memory of a process (VmHWM), or of this one."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cross_validate(
    resources: NluResources, training: TrainingData, folds: int
) -> tuple[list[ev.Scored], dict[str, ev.Metrics], float]:
    scored: list[ev.Scored] = []
    started = time.perf_counter()
    for train, held_out in ev.k_folds(training.examples, folds):
        engine = resources.builtin(ev.training_subset(training, train))
        scored += ev.run(BuiltinBackend(engine), ev.test_variants(held_out))
    seconds = time.perf_counter() - started
    return scored, ev.by_style(scored, None), seconds


def rasa_cv_scored(folder: Path) -> list[ev.Scored]:
    """Out-of-fold predictions of `rasa test nlu --cross-validation --successes`
    (scripts/rasa_cv.sh): intent_successes.json and intent_errors.json in `folder`."""
    scored = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: run scripts/rasa_cv.sh {folder} first")
        for row in json.loads(path.read_text(encoding="utf-8")):
            predicted = row.get("intent_prediction") or {}
            gold = map_intent(str(row["intent"]))
            scored.append(
                ev.Scored(
                    style=ev.AS_WRITTEN,
                    text=row["text"],
                    gold=gold,
                    predicted=map_intent(str(predicted.get("name") or ev.OUT_OF_SCOPE)),
                    confidence=float(predicted.get("confidence") or 0.0),
                    latency_ms=0.0,  # not timed by Rasa
                    example=Example(row["text"], gold),
                )
            )
    return scored


def run_eval(
    settings: Settings,
    folds: int = 5,
    rasa_url: str | None = None,
    rasa_pid: int | None = None,
    out_dir: Path | None = None,
    rasa_cv: Path | None = None,
) -> dict[str, Any]:
    sessions = prepare_database(settings)
    with session_scope(sessions) as session:
        knowledge = load_knowledge_from_db(session)
    resources = nlu_resources(settings, knowledge)
    normalize = resources.catalog.normalizer.normalize
    nlu_dir = settings.data_dir / "nlu"
    training = load_training_data(nlu_dir / "nlu.yml")
    test = load_training_data(nlu_dir / "test.yml").examples
    rows = ev.test_variants(test)

    cv_scored, cv_metrics, cv_seconds = _cross_validate(resources, training, folds)
    thresholds = {"builtin": ev.calibrate(cv_scored)}
    cross_validation = {"builtin": ev.as_dict(cv_metrics)}
    if rasa_cv is not None:  # Rasa's own folds (as written only: Rasa cannot take variants)
        rasa_scored = rasa_cv_scored(rasa_cv)
        thresholds["rasa"] = ev.calibrate(rasa_scored)
        cross_validation["rasa"] = ev.as_dict(ev.by_style(rasa_scored, None))

    started = time.perf_counter()
    builtin = BuiltinBackend(resources.builtin(training))
    train_seconds = time.perf_counter() - started
    backends: list[ev.EvalBackend] = [builtin]
    if rasa_url:
        backends.append(RasaBackend(rasa_url))
    results: dict[str, Any] = {
        "train_size": len(training.examples),
        "test_size": len(test),
        "test_rows": len(rows),
        "cross_validation": cross_validation,
        "test": {},
        "test_calibrated": {},
        "thresholds": thresholds,
        "resources": {
            "builtin": {
                "train_s": round(train_seconds, 2),
                f"{folds}_fold_cv_s": round(cv_seconds, 1),
            }
        },
    }
    for backend in backends:
        scored = ev.run(backend, rows)
        results["test"][backend.name] = ev.as_dict(ev.by_style(scored, normalize))
        threshold = thresholds.get(backend.name)
        if threshold is not None:
            calibrated = ev.apply_threshold(scored, threshold)
            results["test_calibrated"][backend.name] = ev.as_dict(ev.by_style(calibrated, None))
    results["resources"]["builtin"]["eval_process_peak_rss_mb"] = round(peak_rss_mb(), 1)
    if rasa_url:
        results["resources"]["rasa"] = {"server": rasa_url}
        if rasa_pid:
            results["resources"]["rasa"]["peak_rss_mb"] = round(peak_rss_mb(rasa_pid), 1)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "nlu_eval.json").write_text(ev.to_json(results), encoding="utf-8")
        (out_dir / "nlu_eval.md").write_text(ev.markdown_report(results), encoding="utf-8")
    return results


def write_calibration(path: Path, thresholds: dict[str, float]) -> None:
    """Keep the other backends' thresholds; replace those just measured."""
    current = read_yaml(path) if path.is_file() else {}
    current = {**(current or {}), **{k: round(v, 3) for k, v in thresholds.items()}}
    lines = [
        "# Confidence below which the assistant offers suggestions instead of an answer,",
        "# per NLU backend. Written by `bot nlu eval --write-calibration` from the",
        "# cross-validation predictions (never the held-out test file).",
    ]
    lines += [f"{backend}: {value}" for backend, value in sorted(current.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
