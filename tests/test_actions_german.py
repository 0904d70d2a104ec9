"""The actions in German, with a real rasa-sdk Tracker: the conversation's
language comes from the message (the NLU pipeline's `reply_language` entity),
else from its channel (the message's metadata, also for a button press, which
skips the NLU pipeline), else from the `reply_language` slot; every text,
button and citation label is then German, and the sources stay as published."""

from __future__ import annotations

import asyncio
from typing import List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaq
from actions.language import reply_language
from actions.privacy import ActionForgetMe, ActionMyData
from actions.safety import ActionPersonalAdvice
from actions.sources import ActionShowSources
from actions.team import ActionAskTeam
from actions.welcome import ActionWelcome
from bot.knowledge import knowledge
from bot.nlu import RED_FLAG, REPLY_LANGUAGE, SAFETY_ENTITY

EN, DE = knowledge("en"), knowledge("de")


def tracker(
    text: str,
    intent: str,
    *,
    marked: Optional[str] = None,
    metadata: Optional[dict] = None,
    entities: Optional[List[dict]] = None,
    earlier: Optional[List[dict]] = None,
    **slots,
) -> Tracker:
    found = list(entities or [])
    if marked:
        found.append({"entity": REPLY_LANGUAGE, "value": marked, "extractor": "LanguageGuard"})
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": found,
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
    }
    events = [{"event": "session_started"}, *(earlier or [])]
    events.append({"event": "user", "text": text, "parse_data": message, "metadata": metadata or {}})
    return Tracker("de-user", slots, message, events, False, None, {}, "action_listen")


def run(action, tracker_: Tracker) -> list:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker_, {}))
    return dispatcher.messages


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"marked": "de"}, "de"),
        ({"marked": "en", "metadata": {"language": "de"}}, "en"),  # the message's own language wins
        ({"metadata": {"language": "de-CH"}}, "de"),
        ({"metadata": {"language": "fr"}}, "en"),
        ({"reply_language": "de"}, "de"),
        ({}, "en"),
    ],
)
def test_the_reply_language_comes_from_the_message_then_the_channel_then_the_conversation(kwargs, expected):
    assert reply_language(tracker("ok", "thank", **kwargs)) == expected


def test_crmo_language_decides_only_where_the_message_channel_and_conversation_do_not(monkeypatch):
    """`make shell LANGUAGE=de`: Rasa's terminal sends no language, so the
    deployment's CRMO_LANGUAGE answers "ok" in German; an English message or an
    English conversation stays English."""
    monkeypatch.setenv("CRMO_LANGUAGE", "de")
    assert reply_language(tracker("ok", "thank")) == "de"
    assert reply_language(tracker("thanks", "thank", marked="en")) == "en"
    assert reply_language(tracker("ok", "thank", reply_language="en")) == "en"


def test_a_crmo_language_the_assistant_does_not_answer_in_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("CRMO_LANGUAGE", "fr")
    with pytest.raises(ValueError, match="CRMO_LANGUAGE must be one of en, de"):
        reply_language(tracker("ok", "thank"))


def test_a_german_question_gets_the_german_answer_with_its_sources_and_german_buttons():
    sent = run(ActionAnswerFaq(), tracker("Was ist CRMO?", "what_is_crmo", marked="de"))
    texts = [m["text"] for m in sent]
    assert texts[0] == DE.messages["disclaimer"]
    answer = texts[1]
    assert answer.startswith(DE.topics["what_is_crmo"].answer)
    assert DE.messages["source_one"] in answer or DE.messages["source_many"] in answer
    assert answer.endswith(DE.messages["consult"])
    related = [b["title"] for b in sent[1]["buttons"]]
    assert related and all(t in {topic.title for topic in DE.topics.values()} for t in related)
    assert texts[2] == DE.messages["ask_helpful"]
    assert [b["title"] for b in sent[2]["buttons"]] == [
        DE.messages["button_helpful_yes"],
        DE.messages["button_helpful_no"],
    ]


def test_a_named_bone_adds_the_german_text_of_that_addition():
    topic = DE.topics["affected_sites"]
    addition = next(a for a in topic.additions if a.matches("body_site", "mandible"))
    kiefer = [{"entity": "body_site", "value": "mandible", "text": "Kiefer"}]
    sent = run(
        ActionAnswerFaq(), tracker("Kann es den Kiefer treffen?", "affected_sites", marked="de", entities=kiefer)
    )
    assert addition.text in sent[1]["text"]


def test_a_red_flag_in_german_gets_the_german_urgent_reply_first():
    flag = [{"entity": SAFETY_ENTITY, "value": RED_FLAG, "rule": "de: fever"}]
    sent = run(ActionAnswerFaq(), tracker("40 Grad Fieber, ist das CRMO?", "symptoms", marked="de", entities=flag))
    assert sent[0]["text"] == DE.messages["urgent"] and "112" in sent[0]["text"] and "116117" in sent[0]["text"]


def test_the_refusal_and_the_topic_it_offers_are_german():
    sent = run(ActionPersonalAdvice(), tracker("Wie viel Naproxen für meinen Sohn?", "personal_advice", marked="de"))
    texts = [m["text"] for m in sent]
    assert DE.messages["personal_advice"] in texts and EN.messages["personal_advice"] not in texts


def test_a_button_press_is_answered_in_the_language_of_its_channel():
    sent = run(ActionWelcome(), tracker("/greet", "greet", metadata={"language": "de"}))
    assert [m["text"] for m in sent] == [DE.messages["disclaimer"], DE.messages["topics_intro"]]
    assert {b["title"] for b in sent[1]["buttons"]} <= {t.title for t in DE.topics.values()}


def test_where_is_that_from_answers_in_the_conversations_language():
    sources = list(EN.topics["genetics"].sources)
    asked = tracker("woher stammt das", "ask_source", reply_language="de", last_topic="genetics", last_sources=sources)
    text = run(ActionShowSources(), asked)[-1]["text"]
    assert text.startswith(DE.messages["sources_intro"]) and DE.messages["reviewed"] in text
    assert text.endswith(DE.messages["consult"])


def test_privacy_and_team_replies_and_their_buttons_are_german():
    mine = run(ActionMyData(), tracker("was wisst ihr über mich", "my_data", marked="de"))
    assert mine[-1]["text"].startswith(DE.messages["my_data_intro"])
    assert [b["title"] for b in mine[-1]["buttons"]] == [DE.messages["button_forget_me"]]
    forget = run(ActionForgetMe(), tracker("vergiss mich", "forget_me", marked="de"))
    assert [b["title"] for b in forget[-1]["buttons"]] == [
        DE.messages["button_forget_confirm"],
        DE.messages["button_keep"],
    ]
    earlier = [
        {
            "event": "user",
            "text": "Was essen Kinder mit CNO am besten?",
            "parse_data": {"intent": {"name": "nlu_fallback"}},
        }
    ]
    team = run(ActionAskTeam(), tracker("frag das Team", "ask_team", marked="de", earlier=earlier))
    assert "Was essen Kinder mit CNO am besten?" in team[-1]["text"]
    assert [b["title"] for b in team[-1]["buttons"]] == [
        DE.messages["button_send_without_email"],
        DE.messages["button_dont_send"],
    ]


def test_every_message_has_its_german_text_and_the_german_view_shares_the_sources():
    assert EN.messages.keys() == DE.messages.keys()
    for topic_id, topic in DE.topics.items():
        assert topic.sources == EN.topics[topic_id].sources
        assert topic.answer == EN.topics[topic_id].german.answer
        assert [a.sources for a in topic.additions] == [a.sources for a in EN.topics[topic_id].additions]
