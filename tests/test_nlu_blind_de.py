"""The German blind test set (tests/nlu_blind_de.yml): written before any German
training data existed, by writers who saw only the topic catalogue. It shares
no example with the training data and covers every catalogue label; it is for
measuring German understanding once the assistant answers in German, and is
never trained or tuned on."""

from __future__ import annotations

from bot.knowledge import knowledge
from tests.conftest import PROJECT
from tests.test_nlu_blind import examples, normal

BLIND_DE = PROJECT / "tests" / "nlu_blind_de.yml"
MIN_PER_LABEL = 10


def test_the_german_blind_set_shares_no_example_with_the_training_data():
    training = {normal(text) for path in (PROJECT / "data" / "nlu").glob("*.yml") for _, text in examples(path)}
    shared = [text for _, text in examples(BLIND_DE) if normal(text) in training]
    assert not shared, f"{len(shared)} blind examples are also training examples"


def test_the_german_blind_set_covers_every_catalogue_label():
    kb = knowledge()
    counts: dict = {}
    for intent, _ in examples(BLIND_DE):
        counts[intent] = counts.get(intent, 0) + 1
    assert set(counts) == {*kb.faq_ids, *kb.behaviour_ids}
    assert min(counts.values()) >= MIN_PER_LABEL, counts
