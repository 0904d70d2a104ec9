"""The "did you mean" fallback, with a confidence threshold per reply language.

Rasa's `FallbackClassifier` has one threshold. Calibrated on the development
sets (`devtools/calibrate_fallback.py`, a wrong answer weighed as three
"did you mean" buttons), English and German want different ones: the
classifier is less sure of German, which has about half as many training
examples per label, and at the English threshold (0.45) it sent about one
German question in thirteen that it had understood to the buttons instead of
answering it. Each language can have its own settings (`by_language`); the
others use the component's own.

The language is the `reply_language` entity of the `LanguageGuard`, which runs
before this component (the message's own language, else its channel's). A
message in a language the assistant does not answer in already has its reply
(the guard chose `out_of_scope`) and is left alone."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import LANGUAGE_ENTITY, REPLY_LANGUAGE
from bot.nlu.message_marks import entity_value

BY_LANGUAGE_KEY = "by_language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageFallbackClassifier(FallbackClassifier):
    """`FallbackClassifier` with `by_language`: settings per reply language
    ({"de": {"threshold": 0.35, "ambiguity_threshold": 0.0}}) that replace the
    component's own `threshold` and `ambiguity_threshold` for messages in it."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**FallbackClassifier.get_default_config(), BY_LANGUAGE_KEY: {}}

    def __init__(self, config: Dict[str, Any]) -> None:
        config = {**self.get_default_config(), **config}
        super().__init__(config)
        self._by_language = {
            language: FallbackClassifier({**config, **settings})
            for language, settings in (config[BY_LANGUAGE_KEY] or {}).items()
        }

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageFallbackClassifier:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if entity_value(message, LANGUAGE_ENTITY):
                continue  # another language: the guard's reply stands
            language = entity_value(message, REPLY_LANGUAGE) or ""
            fallback = self._by_language.get(language)
            if fallback is None:
                super().process([message])
            else:
                fallback.process([message])
        return messages
