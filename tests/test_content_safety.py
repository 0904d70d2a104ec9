"""The safety contract of the curated content, checked over the whole knowledge
base rather than by reading (the findings of the independent content review,
made rules): antibiotics never without "do not stop", no dose, no answer that
reads as a verdict, one word for how common each bone is, every reference
linked by PMID, DOI or a marked URL, and every caveat of the vetted fact sheet
shown by "where is that from?"."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.sources import ActionShowSources
from bot.knowledge import KNOWLEDGE_DIR, URL_ONLY, knowledge
from bot.knowledge.vocabulary import surface_forms
from bot.paths import PROJECT

KB = knowledge()
# The project's copy of the vetted fact sheet (never ../shared at test time).
FACT_SHEET = KNOWLEDGE_DIR / "crmo-sources.md"


def topic_texts() -> Iterator[Tuple[str, str]]:
    """(where, text) for every answer and addition."""
    for topic in KB.topics.values():
        yield f"{topic.id}: answer", topic.answer
        for addition in topic.additions:
            yield f"{topic.id}: addition {dict(addition.when)}", addition.text


def all_texts() -> Iterator[Tuple[str, str]]:
    """Every text a family can read: answers, additions, fixed messages and the
    domain's responses."""
    yield from topic_texts()
    for key, text in KB.messages.items():
        yield f"messages.yml: {key}", text
    domain = yaml.safe_load((PROJECT / "domain.yml").read_text())
    for name, variants in (domain.get("responses") or {}).items():
        for variant in variants:
            yield f"domain.yml: {name}", variant["text"]


def normal(text: str) -> str:
    return " ".join(text.lower().split())


# ---- F1: antibiotics ----------------------------------------------------------
DO_NOT_STOP = "prescribed antibiotics should never be stopped without talking to the doctor who prescribed them"
RULE_OUT = "doctors must still rule out a bone infection first"
SAYS_ANTIBIOTICS_DO_NOT_HELP = re.compile(
    r"antibiotics (?:usually )?(?:do not|did not|does not|are not part|bring no)", re.IGNORECASE
)


@pytest.mark.parametrize("where, text", [t for t in all_texts() if "antibiotic" in t[1].lower()])
def test_every_text_about_antibiotics_says_never_to_stop_them(where, text):
    assert DO_NOT_STOP in normal(text), where
    if SAYS_ANTIBIOTICS_DO_NOT_HELP.search(text):
        assert RULE_OUT in normal(text), where


def test_the_antibiotic_rule_is_not_vacuous():
    """The texts the review named (F1) are among those checked."""
    named = {w for w, t in all_texts() if "antibiotic" in t.lower()}
    for where in ("is_it_infectious: answer", "causes: answer"):
        assert where in named
    assert {w.split(":")[0] for w in named} >= {"is_it_infectious", "causes", "treatment"}


# ---- F4: no dose ----------------------------------------------------------------
DOSE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|micrograms?|milligrams?|ml|millilitres?|g|grams?|iu|units?)\b(?!\s*/\s*d?l\b)"
    r"|\bmg\s*(?:/|per)\s*(?:kg|m2|day)\b"
    r"|\b(?:highest|maximum|max|maximal|top|full|double|lowest|minimum|starting|usual|approved|tolerated)"
    r"(?:[\w\s,-]{0,25})\bdoses?\b"
    r"|\b(?:once|twice|\d+ times) (?:a|per) (?:day|week)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("where, text", list(all_texts()))
def test_no_text_gives_a_dose_or_a_dose_level(where, text):
    assert not DOSE.search(text), (where, DOSE.search(text).group(0))


@pytest.mark.parametrize(
    "phrase",
    ["give an NSAID at the highest approved dose", "10 mg/kg a day", "take 250 mg twice a day", "the maximum dose"],
)
def test_the_dose_rule_catches_what_it_is_for(phrase):
    assert DOSE.search(phrase)


# ---- no verdicts ------------------------------------------------------------------
VERDICT_OPENING = re.compile(
    r"^(?:yes|no|not always|sometimes,? yes|of course|definitely)\b(?!\s+one\b)", re.IGNORECASE
)
ADDRESSES_THE_READER = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)


@pytest.mark.parametrize("where, text", list(topic_texts()))
def test_no_answer_reads_as_a_verdict_or_speaks_to_the_reader(where, text):
    """A family asking whether something is safe for their own child must not read
    "Yes." as permission or "No." as reassurance: each text states the general
    fact about CRMO in a full sentence, not about "you"."""
    assert not VERDICT_OPENING.match(text), where
    assert not ADDRESSES_THE_READER.search(text), where


def test_the_verdict_rule_catches_what_it_is_for():
    assert VERDICT_OPENING.match("Yes. CRMO can affect the jaw.")
    assert VERDICT_OPENING.match("No, it is not cancer.")
    assert not VERDICT_OPENING.match("No one knows exactly what causes CRMO.")


# ---- F6: how common a site is ---------------------------------------------------
LESS_COMMON = re.compile(r"\b(?:less common|uncommon|not common|rare(?:ly)?|seldom)\b", re.IGNORECASE)
COMMON = re.compile(r"\b(?:common|classic|most often|frequent(?:ly)?)\b", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[.!?;:])\s+")


def site_frequencies(texts: List[Tuple[str, str]]) -> Dict[str, Dict[str, List[str]]]:
    """body site -> "common"/"less common" -> the sentences that say so."""
    words = {value: forms for (etype, value), forms in surface_forms(KB.entities).items() if etype == "body_site"}
    found: Dict[str, Dict[str, List[str]]] = {}
    for where, text in texts:
        for sentence in SENTENCE.split(text):
            rest = LESS_COMMON.sub(" ", sentence)
            kinds = (["less common"] if rest != sentence else []) + (["common"] if COMMON.search(rest) else [])
            for value, forms in words.items():
                if any(re.search(rf"\b{re.escape(form)}\b", sentence, re.IGNORECASE) for form in forms):
                    for kind in kinds:
                        found.setdefault(value, {}).setdefault(kind, []).append(f"{where}: {sentence}")
    return found


def test_no_two_texts_disagree_on_how_common_a_site_is():
    """The jaw was "also common" in an answer and "uncommon" in its addition (F6)."""
    for site, kinds in site_frequencies(list(topic_texts())).items():
        assert len(kinds) == 1, (site, kinds)
    assert "less common" in site_frequencies(list(topic_texts()))["mandible"]


def test_the_site_rule_catches_a_contradiction():
    contradiction = [("a", "The spine, ribs and jaw are also common."), ("b", "The jaw is uncommon.")]
    assert len(site_frequencies(contradiction)["mandible"]) == 2


# ---- references ----------------------------------------------------------------------
def cited_keys() -> List[str]:
    keys = [k for t in KB.topics.values() for k in t.sources + tuple(s for a in t.additions for s in a.sources)]
    return sorted(set(keys))


@pytest.mark.parametrize("key", cited_keys())
def test_every_reference_shown_has_a_pmid_a_doi_or_a_marked_url(key):
    ref = KB.references[key]
    short, full = ref.short(), ref.full()
    if ref.pmid:
        assert f"pubmed.ncbi.nlm.nih.gov/{ref.pmid}/" in short and f"PMID: {ref.pmid}" in full
    elif ref.doi:
        assert f"doi.org/{ref.doi}" in short and f"DOI: {ref.doi}" in full
    else:
        assert ref.url.startswith(("https://", "http://"))
        assert short.endswith(f"({URL_ONLY})") and URL_ONLY in full and ref.url in short


def sheet_references() -> Dict[str, str]:
    text = FACT_SHEET.read_text(encoding="utf-8").rsplit("\n## References", 1)[1]
    return dict(re.findall(r"^- (\w+): (.*)$", text, re.MULTILINE))


CAVEAT_WORDS = re.compile(
    r"unverified|not verified|not confirmed|not seen|not shown|memory|not retrieved|secondary|summari[sz]ed"
    r"|possibly|brief|abstract|book chapter|preprint",
    re.IGNORECASE,
)


def sheet_caveats(line: str) -> List[str]:
    """The bracketed and parenthesised remarks of a fact-sheet reference that say
    what could not be confirmed, or what kind of source it is."""
    remarks = re.findall(r"\[([^\]]+)\]|\(((?:[^()]|\([^()]*\))*)\)", line)
    found = [r for pair in remarks for r in pair if r and CAVEAT_WORDS.search(r)]
    return [re.sub(r"^note:\s*", "", r) for r in found]


def test_the_references_are_the_fact_sheets_records():
    sheet = sheet_references()
    assert set(KB.references) <= set(sheet), set(KB.references) - set(sheet)
    for key, ref in KB.references.items():
        line = sheet[key]
        assert ref.title in line and ref.url in line, key
        assert (f"PMID: {ref.pmid}" in line) if ref.pmid else not re.search(r"PMID: \d", line), key
        assert (f"DOI: {ref.doi}" in line) if ref.doi else not re.search(r"(?<!preprint )DOI: 10\.", line), key


def test_the_fact_sheet_has_caveats_for_the_rule_to_check():
    caveats = {key: sheet_caveats(line) for key, line in sheet_references().items()}
    assert any("secondary summaries" in c for c in caveats["leerling2024"])
    assert any("abstract itself was not retrieved" in c for c in caveats["voit2015"])
    assert sum(1 for c in caveats.values() if c) >= 30


def test_every_caveat_of_the_fact_sheet_reaches_where_is_that_from():
    """R2/R3: "where is that from?" after an answer shows, with each reference,
    everything the fact sheet says could not be confirmed about it."""
    keys = cited_keys()
    tracker = Tracker(
        "caveats",
        {"last_topic": "relapse", "last_sources": keys},
        {"text": "where is that from?", "intent": {"name": "ask_source", "confidence": 1.0}, "entities": []},
        [{"event": "session_started"}, {"event": "bot", "text": KB.messages["disclaimer"]}],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionShowSources().run(dispatcher, tracker, {}))
    shown = normal(" ".join(m.get("text") or "" for m in dispatcher.messages))
    sheet = sheet_references()
    missing = [(k, c) for k in keys for c in sheet_caveats(sheet[k]) if normal(c) not in shown]
    assert not missing, missing


# ---- messages (M1-M3) ---------------------------------------------------------------
def test_the_urgent_reply_leads_with_the_emergency_action_then_the_same_day_route():
    urgent = KB.messages["urgent"]
    emergency = urgent.index("emergency number")
    same_day = urgent.index("get seen today")
    assert emergency < same_day
    for sign in ("numbness", "weakness", "bladder or bowels", "very unwell"):
        assert urgent.index(sign) < same_day, sign
    for sign in ("high fever", "walk", "sudden very bad pain"):
        assert same_day > urgent.index(sign) > emergency, sign
    for drug in ("methotrexate", "TNF inhibitor", "steroids"):
        assert drug in urgent
    assert "chat reply" not in urgent and "Do not wait for more information from this chat" in urgent
    assert KB.messages["urgent_then_answer"].startswith("Once you have arranged care")


def test_the_refusal_says_never_to_stop_a_medicine_and_whom_to_call_today():
    refusal = KB.messages["personal_advice"]
    assert "Never stop or change a medicine without talking to the doctor who prescribed it" in refusal
    assert "contact the care team or a pharmacist today" in refusal


def test_the_disclaimer_says_general_no_treatment_changes_and_no_identifying_details():
    disclaimer = KB.messages["disclaimer"]
    assert "may not apply to one child" in disclaimer
    assert "Do not start, stop or change any treatment because of this chat" in disclaimer
    assert "do not type names" in disclaimer
    assert "not a doctor" in disclaimer and "not for emergencies" in disclaimer


def test_no_addition_names_things_as_families_say_them():
    assert KB.name_of("tnf inhibitor") == "TNF inhibitors"
    assert KB.name_of("mandible") == "the jaw"
    assert KB.name_of("naproxen") == "naproxen"


def test_the_fact_sheet_copy_is_where_the_tests_read_it():
    assert FACT_SHEET.exists() and "## References" in FACT_SHEET.read_text(encoding="utf-8")
    assert Path(FACT_SHEET).parent == KNOWLEDGE_DIR
