"""The Slack channel against the live server: events signed as Slack signs them
(HMAC-SHA256 of `v0:<timestamp>:<body>` with the app's signing secret), replies
read at the stand-in of Slack's Web API."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
import uuid
from typing import Dict, Optional

import pytest

from bot.knowledge import knowledge
from tests.conftest import SLACK_SECRET, post

KB = knowledge()

PUBMED_LINK = "<https://pubmed.ncbi.nlm.nih.gov/34202154/|"


def signed(body: bytes, secret: str = SLACK_SECRET, timestamp: Optional[int] = None) -> Dict[str, str]:
    stamp = str(timestamp or int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def message_event(text: str, user: str, event_id: Optional[str] = None) -> bytes:
    event = {"type": "message", "channel_type": "im", "channel": f"D{user}", "user": user, "text": text, "ts": "1.1"}
    envelope = {"type": "event_callback", "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}", "event": event}
    return json.dumps(envelope).encode()


@pytest.fixture
def slack(live_bot, slack_api):
    rasa, _ = live_bot
    url = f"{rasa.url}/webhooks/slack/webhook"

    def send(body: bytes, headers: Optional[Dict[str, str]] = None, content_type: str = "application/json") -> tuple:
        return post(url, body, {"Content-Type": content_type, **(signed(body) if headers is None else headers)})

    return send


def replies_to(slack_api, channel: str) -> list:
    return [c for c in slack_api.calls_to("chat.postMessage") if c.body.get("channel") == channel]


def wait_for_replies(slack_api, channel: str, count: int, timeout: float = 30) -> list:
    deadline = time.monotonic() + timeout
    while len(replies_to(slack_api, channel)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    found = replies_to(slack_api, channel)
    assert len(found) >= count, f"{len(found)} replies in {channel}, expected {count}"
    return found


def answer_post(posts: list) -> dict:
    return next(p.body for p in posts if "doctor" in p.body.get("text", "") and "blocks" in p.body)


def test_a_signed_question_is_answered_in_slack_markup(slack, slack_api):
    user = f"U{uuid.uuid4().hex[:8].upper()}"
    status, _ = slack(message_event("what is crmo", user))
    assert status == 200
    posts = wait_for_replies(slack_api, f"D{user}", 3)
    assert all(p.headers.get("Authorization") == "Bearer xoxb-test-token" for p in posts)
    assert posts[0].body["text"] == KB.messages["disclaimer"]  # a new conversation opens with it
    answer = answer_post(posts)
    section, actions = json.loads(answer["blocks"]) if isinstance(answer["blocks"], str) else answer["blocks"]
    assert section["text"]["type"] == "mrkdwn"
    text = section["text"]["text"]
    assert "chronic recurrent multifocal osteomyelitis" in text
    assert PUBMED_LINK in text  # Slack's link syntax, so the source is a working link
    assert "](" not in text
    assert "doctor" in text.splitlines()[-1]
    assert actions["type"] == "actions" and 1 <= len(actions["elements"]) <= 5
    assert all(b["value"].startswith("/") for b in actions["elements"])


def test_a_badly_signed_request_is_rejected(slack, slack_api):
    user = f"U{uuid.uuid4().hex[:8].upper()}"
    body = message_event("what is crmo", user)
    for headers in (signed(body, secret="not-the-secret"), signed(body, timestamp=int(time.time()) - 3600), {}):
        status, _ = slack(body, headers=headers)
        assert status == 400
    slack(message_event("hello", user))  # a real one afterwards: its reply is the only one
    posts = wait_for_replies(slack_api, f"D{user}", 1)
    time.sleep(1)
    assert all("osteomyelitis" not in p.body.get("text", "") for p in replies_to(slack_api, f"D{user}"))
    assert posts


def test_a_retried_event_is_not_answered_twice(slack, slack_api):
    user = f"U{uuid.uuid4().hex[:8].upper()}"
    body = message_event("is it contagious", user, event_id="EvRETRY1")
    assert slack(body)[0] == 200
    first = len(wait_for_replies(slack_api, f"D{user}", 2))
    for number, reason in ((1, "http_error"), (2, "http_timeout")):
        retry = {**signed(body), "X-Slack-Retry-Num": str(number), "X-Slack-Retry-Reason": reason}
        assert slack(body, headers=retry)[0] == 200
    # A later message of the same user is processed after anything queued before it.
    assert slack(message_event("thanks", user))[0] == 200
    posts = wait_for_replies(slack_api, f"D{user}", first + 1)
    time.sleep(0.5)
    posts = replies_to(slack_api, f"D{user}")
    infectious = [p for p in posts if "infection" in p.body.get("text", "").lower() and "blocks" in p.body]
    assert len(infectious) == 1, [p.body.get("text", "")[:60] for p in posts]


def test_a_button_press_is_answered(slack, slack_api):
    user = f"U{uuid.uuid4().hex[:8].upper()}"
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": f"D{user}"},
        "message": {"ts": "1.1"},
        "actions": [{"type": "button", "value": "/symptoms", "text": {"type": "plain_text", "text": "Symptoms"}}],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    assert slack(body, content_type="application/x-www-form-urlencoded")[0] == 200
    answer = answer_post(wait_for_replies(slack_api, f"D{user}", 2))
    assert "pain" in answer["text"].lower()


def test_slack_url_verification_is_answered(slack):
    body = json.dumps({"type": "url_verification", "challenge": "c-123"}).encode()
    assert slack(body) == (200, '"c-123"')


def test_a_german_message_in_slack_is_answered_in_german(slack, slack_api):
    """Slack says nothing of the user's language: the message's own language decides."""
    german = knowledge("de")
    user = f"U{uuid.uuid4().hex[:8].upper()}"
    status, _ = slack(message_event("Ist CRMO ansteckend?", user))
    assert status == 200
    posts = wait_for_replies(slack_api, f"D{user}", 3)
    assert posts[0].body["text"] == german.messages["disclaimer"]
    answer = next(p.body for p in posts if "blocks" in p.body and "Quelle" in p.body.get("text", ""))
    assert answer["text"].rstrip().endswith(german.messages["consult"])
