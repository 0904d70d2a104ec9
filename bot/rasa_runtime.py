"""Runs Rasa's own command line (`python -m bot.rasa_runtime run ...`) with two
fixes for the pinned Rasa 3.6.21 that decide the assistant's speed.

Measured with pyinstrument on a full turn (NLU, policies, custom action):

- Rasa checks every action server response with `jsonschema.validate()`,
  which first re-validates the fixed response schema against the JSON Schema
  meta-schema; with the jsonschema 4.17 that Rasa pins, that was about 70% of
  a turn. Here the validator is built once; each response is still checked
  against the same schema, and an invalid one still fails with Rasa's error.
- Reading a conversation back from the tracker store looks up each event's
  class by walking every subclass of `Event`, once per event; here the answer
  is remembered per event name (unknown names still go to Rasa's lookup).

Behaviour is unchanged: tests/test_rasa_runtime.py checks both against Rasa's own."""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any, Dict, Optional, Type

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

_rasa_validation = RemoteAction._validate_action_result
_rasa_resolve_by_type = Event.resolve_by_type
_event_classes: Dict[str, Type[Event]] = {}


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    if exceptions.best_match(_response_validator().iter_errors(result)) is None:
        return True
    return _rasa_validation(self, result)  # raises Rasa's ValidationError with its hint


def resolve_by_type(type_name: str, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    known = _event_classes.get(type_name)
    if known is not None:
        return known
    found = _rasa_resolve_by_type(type_name, default)
    if found is not None and getattr(found, "type_name", None) == type_name:
        _event_classes[type_name] = found
    return found


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_by_type)


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.exit(main())
