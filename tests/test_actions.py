"""Unit tests of every custom action with a real rasa-sdk Tracker and
CollectingDispatcher: what each sends and which events it returns."""

from __future__ import annotations

import asyncio
from typing import List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultFallback
from actions.faq import ActionAnswerFaq
from actions.feedback import ActionRecordFeedback
from actions.safety import ActionPersonalAdvice, ActionUrgentCare
from actions.sources import ActionShowSources
from actions.welcome import ActionSmallTalk, ActionWelcome
from bot.knowledge import knowledge
from bot.nlu import RED_FLAG, SAFETY_ENTITY

KB = knowledge()
CONSULT = KB.messages["consult"]
URGENT = KB.messages["urgent"]


def tracker(
    text: str,
    intent: str,
    confidence: float = 0.95,
    entities: Optional[List[dict]] = None,
    new_conversation: bool = False,
    ranking: Optional[List[dict]] = None,
    **slots,
) -> Tracker:
    """A tracker whose latest message is `text`; by default in a conversation that
    has had its disclaimer, `new_conversation=True` for its first message."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
    }
    events = [{"event": "session_started"}]
    if not new_conversation:
        events.append({"event": "bot", "text": KB.messages["disclaimer"]})
    events.append({"event": "user", "text": text, "parse_data": message})
    return Tracker("test-user", slots, message, events, False, None, {}, "action_listen")


def red_flag(rule: str = "high_fever") -> List[dict]:
    """The entity the NLU pipeline's safety layer adds for a red flag."""
    return [{"entity": SAFETY_ENTITY, "value": RED_FLAG, "rule": rule, "extractor": "SafetyLayer"}]


def entity(etype: str, value: str, text: Optional[str] = None) -> dict:
    return {"entity": etype, "value": value, "text": text or value, "extractor": "SpacyEntityExtractor"}


def run(action, tracker_: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, {}))
    return dispatcher.messages, events


def texts(messages) -> List[str]:
    return [m.get("text") or "" for m in messages]


@pytest.mark.parametrize("topic", KB.faq_ids)
def test_every_faq_answer_carries_its_citation_and_ends_with_the_consult_urge(topic):
    messages, events = run(ActionAnswerFaq(), tracker(f"question about {topic}", topic))
    answer = messages[0]["text"]
    assert answer.startswith(KB.topics[topic].answer)
    assert "Source" in answer and "https://" in answer
    first = KB.references[KB.topics[topic].sources[0]]
    assert first.link in answer
    assert answer.endswith(CONSULT)
    assert [b["payload"] for b in messages[0]["buttons"]] == [f"/{t}" for t in KB.topics[topic].related]
    assert messages[1]["text"] == KB.messages["ask_helpful"]
    assert [b["payload"] for b in messages[1]["buttons"]] == ["/feedback_helpful", "/feedback_unhelpful"]
    assert SlotSet("last_topic", topic) in events
    assert SlotSet("last_sources", list(KB.topics[topic].sources)) in events


def test_a_named_body_site_adds_what_the_sources_say_about_it():
    jaw = KB.topics["affected_sites"].addition_for("body_site", "mandible")
    messages, events = run(
        ActionAnswerFaq(), tracker("can crmo affect the jaw", "affected_sites", entities=[entity("body_site", "jaw")])
    )
    assert jaw.text in messages[0]["text"]
    sources = next(e["value"] for e in events if e["name"] == "last_sources")
    assert set(jaw.sources) <= set(sources)


def test_a_named_drug_adds_what_the_sources_say_about_it():
    addition = KB.topics["nsaids"].addition_for("medication", "naproxen")
    messages, _ = run(ActionAnswerFaq(), tracker("does aleve work", "nsaids", entities=[entity("medication", "Aleve")]))
    assert addition.text in messages[0]["text"]


def test_a_follow_up_is_answered_with_the_last_topic():
    spine = KB.topics["monitoring"].addition_for("body_site", "spine")
    messages, events = run(
        ActionAnswerFaq(),
        tracker("and in the spine?", "follow_up", entities=[entity("body_site", "spine")], last_topic="monitoring"),
    )
    assert messages[0]["text"].startswith(spine.text)
    assert messages[0]["text"].endswith(CONSULT)
    assert SlotSet("last_topic", "monitoring") in events


def test_a_follow_up_the_last_topic_has_nothing_on_goes_to_a_topic_that_has():
    messages, events = run(
        ActionAnswerFaq(),
        tracker("what about the ribs", "follow_up", entities=[entity("body_site", "ribs")], last_topic="genetics"),
    )
    assert "nothing specific about the ribs" in messages[0]["text"]
    assert KB.topics["affected_sites"].addition_for("body_site", "rib").text in messages[1]["text"]
    assert SlotSet("last_topic", "affected_sites") in events


def test_a_faq_question_describing_a_red_flag_gets_urgent_care_first():
    messages, _ = run(
        ActionAnswerFaq(),
        tracker("my son has a fever of 40 and can't walk, what are crmo symptoms?", "symptoms", entities=red_flag()),
    )
    assert messages[0]["text"] == URGENT
    assert messages[2]["text"].startswith(KB.topics["symptoms"].answer)


def test_urgent_symptoms_get_seek_care_now():
    messages, _ = run(ActionUrgentCare(), tracker("she can't feel her legs", "urgent_symptoms"))
    assert texts(messages) == [URGENT]
    assert URGENT.startswith("Please get medical help now.")


def test_personal_advice_is_declined_and_offers_the_general_topic():
    ranking = [{"name": "personal_advice", "confidence": 0.8}, {"name": "nsaids", "confidence": 0.1}]
    messages, events = run(
        ActionPersonalAdvice(), tracker("how much naproxen for my son", "personal_advice", ranking=ranking)
    )
    assert messages[0]["text"] == KB.messages["personal_advice"]
    assert "doctor" in messages[0]["text"]
    assert messages[1]["buttons"] == [{"title": KB.topics["nsaids"].title, "payload": "/nsaids"}]
    assert events == []


def test_ask_source_gives_full_citations_of_the_last_answer():
    keys = ["khanna2009", "koryllou2021"]
    messages, _ = run(
        ActionShowSources(), tracker("where is that from", "ask_source", last_sources=keys, last_topic="imaging")
    )
    text = messages[0]["text"]
    assert "PMID: 19605663" in text and "DOI: 10.1148/rg.294085244" in text
    assert KB.references["koryllou2021"].title in text
    assert f"{KB.messages['reviewed']} {KB.topics['imaging'].reviewed.isoformat()}" in text
    assert text.endswith(CONSULT)


def test_ask_source_without_a_previous_answer_says_so():
    messages, _ = run(ActionShowSources(), tracker("source?", "ask_source"))
    assert texts(messages) == [KB.messages["no_previous_answer"]]


def test_low_confidence_offers_three_to_five_closest_topics():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "imaging", "confidence": 0.3},
        {"name": "greet", "confidence": 0.1},
        {"name": "biopsy", "confidence": 0.05},
    ]
    messages, _ = run(ActionDefaultFallback(), tracker("blorp scan?", "nlu_fallback", 0.45, ranking=ranking))
    assert messages[0]["text"] == KB.messages["fallback"]
    payloads = [b["payload"] for b in messages[1]["buttons"]]
    assert 3 <= len(payloads) <= 5
    assert payloads[:2] == ["/imaging", "/biopsy"]


def test_out_of_scope_says_what_the_bot_can_help_with():
    messages, _ = run(ActionDefaultFallback(), tracker("who won the football", "out_of_scope"))
    assert messages[0]["text"] == KB.messages["out_of_scope"]
    assert 3 <= len(messages[1]["buttons"]) <= 5


def test_low_confidence_entity_right_after_an_answer_is_a_follow_up():
    messages, _ = run(
        ActionDefaultFallback(),
        tracker("jaw??", "nlu_fallback", 0.4, entities=[entity("body_site", "jaw")], last_topic="symptoms"),
    )
    assert KB.topics["symptoms"].addition_for("body_site", "mandible").text in messages[0]["text"]


@pytest.mark.parametrize("intent", ["greet", "help"])
def test_greet_and_help_give_the_disclaimer_and_topic_buttons(intent):
    messages, _ = run(ActionWelcome(), tracker("hello", intent))
    assert "not a doctor" in messages[0]["text"] and "not for emergencies" in messages[0]["text"]
    assert len(messages[1]["buttons"]) >= 5
    assert all(b["payload"].lstrip("/") in KB.topics for b in messages[1]["buttons"])


@pytest.mark.parametrize("intent, helpful", [("feedback_helpful", True), ("feedback_unhelpful", False)])
def test_feedback_is_recorded_with_the_topic_it_rates(intent, helpful):
    messages, events = run(ActionRecordFeedback(), tracker(f"/{intent}", intent, last_topic="biopsy"))
    assert events == [SlotSet("answer_feedback", {"topic": "biopsy", "helpful": helpful})]
    # "No" also offers to pass the question to the team.
    offered = [m for m in messages if {"title": "Ask the team", "payload": "/ask_team"} in m["buttons"]]
    assert (len(messages), len(offered)) == ((1, 0) if helpful else (2, 1))


DISCLAIMER = KB.messages["disclaimer"]


@pytest.mark.parametrize(
    "action, text, intent, slots",
    [
        (ActionAnswerFaq(), "is crmo contagious", "is_it_infectious", {}),
        (ActionDefaultFallback(), "blarg", "nlu_fallback", {}),
        (ActionPersonalAdvice(), "what dose of naproxen for my son", "personal_advice", {}),
        (ActionShowSources(), "where is that from?", "ask_source", {}),
        (ActionSmallTalk(), "are you a bot", "bot_challenge", {}),
        (ActionRecordFeedback(), "/feedback_helpful", "feedback_helpful", {}),
    ],
)
def test_a_conversation_that_opens_with_anything_gets_the_disclaimer_once_first(action, text, intent, slots):
    first, _ = run(action, tracker(text, intent, new_conversation=True, **slots))
    assert texts(first)[0] == DISCLAIMER
    assert texts(first).count(DISCLAIMER) == 1
    later, _ = run(action, tracker(text, intent, **slots))
    assert DISCLAIMER not in texts(later)


def test_a_red_flag_in_a_first_message_puts_the_urgent_reply_before_the_disclaimer():
    messages, _ = run(
        ActionAnswerFaq(),
        tracker(
            "my son has a fever of 40 and can't walk, is crmo contagious?",
            "is_it_infectious",
            entities=red_flag(),
            new_conversation=True,
        ),
    )
    assert texts(messages)[:3] == [URGENT, DISCLAIMER, KB.messages["urgent_then_answer"]]
    assert messages[3]["text"].startswith(KB.topics["is_it_infectious"].answer)
    urgent, _ = run(ActionUrgentCare(), tracker("she can't feel her legs", "urgent_symptoms", new_conversation=True))
    assert texts(urgent) == [URGENT, DISCLAIMER]


def test_a_new_session_gets_the_disclaimer_again():
    """After the session expires (Rasa logs a new session_started), it is a new conversation."""
    old = tracker("is crmo contagious", "is_it_infectious")
    events = [*old.events[:-1], {"event": "session_started"}, old.events[-1]]
    renewed = Tracker("test-user", {}, old.latest_message, events, False, None, {}, "action_listen")
    messages, _ = run(ActionAnswerFaq(), renewed)
    assert texts(messages)[0] == DISCLAIMER


@pytest.mark.parametrize("intent", ["thank", "goodbye", "bot_challenge"])
def test_small_talk_sends_the_fixed_text_of_its_intent(intent):
    messages, _ = run(ActionSmallTalk(), tracker("thanks!", intent))
    assert texts(messages) == [KB.messages[intent]]
    flagged, _ = run(ActionSmallTalk(), tracker("thanks, but now her legs are numb", intent, entities=red_flag()))
    assert texts(flagged) == [URGENT, KB.messages[intent]]


def test_without_the_safety_layers_mark_no_urgent_reply_is_added():
    """The actions trust the NLU pipeline's mark, not their own reading of the text."""
    messages, _ = run(ActionAnswerFaq(), tracker("my son has a fever of 40, is crmo contagious?", "is_it_infectious"))
    assert URGENT not in texts(messages)
