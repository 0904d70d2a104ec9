"""A question about another disease is out of scope, not a CRMO answer.

"Is asthma hereditary?" is shaped like the genetics question and "how is eczema
treated?" like the treatment one; the classifier, which learns shapes, gives
them CRMO topics with confidence, and a family would read the CRMO answer as
one about the disease they named. A message that names a disease from
`bot/knowledge/other_diseases.yml` and names CRMO by none of its names, and that
the classifier gave a CRMO topic, gets `out_of_scope` instead (the classifier's
topics stay in the ranking, as the "did you mean" buttons of that reply). So
does one the classifier was unsure of (the fallback): "Sorry, I'm not sure I
understood" would let the family try again in other words, where the answer
is that the assistant does not cover that disease. It runs after the
fallback and before the safety layer, which still puts a red flag or an
advice request first."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge import KNOWLEDGE_DIR, knowledge
from bot.nlu import DISEASE_NAMES
from bot.nlu.message_marks import put_intent_first

OTHER_DISEASES_FILE = KNOWLEDGE_DIR / "other_diseases.yml"
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def words(text: str) -> List[str]:
    return WORD.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=1)
def other_diseases() -> FrozenSet[str]:
    """Every name in the file, in both languages, as its words joined by one space."""
    names = yaml.safe_load(OTHER_DISEASES_FILE.read_text(encoding="utf-8"))
    return frozenset(" ".join(words(name)) for language in names.values() for name in language)


def names_another_disease(text: str) -> bool:
    """The message names a disease of the list and none of CRMO's names."""
    found = words(text)
    if DISEASE_NAMES.intersection(found):
        return False
    joined = f" {' '.join(found)} "
    return any(f" {name} " in joined for name in other_diseases())


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class OtherDisease(GraphComponent):
    """Turns a CRMO topic into `out_of_scope` for a question about another disease."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OtherDisease:
        return cls(frozenset(knowledge().faq_ids))

    def __init__(self, faq_ids: FrozenSet[str]) -> None:
        self._faq_ids = faq_ids
        other_diseases()  # read with the model, not on the first message

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            topic = (message.get(INTENT) or {}).get("name")
            crmo_topic = topic in self._faq_ids or topic == DEFAULT_NLU_FALLBACK_INTENT_NAME
            if crmo_topic and names_another_disease(message.get(TEXT) or ""):
                put_intent_first(message, "out_of_scope")
        return messages
