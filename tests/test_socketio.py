"""The widget's channel at the protocol level, with python-socketio's own client
against the live server: origins, session ids, and replies to the session's
room. (Long-polling: its websocket client needs a newer aiohttp than Rasa 3.6
allows; the browser test uses the widget's own transport.)"""

from __future__ import annotations

import asyncio
from typing import List, Optional, Tuple

import pytest
import socketio


async def _session(url: str, origin: str, session_id: Optional[str], message: Optional[str]) -> Tuple[str, List[dict]]:
    client = socketio.AsyncClient(reconnection=False)
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    replies: List[dict] = []
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    client.on("bot_uttered", replies.append)
    await client.connect(url, headers={"Origin": origin}, transports=["polling"], socketio_path="/socket.io")
    try:
        await client.emit("session_request", {"session_id": session_id})
        session = await asyncio.wait_for(confirmed, 10)
        if message is not None:
            await client.emit("user_uttered", {"message": message, "session_id": session})
            for _ in range(300):
                if any("doctor" in r.get("text", "") for r in replies):
                    break
                await asyncio.sleep(0.1)
        return session, replies
    finally:
        await client.eio.disconnect(abort=True)  # a polite one waits out the pending long-poll


def session(live_bot, origin: str, session_id: Optional[str] = None, message: Optional[str] = None):
    rasa, _ = live_bot
    return asyncio.run(_session(rasa.url, origin, session_id, message))


def test_an_allowed_origin_gets_an_answer_in_web_form(live_bot, web_port):
    sid, replies = session(live_bot, f"http://127.0.0.1:{web_port}", message="what is crmo")
    assert len(sid) == 32
    answer = next(r for r in replies if "osteomyelitis" in r.get("text", ""))
    assert "[Koryllou A et al., Children (Basel) 2021](https://pubmed.ncbi.nlm.nih.gov/34202154/)" in answer["text"]
    assert "doctor" in answer["text"].splitlines()[-1]
    assert answer["quick_replies"] and all(q["payload"].startswith("/") for q in answer["quick_replies"])


def test_the_same_session_continues_after_reconnecting(live_bot, web_port):
    origin = f"http://127.0.0.1:{web_port}"
    first, _ = session(live_bot, origin, message="what is crmo")
    again, replies = session(live_bot, origin, session_id=first, message="where is that from?")
    assert again == first
    assert any("34202154" in r.get("text", "") for r in replies)  # the sources of the first answer


def test_a_guessable_session_id_is_replaced(live_bot, web_port):
    sid, _ = session(live_bot, f"http://127.0.0.1:{web_port}", session_id="1")
    assert sid != "1" and len(sid) == 32


def test_another_site_cannot_connect(live_bot):
    with pytest.raises(socketio.exceptions.ConnectionError):
        session(live_bot, "https://evil.example.com")
