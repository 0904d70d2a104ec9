"""Runs Rasa's own command line (`python -m bot.rasa_runtime run ...`) with
three fixes for the pinned Rasa 3.6.21, and the shell's channel replaced by
one that shows citations as plain text with full URLs (bot/channels/rest.py).

When the action server cannot be reached or fails, Rasa logs the error and
sends nothing: a parent would be left with silence. Here the user gets a plain
apology and the consult urge instead, and the next message tries again.

Two more decide the assistant's speed.
Measured with pyinstrument on a full turn (NLU, policies, custom action):

- Rasa checks every action server response with `jsonschema.validate()`,
  which first re-validates the fixed response schema against the JSON Schema
  meta-schema; with the jsonschema 4.17 that Rasa pins, that was about 70% of
  a turn. Here the validator is built once; each response is still checked
  against the same schema, and an invalid one still fails with Rasa's error.
- Reading a conversation back from the tracker store looks up each event's
  class by walking every subclass of `Event`, once per event; here the answer
  is remembered per event name (unknown names still go to Rasa's lookup).

Both behave as Rasa's own code does: tests/test_rasa_runtime.py checks them.

The SQL tracker store's connections are checked before use (SQLAlchemy's
`pool_pre_ping`): after a PostgreSQL restart, Rasa would otherwise fail the
next message on each pooled connection that the restart closed.
tests/test_action_server_down.py checks the apology with real servers."""

from __future__ import annotations

import logging
import sys
from functools import lru_cache
from typing import Any, Dict, Optional, Type

from jsonschema import exceptions, validators
from rasa.core import tracker_store
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.core.channels import BUILTIN_CHANNELS
from rasa.shared.core.events import Event

from bot.channels.output import apology
from bot.channels.rest import ShellInput

logger = logging.getLogger(__name__)
_rasa_remote_run = RemoteAction.run

_rasa_validation = RemoteAction._validate_action_result
_rasa_resolve_by_type = Event.resolve_by_type
_event_classes: Dict[str, Type[Event]] = {}
_rasa_engine_kwargs = tracker_store.create_engine_kwargs


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


def engine_kwargs(url: Any) -> Dict[str, Any]:
    return {**_rasa_engine_kwargs(url), "pool_pre_ping": True}


async def run_remote_action(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
    try:
        return await _rasa_remote_run(self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise
    except Exception:
        logger.exception(f"Custom action '{self.name()}' failed; the user gets an apology instead.")
        return [create_bot_utterance(apology("action_unavailable"))]


def install() -> None:
    BUILTIN_CHANNELS[ShellInput.name()] = ShellInput
    RemoteAction.run = run_remote_action
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_by_type)
    tracker_store.create_engine_kwargs = engine_kwargs


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.exit(main())
