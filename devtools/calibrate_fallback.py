"""Chooses the fallback threshold and ambiguity threshold for the intent
classifier of config.yml, for each language, on calibration files that are not
the blind sets (default: the four development sets the thresholds in
config.yml were chosen on, tests/nlu_dev.yml, nlu_dev2.yml and their German
twins; name others with --nlu; a file whose name ends in `_de` is German). The pair
chosen on the English files together is the fallback's own `threshold` and
`ambiguity_threshold` in config.yml, the pair chosen on the German ones its
`by_language: de`.

It trains the config's NLU pipeline without the fallback and the components
that come after the classifier and change what it said (the language guard,
the other-disease check, the safety layer): only the classifier's own
confidences matter here, as the fallback sees them. It parses every message
of each file and, for each pair of thresholds, counts what a family would get:
the right answer, a wrong answer (another question's), or the "did you mean"
buttons. A wrong answer is worse for a family than the
buttons, so the pair chosen is the one with the lowest
`WRONG_COST * wrong + fallback`, or the most careful pair within one
message of it; the table shows the others.

    .venv/bin/python -m devtools.calibrate_fallback [--nlu tests/nlu_dev.yml tests/nlu_dev_de.yml ...]

Never run it on the blind test sets."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot import nlp, paths, servers

WRONG_COST = 3.0
THRESHOLDS = [round(0.25 + 0.05 * n, 2) for n in range(12)]  # 0.25 ... 0.80
AMBIGUITIES = [0.0, 0.02, 0.05, 0.1]
NOT_CALIBRATED = {
    "FallbackClassifier",
    "bot.nlu.language_fallback.LanguageFallbackClassifier",
    "bot.nlu.safety_layer.SafetyLayer",
    "bot.nlu.language.LanguageGuard",
    "bot.nlu.other_disease.OtherDisease",
}
DEVELOPMENT_SETS = [
    paths.PROJECT / "tests" / name for name in ("nlu_dev.yml", "nlu_dev2.yml", "nlu_dev_de.yml", "nlu_dev2_de.yml")
]


def classifier_config(config: Path, target: Path) -> Path:
    """The config's pipeline up to and including the intent classifier."""
    data = yaml.safe_load(config.read_text())
    data["pipeline"] = [step for step in data["pipeline"] if step["name"] not in NOT_CALIBRATED]
    data.pop("policies", None)
    target.write_text(yaml.safe_dump(data, sort_keys=False))
    return target


def parse_all(model: Path, nlu_file: Path) -> None:
    """Prints, as JSON, [true intent, best, confidence, second confidence] per message."""
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.INFO)
    examples = [e for e in load_data(str(nlu_file)).intent_examples if e.get("text")]
    agent = Agent.load(str(model))

    async def run() -> list:
        rows = []
        for example in examples:
            ranking = (await agent.parse_message(example.get("text")))["intent_ranking"]
            second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
            rows.append([example.get("intent"), ranking[0]["name"], ranking[0]["confidence"], second])
        return rows

    print(json.dumps(asyncio.run(run())))


def outcomes(rows: List[list], threshold: float, ambiguity: float) -> Dict[str, float]:
    right = wrong = fallback = 0
    for true, best, confidence, second in rows:
        if confidence < threshold or confidence - second < ambiguity:
            fallback += 1
        elif best == true:
            right += 1
        else:
            wrong += 1
    n = len(rows)
    return {"right": right / n, "wrong": wrong / n, "fallback": fallback / n}


def best_pair(rows: List[list]) -> Tuple[float, float, Dict[str, float]]:
    """The pair of lowest cost; among the pairs that cost at most one message's
    fallback more (a difference the next few messages could reverse), the most
    careful one: the highest threshold, then the highest ambiguity, so that a
    near tie goes to fewer wrong answers."""
    scored = [
        (WRONG_COST * o["wrong"] + o["fallback"], t, a, o)
        for t in THRESHOLDS
        for a in AMBIGUITIES
        for o in [outcomes(rows, t, a)]
    ]
    lowest = min(cost for cost, *_ in scored)
    near = [s for s in scored if s[0] <= lowest + 1 / len(rows) + 1e-9]
    _, threshold, ambiguity, found = max(near, key=lambda s: (s[1], s[2]))
    return threshold, ambiguity, found


def report(name: str, rows: List[list]) -> None:
    """The table of outcomes for calibration messages, and the pair chosen."""
    print(f"\nCalibration on {name} ({len(rows)} messages): right / wrong answer / fallback buttons")
    print(f"{'threshold':>9} " + " ".join(f"{'ambiguity ' + str(a):>22}" for a in AMBIGUITIES))
    for t in THRESHOLDS:
        cells = [outcomes(rows, t, a) for a in AMBIGUITIES]
        print(f"{t:9.2f} " + " ".join(f"{c['right']:6.3f} {c['wrong']:6.3f} {c['fallback']:6.3f}  " for c in cells))
    threshold, ambiguity, found = best_pair(rows)
    print(
        f"Chosen (lowest {WRONG_COST:g} x wrong + fallback): threshold {threshold}, ambiguity {ambiguity}: "
        f"right {found['right']:.3f}, wrong {found['wrong']:.3f}, fallback {found['fallback']:.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=paths.CONFIG)
    parser.add_argument("--nlu", type=Path, nargs="+", default=DEVELOPMENT_SETS)
    parser.add_argument("--parse", type=Path, metavar="MODEL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if any("blind" in nlu.name or "safety" in nlu.name for nlu in args.nlu):
        sys.exit("The blind sets are never used for calibration.")
    if args.parse:
        parse_all(args.parse, args.nlu[0].resolve())
        return 0
    nlp.build()
    work = Path(tempfile.mkdtemp(prefix="calibrate-"))
    config = classifier_config(args.config, work / "config.yml")
    env = {**os.environ, **servers.QUIET_ENV}
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config), "--out", str(work),
         "--fixed-model-name", "classifier"],
        cwd=paths.PROJECT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    by_language: Dict[str, List[list]] = {}
    for nlu in args.nlu:
        parsed = subprocess.run(
            [sys.executable, "-m", "devtools.calibrate_fallback", "--parse", str(work / "classifier.tar.gz"),
             "--nlu", str(nlu.resolve())],
            cwd=paths.PROJECT, env=servers.child_env(), capture_output=True, text=True, check=True,
        )  # fmt: skip
        rows = json.loads(parsed.stdout.strip().splitlines()[-1])
        report(str(nlu), rows)
        by_language.setdefault("German" if nlu.stem.endswith("_de") else "English", []).extend(rows)
    for language, rows in by_language.items():  # the pairs that go into config.yml
        report(f"all {language} files", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
