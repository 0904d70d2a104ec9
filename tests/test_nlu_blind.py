"""The blind test set (tests/nlu_blind.yml): written before any tuning by
writers who saw only the topic catalogue, never trained or tuned on. It shares
no example with the training data, covers every label, and the trained model
meets the accuracy gate on it; the per-label report is printed in every run."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.knowledge import knowledge
from devtools.evaluation import BLIND_NLU, evaluate_blind_nlu, fallback_threshold
from tests.conftest import ARTIFACTS, PROJECT
from tests.test_nlu import print_report

# Reached on the blind set after the last change (README, "Measured", the
# newest block): accuracy 0.958 and confident wrong answers 0.036 at the
# fallback threshold 0.50, with rounds 7-9 of the training data (0.943 and
# 0.044 before them). The gates are that less a margin (at most 0.02 for
# accuracy).
MIN_ACCURACY = 0.94
MAX_CONFIDENT_WRONG = 0.05
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


def shared_with_training(blind: Path) -> int:
    """How many examples of a blind set are also training examples (a count: the
    blind texts are never shown)."""
    training = {normal(text) for path in (PROJECT / "data" / "nlu").rglob("*.yml") for _, text in examples(path)}
    return sum(normal(text) in training for _, text in examples(blind))


def label_counts(blind: Path) -> dict:
    counts: dict = {}
    for intent, _ in examples(blind):
        counts[intent] = counts.get(intent, 0) + 1
    return counts


def measure(model: Path, blind: Path, out: Path, title: str, capsys, language: str = "en") -> dict:
    """The blind set (its messages in `language`) through the trained model;
    prints the per-label report (the confusions go to `out`, the blind texts are
    never printed)."""
    threshold = fallback_threshold(language=language)
    report = evaluate_blind_nlu(model, out, threshold, blind)
    with capsys.disabled():
        print(f"\n{title} ({report['examples']} messages):")
        print_report(report, out, show_misses=False)
        print(f"confident wrong (>= {threshold}): {report['confident_wrong']:.3f}")
    return report


def test_the_blind_set_shares_no_example_with_the_training_data():
    assert shared_with_training(BLIND_NLU) == 0, "blind examples are also training examples"


def test_the_blind_set_covers_every_catalogue_label():
    kb = knowledge()
    counts = label_counts(BLIND_NLU)
    assert set(counts) == {*kb.faq_ids, *kb.behaviour_ids}
    assert min(counts.values()) >= MIN_PER_LABEL, counts


def test_intent_accuracy_on_the_blind_set(model: Path, capsys):
    report = measure(model, BLIND_NLU, ARTIFACTS / "nlu-blind", "Blind set", capsys)
    assert report["accuracy"] >= MIN_ACCURACY
    assert report["confident_wrong"] <= MAX_CONFIDENT_WRONG


def test_the_development_sets_cover_every_catalogue_label():
    """The fallback thresholds are calibrated on them, language by language."""
    kb = knowledge()
    for development_set in ("nlu_dev.yml", "nlu_dev_de.yml"):
        counts = label_counts(PROJECT / "tests" / development_set)
        assert set(counts) == {*kb.faq_ids, *kb.behaviour_ids}, development_set
        assert min(counts.values()) >= 7, (development_set, counts)
