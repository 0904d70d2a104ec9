"""Rasa's REST channel with its input checked: a body that is not a JSON object
with a text `sender` and a text `message` gets a 400 instead of a server error.
Its replies, like those of the Rasa shell that reads them, are plain text with
full URLs (render.py)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.core.channels.console import CmdlineInput
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage as BadRequest  # a 400 in the Sanic that Rasa 3.6 pins
from sanic.request import Request

from bot.channels.output import Handler, handled

MAX_SENDER_LENGTH = 128


def _body(request: Request) -> Dict[str, Any]:
    body = request.json
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object with 'sender' and 'message'.")
    return body


class CheckedRestInput(RestInput):
    """Same name and URL as Rasa's `rest` channel: /webhooks/rest/webhook."""

    async def _extract_sender(self, req: Request) -> Optional[str]:
        sender = _body(req).get("sender")
        if isinstance(sender, int) and not isinstance(sender, bool):
            sender = str(sender)
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
            raise BadRequest("'sender' must be a non-empty string.")
        return sender

    def _extract_message(self, req: Request) -> Optional[str]:
        message = _body(req).get("message")
        if not isinstance(message, str):
            raise BadRequest("'message' must be a string.")
        return message

    def _extract_input_channel(self, req: Request) -> str:
        channel = _body(req).get("input_channel")
        return channel if isinstance(channel, str) and channel else self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(handled(on_new_message, "plain"))


class ShellInput(CmdlineInput, CheckedRestInput):
    """The channel behind `rasa shell` (bot/rasa_ext/patches.py puts it in place):
    Rasa's name and URL for it, this module's REST channel underneath."""
