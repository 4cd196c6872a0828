import json
from pathlib import Path

import pytest

from nlu import evaluate as ev
from nlu.training_data import EntitySpan, Example


def scored(gold: str, predicted: str, confidence: float = 0.9) -> ev.Scored:
    return ev.Scored("as_written", "x", gold, predicted, confidence, 1.0, Example("x", gold))


def test_metrics_accuracy_macro_f1_and_rejection_rates() -> None:
    rows = [
        scored("a", "a"),
        scored("a", "b"),
        scored("b", "b"),
        scored("out_of_scope", "out_of_scope"),
        scored("out_of_scope", "a"),
    ]
    m = ev.metrics(rows)
    assert m.accuracy == 3 / 5
    assert m.oos_rejection == 0.5
    assert m.false_rejection == 0.0
    # F1: a = 2*(1/2*1/2)/(1) = 0.5; b = 2*(1/2*1)/(1.5) = 2/3; oos = 2*(1*1/2)/1.5 = 2/3
    assert abs(m.macro_f1 - (0.5 + 2 / 3 + 2 / 3) / 3) < 1e-9
    assert ("a", "b", 1) in m.confusions


def test_calibration_separates_low_confidence_out_of_scope() -> None:
    rows = [scored("a", "a", 0.9), scored("a", "a", 0.8), scored("out_of_scope", "a", 0.3)]
    threshold = ev.calibrate(rows)
    assert 0.3 < threshold <= 0.8
    calibrated = ev.apply_threshold(rows, threshold)
    assert [s.predicted for s in calibrated] == ["a", "a", "out_of_scope"]


def test_entity_counts_by_offsets_and_by_text() -> None:
    example = Example(
        "Sở Nội vụ làm gì", "ask_agency_duties", (EntitySpan("agency", "snv", 0, 9, "Sở Nội vụ"),)
    )
    by_offset = ev.Scored(
        "as_written",
        example.text,
        example.intent,
        example.intent,
        1.0,
        1.0,
        example,
        (ev.PredictedEntity("agency", "Sở Nội vụ", 0, 9), ev.PredictedEntity("topic", "x", 11, 13)),
    )
    assert ev.entity_counts(by_offset, str.lower) == (1, 1, 0)
    by_text = ev.Scored(
        "as_written",
        example.text,
        example.intent,
        example.intent,
        1.0,
        1.0,
        example,
        (ev.PredictedEntity("agency", "sở nội vụ"),),
    )
    assert ev.entity_counts(by_text, str.lower) == (1, 0, 0)


def test_folds_are_stratified_and_disjoint() -> None:
    examples = [Example(f"{intent}{i}", intent) for intent in "ab" for i in range(10)]
    folds = ev.k_folds(examples, 5)
    assert len(folds) == 5
    for train, test in folds:
        assert not {e.text for e in train} & {e.text for e in test}
        assert sorted(e.intent for e in test) == ["a", "a", "b", "b"]


def test_rasa_cross_validation_predictions_are_read_for_calibration(tmp_path: Path) -> None:
    from bot.nlu_eval import rasa_cv_scored

    # The shape `rasa test nlu --cross-validation --successes` writes (Rasa 3.6).
    successes = [
        {
            "text": "chào",
            "intent": "greet",
            "intent_prediction": {"name": "greet", "confidence": 0.99},
        },
        {
            "text": "sở tttt làm gì",
            "intent": "ask_agency_duties",
            "intent_prediction": {"name": "ask_agency_duties", "confidence": 0.7},
        },
    ]
    errors = [
        {
            "text": "giá vàng",
            "intent": "out_of_scope",
            "intent_prediction": {"name": "ask_figure", "confidence": 0.41},
        },
        {
            "text": "xyz",
            "intent": "out_of_scope",
            "intent_prediction": {"name": "nlu_fallback", "confidence": 0.3},
        },
    ]
    (tmp_path / "intent_successes.json").write_text(json.dumps(successes), encoding="utf-8")
    (tmp_path / "intent_errors.json").write_text(json.dumps(errors), encoding="utf-8")
    rows = rasa_cv_scored(tmp_path)
    assert [(r.gold, r.predicted) for r in rows] == [
        ("greet", "greet"),
        ("ask_agency_duties", "ask_agency_duties"),
        ("out_of_scope", "ask_figure"),
        ("out_of_scope", "out_of_scope"),  # Rasa's fallback intent is our out_of_scope
    ]
    assert 0.41 < ev.calibrate(rows) <= 0.7


def test_rasa_cross_validation_folder_must_hold_both_files(tmp_path: Path) -> None:
    from bot.nlu_eval import rasa_cv_scored

    (tmp_path / "intent_successes.json").write_text("[]", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match=r"rasa_cv\.sh"):
        rasa_cv_scored(tmp_path)
