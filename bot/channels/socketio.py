"""The website widget's channel: Rasa's socket.io protocol, with three fixes
and one addition.

- With the python-socketio 5.x that Rasa 3.6 installs, `enter_room` is a
  coroutine, and Rasa's channel never awaits it: with `session_persistence`
  the reply goes to a room nobody joined and the widget stays silently blank.
  Here the room is joined.
- Only the configured site origins may connect (`cors_allowed_origins`,
  comma-separated); none given means the server's own origin only. Rasa's
  channel lets every origin in.
- A session id must be one this server could have issued (32 hex digits):
  the room of a session carries its replies, so a guessable id is refused and
  a new one issued.

It also takes a `forget_session` event: the widget's "Start over" deletes the
conversation on the server, not only in the browser.

Messages are rendered in the web style (markdown links, see render.py); the
widget turns them into elements itself. A JWT (`jwt_key`) can be required
where the embedding site has logins: the widget passes it as `auth.token`."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any, Dict, List, Optional, Union

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.output import Handler, handled
from bot.settings import channel_credentials

logger = logging.getLogger(__name__)
SESSION_ID = re.compile(r"[0-9a-f]{32}")
MAX_MESSAGE_LENGTH = 2000
# What "Start over" sends for the old session: "forget me", confirmed.
FORGET_PAYLOAD = "/forget_me_confirm"


def origins(value: Union[str, List[str], None]) -> Optional[List[str]]:
    """`a, b` or a YAML list; None (the server's own origin only) when empty."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    cleaned = [item.strip().rstrip("/") for item in items if item and item.strip()]
    return cleaned or None


class WebChatInput(SocketIOInput):
    """Registered as `socketio`, like Rasa's own, so clients need no change."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> WebChatInput:
        credentials = channel_credentials(cls.name(), credentials)
        channel = cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            session_persistence=True,
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            jwt_key=credentials.get("jwt_key") or None,
            jwt_method=credentials.get("jwt_method") or "HS256",
            metadata_key=credentials.get("metadata_key", "customData"),
        )
        channel.allowed_origins = origins(credentials.get("cors_allowed_origins"))
        return channel

    allowed_origins: Optional[List[str]] = None

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        on_new_message = handled(on_new_message, "web")
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.allowed_origins)
        self.sio = sio
        blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        namespace = self.namespace

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if not self.jwt_key:
                return True
            token = (auth or {}).get("token")
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Optional[Dict] = None) -> None:
            session_id = (data or {}).get("session_id")
            if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
                session_id = uuid.uuid4().hex
            await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        @sio.on("forget_session", namespace=namespace)
        async def forget_session(sid: str, data: Any) -> None:
            """The widget's "Start over": the conversation is deleted on the
            server too, as "forget me" confirmed would, with no reply to show
            (the widget has already cleared its screen)."""
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(session_id, str) or session_id not in sio.rooms(sid, namespace=namespace):
                return
            await sio.leave_room(sid, session_id, namespace=namespace)
            await on_new_message(
                UserMessage(FORGET_PAYLOAD, CollectingOutputChannel(), session_id, input_channel=self.name())
            )
            await sio.emit("session_forgotten", {"session_id": session_id}, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return
            session_id, text = data.get("session_id"), data.get("message")
            if not isinstance(session_id, str) or session_id not in sio.rooms(sid, namespace=namespace):
                logger.warning("A socket.io message without its confirmed session was ignored.")
                return
            if not isinstance(text, str) or not text.strip():
                return
            metadata = data.get(self.metadata_key)
            await on_new_message(
                UserMessage(
                    text[:MAX_MESSAGE_LENGTH],
                    SocketIOOutput(sio, self.bot_message_evt),
                    session_id,
                    input_channel=self.name(),
                    metadata=metadata if isinstance(metadata, dict) else None,
                )
            )

        return blueprint
