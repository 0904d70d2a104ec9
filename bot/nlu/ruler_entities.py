"""The entity ruler's body sites, drugs and age groups, read from the spaCy doc
the pipeline already made of the message.

Rasa's `SpacyEntityExtractor` runs the whole spaCy pipeline a second time on
every message, on the text as written, because the doc `SpacyNLP` makes is of
the lower-cased text (`case_sensitive: false`) and a statistical NER model
reads capitals. The project's pipeline has no such model: its entities come
from an entity ruler that matches lower-cased words (`bot/nlp.py`), so the
lower-cased doc holds the same entities at the same characters. This
extractor takes them from there, with each value cut from the text as
written, as Rasa's gives it: 0.3 ms less a message. Where lower-casing would
move characters (a few letters, such as "İ", become two), it runs spaCy on the
text as Rasa does. tests/test_ruler_entities.py compares both on every
message of the NLU data."""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP")
class RulerEntityExtractor(SpacyEntityExtractor):
    """`SpacyEntityExtractor` reading the message's own lower-cased doc."""

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None or doc.text != text.lower() or len(doc.text) != len(text):
                super().process([message], model)
                continue
            found = self._extract_entities(doc)  # Rasa's, with the value of the lower-cased doc ...
            for entity in found:
                entity["value"] = text[entity["start"] : entity["end"]]  # ... as written instead
            extracted = self.filter_irrelevant_entities(self.add_extractor_name(found), self._config["dimensions"])
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
