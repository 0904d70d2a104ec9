"""The two ways an action ends a turn that asked about CRMO: with an answer
(always sent the same way) or with the closest topics to choose from."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import compose, team
from actions.turn import rules_found_advice
from bot.knowledge import KnowledgeBase
from bot.nlu import LANGUAGE_ENTITY


def send_answer(dispatcher: CollectingDispatcher, kb: KnowledgeBase, reply: compose.Answer) -> List[EventType]:
    """Sends an answer with its sources, related topics and the "Was this helpful?"
    buttons, and remembers its topic and sources for follow-ups."""
    for note in reply.notes:
        dispatcher.utter_message(text=note)
    dispatcher.utter_message(
        text=compose.with_sources(kb, reply.text, reply.sources),
        buttons=compose.topic_buttons(kb, reply.topic.related),
    )
    dispatcher.utter_message(text=kb.messages["ask_helpful"], buttons=compose.helpful_buttons(kb))
    return [SlotSet("last_topic", reply.topic.id), SlotSet("last_sources", list(reply.sources))]


def offer_topics(dispatcher: CollectingDispatcher, kb: KnowledgeBase, tracker: Tracker) -> List[EventType]:
    """Says what the assistant can answer and offers the closest topics as buttons
    (and "Ask the team" when worth it, see actions/team.py); to a message in
    another language, which languages it answers in and how to get emergency help."""
    language = next(
        (e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == LANGUAGE_ENTITY),
        None,
    )
    if language:
        for text in (kb.other_languages.get(language), kb.messages["other_language"]):
            if text:
                dispatcher.utter_message(text=text)
        if rules_found_advice(tracker):
            dispatcher.utter_message(text=kb.messages["personal_advice"])
        return []
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    dispatcher.utter_message(text=kb.messages["out_of_scope" if intent == "out_of_scope" else "fallback"])
    closest = compose.closest_topics(kb, tracker.latest_message.get("intent_ranking") or [])
    dispatcher.utter_message(text=kb.messages["fallback_choices"], buttons=compose.topic_buttons(kb, closest))
    if team.worth_asking_the_team(tracker):
        team.offer(dispatcher, kb)
    return []
