"""The curators' report (bot/curation.py) over conversations stored in a real
PostgreSQL through Rasa's SQL tracker store, shaped like the assistant's own:
fallbacks, out-of-scope questions, and "No" to "Was this helpful?"."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from typing import List, Optional

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import curation, paths, retention

DAY = 86400.0
NOW = time.time()


class Talk:
    """Builds one conversation turn by turn, one second apart from `start`."""

    def __init__(self, start: float) -> None:
        self.clock = start
        self.events: List[Event] = []
        self.session()

    def _at(self) -> float:
        self.clock += 1
        return self.clock

    def session(self) -> Talk:
        at = self._at()
        self.events += [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at)]
        self.events.append(ActionExecuted("action_listen", timestamp=at))
        return self

    def says(self, text: str, intent: str, *after: Event) -> Talk:
        self.events.append(UserUttered(text, intent={"name": intent, "confidence": 0.9}, timestamp=self._at()))
        self.events += after
        self.events.append(ActionExecuted("action_listen", timestamp=self._at()))
        return self

    def answered(self, text: str, topic: str) -> Talk:
        """A question the assistant answers from the topic's page."""
        return self.says(text, topic, *self._reply("action_answer_faq", SlotSet("last_topic", topic)))

    def fell_back(self, text: str, intent: str = "nlu_fallback") -> Talk:
        return self.says(text, intent, *self._reply("action_default_fallback"))

    def rates(self, helpful: bool, topic: Optional[str] = "same", set_slot: bool = True) -> Talk:
        """Clicks a feedback button; the action records {topic, helpful} (topic "same": the last_topic)."""
        if topic == "same":
            topic = next(e.value for e in reversed(self.events) if isinstance(e, SlotSet) and e.key == "last_topic")
        rating = [SlotSet("answer_feedback", {"topic": topic, "helpful": helpful})] if set_slot else []
        payload = "/feedback_helpful" if helpful else "/feedback_unhelpful"
        return self.says(payload, payload[1:], *self._reply("action_record_feedback", *rating))

    def _reply(self, action: str, *slots: SlotSet) -> List[Event]:
        at = self._at()
        return [ActionExecuted(action, timestamp=at), BotUttered("...", timestamp=at)] + [
            SlotSet(s.key, s.value, timestamp=at) for s in slots
        ]


def save(store: SQLTrackerStore, sender: str, talk: Talk) -> None:
    tracker = DialogueStateTracker.from_events(sender, talk.events, slots=curation.domain().slots)
    asyncio.run(store.save(tracker))


@pytest.fixture
def store(prod_db: dict) -> SQLTrackerStore:
    """Rasa's SQL tracker store from endpoints.prod.yml, holding five conversations."""
    built = retention.tracker_store(paths.PROD_ENDPOINTS, curation.domain())
    recent = NOW - DAY
    a = Talk(recent).fell_back("How do I get a referral?").fell_back("What's the weather like?", "out_of_scope")
    save(built, "a", a.answered("What painkillers help", "nsaids").rates(False).fell_back("how do I   get a referral"))
    b = Talk(recent).fell_back("HOW DO I GET A REFERRAL!!").answered("what is crmo", "what_is_crmo").rates(True)
    save(built, "b", b.answered("How is it treated?", "treatment").rates(False).rates(False))
    # A typed question fell back; the family then chose a suggested topic.
    save(built, "c", Talk(recent).fell_back("My son's knee hurts at night?").answered("/nsaids", "nsaids").rates(False))
    # An assistant that did not record the rating's topic: the last topic then, none in a new session.
    d = Talk(recent).answered("Is it contagious?", "is_it_infectious").rates(False, set_slot=False)
    save(built, "d", d.session().rates(False, topic=None, set_slot=False))
    old = Talk(NOW - 40 * DAY).fell_back("How do I get a referral").fell_back("Old question?")
    save(built, "old", old.answered("what about biopsy", "biopsy").rates(False))
    return built


def test_normalise_lowercases_collapses_spaces_and_strips_trailing_punctuation():
    assert curation.normalise("  How do I\tget a   REFERRAL?!  ") == "how do i get a referral"
    assert curation.normalise("What's CRMO…") == "what's crmo"
    assert curation.normalise('is it "rare" (really)?') == 'is it "rare" (really)'
    assert curation.normalise(None) == ""


def test_groups_and_counts_over_all_time(store):
    data = curation.build(store).as_dict()
    assert data["conversations"] == 5 and data["since"] is None
    assert data["fallback"] == [
        {"question": "how do i get a referral", "count": 4},
        {"question": "my son's knee hurts at night", "count": 1},
        {"question": "old question", "count": 1},
    ]
    assert data["out_of_scope"] == [{"question": "what's the weather like", "count": 1}]
    assert [(t["topic"], t["count"]) for t in data["unhelpful"]] == [
        ("nsaids", 2),
        ("treatment", 2),
        ("(unknown topic)", 1),
        ("biopsy", 1),
        ("is_it_infectious", 1),
    ]


def test_unhelpful_answers_carry_the_question_that_led_to_them(store):
    topics = {t["topic"]: t["questions"] for t in curation.build(store).as_dict()["unhelpful"]}
    assert topics["nsaids"] == [
        {"question": "my son's knee hurts at night (then chose a topic button)", "count": 1},
        {"question": "what painkillers help", "count": 1},
    ]
    assert topics["treatment"] == [{"question": "how is it treated", "count": 2}]
    assert topics["is_it_infectious"] == [{"question": "is it contagious", "count": 1}]
    assert topics["(unknown topic)"] == [{"question": "", "count": 1}]  # new session: nothing answered yet


def test_the_recorded_topic_wins_over_the_last_topic(prod_db):
    store = retention.tracker_store(paths.PROD_ENDPOINTS, curation.domain())
    save(store, "e", Talk(NOW).answered("what is crmo", "what_is_crmo").rates(False, topic="diagnosis"))
    assert [t["topic"] for t in curation.build(store).as_dict()["unhelpful"]] == ["diagnosis"]


def test_days_keeps_only_recent_events(store):
    data = curation.build(store, days=30).as_dict()
    assert data["since"] is not None and data["conversations"] == 4
    assert data["fallback"][0] == {"question": "how do i get a referral", "count": 3}
    assert "old question" not in [row["question"] for row in data["fallback"]]
    assert "biopsy" not in [t["topic"] for t in data["unhelpful"]]


def run_report(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "bot", "report", *args]
    return subprocess.run(command, cwd=paths.PROJECT, env=dict(os.environ), capture_output=True, text=True, timeout=120)


def test_report_command_prints_the_table_and_json(store):
    done = run_report("--days", "30")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Curators' report: 4 conversations, since ")  # not the 40-day-old one
    assert "Fell back (nlu_fallback): 4 messages, 2 distinct" in lines
    assert "      3  how do i get a referral" in lines
    assert "Out of scope (out_of_scope): 1 message, 1 distinct" in lines
    assert "Unhelpful answers (feedback_unhelpful): 6 ratings, 4 topics" in lines
    assert lines.index("  nsaids: 2") < lines.index("  treatment: 2") < lines.index("  (unknown topic): 1")
    assert "        2  how is it treated" in lines

    done = run_report("--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(curation.build(store).as_dict()))


def test_report_command_explains_a_store_without_conversations():
    done = run_report("--endpoints", str(paths.ENDPOINTS))
    assert done.returncode == 2
    assert "in-memory tracker store keeps nothing" in done.stderr
