"""Records "Was this helpful?" in the conversation, tied to the topic it rates,
so that curators can list the answers families found unhelpful; after "No",
offers to pass the question to the team."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import team
from actions.language import knowledge_for
from actions.turn import open_turn


class ActionRecordFeedback(Action):
    def name(self) -> str:
        return "action_record_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        open_turn(dispatcher, tracker, answer_follows=False)
        helpful = (tracker.latest_message.get("intent") or {}).get("name") == "feedback_helpful"
        kb = knowledge_for(tracker)
        thanks = "feedback_thanks_helpful" if helpful else "feedback_thanks_unhelpful"
        dispatcher.utter_message(text=kb.messages[thanks])
        if not helpful:
            team.offer(dispatcher, kb)
        rating = {"topic": tracker.get_slot("last_topic"), "helpful": helpful}
        return [SlotSet("answer_feedback", rating)]
