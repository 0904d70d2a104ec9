"""The production profile with the real services: two Rasa servers sharing a
PostgreSQL tracker store and a Redis lock store, one action server; then the
faults a deployment meets (a server, PostgreSQL, Redis or the action server
going away) and what a family sees meanwhile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Optional

import jwt
import pytest

from bot import paths, servers
from bot.knowledge import knowledge
from devtools.cluster import running_cluster
from tests.conftest import ARTIFACTS, SLACK_SECRET, post, post_json
from tests.test_slack import message_event, replies_to, signed, wait_for_replies

API_TOKEN = "test-api-token"
JWT_KEY = "test-jwt-key-for-the-widget-channel-only"  # 32+ bytes, as HS256 wants
FIRST_SOURCES = ("34202154", "29080202", "10.1007/s11926-020-00928-1")  # what_is_crmo's sources
PRIVATE = "zebrafinch"  # a word that only the tests' messages contain


@pytest.fixture(scope="module")
def cluster(model: Path, postgres, redis, prod_env, slack_api):
    env = {
        "CRMO_API_TOKEN": API_TOKEN,
        "CRMO_WEB_JWT_KEY": JWT_KEY,
        "SLACK_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_API_URL": f"{slack_api.url}/api/",
        "SLACK_EVENTS_REDIS_URL": f"redis://:{redis.password}@{redis.host}:{redis.port}/0",
    }
    store = {**prod_env, **postgres.create_database("cluster")}
    with running_cluster(model, store, count=2, log_dir=ARTIFACTS / "cluster", env=env) as running:
        yield running


def say(server: servers.Server, sender: str, text: str) -> List[str]:
    status, messages = post_json(f"{server.url}/webhooks/rest/webhook", {"sender": sender, "message": text})
    assert status == 200, messages
    return [m.get("text", "") for m in messages]


def tracker(server: servers.Server, sender: str) -> dict:
    url = f"{server.url}/conversations/{sender}/tracker?token={API_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def test_a_follow_up_on_the_other_server_cites_the_first_answer(cluster):
    a, b = cluster.rasa
    sender = uuid.uuid4().hex
    assert any("osteomyelitis" in t for t in say(a, sender, "what is crmo"))
    cited = "\n".join(say(b, sender, "where is that from?"))
    assert all(source in cited for source in FIRST_SOURCES)


def test_one_senders_messages_to_both_servers_are_handled_one_at_a_time(cluster):
    a, b = cluster.rasa
    sender = uuid.uuid4().hex
    texts = [f"is crmo contagious {n} {PRIVATE}" for n in range(12)]
    with ThreadPoolExecutor(len(texts)) as pool:
        replies = list(pool.map(lambda n: say((a, b)[n % 2], sender, texts[n]), range(len(texts))))
    consult = knowledge().messages["consult"]
    assert all(any(consult in t for t in reply) for reply in replies)

    events = tracker(a, sender)["events"]
    said = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(said) == sorted(texts)  # none lost, none twice
    # Each message's turn ends (action_listen) before the next message starts.
    for index, event in enumerate(events):
        if event["event"] == "user" and index > 0:
            before = [e for e in events[:index] if e["event"] == "action"][-1]
            assert before["name"] == "action_listen", events[index - 3 : index + 1]
    answers = [e for e in events if e["event"] == "bot" and consult in (e.get("text") or "")]
    assert len(answers) == len(texts)
    assert [e.get("text") for e in events].count(knowledge().messages["disclaimer"]) == 1


def test_the_history_survives_a_server_restart(cluster):
    sender = uuid.uuid4().hex
    say(cluster.rasa[0], sender, "what is crmo")
    restarted = cluster.restart(0)
    cited = "\n".join(say(restarted, sender, "where is that from?"))
    assert all(source in cited for source in FIRST_SOURCES)
    assert [e["text"] for e in tracker(restarted, sender)["events"] if e["event"] == "user"] == [
        "what is crmo",
        "where is that from?",
    ]


def test_a_postgresql_restart_is_survived(cluster, postgres):
    sender = uuid.uuid4().hex
    say(cluster.rasa[0], sender, "what is crmo")
    postgres.stop()
    postgres.start()
    for server in cluster.rasa:  # both servers' pooled connections were cut
        cited = "\n".join(say(server, sender, "where is that from?"))
        assert all(source in cited for source in FIRST_SOURCES)


def test_a_message_while_redis_is_down_gets_an_error_reply(cluster, redis):
    sender = uuid.uuid4().hex
    redis.stop()
    try:
        reply = "\n".join(say(cluster.rasa[1], sender, "what is crmo"))
        status, german = post_json(
            f"{cluster.rasa[1].url}/webhooks/rest/webhook",
            {"sender": sender, "message": "Was ist CRMO?", "metadata": {"language": "de"}},
        )
    finally:
        redis.start()
    assert knowledge().messages["message_not_processed"] in reply
    assert status == 200 and knowledge("de").messages["message_not_processed"] in german[0]["text"]
    assert "doctor" in reply.splitlines()[-1]
    assert any("osteomyelitis" in t for t in say(cluster.rasa[1], sender, "what is crmo"))


def test_with_the_action_server_down_families_get_an_apology_then_answers_again(cluster):
    sender = uuid.uuid4().hex
    port = cluster.actions.port
    cluster.actions.stop()
    try:
        reply = "\n".join(say(cluster.rasa[0], sender, "what is crmo"))
    finally:
        cluster.actions = servers.start_action_server(port, cluster.logs / "action-server-2.log", env=cluster.env)
    assert knowledge().messages["action_unavailable"] in reply and "doctor" in reply
    assert any("osteomyelitis" in t for t in say(cluster.rasa[0], sender, "what is crmo"))


def test_a_slack_retry_reaching_the_other_server_is_not_answered_again(cluster, slack_api):
    a, b = cluster.rasa
    user = f"U{uuid.uuid4().hex[:8].upper()}"
    body = message_event("is it contagious", user)
    headers = {"Content-Type": "application/json"}
    assert post(f"{a.url}/webhooks/slack/webhook", body, {**headers, **signed(body)})[0] == 200
    answered = len(wait_for_replies(slack_api, f"D{user}", 2))
    retry = {**headers, **signed(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert post(f"{b.url}/webhooks/slack/webhook", body, retry)[0] == 200
    later = message_event("thanks", user)  # answered after anything queued before it
    assert post(f"{b.url}/webhooks/slack/webhook", later, {**headers, **signed(later)})[0] == 200
    wait_for_replies(slack_api, f"D{user}", answered + 1)
    time.sleep(0.5)
    texts = [c.body.get("text", "") for c in replies_to(slack_api, f"D{user}") if "blocks" in c.body]
    assert sum("infection" in t.lower() for t in texts) == 1, texts


def test_the_http_api_needs_the_token(cluster):
    url = f"{cluster.rasa[0].url}/conversations/{uuid.uuid4().hex}/tracker"
    for attempt in (url, f"{url}?token=wrong"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(attempt, timeout=10)
        assert refused.value.code == 401


def test_the_http_api_is_off_unless_asked_for(live_bot):
    rasa, _ = live_bot
    for path in ("/conversations/someone/tracker", "/status", "/model/parse"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{rasa.url}{path}", timeout=10)
        assert missing.value.code in (404, 405)


def test_the_rest_webhook_sends_no_cors_grant_to_other_sites(live_bot):
    rasa, _ = live_bot
    request = urllib.request.Request(
        f"{rasa.url}/webhooks/rest/webhook",
        method="OPTIONS",
        headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "Access-Control-Allow-Origin" not in response.headers


def _socket_connect(url: str, auth: Optional[dict]) -> str:
    """Engine.IO long-polling by hand: open a session, ask to join the default
    namespace, read the answer ("40..." admitted, "44..." refused)."""
    opened = urllib.request.urlopen(f"{url}/socket.io/?EIO=4&transport=polling", timeout=10).read().decode()
    session = json.loads(opened[1:])["sid"]
    endpoint = f"{url}/socket.io/?EIO=4&transport=polling&sid={session}"
    packet = "40" + (json.dumps(auth) if auth else "")
    urllib.request.urlopen(urllib.request.Request(endpoint, data=packet.encode()), timeout=10).read()
    return urllib.request.urlopen(endpoint, timeout=10).read().decode()


def test_the_widget_channel_can_require_a_jwt(cluster):
    url = cluster.rasa[0].url
    other_key = "another-key-of-the-same-length-for-hs256"
    assert _socket_connect(url, None).startswith("44")
    assert _socket_connect(url, {"token": jwt.encode({"sub": "x"}, other_key, algorithm="HS256")}).startswith("44")
    assert _socket_connect(url, {"token": jwt.encode({"sub": "x"}, JWT_KEY, algorithm="HS256")}).startswith("40")


def test_info_logs_hold_no_message_text(cluster):
    logs = [*cluster.logs.glob("*.log")]
    assert len(logs) >= 3
    for log in logs:
        assert PRIVATE not in log.read_text(errors="replace"), log


def test_the_curators_report_lists_what_families_asked_through_the_servers(cluster):
    """Conversations made through the live servers, read back from PostgreSQL."""
    a, b = cluster.rasa
    messages = knowledge().messages
    sender = uuid.uuid4().hex
    not_understood = "qwxz plorb vrrk"
    assert any(messages["fallback"] in t for t in say(a, sender, not_understood))
    unrelated = "give me a recipe for lasagne"
    assert any(messages["out_of_scope"] in t for t in say(b, sender, unrelated))
    say(a, sender, "how is crmo treated")
    say(b, sender, "/feedback_unhelpful")

    env = {**os.environ, **servers.child_env(cluster.env)}
    command = [sys.executable, "-m", "bot", "report", "--json", "--days", "1"]
    done = subprocess.run(command, cwd=paths.PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert not_understood in [q["question"] for q in report["fallback"]]
    assert unrelated in [q["question"] for q in report["out_of_scope"]]
    treatment = next(u for u in report["unhelpful"] if u["topic"] == "treatment")
    assert "how is crmo treated" in [q["question"] for q in treatment["questions"]]
