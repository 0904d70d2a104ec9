"""Rasa's own evaluation commands, run the one way that the tests and the
benchmark share."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Optional

from bot import paths, servers

HELD_OUT_NLU = paths.PROJECT / "tests" / "nlu_test.yml"


def rasa_cli(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """Runs `rasa <args>` in the project, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=paths.PROJECT,
        env=servers.child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def evaluate_nlu(model: Path, out: Path) -> dict:
    """Rasa's intent report on the held-out set; the errors it lists are in `out`."""
    result = rasa_cli("test", "nlu", "--nlu", str(HELD_OUT_NLU), "--model", str(model), "--out", str(out))
    if result.returncode != 0:
        raise RuntimeError((result.stdout + result.stderr)[-3000:])
    return json.loads((out / "intent_report.json").read_text())


BLIND_NLU = paths.PROJECT / "tests" / "nlu_blind.yml"
BLIND_NLU_DE = paths.PROJECT / "tests" / "nlu_blind_de.yml"
SAFETY_CASES = paths.PROJECT / "tests" / "safety_cases.yml"
SAFETY_CASES_DE = paths.PROJECT / "tests" / "safety_cases_de.yml"


FALLBACK_COMPONENTS = ("bot.nlu.language_fallback.LanguageFallbackClassifier", "FallbackClassifier")


def fallback_threshold(config: Path = paths.CONFIG, language: str = "en") -> float:
    """The config's fallback threshold for messages in `language` (Rasa's default
    0.3 if unset): the confidence at or above which a wrong intent is a confident
    wrong answer."""
    import yaml

    pipeline = yaml.safe_load(config.read_text())["pipeline"]
    fallback = next(step for step in pipeline if step["name"] in FALLBACK_COMPONENTS)
    settings = {**fallback, **(fallback.get("by_language") or {}).get(language, {})}
    return float(settings.get("threshold", 0.3))


def evaluate_blind_nlu(model: Path, out: Path, threshold: float, blind: Optional[Path] = None) -> dict:
    """Rasa's intent report on a blind set (the English one unless `blind` names
    another), plus the share of confident wrong answers: a wrong intent with
    confidence at or above `threshold` (the fallback threshold), which a family
    gets as an answer to another question."""
    blind = blind or BLIND_NLU
    result = rasa_cli("test", "nlu", "--nlu", str(blind), "--model", str(model), "--out", str(out))
    if result.returncode != 0:
        raise RuntimeError((result.stdout + result.stderr)[-3000:])
    report = json.loads((out / "intent_report.json").read_text())
    errors = json.loads((out / "intent_errors.json").read_text()) if (out / "intent_errors.json").exists() else []
    total = sum(
        row["support"]
        for label, row in report.items()
        if isinstance(row, dict) and "support" in row and not label.endswith("avg")
    )
    confident = [
        e
        for e in errors
        if e["intent_prediction"].get("name") != "nlu_fallback"
        and (e["intent_prediction"].get("confidence") or 0) >= threshold
    ]
    report["fallback"] = sum(e["intent_prediction"].get("name") == "nlu_fallback" for e in errors) / max(1, len(errors))
    report["confident_wrong"] = len(confident) / total if total else 0.0
    report["examples"] = total
    return report


def safety_cases(path: Optional[Path] = None) -> dict:
    """A safety file (the English blind one unless `path` names another, such as
    a development set): red_flags, advice, ordinary ({text, label}), and
    other_language where it has them."""
    import yaml

    return yaml.safe_load((path or SAFETY_CASES).read_text(encoding="utf-8"))


def run_safety_cases(url: str, messages: dict) -> dict:
    """Sends every case as the first message of its own conversation to the REST
    webhook at `url` and counts what came back: the urgent reply first, the
    refusal, the reply for other languages. Returns rates and the misses."""
    import urllib.request
    import uuid

    from bot.knowledge import LANGUAGES, knowledge

    # The reply in either language the assistant answers in: a case is answered
    # in the language it is written in.
    languages = [knowledge(code) for code in LANGUAGES]

    def replies(text: str) -> list:
        body = json.dumps({"sender": f"safety-{uuid.uuid4().hex}", "message": text}).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return [m.get("text") or "" for m in json.loads(response.read())]

    def urgent_first(texts: list) -> bool:
        return bool(texts) and texts[0] in {kb.messages["urgent"] for kb in languages}

    def refused(texts: list) -> bool:
        return any(kb.messages["personal_advice"] in texts for kb in languages)

    def languages_named(texts: list) -> bool:
        return any(kb.messages["other_language"] in texts for kb in languages)

    found: dict = {}
    for kind, check in (("red_flags", urgent_first), ("advice", refused)):
        results = [(text, check(replies(text))) for text in messages[kind]]
        found[kind] = {
            "rate": sum(ok for _, ok in results) / len(results),
            "misses": [t for t, ok in results if not ok],
        }
    ordinary = [(case["text"], replies(case["text"])) for case in messages["ordinary"]]
    found["ordinary"] = {
        "false_urgent": sum(urgent_first(r) for _, r in ordinary) / len(ordinary),
        "false_refusal": sum(refused(r) for _, r in ordinary) / len(ordinary),
        "misses": [t for t, r in ordinary if urgent_first(r) or refused(r)],
    }
    if messages.get("other_language"):
        # Written when the assistant answered in English only, so some are in
        # German, which it now answers in: such a case (the identifier names
        # German among its two best guesses) may instead be answered in German,
        # the German disclaimer (with the emergency number) or urgent reply first.
        from bot.nlu.language import identify

        german = knowledge("de")

        def answered_in_german(text: str, texts: list) -> bool:
            maybe_german = any(code == "de" for code, _ in identify(text))
            first = texts[0] if texts else ""
            return maybe_german and first in (german.messages["urgent"], german.messages["disclaimer"])

        elsewhere = [(text, replies(text)) for text in messages["other_language"]]
        passed = [(t, languages_named(r) or answered_in_german(t, r)) for t, r in elsewhere]
        found["other_language"] = {
            "rate": sum(ok for _, ok in passed) / len(passed),
            "in_german": sum(not languages_named(r) and answered_in_german(t, r) for t, r in elsewhere),
            "misses": [t for t, ok in passed if not ok],
        }
    return found
