"""Low confidence and out-of-scope messages: say what the assistant can answer
and offer the closest topics as buttons (the first stage of a two-stage fallback,
whose second stage is the user's click or rephrasing)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import compose
from actions.entities import message_entities
from actions.language import knowledge_for
from actions.replies import offer_topics, send_answer
from actions.turn import open_turn


class ActionDefaultFallback(Action):
    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        kb = knowledge_for(tracker)
        open_turn(dispatcher, tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        entities = message_entities(tracker)
        if intent != "out_of_scope" and entities and tracker.get_slot("last_topic"):
            # "the jaw?" with low confidence, right after an answer: a follow-up.
            reply = compose.follow_up(kb, tracker.get_slot("last_topic"), entities)
            if reply:
                return send_answer(dispatcher, kb, reply)
        return offer_topics(dispatcher, kb, tracker)
