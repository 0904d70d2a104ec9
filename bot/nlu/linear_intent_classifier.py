"""Logistic regression on the sentence features of every featurizer, with the
word and character counts weighted by TF-IDF.

Rasa's `LogisticRegressionClassifier` already puts the sentence features of
every sparse and dense featurizer side by side and fits one scikit-learn
`LogisticRegression` (saved with skops), but it fixes `C` at 1.0 and
`class_weight` at "balanced", and it feeds raw counts. Rasa's count
featurizers have no TF-IDF; raw counts let long messages (a story before the
question) and common words weigh more than the few words that name the topic.
This subclass makes `C` and `class_weight` part of the config and, with
`tfidf: true`, weights the sparse part by sublinear TF-IDF (fitted on the
training data, saved beside the classifier) and scales each row to unit length.
`sparse_weights` (one per sparse featurizer, in the order they run) and
`dense_weight` then scale the parts of that row: the normalised sentence
embedding has length 1, and with one regularisation strength for every
weight, a part made longer is one the classifier may lean on more
(config.yml gives the values and how they were chosen).

At run time it scores a message without building scikit-learn's input row:
Rasa's `process` joins every featurizer's sparse and dense features into one
matrix (deep copies and scipy stacking, a third of a parse), then
scikit-learn checks and multiplies it. The scores are the same sums over the
few words a message has (tests/test_sentence_embeddings.py compares them with
scikit-learn's)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import csr_matrix, hstack
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfTransformer

IDF_FILE = "idf.npy"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """`LogisticRegressionClassifier` with `C` (inverse regularisation strength),
    `class_weight` ("balanced" or null), `tfidf`, `sparse_weights` and
    `dense_weight` in its config."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "C": 1.0,
            "class_weight": "balanced",
            "tfidf": False,
            "sparse_weights": None,  # null: every sparse featurizer's counts as they are
            "dense_weight": 1.0,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=self.config["C"], class_weight=self.config["class_weight"])
        self.tfidf: Optional[TfidfTransformer] = None
        # the fitted IDF weights as a plain array: scikit-learn's `idf_` sums a
        # features x features diagonal matrix on every read, 0.5 ms a message
        self.idf: Optional[np.ndarray] = None
        # the column weights by the widths of the sparse parts: built once, not for each message (0.04 ms)
        self._weights_by_blocks: Dict[Tuple[int, ...], np.ndarray] = {}

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        """Sparse sentence features (TF-IDF weighted when configured) beside the
        dense ones. Built from the sentence features alone: Rasa's
        `get_sparse_features` also joins every message's sequence features
        (a row per word, deep-copied), which cost half a minute of training."""
        indptr, indices, data, vectors, width = [0], [], [], [], None
        blocks: Tuple[int, ...] = ()
        for message in messages:
            row = sentence_features(message)
            if width is not None and row.width != width:
                raise ValueError(f"{message.get(TEXT)!r} has {row.width} sparse features, the others {width}")
            width = row.width
            indices.append(row.columns)
            data.append(row.counts)
            indptr.append(indptr[-1] + len(row.columns))
            vectors.append(row.vector * self.config["dense_weight"])
            blocks = row.blocks
        columns = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64)
        values = np.concatenate(data) if data else np.zeros(0)
        counts = csr_matrix((values, columns, indptr), shape=(len(messages), width or 0))
        if self.config["tfidf"]:
            if self.tfidf is None:  # training: fitted on the training examples only
                self.tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
                self.idf = np.asarray(self.tfidf.idf_)
            counts = self.tfidf.transform(counts)
        if self.config["sparse_weights"] is not None and messages:
            counts = csr_matrix(counts.multiply(self._column_weights(blocks)))
        return hstack([counts, csr_matrix(np.vstack(vectors) if vectors else np.zeros((0, 0)))]).tocsr()

    def _column_weights(self, blocks: Tuple[int, ...]) -> np.ndarray:
        """`sparse_weights` (set: callers check) spread over the columns: each
        featurizer's weight on each of its columns (`blocks` are their widths, in
        pipeline order)."""
        if blocks in self._weights_by_blocks:
            return self._weights_by_blocks[blocks]
        weights = self.config["sparse_weights"]
        if len(weights) != len(blocks):
            raise ValueError(
                f"sparse_weights has {len(weights)} weights, but {len(blocks)} sparse featurizers run before "
                f"the classifier: give config.yml one weight per sparse featurizer, in pipeline order."
            )
        self._weights_by_blocks[blocks] = np.repeat(np.asarray(weights, dtype=np.float64), blocks)
        return self._weights_by_blocks[blocks]

    def process(self, messages: List[Message]) -> List[Message]:
        """The intent ranking of each message, as Rasa's `process` sets it."""
        for message in messages:
            scored = zip(self.clf.classes_, self.probabilities(message), strict=True)
            ranking = sorted(
                ({"name": name, "confidence": float(p)} for name, p in scored), key=lambda e: -e["confidence"]
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def probabilities(self, message: Message) -> np.ndarray:
        """What `clf.predict_proba` gives for the message's row of `_create_X`,
        computed from the words the message has: the softmax of
        coef[:, columns] @ weights + coef[:, dense] @ (dense_weight * vector) + intercept."""
        if self.clf.multi_class == "ovr" or self.clf.solver == "liblinear" or len(self.clf.classes_) <= 2:
            return self.clf.predict_proba(self._create_X([message]))[0]  # one-vs-rest: scikit-learn's own
        row = sentence_features(message)
        at, weights, width, vector = row.columns, row.counts, row.width, row.vector
        coef = self.clf.coef_
        if width + len(vector) != coef.shape[1]:
            raise ValueError(
                f"The message has {width} sparse and {len(vector)} dense features; the classifier was "
                f"trained on {coef.shape[1]}. The featurizers before it changed: train the model again."
            )
        if self.idf is not None:
            weights = (np.log(weights) + 1.0) * self.idf[at]
            length = np.sqrt(np.dot(weights, weights))
            if length > 0:
                weights = weights / length
        if self.config["sparse_weights"] is not None:
            weights = weights * self._column_weights(row.blocks)[at]
        scores = coef[:, at] @ weights + coef[:, width:] @ (vector * self.config["dense_weight"]) + self.clf.intercept_
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the classifier. `max_iter` in config.yml stops the solver before
        its own tolerance on purpose (measured there), so scikit-learn's
        warning that it did not converge says nothing new and is not shown."""
        self.tfidf = self.idf = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return super().train(training_data)

    def persist(self) -> None:
        super().persist()
        if self.idf is not None:  # the IDF weights are all a fitted transformer holds
            with self._model_storage.write_to(self._resource) as model_dir:
                np.save(model_dir / IDF_FILE, self.idf)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        # scikit-learn scores a message as X @ coef_.T; with coef_ in C order
        # that transpose is not contiguous, and scipy copies the whole weight
        # matrix (features x intents) for every message: 2 ms of each parse.
        # Column-major storage makes the transpose contiguous; the numbers are the same.
        component.clf.coef_ = np.asfortranarray(component.clf.coef_)
        if component.config["tfidf"]:
            with model_storage.read_from(resource) as model_dir:
                component.idf = np.load(model_dir / IDF_FILE, allow_pickle=False)
            component.tfidf = TfidfTransformer(sublinear_tf=True)
            component.tfidf.idf_ = component.idf
        return component


@dataclass(frozen=True)
class SentenceRow:
    """One message's sentence features, as the classifier's input row holds
    them: the columns and counts of every sparse featurizer side by side (in
    the order the featurizers ran), then every dense vector."""

    columns: np.ndarray
    counts: np.ndarray
    width: int  # the sparse part's width
    vector: np.ndarray
    blocks: Tuple[int, ...] = ()  # the width of each sparse featurizer's part


def sentence_features(message: Message) -> SentenceRow:
    columns, counts, width, dense, blocks = [], [], 0, [], []
    for features in message.features:
        if features.attribute != TEXT or features.type != FEATURE_TYPE_SENTENCE:
            continue
        if features.is_dense():
            dense.append(np.asarray(features.features, dtype=np.float64).ravel())
            continue
        row = features.features.tocsr()  # sums repeated entries, as scikit-learn's input does
        columns.append(row.indices + width)
        counts.append(row.data.astype(np.float64))
        width += row.shape[1]
        blocks.append(row.shape[1])
    return SentenceRow(
        np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64),
        np.concatenate(counts) if counts else np.zeros(0),
        width,
        np.concatenate(dense) if dense else np.zeros(0),
        tuple(blocks),
    )
