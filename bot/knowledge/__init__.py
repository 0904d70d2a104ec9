"""The curated knowledge base: the one place where a topic's answer, sources and
follow-ups live. Everything else (domain, NLU labels, actions) is checked
against what this module loads, so a mistake here stops the build with a
message naming the file and the topic."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent
ENTITY_TYPES = ("body_site", "medication", "age_group")
# The languages the assistant answers in, the first the default: every topic
# and every message has a text in each.
LANGUAGES = ("en", "de")


def answered_language(code: object) -> Optional[str]:
    """ "de", "de-AT", "de_CH" or "DE" -> "de"; None for a language the assistant
    does not answer in (or no language at all)."""
    base = str(code or "").replace("_", "-").split("-")[0].strip().lower()
    return base if base in LANGUAGES else None


def turn_language(marked: Iterable[object], channel: object, conversation: object, default: str) -> str:
    """The language a turn is answered in: the message's own (the NLU pipeline's
    `reply_language` entities, `marked`), else its channel's (the metadata's
    `language`), else the conversation's (the `reply_language` slot), else
    `default`. One rule for the action server and for the Rasa server's own
    apologies."""
    for code in (*marked, channel, conversation):
        language = answered_language(code)
        if language:
            return language
    return default


# How a reference without a PMID or DOI is marked wherever it is shown.
URL_ONLY = "web link only, no PMID or DOI"


class KnowledgeError(ValueError):
    """A curated file is wrong; the message names the file and the topic."""

    def __init__(self, path: Path, topic: Optional[str], problem: str) -> None:
        where = f"{path}" + (f" [topic {topic}]" if topic else "")
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.topic = topic


@dataclass(frozen=True)
class Reference:
    key: str
    authors: str
    title: str
    journal: str
    year: int
    details: str
    pmid: Optional[str]
    doi: Optional[str]
    url: str
    note: Optional[str] = None

    @property
    def identified(self) -> bool:
        """Has a PMID or DOI; a reference without one (a hospital page, a congress
        abstract) is cited by its URL and marked as such wherever it is shown."""
        return bool(self.pmid or self.doi)

    @property
    def link(self) -> str:
        """PubMed where a PMID is verified, else the DOI, else the sheet's URL."""
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url

    def short(self) -> str:
        """`[Khanna G et al., Radiographics 2009](<link>)`: the form shown under an
        answer, a link that each channel renders its own way (bot/channels/render.py)."""
        names = [n.strip() for n in self.authors.replace(" et al", ", et al").split(",") if n.strip()]
        if len(names) == 2 and names[1] != "et al":
            who = f"{names[0]} & {names[1]}"
        else:
            who = names[0] + (" et al." if len(names) > 1 else "")
        return f"[{who}, {self.journal} {self.year}]({self.link})" + ("" if self.identified else f" ({URL_ONLY})")

    def full(self) -> str:
        """The whole record as "where is that from?" shows it: every identifier, the
        link, and the fact sheet's caveats about the record (an author list from
        memory, a figure read in a secondary summary), so that nobody takes an
        unverified detail for a checked one."""
        ids = [f"PMID: {self.pmid}"] if self.pmid else []
        ids += [f"DOI: {self.doi}"] if self.doi else []
        parts = [self.authors, self.title, self.journal, self.details, *(ids or [URL_ONLY])]
        text = ". ".join(part.rstrip(".") for part in parts) + f". {self.link}"
        return text + (f" (Caveat: {self.note}.)" if self.note else "")


@dataclass(frozen=True)
class Addition:
    """What the sources say about one body site, drug or age group within a topic."""

    when: Mapping[str, Tuple[str, ...]]
    text: str
    sources: Tuple[str, ...]

    def matches(self, entity_type: str, value: str) -> bool:
        return value in self.when.get(entity_type, ())


@dataclass(frozen=True)
class GermanText:
    """A topic's texts in German, beside the English in the same file: the
    button title, the answer and one text per addition, in the additions' order
    (their `when` and `sources` are the English ones'). References stay as
    published, in English."""

    title: str
    answer: str
    additions: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    answer: str
    sources: Tuple[str, ...]
    reviewed: dt.date
    related: Tuple[str, ...] = ()
    additions: Tuple[Addition, ...] = ()
    german: GermanText = GermanText("", "")

    def addition_for(self, entity_type: str, value: str) -> Optional[Addition]:
        return next((a for a in self.additions if a.matches(entity_type, value)), None)


@dataclass
class KnowledgeBase:
    topics: Dict[str, Topic]
    references: Dict[str, Reference]
    entities: Dict[str, Dict[str, List[str]]]
    messages: Dict[str, str]
    catalogue: dict = field(repr=False, default_factory=dict)
    # the same keys as `messages`, in German (messages.de.yml)
    messages_de: Dict[str, str] = field(default_factory=dict)
    said_as: Dict[str, str] = field(default_factory=dict)
    said_as_de: Dict[str, str] = field(default_factory=dict)
    # language code -> "I answer in English and German only; emergency: 112", in that language
    other_languages: Dict[str, str] = field(default_factory=dict)
    # the language of the texts above (`in_language` gives the others)
    language: str = LANGUAGES[0]

    @property
    def faq_ids(self) -> List[str]:
        return list(self.catalogue["faq"])

    @property
    def behaviour_ids(self) -> List[str]:
        return list(self.catalogue["behaviour"])

    def cite(self, keys: Tuple[str, ...]) -> List[Reference]:
        return [self.references[k] for k in keys]

    def name_of(self, value: str) -> str:
        """How an answer names an entity value in a sentence."""
        return self.said_as.get(value, value)

    def in_language(self, language: str) -> KnowledgeBase:
        """The same knowledge with the texts of `language` in place of the English
        ones (titles, answers, additions, messages, names of entity values): what
        an action composes from needs no language of its own. Sources, related
        topics and the additions' conditions are shared."""
        if language == LANGUAGES[0]:
            return self
        if language != "de":
            raise ValueError(f"no texts in {language!r}: the assistant answers in {', '.join(LANGUAGES)}")
        topics = {
            topic_id: dataclasses.replace(
                topic,
                title=topic.german.title,
                answer=topic.german.answer,
                additions=tuple(
                    dataclasses.replace(addition, text=text)
                    for addition, text in zip(topic.additions, topic.german.additions, strict=True)
                ),
            )
            for topic_id, topic in self.topics.items()
        }
        return dataclasses.replace(
            self, topics=topics, messages=self.messages_de, said_as=self.said_as_de, language=language
        )


def _read_yaml(path: Path) -> Any:  # whatever the YAML holds; each caller checks its shape
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise KnowledgeError(path, None, f"cannot be read: {error}") from error


def _load_references(path: Path) -> Dict[str, Reference]:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise KnowledgeError(path, None, "must map reference keys to records")
    refs = {}
    for key, rec in raw.items():
        if not isinstance(rec, dict):
            raise KnowledgeError(path, None, f"reference {key!r} must be a mapping")
        missing = [f for f in ("authors", "title", "journal", "year", "url") if not rec.get(f)]
        if missing:
            raise KnowledgeError(path, None, f"reference {key!r} lacks {', '.join(missing)}")
        if not str(rec["url"]).startswith(("https://", "http://")):
            raise KnowledgeError(path, None, f"reference {key!r} needs a web address in `url` (http or https)")
        refs[key] = Reference(
            key=key,
            authors=rec["authors"],
            title=rec["title"],
            journal=rec["journal"],
            year=int(rec["year"]),
            details=str(rec.get("details") or rec["year"]),
            pmid=str(rec["pmid"]) if rec.get("pmid") else None,
            doi=rec.get("doi"),
            url=rec["url"],
            note=rec.get("note"),
        )
    return refs


def _source_keys(path: Path, topic: str, raw: object, refs: Mapping[str, Reference]) -> Tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise KnowledgeError(path, topic, "needs at least one reference in `sources`")
    unknown = [k for k in raw if k not in refs]
    if unknown:
        raise KnowledgeError(path, topic, f"unknown reference key(s): {', '.join(map(str, unknown))}")
    return tuple(raw)


def _load_addition(path: Path, topic: str, raw: dict, refs, entities) -> Addition:
    when = raw.get("when")
    if not isinstance(when, dict) or not when:
        raise KnowledgeError(path, topic, "an addition needs `when: {entity_type: [values]}`")
    clean = {}
    for etype, values in when.items():
        if etype not in ENTITY_TYPES:
            raise KnowledgeError(path, topic, f"addition for unknown entity type {etype!r}")
        values = [values] if isinstance(values, str) else list(values)
        unknown = [v for v in values if v not in entities[etype]]
        if unknown:
            raise KnowledgeError(path, topic, f"addition for unknown {etype} value(s): {', '.join(unknown)}")
        clean[etype] = tuple(values)
    text = (raw.get("text") or "").strip()
    if not text:
        raise KnowledgeError(path, topic, "an addition has no text")
    return Addition(when=clean, text=text, sources=_source_keys(path, topic, raw.get("sources"), refs))


def _flat(text: object) -> str:
    return " ".join(str(text or "").split())


def _load_german(path: Path, topic: str, raw: object, additions: int) -> GermanText:
    """The `de:` block: a German title and answer, and as many addition texts as
    the topic has additions. A topic without them is refused: a German-speaking
    family would otherwise get a gap where the English has an answer."""
    if not isinstance(raw, dict):
        raise KnowledgeError(path, topic, "has no German texts: add `de:` with `title`, `answer` and `additions`")
    title, answer = _flat(raw.get("title")), _flat(raw.get("answer"))
    if not title or not answer:
        raise KnowledgeError(path, topic, "`de:` needs both a German `title` and a German `answer`")
    texts = tuple(_flat(t) for t in raw.get("additions") or ())
    if len(texts) != additions or not all(texts):
        problem = f"`de: additions` has {len(texts)} text(s) for {additions} addition(s); give one per addition"
        raise KnowledgeError(path, topic, problem + ", in the same order")
    return GermanText(title=title, answer=answer, additions=texts)


def _load_topic(path: Path, known_ids: List[str], refs, entities) -> Topic:
    raw = _read_yaml(path)
    topic_id = path.stem
    if not isinstance(raw, dict):
        raise KnowledgeError(path, topic_id, "must be a mapping")
    if raw.get("id") != topic_id:
        raise KnowledgeError(path, topic_id, f"`id` must equal the file name, found {raw.get('id')!r}")
    if topic_id not in known_ids:
        raise KnowledgeError(
            path, topic_id, "is not a faq topic of the project's catalogue (bot/knowledge/catalogue.yml)"
        )
    answer = (raw.get("answer") or "").strip()
    if not answer:
        raise KnowledgeError(path, topic_id, "has no answer")
    title = (raw.get("title") or "").strip()
    if not title:
        raise KnowledgeError(path, topic_id, "has no short `title` for buttons")
    reviewed = raw.get("reviewed")
    if not isinstance(reviewed, dt.date):
        raise KnowledgeError(path, topic_id, "needs `reviewed: YYYY-MM-DD`")
    related = tuple(raw.get("related") or ())
    stray = [r for r in related if r not in known_ids or r == topic_id]
    if stray:
        raise KnowledgeError(path, topic_id, f"`related` names unknown topic(s): {', '.join(stray)}")
    additions = tuple(_load_addition(path, topic_id, a, refs, entities) for a in (raw.get("additions") or ()))
    return Topic(
        id=topic_id,
        title=title,
        answer=" ".join(answer.split()),
        sources=_source_keys(path, topic_id, raw.get("sources"), refs),
        reviewed=reviewed,
        related=related,
        additions=additions,
        german=_load_german(path, topic_id, raw.get("de"), len(additions)),
    )


SAID_AS = "said_as"
SAID_AS_DE = "said_as_de"


def read_entities(directory: Path = KNOWLEDGE_DIR) -> Dict[str, Dict[str, List[str]]]:
    """entity type -> canonical value -> the other words for it."""
    raw = dict(_read_yaml(directory / "entities.yml"))
    raw.pop(SAID_AS, None)
    raw.pop(SAID_AS_DE, None)
    unknown = set(raw) - set(ENTITY_TYPES)
    if unknown:
        raise KnowledgeError(directory / "entities.yml", None, f"unknown entity type(s) {sorted(unknown)}")
    return {etype: {str(v): list(words or []) for v, words in values.items()} for etype, values in raw.items()}


def read_said_as(directory: Path = KNOWLEDGE_DIR, key: str = SAID_AS) -> Dict[str, str]:
    """Canonical value -> how an answer names it in a sentence ("mandible" -> "the
    jaw"); with `key=SAID_AS_DE` in German, where every value needs one."""
    raw = _read_yaml(directory / "entities.yml").get(key) or {}
    known = {value for values in read_entities(directory).values() for value in values}
    stray = sorted(set(raw) - known)
    if stray:
        problem = f"`{key}` names unknown value(s): {', '.join(stray)}"
        raise KnowledgeError(directory / "entities.yml", None, problem)
    missing = sorted(known - set(raw)) if key == SAID_AS_DE else []
    if missing:
        problem = f"`{key}` has no German name for: {', '.join(missing)}"
        raise KnowledgeError(directory / "entities.yml", None, problem)
    return {str(k): str(v) for k, v in raw.items()}


def load(directory: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    """Reads and validates the whole knowledge base; raises KnowledgeError."""
    catalogue = _read_yaml(directory / "catalogue.yml")
    faq_ids = list(catalogue["faq"])
    refs = _load_references(directory / "references.yml")
    entities = read_entities(directory)
    topics = {}
    for path in sorted((directory / "topics").glob("*.yml")):
        topic = _load_topic(path, faq_ids, refs, entities)
        topics[topic.id] = topic
    missing = [t for t in faq_ids if t not in topics]
    if missing:
        raise KnowledgeError(directory / "topics", None, f"no answer for topic(s): {', '.join(missing)}")
    for topic in topics.values():
        if set(topic.related) - set(topics):
            raise KnowledgeError(directory / "topics" / f"{topic.id}.yml", topic.id, "related topic missing")
    messages = _read_yaml(directory / "messages.yml")
    messages_de = _read_yaml(directory / "messages.de.yml")
    if list(messages_de) != list(messages):
        gap = sorted(set(messages) ^ set(messages_de))
        problem = f"must have the keys of messages.yml in the same order (differs: {', '.join(gap) or 'the order'})"
        raise KnowledgeError(directory / "messages.de.yml", None, problem)
    return KnowledgeBase(
        topics={t: topics[t] for t in faq_ids},
        references=refs,
        entities=entities,
        messages={k: _flat(v) for k, v in messages.items()},
        messages_de={k: _flat(v) for k, v in messages_de.items()},
        catalogue=catalogue,
        said_as=read_said_as(directory),
        said_as_de=read_said_as(directory, SAID_AS_DE),
        other_languages={str(k): str(v) for k, v in (_read_yaml(directory / "languages.yml") or {}).items()},
    )


@lru_cache(maxsize=1)
def _english() -> KnowledgeBase:
    return load()


@lru_cache(maxsize=len(LANGUAGES))
def knowledge(language: str = LANGUAGES[0]) -> KnowledgeBase:
    """The validated knowledge base in `language`, read once per process."""
    return _english().in_language(language)
