"""Safety replies: "seek care now" for red flags, and no individual advice."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import compose
from actions.red_flags import describes_red_flag
from bot.knowledge import knowledge


def urgent_first(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Puts the urgent reply before any other when the message tells of a red flag."""
    if not describes_red_flag(tracker.latest_message.get("text") or ""):
        return False
    messages = knowledge().messages
    dispatcher.utter_message(text=messages["urgent"])
    dispatcher.utter_message(text=messages["urgent_then_answer"])
    return True


class ActionUrgentCare(Action):
    def name(self) -> str:
        return "action_urgent_care"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(text=knowledge().messages["urgent"])
        return []


class ActionPersonalAdvice(Action):
    def name(self) -> str:
        return "action_personal_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        kb = knowledge()
        urgent_first(dispatcher, tracker)
        dispatcher.utter_message(text=kb.messages["personal_advice"])
        ranking = tracker.latest_message.get("intent_ranking") or []
        general = compose.closest_topics(kb, ranking, count=1)[:1]
        dispatcher.utter_message(text=kb.messages["personal_advice_offer"], buttons=compose.topic_buttons(kb, general))
        return []
