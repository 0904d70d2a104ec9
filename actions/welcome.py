"""Greeting and help: the disclaimer first, then topics to start from; and the
short replies to thanks, goodbyes and "are you a bot?", which also get the
urgent reply first when the message tells of a red flag."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import compose
from actions.language import knowledge_for
from actions.turn import open_turn, urgent_first


class ActionWelcome(Action):
    def name(self) -> str:
        return "action_welcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        kb = knowledge_for(tracker)
        urgent_first(dispatcher, tracker)
        # The greeting is where the disclaimer belongs, even later in a conversation.
        dispatcher.utter_message(text=kb.messages["disclaimer"])
        dispatcher.utter_message(
            text=kb.messages["topics_intro"], buttons=compose.topic_buttons(kb, compose.STARTER_TOPICS)
        )
        return []


class ActionSmallTalk(Action):
    """Thanks, goodbye and "are you a bot?" get the fixed text of that intent."""

    def name(self) -> str:
        return "action_small_talk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        open_turn(dispatcher, tracker, answer_follows=False)
        intent = str((tracker.latest_message.get("intent") or {}).get("name"))
        dispatcher.utter_message(text=knowledge_for(tracker).messages[intent])
        return []
