"""Turns knowledge-base content into the assistant's messages. Every answer
is built here, so that each one carries its sources and ends with the urge to
consult the treating doctor, whichever action sends it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.knowledge import Addition, KnowledgeBase, Topic

# Where a follow-up names something the last topic has nothing on, the topic
# that the sources do say something about for that kind of entity.
DEFAULT_TOPIC = {"body_site": "affected_sites", "age_group": "who_is_affected"}
# The topics offered when nothing better is known: the questions families ask first.
STARTER_TOPICS = (
    "what_is_crmo",
    "symptoms",
    "diagnosis",
    "treatment",
    "course_prognosis",
    "affected_sites",
    "is_it_infectious",
    "daily_life",
)

Button = Dict[str, str]


@dataclass
class Answer:
    topic: Topic
    text: str
    sources: Tuple[str, ...]
    notes: List[str] = field(default_factory=list)


def unique(items: Iterable[str]) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def topic_buttons(kb: KnowledgeBase, topic_ids: Sequence[str]) -> List[Button]:
    """Quick replies whose payload triggers the topic's intent directly."""
    return [{"title": kb.topics[t].title, "payload": f"/{t}"} for t in topic_ids]


def helpful_buttons(kb: KnowledgeBase) -> List[Button]:
    return [
        {"title": kb.messages["button_helpful_yes"], "payload": "/feedback_helpful"},
        {"title": kb.messages["button_helpful_no"], "payload": "/feedback_unhelpful"},
    ]


# Short citations shown under an answer; the rest come with "where is that from?".
MAX_SHORT_CITATIONS = 3


def source_lines(kb: KnowledgeBase, keys: Sequence[str]) -> str:
    shown = kb.cite(tuple(keys[:MAX_SHORT_CITATIONS]))
    label = kb.messages["source_one" if len(keys) == 1 else "source_many"]
    line = f"{label} " + "; ".join(ref.short() for ref in shown)
    hidden = len(keys) - len(shown)
    if hidden:
        line += "; " + kb.messages["sources_more"].format(count=hidden)
    return line


def with_sources(kb: KnowledgeBase, body: str, keys: Sequence[str]) -> str:
    """An answer as sent: the text, its short citations, the consult urge last."""
    # One message: single line breaks, since channels split a text on blank lines.
    return f"{body}\n{source_lines(kb, keys)}\n{kb.messages['consult']}"


def _additions(topic: Topic, entities: Sequence[Tuple[str, str]]) -> List[Tuple[str, Addition]]:
    found: List[Tuple[str, Addition]] = []
    for etype, value in entities:
        addition = topic.addition_for(etype, value)
        if addition and addition not in [a for _, a in found]:
            found.append((value, addition))
    return found


def topic_with_addition(kb: KnowledgeBase, etype: str, value: str) -> Optional[Topic]:
    """The topic to answer a bare "what about X?" when the last topic has nothing on X."""
    preferred = DEFAULT_TOPIC.get(etype)
    if preferred and kb.topics[preferred].addition_for(etype, value):
        return kb.topics[preferred]
    return next((t for t in kb.topics.values() if t.addition_for(etype, value)), None)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def join_texts(texts: Iterable[str]) -> str:
    """Texts joined into one, each sentence once: a safety line that both an answer
    and its addition carry ("Prescribed antibiotics should never be stopped...")
    is said once, where it comes last, so that it closes what it qualifies."""
    sentences = [s for text in texts for s in _SENTENCE_END.split(" ".join(text.split())) if s]
    return " ".join(reversed(dict.fromkeys(reversed(sentences))))


def answer(kb: KnowledgeBase, topic: Topic, entities: Sequence[Tuple[str, str]]) -> Answer:
    """The topic's answer, followed by what the sources say on each named entity."""
    extra = _additions(topic, entities)
    text = join_texts([topic.answer, *(a.text for _, a in extra)])
    sources = unique([*topic.sources, *(k for _, a in extra for k in a.sources)])
    return Answer(topic, text, sources)


def follow_up(kb: KnowledgeBase, last_topic: Optional[str], entities: Sequence[Tuple[str, str]]) -> Optional[Answer]:
    """ "And in the spine?" right after an answer: the last topic's addition for
    that entity; else another topic that has one; None when nothing fits."""
    if last_topic in kb.topics:
        topic = kb.topics[last_topic]
        extra = _additions(topic, entities)
        if extra:
            text = join_texts(a.text for _, a in extra)
            return Answer(topic, text, unique(k for _, a in extra for k in a.sources))
    for etype, value in entities:
        other = topic_with_addition(kb, etype, value)
        if other:
            reply = answer(kb, other, [(etype, value)])
            if last_topic in kb.topics:
                reply.notes.append(kb.messages["no_addition"].format(entity=kb.name_of(value)))
            return reply
    if last_topic in kb.topics:
        return answer(kb, kb.topics[last_topic], entities)
    return None


def closest_topics(kb: KnowledgeBase, ranking: Sequence[dict], count: int = 4) -> List[str]:
    """The faq topics the classifier ranked highest, padded with starter topics."""
    ranked = [str(r["name"]) for r in ranking if r.get("name") in kb.topics]
    return list(unique([*ranked[:count], *STARTER_TOPICS]))[: max(count, 3)]


def full_citations(kb: KnowledgeBase, keys: Sequence[str], reviewed: Optional[str]) -> str:
    lines = [kb.messages["sources_intro"]]
    lines += [f"{n}. {ref.full()}" for n, ref in enumerate(kb.cite(tuple(keys)), start=1)]
    if reviewed:
        lines.append(f"{kb.messages['reviewed']} {reviewed}.")
    return "\n".join([*lines, kb.messages["consult"]])
