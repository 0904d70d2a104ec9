"""The German texts beside the English ones (issue: a second language): every
topic has them, they say what the English says (the same figures, the same
safety sentences, the same caution about how common a site is), they follow
the content-safety contract of the English (no verdict, no "you", no dose, the
urgent reply's order), and they are plain German (Wiener Sachtextformel).
The German is not served to families yet; these checks hold it to the same
standard from the day it is written."""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import yaml

from bot.knowledge import KnowledgeError, knowledge, load
from bot.knowledge.readability import MAX_GERMAN_INDEX, MEDIAN_GERMAN_INDEX, german_index
from tests.test_content_safety import DO_NOT_STOP, DOSE, RULE_OUT, normal
from tests.test_knowledge import kb_copy  # noqa: F401  # a fixture

KB = knowledge()
DO_NOT_STOP_DE = (
    "Verschriebene Antibiotika darf niemand absetzen, ohne vorher mit der Praxis oder Klinik zu sprechen, "
    "die sie verschrieben hat."
)
RULE_OUT_DE = "Ärztinnen und Ärzte müssen trotzdem zuerst eine Knocheninfektion ausschließen."
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
VERDICT_OPENING_DE = re.compile(r"^(?:ja|nein|natürlich|auf jeden fall)\b", re.IGNORECASE)
# "Sie" opening a sentence may be "they"; inside a sentence, capitalised, it is "you".
ADDRESSES_THE_READER_DE = re.compile(
    r"(?<![.!?:]\s)(?<!^)\b(?:Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres)\b|\b(?:du|dich|dir|dein\w*)\b"
)


def pairs() -> Iterator[Tuple[str, str, str]]:
    """(where, English, German) for every answer and addition."""
    for topic in KB.topics.values():
        yield f"{topic.id}: answer", topic.answer, topic.german.answer
        for addition, german in zip(topic.additions, topic.german.additions, strict=True):
            yield f"{topic.id}: addition {dict(addition.when)}", addition.text, german


PAIRS = list(pairs())


# English writes small counts as words ("Two of the 46 children"); German may use digits.
NUMBER_WORDS = dict(
    zip(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen".split(),
        map(str, range(1, 17)),
        strict=True,
    )
)


def numbers(text: str, words: bool = False) -> set:
    found = {n.replace(",", ".") for n in NUMBER.findall(text)}
    if words:
        found |= {NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in NUMBER_WORDS}
    return found


# ---- every topic has its German, and the loader says what is missing ------------


def test_every_topic_has_german_title_answer_and_one_text_per_addition():
    for topic in KB.topics.values():
        assert topic.german.title and topic.german.answer, topic.id
        assert len(topic.german.additions) == len(topic.additions), topic.id


def test_a_topic_without_german_is_refused(kb_copy: Path):  # noqa: F811
    path = kb_copy / "topics" / "biopsy.yml"
    data = yaml.safe_load(path.read_text())
    data.pop("de")
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(KnowledgeError, match=r"biopsy.*has no German texts"):
        load(kb_copy)


def test_a_missing_german_addition_is_refused(kb_copy: Path):  # noqa: F811
    path = kb_copy / "topics" / "nsaids.yml"
    data = yaml.safe_load(path.read_text())
    data["de"]["additions"] = data["de"]["additions"][:-1]
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(KnowledgeError, match=r"nsaids.*one per addition"):
        load(kb_copy)


def test_the_german_messages_have_every_key_and_placeholder():
    assert list(KB.messages_de) == list(KB.messages)
    for key, english in KB.messages.items():
        assert sorted(re.findall(r"{\w+}", KB.messages_de[key])) == sorted(re.findall(r"{\w+}", english)), key


# ---- the German says what the English says --------------------------------------


@pytest.mark.parametrize("where, english, german", PAIRS, ids=[p[0] for p in PAIRS])
def test_the_german_gives_the_same_figures(where, english, german):
    # every figure of the English is there, and the German brings none of its own
    assert numbers(english) <= numbers(german), where
    assert numbers(german) <= numbers(english, words=True), where


@pytest.mark.parametrize("where, english, german", PAIRS, ids=[p[0] for p in PAIRS])
def test_the_safety_sentences_are_there_in_german_too(where, english, german):
    if DO_NOT_STOP in normal(english):
        assert DO_NOT_STOP_DE in german, where
    if RULE_OUT in normal(english):
        assert RULE_OUT_DE in german, where
    if "less common" in english.lower():
        assert "seltener" in german.lower(), where


# ---- the content-safety contract, in German ------------------------------------


@pytest.mark.parametrize("where, english, german", PAIRS, ids=[p[0] for p in PAIRS])
def test_no_german_text_is_a_verdict_speaks_to_the_reader_or_gives_a_dose(where, english, german):
    assert not VERDICT_OPENING_DE.match(german), where
    assert not ADDRESSES_THE_READER_DE.search(german), (where, ADDRESSES_THE_READER_DE.search(german))
    assert not DOSE.search(german), where


def test_the_reader_rule_catches_what_it_is_for():
    assert ADDRESSES_THE_READER_DE.search("Das Team hilft Ihnen gern.")
    assert ADDRESSES_THE_READER_DE.search("Frag deine Ärztin.")
    assert not ADDRESSES_THE_READER_DE.search("Sie sind meist die erste Behandlung.")


def test_the_german_urgent_reply_leads_with_the_emergency_then_the_same_day_route():
    urgent = KB.messages_de["urgent"]
    assert urgent.startswith("Bitte holen Sie jetzt medizinische Hilfe")
    assert urgent.index("112") < urgent.index("116117")
    assert "144" in urgent
    assert urgent.endswith("Warten Sie nicht auf weitere Informationen aus diesem Chat.")
    assert KB.messages_de["urgent_then_answer"].startswith("Wenn Sie Hilfe organisiert haben")


def test_the_german_refusal_and_disclaimer_say_what_the_english_do():
    refusal = KB.messages_de["personal_advice"]
    assert "Setzen Sie nie ein Medikament ab und ändern Sie es nie" in refusal
    assert "noch heute an das Behandlungsteam oder eine Apotheke" in refusal
    disclaimer = KB.messages_de["disclaimer"]
    for needed in ("nicht für ein einzelnes Kind", "keine Behandlung", "keine Namen", "nicht für Notfälle", "112"):
        assert needed in disclaimer, needed


# ---- plain German ------------------------------------------------------------------


def test_german_reading_level(capsys):
    answers = {t.id: german_index(t.german.answer) for t in KB.topics.values()}
    additions = [german_index(text) for t in KB.topics.values() for text in t.german.additions]
    median = statistics.median(answers.values())
    with capsys.disabled():
        print(
            f"\nWiener Sachtextformel of the {len(answers)} German answers: median {median:.1f}, "
            f"lowest {min(answers.values()):.1f}, highest {max(answers.values()):.1f}; "
            f"additions highest {max(additions):.1f}"
        )
    assert median <= MEDIAN_GERMAN_INDEX
    assert max([*answers.values(), *additions]) <= MAX_GERMAN_INDEX, {
        k: v for k, v in answers.items() if v > MAX_GERMAN_INDEX
    }
    for key in ("consult", "disclaimer", "urgent", "personal_advice", "fallback", "out_of_scope"):
        assert german_index(KB.messages_de[key]) <= MAX_GERMAN_INDEX, key
