"""The deterministic half of the safety layer: spaCy Matcher patterns, kept as
data in bot/knowledge/safety_patterns.yml, that find red flags and requests for
individual advice in a message, whatever the classifier made of it. A learned
classifier misses some of these (a red flag told without "my", a temperature in
Fahrenheit, a dose question dressed up as a school project); a missed red flag
is the one error this assistant must not make, so both run and either counts.

It works on the project's own spaCy pipeline (lower-cased text, lookup lemmas,
the entity ruler's drug names), with no parser: negation, "long ago" and
general questions are found by looking at the words around a match."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import AbstractSet, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

import yaml
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from bot.knowledge import KNOWLEDGE_DIR

PATTERNS_FILE = KNOWLEDGE_DIR / "safety_patterns.yml"
# How far back a negation word reaches ("no numbness or weakness in his legs").
NEGATION_REACH = 6
# The rules that read a number as a temperature, so "40 kg" or "39 years" is none
# (other rules read numbers too: "sats 89 %" is no temperature, and counts).
TEMPERATURE_RULES = {"high_fever", "fever_on_immunosuppressant"}
# The sections of safety_patterns.yml that are no rule but the context a red flag is
# told in (asked in general, long past, denied, ...) or, for what_to_do_now, the words
# beside a red flag that the urgent reply answers (no advice request then).
CONTEXT_KINDS = (
    "general_question",
    "general_message",
    "impersonal",
    "long_ago",
    "ongoing",
    "hypothetical",
    "conditional",
    "now",
    "denial",
    "what_to_do_now",
)
SENTENCE_END = {".", "!", "?", ";", "\n"}
CLAUSE_PUNCTUATION = SENTENCE_END | {",", ":", "(", ")"}
CLAUSE_BREAK = CLAUSE_PUNCTUATION | {"but", "though", "although", "however"}
ANSWERED_NO = {"no", "none", "nope", "nah", "nil", "negative"}
# Words that open a new clause when there is no punctuation, as in messages typed
# in a hurry ("i cant take it anymore i want to die", "she doesnt eat she has a
# seizure"): the negation of the clause before does not reach past them.
NEW_SUBJECT = frozenset({"i", "he", "she", "we", "they", "you", "u", "my", "our"})
# Words that open a second verb phrase after "and" (`_starts_a_verb_phrase`).
COORDINATED_VERB = frozenset(
    {"is", "was", "has", "had", "keeps", "kept", "started", "starts", "now", "then", "suddenly"}
)


# A pattern word is compared with the token's lemma, except for the words the
# lookup lemmatizer gets wrong for this purpose ("number" -> "numb", "'s" -> "have"):
# `check` writes that form into spaCy's NORM, which the Matcher reads at C speed
# (the safety layer runs last, after every featurizer has read the document).
FORM = "NORM"
# The same, but "&medication" for a word the entity ruler marked as a drug, for
# the few patterns that name drugs among other words ("stop|skip *3 &medication|meds").
CLASS = "safety_class"
DRUG = "&medication"


class SafetyPatternError(ValueError):
    """safety_patterns.yml is wrong; the message names the rule and the pattern."""


@dataclass(frozen=True)
class Finding:
    """What the safety layer found in one message: the names of the red-flag and
    advice rules that fired, and whether the message is a general question."""

    red_flags: Tuple[str, ...] = ()
    advice: Tuple[str, ...] = ()
    general_question: bool = False
    # a red flag that the message denies ("no fever"), or tells as long past or
    # asks about in general, and none that it affirms
    denied_red_flag: bool = False
    asks_a_question: bool = False
    # "what should we do?" beside a red flag, which the urgent reply answers
    asks_what_to_do: bool = False
    negative_tone: bool = False
    thanks: bool = False


@dataclass(frozen=True)
class _Rule:
    kind: str  # "red_flags", "advice", or a kind of context: "general_question", "long_ago", ...
    name: str
    personal: bool
    all_of: Tuple[str, ...]
    unless: str = ""  # a word list: a match in a clause with one of its words does not count
    unless_in_message: str = ""  # a word list: a match in a message with one of its words does not count


class SafetyPatterns:
    """Compiled patterns; `check(doc)` is all a caller needs."""

    def __init__(self, nlp: Language, path: Path = PATTERNS_FILE) -> None:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        self._nlp = nlp
        self._as_written = {str(w).lower() for w in raw.get("keep_as_written") or ()}
        # Set once per message in `check` (a getter would run for every pattern token).
        Token.set_extension(CLASS, default=None, force=True)
        self._lemmatizer = nlp.get_pipe("lemmatizer")
        for name, words in raw["words"].items():
            odd = [w for w in words if isinstance(w, bool) or not isinstance(w, str | int)]
            if odd:  # YAML reads a bare no, yes, on or off as true/false
                raise SafetyPatternError(f"{path}: word list `{name}`: quote {odd} (YAML reads it as {odd[0]!r})")
        self._words: Dict[str, Set[str]] = {name: self._lemmas(words) for name, words in raw["words"].items()}
        self._shapes = {name: str(regex) for name, regex in raw["shapes"].items()}
        for needed in ("not", "person", "not_temperature"):
            if needed not in self._words:
                raise SafetyPatternError(f"{path}: the word list `{needed}` is missing")
        self._patterns: List[Tuple[str, List[dict]]] = []
        self._rules: Dict[str, _Rule] = {}
        self._own_negation: Set[str] = set()
        for kind in ("red_flags", "advice"):
            for name, spec in raw[kind].items():
                self._add_rule(kind, name, spec)
        for kind in CONTEXT_KINDS:
            self._add_rule(kind, kind, raw.get(kind) or [])
        self._order = {key: number for number, (key, _) in enumerate(self._patterns)}
        self._matchers = MatchersByWord(nlp, self._patterns)

    # ---- compiling ------------------------------------------------------------------
    def _lemmas(self, words: Iterable[object]) -> Set[str]:
        """The words and their lemmas as the pipeline makes them ("does" -> "doe")."""
        found: Set[str] = set()
        for word in words:
            text = str(word).lower()
            found.add(text)
            doc = self._nlp.make_doc(text)
            if len(doc) == 1 and text not in self._as_written:
                found.add(self._lemmatizer(doc)[0].lemma_)
        return found

    def _add_rule(self, kind: str, name: str, spec: object) -> None:
        if isinstance(spec, list):
            spec = {"patterns": spec}
        if not isinstance(spec, dict):
            raise SafetyPatternError(f"rule {kind}/{name}: a list of patterns or a mapping")
        all_of = tuple(spec.get("all_of") or ())
        unless = str(spec.get("unless") or "")
        unless_in_message = str(spec.get("unless_in_message") or "")
        unknown = [w for w in (*all_of, unless, unless_in_message) if w and w not in self._words]
        if unknown:
            raise SafetyPatternError(f"rule {kind}/{name}: unknown word list(s) {unknown}")
        self._rules[name] = _Rule(kind, name, bool(spec.get("personal")), all_of, unless, unless_in_message)
        for number, line in enumerate(spec.get("patterns") or ()):
            key = f"{name}#{number}"
            tokens, negative = self._compile(str(line), f"{kind}/{name}")
            self._patterns.append((key, tokens))
            if negative:
                self._own_negation.add(key)
        if not all_of and not spec.get("patterns"):
            raise SafetyPatternError(f"rule {kind}/{name}: needs `patterns` or `all_of`")

    def _compile(self, line: str, where: str) -> Tuple[List[dict], bool]:
        """One pattern line -> spaCy token patterns, and whether it names a negation
        itself ("can not walk"), which then is no reason to discard the match."""
        tokens: List[dict] = []
        negative = False
        for spec in line.split():
            if re.fullmatch(r"\*\d", spec):  # any word, or a hyphen or apostrophe, but no clause break
                tokens += [{"TEXT": {"NOT_IN": sorted(CLAUSE_PUNCTUATION)}, "OP": "?"}] * int(spec[1:])
                continue
            optional = spec.startswith("?")
            spec = spec.lstrip("?")
            if not spec or "?" in spec or "*" in spec:
                raise SafetyPatternError(
                    f"{where}: {spec!r} in {line!r}: write `?word` for an optional word, `*N` for a gap"
                )
            if spec == DRUG:
                token: dict = {"ENT_TYPE": "medication", "OP": "+"}
            elif spec.startswith("~"):
                if spec[1:] not in self._shapes:
                    raise SafetyPatternError(f"{where}: unknown shape {spec!r} in {line!r}")
                token = {"TEXT": {"REGEX": self._shapes[spec[1:]]}}
            else:
                if spec.startswith("@"):
                    if spec[1:] not in self._words:
                        raise SafetyPatternError(f"{where}: unknown word list {spec!r} in {line!r}")
                    words = self._words[spec[1:]]
                else:
                    words = self._lemmas(spec.split("|"))
                negative = negative or bool(words & self._words["not"])
                # a drug among other words: compared by class, where drugs are one word
                words_in = {"IN": sorted(words)}
                token = {"_": {CLASS: words_in}} if DRUG in words else {FORM: words_in}
            if optional:
                token["OP"] = "?"
            tokens.append(token)
        if not tokens:
            raise SafetyPatternError(f"{where}: an empty pattern")
        return tokens, negative

    # ---- checking -----------------------------------------------------------------------
    def _set_forms(self, doc: Doc) -> List[str]:
        forms = []
        for token in doc:
            form = token.lower_ if token.lower_ in self._as_written else token.lemma_
            token.norm_ = form
            token._.set(CLASS, DRUG if token.ent_type_ == "medication" else form)
            forms.append(form)
        return forms

    def check(self, doc: Doc) -> Finding:
        forms = self._set_forms(doc)
        fired: Dict[str, List[Span]] = {}
        strings = self._nlp.vocab.strings
        # in the order of the text, then of the patterns in the file
        matches = sorted(
            (
                (start, self._order[strings[match_id]], end, strings[match_id])
                for match_id, start, end in self._matchers(doc)
            ),
        )
        for start, _, end, key in matches:
            fired.setdefault(key, []).append(doc[start:end])

        def spans(kind: str) -> List[Tuple[str, Span]]:
            return [(k, s) for k, found in fired.items() if self._rules[k.split("#")[0]].kind == kind for s in found]

        personal = any(form in self._words["person"] for form in forms)
        now = bool(spans("now"))
        clause = _clause_ids(doc)
        sentence = _sentence_ids(doc)
        # A general question holds back the red flags of its own sentence only:
        # "is it common for kids to pass out? just collapsed in the kitchen" tells one.
        impersonal = bool(spans("impersonal")) and not personal and not now
        asked_in_general = (
            set()
            if personal or now
            else set(sentence)
            if spans("general_message")
            else {sentence[s.start] for _, s in spans("general_question")}
        )
        general = impersonal or bool(asked_in_general)
        # "years ago, when she was 8, she had a seizure": the past (or "if she
        # ever") reaches from the words that put it there to the end of their
        # sentence, unless a word of now comes first ("in March ..., but tonight").
        nows = [s.start for _, s in spans("now")]

        def reached(i: int, start: int) -> bool:
            if clause[i] == clause[start]:
                return True
            if i < start or sentence[i] != sentence[start]:
                return False
            return not any(start < n <= i and sentence[n] == sentence[start] for n in nows)

        # "for the last month" reaches up to now: words of the past inside it are none
        ongoing = {i for _, s in spans("ongoing") for i in range(s.start, s.end)}

        def reach(kind: str) -> Set[int]:
            starts = [s.start for _, s in spans(kind) if not set(range(s.start, s.end)) & ongoing]
            return {t.i for t in doc for start in starts if reached(t.i, start)}

        # an "if ever" or the past holds a red flag back and denies it; an "if
        # anyone touches it" only keeps the rules from finding it
        conditional, planned = reach("conditional"), reach("hypothetical")
        held_back = planned | reach("long_ago")
        hypothetical = planned | conditional
        long_ago = hypothetical | held_back

        red_flags = []
        denied = False
        for key, span in spans("red_flags"):
            rule = key.split("#")[0]
            if rule in TEMPERATURE_RULES and _not_a_temperature(span, self._words["not_temperature"]):
                continue
            if self._negated(doc, span, key):
                denied = True
                continue
            if span.start in conditional and span.start not in held_back:
                continue  # not found, not denied either: the classifier decides
            reading = rule in TEMPERATURE_RULES and _a_reading(span) and not impersonal
            if span.start in held_back or ((impersonal or sentence[span.start] in asked_in_general) and not reading):
                denied = True
                continue
            if self._unless(rule, span, clause, forms):
                continue
            red_flags.append(rule)
        # ("for the last month" is no past for a drug still taken: only "if ever"
        # counts for it; the symptom itself may be long past: "last winter a fever")
        red_flags += [r.name for r in self._present(doc, "red_flags", hypothetical, long_ago) if not general]
        red_flags = [name for name in red_flags if personal or not self._rules[name].personal]

        # beside a red flag, "what should we do?" is answered by the urgent reply
        what_to_do = {i for _, s in spans("what_to_do_now") for i in range(s.start, s.end)} if red_flags else set()
        advice = [
            rule
            for rule, span in ((k.split("#")[0], s) for k, s in spans("advice"))
            if not self._unless(rule, span, clause, forms) and not what_to_do & set(range(span.start, span.end))
        ]
        advice += [r.name for r in self._present(doc, "advice")]
        advice = [name for name in advice if personal or not self._rules[name].personal]
        starts = [0] + [t.i + 1 for t in doc if t.text in SENTENCE_END and t.i + 1 < len(doc)]
        question = "?" in doc.text or any(forms[i] in self._words["question"] for i in starts if i < len(doc))
        return Finding(
            red_flags=tuple(dict.fromkeys(red_flags)),
            advice=tuple(dict.fromkeys(advice)),
            general_question=general,
            denied_red_flag=(denied or bool(spans("denial"))) and not red_flags,
            asks_a_question=question,
            asks_what_to_do=bool(what_to_do),
            negative_tone=any(form in self._words["negative_tone"] for form in forms),
            thanks=any(form in self._words["thanks"] for form in forms),
        )

    def _present(
        self, doc: Doc, kind: str, past: AbstractSet[int] = frozenset(), first_past: AbstractSet[int] = frozenset()
    ) -> List[_Rule]:
        """The `all_of` rules of `kind` whose word lists all occur, not negated
        and not in the past or a hypothetical (token indexes in `past`); the
        first list (a red flag's symptom) not in `first_past` either."""
        found = []
        for rule in self._rules.values():
            if rule.kind != kind or not rule.all_of:
                continue
            hits = [self._words_found(doc, name) for name in rule.all_of]
            if all(
                any(
                    t.i not in past
                    and not (n == 0 and t.i in first_past)
                    and not self._negated(doc, doc[t.i : t.i + 1], "")
                    for t in tokens
                )
                for n, tokens in enumerate(hits)
            ):
                found.append(rule)
        return found

    def _unless(self, rule: str, span: Span, clause: Sequence[int], forms: Sequence[str]) -> bool:
        """Whether the rule's `unless` words share the match's clause ("collapsed"
        beside "vertebra", "alt 39" beside the German "Jahre"), or its
        `unless_in_message` words are anywhere in the message ("pregnant" beside
        "inherit")."""
        unless, anywhere = self._rules[rule].unless, self._rules[rule].unless_in_message
        if anywhere and any(form in self._words[anywhere] for form in forms):
            return True
        return bool(unless) and any(
            clause[i] == clause[span.start] and form in self._words[unless] for i, form in enumerate(forms)
        )

    def _words_found(self, doc: Doc, name: str) -> List[Token]:
        """The tokens of word list `name`; a list `<name>_not_after` names the
        words that undo one right before it ("room temperature")."""
        undo = self._words.get(f"{name}_not_after", set())
        return [t for t in doc if t.norm_ in self._words[name] and not (t.i and doc[t.i - 1].norm_ in undo)]

    def _negated(self, doc: Doc, span: Span, key: str) -> bool:
        """A negation word shortly before the match, in the same clause, or inside
        it ("her legs are not weak"); never for a pattern that is a negation itself."""
        if key in self._own_negation:
            return False
        negations = self._words["not"]
        if any(t.norm_ in negations for t in span):
            return True
        # a checklist answered after the symptom: "numbness? no."
        marks = {"?", ":", "-", "="}
        after = [t for t in doc[span.end : span.end + 3] if t.lower_ not in marks]
        asked = span.end < len(doc) and doc[span.end].lower_ in marks
        if asked and after and (after[0].norm_ in negations or after[0].lower_ in ANSWERED_NO):
            return True
        for i in range(span.start - 1, max(span.start - 1 - NEGATION_REACH, -1), -1):
            if doc[i].lower_ in CLAUSE_BREAK or _is_a_dash(doc, i) or _starts_a_verb_phrase(doc, i):
                return False
            if doc[i].norm_ in negations:
                return True
            if doc[i].lower_ in NEW_SUBJECT:
                return False
        return False


def _starts_a_verb_phrase(doc: Doc, i: int) -> bool:
    """An "and" that starts a second verb phrase ("she cannot move and is
    screaming"): the negation of the first does not reach into the second."""
    return doc[i].lower_ == "and" and i + 1 < len(doc) and doc[i + 1].lower_ in COORDINATED_VERB


def _is_a_dash(doc: Doc, i: int) -> bool:
    """A dash between two clauses ("don't want to overreact - he wet himself"),
    not the hyphen inside a word ("high-grade", "x-ray"), which has no space
    before it."""
    text = doc[i].text
    return text in {"\u2013", "\u2014"} or (text == "-" and i > 0 and bool(doc[i - 1].whitespace_))


class MatchersByWord:
    """The patterns in many small spaCy Matchers, each run only on a message
    with a word its patterns cannot match without.

    One Matcher of all ~500 patterns tried each pattern's first word set (a
    Python call per set and token) at every word of every message: 2 ms of
    each turn. Here a pattern goes into the Matcher of its required word set
    with the fewest words (a word list, a drug, a set of alternatives), and a
    message runs only the Matchers whose set it has a word of, plus the one of
    patterns with no such set (shapes of numbers, optional words only). The
    matches are the same (tests/test_safety_layer.py compares them with one
    Matcher's), in another order, which `check` sorts."""

    def __init__(self, nlp: Language, patterns: Sequence[Tuple[str, List[dict]]]) -> None:
        self._always = Matcher(nlp.vocab)
        groups: Dict[FrozenSet[str], Matcher] = {}
        for key, tokens in patterns:
            needed = _needed_words(tokens)
            matcher = self._always if needed is None else groups.setdefault(needed, Matcher(nlp.vocab))
            matcher.add(key, [tokens])
        self._by_word: Dict[str, List[Matcher]] = {}
        for words, matcher in groups.items():
            for word in words:
                self._by_word.setdefault(word, []).append(matcher)

    def __call__(self, doc: Doc) -> List[Tuple[int, int, int]]:
        """The matches in a document whose forms and classes `check` has set."""
        present = {token.norm_ for token in doc} | {token._.get(CLASS) for token in doc}
        wanted = {id(m): m for word in present for m in self._by_word.get(word, ())}
        return [match for matcher in (self._always, *wanted.values()) for match in matcher(doc)]


def _needed_words(tokens: Sequence[dict]) -> Optional[FrozenSet[str]]:
    """The smallest set of words (forms, or classes: a drug) of which a pattern
    needs one to match at all, or None if it needs none."""
    sets = []
    for token in tokens:
        if token.get("OP") not in (None, "+"):
            continue
        if token.get("ENT_TYPE") == "medication":
            sets.append(frozenset([DRUG]))
        elif FORM in token:
            sets.append(frozenset(token[FORM]["IN"]))
        elif "_" in token:
            sets.append(frozenset(token["_"][CLASS]["IN"]))
    return min(sets, key=len) if sets else None


def _sentence_ids(doc: Doc) -> List[int]:
    ids, current = [], 0
    for token in doc:
        ids.append(current)
        if token.text in SENTENCE_END:
            current += 1
    return ids


def _clause_ids(doc: Doc) -> List[int]:
    """For each token, the number of the clause it is in (clauses end at
    punctuation and at "but"): "seizure an hour ago, diagnosed last year" has
    its "last year" in another clause than its seizure."""
    ids, current = [], 0
    for token in doc:
        if token.lower_ in CLAUSE_BREAK:
            current += 1
        ids.append(current)
    return ids


def _a_reading(span: Span) -> bool:
    """A temperature given as a number ("39.4", "102F", "a hundred and two"), not
    described ("burning up"): a reading someone took, which counts even in a
    general question."""
    return any(token.like_num for token in span)


def _not_a_temperature(span: Span, units: Set[str]) -> bool:
    """A number followed by a unit that is not degrees ("40 kg", "39 years").
    Only numbers in digits count: "a nosebleed for forty minutes" is no temperature."""
    doc = span.doc

    def number(token: Token) -> bool:
        return token.like_num and any(c.isdigit() for c in token.text)

    for token in span:
        if number(token) and token.i + 1 < len(doc) and doc[token.i + 1].lemma_ in units:
            return True
    after = doc[span.end] if span.end < len(doc) else None
    return bool(number(span[-1]) and after is not None and after.lemma_ in units)


@lru_cache(maxsize=4)
def patterns_for(nlp: Language, path: Path = PATTERNS_FILE) -> SafetyPatterns:
    """Compiled once per pipeline and file."""
    return SafetyPatterns(nlp, path)


def rule_names(path: Path = PATTERNS_FILE) -> Mapping[str, Sequence[str]]:
    """kind -> the names of its rules, for tests and reports."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {kind: list(raw[kind]) for kind in ("red_flags", "advice")}


# ---- messages in other languages ---------------------------------------------------
# A temperature, in any language: a number from 39 to 42.9, 38.0-38.9 with its
# decimal, or 101-107.9 (Fahrenheit). In a message about CRMO in a language the
# assistant cannot read, such a number is taken for a temperature: the cost of
# being wrong is the urgent reply before the line in the family's language.
OTHER_LANGUAGE_TEMPERATURE = re.compile(r"(?<![\d.,])(?:38[.,]\d|39|4[0-2]|10[1-7])(?:[.,]\d{1,2})?(?![\d.,]*\d)")


def fold(text: str) -> str:
    """Lower case without accents: families often type "fievre" for "fièvre"."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ı", "i").replace("ł", "l"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=4)
def other_language_cues(path: Path = PATTERNS_FILE) -> Dict[str, Tuple[str, ...]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")).get("other_languages") or {}
    return {str(code): tuple(fold(str(cue)) for cue in cues) for code, cues in raw.items()}


def red_flag_in_other_language(text: str, language: str, path: Path = PATTERNS_FILE) -> Optional[str]:
    """What in a message in `language` tells of a red flag (a cue, or "temperature"), else None."""
    folded = fold(text)
    cues = other_language_cues(path)
    # its own language's cues first, then the others': the identifier may name a
    # neighbour ("syn ma horecku" is Czech it may call Ukrainian)
    for words in (cues.get(language, ()), *(found for code, found in cues.items() if code != language)):
        cue = next((c for c in words if c in folded), None)
        if cue:
            return cue
    return "temperature" if OTHER_LANGUAGE_TEMPERATURE.search(folded) else None
