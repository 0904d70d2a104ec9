"""RulerEntityExtractor (bot/nlu/ruler_entities.py) against Rasa's
SpacyEntityExtractor, both on the project's spaCy pipeline as config.yml
loads it (lower-cased docs): the same entities, values as written, for every
message of the NLU training and development data, and for text whose
lower-cased form is longer."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from bot import nlp
from bot.nlu.ruler_entities import RulerEntityExtractor
from tests.conftest import PROJECT

CONFIG: Dict[str, Any] = {"dimensions": ["body_site", "medication", "age_group"]}


@pytest.fixture(scope="module")
def spacy_model() -> SpacyModel:
    nlp.build()
    return SpacyNLP.load_model(str(nlp.PIPELINE_DIR))


def entities(extractor: SpacyEntityExtractor, model: SpacyModel, texts: List[str]) -> List[List[Dict[str, Any]]]:
    """Each text through SpacyNLP as config.yml sets it up, then the extractor."""
    spacy_nlp = SpacyNLP(model, {**SpacyNLP.get_default_config(), "case_sensitive": False})
    messages = [Message(data={TEXT: text}) for text in texts]
    spacy_nlp.process(messages, model)
    SpacyTokenizer(SpacyTokenizer.get_default_config()).process(messages)
    extractor.process(messages, model)
    return [[{k: v for k, v in e.items() if k != "extractor"} for e in m.get(ENTITIES, [])] for m in messages]


def test_every_nlu_message_gets_rasas_entities(spacy_model: SpacyModel):
    files = [*sorted((PROJECT / "data" / "nlu").rglob("*.yml")), *sorted((PROJECT / "tests").glob("nlu_dev*.yml"))]
    texts = [m.get(TEXT) for f in files for m in load_data(str(f)).training_examples if m.get(TEXT)]
    texts += ["Is MTX safe?", "Pamidronat für Kinder", "CRMO IN THE JAW AND THE CLAVICLE"]
    ours = entities(RulerEntityExtractor(CONFIG), spacy_model, texts)
    rasas = entities(SpacyEntityExtractor(CONFIG), spacy_model, texts)
    assert sum(map(len, rasas)) > 1000  # the data names many bones and drugs
    assert [(t, e) for t, e, r in zip(texts, ours, rasas, strict=False) if e != r] == []


def test_text_that_lower_casing_lengthens_is_read_as_rasa_does(spacy_model: SpacyModel):
    text = "İbuprofen and methotrexate for the JAW"  # "İ" lower-cases to two characters
    assert len(text.lower()) != len(text)
    got = entities(RulerEntityExtractor(CONFIG), spacy_model, [text])
    assert got == entities(SpacyEntityExtractor(CONFIG), spacy_model, [text])
    assert {e["value"] for e in got[0]} >= {"methotrexate", "JAW"}
