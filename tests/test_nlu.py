"""NLU evaluation on the held-out set tests/nlu_test.yml (never used in
training): intent accuracy of at least 0.90, with the per-label report printed."""

from __future__ import annotations

import json
from pathlib import Path

from devtools.evaluation import evaluate_nlu
from tests.conftest import ARTIFACTS

MIN_ACCURACY = 0.90


def test_intent_accuracy_on_held_out_utterances(model: Path, capsys):
    out = ARTIFACTS / "nlu-eval"
    report = evaluate_nlu(model, out)
    with capsys.disabled():  # the report is wanted in every run's output, pass or fail
        print_report(report, out)
    assert report["accuracy"] >= MIN_ACCURACY


def print_report(report: dict, out: Path, show_misses: bool = True) -> None:
    print(f"\n{'label':24} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}")
    for label, row in sorted(report.items()):
        if isinstance(row, dict) and "support" in row and not label.endswith("avg"):
            print(f"{label:24} {row['precision']:9.2f} {row['recall']:7.2f} {row['f1-score']:6.2f} {row['support']:4d}")
    macro = report["macro avg"]["f1-score"]
    print(f"accuracy {report['accuracy']:.3f}, macro-F1 {macro:.3f}")
    errors = json.loads((out / "intent_errors.json").read_text()) if (out / "intent_errors.json").exists() else []
    for error in errors if show_misses else []:
        print(f"  miss: {error['text']!r}: {error['intent']} -> {error['intent_prediction']['name']}")
