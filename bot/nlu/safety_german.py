"""The German half of the safety layer's deterministic rules: red flags and
requests for individual advice in a German message, from the `german` section
of bot/knowledge/safety_patterns.yml. The English rules match the lemmas of the
project's English spaCy pipeline, which has no German; these match the text,
with Umlaute folded the way families type them.

A red flag counts unless its clause denies it (a few, told over two clauses, are
read over their sentence and held back by a denial anywhere in it), or its sentence tells it as long
past (from the words that say so on), or asks about it in general without
saying it is happening now, or says it is hypothetical whatever words of now
it has (a temperature counts all the same, unless the sentence quotes a
leaflet or speaks of people in general); a slight fever
counts where the message names a drug that weakens the immune system. An advice rule counts where the message
is about one person (asking whether to wait or see a doctor, quoting one's own
report or values, a drug run out, and asking the bot to drop its rules, always
are); the rules on changing a drug, vaccines, pregnancy, a drug run out and a
claim to be a nurse or doctor also need a drug named; a word of the message can
hold one back (`advice_unless`: a school question asked because of contagion)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Pattern, Tuple

import yaml

from bot.nlu.safety_patterns import PATTERNS_FILE, Finding, SafetyPatternError, fold

# Sentence and clause breaks; the point or comma inside a number ("39,5") is none.
SENTENCE = re.compile(r"(?<!\d)\.+|\.+(?!\d)|[!?\n]+")
CLAUSE = re.compile(r"(?<!\d),+|,+(?!\d)|[;:]+|\s+aber\s+|\s+und dann\s+")
# A clause that opens with one of these ends with the comma German requires after
# it, and says when the next one happens: "Wenn sie Wasser lassen will, geht es
# nicht" is one red flag in two clauses, so the two are also read together.
WHEN_CLAUSE = re.compile(r"^(immer |jedes ?mal |jedesmal |nur )?(wenn|wen|sobald|sowie|kaum dass)\b")
# A number is a number in any sentence: a temperature counts even in a general question.
ALWAYS_COUNTS = {"temperature"}
# Rules that need a drug named as well as a person, and rules that need neither
# ("wait or go to the doctor?" and talking the bot out of its rules are always
# about someone).
NEEDS_A_DRUG = {"change_drug", "vaccine", "pregnancy", "claims_professional", "run_out"}
ALWAYS_PERSONAL = {"wait_or_go", "rules", "quoted", "run_out"}
# Rules that find one's own scan, letter or values only named: they count unless
# every question of the message is about the disease in general (`asks_in_general`).
NAMED_ONLY = {"own_result_mentioned"}
# A question, up to its question mark (a point between digits, "39.5", is no sentence end).
QUESTION = re.compile(r"(?:[^.!?\n]|(?<=\d)\.(?=\d))*\?")
# Abbreviations whose points are no sentence break ("z.B. Fieber?" is one sentence).
ABBREVIATIONS = (
    (re.compile(r"\bz\. ?b\."), "zum beispiel"),
    (re.compile(r"\bd\. ?h\."), "das heisst"),
    (re.compile(r"\bu\. ?a\."), "unter anderem"),
    (re.compile(r"\b(bzw|usw|ca|evtl|ggf|dr|prof|inkl|max|min)\."), r"\1"),
)
QUESTION_START = re.compile(
    r"^(wie|was|warum|wieso|weshalb|wann|wo|woher|welche\w*|kann|konnen|ist|sind|gibt|soll|sollen|darf|muss|hilft|hat|haben)\b"
)


def normalise(text: str) -> str:
    """Lower case, accents and Umlaute folded ("Füße", "Fuesse" -> "fusse"), one space."""
    folded = fold(text.replace("ß", "ss").replace("ẞ", "ss"))
    for written, plain in (("ae", "a"), ("oe", "o"), ("ue", "u")):
        folded = folded.replace(written, plain)
    for abbreviation, written_out in ABBREVIATIONS:
        folded = abbreviation.sub(written_out, folded)
    return " ".join(folded.split())


def _compile(where: str, patterns: object) -> Pattern[str]:
    if not isinstance(patterns, list) or not patterns:
        raise SafetyPatternError(f"safety_patterns.yml, german {where}: give a list of patterns")
    try:
        return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + ")")
    except re.error as error:
        raise SafetyPatternError(f"safety_patterns.yml, german {where}: {error}") from error


@dataclass(frozen=True)
class GermanRules:
    red_flags: Tuple[Tuple[str, Pattern[str]], ...]
    # read over a whole sentence, commas and all: a blow to the head in one clause
    # and the vomiting in the next ("mit dem Kopf aufgeschlagen, jetzt erbricht sie")
    sentence_red_flags: Tuple[Tuple[str, Pattern[str]], ...]
    on_immunosuppressant: Tuple[Tuple[str, Pattern[str]], ...]
    immunosuppressants: Pattern[str]
    denied: Pattern[str]
    long_ago: Pattern[str]
    general: Pattern[str]
    impersonal: Pattern[str]
    hypothetical: Pattern[str]
    now: Pattern[str]
    happening: Pattern[str]
    advice: Tuple[Tuple[str, Pattern[str]], ...]
    # an advice rule that a word of the message holds back ("... oder steckt er andere an?")
    advice_unless: Dict[str, Pattern[str]]
    personal: Pattern[str]
    drugs: Pattern[str]
    topic_question: Pattern[str]
    topic_question_not: Pattern[str]
    what_to_do: Pattern[str]

    def check(self, text: str) -> Finding:
        """What the German rules find in a message (nothing in one without them)."""
        folded = normalise(text)
        red_flags: List[str] = []
        any_held_back = False
        clauses: List[str] = []
        happening = bool(self.happening.search(folded))
        rules = self.red_flags + (self.on_immunosuppressant if self.immunosuppressants.search(folded) else ())
        for sentence in (s.strip() for s in SENTENCE.split(folded) if s.strip()):
            now = happening or bool(self.now.search(sentence))
            impersonal = bool(self.impersonal.search(sentence)) and not now
            # "rein hypothetisch ... plötzlich hohes Fieber": a word of now does not make it happen
            hypothetical = bool(self.hypothetical.search(sentence))
            in_general = impersonal or hypothetical or (bool(self.general.search(sentence)) and not now)
            # "letztes Jahr hatte er einen Schub, da konnte er nicht auftreten": the
            # past reaches to the end of its sentence, unless a word of now comes first
            past = False
            when = ""
            found_in_when: List[str] = []
            for clause in (c.strip() for c in CLAUSE.split(sentence) if c.strip()):
                clauses.append(clause)
                if self.long_ago.search(clause):
                    past = True
                elif self.now.search(clause):
                    past = False
                # what the clause says alone, and what only it and its "wenn"
                # clause say together (a denial in either then holds that back)
                joined = f"{when} {clause}"
                alone = [name for name, pattern in rules if pattern.search(clause)]
                spanning = [
                    name
                    for name, pattern in rules
                    if when and name not in alone and name not in found_in_when and pattern.search(joined)
                ]
                when, found_in_when = (clause, alone) if WHEN_CLAUSE.search(clause) else ("", [])
                for found, text in ((alone, clause), (spanning, joined)):
                    held, counted = self._weigh(found, text, impersonal, in_general, past)
                    any_held_back = any_held_back or held
                    red_flags += [n for n in counted if n not in red_flags]
            spread = [name for name, pattern in self.sentence_red_flags if pattern.search(sentence)]
            held, counted = self._weigh(spread, sentence, impersonal, in_general, past)
            any_held_back = any_held_back or held
            red_flags += [n for n in counted if n not in red_flags]
        personal, drug = bool(self.personal.search(folded)), bool(self.drugs.search(folded))
        # beside a red flag, "was sollen wir tun?" is answered by the urgent reply
        asks_what_to_do = bool(red_flags) and bool(self.what_to_do.search(folded))
        read = self.what_to_do.sub(" ", folded) if asks_what_to_do else folded
        advice = [
            name
            for name, pattern in self.advice
            if (personal or name in ALWAYS_PERSONAL)
            and (drug or name not in NEEDS_A_DRUG)
            and pattern.search(read)
            and not (name in self.advice_unless and self.advice_unless[name].search(read))
        ]
        if any(name in NAMED_ONLY for name in advice) and self.asks_in_general(folded):
            advice = [name for name in advice if name not in NAMED_ONLY]
        question = "?" in text or any(QUESTION_START.search(c) for c in clauses)
        return Finding(
            red_flags=tuple(f"de: {n}" for n in red_flags),
            advice=tuple(f"de: {n}" for n in advice),
            denied_red_flag=any_held_back and not red_flags,
            asks_a_question=question,
            asks_what_to_do=asks_what_to_do,
        )

    def _weigh(
        self, found: List[str], text: str, impersonal: bool, in_general: bool, past: bool
    ) -> Tuple[bool, List[str]]:
        """Of the red flags `found` in `text` (a clause, two read together, or a
        sentence): whether they are held back (denied, long past, or asked about in
        general), and which count; a temperature counts even in a general question."""
        counted = [] if impersonal else [n for n in found if n in ALWAYS_COUNTS] if in_general else found
        if found and (self.denied.search(text) or past or not counted):
            return True, []
        return False, counted

    def asks_in_general(self, folded: str) -> bool:
        """Whether the message asks something and every question in it is about the
        disease in general, naming no person and not pointing back to the story
        ("Nach dem MRT meiner Tochter: wie wird CRMO grundsätzlich behandelt?")."""
        questions = QUESTION.findall(folded)
        return bool(questions) and all(
            self.topic_question.search(q) and not self.topic_question_not.search(q) for q in questions
        )


@lru_cache(maxsize=2)
def german_rules(path: Path = PATTERNS_FILE) -> GermanRules:
    raw = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("german")
    if not isinstance(raw, dict):
        raise SafetyPatternError("safety_patterns.yml has no `german` section")
    red: Dict[str, list] = raw.get("red_flags") or {}
    spread: Dict[str, list] = raw.get("sentence_red_flags") or {}
    on_drug: Dict[str, list] = raw.get("on_immunosuppressant") or {}
    advice: Dict[str, list] = raw.get("advice") or {}
    held_back: Dict[str, list] = raw.get("held_back") or {}
    unless: Dict[str, list] = raw.get("advice_unless") or {}
    return GermanRules(
        red_flags=tuple((name, _compile(f"red_flags.{name}", p)) for name, p in red.items()),
        sentence_red_flags=tuple((name, _compile(f"sentence_red_flags.{name}", p)) for name, p in spread.items()),
        on_immunosuppressant=tuple((name, _compile(f"on_immunosuppressant.{name}", p)) for name, p in on_drug.items()),
        immunosuppressants=_compile("immunosuppressants", raw.get("immunosuppressants")),
        denied=_compile("held_back.denied", held_back.get("denied")),
        long_ago=_compile("held_back.long_ago", held_back.get("long_ago")),
        general=_compile("general", raw.get("general")),
        impersonal=_compile("impersonal", raw.get("impersonal")),
        hypothetical=_compile("hypothetical", raw.get("hypothetical")),
        now=_compile("now", raw.get("now")),
        happening=_compile("happening", raw.get("happening")),
        advice=tuple((name, _compile(f"advice.{name}", p)) for name, p in advice.items()),
        advice_unless={name: _compile(f"advice_unless.{name}", p) for name, p in unless.items()},
        personal=_compile("personal", [rf"{p}\b" for p in raw.get("personal") or []]),
        drugs=_compile("drugs", raw.get("drugs")),
        topic_question=_compile("topic_question", raw.get("topic_question")),
        topic_question_not=_compile("topic_question_not", raw.get("topic_question_not")),
        what_to_do=_compile("what_to_do_now", raw.get("what_to_do_now")),
    )


def combined(english: Finding, german: Finding) -> Finding:
    """Either language's rules count: the English finding with the German red
    flags and advice added. A red flag is denied only where neither affirms one;
    the German rules' sign of a question counts where they found a red flag."""
    red_flags = english.red_flags + german.red_flags
    return dataclasses.replace(
        english,
        red_flags=red_flags,
        advice=english.advice + german.advice,
        denied_red_flag=(english.denied_red_flag or german.denied_red_flag) and not red_flags,
        asks_a_question=english.asks_a_question or (german.asks_a_question and bool(german.red_flags)),
        asks_what_to_do=english.asks_what_to_do or german.asks_what_to_do,
    )
