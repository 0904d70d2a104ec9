"""The dashboard's web routes, mounted by Rasa at /webhooks/dashboard/ on every
Rasa server (credentials.yml registers them like an input channel: Rasa's one
way to add routes beside its own, with its agent, and so its tracker store, at
hand).

Behind the curator token (CRMO_CURATOR_TOKEN; unset: the dashboard is off and
answers 503): a login form takes the token and sets a cookie holding a keyed
hash of it (HttpOnly, SameSite=Strict), or a script sends
`Authorization: Bearer <token>`. Without either, every route but the login
answers 401 with the login form, which shows no data. Pages are never cached
and may not be framed; the page loads nothing but its own stylesheet."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import hmac
import logging
from http import HTTPStatus
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from rasa.core.channels.channel import InputChannel
from rasa.shared.core.events import Event
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.disabled import off_blueprint
from bot.dashboard import page, stats
from bot.knowledge import knowledge
from bot.settings import channel_credentials
from bot.team_questions import team_questions

logger = logging.getLogger(__name__)
COOKIE = "crmo_curator"
PREFIX = "/webhooks/dashboard/"
STYLESHEET = Path(__file__).with_name("dashboard.css")
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def session_value(token: str) -> str:
    """What the cookie holds: a keyed hash of the token, never the token."""
    return hmac.new(token.encode(), b"crmo curator session", hashlib.sha256).hexdigest()


def authorised(request: Request, token: str) -> bool:
    bearer = request.headers.get("authorization", "")
    if bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:].strip().encode(), token.encode()):
        return True
    cookie = request.cookies.get(COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), session_value(token).encode())


def set_cookie(reply: HTTPResponse, value: str, secure: bool = False, max_age: Optional[int] = None) -> None:
    """Sanic 21.12's cookie API (Rasa 3.6 pins it): the session cookie, for the dashboard's paths only."""
    reply.cookies[COOKIE] = value
    cookie = reply.cookies[COOKIE]
    cookie["path"] = PREFIX
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    if secure:
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def html(body: str, status: int = HTTPStatus.OK) -> HTTPResponse:
    return response.html(body, status=status, headers=HEADERS)


def see(path: str) -> HTTPResponse:
    """After a form: back to a page with GET (303), so a reload does not post again."""
    return response.redirect(path, status=HTTPStatus.SEE_OTHER, headers=HEADERS)


async def conversations(request: Request) -> List[Sequence[Event]]:
    """Every conversation's events, read through the tracker store's API (so
    the in-memory store of the default profile works as PostgreSQL does)."""
    store = request.app.ctx.agent.tracker_store
    found: List[Sequence[Event]] = []
    for sender in sorted(await store.keys()):
        tracker = await store.retrieve_full_tracker(sender)
        if tracker is not None:
            found.append(list(tracker.events))
    return found


class CuratorDashboard(InputChannel):
    """Registered as `dashboard`: its routes live under /webhooks/dashboard/."""

    def __init__(self, token: str = "") -> None:
        self.token = token

    @classmethod
    def name(cls) -> str:
        return "dashboard"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> CuratorDashboard:
        return cls(str(channel_credentials(cls.name(), credentials).get("token") or ""))

    def blueprint(self, on_new_message: Any) -> Blueprint:
        if not self.token:
            return off_blueprint("curator_dashboard_off", "The curators' dashboard (CRMO_CURATOR_TOKEN)")
        token = self.token
        blueprint = Blueprint("curator_dashboard", __name__)

        @blueprint.route("/dashboard.css", methods=["GET"])
        async def stylesheet(_: Request) -> HTTPResponse:
            return response.text(STYLESHEET.read_text(), content_type="text/css", headers=HEADERS)

        @blueprint.route("/", methods=["GET"])
        async def show(request: Request) -> HTTPResponse:
            if not authorised(request, token):
                return html(page.login(), HTTPStatus.UNAUTHORIZED)
            today = datetime.datetime.now(datetime.timezone.utc).date()
            try:
                period = stats.parse_period(request.args.get("from"), request.args.get("to"), today)
            except ValueError as error:
                period = stats.parse_period(None, None, today)
                notice: Optional[str] = f"{error}; showing the last 30 days instead."
            else:
                notice = "The question is marked answered." if request.args.get("marked") else None
            events = await conversations(request)
            store = team_questions()
            questions = await asyncio.to_thread(store.listing, period.start, period.end)
            titles = {topic: item.title for topic, item in knowledge().topics.items()}
            data = stats.build(events, questions, period, titles)
            return html(page.dashboard(data, notice))

        @blueprint.route("/login", methods=["POST"])
        async def log_in(request: Request) -> HTTPResponse:
            given = (request.form.get("token") or "").strip()
            if not given or not hmac.compare_digest(given.encode(), token.encode()):
                logger.warning("A curator login was refused.")
                return html(page.login("That token is not right. Check it and try again."), HTTPStatus.UNAUTHORIZED)
            done = see(PREFIX)
            secure = request.headers.get("x-forwarded-proto", request.scheme) == "https"
            set_cookie(done, session_value(token), secure=secure)
            return done

        @blueprint.route("/logout", methods=["POST"])
        async def log_out(_: Request) -> HTTPResponse:
            done = see(PREFIX)
            set_cookie(done, "", max_age=0)
            return done

        @blueprint.route("/questions/<question_id:int>/answered", methods=["POST"])
        async def mark_answered(request: Request, question_id: int) -> HTTPResponse:
            if not authorised(request, token):
                return html(page.login(), HTTPStatus.UNAUTHORIZED)
            marked = await asyncio.to_thread(team_questions().mark_answered, question_id)
            return see(f"{PREFIX}?marked=1" if marked else PREFIX)

        return blueprint
