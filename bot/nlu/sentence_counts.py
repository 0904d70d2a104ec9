"""Rasa's `CountVectorsFeaturizer`, giving a message only the counts of the
whole message (its sentence features).

Rasa's featurizer counts each token on its own (the sequence features, a row
per token, for classifiers that read a message word by word, such as DIET)
and then the whole message again. The project's classifier reads the sentence
features only (bot/nlu/linear_intent_classifier.py), so counting every token
was a second `transform` per featurizer that nothing read: 0.3 ms of each of
the two featurizers on every message. The vocabulary is learnt as Rasa learns
it, and the sentence features are computed exactly as Rasa computes them (the
message's tokens joined by spaces, counted once); Rasa featurizes the training
examples with the same `process`, so the classifier is fitted on the numbers
it sees at run time (tests/test_sentence_counts.py).

The pipelines that compare DIET (devtools/nlu_configs) keep Rasa's featurizer."""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountsFeaturizer(CountVectorsFeaturizer):
    """`CountVectorsFeaturizer` whose `process` adds the sentence features only."""

    def process(self, messages: List[Message]) -> List[Message]:
        if self.vectorizers is None:
            return super().process(messages)  # Rasa's error message: not trained
        for message in messages:
            for attribute in self._attributes:
                vectorizer = self.vectorizers.get(attribute)
                if vectorizer is None or attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
                    continue  # no sentence features (an intent's or an action's name): nothing to tokenize
                tokens = self._get_processed_message_tokens_by_attribute(message, attribute)
                if not tokens:
                    continue
                sentence = vectorizer.transform([" ".join(tokens)])
                sentence.sort_indices()
                self.add_features_to_message(None, sentence.tocoo(), attribute, message)
        return messages
