"""People control their own data: "what do you know about me?" lists what is
kept about this conversation (counts, dates, topics, ratings, never the text of
a message), and "forget me", once confirmed, deletes all of it.

The deletion itself happens in the Rasa server, which holds the conversation:
this action sets the `forget_conversation` slot, and the project's tracker
stores delete the sender's conversation instead of saving it
(bot/rasa_ext/tracker_store.py). What the action server keeps for the sender,
questions for the team, it deletes here."""

from __future__ import annotations

import datetime
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import knowledge_for
from actions.turn import open_turn
from bot import settings
from bot.knowledge import KnowledgeBase
from bot.rasa_ext import FORGET_SLOT
from bot.team_questions import team_questions

Button = Dict[str, str]


def forget_buttons(kb: KnowledgeBase) -> List[Button]:
    return [
        {"title": kb.messages["button_forget_confirm"], "payload": "/forget_me_confirm"},
        {"title": kb.messages["button_keep"], "payload": "/cancel"},
    ]


# Month names by language: strftime's %B follows the process locale, not the conversation.
MONTHS = {
    "en": tuple("January February March April May June July August September October November December".split()),
    "de": tuple("Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()),
}


def _day(kb: KnowledgeBase, timestamp: Optional[float]) -> str:
    if timestamp is None:
        return kb.messages["today"]
    when = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)
    month = MONTHS[kb.language][when.month - 1]
    return f"{when.day:02d} {month} {when.year}, {when:%H:%M}"


def what_is_kept(kb: KnowledgeBase, tracker: Tracker, days: int) -> List[str]:
    """The lines of the reply to "what do you know about me?", from the events of
    this conversation and the sender's questions to the team."""
    events = tracker.events
    typed = sum(e.get("event") == "user" for e in events)
    replies = sum(e.get("event") == "bot" for e in events)
    since = min((e["timestamp"] for e in events if e.get("timestamp")), default=None)
    topics: List[str] = []
    helpful = unhelpful = 0
    for event in events:
        if event.get("event") != "slot":
            continue
        value = event.get("value")
        if event.get("name") == "last_topic" and value in kb.topics and kb.topics[value].title not in topics:
            topics.append(kb.topics[value].title)
        elif event.get("name") == "answer_feedback" and isinstance(value, dict):
            helpful += value.get("helpful") is True
            unhelpful += value.get("helpful") is False
    sent = team_questions().of_sender(tracker.sender_id)
    m = kb.messages
    lines = [
        m["my_data_intro"],
        m["my_data_messages"].format(typed=typed, replies=replies, since=_day(kb, since)),
        m["my_data_topics"].format(topics=", ".join(topics)) if topics else m["my_data_no_topics"],
        m["my_data_ratings"].format(helpful=helpful, unhelpful=unhelpful),
        m["my_data_team"].format(count=len(sent), with_email=sum(q.email is not None for q in sent)),
        m["my_data_kept"].format(days=days),
    ]
    return lines


class ActionMyData(Action):
    def name(self) -> str:
        return "action_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        kb = knowledge_for(tracker)
        open_turn(dispatcher, tracker, answer_follows=False)
        lines = what_is_kept(kb, tracker, settings.retention_days())
        button = {"title": kb.messages["button_forget_me"], "payload": "/forget_me"}
        dispatcher.utter_message(text="\n".join(lines), buttons=[button])
        return []


class ActionForgetMe(Action):
    """Asks before deleting: one click or word too many must not erase a
    conversation a family wanted to keep."""

    def name(self) -> str:
        return "action_forget_me"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        open_turn(dispatcher, tracker, answer_follows=False)
        kb = knowledge_for(tracker)
        dispatcher.utter_message(text=kb.messages["forget_me_ask"], buttons=forget_buttons(kb))
        return []


class ActionForgetMeConfirmed(Action):
    def name(self) -> str:
        return "action_forget_me_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        # A red flag told in the same message still comes first.
        open_turn(dispatcher, tracker, answer_follows=False)
        team_questions().forget_sender(tracker.sender_id)
        dispatcher.utter_message(text=knowledge_for(tracker).messages["forget_me_done"])
        return [SlotSet(FORGET_SLOT, True)]


class ActionCancel(Action):
    """ "No, keep it" / "Don't send": nothing is deleted, nothing is sent."""

    def name(self) -> str:
        return "action_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        open_turn(dispatcher, tracker, answer_follows=False)
        dispatcher.utter_message(text=knowledge_for(tracker).messages["cancel_done"])
        return [SlotSet("team_question", None)]
