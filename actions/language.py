"""The language a reply is written in. The NLU pipeline marks a message that is
clearly English or German, or, when the message does not say (\"ok\", \"CRMO?\"),
the language its channel asked for (the widget's page or switch, Telegram's
user language, REST metadata); the `reply_language` slot keeps the last one.
A button press skips the NLU pipeline, so its channel's metadata counts next."""

from __future__ import annotations

from typing import Any, Dict

from rasa_sdk import Tracker

from bot import settings
from bot.knowledge import KnowledgeBase, knowledge, turn_language
from bot.nlu import REPLY_LANGUAGE

settings.default_language()  # a wrong CRMO_LANGUAGE stops the action server at start, naming the variable


def _metadata(tracker: Tracker) -> Dict[str, Any]:
    latest = next((e for e in reversed(tracker.events) if e.get("event") == "user"), None)
    metadata = (latest or {}).get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def reply_language(tracker: Tracker) -> str:
    """The message's language, else its channel's, else the conversation's, else
    the deployment's (CRMO_LANGUAGE, English unless set)."""
    entities = tracker.latest_message.get("entities") or []
    return turn_language(
        [e.get("value") for e in entities if e.get("entity") == REPLY_LANGUAGE],
        _metadata(tracker).get("language"),
        tracker.get_slot(REPLY_LANGUAGE),
        settings.default_language(),
    )


def knowledge_for(tracker: Tracker) -> KnowledgeBase:
    """The knowledge base in the language this turn is answered in."""
    return knowledge(reply_language(tracker))
