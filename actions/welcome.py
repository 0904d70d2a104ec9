"""Greeting and help: the disclaimer first, then topics to start from."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import compose
from bot.knowledge import knowledge


class ActionWelcome(Action):
    def name(self) -> str:
        return "action_welcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        kb = knowledge()
        dispatcher.utter_message(text=kb.messages["disclaimer"])
        dispatcher.utter_message(
            text=kb.messages["topics_intro"], buttons=compose.topic_buttons(kb, compose.STARTER_TOPICS)
        )
        return []
