"""Safety replies: "seek care now" for red flags, and no individual advice."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import compose
from actions.language import knowledge_for
from actions.turn import disclaimer_sent, open_turn


class ActionUrgentCare(Action):
    """The urgent reply always comes first here, whatever the red-flag detector says:
    the classifier recognised a red flag."""

    def name(self) -> str:
        return "action_urgent_care"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        messages = knowledge_for(tracker).messages
        dispatcher.utter_message(text=messages["urgent"])
        if not disclaimer_sent(tracker):
            dispatcher.utter_message(text=messages["disclaimer"])
        return []


class ActionPersonalAdvice(Action):
    def name(self) -> str:
        return "action_personal_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        kb = knowledge_for(tracker)
        open_turn(dispatcher, tracker, answer_follows=False)
        dispatcher.utter_message(text=kb.messages["personal_advice"])
        ranking = tracker.latest_message.get("intent_ranking") or []
        general = compose.closest_topics(kb, ranking, count=1)[:1]
        dispatcher.utter_message(text=kb.messages["personal_advice_offer"], buttons=compose.topic_buttons(kb, general))
        return []
