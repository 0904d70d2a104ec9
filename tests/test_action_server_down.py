"""With the action server down, a message gets a plain apology and the consult
urge (no 500, no silence), in the conversation's language; when it is back,
answers come back too."""

from __future__ import annotations

from pathlib import Path

from bot import servers
from bot.knowledge import knowledge
from tests.conftest import ARTIFACTS, after_disclaimer, post_json

KB = knowledge()


def test_apology_while_the_action_server_is_down_and_recovery(model: Path):
    logs = ARTIFACTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    action_port = servers.free_port()
    actions = servers.start_action_server(action_port, logs / "action-server-down.log")
    rasa = servers.start_rasa_server(model, actions.url, servers.free_port(), logs / "rasa-server-down.log")
    webhook = f"{rasa.url}/webhooks/rest/webhook"
    try:
        status, reply = post_json(webhook, {"sender": "down", "message": "what is crmo"})
        assert status == 200 and "Source" in after_disclaimer(reply)[0]["text"]

        actions.stop()
        status, reply = post_json(webhook, {"sender": "down", "message": "is crmo contagious"})
        assert status == 200
        assert [m["text"] for m in reply] == [f"{KB.messages['action_unavailable']}\n{KB.messages['consult']}"]
        status, reply = post_json(webhook, {"sender": "down-de", "message": "Ist CRMO ansteckend?"})
        german = knowledge("de").messages
        assert [m["text"] for m in reply] == [f"{german['action_unavailable']}\n{german['consult']}"]

        actions = servers.start_action_server(action_port, logs / "action-server-back.log")
        status, reply = post_json(webhook, {"sender": "down", "message": "is crmo contagious"})
        assert status == 200
        assert reply[0]["text"].startswith(KB.topics["is_it_infectious"].answer[:60])
    finally:
        rasa.stop()
        actions.stop()
