"""A question about another disease is out of scope (bot/nlu/other_disease.py),
on real Rasa messages, and the list never names a condition the CRMO answers
speak about."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge import knowledge
from bot.nlu.other_disease import OtherDisease, names_another_disease, other_diseases, words

KB = knowledge()
COMPONENT = OtherDisease(frozenset(KB.faq_ids))


@pytest.mark.parametrize(
    "text",
    [
        "is asthma hereditary?",
        "How is eczema treated in children",
        "what are the symptoms of meningitis",
        "can multiple sclerosis start in childhood?",
        "Is Parkinson's genetic?",
        "wie wird Neurodermitis bei Kindern behandelt?",
        "ist migräne erblich",
        "Kann man Zöliakie heilen?",
        "how long is scarlet fever contagious",
        "Wie lange ist Scharlach ansteckend?",
    ],
)
def test_a_question_about_another_disease_names_it(text):
    assert names_another_disease(text)


@pytest.mark.parametrize(
    "text",
    [
        "is CRMO hereditary?",
        "my son has asthma and CNO, is ibuprofen ok for the crmo?",
        "Ist CNO erblich wie Diabetes?",
        "Ich dachte, Bisphosphonate sind für Osteoporose, warum bekommt unser Sohn das?",
        "can crmo cause psoriasis or bowel disease?",
        "is it a kind of leukaemia?",
        "what is the flu-like reaction after pamidronate?",
        "he had chickenpox last week, is that a problem on methotrexate?",
        "is gouty pain like crmo pain",
    ],
)
def test_a_question_about_crmo_or_what_its_answers_cover_does_not(text):
    assert not names_another_disease(text)


def classified(text: str, intent: str) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.86})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.86}, {"name": "causes", "confidence": 0.1}])
    return message


def test_a_crmo_topic_for_another_disease_becomes_out_of_scope_with_its_topics_kept():
    message = classified("is lupus hereditary", "genetics")
    COMPONENT.process([message])
    assert message.get(INTENT) == {"name": "out_of_scope", "confidence": 1.0}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["out_of_scope", "genetics", "causes"]


def test_a_question_about_another_disease_the_classifier_was_unsure_of_is_out_of_scope_too():
    message = classified("is asthma hereditary?", "nlu_fallback")
    COMPONENT.process([message])
    assert message.get(INTENT)["name"] == "out_of_scope"
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["out_of_scope", "nlu_fallback", "causes"]


@pytest.mark.parametrize("intent", ["personal_advice", "urgent_symptoms", "out_of_scope", "greet"])
def test_what_is_not_a_crmo_topic_is_left_to_the_other_components(intent):
    message = classified("is asthma hereditary? my son can't walk and has a fever of 40", intent)
    COMPONENT.process([message])
    assert message.get(INTENT)["name"] == intent


def test_a_crmo_question_keeps_its_topic():
    message = classified("is crmo hereditary like diabetes?", "genetics")
    COMPONENT.process([message])
    assert message.get(INTENT)["name"] == "genetics"


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_list_names_no_condition_the_answers_speak_about(language):
    kb = knowledge(language)
    spoken = set()
    for topic in kb.topics.values():
        texts = [topic.answer, *(addition.text for addition in topic.additions)]
        spoken.update(" ".join(words(text)) for text in texts)
    answers = " " + " ".join(spoken) + " "
    assert not [name for name in other_diseases() if f" {name} " in answers]
