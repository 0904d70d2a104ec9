""" "Ask the team": a question the assistant could not answer well goes to the
people who run the service, only with the family's explicit consent.

Offered (a button) when the assistant falls back twice in a row, when a question
about CRMO is out of its scope, and after an answer rated unhelpful. The flow:
  ask_team       -> the question it would send, and what is kept, for how long,
                    and that no reply is medical advice (nothing stored yet)
  ask_team_send  -> stored without an e-mail address
  give_email     -> stored with the address, if it is valid
  cancel         -> nothing stored
The question waits in the `team_question` slot between the consent and the
answer to it, and only a question that waited there is ever stored."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import knowledge_for
from actions.turn import open_turn
from bot import settings
from bot.knowledge import KnowledgeBase
from bot.nlu import DISEASE_NAMES, EMAIL_ENTITY, GIVE_EMAIL, LANGUAGE_ENTITY
from bot.team_questions import team_questions, valid_email

PENDING_SLOT = "team_question"
Button = Dict[str, str]
# Messages that are about the conversation, never the question to pass on.
NOT_A_QUESTION = {
    "ask_team",
    "ask_team_send",
    "cancel",
    GIVE_EMAIL,
    "my_data",
    "forget_me",
    "forget_me_confirm",
    "feedback_helpful",
    "feedback_unhelpful",
    "greet",
    "goodbye",
    "thank",
    "help",
    "ask_source",
    "bot_challenge",
}


def consent_buttons(kb: KnowledgeBase) -> List[Button]:
    return [
        {"title": kb.messages["button_send_without_email"], "payload": "/ask_team_send"},
        {"title": kb.messages["button_dont_send"], "payload": "/cancel"},
    ]


def _intent(event: Dict[str, Any]) -> Optional[str]:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def question_to_pass_on(tracker: Tracker) -> Optional[str]:
    """The family's last typed question before this message: what fell back, was
    out of scope, or led to the answer they rated unhelpful."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    for event in reversed(users[:-1]):
        text = (event.get("text") or "").strip()
        if text and not text.startswith("/") and _intent(event) not in NOT_A_QUESTION:
            return text
    return None


class ActionAskTeam(Action):
    def name(self) -> str:
        return "action_ask_team"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        kb = knowledge_for(tracker)
        messages = kb.messages
        open_turn(dispatcher, tracker, answer_follows=False)
        question = question_to_pass_on(tracker)
        if not question:
            dispatcher.utter_message(text=messages["team_need_question"])
            return [SlotSet(PENDING_SLOT, None)]
        consent = messages["team_consent"].format(question=question, days=settings.retention_days())
        dispatcher.utter_message(text=consent, buttons=consent_buttons(kb))
        return [SlotSet(PENDING_SLOT, question)]


class ActionAskTeamSend(Action):
    """Stores the waiting question, with the address if the message is one."""

    def name(self) -> str:
        return "action_ask_team_send"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        kb = knowledge_for(tracker)
        messages = kb.messages
        open_turn(dispatcher, tracker, answer_follows=False)
        question = tracker.get_slot(PENDING_SLOT)
        if not question:
            dispatcher.utter_message(text=messages["team_nothing_pending"])
            return []
        email = None
        if (tracker.latest_message.get("intent") or {}).get("name") == GIVE_EMAIL:
            typed = next(tracker.get_latest_entity_values(EMAIL_ENTITY), None)
            email = valid_email(typed)
            if email is None:
                dispatcher.utter_message(text=messages["team_bad_email"], buttons=consent_buttons(kb))
                return []
        team_questions().add(tracker.sender_id, question, email)
        dispatcher.utter_message(text=messages["team_sent_with_email" if email else "team_sent_without_email"])
        return [SlotSet(PENDING_SLOT, None)]


def worth_asking_the_team(tracker: Tracker) -> bool:
    """The second fallback in a row, or an out-of-scope question about CRMO
    (by name, or naming a bone or a drug)."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "nlu_fallback":
        return len(users) >= 2 and _intent(users[-2]) == "nlu_fallback"
    if intent != "out_of_scope":
        return False
    entities = {e.get("entity") for e in tracker.latest_message.get("entities") or []}
    if LANGUAGE_ENTITY in entities:
        return False
    words = set((tracker.latest_message.get("text") or "").lower().replace("/", " ").split())
    return bool(entities & {"body_site", "medication"}) or any(w.strip("?!.,") in DISEASE_NAMES for w in words)


def offer(dispatcher: CollectingDispatcher, kb: KnowledgeBase) -> None:
    button = {"title": kb.messages["button_ask_team"], "payload": "/ask_team"}
    dispatcher.utter_message(text=kb.messages["team_offer"], buttons=[button])
