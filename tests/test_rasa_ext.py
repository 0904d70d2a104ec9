"""bot/rasa_ext: the speed fixes behave exactly like Rasa's own code; the
apology comes when a real action server fails, and Rasa's rejection passes
through; every fix is installed by the process entry point and by the model's
pipeline; on another Rasa version nothing is installed and the error names the
fixes to re-verify; the tracker store pre-pings."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, List, Optional

import pytest
import yaml
from aiohttp import web
from jsonschema import ValidationError, validators
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.engine.caching import LocalTrainingCache
from rasa.engine.graph import ExecutionContext, GraphSchema, SchemaNode
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.training.hooks import TrainingHook
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AgentUttered,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    ReminderCancelled,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    SlotSet,
    StoryExported,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot import paths, servers
from bot.channels.output import apology, channel_language
from bot.knowledge import knowledge
from bot.paths import PROJECT
from bot.rasa_ext import patches
from bot.rasa_ext.tracker_store import PingingSQLTrackerStore, UjsonInMemoryTrackerStore
from bot.servers import free_port
from tests.conftest import post_json

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
    assert patches.validate_action_result(action, VALID) is True
    assert patches._rasa_validation(action, VALID) is True


@pytest.mark.parametrize("response", INVALID)
def test_an_invalid_action_response_fails_like_in_rasa(action, response):
    with pytest.raises(ValidationError) as rasa_error:
        patches._rasa_validation(action, response)
    with pytest.raises(ValidationError) as ours:
        patches.validate_action_result(action, response)
    assert str(ours.value.message) == str(rasa_error.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def every_kind_of_event() -> List[dict]:
    """One event of each kind an action server may send, as Rasa writes it."""
    return [
        event.as_dict()
        for event in [
            UserUttered("hi", {"name": "greet", "confidence": 0.9}, [{"entity": "drug", "value": "naproxen"}]),
            ActionExecuted("action_answer_faq", policy="RulePolicy", confidence=1.0),
            SlotSet("last_topic", "biopsy"),
            EntitiesAdded([{"entity": "body_site", "value": "jaw", "start": 0, "end": 3}]),
            DefinePrevUserUtteredFeaturization(False),
            ReminderScheduled("remind", datetime(2026, 1, 1)),
            ReminderCancelled(name="remind"),
            ActionExecutionRejected("action_answer_faq"),
            LoopInterrupted(True),
            ActiveLoop("form"),
            AllSlotsReset(),
            ConversationResumed(),
            ConversationPaused(),
            FollowupAction("action_listen"),
            StoryExported(),
            Restarted(),
            UserUtteranceReverted(),
            ActionReverted(),
            BotUttered("hello", {"buttons": [{"title": "Yes", "payload": "/feedback_helpful"}]}, {"utter": 1}),
            SessionStarted(),
            AgentUttered("hi"),
        ]
    ]


def spoilt(event: dict) -> List[dict]:
    """The event with each of its fields, in turn, of a wrong type (or missing),
    and with another kind's name."""
    wrong: List[Any] = [None, 7, "text", [1], {"x": 1}, True]
    variants = [{**event, field: value} for field in event for value in wrong]
    variants += [{k: v for k, v in event.items() if k != field} for field in event]
    return variants + [{**event, "event": "slot"}, {**event, "event": "no_such_event"}, {"event": event}]


def test_the_event_by_event_check_agrees_with_rasas_schema_check(action):
    """Every kind of event, and every way of spoiling one, gets the same
    verdict from the shortcut as from Rasa's whole schema."""
    schema = RemoteAction.action_response_format_spec()
    whole = validators.validator_for(schema)(schema)
    events = every_kind_of_event()
    assert len({event["event"] for event in events}) >= 20
    responses = [{"events": events, "responses": []}, VALID, *INVALID, {"events": [3]}, {}]
    responses += [{"events": [bad]} for event in events for bad in spoilt(event)]
    verdicts = [patches._valid(response) for response in responses]
    assert verdicts == [whole.is_valid(response) for response in responses]
    assert verdicts[0] and verdicts.count(False) > 100  # both verdicts occur, many times


def test_event_classes_resolve_like_in_rasa():
    for cls in all_subclasses(Event):
        if getattr(cls, "type_name", None) and cls.type_name != "event":
            assert patches.resolve_by_type(cls.type_name) is patches._rasa_resolve_by_type(cls.type_name)
    assert patches.resolve_by_type("user") is UserUttered
    assert patches.resolve_by_type("slot") is SlotSet
    assert patches.resolve_by_type("action") is ActionExecuted


def test_unknown_event_names_still_fail_or_default():
    with pytest.raises(ValueError, match="Unknown event name"):
        patches.resolve_by_type("no_such_event")
    assert patches.resolve_by_type("no_such_event", SlotSet) is SlotSet
    assert "no_such_event" not in patches._event_classes


# ---- the training cache -----------------------------------------------------------
class NotToFingerprint:
    """A node's input or output that fails the moment anyone fingerprints it."""

    def fingerprint(self) -> str:
        raise AssertionError("fingerprinted")


def training_hook(monkeypatch, tmp_path: Path, cache_mb: str) -> tuple:
    """Rasa's training hook on a real cache (in tmp_path), `cache_mb` large."""
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))
    monkeypatch.setenv("RASA_MAX_CACHE_SIZE", cache_mb)
    cache = LocalTrainingCache()
    node = SchemaNode(
        needs={"training_data": "__input__"},
        uses=CountVectorsFeaturizer,
        constructor_name="create",
        fn="process_training_data",
        config={},
    )
    schema = GraphSchema({"featurizer": node})
    hook = TrainingHook(cache=cache, model_storage=LocalModelStorage(tmp_path / "storage"), pruned_schema=schema)
    return hook, cache, ExecutionContext(graph_schema=schema, model_id="test")


def test_with_the_training_cache_off_nothing_is_fingerprinted(monkeypatch, tmp_path):
    hook, cache, context = training_hook(monkeypatch, tmp_path, "0")
    inputs = {"training_data": NotToFingerprint()}
    with pytest.raises(AssertionError, match="fingerprinted"):  # what Rasa does
        patches._rasa_before_node(hook, "featurizer", context, {}, inputs)
    with pytest.raises(AssertionError, match="fingerprinted"):
        patches._rasa_after_node(hook, "featurizer", context, {}, NotToFingerprint(), {"fingerprint_key": "k"})
    assert patches.fingerprint_inputs_if_cached(hook, "featurizer", context, {}, inputs) == {}
    patches.cache_output_if_cached(hook, "featurizer", context, {}, NotToFingerprint(), {})
    assert not (tmp_path / "cache").exists()


def test_with_the_training_cache_on_the_hook_does_what_rasa_does(monkeypatch, tmp_path):
    hook, cache, context = training_hook(monkeypatch, tmp_path, "1000")
    data = TrainingData([Message(data={"text": "is crmo hereditary", "intent": "genetics"})])
    ours = patches.fingerprint_inputs_if_cached(hook, "featurizer", context, {}, {"training_data": data})
    assert ours == patches._rasa_before_node(hook, "featurizer", context, {}, {"training_data": data})
    key = ours["fingerprint_key"]
    assert cache.get_cached_output_fingerprint(key) is None
    patches.cache_output_if_cached(hook, "featurizer", context, {}, data, ours)
    assert cache.get_cached_output_fingerprint(key) == data.fingerprint()


# ---- installation and the version guard ------------------------------------------
def run_python(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """A fresh interpreter: the test process itself is never patched."""
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=PROJECT, capture_output=True, text=True, timeout=timeout, check=False
    )


SPEED_FIXES_AGAINST_RASA = """
import asyncio, json, sys, threading
from rasa.core.agent import Agent
from rasa.core.processor import MessageProcessor
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted
from bot.rasa_ext import patches

agent = Agent.load(sys.argv[1])  # the model's pipeline installs the fixes
assert patches.installed()
texts = json.loads(sys.argv[2])
parsed_on = set()
graph_parse = MessageProcessor._parse_message_with_graph

def parse_and_note_the_thread(self, *args):
    parsed_on.add(threading.current_thread().name)
    return graph_parse(self, *args)

MessageProcessor._parse_message_with_graph = parse_and_note_the_thread

async def conversation(who):
    parses = [await agent.parse_message(text) for text in texts]
    for text in texts:  # no action server here: each custom action answers with the apology
        await agent.handle_text(text, sender_id=who)
    tracker = await agent.tracker_store.retrieve(who)
    actions = [(e.action_name, e.policy, e.confidence) for e in tracker.events if isinstance(e, ActionExecuted)]
    return parses, actions

async def loop_turns_during_a_parse():
    turns = 0
    async def other_work():
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0.0005)
    ticking = asyncio.create_task(other_work())
    await asyncio.sleep(0.01)
    before = turns
    await agent.parse_message(" ".join(texts * 4))
    ticking.cancel()
    return turns - before

ours = asyncio.run(conversation("fixed"))
our_threads, our_turns = set(parsed_on), asyncio.run(loop_turns_during_a_parse())
DaskGraphRunner.run = patches._rasa_graph_run
MessageProcessor.parse_message = patches._rasa_parse_message
parsed_on.clear()
theirs = asyncio.run(conversation("rasa"))
their_threads, their_turns = set(parsed_on), asyncio.run(loop_turns_during_a_parse())
print(json.dumps({
    "same": ours == theirs,
    "actions": [a[0] for a in ours[1]],
    "threads": [sorted(our_threads), sorted(their_threads)],
    "loop turns during a parse": [our_turns, their_turns],
}))
"""


def speed_fixes_against_rasa(model: Path) -> dict:
    """The real model, with the fixes and then with Rasa's own graph runner and
    parse, in a fresh process, on messages of every kind."""
    texts = [
        "what is crmo",
        "Ist CRMO ansteckend?",
        "my son has a fever of 40 and cannot walk",
        "how much naproxen should I give her",
        "/is_it_infectious",
        "asdfgh",
        "thanks, that helped",
    ]
    done = run_python(SPEED_FIXES_AGAINST_RASA, str(model), json.dumps(texts), timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def against_rasa(model: Path) -> dict:
    return speed_fixes_against_rasa(model)


def test_graphs_run_in_order_on_a_thread_give_what_rasa_gives(against_rasa: dict):
    """The NLU graph and the policy graph, run in order (the NLU one on the
    parse thread) and by Rasa: the same parses, and the same actions chosen by
    the same policies with the same confidence."""
    assert against_rasa["same"] is True
    predicted = [name for name in against_rasa["actions"] if name not in ("action_listen", "action_session_start")]
    assert len(predicted) >= 7  # the policies chose an action for every message
    assert {"action_answer_faq", "action_urgent_care", "action_personal_advice"} <= set(predicted), predicted


def test_a_message_is_parsed_on_the_worker_thread_while_the_loop_serves_others(against_rasa: dict):
    ours, rasas = against_rasa["threads"]
    assert ours == ["nlu-parse_0"] and rasas == ["MainThread"]
    during_ours, during_rasas = against_rasa["loop turns during a parse"]
    assert during_ours >= 3 and during_rasas <= 1, (during_ours, during_rasas)


def test_the_test_process_is_not_patched():
    assert not patches.installed()
    assert RemoteAction.run is patches._rasa_remote_run


def test_install_puts_every_fix_in_place_once():
    done = run_python(
        "from bot.rasa_ext import patches\n"
        "lines = []\n"
        "patches.install(lines.append); patches.install(lines.append)\n"
        "print(patches.installed(), len(lines))\n"
        "print(all(p.current() is p.wanted() for p in patches.PATCHES))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "1", "True"]


def test_another_rasa_version_is_refused_naming_the_fixes():
    with pytest.raises(patches.RasaVersionError) as error:
        patches.check_version("3.6.22")
    for patch in patches.PATCHES:
        assert patch.name in str(error.value)
    patches.check_version(patches.VERIFIED_ON)


def test_the_entry_point_stops_in_one_line_on_another_rasa_version():
    done = run_python(
        "import rasa; rasa.__version__ = '3.6.22'\n"
        "from bot.rasa_ext import runtime, patches\n"
        "try:\n    runtime.main()\nfinally:\n    print('installed', patches.installed())\n"
    )
    assert done.returncode == 1
    assert done.stdout.strip() == "installed False"
    last = done.stderr.strip().splitlines()[-1]  # above it: TensorFlow's start-up notes
    assert last.startswith("ERROR: bot/rasa_ext/patches.py was verified on Rasa 3.6.21, this is Rasa 3.6.22")
    assert "Traceback" not in done.stderr


# ---- the apology path, in-process with a real Rasa action and real HTTP -------------
async def run_action(url: str, events: Optional[List[Event]] = None) -> list:
    """The project's wrapper around a real RemoteAction, with the project's domain."""
    domain = Domain.load(str(paths.DOMAIN))
    tracker = DialogueStateTracker.from_events("family", events or [UserUttered("what is crmo?")], domain.slots)
    action = RemoteAction("action_answer_faq", EndpointConfig(url))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return await patches.run_remote_action(action, CollectingOutputChannel(), nlg, tracker, domain)


def test_an_unreachable_action_server_gives_the_apology():
    events = asyncio.run(run_action(f"http://127.0.0.1:{free_port()}/webhook"))
    assert len(events) == 1 and isinstance(events[0], BotUttered)
    assert events[0].text == apology("action_unavailable")["text"]


GERMAN_MESSAGE = UserUttered(
    "Ist CRMO ansteckend?",
    parse_data={"intent": {"name": "is_it_infectious"}, "entities": [{"entity": "reply_language", "value": "de"}]},
)
GERMAN_BUTTON = UserUttered("/is_it_infectious", parse_data={"intent": {"name": "is_it_infectious"}, "entities": []})


@pytest.mark.parametrize(
    "events",
    [
        [GERMAN_MESSAGE],  # the message's own language
        [SlotSet("reply_language", "de"), GERMAN_BUTTON],  # a button press: the conversation's
        # the channel's
        [UserUttered("/is_it_infectious", parse_data={"entities": []}, metadata={"language": "de-AT"})],
    ],
)
def test_the_apology_is_in_the_conversations_language(events):
    sent = asyncio.run(run_action(f"http://127.0.0.1:{free_port()}/webhook", events))
    assert sent[0].text == apology("action_unavailable", "de")["text"]
    assert sent[0].text.startswith(knowledge("de").messages["action_unavailable"])


def test_a_message_that_was_not_processed_is_answered_in_its_channels_language(monkeypatch):
    assert channel_language({"language": "de-CH"}) == "de"
    assert channel_language({"language": "fr"}) == channel_language(None) == "en"
    monkeypatch.setenv("CRMO_LANGUAGE", "de")
    assert channel_language({}) == "de"


# what Rasa sends an action server, in short: text with "/" and letters beyond ASCII, numbers
ACTION_CALL = {"next_action": "x", "tracker": {"latest_message": {"text": "Füße? https://a.org/b", "c": 0.1 + 0.2}}}


async def five_calls(port: int) -> list:
    """Five calls of Rasa's EndpointConfig.request to a small server, which
    notes each call's connection, the headers and the JSON that came."""
    calls: list = []
    bodies: list = []

    async def webhook(request: web.Request) -> web.Response:
        peer = tuple(request.transport.get_extra_info("peername")) if request.transport else None
        calls.append((peer, request.headers.get("Authorization"), request.headers.get("X-Project")))
        bodies.append(await request.json())
        return web.json_response({"events": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    endpoint = EndpointConfig(
        f"http://127.0.0.1:{port}/webhook", headers={"X-Project": "crmo"}, basic_auth={"username": "u", "password": "p"}
    )
    try:
        for _ in range(5):
            assert await endpoint.request(json=ACTION_CALL) == {"events": []}
    finally:
        if asyncio.get_running_loop() in patches._connections:
            await patches._connections[asyncio.get_running_loop()].close()
        await runner.cleanup()
    assert bodies == [ACTION_CALL] * 5
    return calls


def test_calls_to_the_action_server_keep_one_connection_with_rasas_settings(monkeypatch):
    """Rasa's own session opens a connection per call; the fix's sessions
    share one kept-alive connection, with the endpoint's headers and basic
    authentication as Rasa sends them."""
    theirs = asyncio.run(five_calls(free_port()))
    monkeypatch.setattr(EndpointConfig, "session", patches.session_on_kept_connections)
    ours = asyncio.run(five_calls(free_port()))
    assert len({peer for peer, _, _ in theirs}) == 5 and len({peer for peer, _, _ in ours}) == 1
    assert {call[1:] for call in ours} == {call[1:] for call in theirs} == {("Basic dTpw", "crmo")}


def test_the_in_memory_store_keeps_the_json_rasa_writes_and_reads_it_back():
    """The conversation is kept as ujson writes it: the same JSON as the
    standard library's (letters beyond ASCII, "/", confidences to the last
    digit), and Rasa reads the same events back."""
    parse = {"intent": {"name": "symptoms", "confidence": 0.1 + 0.2}, "entities": [], "text": "Füße / Zehen taub?"}
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(parse["text"], parse["intent"], [], parse),
        BotUttered("Quelle: https://pubmed.ncbi.nlm.nih.gov/1/ – Ärztin", {"buttons": []}),
    ]
    tracker = DialogueStateTracker.from_events("family-ü", events)
    store = UjsonInMemoryTrackerStore(Domain.empty())
    asyncio.run(store.save(tracker))
    assert json.loads(store.store["family-ü"]) == json.loads(InMemoryTrackerStore.serialise_tracker(tracker))
    assert "Füße" in store.store["family-ü"]
    assert asyncio.run(store.retrieve("family-ü")).events == tracker.events


def test_a_domain_works_out_whether_it_is_empty_once(monkeypatch):
    """The answer is Rasa's, for an empty domain and the project's, and the
    second question is answered from memory."""
    domains = [Domain.empty(), Domain.load(PROJECT / "domain.yml")]
    rasas = [patches._rasa_is_empty(d) for d in domains]
    assert [patches.domain_is_empty(d) for d in domains] == rasas == [True, False]

    def not_again(domain: Domain) -> bool:
        raise AssertionError("worked out again")

    monkeypatch.setattr(patches, "_rasa_is_empty", not_again)
    assert [patches.domain_is_empty(d) for d in domains] == [True, False]


def test_rasas_rejection_of_an_action_passes_through():
    """An action server that answers 400 with an action name rejects the action
    (rasa-sdk's ActionExecutionRejection): Rasa must hear it, not an apology."""

    async def scenario() -> None:
        async def reject(request: web.Request) -> web.Response:
            return web.json_response({"action_name": "action_answer_faq", "error": "not now"}, status=400)

        app = web.Application()
        app.router.add_post("/webhook", reject)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            with pytest.raises(ActionExecutionRejection):
                await run_action(f"http://127.0.0.1:{port}/webhook")
        finally:
            await runner.cleanup()

    asyncio.run(scenario())


# ---- the tracker store -----------------------------------------------------------
def test_the_tracker_store_checks_connections_before_use(tmp_path: Path):
    store = PingingSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "rasa.db"))
    assert store.engine.pool._pre_ping is True
    assert isinstance(store, SQLTrackerStore)


def test_the_production_profile_names_the_project_stores():
    endpoints = yaml.safe_load(paths.PROD_ENDPOINTS.read_text())
    assert endpoints["tracker_store"]["type"] == "bot.rasa_ext.tracker_store.PingingSQLTrackerStore"
    assert endpoints["lock_store"]["type"] == "bot.rasa_ext.lock_store.AtomicRedisLockStore"


# ---- in the served process ---------------------------------------------------------
FIXES_LINE = "Rasa 3.6.21 fixes installed: " + "; ".join(p.name for p in patches.PATCHES)


def test_the_project_server_logs_every_fix_installed(live_bot):
    rasa, _ = live_bot
    assert FIXES_LINE in rasa.log.read_text()


def thread_cpu_seconds(pid: int) -> dict:
    """CPU time (user + system) of each thread of a process, by thread id."""
    times = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        times[tid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return times


def test_the_served_process_answers_on_two_threads_only(live_bot):
    """With numpy's BLAS left on two threads, a third thread spun after every
    parse (10-18 ms of CPU a message, measured); now only the event loop and
    the parse thread work while questions are answered."""
    rasa, _ = live_bot
    url = f"{rasa.url}/webhooks/rest/webhook"
    post_json(url, {"sender": "threads-warm-up", "message": "what is crmo"})
    before = thread_cpu_seconds(rasa.process.pid)
    questions = 60
    for n in range(questions):
        status, _ = post_json(url, {"sender": f"threads-{n // 6}", "message": "which bones does crmo affect"})
        assert status == 200
    after = thread_cpu_seconds(rasa.process.pid)
    used = sorted((after[tid] - before.get(tid, 0.0) for tid in after), reverse=True)
    assert used[1] > 0.001 * questions, used  # the parse thread works...
    assert sum(used[2:]) < 0.001 * questions, used  # ...and no third thread does


def test_plain_rasa_commands_in_the_project_folder_work_with_the_fixes(model: Path, tmp_path: Path):
    """`rasa run actions` and `rasa run`, typed as Rasa's documentation teaches
    (default credentials.yml and endpoints.yml, no environment set): the server
    starts, says the fixes are installed, and answers a question through REST."""
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", 5055)) != 0, "port 5055 (endpoints.yml's action server) is taken"
    environ = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    rasa_bin = Path(sys.executable).parent / "rasa"
    actions_log, rasa_log = tmp_path / "actions.log", tmp_path / "rasa.log"
    with open(actions_log, "w") as out:
        actions = servers.Server(
            "rasa run actions",
            subprocess.Popen([str(rasa_bin), "run", "actions"], cwd=PROJECT, env=environ, stdout=out, stderr=out),
            5055,
            actions_log,
        )
    port = free_port()
    with open(rasa_log, "w") as out:
        command = [str(rasa_bin), "run", "--model", str(model), "--port", str(port)]
        rasa = servers.Server(
            "rasa run", subprocess.Popen(command, cwd=PROJECT, env=environ, stdout=out, stderr=out), port, rasa_log
        )
    try:
        servers.wait_until_up(actions, "/health", 90)
        servers.wait_until_up(rasa, "/", 180)
        question = {"sender": "plain-rasa", "message": "what is crmo"}
        status, body = post_json(f"{rasa.url}/webhooks/rest/webhook", question)
        assert status == 200
        texts = " ".join(m.get("text", "") for m in body)
        assert "inflammat" in texts.lower(), texts
        assert FIXES_LINE in rasa_log.read_text()
        assert "Traceback" not in rasa_log.read_text()
    finally:
        rasa.stop()
        actions.stop()
