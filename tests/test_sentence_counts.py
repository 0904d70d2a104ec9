"""SentenceCountsFeaturizer (bot/nlu/sentence_counts.py) against Rasa's
CountVectorsFeaturizer, both trained on the same messages with the project's
two configurations (word lemmas and pairs, character n-grams): at run time a
message gets the same sentence features from both, and no row per token."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.sentence_counts import SentenceCountsFeaturizer

TOKENIZER = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
TRAINING = [
    ("what is crmo", "what_is_crmo"),
    ("what is CNO exactly", "what_is_crmo"),
    ("is crmo the same as cno", "other_names"),
    ("is CNO another name for CRMO", "other_names"),
    ("which bones does crmo affect", "affected_sites"),
    ("can it affect the jaw bones", "affected_sites"),
]
QUESTIONS = ["what is crmo", "can CRMO affect the jaw?", "is it the same", "unknown words", "bones bones bones"]
CONFIGS: List[Dict[str, Any]] = [
    {"max_ngram": 2, "min_df": 1},
    {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4, "min_df": 2},
]


def messages(texts: List[str], intents: List[str] | None = None) -> List[Message]:
    result = [
        Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
        for text, intent in zip(texts, intents or [""] * len(texts), strict=True)
    ]
    TOKENIZER.process(result)
    return result


def trained(cls: type, config: Dict[str, Any], tmp_path: Path) -> CountVectorsFeaturizer:
    context = ExecutionContext(GraphSchema({}), node_name=cls.__name__)
    resource = Resource(cls.__name__)
    featurizer = cls.create({**cls.get_default_config(), **config}, LocalModelStorage(tmp_path), resource, context)
    featurizer.train(TrainingData(messages([t for t, _ in TRAINING], [i for _, i in TRAINING])))
    return featurizer


@pytest.mark.parametrize("config", CONFIGS, ids=["words", "characters"])
def test_a_message_gets_rasas_sentence_features_and_no_row_per_token(config, tmp_path: Path):
    rasas = trained(CountVectorsFeaturizer, config, tmp_path)
    ours = trained(SentenceCountsFeaturizer, config, tmp_path)
    for rasa_message, our_message in zip(
        rasas.process(messages(QUESTIONS)), ours.process(messages(QUESTIONS)), strict=True
    ):
        expected = [f for f in rasa_message.features if f.type == FEATURE_TYPE_SENTENCE]
        got = [f for f in our_message.features if f.type == FEATURE_TYPE_SENTENCE]
        assert len(got) == len(expected) == 1
        np.testing.assert_array_equal(got[0].features.toarray(), expected[0].features.toarray())
        assert not [f for f in our_message.features if f.type == FEATURE_TYPE_SEQUENCE]
        assert [f for f in rasa_message.features if f.type == FEATURE_TYPE_SEQUENCE]  # what it no longer computes


def test_training_examples_get_the_same_sentence_features(tmp_path: Path):
    """Rasa featurizes the training data with `process` too: the classifier is
    fitted on the very features a message gets at run time, Rasa's numbers."""
    ours = trained(SentenceCountsFeaturizer, CONFIGS[0], tmp_path)
    rasas = trained(CountVectorsFeaturizer, CONFIGS[0], tmp_path)
    data = [TrainingData(messages([t for t, _ in TRAINING], [i for _, i in TRAINING])) for _ in range(2)]
    ours_examples = ours.process_training_data(data[0]).training_examples
    rasa_examples = rasas.process_training_data(data[1]).training_examples
    for our_example, rasa_example in zip(ours_examples, rasa_examples, strict=True):
        (got,) = our_example.features
        (expected,) = [f for f in rasa_example.features if f.type == FEATURE_TYPE_SENTENCE and f.attribute == TEXT]
        assert (got.type, got.attribute) == (FEATURE_TYPE_SENTENCE, TEXT)
        np.testing.assert_array_equal(got.features.toarray(), expected.features.toarray())
