"""Bad input through the live server: a helpful reply or a 4xx, never a 500
or a crash, and the server keeps answering afterwards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import post_json

ODD_TEXTS = [
    "",
    "   ",
    "x" * 10_000,
    "what is crmo " * 800,
    "😀🦴💊🤒 ??",
    "Что такое CRMO? 什么是慢性复发性多灶性骨髓炎 ما هو",
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script> what is crmo",
    "\u0000\u0007\u202e",
    '/greet{"oops": ',
    "/not_an_intent",
]

ODD_BODIES = [
    b"not json at all",
    b"[]",
    b"{}",
    json.dumps({"sender": 12, "message": ["a", "b"]}).encode(),
    json.dumps({"sender": "x", "message": {"nested": True}}).encode(),
    json.dumps({"sender": None, "message": None}).encode(),
    b'{"sender": "x", "message": "unterminated',
]


def webhook(live_bot) -> str:
    return f"{live_bot[0].url}/webhooks/rest/webhook"


@pytest.mark.parametrize("text", ODD_TEXTS, ids=range(len(ODD_TEXTS)))
def test_odd_text_gets_a_reply_or_a_client_error(live_bot, text):
    status, body = post_json(webhook(live_bot), {"sender": "odd-text", "message": text})
    assert status == 200 or 400 <= status < 500, (status, str(body)[:300])
    if status == 200:
        assert isinstance(body, list)
        assert all("<img" not in m.get("text", "") and "<script" not in m.get("text", "") for m in body)


@pytest.mark.parametrize("body", ODD_BODIES, ids=range(len(ODD_BODIES)))
def test_malformed_json_gets_a_client_error_or_a_reply(live_bot, body):
    status, reply = post_json(webhook(live_bot), body)
    assert status == 200 or 400 <= status < 500, (status, str(reply)[:300])


def test_the_server_still_answers_after_bad_input(live_bot, chat):
    rasa, actions = live_bot
    assert rasa.alive() and actions.alive()
    assert any("Source" in m.get("text", "") for m in chat("after-bad-input", "what is crmo"))


def listening_addresses(port: int) -> set:
    """Local IPv4 addresses with a socket listening on `port` (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_both_servers_listen_on_loopback_only(live_bot):
    for server in live_bot:
        assert listening_addresses(server.port) == {"127.0.0.1"}, server.name
