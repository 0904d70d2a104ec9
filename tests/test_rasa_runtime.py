"""The speed fixes of bot/rasa_runtime.py behave exactly like Rasa's own code."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot import rasa_runtime

VALID = {
    "events": [{"event": "slot", "name": "last_topic", "value": "biopsy"}],
    "responses": [{"text": "hello", "buttons": [{"title": "Yes", "payload": "/feedback_helpful"}]}],
}
INVALID = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"events": [], "responses": "not a list"},
]


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_answer_faq", None)


def test_a_valid_action_response_passes_like_in_rasa(action):
    assert rasa_runtime.validate_action_result(action, VALID) is True
    assert rasa_runtime._rasa_validation(action, VALID) is True


@pytest.mark.parametrize("response", INVALID)
def test_an_invalid_action_response_fails_like_in_rasa(action, response):
    with pytest.raises(ValidationError) as rasa_error:
        rasa_runtime._rasa_validation(action, response)
    with pytest.raises(ValidationError) as ours:
        rasa_runtime.validate_action_result(action, response)
    assert str(ours.value.message) == str(rasa_error.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_event_classes_resolve_like_in_rasa():
    for cls in all_subclasses(Event):
        if getattr(cls, "type_name", None) and cls.type_name != "event":
            assert rasa_runtime.resolve_by_type(cls.type_name) is rasa_runtime._rasa_resolve_by_type(cls.type_name)
    assert rasa_runtime.resolve_by_type("user") is UserUttered
    assert rasa_runtime.resolve_by_type("slot") is SlotSet
    assert rasa_runtime.resolve_by_type("action") is ActionExecuted


def test_unknown_event_names_still_fail_or_default():
    with pytest.raises(ValueError, match="Unknown event name"):
        rasa_runtime.resolve_by_type("no_such_event")
    assert rasa_runtime.resolve_by_type("no_such_event", SlotSet) is SlotSet
    assert "no_such_event" not in rasa_runtime._event_classes
