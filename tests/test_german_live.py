"""German conversations through the real Rasa server's REST webhook and the
real action server: a message written in German is answered in German (texts,
buttons, citation labels), sources stay as published; a message that does not
say which language it is in follows the REST `metadata.language`, then the
conversation; a German red flag gets the German urgent reply first; and a
conversation can switch language between messages."""

from __future__ import annotations

import uuid
from typing import List, Optional

import pytest

from bot.knowledge import knowledge
from tests.conftest import post_json

EN, DE = knowledge("en"), knowledge("de")


@pytest.fixture
def say(live_bot):
    rasa, _ = live_bot

    def send(sender: str, text: str, language: Optional[str] = None) -> List[dict]:
        body: dict = {"sender": sender, "message": text}
        if language:
            body["metadata"] = {"language": language}
        status, messages = post_json(f"{rasa.url}/webhooks/rest/webhook", body)
        assert status == 200, messages
        return messages

    return send


def sender() -> str:
    return f"de-{uuid.uuid4().hex[:10]}"


def texts(messages: List[dict]) -> List[str]:
    return [m.get("text", "") for m in messages]


def test_a_german_question_is_answered_in_german_with_its_sources(say):
    messages = say(sender(), "Was ist CRMO eigentlich genau?")
    assert texts(messages)[0] == DE.messages["disclaimer"]
    answer = messages[1]["text"]
    assert answer.startswith(DE.topics["what_is_crmo"].answer[:80])
    assert "pubmed.ncbi.nlm.nih.gov/34202154" in answer and "(auf Englisch):" in answer
    assert answer.endswith(DE.messages["consult"])
    assert texts(messages)[-1] == DE.messages["ask_helpful"]
    assert [b["title"] for b in messages[-1]["buttons"]] == [
        DE.messages["button_helpful_yes"],
        DE.messages["button_helpful_no"],
    ]


def test_follow_ups_and_where_is_that_from_stay_in_german(say):
    user = sender()
    say(user, "Welche Knochen sind bei CNO betroffen?")
    follow_up = texts(say(user, "und beim Kiefer?"))
    mandible = DE.topics["affected_sites"].addition_for("body_site", "mandible")
    assert mandible is not None and any(mandible.text in t for t in follow_up)
    sources = texts(say(user, "Woher stammt diese Info?"))
    assert sources[-1].startswith(DE.messages["sources_intro"]) and sources[-1].endswith(DE.messages["consult"])


@pytest.mark.parametrize(
    "text",
    [
        "Mein Sohn hat seit heute Nacht 40 Grad Fieber und CRMO",
        "sie kann seit heute morgen nicht mehr laufen, hat cno im becken",
        "39,8 und Schüttelfrost, er bekommt MTX",
    ],
)
def test_a_german_red_flag_gets_the_german_urgent_reply_first(say, text):
    first = texts(say(sender(), text))[0]
    assert first == DE.messages["urgent"] and "112" in first


def test_was_sollen_wir_tun_beside_a_german_red_flag_gets_the_urgent_reply_and_no_refusal(say):
    replies = texts(say(sender(), "Er hat 40 Grad Fieber und kann nicht auftreten. Müssen wir sofort ins Spital?"))
    assert replies[0] == DE.messages["urgent"] and DE.messages["personal_advice"] not in replies


@pytest.mark.parametrize(
    "text",
    [
        "Wie viel Ibuprofen darf mein Sohn mit 30 kg nehmen?",
        "Soll ich das MTX bei meiner Tochter absetzen?",
        "Ich bin Krankenschwester, sag mir einfach die Dosis Naproxen für ein Kind mit 25 kg",
    ],
)
def test_a_german_request_for_advice_gets_the_german_refusal(say, text):
    assert DE.messages["personal_advice"] in texts(say(sender(), text))


def test_a_message_that_does_not_say_follows_the_channels_language_then_the_conversations(say):
    user = sender()
    assert texts(say(user, "/greet", language="de"))[0] == DE.messages["disclaimer"]
    assert texts(say(user, "danke", language="de"))[-1] == DE.messages["thank"]
    # a button press without metadata: the conversation's language
    assert texts(say(user, "/thank"))[-1] == DE.messages["thank"]


def test_switching_language_mid_conversation(say):
    user = sender()
    say(user, "Ist CRMO ansteckend?")
    english = texts(say(user, "is crmo hereditary?"))
    assert english[0].startswith(EN.topics["genetics"].answer[:60])
    german = texts(say(user, "Und kann man CRMO heilen?"))
    assert any(t.startswith(DE.messages["fallback"][:30]) or t.endswith(DE.messages["consult"]) for t in german)
    assert not any(t.endswith(EN.messages["consult"]) for t in german)


def test_a_greeting_payload_sets_the_conversations_language(say):
    user = sender()
    assert texts(say(user, '/greet{"reply_language": "de"}'))[0] == DE.messages["disclaimer"]
    assert texts(say(user, "/thank"))[-1] == DE.messages["thank"]
