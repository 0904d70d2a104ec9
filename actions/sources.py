"""`Where is that from?`: the full citations behind the last answer."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import compose
from actions.language import knowledge_for
from actions.turn import open_turn


class ActionShowSources(Action):
    def name(self) -> str:
        return "action_show_sources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        kb = knowledge_for(tracker)
        open_turn(dispatcher, tracker, answer_follows=False)
        keys = [k for k in tracker.get_slot("last_sources") or [] if k in kb.references]
        if not keys:
            dispatcher.utter_message(text=kb.messages["no_previous_answer"])
            return []
        topic = kb.topics.get(tracker.get_slot("last_topic") or "")
        reviewed = topic.reviewed.isoformat() if topic else None
        dispatcher.utter_message(text=compose.full_citations(kb, keys, reviewed))
        return []
