"""The fallback's threshold by reply language (bot/nlu/language_fallback.py), on
real Rasa messages, and its place in the pipeline: after the language guard
(which names the language) and before the safety layer (which decides whatever
the classifier said)."""

from __future__ import annotations

from typing import List, Optional

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot import paths
from bot.knowledge import knowledge
from bot.nlu import ADVICE, LANGUAGE_ENTITY, REPLY_LANGUAGE, SAFETY_ENTITY
from bot.nlu.language_fallback import LanguageFallbackClassifier
from bot.nlu.message_marks import add_entity, put_intent_first
from bot.nlu.safety_layer import apply
from bot.nlu.safety_patterns import Finding
from devtools.evaluation import fallback_threshold

GERMAN = {"threshold": 0.35, "ambiguity_threshold": 0.0}
FALLBACK = LanguageFallbackClassifier({"threshold": 0.45, "ambiguity_threshold": 0.1, "by_language": {"de": GERMAN}})


def classified(text: str, confidences: List[float], language: Optional[str] = None) -> Message:
    """A message as the classifier leaves it (labels in the order of `confidences`),
    with the guard's `reply_language` if `language` is given."""
    names = ["treatment", "nsaids", "biologics"][: len(confidences)]
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": names[0], "confidence": confidences[0]})
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in zip(names, confidences, strict=True)])
    if language:
        add_entity(message, REPLY_LANGUAGE, language, "LanguageGuard")
    return message


def intent_after_fallback(message: Message) -> str:
    FALLBACK.process([message])
    return message.get(INTENT)["name"]


def test_a_german_message_is_answered_at_a_confidence_an_english_one_is_not():
    assert intent_after_fallback(classified("Wie wird CNO behandelt", [0.4, 0.1], "de")) == "treatment"
    assert intent_after_fallback(classified("how is cno treated", [0.4, 0.1], "en")) == "nlu_fallback"


def test_below_its_own_threshold_a_german_message_gets_the_buttons():
    message = classified("Behandlung?", [0.3, 0.1], "de")
    assert intent_after_fallback(message) == "nlu_fallback"
    assert message.get(INTENT)["confidence"] == 0.35  # Rasa's convention: the threshold applied
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)][:2] == ["nlu_fallback", "treatment"]


def test_a_message_without_a_language_gets_the_default_threshold():
    assert intent_after_fallback(classified("crmo??", [0.44, 0.1])) == "nlu_fallback"
    assert intent_after_fallback(classified("crmo??", [0.46, 0.1])) == "treatment"


def test_each_language_has_its_own_ambiguity_threshold():
    assert intent_after_fallback(classified("Medikamente bei CNO", [0.5, 0.45], "de")) == "treatment"
    assert intent_after_fallback(classified("medicines for cno", [0.5, 0.45], "en")) == "nlu_fallback"


def test_a_message_in_another_language_keeps_the_guards_reply():
    # Rasa's own FallbackClassifier would take this for ambiguous (1.0 - 0.95 < 0.1).
    message = classified("¿Cómo se trata la CRMO?", [0.95])
    put_intent_first(message, "out_of_scope")
    add_entity(message, LANGUAGE_ENTITY, "es", "LanguageGuard")
    assert intent_after_fallback(message) == "out_of_scope"


def test_the_safety_layer_keeps_the_guards_reply_for_another_language_but_marks_what_it_found():
    message = classified("¿Cuánto ibuprofeno le doy a mi hijo?", [0.9])
    put_intent_first(message, "out_of_scope")
    add_entity(message, LANGUAGE_ENTITY, "es", "LanguageGuard")
    apply(message, Finding(advice=("dose",)), frozenset(knowledge().faq_ids))
    assert message.get(INTENT)["name"] == "out_of_scope"
    assert any(e["entity"] == SAFETY_ENTITY and e["value"] == ADVICE for e in message.get(ENTITIES))


def test_the_pipeline_names_the_language_before_the_fallback_and_decides_safety_after_it():
    names = [step["name"] for step in yaml.safe_load(paths.CONFIG.read_text())["pipeline"]]
    guard = names.index("bot.nlu.language.LanguageGuard")
    fallback = names.index("bot.nlu.language_fallback.LanguageFallbackClassifier")
    assert guard < fallback < names.index("bot.nlu.safety_layer.SafetyLayer")
    assert "FallbackClassifier" not in names


@pytest.mark.parametrize("language, expected", [("en", 0.5), ("de", 0.4), ("fr", 0.5)])
def test_the_evaluations_read_the_threshold_of_each_language_from_the_config(language, expected):
    assert fallback_threshold(language=language) == expected
