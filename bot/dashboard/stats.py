"""The dashboard's figures for one period, from whole conversations (Rasa's
events) and the questions passed to the team.

A conversation counts for a day when the family wrote that day; it reached a
red flag when the safety layer marked one of its messages in the period (or
the classifier recognised one). Unhelpful ratings are tied to their topic the
way the curators' report ties them (bot/curation.py). Questions that fell back
or were out of scope are grouped by the topic the classifier thought closest,
so that a curator sees where the knowledge base falls short, with examples."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from rasa.shared.core.events import Event, SlotSet, UserUttered

from bot import curation
from bot.nlu import RED_FLAG, SAFETY_ENTITY
from bot.team_questions import TeamQuestion

DAY = datetime.timedelta(days=1)
NO_TOPIC = "(no close topic)"
MAX_EXAMPLES = 3
UNANSWERED = {curation.FALLBACK: "fell back", curation.OUT_OF_SCOPE: "out of scope"}


def utc_day(timestamp: float) -> datetime.date:
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).date()


def day_start(day: datetime.date) -> float:
    return datetime.datetime.combine(day, datetime.time(), datetime.timezone.utc).timestamp()


@dataclass(frozen=True)
class Period:
    """From the start of `first` to the end of `last` (UTC days, both included)."""

    first: datetime.date
    last: datetime.date

    @property
    def start(self) -> float:
        return day_start(self.first)

    @property
    def end(self) -> float:
        return day_start(self.last + DAY)

    def days(self) -> List[datetime.date]:
        return [self.first + n * DAY for n in range((self.last - self.first).days + 1)]

    def holds(self, timestamp: float) -> bool:
        return self.start <= timestamp < self.end


@dataclass(frozen=True)
class Day:
    day: datetime.date
    conversations: int
    messages: int


@dataclass(frozen=True)
class Unanswered:
    """Questions that fell back or were out of scope, near one topic."""

    kind: str  # "fell back" or "out of scope"
    topic: str
    count: int
    examples: Tuple[str, ...]


@dataclass
class Dashboard:
    period: Period
    days: List[Day] = field(default_factory=list)
    conversations: int = 0
    red_flag_conversations: int = 0
    topics: List[Tuple[str, int]] = field(default_factory=list)  # (topic title, answers), most first
    unhelpful: List[Tuple[str, int]] = field(default_factory=list)  # (topic title, ratings), most first
    unanswered: List[Unanswered] = field(default_factory=list)
    questions: List[TeamQuestion] = field(default_factory=list)

    @property
    def red_flag_share(self) -> float:
        return self.red_flag_conversations / self.conversations if self.conversations else 0.0

    @property
    def open_questions(self) -> List[TeamQuestion]:
        return [q for q in self.questions if not q.answered]


def _marked_red_flag(event: UserUttered) -> bool:
    entities = event.parse_data.get("entities") or []
    if any(e.get("entity") == SAFETY_ENTITY and e.get("value") == RED_FLAG for e in entities):
        return True
    return (event.intent or {}).get("name") == "urgent_symptoms"


def _closest_topic(event: UserUttered, titles: Dict[str, str]) -> str:
    for guess in event.parse_data.get("intent_ranking") or []:
        if guess.get("name") in titles:
            return titles[guess["name"]]
    return NO_TOPIC


def _ranked(counter: Counter) -> List[Tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


class _Tally:
    def __init__(self, period: Period, titles: Dict[str, str]) -> None:
        self.period = period
        self.titles = titles
        self.messages: Counter = Counter()
        self.active: Dict[datetime.date, Set[int]] = defaultdict(set)
        self.conversations = 0
        self.red_flags = 0
        self.topics: Counter = Counter()
        self.unanswered: Dict[Tuple[str, str], Counter] = defaultdict(Counter)
        self.report = curation.Report(since=period.start, until=period.end)

    def add(self, index: int, events: Sequence[Event]) -> None:
        in_period = [e for e in events if self.period.holds(e.timestamp)]
        if not in_period:
            return
        self.conversations += 1
        red_flag = False
        for event in in_period:
            if isinstance(event, UserUttered):
                day = utc_day(event.timestamp)
                self.messages[day] += 1
                self.active[day].add(index)
                red_flag = red_flag or _marked_red_flag(event)
                kind = UNANSWERED.get((event.intent or {}).get("name") or "")
                if kind:
                    key = (kind, _closest_topic(event, self.titles))
                    self.unanswered[key][curation.normalise(event.text)] += 1
            elif isinstance(event, SlotSet) and event.key == "last_topic" and event.value in self.titles:
                self.topics[self.titles[event.value]] += 1
        self.red_flags += red_flag
        curation.add_conversation(self.report, list(events))

    def dashboard(self, questions: Iterable[TeamQuestion]) -> Dashboard:
        unhelpful = Counter(
            {self.titles.get(topic, topic): sum(found.values()) for topic, found in self.report.unhelpful.items()}
        )
        unanswered = [
            Unanswered(kind, topic, sum(found.values()), tuple(q for q, _ in _ranked(found)[:MAX_EXAMPLES]))
            for (kind, topic), found in self.unanswered.items()
        ]
        unanswered.sort(key=lambda group: (-group.count, group.kind, group.topic))
        return Dashboard(
            period=self.period,
            days=[Day(d, len(self.active.get(d, ())), self.messages.get(d, 0)) for d in self.period.days()],
            conversations=self.conversations,
            red_flag_conversations=self.red_flags,
            topics=_ranked(self.topics),
            unhelpful=_ranked(unhelpful),
            unanswered=unanswered,
            questions=sorted(questions, key=lambda q: (q.answered, q.asked_at)),
        )


def build(
    conversations: Iterable[Sequence[Event]],
    questions: Iterable[TeamQuestion],
    period: Period,
    titles: Dict[str, str],
) -> Dashboard:
    """`titles`: topic id -> the title curators know it by."""
    tally = _Tally(period, titles)
    for index, events in enumerate(conversations):
        tally.add(index, events)
    return tally.dashboard(questions)


def parse_period(first: Optional[str], last: Optional[str], today: datetime.date, default_days: int = 30) -> Period:
    """The period a curator asked for (YYYY-MM-DD, both days included); by
    default the last `default_days` days. Raises ValueError, saying what to fix."""
    try:
        end = datetime.date.fromisoformat(last) if last else today
        start = datetime.date.fromisoformat(first) if first else end - (default_days - 1) * DAY
    except ValueError:
        raise ValueError("dates must be written as YYYY-MM-DD") from None
    if start > end:
        raise ValueError("the first day must not be after the last day")
    if (end - start).days >= 366:
        raise ValueError("choose a period of at most 366 days")
    return Period(start, end)
