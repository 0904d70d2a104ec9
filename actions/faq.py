"""Answers a faq topic (or a follow-up on the last one) from the knowledge base,
with its sources, the consult urge and the "Was this helpful?" buttons."""

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
from bot.knowledge import KnowledgeBase


def resolve(kb: KnowledgeBase, tracker: Tracker) -> compose.Answer | None:
    """The answer this message asks for: its topic, or the last topic for a follow-up."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    entities = message_entities(tracker)
    if intent in kb.topics:
        return compose.answer(kb, kb.topics[intent], entities)
    if entities:
        return compose.follow_up(kb, tracker.get_slot("last_topic"), entities)
    last = tracker.get_slot("last_topic")
    return compose.answer(kb, kb.topics[last], []) if last in kb.topics else None


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        kb = knowledge_for(tracker)
        open_turn(dispatcher, tracker)
        reply = resolve(kb, tracker)
        if reply is None:
            return offer_topics(dispatcher, kb, tracker)
        return send_answer(dispatcher, kb, reply)
