"""The blind test set (tests/nlu_blind.yml): written before any tuning by
writers who saw only the topic catalogue, never trained or tuned on. It shares
no example with the training data, covers every label, and the trained model
meets the accuracy gate on it; the per-label report is printed in every run."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.knowledge import knowledge
from devtools.evaluation import BLIND_NLU, evaluate_blind_nlu
from tests.conftest import ARTIFACTS, PROJECT
from tests.test_nlu import print_report

# Reached on the blind set after the last change (README, "Measured"): accuracy
# 0.939 and confident wrong answers 0.048 (with the German training data; 0.933
# and 0.047 before it). The gates are that less a margin.
MIN_ACCURACY = 0.92
MAX_CONFIDENT_WRONG = 0.06
MIN_PER_LABEL = 15


def examples(path: Path) -> list:
    """(intent, text) of a Rasa NLU file, entity annotations removed."""
    found = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        for line in (block.get("examples") or "").splitlines():
            if line.strip().startswith("- ") and "intent" in block:
                found.append((block["intent"], re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:])))
    return found


def normal(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", "", text.lower()).split())


def test_the_blind_set_shares_no_example_with_the_training_data():
    training = {normal(text) for path in (PROJECT / "data" / "nlu").rglob("*.yml") for _, text in examples(path)}
    shared = [text for _, text in examples(BLIND_NLU) if normal(text) in training]
    assert not shared, shared


def test_the_blind_set_covers_every_catalogue_label():
    kb = knowledge()
    counts: dict = {}
    for intent, _ in examples(BLIND_NLU):
        counts[intent] = counts.get(intent, 0) + 1
    assert set(counts) == {*kb.faq_ids, *kb.behaviour_ids}
    assert min(counts.values()) >= MIN_PER_LABEL, counts


def test_intent_accuracy_on_the_blind_set(model: Path, capsys):
    out = ARTIFACTS / "nlu-blind"
    threshold = yaml.safe_load((PROJECT / "config.yml").read_text())["pipeline"]
    threshold = next(c["threshold"] for c in threshold if c["name"] == "FallbackClassifier")
    report = evaluate_blind_nlu(model, out, threshold)
    with capsys.disabled():
        print(f"\nBlind set ({report['examples']} messages):")
        print_report(report, out, show_misses=False)  # per label only: the blind texts are not shown
        print(f"confident wrong (>= {threshold}): {report['confident_wrong']:.3f}")
    assert report["accuracy"] >= MIN_ACCURACY
    assert report["confident_wrong"] <= MAX_CONFIDENT_WRONG
