"""bot/rasa_ext/rule_policy.py: the trained model's RecentTurnsRulePolicy
predicts exactly what Rasa's RulePolicy predicts with the same rules, on every
turn of conversations of every kind (restarts, new sessions, "back", fallback,
long ones), while building the states of only the last few events; where the
shortcut would not give Rasa's states, Rasa builds them."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_RESTART_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.rule_policy import RecentTurnsRulePolicy

CONVERSATIONS = 60
TURNS = 14


@pytest.fixture(scope="module")
def trained(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Tuple[RecentTurnsRulePolicy, Domain]:
    """The policy and domain of the project's trained model (the policy alone:
    nothing of the NLU pipeline is loaded, so nothing of Rasa is patched here)."""
    storage, metadata = LocalModelStorage.from_model_archive(tmp_path_factory.mktemp("model"), model)
    node = next(node for node in metadata.predict_schema.nodes.values() if node.uses is RecentTurnsRulePolicy)
    context = ExecutionContext(metadata.predict_schema, metadata.model_id)
    config = {**RecentTurnsRulePolicy.get_default_config(), **node.config}  # as Rasa's graph gives it
    return RecentTurnsRulePolicy.load(config, storage, node.resource, context), metadata.domain


def rasas(policy: RecentTurnsRulePolicy) -> RulePolicy:
    """Rasa's own RulePolicy with the same rules and settings (the same object's state)."""
    rasa = RulePolicy.__new__(RulePolicy)
    rasa.__dict__ = policy.__dict__
    return rasa


def same(ours: PolicyPrediction, theirs: PolicyPrediction) -> bool:
    return (
        ours.probabilities == theirs.probabilities
        and ours.events == theirs.events
        and ours.hide_rule_turn == theirs.hide_rule_turn
        and ours.is_end_to_end_prediction == theirs.is_end_to_end_prediction
        and ours.is_no_user_prediction == theirs.is_no_user_prediction
    )


def events_of(action: str) -> List[Event]:
    """What running the action adds to the conversation, as far as rules can see."""
    executed: List[Event] = [ActionExecuted(action)]
    if action == ACTION_RESTART_NAME:
        return executed + [Restarted()]
    if action == ACTION_SESSION_START_NAME:
        return executed + [SessionStarted()]
    if action == "action_back":
        return executed + [UserUtteranceReverted(), UserUtteranceReverted()]
    return executed + [BotUttered("an answer"), SlotSet("last_topic", action)]


def conversations(domain: Domain, seed: int = 2611) -> Iterator[List[str]]:
    """Random sequences of the domain's intents, its default ones included."""
    chance = random.Random(seed)
    for _ in range(CONVERSATIONS):
        yield [chance.choice(domain.intents) for _ in range(chance.randint(1, TURNS))]


def predictions(policy: RecentTurnsRulePolicy, domain: Domain, intents: List[str]) -> Iterator[tuple]:
    """Plays a conversation, each action the one predicted, and yields every
    prediction point: the tracker, ours and Rasa's prediction."""
    rasa = rasas(policy)
    tracker = DialogueStateTracker.from_events(
        "c", [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)],
        slots=domain.slots,
    )  # fmt: skip
    for turn, intent in enumerate(intents):
        tracker.update(UserUttered(f"message {turn}", intent={"name": intent, "confidence": 1.0}))
        tracker.update(DefinePrevUserUtteredFeaturization(False))
        for _ in range(4):  # a rule ends with listening; Rasa's own limit is higher
            ours = policy.predict_action_probabilities(tracker, domain)
            theirs = rasa.predict_action_probabilities(tracker, domain)
            yield tracker, ours, theirs
            action = domain.action_names_or_texts[ours.max_confidence_index]
            for event in events_of(action):
                tracker.update(event)
            if action == ACTION_LISTEN_NAME:
                break


def test_it_predicts_what_rasas_rule_policy_predicts(trained):
    policy, domain = trained
    compared = differ = shortcuts = 0
    for intents in conversations(domain):
        for tracker, ours, theirs in predictions(policy, domain, intents):
            compared += 1
            differ += not same(ours, theirs)
            shortcuts += policy._recent_part(tracker, domain, policy._longest_rule()) is not None
    assert differ == 0, f"{differ} of {compared} predictions differ from RulePolicy's"
    assert compared > 500 and shortcuts > compared / 2, (compared, shortcuts)  # the shortcut was taken


def test_every_rule_is_used_by_the_comparison(trained):
    """The random conversations reach every rule's intent and the default
    actions, so the comparison above covers them all."""
    policy, domain = trained
    predicted = {
        domain.action_names_or_texts[ours.max_confidence_index]
        for intents in conversations(domain)
        for _, ours, _ in predictions(policy, domain, intents)
    }
    assert {"action_answer_faq", "action_urgent_care", "action_personal_advice", "action_default_fallback"} <= predicted
    assert {ACTION_RESTART_NAME, "action_back", ACTION_LISTEN_NAME} <= predicted


def test_a_long_conversation_needs_only_its_last_events(trained):
    """The states a prediction builds do not grow with the conversation."""
    policy, domain = trained
    intents = ["what_is_crmo", "causes", "thank", "genetics"] * 10
    sizes = [
        len(recent.events)
        for tracker, _, _ in predictions(policy, domain, intents)
        if (recent := policy._recent_part(tracker, domain, policy._longest_rule())) is not None
    ]
    assert policy._longest_rule() == 2
    assert len(sizes) >= 70 and max(sizes) <= 16, sizes  # of more than 300 events at the end


def test_a_slot_that_influences_the_conversation_leaves_the_states_to_rasa(trained):
    policy, domain = trained
    events = [ActionExecuted(ACTION_LISTEN_NAME), UserUttered("hi", intent={"name": "greet"})] * 3
    plain = DialogueStateTracker.from_events("s", events, slots=domain.slots)
    assert policy._recent_part(plain, domain, 2) is not None
    featurized = TextSlot("mood", mappings=[], influence_conversation=True)
    with_slot = DialogueStateTracker.from_events("s", events, slots=[*domain.slots, featurized])
    assert policy._recent_part(with_slot, domain, 2) is None
