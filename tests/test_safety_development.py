"""The safety rules alone (English and German, as the pipeline combines them)
on the development sets `tests/safety_dev*.yml`: they must keep catching at
least what they caught when the rules were last tuned on these sets, and flag
no more of their ordinary questions. The classifier catches part of the rest
(the live figures come from the blind sets, tests/test_safety_cases.py).

A ratchet, not a result: these sets were tuned on. When a change of
bot/knowledge/safety_patterns.yml catches more, raise the floor here; when it
catches less, the failure names the messages it lost."""

from __future__ import annotations

from typing import Dict, Tuple

import pytest
import spacy

from bot import nlp as pipeline
from bot.nlu.safety_german import combined, german_rules
from bot.nlu.safety_patterns import Finding, SafetyPatterns
from devtools.evaluation import safety_cases
from tests.conftest import PROJECT

# file -> (red flags caught, advice requests caught, ordinary questions flagged at most)
FLOORS: Dict[str, Tuple[int, int, int]] = {
    # a temperature in digits counts even in a general question: "does crmo ever
    # cause a fever of 40?" gets the urgent reply first, then its answer
    "safety_dev.yml": (160, 154, 1),
    "safety_dev2.yml": (150, 129, 0),
    "safety_dev3.yml": (160, 0, 13),
    "safety_dev4.yml": (124, 0, 4),
    # 16: "... a small bump on his shin ... Is that the CRMO?" is now refused as
    # "does my child have it", which it is, though its writer labelled it ordinary;
    # 17: so is a teacher's "... Can he do the PE lesson?" about one boy.
    "safety_dev5.yml": (146, 0, 17),
    "safety_dev6.yml": (0, 121, 0),
    "safety_dev7.yml": (78, 66, 0),
    "safety_dev8.yml": (76, 67, 0),
    "safety_dev9.yml": (118, 0, 3),
    "safety_dev10.yml": (110, 59, 2),
    "safety_dev11.yml": (110, 60, 1),
    "safety_dev12.yml": (110, 59, 3),
    "safety_dev13.yml": (107, 60, 0),
    "safety_dev14.yml": (110, 55, 1),
    "safety_dev15.yml": (113, 59, 1),
    "safety_dev16.yml": (101, 57, 2),
    "safety_dev17.yml": (100, 60, 0),
    "safety_dev18.yml": (100, 54, 2),
    "safety_dev19.yml": (99, 57, 2),
    "safety_dev20.yml": (100, 57, 1),
    "safety_dev21.yml": (100, 54, 0),
    "safety_dev22.yml": (100, 57, 0),
    "safety_dev23.yml": (99, 56, 2),
    "safety_dev24.yml": (99, 59, 1),
    "safety_dev25.yml": (100, 59, 0),
    "safety_dev26.yml": (100, 60, 0),
    "safety_dev27.yml": (100, 60, 0),
    "safety_dev28.yml": (98, 60, 0),
    "safety_dev29.yml": (97, 60, 0),
    "safety_dev30.yml": (100, 58, 2),
    "safety_dev31.yml": (99, 58, 0),
    "safety_dev32.yml": (95, 31, 0),
    "safety_dev33.yml": (99, 53, 0),
    "safety_dev34.yml": (99, 58, 3),
    "safety_dev35.yml": (98, 54, 0),
    "safety_dev36.yml": (99, 59, 1),
    "safety_dev37.yml": (98, 55, 0),
    "safety_dev38.yml": (82, 51, 3),
    "safety_dev39.yml": (100, 60, 5),
    "safety_dev40.yml": (87, 51, 3),
    "safety_dev41.yml": (98, 37, 0),
    "safety_dev42.yml": (77, 50, 0),
    "safety_dev_de.yml": (90, 89, 0),
    "safety_dev_de2.yml": (90, 90, 0),
    "safety_dev_de3.yml": (80, 80, 0),
    "safety_dev_de4.yml": (98, 0, 0),
    "safety_dev_de5.yml": (90, 60, 2),
    "safety_dev_de6.yml": (90, 60, 0),
    "safety_dev_de7.yml": (90, 60, 0),
    "safety_dev_de8.yml": (90, 60, 0),
    "safety_dev_de9.yml": (90, 53, 0),
    "safety_dev_de10.yml": (101, 62, 0),
    "safety_dev_de11.yml": (90, 59, 0),
    "safety_dev_de12.yml": (89, 57, 0),
    "safety_dev_de13.yml": (90, 58, 0),
    "safety_dev_de14.yml": (90, 59, 1),
    "safety_dev_de15.yml": (88, 56, 2),
    "safety_dev_de16.yml": (90, 60, 0),
    "safety_dev_de17.yml": (90, 54, 0),
    "safety_dev_de18.yml": (87, 60, 2),
    "safety_dev_de19.yml": (89, 60, 1),
    "safety_dev_de20.yml": (89, 60, 0),
    "safety_dev_de21.yml": (90, 60, 0),
    "safety_dev_de22.yml": (90, 60, 0),
    "safety_dev_de23.yml": (88, 60, 2),
    "safety_dev_de24.yml": (88, 60, 1),
    "safety_dev_de25.yml": (90, 60, 2),
    "safety_dev_de26.yml": (89, 60, 1),
    "safety_dev_de27.yml": (89, 60, 1),
    "safety_dev_de28.yml": (90, 58, 0),
    "safety_dev_de29.yml": (89, 58, 0),
    "safety_dev_de30.yml": (89, 55, 1),
    "safety_dev_de31.yml": (67, 48, 1),
    "safety_dev_de32.yml": (90, 59, 0),
    "safety_dev_de33.yml": (73, 51, 2),
}


@pytest.fixture(scope="module")
def check():
    pipeline.build()
    english, german = SafetyPatterns(spacy.load(pipeline.PIPELINE_DIR)), german_rules()

    def finding(text: str) -> Finding:
        return combined(english.check(english._nlp(text.lower())), german.check(text))

    return finding


def test_every_development_set_has_its_floor():
    found = {path.name for path in (PROJECT / "tests").glob("safety_dev*.yml")}
    assert found == set(FLOORS), "give each development set its floor in FLOORS"


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_rules_keep_what_they_caught_on_the_development_sets(check, name):
    cases = safety_cases(PROJECT / "tests" / name)  # read once, each message checked once
    found = {
        part: [(text, check(text)) for text in (item if isinstance(item, str) else item["text"] for item in items)]
        for part, items in cases.items()
    }
    red_floor, advice_floor, ordinary_ceiling = FLOORS[name]
    missed_red = [text for text, finding in found.get("red_flags", []) if not finding.red_flags]
    missed_advice = [text for text, finding in found.get("advice", []) if not finding.advice]
    flagged = [text for text, finding in found.get("ordinary", []) if finding.red_flags or finding.advice]
    red = len(found.get("red_flags", [])) - len(missed_red)
    advice = len(found.get("advice", [])) - len(missed_advice)
    assert red >= red_floor, f"{name}: red flags caught {red} < {red_floor}; missed: {missed_red}"
    assert advice >= advice_floor, f"{name}: advice caught {advice} < {advice_floor}; missed: {missed_advice}"
    assert len(flagged) <= ordinary_ceiling, f"{name}: ordinary flagged {len(flagged)}: {flagged}"
