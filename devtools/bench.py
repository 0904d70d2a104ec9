"""The benchmark (`make bench`, `python -m devtools.bench`): measures and prints, asserts nothing.

Two pipelines, measured in the same run on the same machine: the project's
(config.yml) and the previous one (DIET without transformer layers,
devtools/nlu_configs/a_diet.yml, with config.yml's policies), both served by
the same action server code.

(a) intent accuracy, macro-F1 and confident wrong answers on the blind sets
    tests/nlu_blind.yml and tests/nlu_blind_de.yml (German), and accuracy on
    the held-out tests/nlu_test.yml;
(b) the blind safety cases (tests/safety_cases.yml, tests/safety_cases_de.yml)
    through the live server: red flags with the urgent reply first, advice
    refused, other languages answered, and ordinary questions that got the
    urgent reply or the refusal;
(c) full-turn latency p50/p95 through the REST webhook, custom action included,
    at 1 and 10 concurrent users, and messages per second, in English and in
    German; each user has short conversations (8 questions, then a new
    conversation), as families do;
(d) peak RSS of the Rasa server and the action server;
(e) training time of each model."""

from __future__ import annotations

import asyncio
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

import aiohttp
import yaml

from bot import paths, servers, training
from devtools.evaluation import (
    BLIND_NLU_DE,
    SAFETY_CASES_DE,
    evaluate_blind_nlu,
    evaluate_nlu,
    fallback_threshold,
    run_safety_cases,
    safety_cases,
)

PREVIOUS_PIPELINE = servers.PROJECT / "devtools" / "nlu_configs" / "a_diet.yml"
# The previous pipeline's model is kept beside the current one and trained again
# only when what it is trained from has changed (what the current model's
# fingerprint covers, and its own config): its DIET training takes most of an
# hour on today's data (3,260 s on 2026-12-03), the rest of the benchmark about
# twenty minutes.
PREVIOUS_MODEL = training.MODELS / "previous.tar.gz"
PREVIOUS_FINGERPRINT = training.MODELS / "previous.fingerprint"
PREVIOUS_SECONDS = training.MODELS / "previous.train-seconds"
QUESTIONS = [
    "what is crmo",
    "which bones does crmo affect",
    "how is CNO diagnosed",
    "is it contagious",
    "does naproxen work for crmo",
    "will my child grow out of it",
    "can it affect the jaw?",
    "what kind of doctor treats crmo",
]
QUESTIONS_DE = [
    "was ist crmo",
    "welche Knochen sind bei CRMO betroffen",
    "wie wird CNO festgestellt",
    "ist das ansteckend",
    "hilft Naproxen bei CRMO",
    "geht CRMO bei Kindern wieder weg",
    "kann es auch den Kiefer treffen?",
    "welcher Arzt behandelt CRMO",
]
# Every answer carries a link to its source (PubMed, a DOI or a marked web page).
SOURCE_LINK = "https://"


def percentile(values: List[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


async def _user(
    session: aiohttp.ClientSession, url: str, user: str, count: int, questions: List[str], latencies: list, errors: list
):
    """One simulated user: short conversations of len(questions) turns, one after another."""
    for n in range(count):
        conversation, turn = divmod(n, len(questions))
        started = time.perf_counter()
        try:
            message = {"sender": f"{user}-{conversation}", "message": questions[turn]}
            async with session.post(url, json=message) as reply:
                messages = await reply.json()
                answered = any(SOURCE_LINK in m.get("text", "") for m in messages or [])
                if reply.status != 200 or not answered:
                    errors.append(reply.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            errors.append(repr(error))
        latencies.append((time.perf_counter() - started) * 1000)


async def load(url: str, users: int, messages: int, questions: List[str] = QUESTIONS) -> dict:
    latencies: list = []
    errors: list = []
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _user(
                    session, url, f"bench-{users}-{u}-{time.time_ns()}", messages // users, questions, latencies, errors
                )
                for u in range(users)
            )
        )
        elapsed = time.perf_counter() - started
    return {
        "users": users,
        "messages": len(latencies),
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "per_second": len(latencies) / elapsed,
        "errors": len(errors),
    }


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def previous_fingerprint(config_text: str) -> str:
    """What the previous model is trained from: the current model's inputs
    (data, domain, config.yml's policies, the spaCy pipeline) and its own config."""
    return hashlib.sha256(f"{training.fingerprint()}\n{config_text}".encode()).hexdigest()


def kept_previous_seconds(
    fingerprint: str,
    model: Path = PREVIOUS_MODEL,
    stamp: Path = PREVIOUS_FINGERPRINT,
    seconds: Path = PREVIOUS_SECONDS,
) -> Optional[float]:
    """The training time of the kept previous model if it was trained from
    `fingerprint`, else None (none kept, or trained from other inputs)."""
    if seconds.exists() and training.stamped(model, stamp, fingerprint):
        return float(seconds.read_text())
    return None


def previous_model(work: Path, retrain: bool = False) -> tuple:
    """The previous pipeline with the project's policies: (model, config,
    training seconds), trained now unless the kept one is up to date."""
    config = yaml.safe_load((paths.CONFIG).read_text())
    config["pipeline"] = yaml.safe_load(PREVIOUS_PIPELINE.read_text())["pipeline"]
    config_text = yaml.safe_dump(config, sort_keys=False)
    config_file = work / "previous-config.yml"
    config_file.write_text(config_text)
    fingerprint = previous_fingerprint(config_text)
    kept = None if retrain else kept_previous_seconds(fingerprint)
    if kept is not None:
        print(f"The previous pipeline's model is up to date: {PREVIOUS_MODEL} (trained in {kept:.0f} s)", flush=True)
        return PREVIOUS_MODEL, config_file, kept
    print("Training the previous pipeline (DIET) for comparison (most of an hour) ...", flush=True)
    started = time.monotonic()
    # trained as the current model is (bot/training.py), so the two times compare
    subprocess.run(
        training.train_command(training.MODELS, "previous", config_file),
        cwd=servers.PROJECT, env=servers.child_env(training.TRAINING_ENV), check=True, capture_output=True,
    )  # fmt: skip
    seconds = time.monotonic() - started
    PREVIOUS_FINGERPRINT.write_text(fingerprint)
    PREVIOUS_SECONDS.write_text(f"{seconds:.1f}\n")
    return PREVIOUS_MODEL, config_file, seconds


def measure(name: str, model: Path, config: Path, train_seconds: float, messages: int, work: Path) -> Dict:
    print(f"Measuring the {name} pipeline ...", flush=True)
    blind = evaluate_blind_nlu(model, work / f"{name}-blind", fallback_threshold(config))
    blind_de = evaluate_blind_nlu(model, work / f"{name}-blind-de", fallback_threshold(config, "de"), BLIND_NLU_DE)
    held_out = evaluate_nlu(model, work / f"{name}-held-out")
    with servers.running_bot(model, work / f"{name}-logs") as (rasa, actions):
        url = f"{rasa.url}/webhooks/rest/webhook"
        safety = run_safety_cases(url, safety_cases())
        safety_de = run_safety_cases(url, safety_cases(SAFETY_CASES_DE))
        asyncio.run(load(url, 1, 20))  # warm-up: first calls build caches and graphs
        runs = [asyncio.run(load(url, users, messages)) for users in (1, 10)]
        runs_de = [asyncio.run(load(url, users, messages, QUESTIONS_DE)) for users in (1, 10)]
        rss = (peak_rss_mb(rasa.process.pid), peak_rss_mb(actions.process.pid))
    return {
        "blind": blind,
        "blind_de": blind_de,
        "held_out": held_out,
        "safety": safety,
        "safety_de": safety_de,
        "runs": runs,
        "runs_de": runs_de,
        "rss": rss,
        "train": train_seconds,
    }


def print_results(results: Dict[str, Dict]) -> None:
    names = list(results)
    print("\n== CRMO assistant benchmark ==")
    print(f"machine: {os.cpu_count()} cores; pipelines: {', '.join(names)}")
    rows = [
        ("blind set: intent accuracy", lambda r: f"{r['blind']['accuracy']:.3f}"),
        ("blind set: macro-F1", lambda r: f"{r['blind']['macro avg']['f1-score']:.3f}"),
        ("blind set: confident wrong", lambda r: f"{r['blind']['confident_wrong']:.3f}"),
        ("held-out nlu_test: accuracy", lambda r: f"{r['held_out']['accuracy']:.3f}"),
        ("red flags: urgent reply first", lambda r: f"{r['safety']['red_flags']['rate']:.3f}"),
        ("advice refused", lambda r: f"{r['safety']['advice']['rate']:.3f}"),
        ("other languages answered", lambda r: f"{r['safety']['other_language']['rate']:.3f}"),
        ("  of them answered in German", lambda r: f"{r['safety']['other_language']['in_german']}"),
        ("ordinary: urgent reply", lambda r: f"{r['safety']['ordinary']['false_urgent']:.3f}"),
        ("ordinary: refusal", lambda r: f"{r['safety']['ordinary']['false_refusal']:.3f}"),
        ("German blind set: accuracy", lambda r: f"{r['blind_de']['accuracy']:.3f}"),
        ("German blind set: macro-F1", lambda r: f"{r['blind_de']['macro avg']['f1-score']:.3f}"),
        ("German blind: confident wrong", lambda r: f"{r['blind_de']['confident_wrong']:.3f}"),
        ("German red flags: urgent first", lambda r: f"{r['safety_de']['red_flags']['rate']:.3f}"),
        ("German advice refused", lambda r: f"{r['safety_de']['advice']['rate']:.3f}"),
        (
            "German ordinary: urgent / refusal",
            lambda r: (
                f"{r['safety_de']['ordinary']['false_urgent']:.3f} / {r['safety_de']['ordinary']['false_refusal']:.3f}"
            ),
        ),
        ("1 user: p50 / p95 ms", lambda r: f"{r['runs'][0]['p50']:.1f} / {r['runs'][0]['p95']:.1f}"),
        ("10 users: p50 / p95 ms", lambda r: f"{r['runs'][1]['p50']:.1f} / {r['runs'][1]['p95']:.1f}"),
        ("msg/s at 1 / 10 users", lambda r: f"{r['runs'][0]['per_second']:.1f} / {r['runs'][1]['per_second']:.1f}"),
        ("German 1 user: p50 / p95 ms", lambda r: f"{r['runs_de'][0]['p50']:.1f} / {r['runs_de'][0]['p95']:.1f}"),
        ("German msg/s at 10 users", lambda r: f"{r['runs_de'][1]['per_second']:.1f}"),
        ("errors", lambda r: f"{sum(run['errors'] for run in r['runs'] + r['runs_de'])}"),
        ("peak RSS Rasa / actions MB", lambda r: f"{r['rss'][0]:.0f} / {r['rss'][1]:.0f}"),
        ("training s", lambda r: f"{r['train']:.0f}"),
    ]
    print(f"{'':36}" + "".join(f"{n:>18}" for n in names))
    for label, cell in rows:
        print(f"{label:36}" + "".join(f"{cell(results[n]):>18}" for n in names))


def main(messages: int = 400, retrain_previous: bool = False) -> int:
    model = training.ensure_model()
    seconds = float(training.TRAIN_SECONDS.read_text()) if training.TRAIN_SECONDS.exists() else float("nan")
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    before, before_config, before_seconds = previous_model(work, retrain_previous)
    results = {
        "config.yml": measure("current", model, paths.CONFIG, seconds, messages, work),
        "previous (DIET)": measure("previous", before, before_config, before_seconds, messages, work),
    }
    print_results(results)
    return 0


if __name__ == "__main__":
    import argparse

    cli = argparse.ArgumentParser(prog="python -m devtools.bench", description=__doc__.splitlines()[0])
    cli.add_argument("--messages", type=int, default=400, help="messages per latency measurement")
    cli.add_argument(
        "--retrain-previous", action="store_true", help="train the previous pipeline even if its kept model is current"
    )
    arguments = cli.parse_args()
    sys.exit(main(arguments.messages, arguments.retrain_previous))
