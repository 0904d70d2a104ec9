"""Rasa's RulePolicy, reading only the end of a conversation.

RulePolicy decides each next action by matching the conversation's states (one
per action: the previous action, the last user message, the slots and form
that influence the conversation) against its rules. To get those states it
replays the whole conversation from its first event, three times a turn (the
user's text, then the intent, then after the action), and then compares every
state with every rule, though no rule is longer than its last few states. In
an eight-question conversation that was 1.5 ms of each prediction, 3.3 ms of
each turn (about a sixth), and it grows with every question.

The project's rules are each one intent and one action, and no slot or form
influences the conversation (domain.yml). Then a state holds only the previous
action and the last user message, and the last states can be computed from
the last few events alone: those from the last user message before the
longest rule's first state on. `RecentTurnsRulePolicy` does that, and is
otherwise RulePolicy: training, the default actions, the fallback and every
rule are Rasa's. Where the shortcut would not give exactly Rasa's states (a
slot or a form that influences the conversation, an active loop, a
conversation shorter than the longest rule, training) it leaves the work to
Rasa. tests/test_rule_policy.py checks its predictions against RulePolicy's on
every turn of many conversations."""

from __future__ import annotations

import json
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple, cast

from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_TWO_STAGE_FALLBACK_NAME
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

# Events after which `applied_events()` drops or undoes earlier ones, and the
# one loop that runs without a form: with any of them among the last events,
# the states come from Rasa's replay of the whole conversation.
REPLAYED_BY_RASA = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted, ActiveLoop)
LOOP_ACTIONS = {ACTION_TWO_STAGE_FALLBACK_NAME}
# A loaded policy remembers the matching rules of up to this many lists of at
# most this many states (then it starts afresh).
REMEMBERED_MATCHES = 4096
REMEMBERED_STATES = 4


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class RecentTurnsRulePolicy(RulePolicy):
    """RulePolicy that builds only the states its longest rule can look at."""

    def _prediction_states(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        use_text_for_last_user_input: bool = False,
        rule_only_data: Optional[Dict[str, Any]] = None,
    ) -> List[State]:
        longest = self.__dict__.get("_rule_states") or self._longest_rule()
        recent = self._recent_part(tracker, domain, longest)
        if recent is None:
            return super()._prediction_states(tracker, domain, use_text_for_last_user_input, rule_only_data)
        states = super()._prediction_states(recent, domain, use_text_for_last_user_input, rule_only_data)
        return states[-longest:]

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> RecentTurnsRulePolicy:
        """The trained policy, whose rules no longer change: from here on the
        rules that match a list of states are remembered."""
        policy = cast(RecentTurnsRulePolicy, super().load(*args, **kwargs))
        policy._matching = {}
        policy._rule_states = policy._longest_rule()
        return policy

    def _get_possible_keys(self, lookup: Dict[str, str], states: List[State]) -> Set[str]:
        """The rules that match the states, as Rasa finds them (each rule against
        each state), remembered for a loaded policy: the same few states
        ("listening, intent X") come back all the time, and checking every rule
        took as long as building the states."""
        matching: Optional[Dict[Tuple[int, str], FrozenSet[str]]] = self.__dict__.get("_matching")
        if matching is None or len(states) > REMEMBERED_STATES:  # training, or a conversation kept whole
            return super()._get_possible_keys(lookup, states)
        try:
            key = (id(lookup), json.dumps(states, sort_keys=True))
        except TypeError:  # a state Rasa can match but JSON cannot write
            return super()._get_possible_keys(lookup, states)
        if key not in matching:
            if len(matching) >= REMEMBERED_MATCHES:
                matching.clear()
            matching[key] = frozenset(super()._get_possible_keys(lookup, states))
        return set(matching[key])

    def _longest_rule(self) -> int:
        """The number of states of the longest rule (0 before training)."""
        rules = self.lookup.get(RULES, {})
        return max((len(self._rule_key_to_state(key)) for key in rules), default=0)

    @staticmethod
    def _recent_part(tracker: DialogueStateTracker, domain: Domain, states: int) -> Optional[DialogueStateTracker]:
        """A tracker of the last events whose last `states` states are the
        conversation's, or None where only the whole conversation gives them.

        The events are read from the end back to the last user message before
        the `states`-th last action (the states after that action need it);
        the state before that action is not needed. An event that undoes or
        restarts something, or a loop, on the way means Rasa's own replay."""
        if (
            type(tracker) is not DialogueStateTracker  # training's trackers cache their states
            or states == 0
            or tracker.active_loop_name
            or domain.form_names
            or any(slot.influence_conversation for slot in tracker.slots.values())
        ):
            return None
        recent: List[Event] = []
        actions = 0
        for event in reversed(tracker.events):
            if isinstance(event, REPLAYED_BY_RASA) or (
                isinstance(event, ActionExecuted) and event.action_name in LOOP_ACTIONS
            ):
                return None
            recent.append(event)
            if isinstance(event, ActionExecuted):
                actions += 1
            elif isinstance(event, UserUttered) and actions >= states:
                break
        else:  # a conversation this short is Rasa's to replay
            return None
        recent.reverse()
        # no slots: none of them is part of a state (checked above), and copying
        # them into this tracker and its replay was a third of the work
        return DialogueStateTracker.from_events(tracker.sender_id, recent)
