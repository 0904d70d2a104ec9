"""The German blind test set (tests/nlu_blind_de.yml): written before any German
training data existed, by writers who saw only the topic catalogue. It shares
no example with the training data and covers every catalogue label; it is for
measuring German understanding, and is never trained or tuned on: the trained
model meets the accuracy gate on it, and only per-label figures are printed."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge import knowledge
from devtools.evaluation import BLIND_NLU_DE as BLIND_DE
from tests.conftest import ARTIFACTS
from tests.test_nlu_blind import label_counts, measure, shared_with_training

MIN_PER_LABEL = 10


def test_the_german_blind_set_shares_no_example_with_the_training_data():
    assert (
        shared_with_training(BLIND_DE) == 0
    ), "blind examples are also training examples: drop them from the training data"


def test_the_german_blind_set_covers_every_catalogue_label():
    kb = knowledge()
    counts = label_counts(BLIND_DE)
    assert set(counts) == {*kb.faq_ids, *kb.behaviour_ids}
    assert min(counts.values()) >= MIN_PER_LABEL, counts


# Reached on the German blind set after the last change (README, "Measured",
# the newest block): accuracy 0.959, confident wrong answers 0.030 at the German
# fallback threshold 0.40, with rounds 7-9 of the training data (0.949 and 0.041
# at 0.35 before them). The issue asks for 0.93; the gates hold what was
# reached, less a margin of at most 0.02, and never below 0.92.
MIN_ACCURACY_DE = 0.94
MAX_CONFIDENT_WRONG_DE = 0.05


def test_intent_accuracy_on_the_german_blind_set(model: Path, capsys):
    report = measure(model, BLIND_DE, ARTIFACTS / "nlu-blind-de", "German blind set", capsys, language="de")
    assert report["accuracy"] >= MIN_ACCURACY_DE
    assert report["confident_wrong"] <= MAX_CONFIDENT_WRONG_DE
