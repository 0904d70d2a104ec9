"""Local stand-ins for the Slack Web API and the Telegram Bot API: real HTTP
servers on loopback that record what the bot sends and answer as the real
services do, so the channels' own HTTP clients run unchanged."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional

from bot.servers import free_port


@dataclass
class Call:
    method: str  # the API method: chat.postMessage, sendMessage, ...
    headers: Dict[str, str]
    body: dict


@dataclass
class StandIn:
    answer: Callable[[str, dict], dict]
    calls: List[Call] = field(default_factory=list)
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def calls_to(self, method: str) -> List[Call]:
        return [c for c in list(self.calls) if c.method == method]

    def wait_for(self, method: str, count: int, timeout: float = 30) -> List[Call]:
        """The first `count` calls of `method`, waiting for them as long as `timeout`."""
        deadline = time.monotonic() + timeout
        while len(self.calls_to(method)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        found = self.calls_to(method)
        assert len(found) >= count, f"{len(found)} {method} calls, expected {count}: {found}"
        return found[:count]

    def start(self) -> StandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = _decode(raw, self.headers.get("Content-Type", ""))
                method = self.path.rstrip("/").rsplit("/", 1)[-1]
                standin.calls.append(Call(method, dict(self.headers), body))
                reply = json.dumps(standin.answer(method, body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _decode(raw: bytes, content_type: str) -> dict:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    if "multipart/form-data" in content_type:
        return _multipart(raw, content_type)
    return {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}


def _multipart(raw: bytes, content_type: str) -> dict:
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    fields = {}
    for part in raw.split(b"--" + boundary):
        head, _, value = part.partition(b"\r\n\r\n")
        name = head.split(b'name="', 1)[-1].split(b'"', 1)[0] if b'name="' in head else None
        if name:
            fields[name.decode()] = value.rsplit(b"\r\n", 1)[0].decode()
    return fields


def slack_web_api() -> StandIn:
    def answer(method: str, body: dict) -> dict:
        return {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"}

    return StandIn(answer).start()


def telegram_bot_api(username: str) -> StandIn:
    message_ids = iter(range(1, 1_000_000))

    def answer(method: str, body: dict) -> dict:
        if method == "getMe":
            return {"ok": True, "result": {"id": 42, "is_bot": True, "first_name": "CRMO", "username": username}}
        if method == "sendMessage":
            chat: Optional[str] = body.get("chat_id")
            message = {"message_id": next(message_ids), "date": int(time.time()), "text": body.get("text", "")}
            return {"ok": True, "result": {**message, "chat": {"id": int(chat or 0), "type": "private"}}}
        return {"ok": True, "result": True}

    return StandIn(answer).start()
