"""The project's fixes to the pinned Rasa 3.6.21, in one table, installed only
on that version.

When the action server cannot be reached or fails, Rasa logs the error and
sends nothing: a parent would be left with silence. Here the user gets a plain
apology and the consult urge instead, and the next message tries again.

Six more decide the assistant's speed, each found by profiling a full turn
(NLU, policies, custom action: pyinstrument, then py-spy on the running servers):

- Rasa checks every action server response with `jsonschema.validate()`,
  which first re-validates the fixed response schema against the JSON Schema
  meta-schema; with the jsonschema 4.17 that Rasa pins, that was about 70% of
  a turn. Here the validators are built once, and each event of a response
  is checked against its own kind's part of the schema: the schema says
  "exactly one of" 23 kinds, each fixed by the event's name, so the other 22
  can only fail (checking them all took 1.5-2 ms of each turn). A response
  with anything the shortcut cannot place, or anything invalid, goes to
  Rasa's own check, which fails with Rasa's error.
- Reading a conversation back from the tracker store looks up each event's
  class by walking every subclass of `Event`, once per event; here the answer
  is remembered per event name (unknown names still go to Rasa's lookup).
- Rasa runs each graph (the NLU pipeline for every message, the policies
  for every action) through dask's synchronous scheduler, which works out
  the graph's minimal form and order anew on every run: 1.3 ms of each
  parse. Here the order is worked out once per set of targets and the nodes
  run one after another, each given what it needs, as dask does.
- Rasa opens a new connection for every call to the action server (a new
  client session each time, closed after it): half of a call's 1.4 ms. Here
  the sessions of each event loop share one pool of kept-alive connections
  (the sessions are still Rasa's: its headers, authentication and timeout).
- Rasa checks for every message whether the domain is empty by writing out
  the whole domain and an empty one and comparing them (0.25 ms); here each
  domain remembers the answer.
- Rasa parses a message on the server's event loop: for the 8-10 ms of a
  parse (half of it the sentence-embedding model, which releases the GIL)
  the server can do nothing else for anyone. Here the parse runs on one
  worker thread, so the loop keeps serving other conversations (their
  policies, trackers and HTTP) meanwhile; parses still run one at a time, as
  before, so the pipeline's components are never used by two threads at once.

One decides how long training takes: Rasa's training hook fingerprints every
node's output (every training message with all its features, the sparse ones
written out as text) for its training cache, and did so even with the cache
turned off (`RASA_MAX_CACHE_SIZE=0`), where nothing is stored or read: a
fifth of the profile of a training here. With the cache off, the hook now
skips that work; with it on, it does what Rasa does. `python -m bot train`
always trains in full (`--force`, so the cache is never read), and turns the
cache off.

And `rasa shell`'s channel is replaced by one that shows citations as plain
text with full URLs (bot/channels/rest.py).

Each fix replaces a private detail of Rasa, so each was checked against 3.6.21
only: on another version `install()` stops and names the fixes to re-verify
(tests/test_rasa_ext.py checks them against Rasa's own code). Everything that
Rasa lets a project configure instead (the lock store, the tracker store's
connection check) is a class in this package, not a patch."""

from __future__ import annotations

import asyncio
import copy
import logging
import sys
import weakref
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple, Type

import aiohttp
import rasa
from jsonschema import validators
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.core.channels import BUILTIN_CHANNELS
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.processor import MessageProcessor, structlogger
from rasa.engine.caching import LocalTrainingCache
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.training.hooks import TrainingHook
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import settings
from bot.channels.output import apology
from bot.channels.rest import ShellInput
from bot.knowledge import turn_language
from bot.nlu import REPLY_LANGUAGE
from bot.rasa_ext.tracker_store import ujson_dumps

logger = logging.getLogger(__name__)

VERIFIED_ON = "3.6.21"

# Rasa's originals, saved at import: a renamed target fails here, loudly.
_rasa_remote_run = RemoteAction.run
_rasa_validation = RemoteAction._validate_action_result
_rasa_resolve_by_type = Event.resolve_by_type
_rasa_graph_run = DaskGraphRunner.run
_rasa_parse_message = MessageProcessor.parse_message
_rasa_before_node = TrainingHook.on_before_node
_rasa_after_node = TrainingHook.on_after_node
_rasa_session = EndpointConfig.session
_rasa_is_empty = Domain.is_empty
# One thread: parses run one after another, as on the loop, never two at once.
_parser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu-parse")
_event_classes: Dict[str, Type[Event]] = {}
# One pool of kept-alive connections per event loop (a pool belongs to its loop).
# A connection idle this long is closed by this side, well before the action
# server (Sanic: after 5 s) would close it under a request about to be sent.
IDLE_CONNECTION_SECONDS = 2.0
_connections: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.TCPConnector] = weakref.WeakKeyDictionary()


class RasaVersionError(RuntimeError):
    """The installed Rasa is not the one the fixes were checked on."""


def _validator(schema: Dict[str, Any]) -> Any:
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@lru_cache(maxsize=1)
def _response_schema() -> Dict[str, Any]:
    return RemoteAction.action_response_format_spec()


@lru_cache(maxsize=1)
def _envelope_validator() -> Any:
    """The response schema with any object allowed as an event."""
    schema = copy.deepcopy(_response_schema())
    schema["properties"]["events"]["items"] = {"type": "object"}
    return _validator(schema)


@lru_cache(maxsize=64)  # 23 kinds of event; a bound all the same
def _event_validator(name: str) -> Optional[Any]:
    """The event schema with only the kinds whose `event` is `name` (None
    when no kind is fixed to it): every other kind's `const` rejects it."""
    schema = copy.deepcopy(_response_schema()["properties"]["events"]["items"])
    kinds = [kind for kind in schema["oneOf"] if kind.get("properties", {}).get("event", {}).get("const") == name]
    unfixed = [kind for kind in schema["oneOf"] if "const" not in kind.get("properties", {}).get("event", {})]
    if not kinds or unfixed:
        return None
    schema["oneOf"] = kinds
    return _validator(schema)


def _valid(result: Any) -> bool:
    """Whether Rasa's schema accepts `result`, checked event by event."""
    if not _envelope_validator().is_valid(result):
        return False
    for event in result.get("events") or []:
        validator = _event_validator(event["event"]) if isinstance(event.get("event"), str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    if _valid(result):
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


async def run_remote_action(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
    try:
        return await _rasa_remote_run(self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise  # Rasa's own signal to try another action
    except Exception:
        logger.exception(f"Custom action '{self.name()}' failed; the user gets an apology instead.")
        return [create_bot_utterance(apology("action_unavailable", conversation_language(tracker)))]


def session_on_kept_connections(self: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's session for the endpoint, on its event loop's shared connections
    (outside a running loop, Rasa's own)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return _rasa_session(self)
    connections = _connections.get(loop)
    if connections is None or connections.closed:
        connections = _connections[loop] = aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS)
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=connections,
        connector_owner=False,  # closing the session leaves the connections open
        json_serialize=ujson_dumps,  # the conversation sent to the action server, in half the time
    )


def domain_is_empty(self: Domain) -> bool:
    """Rasa's answer, remembered on the domain. Rasa asks it for every message
    (before warning about intents the domain lacks) and answers by writing out
    the whole domain, responses and all, and an empty one, to compare them:
    0.25 ms a message. A domain is not changed once built."""
    known = self.__dict__.get("_is_empty")
    if known is None:
        known = self.__dict__["_is_empty"] = _rasa_is_empty(self)
    return known


def _run_order(runner: DaskGraphRunner, targets: Tuple[str, ...]) -> List[str]:
    """The nodes the targets need, each after what it needs (remembered per runner)."""
    orders: Dict[Tuple[str, ...], List[str]] = runner.__dict__.setdefault("_run_orders", {})
    if targets not in orders:
        nodes = runner._graph_schema.nodes
        order: List[str] = []

        def visit(name: str) -> None:
            if name in order or name not in nodes:  # not a node: an input placeholder
                return
            for needed in nodes[name].needs.values():
                visit(needed)
            order.append(name)

        for target in targets:
            visit(target)
        orders[targets] = order
    return orders[targets]


def run_graph_in_order(
    self: DaskGraphRunner, inputs: Optional[Dict[str, Any]] = None, targets: Optional[List[str]] = None
) -> Dict[str, Any]:
    run_targets = targets if targets else self._graph_schema.target_names
    order = _run_order(self, tuple(run_targets))
    results: Dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in order:
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input "
                f"names passed to the `run` method are the same as node names in the graph schema."
            )
        results[name] = (name, value)
    try:
        for name in order:
            if name not in results:  # an input given for a node replaces it, as in dask
                node = self._instantiated_nodes[name]
                # a need nobody provided comes as its name, which the node reports (dask does the same)
                results[name] = node(
                    *(results.get(need, need) for need in self._graph_schema.nodes[name].needs.values())
                )
        return dict(results[target] for target in run_targets)
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error


def _cache_is_off(hook: TrainingHook) -> bool:
    cache = hook._cache
    return isinstance(cache, LocalTrainingCache) and cache._is_disabled()


def fingerprint_inputs_if_cached(
    self: TrainingHook,
    node_name: str,
    execution_context: ExecutionContext,
    config: Dict[str, Any],
    received_inputs: Dict[str, Any],
) -> Dict:
    if _cache_is_off(self):
        return {}
    return _rasa_before_node(self, node_name, execution_context, config, received_inputs)


def cache_output_if_cached(
    self: TrainingHook,
    node_name: str,
    execution_context: ExecutionContext,
    config: Dict[str, Any],
    output: Any,
    input_hook_data: Dict,
) -> None:
    if _cache_is_off(self):
        return None
    return _rasa_after_node(self, node_name, execution_context, config, output, input_hook_data)


async def parse_message_on_a_thread(
    self: MessageProcessor,
    message: Any,
    tracker: Optional[DialogueStateTracker] = None,
    only_output_properties: bool = True,
) -> Dict[str, Any]:
    if self.http_interpreter:  # an NLU server does the parsing: nothing runs here
        return await _rasa_parse_message(self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    parse_data = await asyncio.get_running_loop().run_in_executor(
        _parser, self._parse_message_with_graph, message, tracker, only_output_properties
    )
    # what Rasa's parse_message does after the graph (its debug line too, for `rasa run --debug`)
    self._update_full_retrieval_intent(parse_data)
    structlogger.debug(
        "processor.message.parse",
        parse_data_text=parse_data["text"],
        parse_data_intent=parse_data["intent"],
        parse_data_entities=copy.deepcopy(parse_data["entities"]),
    )
    self._check_for_unseen_features(parse_data)
    return parse_data


def conversation_language(tracker: Any) -> str:
    """The language the action server would have answered in (actions/language.py),
    read from Rasa's own tracker: the message's, its channel's, the conversation's,
    else the deployment's."""
    latest = tracker.latest_message
    parse_data = (getattr(latest, "parse_data", None) or {}) if latest else {}
    metadata = (getattr(latest, "metadata", None) or {}) if latest else {}
    marked = [e.get("value") for e in parse_data.get("entities") or [] if e.get("entity") == REPLY_LANGUAGE]
    return turn_language(
        marked, metadata.get("language"), tracker.get_slot(REPLY_LANGUAGE), settings.default_language()
    )


class Patch(NamedTuple):
    """One fix: `owner.attribute` becomes `replacement`."""

    name: str
    owner: Any
    attribute: str
    replacement: Any

    def current(self) -> Any:
        return self.owner.get(self.attribute) if isinstance(self.owner, dict) else getattr(self.owner, self.attribute)

    def wanted(self) -> Any:
        """What `current()` returns once installed (a staticmethod reads back as its function)."""
        return self.replacement.__func__ if isinstance(self.replacement, staticmethod) else self.replacement

    def apply(self) -> None:
        if isinstance(self.owner, dict):
            self.owner[self.attribute] = self.replacement
        else:
            setattr(self.owner, self.attribute, self.replacement)


PATCHES: List[Patch] = [
    Patch("apology when a custom action fails", RemoteAction, "run", run_remote_action),
    Patch(
        "action responses validated event by event",
        RemoteAction,
        "_validate_action_result",
        validate_action_result,
    ),
    Patch("event classes looked up once per name", Event, "resolve_by_type", staticmethod(resolve_by_type)),
    Patch("graphs run in a fixed order without dask", DaskGraphRunner, "run", run_graph_in_order),
    Patch("messages parsed on a worker thread", MessageProcessor, "parse_message", parse_message_on_a_thread),
    Patch("connections to the action server kept open", EndpointConfig, "session", session_on_kept_connections),
    Patch("the domain's emptiness worked out once", Domain, "is_empty", domain_is_empty),
    Patch("training cache off: no input fingerprints", TrainingHook, "on_before_node", fingerprint_inputs_if_cached),
    Patch("training cache off: no output fingerprints", TrainingHook, "on_after_node", cache_output_if_cached),
    Patch("`rasa shell` shows citations as plain text", BUILTIN_CHANNELS, ShellInput.name(), ShellInput),
]


def check_version(version: Optional[str] = None) -> None:
    version = version or rasa.__version__
    if version != VERIFIED_ON:
        names = "; ".join(patch.name for patch in PATCHES)
        raise RasaVersionError(
            f"bot/rasa_ext/patches.py was verified on Rasa {VERIFIED_ON}, this is Rasa {version}. "
            f"Re-verify these fixes against the new Rasa code ({names}), run tests/test_rasa_ext.py, "
            "then update VERIFIED_ON."
        )


def installed() -> bool:
    return all(patch.current() is patch.wanted() for patch in PATCHES)


def _to_stderr(line: str) -> None:
    """Rasa shows only its own loggers' INFO lines, so this one line is printed."""
    print(line, file=sys.stderr, flush=True)


def install(on_install: Callable[[str], None] = _to_stderr) -> None:
    """Installs every fix once per process; `on_install` hears which (the
    server's log then names them, and the live tests read that line)."""
    if installed():
        return
    check_version()
    for patch in PATCHES:
        patch.apply()
    on_install(f"Rasa {VERIFIED_ON} fixes installed: " + "; ".join(patch.name for patch in PATCHES))
