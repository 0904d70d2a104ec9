"""Answers a faq topic (or a follow-up on the last one) from the knowledge base,
with its sources, the consult urge and the "Was this helpful?" buttons."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import compose
from actions.entities import message_entities
from actions.safety import urgent_first
from bot.knowledge import knowledge


def send_answer(dispatcher: CollectingDispatcher, reply: compose.Answer) -> List[EventType]:
    """Sends an answer the one way every answer is sent, and remembers it."""
    kb = knowledge()
    for note in reply.notes:
        dispatcher.utter_message(text=note)
    dispatcher.utter_message(
        text=compose.with_sources(kb, reply.text, reply.sources),
        buttons=compose.topic_buttons(kb, reply.topic.related),
    )
    dispatcher.utter_message(text=kb.messages["ask_helpful"], buttons=compose.helpful_buttons())
    return [SlotSet("last_topic", reply.topic.id), SlotSet("last_sources", list(reply.sources))]


def resolve(tracker: Tracker) -> compose.Answer | None:
    """The answer this message asks for: its topic, or the last topic for a follow-up."""
    kb = knowledge()
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
        urgent_first(dispatcher, tracker)
        reply = resolve(tracker)
        if reply is None:
            from actions.fallback import offer_topics

            return offer_topics(dispatcher, tracker)
        return send_answer(dispatcher, reply)
