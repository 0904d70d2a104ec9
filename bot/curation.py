"""The curators' report (`python -m bot report`): what families asked that the
assistant could not answer, and which answers they found unhelpful, so the
knowledge base grows where it falls short.

Three lists, each grouped by the normalised question, most frequent first:
  fallback       questions classified below the confidence threshold (nlu_fallback)
  out of scope   questions classified out_of_scope
  unhelpful      "No" to "Was this helpful?", per topic of the rated answer, with
                 the question that led to that answer

It reads conversations through Rasa's tracker store API (keys() and
retrieve_full_tracker()) rather than SQL: it then works with any tracker store,
and the events come back in order, as Rasa's own objects, which is what tying a
rating to its answer and question needs. One query per conversation is fine at
a curator's report scale.

The report shows message text: it is for the curators only. The retention
period (bot/retention.py) bounds what it can show.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.paths import DOMAIN, PROD_ENDPOINTS
from bot.retention import TrackerStoreError, cutoff, plural, tracker_store, utc

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sqlalchemy as sa
    from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered
    from rasa.shared.exceptions import RasaException

FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
UNHELPFUL = "feedback_unhelpful"
FEEDBACK = {"feedback_helpful", UNHELPFUL}
UNKNOWN_TOPIC = "(unknown topic)"
# How a topic chosen from a button (payload "/topic") shows next to the typed question.
VIA_BUTTON = "(then chose a topic button)"
TRAILING_PUNCTUATION = ".,;:!?…¿¡"


def normalise(text: Optional[str]) -> str:
    """One group per question however it was typed: lowercase, single spaces,
    no trailing sentence punctuation (brackets and quotes stay)."""
    return re.sub(r"\s+", " ", (text or "").lower()).strip().rstrip(TRAILING_PUNCTUATION + " ")


@dataclass
class Report:
    """The three lists, as counters of normalised questions."""

    conversations: int = 0  # with events in the period
    since: Optional[float] = None
    until: Optional[float] = None  # the dashboard's period ends here; the report's never does
    fallback: Counter = field(default_factory=Counter)
    out_of_scope: Counter = field(default_factory=Counter)
    unhelpful: Dict[str, Counter] = field(default_factory=dict)

    def recent(self, event: Event) -> bool:
        after_start = self.since is None or event.timestamp >= self.since
        return after_start and (self.until is None or event.timestamp < self.until)

    def add_unhelpful(self, topic: Optional[str], question: str) -> None:
        self.unhelpful.setdefault(topic or UNKNOWN_TOPIC, Counter())[question] += 1

    def as_dict(self) -> Dict[str, Any]:
        return {
            "conversations": self.conversations,
            "since": _iso(self.since) if self.since is not None else None,
            "fallback": _ranked(self.fallback),
            "out_of_scope": _ranked(self.out_of_scope),
            "unhelpful": [
                {"topic": topic, "count": sum(questions.values()), "questions": _ranked(questions)}
                for topic, questions in _topics_ranked(self.unhelpful)
            ],
        }


def _iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).isoformat(timespec="seconds")


def _ranked(counter: Counter) -> List[Dict[str, Any]]:
    """Most frequent first; ties alphabetically, so the report is stable."""
    return [{"question": q, "count": n} for q, n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))]


def _topics_ranked(topics: Dict[str, Counter]) -> List[Tuple[str, Counter]]:
    return sorted(topics.items(), key=lambda item: (-sum(item[1].values()), item[0]))


@dataclass
class _Walk:
    """What one conversation has said so far, as its events are replayed."""

    last_topic: Optional[str] = None
    question: str = ""  # what led to the answer on last_topic
    typed: str = ""  # the family's last typed message (not a button payload)
    latest: str = ""  # the last message that was not a rating
    pending: Optional[Tuple[Optional[str], str]] = None  # an unhelpful rating waiting for its answer_feedback


def _question_text(walk: _Walk, text: str) -> str:
    if not text.startswith("/"):
        return text
    return f"{normalise(walk.typed)} {VIA_BUTTON}" if walk.typed else VIA_BUTTON


def _settle(walk: _Walk, report: Report, topic: Optional[str] = None) -> None:
    """Files a pending unhelpful rating under the topic its answer_feedback names,
    else the last_topic it was given under."""
    if walk.pending:
        fallback_topic, question = walk.pending
        report.add_unhelpful(topic or fallback_topic, normalise(question))
        walk.pending = None


def _on_user(event: UserUttered, walk: _Walk, report: Report) -> None:
    _settle(walk, report)
    intent = (event.intent or {}).get("name")
    text = event.text or ""
    recent = report.recent(event)
    if recent and intent == FALLBACK:
        report.fallback[normalise(text)] += 1
    elif recent and intent == OUT_OF_SCOPE:
        report.out_of_scope[normalise(text)] += 1
    elif recent and intent == UNHELPFUL:
        walk.pending = (walk.last_topic, walk.question)
    if intent not in FEEDBACK:
        walk.latest = _question_text(walk, text)
        if not text.startswith("/"):
            walk.typed = text


def _on_slot(event: SlotSet, walk: _Walk, report: Report) -> None:
    if event.key == "last_topic":
        walk.last_topic, walk.question = event.value, walk.latest
    elif event.key == "answer_feedback" and isinstance(event.value, dict) and event.value.get("helpful") is False:
        _settle(walk, report, event.value.get("topic"))


def add_conversation(report: Report, events: Sequence[Event]) -> None:
    """Adds one conversation's fallbacks, out-of-scope questions and unhelpful ratings
    (it counts as a conversation of the period when any of its events is)."""
    report.conversations += any(report.recent(event) for event in events)
    walk = _Walk()
    for event in events:
        if isinstance(event, UserUttered):
            _on_user(event, walk, report)
        elif isinstance(event, SlotSet):
            _on_slot(event, walk, report)
        elif isinstance(event, SessionStarted):
            # Slots do not carry over to a new session (domain.yml).
            _settle(walk, report)
            walk = _Walk()
    _settle(walk, report)


async def _collect(store: TrackerStore, report: Report) -> None:
    for sender in sorted(await store.keys()):
        tracker = await store.retrieve_full_tracker(sender)
        if tracker is not None:
            add_conversation(report, list(tracker.events))


def build(store: TrackerStore, days: Optional[float] = None, now: Optional[float] = None) -> Report:
    """The report over every conversation, or over the last `days` days of events."""
    if isinstance(store, InMemoryTrackerStore):
        raise TrackerStoreError("the in-memory tracker store keeps nothing to report on")
    report = Report(since=None if days is None else cutoff(days, now))
    asyncio.run(_collect(store, report))
    return report


def _table(title: str, rows: List[Dict[str, Any]], indent: str = "  ") -> List[str]:
    lines = [f"{title}: {plural(sum(r['count'] for r in rows), 'message')}, {len(rows)} distinct"]
    lines += [f"{indent}{r['count']:>5}  {r['question'] or '(empty)'}" for r in rows] or [f"{indent}(none)"]
    return lines


def render(report: Report) -> str:
    """The plain-text report: one block per list, counts in the first column."""
    data = report.as_dict()
    scope = f"since {utc(report.since)}" if report.since is not None else "all time"
    lines = [f"Curators' report: {data['conversations']} conversations, {scope}", ""]
    lines += _table("Fell back (nlu_fallback)", data["fallback"]) + [""]
    lines += _table("Out of scope (out_of_scope)", data["out_of_scope"]) + [""]
    ratings = sum(t["count"] for t in data["unhelpful"])
    topics = plural(len(data["unhelpful"]), "topic")
    lines.append(f"Unhelpful answers (feedback_unhelpful): {plural(ratings, 'rating')}, {topics}")
    for topic in data["unhelpful"]:
        lines.append(f"  {topic['topic']}: {topic['count']}")
        lines += [f"    {r['count']:>5}  {r['question'] or '(no question)'}" for r in topic["questions"]]
    if not data["unhelpful"]:
        lines.append("  (none)")
    return "\n".join(lines)


def domain() -> Domain:
    """The project's domain, so that replayed trackers know its slots (Rasa's
    note that slot auto-fill is gone since 3.0 is for migrating 2.x domains)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return Domain.load(DOMAIN)


def command(days: Optional[int] = None, endpoints: Path = PROD_ENDPOINTS, as_json: bool = False) -> int:
    """`python -m bot report`: exit 0 on success, 2 with a one-line reason otherwise."""
    try:
        if days is not None and days < 1:
            raise ValueError(f"--days must be at least 1 (got {days})")
        store = tracker_store(endpoints, domain())
        report = build(store, days)
    except (ValueError, TrackerStoreError, RasaException, sa.exc.SQLAlchemyError) as error:
        print(f"report: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) if as_json else render(report))
    return 0
