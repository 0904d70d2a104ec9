"""Shared fixtures: the model is trained once per test session (or reused when
nothing changed) and one action server + Rasa server pair serves every live test."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from typing import Callable, List

import pytest

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bot import servers, training  # noqa: E402

ARTIFACTS = PROJECT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def model() -> Path:
    return training.ensure_model()


@pytest.fixture(scope="session")
def live_bot(model: Path):
    """(rasa server, action server), both on loopback ports."""
    with servers.running_bot(model, ARTIFACTS / "logs") as pair:
        yield pair


def post_json(url: str, body: object, timeout: float = 60) -> tuple:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


@pytest.fixture
def chat(live_bot) -> Callable[[str, str], List[dict]]:
    """Sends one message through the REST webhook; returns the bot's messages."""
    rasa, _ = live_bot

    def send(sender: str, text: str) -> List[dict]:
        status, messages = post_json(f"{rasa.url}/webhooks/rest/webhook", {"sender": sender, "message": text})
        assert status == 200, messages
        return messages

    return send
