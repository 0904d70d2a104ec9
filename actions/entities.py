"""The body sites, drugs and age groups named in the latest message, as the
knowledge base's canonical values (whatever the extractor returned)."""

from __future__ import annotations

from typing import List, Tuple

from rasa_sdk import Tracker

from bot.knowledge import ENTITY_TYPES
from bot.knowledge.vocabulary import canonical


def message_entities(tracker: Tracker) -> List[Tuple[str, str]]:
    found: List[Tuple[str, str]] = []
    for entity in tracker.latest_message.get("entities") or []:
        etype = entity.get("entity")
        if etype not in ENTITY_TYPES:
            continue
        value = canonical(etype, entity.get("value", "")) or canonical(etype, entity.get("text", ""))
        if value and (etype, value) not in found:
            found.append((etype, value))
    return found
