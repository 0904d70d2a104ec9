"""Retention (bot/retention.py) against a real PostgreSQL through Rasa's own SQL
tracker store: old conversations go whole, conversations still in use stay whole,
and the forget command prints counts only."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from typing import List

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import retention, settings
from bot.curation import domain
from bot.paths import PROD_ENDPOINTS, PROJECT
from bot.team_questions import team_questions
from devtools import throwaway

DAY = 86400.0
NOW = time.time()
SECRET = "my daughter Zoe has pain in her left collarbone"


def conversation(start: float, *turn_times: float) -> List[Event]:
    """A session opened at `start` with one question-and-answer turn at each turn time."""
    events: List[Event] = [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start),
        ActionExecuted("action_listen", timestamp=start),
    ]
    for at in turn_times:
        events += [
            UserUttered(SECRET, intent={"name": "symptoms", "confidence": 0.9}, timestamp=at),
            ActionExecuted("action_answer_faq", timestamp=at + 1),
            BotUttered("Pain, often at night ...", timestamp=at + 1),
            SlotSet("last_topic", "symptoms", timestamp=at + 1),
            ActionExecuted("action_listen", timestamp=at + 2),
        ]
    return events


def save(store: SQLTrackerStore, sender: str, events: List[Event]) -> None:
    tracker = DialogueStateTracker.from_events(sender, events, slots=domain().slots)
    asyncio.run(store.save(tracker))


def stored(store: SQLTrackerStore, sender: str) -> int:
    """How many events the database holds for one conversation (0: none)."""
    tracker = asyncio.run(store.retrieve_full_tracker(sender))
    return len(tracker.events) if tracker else 0


@pytest.fixture
def store(prod_db: dict) -> SQLTrackerStore:
    """Rasa's SQL tracker store, built from endpoints.prod.yml like the command does."""
    built = retention.tracker_store(PROD_ENDPOINTS)
    assert isinstance(built, SQLTrackerStore)
    return built


@pytest.fixture
def three(store: SQLTrackerStore) -> dict:
    """old: idle 40 days; revived: began 45 days ago, last event 2 days ago; recent: half a day ago."""
    conversations = {
        "family-old": conversation(NOW - 40 * DAY, NOW - 40 * DAY + 10, NOW - 40 * DAY + 60),
        "family-revived": conversation(NOW - 45 * DAY, NOW - 45 * DAY + 10)
        + conversation(NOW - 2 * DAY, NOW - 2 * DAY),
        "family-recent": conversation(NOW - DAY / 2, NOW - DAY / 2 + 10),
    }
    for sender, events in conversations.items():
        save(store, sender, events)
    return {sender: len(events) for sender, events in conversations.items()}


def run_forget(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "forget", *args],
        cwd=PROJECT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_old_conversation_goes_whole_and_revived_one_stays_whole(store, three):
    assert stored(store, "family-revived") == three["family-revived"]  # the setup really stored both sessions

    result = retention.forget(store, 30)

    assert (result.conversations, result.events) == (1, three["family-old"])
    assert stored(store, "family-old") == 0
    assert stored(store, "family-revived") == three["family-revived"]
    assert stored(store, "family-recent") == three["family-recent"]
    assert sorted(asyncio.run(store.keys())) == ["family-recent", "family-revived"]


def test_nothing_left_to_forget_the_second_time(store, three):
    retention.forget(store, 30)
    again = retention.forget(store, 30)
    assert (again.conversations, again.events) == (0, 0)


def test_shorter_retention_takes_the_revived_conversation_too(store, three):
    result = retention.forget(store, 1)
    assert (result.conversations, result.events) == (2, three["family-old"] + three["family-revived"])
    assert asyncio.run(store.keys()) == ["family-recent"]


def test_days_option_overrides_environment_which_overrides_default():
    assert settings.retention_days(None, {}) == 30
    assert settings.retention_days(None, {"CRMO_RETENTION_DAYS": "90"}) == 90
    assert settings.retention_days(7, {"CRMO_RETENTION_DAYS": "90"}) == 7
    for bad in ("0", "-3", "thirty", "1.5"):
        with pytest.raises(ValueError, match="whole number of days"):
            settings.retention_days(None, {"CRMO_RETENTION_DAYS": bad})


def test_other_tracker_stores_are_refused_clearly():
    with pytest.raises(retention.TrackerStoreError, match="InMemoryTrackerStore is not supported"):
        retention.forget(InMemoryTrackerStore(domain()), 30)


def test_forget_command_prints_counts_only(store, three, monkeypatch):
    monkeypatch.delenv("CRMO_RETENTION_DAYS", raising=False)
    done = run_forget()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"forgot 1 conversation ({three['family-old']} events) with no event since ")
    assert done.stdout.splitlines()[0].endswith("(retention 30 days)")
    assert SECRET not in done.stdout + done.stderr and "family-" not in done.stdout + done.stderr
    assert sorted(asyncio.run(store.keys())) == ["family-recent", "family-revived"]


def test_forget_command_reads_the_retention_from_the_environment(store, three, monkeypatch):
    monkeypatch.setenv("CRMO_RETENTION_DAYS", "50")
    done = run_forget()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("forgot 0 conversations (0 events)") and "(retention 50 days)" in done.stdout
    done = run_forget("--days", "1")
    assert done.stdout.startswith(f"forgot 2 conversations ({three['family-old'] + three['family-revived']} events)")


def test_forget_command_fails_fast_when_the_database_is_down(prod_db, monkeypatch):
    monkeypatch.setenv("DB_PORT", str(throwaway.free_port()))  # nothing listens there
    started = time.monotonic()
    done = run_forget()
    assert done.returncode == 2
    assert "cannot reach the tracker store database" in done.stderr
    assert prod_db["DB_PASSWORD"] not in done.stderr
    assert time.monotonic() - started < 60


def test_postgres_restart_keeps_the_conversations(prod_env, monkeypatch):
    with throwaway.Postgres() as server:
        for name, value in {**prod_env, **server.env()}.items():
            monkeypatch.setenv(name, value)
        store = retention.tracker_store(PROD_ENDPOINTS)
        save(store, "kept", conversation(NOW, NOW + 1))
        port = server.port

        server.stop()
        with pytest.raises(retention.TrackerStoreError, match="cannot reach"):
            retention.tracker_store(PROD_ENDPOINTS)
        server.start()

        assert server.port == port
        store.engine.dispose()  # the pool's connections died with the old server
        assert stored(store, "kept") == len(conversation(NOW, NOW + 1))
        root = server.root
    assert not root.exists()


def test_redis_restarts_on_the_same_port_empty():
    with throwaway.Redis() as server:
        server.client().set("crmo:lock", "1")
        port = server.port
        server.stop()
        server.start()
        assert server.port == port
        assert server.client().get("crmo:lock") is None
        root = server.root
    assert not root.exists()


def test_forget_command_deletes_questions_for_the_team_past_the_retention_too(store, three, monkeypatch):
    monkeypatch.setenv("CRMO_TEAM_DB_URL", "")  # the production profile's database, as DB_* say
    monkeypatch.delenv("CRMO_RETENTION_DAYS", raising=False)
    questions = team_questions()
    questions.add("family-old", SECRET, "old@example.org", now=NOW - 40 * DAY)
    questions.add("family-recent", "asked today", now=NOW - DAY / 2)
    done = run_forget()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("forgot 1 question for the team asked before ")
    assert SECRET not in done.stdout and "old@example.org" not in done.stdout
    assert [q.sender_id for q in questions.listing(0, NOW + 1)] == ["family-recent"]
