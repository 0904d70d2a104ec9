"""The project's NLU components without a Rasa server: the all-MiniLM-L6-v2
featurizer (shapes, determinism, unit-length sentence vectors, paraphrases
closer than unrelated questions, nothing fetched from the network), its
integer-arithmetic model (close to the wheel's float model, rebuilt the same
when stale) and the
logistic-regression intent classifier with configurable C."""

from __future__ import annotations

import importlib.resources
import socket
from collections import Counter
from pathlib import Path
from typing import List

import numpy as np
import onnx
import onnxruntime
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import quantized_minilm, sentence_embeddings
from bot.nlu.linear_intent_classifier import LinearIntentClassifier
from bot.nlu.sentence_embeddings import DIMENSIONS, Embedding, SentenceEmbeddingFeaturizer, token_vectors

TOKENIZER = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())


def featurizer() -> SentenceEmbeddingFeaturizer:
    return SentenceEmbeddingFeaturizer("minilm", SentenceEmbeddingFeaturizer.get_default_config())


def featurized(*texts: str) -> List[Message]:
    """Messages tokenized by Rasa's WhitespaceTokenizer, then featurized as at run time."""
    messages = [Message(data={TEXT: text}) for text in texts]
    TOKENIZER.process(messages)
    return featurizer().process(messages)


def sentence_vector(message: Message) -> np.ndarray:
    return message.get_dense_features(TEXT)[1].features[0]


def test_a_sentence_vector_and_one_vector_per_rasa_token():
    (message,) = featurized("Which bones does CRMO affect in my son's osteomyelitis?")
    sequence, sentence = message.get_dense_features(TEXT)
    assert sentence.features.shape == (1, DIMENSIONS)
    assert sequence.features.shape == (len(message.get(TOKENS_NAMES[TEXT])), DIMENSIONS)
    assert np.abs(sequence.features).sum(axis=1).min() > 0  # every token found its word pieces
    assert {feature.origin for feature in message.features} == {"minilm"}


def test_the_same_text_gives_identical_features_at_run_time_and_in_training():
    text = "can my daughter still do sports with her crmo?"
    (first,), (second,) = featurized(text), featurized(text)
    for a, b in zip(first.get_dense_features(TEXT), second.get_dense_features(TEXT), strict=True):
        assert np.array_equal(a.features, b.features)
    # training featurizes on several threads; each text must get the vectors it gets alone
    training = TrainingData([Message(data={TEXT: t}) for t in (text, "hi", "what is chronic osteomyelitis")])
    TOKENIZER.process_training_data(training)
    featurizer().process_training_data(training)
    batched = training.training_examples[0].get_dense_features(TEXT)
    for a, b in zip(first.get_dense_features(TEXT), batched, strict=True):
        np.testing.assert_array_equal(a.features, b.features)


def test_sentence_vectors_have_unit_length():
    for message in featurized("what is crmo", "Thanks, goodbye!", "x " * 300):  # the last one is cut at 128
        assert np.linalg.norm(sentence_vector(message)) == pytest.approx(1.0, abs=1e-5)


def test_paraphrases_are_closer_than_unrelated_questions():
    question, paraphrase, unrelated = map(
        sentence_vector,
        featurized(
            "Is CRMO contagious?",
            "Can other children catch CRMO from my son?",
            "What time does the football match start tonight?",
        ),
    )
    assert question @ paraphrase > question @ unrelated + 0.3


def test_a_token_gets_the_mean_of_the_word_pieces_inside_it():
    pieces = np.arange(4 * DIMENSIONS, dtype=np.float32).reshape(4, DIMENSIONS)
    # [CLS] "cr" "##mo" [SEP] for the text "crmo ?"
    embedding = Embedding(np.zeros(DIMENSIONS), pieces, [None, (0, 2), (2, 4), None])
    vectors = token_vectors(embedding, [Token("crmo", 0), Token("?", 5)])
    np.testing.assert_array_equal(vectors[0], pieces[1:3].mean(axis=0))
    np.testing.assert_array_equal(vectors[1], np.zeros(DIMENSIONS))  # no word piece: zeros, which Rasa skips


def test_nothing_is_fetched_from_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[1:]}")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    sentence_embeddings.minilm.cache_clear()  # load the model and tokenizer again, under the block
    (message,) = featurized("does naproxen work for crmo")
    assert sentence_vector(message).shape == (DIMENSIONS,)


QUESTIONS = [
    "can my daughter still do sports with her crmo?",
    "Is CRMO contagious?",
    "how is crmo diagnosed in children and what kind of doctor should I see",
    "Ist CRMO ansteckend?",
    "my son has a fever of 40 and cannot walk",
    "thanks",
]


def wheel_model_vectors(texts: List[str]) -> np.ndarray:
    """Sentence vectors from the wheel's own file, computed in floating point."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    with importlib.resources.as_file(
        importlib.resources.files(quantized_minilm.SOURCE_PACKAGE) / quantized_minilm.SOURCE_FILE
    ) as path:
        session = onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    model = sentence_embeddings.minilm()
    vectors = []
    for text in texts:
        ids = np.array([model.tokenizer.encode(text).ids])
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        sentence = session.run(["last_hidden_state"], feed)[0][0].mean(axis=0)
        vectors.append(sentence / np.linalg.norm(sentence))
    return np.array(vectors)


def test_the_quantized_model_stays_close_to_the_wheels_float_model():
    quantized = np.array([sentence_vector(message) for message in featurized(*QUESTIONS)])
    cosines = (quantized * wheel_model_vectors(QUESTIONS)).sum(axis=1)
    # when it was built: 0.990-0.995, and 0.957 for the one-word "thanks"
    assert np.median(cosines) > 0.985 and cosines.min() > 0.95, cosines


def test_the_quantized_model_multiplies_integers():
    operations = Counter(node.op_type for node in onnx.load(str(quantized_minilm.model_path())).graph.node)
    # 6 layers, each with 6 weight matrices (query, key, value, output, two feed-forward)
    assert operations["MatMulInteger"] >= 36 and operations["DynamicQuantizeLinear"] > 0, operations


def test_the_quantized_model_is_rebuilt_the_same_when_its_stamp_is_stale(tmp_path: Path):
    built = quantized_minilm.model_path()
    copy = tmp_path / built.name
    quantized_minilm.build(copy)
    assert quantized_minilm.is_current(copy) and copy.read_bytes() == built.read_bytes()
    copy.with_suffix(".sha256").write_text("built from something else")
    assert not quantized_minilm.is_current(copy)


def sparse_and_dense(text: str, intent: str, sparse: List[float], dense: List[float], *more: List[float]) -> Message:
    """A message with the sentence features of featurizers: one sparse (and
    `more` sparse ones, as the word and character counts are), one dense."""
    message = Message(data={TEXT: text, INTENT: intent})
    for n, counts in enumerate([sparse, *more]):
        message.add_features(Features(scipy.sparse.coo_matrix([counts]), FEATURE_TYPE_SENTENCE, TEXT, f"counts{n}"))
    message.add_features(Features(np.array([dense]), FEATURE_TYPE_SENTENCE, TEXT, "minilm"))
    return message


def linear_classifier(tmp_path: Path, monkeypatch, **config) -> LinearIntentClassifier:
    # Saving is Rasa's own code (skops), whose import alone takes 7 s; the
    # comparison in devtools/compare_pipelines.py saves and loads these models.
    monkeypatch.setattr(LinearIntentClassifier, "persist", lambda self: None)
    context = ExecutionContext(GraphSchema({}), node_name="linear")
    config = {**LinearIntentClassifier.get_default_config(), **config}
    return LinearIntentClassifier.create(config, LocalModelStorage(tmp_path), Resource("linear"), context)


def test_linear_intent_classifier_gives_c_and_class_weight_to_scikit_learn(tmp_path: Path, monkeypatch):
    classifier = linear_classifier(tmp_path, monkeypatch, C=10.0, class_weight=None)
    examples = [sparse_and_dense(f"greet {n}", "greet", [1, 0], [1.0, n / 10]) for n in range(3)]
    examples += [sparse_and_dense(f"bye {n}", "goodbye", [0, 1], [-1.0, n / 10]) for n in range(3)]
    classifier.train(TrainingData(examples))

    assert (classifier.clf.C, classifier.clf.class_weight) == (10.0, None)
    (message,) = classifier.process([sparse_and_dense("hello", "", [1, 0], [0.9, 0.0])])
    assert message.get(INTENT)["name"] == "greet"


@pytest.mark.parametrize("sparse_weights, dense_weight", [(None, 1.0), ([1.8, 0.7], 0.5)])
def test_the_linear_classifier_scores_a_message_as_scikit_learn_does(
    tmp_path: Path, monkeypatch, sparse_weights, dense_weight
):
    """Its run-time shortcut (the words a message has, times their weights)
    against scikit-learn's predict_proba on the row `_create_X` builds, with
    TF-IDF, two sparse featurizers, repeated words, three intents, and the
    parts of the row as they are or weighted."""
    config = {"C": 10.0, "class_weight": None, "tfidf": True, "sparse_weights": sparse_weights}
    config["dense_weight"] = dense_weight
    classifier = linear_classifier(tmp_path, monkeypatch, **config)
    rng = np.random.default_rng(7)
    intents = ["greet", "goodbye", "what_is_crmo"]
    examples = [
        sparse_and_dense(f"{intent} {n}", intent, list(rng.integers(0, 3, 6)), list(rng.normal(k, 1, 4)), [k, n % 2])
        for k, intent in enumerate(intents)
        for n in range(6)
    ]
    classifier.train(TrainingData(examples))
    questions = [sparse_and_dense("q", "", list(rng.integers(0, 4, 6)), list(rng.normal(1, 1, 4)), [2, 0])]
    questions.append(sparse_and_dense("no known word", "", [0] * 6, list(rng.normal(0, 1, 4)), [0, 0]))
    for question in questions:
        expected = classifier.clf.predict_proba(classifier._create_X([question]))[0]
        np.testing.assert_allclose(classifier.probabilities(question), expected, rtol=1e-9, atol=1e-12)
        (processed,) = classifier.process([question])
        best = int(np.argmax(expected))
        assert processed.get(INTENT)["name"] == classifier.clf.classes_[best]
        assert processed.get(INTENT)["confidence"] == pytest.approx(expected[best])


def test_the_parts_of_the_input_have_the_configured_weights(tmp_path: Path, monkeypatch):
    """`sparse_weights` scale each sparse featurizer's columns and `dense_weight`
    the sentence embedding, in training and at run time alike (the test above)."""
    message = sparse_and_dense("m", "", [1, 0, 2], [0.6, 0.8], [3, 1])
    plain = linear_classifier(tmp_path, monkeypatch, tfidf=False)._create_X([message]).toarray()
    weighted = linear_classifier(tmp_path, monkeypatch, tfidf=False, sparse_weights=[2.0, 0.5], dense_weight=0.5)
    np.testing.assert_allclose(plain, [[1, 0, 2, 3, 1, 0.6, 0.8]])
    np.testing.assert_allclose(weighted._create_X([message]).toarray(), [[2, 0, 4, 1.5, 0.5, 0.3, 0.4]])


def test_a_weight_for_each_sparse_featurizer_or_an_error_that_says_so(tmp_path: Path, monkeypatch):
    classifier = linear_classifier(tmp_path, monkeypatch, tfidf=False, sparse_weights=[1.0, 1.8, 1.0])
    with pytest.raises(ValueError, match="one weight per sparse featurizer"):
        classifier._create_X([sparse_and_dense("m", "", [1, 0, 2], [0.6, 0.8], [3, 1])])


def test_the_training_matrix_is_rasas_own_join_of_the_sentence_features(tmp_path: Path, monkeypatch):
    """`_create_X` reads the sentence features alone; the rows must be the ones
    Rasa's `get_sparse_features` / `get_dense_features` join, sequence features
    or not, repeated entries summed."""
    classifier = linear_classifier(tmp_path, monkeypatch, tfidf=False)
    rng = np.random.default_rng(11)
    messages = []
    for n in range(5):
        message = sparse_and_dense(f"m{n}", "", list(rng.integers(0, 3, 6)), list(rng.normal(0, 1, 4)), [n, 0, 1])
        words = scipy.sparse.coo_matrix(rng.integers(0, 2, (3, 6)))  # a row per word: not part of the input
        message.add_features(Features(words, FEATURE_TYPE_SEQUENCE, TEXT, "counts0"))
        messages.append(message)
    repeated = scipy.sparse.coo_matrix(([1.0, 2.0], ([0, 0], [4, 4])), shape=(1, 6))
    messages[0].features[0] = Features(repeated, FEATURE_TYPE_SENTENCE, TEXT, "counts0")

    expected = scipy.sparse.vstack(
        [
            scipy.sparse.hstack(
                [m.get_sparse_features(attribute=TEXT)[1].features, m.get_dense_features(attribute=TEXT)[1].features]
            )
            for m in messages
        ]
    ).toarray()
    np.testing.assert_array_equal(classifier._create_X(messages).toarray(), expected)


def test_the_linear_classifier_names_a_changed_featurizer(tmp_path: Path, monkeypatch):
    classifier = linear_classifier(tmp_path, monkeypatch)
    classifier.train(TrainingData([sparse_and_dense(f"{i}", i, [1, 0], [0.5]) for i in ("a", "b", "c")]))
    with pytest.raises(ValueError, match="train the model again"):
        classifier.probabilities(sparse_and_dense("q", "", [1, 0, 1], [0.5]))
