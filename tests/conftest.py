"""Shared fixtures: the model is trained once per test session (or reused when
nothing changed) and one action server + Rasa server pair serves every live test."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Tuple

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# the project root, so that `bot` imports whichever way pytest was started
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import servers, training  # noqa: E402
from bot.paths import PROJECT  # noqa: E402
from tests import standins  # noqa: E402

ARTIFACTS = PROJECT / "tests" / "artifacts"
CURATOR_TOKEN = "test-curator-token"
# Questions for the team go to a throwaway SQLite file, for every process the
# tests start (the production-profile tests set CRMO_TEAM_DB_URL="" so that
# they use PostgreSQL): nothing lands in the project's var/.
TEAM_DB = Path(tempfile.mkdtemp(prefix="crmo-team-")) / "team-questions.sqlite3"
os.environ["CRMO_TEAM_DB_URL"] = f"sqlite:///{TEAM_DB}"


@pytest.fixture(scope="session")
def model() -> Path:
    return training.ensure_model()


SLACK_SECRET = "test-signing-secret"
TELEGRAM_TOKEN = "123456789:test-token-not-real"
TELEGRAM_USER = "crmo_test_bot"
TELEGRAM_SECRET = "test-webhook-secret"


@pytest.fixture(scope="session")
def web_port() -> int:
    """The port of the widget's page: the Rasa server lets this origin in."""
    return servers.free_port()


@pytest.fixture(scope="session")
def slack_api():
    api = standins.slack_web_api()
    yield api
    api.stop()


@pytest.fixture(scope="session")
def telegram_api():
    api = standins.telegram_bot_api(TELEGRAM_USER)
    yield api
    api.stop()


@pytest.fixture(scope="session")
def live_bot(model: Path, web_port: int, slack_api, telegram_api):
    """(rasa server, action server), both on loopback ports, with every channel on:
    Slack and Telegram talk to the stand-ins of their APIs."""
    env = {
        "CRMO_WEB_ORIGINS": f"http://127.0.0.1:{web_port}, http://localhost:{web_port}",
        "SLACK_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_API_URL": f"{slack_api.url}/api/",
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_VERIFY": TELEGRAM_USER,
        "TELEGRAM_WEBHOOK_URL": "https://crmo.example.org/webhooks/telegram/webhook",
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": telegram_api.url,
        "CRMO_CURATOR_TOKEN": CURATOR_TOKEN,
    }
    with servers.running_bot(model, ARTIFACTS / "logs", env=env) as pair:
        yield pair


def post(url: str, data: bytes, headers: Dict[str, str], timeout: float = 60) -> Tuple[int, str]:
    """(status, body text), for error statuses too."""
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def post_json(url: str, body: object, timeout: float = 60) -> tuple:
    """(status, the reply's JSON), or (status, the error text) for an error status."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, text = post(url, data, {"Content-Type": "application/json"}, timeout)
    return status, (json.loads(text or "null") if status < 400 else text)


def after_disclaimer(messages: List[dict]) -> List[dict]:
    """The replies to the first message of a conversation, after the disclaimer
    that every new conversation opens with (in every channel)."""
    from bot.knowledge import knowledge

    assert messages and messages[0].get("text") == knowledge().messages["disclaimer"], messages[:1]
    return messages[1:]


@pytest.fixture
def chat(live_bot) -> Callable[[str, str], List[dict]]:
    """Sends one message through the REST webhook; returns the bot's messages."""
    rasa, _ = live_bot

    def send(sender: str, text: str) -> List[dict]:
        status, messages = post_json(f"{rasa.url}/webhooks/rest/webhook", {"sender": sender, "message": text})
        assert status == 200, messages
        return messages

    return send


# Throwaway PostgreSQL and Redis (devtools/throwaway.py) for the production profile,
# endpoints.prod.yml: one of each per test session, started on first use.
# Rasa's tracker store module triggers SQLAlchemy's 2.0 notice on import.
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


@pytest.fixture(scope="session")
def postgres():
    from devtools import throwaway

    with throwaway.Postgres() as server:
        yield server


@pytest.fixture(scope="session")
def redis():
    from devtools import throwaway

    with throwaway.Redis() as server:
        yield server


@pytest.fixture(scope="session")
def prod_env(postgres, redis) -> dict:
    """Every variable endpoints.prod.yml reads (Rasa expands the whole file)."""
    return {**postgres.env(), **redis.env(), "ACTION_SERVER_URL": "http://127.0.0.1:5055/webhook"}


@pytest.fixture
def prod_db(postgres, prod_env, monkeypatch) -> dict:
    """A fresh, empty tracker store database for one test; the environment (here
    and for subprocesses given it) points endpoints.prod.yml at it."""
    import uuid

    env = {**prod_env, **postgres.create_database(f"test_{uuid.uuid4().hex[:12]}")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


# ---- the browser ------------------------------------------------------------------
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright (the widget and dashboard tests). One
    per module: Playwright's sync API runs an event loop on the main thread
    while it is open, and any later test that calls asyncio.run() would fail."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# ---- tiers -----------------------------------------------------------------------
# Each test gets one marker, so that `pytest -m unit` (`make test-fast`) is the
# inner loop and CI can still run everything. A test's tier follows from the
# fixtures it needs (all of them, through their dependencies), so a new test is
# sorted without anyone remembering to mark it; modules that start servers or
# Rasa's command line themselves are named here.
TIERS = ("browser", "production", "live", "model", "unit")
TIER_OF_FIXTURE = {
    "browser": "browser",
    "postgres": "production",
    "redis": "production",
    "live_bot": "live",
    "model": "model",
}
TIER_OF_MODULE = {
    "test_proxy": "browser",
    "test_action_server_down": "live",
    "test_shell": "live",
    "test_rasa_data": "model",
    "test_dialogue": "model",
}


def tier(item: pytest.Item) -> str:
    needed = {TIER_OF_FIXTURE[name] for name in getattr(item, "fixturenames", ()) if name in TIER_OF_FIXTURE}
    module = TIER_OF_MODULE.get(item.module.__name__.rsplit(".", 1)[-1]) if item.module else None
    return next((t for t in TIERS if t in needed or t == module), "unit")


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    for item in items:
        item.add_marker(tier(item))
