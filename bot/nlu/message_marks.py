"""How the project's NLU components mark a message for the actions: an entity
that covers the whole message (`safety`, `language`), and an intent put first
in the ranking with the classifier's guesses kept after it (so that the
refusal can still offer the general topic the classifier found)."""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message


def add_entity(message: Message, entity: str, value: str, extractor: str, **extra: Any) -> None:
    """An entity spanning the whole message; `extra` adds fields (a safety rule's name)."""
    end = len(message.get(TEXT) or "")
    found = {"entity": entity, "value": value, **extra, "start": 0, "end": end, "extractor": extractor}
    message.set(ENTITIES, [*(message.get(ENTITIES) or []), found], add_to_output=True)


def has_entity(message: Message, entity: str, value: str) -> bool:
    return any(e.get("entity") == entity and e.get("value") == value for e in message.get(ENTITIES) or [])


def put_intent_first(message: Message, name: str) -> None:
    """`name` as the intent, with confidence 1, first in the ranking."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    chosen = {"name": name, "confidence": 1.0}
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)


def entity_value(message: Message, entity: str) -> Any:
    """The value of the first `entity` on the message, or None."""
    return next((e.get("value") for e in message.get(ENTITIES) or [] if e.get("entity") == entity), None)
