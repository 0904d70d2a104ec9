"""Compares NLU pipelines on a held-out NLU file and prints one table.

For each config (default: every devtools/nlu_configs/*.yml) it trains an NLU
model with `rasa train nlu`, evaluates it with `rasa test nlu --nlu FILE`, and
parses every message of FILE once more in a fresh process to time the parse.
Columns:

  accuracy, macro-F1  Rasa's intent report (Rasa scores the best intent: it
                      undoes the FallbackClassifier's nlu_fallback);
  conf.wrong          share of messages whose best intent is wrong with a
                      confidence at or above the config's FallbackClassifier
                      threshold;
  fallback            share of messages the whole pipeline answers with
                      nlu_fallback (low confidence, or two intents too close);
  answ.wrong          share the whole pipeline answers with a wrong intent:
                      the bot would answer another question than was asked;
  train s             wall time of `rasa train nlu` (Rasa's cache off);
  parse ms            mean time of one `Agent.parse_message`, one TF thread
                      as the server runs it, after a warm-up.

Run from the project root (so that Rasa finds the bot.nlu components):

    .venv/bin/python -m devtools.compare_pipelines [--nlu tests/nlu_test.yml] [CONFIG ...]

Never run it on the blind test sets: they are for the final check only."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List

from bot import nlp, servers
from devtools.evaluation import fallback_threshold

CONFIGS = servers.PROJECT / "devtools" / "nlu_configs"
OUT = servers.PROJECT / "results" / "compare_pipelines"
FALLBACK_INTENT = "nlu_fallback"
WARM_UP = 5


@dataclass
class Row:
    name: str
    accuracy: float
    macro_f1: float
    confident_wrong: float
    fallback: float
    answered_wrong: float
    train_seconds: float
    parse_ms: float


def rasa(*args: str, env: dict) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rasa", *args], cwd=servers.PROJECT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"rasa {' '.join(args)} failed:\n{(result.stdout + result.stderr)[-3000:]}")


def evaluate(config: Path, nlu_file: Path, out: Path) -> Row:
    name = config.stem
    # Quiet TensorFlow; Rasa's training cache off so that each training is timed in full.
    env = {**os.environ, **servers.QUIET_ENV, "RASA_MAX_CACHE_SIZE": "0"}
    started = time.monotonic()
    rasa("train", "nlu", "--config", str(config), "--fixed-model-name", name, "--out", str(out / "models"), env=env)
    train_seconds = time.monotonic() - started
    model = out / "models" / f"{name}.tar.gz"
    report_dir = out / name
    rasa(
        "test",
        "nlu",
        "--nlu",
        str(nlu_file),
        "--model",
        str(model),
        "--out",
        str(report_dir),
        "--no-plot",
        "--successes",
        env=env,
    )
    report = json.loads((report_dir / "intent_report.json").read_text())
    errors_file = report_dir / "intent_errors.json"
    errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
    threshold = fallback_threshold(config)
    confident_wrong = sum(error["intent_prediction"]["confidence"] >= threshold for error in errors)
    # A fresh process per model, with the Rasa server's environment (one TF thread).
    timing = subprocess.run(
        [sys.executable, "-m", "devtools.compare_pipelines", "--parse", str(model), "--nlu", str(nlu_file)],
        cwd=servers.PROJECT,
        env=servers.child_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    parsed = json.loads(timing.stdout.strip().splitlines()[-1])
    return Row(
        name,
        report["accuracy"],
        report["macro avg"]["f1-score"],
        confident_wrong / report["macro avg"]["support"],
        parsed["fallback"],
        parsed["answered_wrong"],
        train_seconds,
        parsed["parse_ms"],
    )


def parse_all(model: Path, nlu_file: Path) -> None:
    """Parses every message of the file with the model; prints the mean parse
    time and the shares of fallbacks and of wrong answers, as JSON."""
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.log_utils import configure_structlog

    # At `rasa run`'s level: unconfigured, every parse is formatted as a debug line.
    configure_structlog(logging.INFO)
    examples = [example for example in load_data(str(nlu_file)).intent_examples if example.get("text")]
    agent = Agent.load(str(model))

    async def run() -> dict:
        for example in examples[:WARM_UP]:
            await agent.parse_message(example.get("text"))
        timings, intents = [], []
        for example in examples:
            started = time.perf_counter()
            parse = await agent.parse_message(example.get("text"))
            timings.append((time.perf_counter() - started) * 1000)
            intents.append(parse["intent"]["name"])
        fallbacks = intents.count(FALLBACK_INTENT)
        right = sum(intent == example.get("intent") for intent, example in zip(intents, examples, strict=True))
        return {
            "parse_ms": statistics.mean(timings),
            "fallback": fallbacks / len(examples),
            "answered_wrong": (len(examples) - fallbacks - right) / len(examples),
        }

    print(json.dumps(asyncio.run(run())))


def print_table(rows: List[Row], nlu_file: Path) -> None:
    print(f"\nNLU pipelines on {nlu_file}")
    header = f"{'config':28} {'accuracy':>8} {'macro-F1':>8} {'conf.wrong':>10} {'fallback':>8} {'answ.wrong':>10}"
    print(f"{header} {'train s':>7} {'parse ms':>8}")
    for row in rows:
        print(
            f"{row.name:28} {row.accuracy:8.3f} {row.macro_f1:8.3f} {row.confident_wrong:10.3f} {row.fallback:8.3f} "
            f"{row.answered_wrong:10.3f} {row.train_seconds:7.0f} {row.parse_ms:8.1f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="*", type=Path, help="config files (default: devtools/nlu_configs/*.yml)")
    parser.add_argument("--nlu", type=Path, default=servers.PROJECT / "tests" / "nlu_test.yml", help="held-out file")
    parser.add_argument("--out", type=Path, default=OUT, help="models and Rasa's reports (default: %(default)s)")
    parser.add_argument("--parse", type=Path, metavar="MODEL", help=argparse.SUPPRESS)  # the timing child process
    args = parser.parse_args()
    nlu_file = args.nlu.resolve()
    if args.parse:
        parse_all(args.parse, nlu_file)
        return 0
    nlp.build()  # the spaCy pipeline every config starts with
    rows = []
    for config in [path.resolve() for path in args.configs] or sorted(CONFIGS.glob("*.yml")):
        print(f"{config.stem}: training and testing ...", flush=True)
        rows.append(evaluate(config, nlu_file, args.out.resolve()))
        print_table(rows, nlu_file)  # after each config, so a long run shows its progress
    return 0


if __name__ == "__main__":
    sys.exit(main())
