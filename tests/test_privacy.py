"""People control their own data, and questions reach the team: the actions of
"what do you know about me?", "forget me" and "ask the team" with real rasa-sdk
trackers; the question store on SQLite; the tracker stores that forget; the
typed e-mail address. (The same through the live servers, on PostgreSQL, is in
tests/test_privacy_live.py.)"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Dict, List, Optional

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet as SdkSlotSet

from actions.privacy import ActionCancel, ActionForgetMe, ActionForgetMeConfirmed, ActionMyData
from actions.team import ActionAskTeam, ActionAskTeamSend, question_to_pass_on, worth_asking_the_team
from bot.curation import domain
from bot.knowledge import knowledge
from bot.nlu import contact_address
from bot.rasa_ext import FORGET_SLOT
from bot.rasa_ext.tracker_store import ADDRESS_REMOVED, ForgettingInMemoryTrackerStore
from bot.team_questions import TeamQuestions, store_url, team_questions, valid_email
from tests.test_actions import run, texts

KB = knowledge()
M = KB.messages
PRIVATE = "my daughter Zoe limps since tuesday"  # what must never be repeated back


def user(text: str, intent: str, at: float, entities: Optional[List[dict]] = None) -> Dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    return {"event": "user", "text": text, "parse_data": parse, "timestamp": at}


def conversation(*turns: Dict[str, Any], sender: Optional[str] = None, slots: Optional[dict] = None) -> Tracker:
    """A conversation that has had its disclaimer; the last user turn is the latest message."""
    start = time.time() - 600
    events: List[Dict[str, Any]] = [
        {"event": "session_started", "timestamp": start},
        {"event": "bot", "text": M["disclaimer"], "timestamp": start + 1},
        *turns,
    ]
    latest = next(e for e in reversed(events) if e["event"] == "user")["parse_data"]
    return Tracker(sender or uuid.uuid4().hex, slots or {}, latest, events, False, None, {}, "action_listen")


def answered(topic: str, at: float) -> Dict[str, Any]:
    return {"event": "slot", "name": "last_topic", "value": topic, "timestamp": at}


def rated(topic: str, helpful: bool, at: float) -> Dict[str, Any]:
    return {"event": "slot", "name": "answer_feedback", "value": {"topic": topic, "helpful": helpful}, "timestamp": at}


# ---- what do you know about me ----


def test_my_data_lists_counts_topics_ratings_and_retention_never_the_messages(monkeypatch):
    monkeypatch.setenv("CRMO_RETENTION_DAYS", "45")
    now = time.time()
    tracker = conversation(
        user(PRIVATE, "symptoms", now - 300),
        {"event": "bot", "text": "answer", "timestamp": now - 299},
        answered("symptoms", now - 299),
        user("/feedback_unhelpful", "feedback_unhelpful", now - 200),
        rated("symptoms", False, now - 199),
        user("what do you know about me", "my_data", now),
    )
    team_questions().add(tracker.sender_id, "does CRMO affect growth?", "anna@example.org")
    messages, events = run(ActionMyData(), tracker)
    said = "\n".join(texts(messages))
    assert events == []
    assert said.startswith(M["my_data_intro"])
    assert "Messages from you: 3. Replies from me: 2." in said
    assert f"Topics you asked about: {KB.topics['symptoms'].title}." in said
    assert "0 helpful, 1 not helpful" in said
    assert "Questions you sent to the team: 1 (1 with an e-mail address)." in said
    assert "kept for 45 days" in said
    assert PRIVATE not in said and "Zoe" not in said and "anna@example.org" not in said
    assert messages[-1]["buttons"] == [{"title": "Forget me", "payload": "/forget_me"}]


def test_my_data_in_a_new_conversation_says_no_topic_yet():
    messages, _ = run(ActionMyData(), conversation(user("what do you keep on me", "my_data", time.time())))
    assert M["my_data_no_topics"] in "\n".join(texts(messages))


# ---- forget me ----


def test_forget_me_asks_first_and_changes_nothing():
    messages, events = run(ActionForgetMe(), conversation(user("forget me", "forget_me", time.time())))
    assert texts(messages)[-1] == M["forget_me_ask"]
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/forget_me_confirm", "/cancel"]
    assert events == []


def test_confirmed_forget_me_sets_the_slot_and_deletes_the_senders_team_questions():
    tracker = conversation(user("/forget_me_confirm", "forget_me_confirm", time.time()))
    other = uuid.uuid4().hex
    store = team_questions()
    store.add(tracker.sender_id, "mine", "anna@example.org")
    store.add(other, "someone else's")
    messages, events = run(ActionForgetMeConfirmed(), tracker)
    assert texts(messages)[-1] == M["forget_me_done"]
    assert events == [SdkSlotSet(FORGET_SLOT, True)]
    assert store.of_sender(tracker.sender_id) == []
    assert [q.question for q in store.of_sender(other)] == ["someone else's"]


def test_cancel_keeps_everything_and_drops_a_waiting_question():
    messages, events = run(ActionCancel(), conversation(user("no, keep it", "cancel", time.time())))
    assert texts(messages) == [M["cancel_done"]]
    assert events == [SdkSlotSet("team_question", None)]


def tracker_of(sender: str, forget: bool = False) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(PRIVATE, intent={"name": "symptoms", "confidence": 0.9}),
    ]
    if forget:
        events.append(SlotSet(FORGET_SLOT, True))
    return DialogueStateTracker.from_events(sender, events, slots=domain().slots)


def test_the_in_memory_store_deletes_a_conversation_asked_to_forget_and_keeps_others():
    store = ForgettingInMemoryTrackerStore(domain())
    assert isinstance(store, InMemoryTrackerStore)
    asyncio.run(store.save(tracker_of("family-a")))
    asyncio.run(store.save(tracker_of("family-b")))
    asyncio.run(store.save(tracker_of("family-a", forget=True)))
    assert sorted(asyncio.run(store.keys())) == ["family-b"]
    assert asyncio.run(store.retrieve("family-a")) is None


def test_a_typed_address_is_never_saved_with_the_conversation():
    store = ForgettingInMemoryTrackerStore(domain())
    address = "anna@example.org"
    parse = {
        "intent": {"name": "give_email", "confidence": 1.0},
        "entities": [{"entity": "email", "value": address}],
        "text": f"my email is {address}",
    }
    events = [
        *tracker_of("family-c").events,
        UserUttered(f"my email is {address}", parse["intent"], parse["entities"], parse),
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events("family-c", events, slots=domain().slots)))
    saved = store.store["family-c"]
    assert address not in saved and ADDRESS_REMOVED in saved
    assert PRIVATE in saved  # other messages are kept as they were


# ---- the question store ----


@pytest.fixture
def questions(tmp_path) -> TeamQuestions:
    return TeamQuestions(f"sqlite:///{tmp_path / 'team.sqlite3'}")


def test_questions_are_listed_by_period_marked_answered_once_and_forgotten(questions):
    now = time.time()
    old = questions.add("family-a", "asked long ago", now=now - 40 * 86400)
    new = questions.add("family-b", "asked today", "b@example.org", now=now)
    assert [q.id for q in questions.listing(now - 86400, now + 1)] == [new]
    assert questions.mark_answered(new) and not questions.mark_answered(new)
    assert questions.listing(now - 86400, now + 1)[0].answered
    assert not questions.mark_answered(9999)
    assert questions.forget_older_than(now - 30 * 86400) == 1
    assert [q.id for q in questions.listing(0, now + 1)] == [new] and old != new


def test_an_address_is_stored_only_when_it_is_one(questions):
    kept = questions.add("family-c", "q", "not an address")
    assert questions.of_sender("family-c")[0].email is None and kept


@pytest.mark.parametrize(
    "typed, valid",
    [
        ("anna@example.org", "anna@example.org"),
        ("  a.b+crmo@mail.example.co.uk ", "a.b+crmo@mail.example.co.uk"),
        ("anna@gmail", None),
        ("anna example.org", None),
        ("anna@@example.org", None),
        ("anna@-example.org", None),
        ("a" * 250 + "@example.org", None),
        ("", None),
    ],
)
def test_valid_email(typed, valid):
    assert valid_email(typed) == valid


def test_the_store_is_postgres_in_production_sqlite_otherwise_and_an_explicit_url_wins():
    prod = {"DB_HOST": "db", "DB_PORT": "5432", "DB_NAME": "crmo", "DB_USER": "u", "DB_PASSWORD": "p w"}
    quoted = "p%20w"  # the password, URL-quoted (written apart: no credential-looking URL in the tree)
    assert store_url(prod) == "postgresql://u:" + quoted + "@db:5432/crmo"
    assert store_url({}).startswith("sqlite:///") and store_url({}).endswith("var/team-questions.sqlite3")
    assert store_url({**prod, "CRMO_TEAM_DB_URL": "sqlite:///x.db"}) == "sqlite:///x.db"


# ---- ask the team ----


def test_the_question_passed_on_is_the_last_typed_one_not_buttons_or_ratings():
    now = time.time()
    tracker = conversation(
        user("can crmo make my hair fall out", "nlu_fallback", now - 30),
        user("/feedback_unhelpful", "feedback_unhelpful", now - 20),
        user("thanks", "thank", now - 10),
        user("/ask_team", "ask_team", now),
    )
    assert question_to_pass_on(tracker) == "can crmo make my hair fall out"


def test_asking_the_team_says_what_is_kept_and_waits_for_consent(monkeypatch):
    monkeypatch.setenv("CRMO_RETENTION_DAYS", "30")
    now = time.time()
    tracker = conversation(user("does crmo affect growth", "nlu_fallback", now - 5), user("/ask_team", "ask_team", now))
    messages, events = run(ActionAskTeam(), tracker)
    consent = texts(messages)[-1]
    assert '"does crmo affect growth"' in consent and "30 days" in consent and "not medical advice" in consent
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/ask_team_send", "/cancel"]
    assert events == [SdkSlotSet("team_question", "does crmo affect growth")]
    assert team_questions().of_sender(tracker.sender_id) == []  # nothing stored before consent


def test_asking_the_team_without_a_question_asks_for_one():
    messages, events = run(ActionAskTeam(), conversation(user("can i talk to a human", "ask_team", time.time())))
    assert texts(messages)[-1] == M["team_need_question"]
    assert events == [SdkSlotSet("team_question", None)]


def test_consent_stores_the_question_without_an_address():
    tracker = conversation(user("/ask_team_send", "ask_team_send", time.time()), slots={"team_question": "q1"})
    messages, events = run(ActionAskTeamSend(), tracker)
    assert texts(messages)[-1] == M["team_sent_without_email"]
    assert [(q.question, q.email) for q in team_questions().of_sender(tracker.sender_id)] == [("q1", None)]
    assert events == [SdkSlotSet("team_question", None)]


def email_turn(typed: str) -> Dict[str, Any]:
    address = contact_address.typed_address(typed)
    return user(typed, "give_email", time.time(), [{"entity": "email", "value": address}])


def test_a_typed_address_stores_the_question_with_it_and_a_bad_one_is_asked_again():
    sender = uuid.uuid4().hex
    bad = conversation(email_turn("anna@gmail"), sender=sender, slots={"team_question": "q2"})
    messages, events = run(ActionAskTeamSend(), bad)
    assert texts(messages)[-1] == M["team_bad_email"] and events == []
    assert team_questions().of_sender(sender) == []
    good = conversation(email_turn("my email is anna@example.org"), sender=sender, slots={"team_question": "q2"})
    messages, _ = run(ActionAskTeamSend(), good)
    assert texts(messages)[-1] == M["team_sent_with_email"]
    assert [(q.question, q.email) for q in team_questions().of_sender(sender)] == [("q2", "anna@example.org")]


def test_an_address_with_no_question_waiting_stores_nothing():
    tracker = conversation(email_turn("anna@example.org"))
    messages, _ = run(ActionAskTeamSend(), tracker)
    assert texts(messages)[-1] == M["team_nothing_pending"]
    assert team_questions().of_sender(tracker.sender_id) == []


def test_the_team_is_offered_after_two_fallbacks_or_out_of_scope_about_crmo():
    now = time.time()
    once = conversation(user("blarg", "nlu_fallback", now))
    twice = conversation(user("blarg", "nlu_fallback", now - 9), user("florp", "nlu_fallback", now))
    about = conversation(user("can crmo patients fly on planes", "out_of_scope", now))
    bone = conversation(user("best shoes", "out_of_scope", now, [{"entity": "body_site", "value": "tibia"}]))
    other = conversation(user("what is the weather like", "out_of_scope", now))
    foreign = conversation(user("was ist crmo", "out_of_scope", now, [{"entity": "language", "value": "de"}]))
    found = [worth_asking_the_team(t) for t in (once, twice, about, bone, other, foreign)]
    assert found == [False, True, True, True, False, False]


# ---- the typed address, in the NLU pipeline ----


@pytest.mark.parametrize(
    "text, address",
    [
        ("anna@example.org", "anna@example.org"),
        ("My email is anna@example.org.", "anna@example.org"),
        ("e-mail: a.b@c.de", "a.b@c.de"),
        ("what is crmo", ""),
        ("i wrote to anna@example.org about crmo", ""),
    ],
)
def test_a_message_that_is_only_an_address_becomes_give_email(text, address):
    message = Message(data={"text": text, "intent": {"name": "out_of_scope", "confidence": 0.9}})
    message.set("entities", [{"entity": "language", "value": "it", "extractor": "LanguageGuard"}])
    assert contact_address.mark(message) == bool(address)
    if address:
        assert message.get("intent")["name"] == "give_email"
        assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("email", address)]
