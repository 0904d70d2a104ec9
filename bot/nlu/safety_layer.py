"""The safety layer as the last step of the NLU pipeline (its rules in English
and in German, bot/nlu/safety_patterns.py and bot/nlu/safety_german.py): whatever the
classifier decided, a request for individual advice becomes `personal_advice`
(the refusal comes, with the general topic offered from the classifier's
ranking), and a red flag is marked on the message so that every action puts
the urgent reply first. A message that is only a red flag, or whose intent says
nothing about CRMO, becomes `urgent_symptoms`; a red flag followed by a
question about CRMO keeps its question, which is answered after the urgent
reply. A denied symptom ("no fever, walks fine, ...") is not a red flag, and a
negative rating in words is never recorded as helpful.

What it found is added to the message as `safety` entities (value `red_flag` or
`advice`, with the rule's name), which the actions read and curators can count.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge import knowledge
from bot.nlu import ADVICE, CLASSIFIER_RULE, KNOWN_WORDS, LANGUAGE_ENTITY, RED_FLAG, SAFETY_ENTITY
from bot.nlu.message_marks import add_entity, entity_value, put_intent_first
from bot.nlu.safety_german import combined, german_rules
from bot.nlu.safety_patterns import Finding, patterns_for

URGENT_INTENT = "urgent_symptoms"
ADVICE_INTENT = "personal_advice"
# The classifier "fires" on an advice request or a red flag when it gives that
# label at least this probability, even if another label is ahead (config.yml
# says why; a red flag needs less: a missed red flag is the worst error).
CLASSIFIER_RECALL = 0.45
RED_FLAG_RECALL = 0.15
# A message the classifier reads first of all as one of these is no red flag on
# the classifier's word alone ("hi, it's 2 a.m. and I can't sleep, worried
# about my son" had urgent_symptoms second): a rule has to find one. On all
# development sets, 5 greetings and requests for help lost the urgent reply
# and no red flag did.
SMALL_TALK = frozenset({"greet", "goodbye", "thank", "help", "bot_challenge"})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False, model_from="SpacyNLP")
class SafetyLayer(GraphComponent):
    """Runs after the intent classifier, the language guard and the fallback classifier."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"classifier_recall": CLASSIFIER_RECALL, "red_flag_recall": RED_FLAG_RECALL}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyLayer:
        return cls({**cls.get_default_config(), **config})

    def __init__(self, config: Dict[str, Any]) -> None:
        self._faq_ids = frozenset(knowledge().faq_ids)
        self._recall = float(config["classifier_recall"])
        self._red_flag_recall = float(config["red_flag_recall"])  # a red flag may need less

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        patterns, german = patterns_for(model.model), german_rules()
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is not None:
                finding = combined(patterns.check(doc), german.check(message.get(TEXT) or ""))
                finding = with_classifier(message, finding, self._recall, self._red_flag_recall)
                apply(message, finding, self._faq_ids)
        return messages


def with_classifier(
    message: Message, finding: Finding, recall: float = CLASSIFIER_RECALL, red_flag_recall: float = RED_FLAG_RECALL
) -> Finding:
    """The patterns' finding, with an advice request added where the classifier
    gives that label at least `recall`, and a red flag where it gives it at least
    `red_flag_recall` (not when the message denies the red flag, or tells it as
    past or asks about it in general, nor when the classifier's first label is
    a greeting, thanks or a request for help); no advice request where the
    rules found a red flag and "what should we do?" beside it, which the urgent
    reply answers. Neither where the
    language guard found no word the training data uses: on "zxqv plorb vrrk" the
    classifier's probabilities are noise from letter n-grams, and one in eight
    strings of random letters got `urgent_symptoms` at 0.15 or more."""
    if message.get(KNOWN_WORDS) == 0:  # no word the training data uses: the classifier only guessed
        return finding
    ranking = {r.get("name"): r.get("confidence") or 0.0 for r in message.get(INTENT_RANKING_KEY) or []}
    red_flags, advice = finding.red_flags, finding.advice
    if (
        not red_flags
        and not finding.denied_red_flag
        and ranking.get(URGENT_INTENT, 0.0) >= red_flag_recall
        and _first_label(ranking) not in SMALL_TALK
    ):
        red_flags = (CLASSIFIER_RULE,)
    if not advice and ranking.get(ADVICE_INTENT, 0.0) >= recall and not finding.asks_what_to_do:
        advice = (CLASSIFIER_RULE,)
    return dataclasses.replace(finding, red_flags=red_flags, advice=advice)


def _first_label(ranking: Dict[Optional[str], float]) -> Optional[str]:
    """The classifier's most likely label, the fallback aside (looked up only
    for a message the classifier gives some urgent_symptoms)."""
    labels = (name for name in ranking if name != DEFAULT_NLU_FALLBACK_INTENT_NAME)
    return max(labels, key=lambda name: ranking[name], default=None)


def apply(message: Message, finding: Finding, faq_ids: frozenset) -> None:
    """Marks what was found and sets the intent the safety rules call for."""
    found = [(RED_FLAG, rule) for rule in finding.red_flags] + [(ADVICE, rule) for rule in finding.advice]
    for value, rule in found:
        mark(message, value, rule)
    if entity_value(message, LANGUAGE_ENTITY):
        return  # another language: the language guard's reply (which names the emergency numbers) stands
    intent = _new_intent(message, finding, faq_ids)
    if intent:
        put_intent_first(message, intent)


def mark(message: Message, value: str, rule: str, extractor: str = "SafetyLayer") -> None:
    """The `safety` entity the actions read: `value` is RED_FLAG or ADVICE; `rule`
    says which rule found it (for the logs and the curators' report)."""
    add_entity(message, SAFETY_ENTITY, value, extractor, rule=rule)


def _new_intent(message: Message, finding: Finding, faq_ids: frozenset) -> Optional[str]:
    current = (message.get(INTENT) or {}).get("name")
    if finding.advice:
        return ADVICE_INTENT
    if finding.red_flags:
        if current in faq_ids and finding.asks_a_question:
            return None  # urgent reply first (the actions see the entity), then the answer
        # (the classifier's personal_advice with no advice found: "what should we do?"
        # beside the red flag, which the urgent reply answers)
        return None if current == URGENT_INTENT else URGENT_INTENT
    if current == URGENT_INTENT and finding.denied_red_flag:
        ranking = message.get(INTENT_RANKING_KEY) or []
        return next((r["name"] for r in ranking if r.get("name") not in (URGENT_INTENT, None)), None)
    if current == "feedback_helpful" and finding.negative_tone:
        return "feedback_unhelpful"
    if current == "feedback_helpful" and finding.thanks:
        return "thank"
    return None
