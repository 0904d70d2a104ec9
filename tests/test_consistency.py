"""Domain, NLU data, rules and actions agree with the knowledge base and the
topic catalogue: they are checked against it, never copied from it by hand."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections import Counter
from pathlib import Path

import yaml
from rasa_sdk import Action

from bot import sync
from bot.knowledge import knowledge
from bot.knowledge.vocabulary import surface_forms
from bot.nlu import EMAIL_ENTITY, GIVE_EMAIL, LANGUAGE_ENTITY, REPLY_LANGUAGE, SAFETY_ENTITY
from bot.paths import PROJECT

CONVERSATION_INTENTS = {
    "follow_up",
    "feedback_helpful",
    "feedback_unhelpful",
    "my_data",
    "forget_me",
    "forget_me_confirm",
    "ask_team",
    "ask_team_send",
    "cancel",
    GIVE_EMAIL,
}
ANNOTATION = re.compile(r"\[([^\]]+)\]\((\w+)\)")


def nlu_examples(*paths: Path) -> dict:
    examples: dict = {}
    for path in paths:
        for item in yaml.safe_load(path.read_text()).get("nlu", []):
            if "intent" in item:
                lines = [line.strip()[2:].strip() for line in item["examples"].splitlines() if line.strip()]
                examples.setdefault(item["intent"], []).extend(lines)
    return examples


TRAINING = nlu_examples(*sorted((PROJECT / "data" / "nlu").glob("*.yml")))
HELD_OUT = nlu_examples(PROJECT / "tests" / "nlu_test.yml")
DOMAIN = yaml.safe_load((PROJECT / "domain.yml").read_text())


def plain(example: str) -> str:
    """The words of an example, without annotation, case or punctuation."""
    return re.sub(r"[^a-z0-9]+", " ", ANNOTATION.sub(r"\1", example).lower()).strip()


def test_the_catalogue_copy_lists_the_ids_outside_evaluations_depend_on():
    kb = knowledge()
    assert len(kb.faq_ids) == 27
    assert set(kb.behaviour_ids) == {
        "greet",
        "goodbye",
        "thank",
        "bot_challenge",
        "help",
        "ask_source",
        "out_of_scope",
        "personal_advice",
        "urgent_symptoms",
    }


def test_domain_intents_are_the_catalogue_labels_plus_conversation_intents():
    kb = knowledge()
    assert set(DOMAIN["intents"]) == set(kb.faq_ids) | set(kb.behaviour_ids) | CONVERSATION_INTENTS
    assert len(DOMAIN["intents"]) == len(set(DOMAIN["intents"]))


def test_every_label_has_at_least_20_training_examples():
    counts = {label: len(TRAINING.get(label, [])) for label in DOMAIN["intents"]}
    assert set(TRAINING) == set(DOMAIN["intents"])
    assert min(counts.values()) >= 20, {k: v for k, v in counts.items() if v < 20}


def test_no_example_is_duplicated_across_labels():
    seen = Counter(plain(e) for examples in TRAINING.values() for e in examples)
    assert [e for e, n in seen.items() if n > 1] == []


def test_held_out_set_covers_every_label_and_shares_nothing_with_training():
    assert set(HELD_OUT) == set(DOMAIN["intents"])
    assert min(len(v) for v in HELD_OUT.values()) >= 5
    training = {plain(e) for examples in TRAINING.values() for e in examples}
    assert sorted(training & {plain(e) for v in HELD_OUT.values() for e in v}) == []


def test_every_annotated_entity_is_in_the_vocabulary():
    forms = {(etype, form) for (etype, _), fs in surface_forms(knowledge().entities).items() for form in fs}
    for examples in (*TRAINING.values(), *HELD_OUT.values()):
        for example in examples:
            for text, etype in ANNOTATION.findall(example):
                assert (etype, text.lower()) in forms, f"{text!r} ({etype}) in {example!r}"


def test_generated_synonyms_are_up_to_date():
    assert sync.stale() == [], "run `python -m bot sync`"


def test_each_faq_topic_has_exactly_one_rule_to_the_answer_action():
    rules = yaml.safe_load((PROJECT / "data" / "rules" / "faq.yml").read_text())["rules"]
    pairs = Counter((r["steps"][0]["intent"], r["steps"][1]["action"]) for r in rules)
    for topic in knowledge().faq_ids:
        assert pairs[(topic, "action_answer_faq")] == 1, topic
    every_rule_intent = set()
    for path in (PROJECT / "data" / "rules").glob("*.yml"):
        every_rule_intent |= {r["steps"][0]["intent"] for r in yaml.safe_load(path.read_text())["rules"]}
    assert set(DOMAIN["intents"]) <= every_rule_intent, "an intent without a rule would go unanswered"


def test_domain_actions_are_exactly_the_custom_actions():
    import actions

    names = set()
    for module in pkgutil.iter_modules(actions.__path__):
        loaded = importlib.import_module(f"actions.{module.name}")
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, Action) and cls is not Action and cls.__module__ == loaded.__name__:
                names.add(cls().name())
    assert names == set(DOMAIN["actions"])


def test_domain_holds_no_text():
    """Every text a family reads lives in bot/knowledge, where it is reviewed and
    checked by the content-safety contract; the domain only names actions."""
    assert not DOMAIN.get("responses")


def test_entity_types_match_the_catalogue():
    kb = knowledge()
    domain_entities = {next(iter(e)) if isinstance(e, dict) else e for e in DOMAIN["entities"]}
    marks = {SAFETY_ENTITY, LANGUAGE_ENTITY, REPLY_LANGUAGE, EMAIL_ENTITY}  # set by the pipeline's own components
    assert set(kb.catalogue["entities"]) <= domain_entities == {*kb.entities, *marks}
