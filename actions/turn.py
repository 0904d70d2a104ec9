"""What every reply of the assistant starts with, whatever the action: the
urgent reply when the message tells of a red flag, then the disclaimer once
per conversation. A family that opens with a question (in any channel, not only
the website widget, which greets) is told that this is not a doctor and not for
emergencies before it reads an answer."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.language import knowledge_for
from bot.knowledge import LANGUAGES, knowledge
from bot.nlu import ADVICE, CLASSIFIER_RULE, RED_FLAG, SAFETY_ENTITY


def disclaimer_sent(tracker: Tracker) -> bool:
    """Whether this conversation (since its last session start) has had the
    disclaimer, in any language."""
    disclaimers = {knowledge(language).messages["disclaimer"] for language in LANGUAGES}
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return False
        if event.get("event") == "bot" and event.get("text") in disclaimers:
            return True
    return False


def safety_rules(tracker: Tracker, value: str) -> List[str]:
    """The rules that marked the latest message with the safety entity `value`
    (RED_FLAG or ADVICE): pattern names, or CLASSIFIER_RULE for the classifier."""
    entities = tracker.latest_message.get("entities") or []
    return [e.get("rule") or "" for e in entities if e.get("entity") == SAFETY_ENTITY and e.get("value") == value]


def tells_of_a_red_flag(tracker: Tracker) -> bool:
    """The NLU pipeline's safety layer marked a red flag in the latest message."""
    return bool(safety_rules(tracker, RED_FLAG))


def rules_found_advice(tracker: Tracker) -> bool:
    """The safety layer's patterns (not the classifier) found a request for
    individual advice in the latest message. Asked of a message in another
    language, where the classifier's guesses are noise but a pattern can still
    read the English half of a mixed message ("mi hijo tiene CRMO ... should we
    say no to it?")."""
    return any(rule != CLASSIFIER_RULE for rule in safety_rules(tracker, ADVICE))


def urgent_first(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Sends the urgent reply when the message tells of a red flag; True if it did."""
    if not tells_of_a_red_flag(tracker):
        return False
    dispatcher.utter_message(text=knowledge_for(tracker).messages["urgent"])
    return True


def open_turn(dispatcher: CollectingDispatcher, tracker: Tracker, *, answer_follows: bool = True) -> bool:
    """The urgent reply if needed, the disclaimer if this conversation has not had
    it, and, after an urgent reply, a line that leads to the answer. True when the
    urgent reply was sent."""
    messages = knowledge_for(tracker).messages
    urgent = urgent_first(dispatcher, tracker)
    if not disclaimer_sent(tracker):
        dispatcher.utter_message(text=messages["disclaimer"])
    if urgent and answer_follows:
        dispatcher.utter_message(text=messages["urgent_then_answer"])
    return urgent
