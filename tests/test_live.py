"""Conversations through the real Rasa server's REST webhook, with the real
action server behind it, on loopback ports."""

from __future__ import annotations

import re
import uuid

import pytest

from bot.knowledge import knowledge
from tests.conftest import after_disclaimer

KB = knowledge()
CONSULT = KB.messages["consult"]
CITATION = re.compile(r"https://(?:pubmed\.ncbi\.nlm\.nih\.gov/\d{6,9}/|doi\.org/10\.\d{4,9}/\S+)")

QUESTIONS = {
    "what_is_crmo": "what is crmo",
    "affected_sites": "which bones does it affect",
    "diagnosis": "how do doctors diagnose CNO?",
    "is_it_infectious": "is crmo contagious",
    "treatment": "how is crmo treated",
    "nsaids": "does naproxen work for crmo",
    "course_prognosis": "will my child grow out of crmo",
    "daily_life": "can my son still do sports with crmo",
}


def sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def texts(messages) -> list:
    return [m.get("text", "") for m in messages]


@pytest.mark.parametrize("topic, question", QUESTIONS.items())
def test_faq_answers_carry_a_real_citation_link_and_the_consult_urge(chat, topic, question):
    messages = after_disclaimer(chat(sender(), question))
    answer = messages[0]["text"]
    assert answer.startswith(KB.topics[topic].answer[:80]), (question, answer[:120])
    assert CITATION.search(answer), answer
    assert answer.rstrip().endswith(CONSULT)
    assert messages[-1]["text"] == KB.messages["ask_helpful"]
    assert {b["payload"] for b in messages[-1]["buttons"]} == {"/feedback_helpful", "/feedback_unhelpful"}


def test_what_is_crmo_cites_a_pubmed_source(chat):
    answer = after_disclaimer(chat(sender(), "What is CRMO?"))[0]["text"]
    assert "Source" in answer and "pubmed.ncbi.nlm.nih.gov/34202154" in answer


def test_a_site_question_gets_the_site_addition(chat):
    answer = after_disclaimer(chat(sender(), "can crmo affect the jaw?"))[0]["text"]
    assert KB.topics["affected_sites"].addition_for("body_site", "mandible").text in answer


def test_ask_source_after_an_answer_gives_that_answers_full_citations(chat):
    user = sender()
    chat(user, "is crmo a kind of cancer?")
    reply = chat(user, "where is that from?")[0]["text"]
    for key in KB.topics["is_it_cancer"].sources:
        assert KB.references[key].title in reply
    assert reply.endswith(CONSULT)


def test_ask_source_first_says_there_is_no_answer_yet(chat):
    assert texts(after_disclaimer(chat(sender(), "where is that from?"))) == [KB.messages["no_previous_answer"]]


def test_follow_up_is_resolved_with_the_last_topic(chat):
    user = sender()
    chat(user, "how is crmo monitored over time")
    reply = chat(user, "and in the spine?")[0]["text"]
    assert KB.topics["monitoring"].addition_for("body_site", "spine").text in reply
    assert CITATION.search(reply) and reply.endswith(CONSULT)


def test_red_flags_get_seek_care_now_first(chat):
    messages = chat(sender(), "my daughter has a fever of 40 and she can't walk")
    assert texts(messages) == [KB.messages["urgent"], KB.messages["disclaimer"]]


def test_a_faq_question_with_a_red_flag_gets_urgent_care_first(chat):
    messages = chat(sender(), "my son has crmo and suddenly his legs are numb, how is crmo treated?")
    assert texts(messages)[:2] == [KB.messages["urgent"], KB.messages["disclaimer"]]


def test_what_should_i_do_beside_a_red_flag_gets_the_urgent_reply_and_no_refusal(chat):
    messages = texts(chat(sender(), "my son has crmo and now a fever of 40 and he is shaking, what should i do?"))
    assert messages[0] == KB.messages["urgent"] and KB.messages["personal_advice"] not in messages


def test_personal_advice_is_refused(chat):
    messages = after_disclaimer(chat(sender(), "what dose of naproxen should my 8 year old take?"))
    assert messages[0]["text"] == KB.messages["personal_advice"]
    assert not any("mg" in t for t in texts(messages))


def test_a_mixed_language_advice_request_gets_its_languages_reply_then_the_refusal(chat):
    """Half Spanish, so the reply names the languages the assistant answers in
    (in Spanish too) and the emergency numbers; the English half asks whether to
    refuse a drug, which a safety pattern reads, so the refusal follows."""
    messages = texts(
        chat(sender(), "mi hija tiene CRMO y el médico quiere Humira, pero tengo miedo. should we say no to it?")
    )
    assert KB.other_languages["es"] in messages and KB.messages["other_language"] in messages
    assert messages[-1] == KB.messages["personal_advice"]


def test_nonsense_gets_the_fallback_with_topic_buttons(chat):
    messages = after_disclaimer(chat(sender(), "blarg frobnicate quux"))
    assert messages[0]["text"] in (KB.messages["fallback"], KB.messages["out_of_scope"])
    buttons = messages[1]["buttons"]
    assert 3 <= len(buttons) <= 5
    assert all(b["payload"].lstrip("/") in KB.topics for b in buttons)


@pytest.mark.parametrize("question", ["is asthma hereditary?", "how is eczema treated in children"])
def test_a_question_about_another_disease_gets_the_out_of_scope_reply_not_a_crmo_answer(chat, question):
    messages = after_disclaimer(chat(sender(), question))
    assert messages[0]["text"] == KB.messages["out_of_scope"]
    assert not any(t.startswith(topic.answer[:40]) for topic in KB.topics.values() for t in texts(messages))


def test_a_topic_button_payload_answers_that_topic(chat):
    answer = after_disclaimer(chat(sender(), "/biopsy"))[0]["text"]
    assert answer.startswith(KB.topics["biopsy"].answer[:80])


def test_greeting_gives_the_disclaimer_and_buttons(chat):
    messages = chat(sender(), "hello")
    assert texts(messages)[0] == KB.messages["disclaimer"] and texts(messages).count(KB.messages["disclaimer"]) == 1
    assert len(messages[1]["buttons"]) >= 5


def test_feedback_buttons_are_answered(chat):
    user = sender()
    chat(user, "what causes crmo")
    # "No" is thanked, and the question may go to the team.
    assert texts(chat(user, "/feedback_unhelpful")) == [
        KB.messages["feedback_thanks_unhelpful"],
        KB.messages["team_offer"],
    ]


def test_the_disclaimer_comes_once_per_conversation(chat):
    user = sender()
    first = texts(chat(user, "is crmo contagious?"))
    second = texts(chat(user, "and is it cancer?"))
    assert first[0] == KB.messages["disclaimer"] and first.count(KB.messages["disclaimer"]) == 1
    assert KB.messages["disclaimer"] not in second
