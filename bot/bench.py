"""The benchmark (`make bench`): measures and prints, asserts nothing.

(a) intent accuracy and macro-F1 on the held-out tests/nlu_test.yml;
(b) full-turn latency p50/p95 through the REST webhook, custom action included,
    at 1 and 10 concurrent users, and messages per second; each user has short
    conversations (8 questions, then a new conversation), as families do;
(c) peak RSS of the Rasa server and the action server;
(d) training time of the model."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import List

import aiohttp

from bot import servers, training
from bot.evaluation import evaluate_nlu

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


def percentile(values: List[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


async def _user(session: aiohttp.ClientSession, url: str, user: str, count: int, latencies: list, errors: list):
    """One simulated user: short conversations of len(QUESTIONS) turns, one after another."""
    for n in range(count):
        conversation, turn = divmod(n, len(QUESTIONS))
        started = time.perf_counter()
        try:
            message = {"sender": f"{user}-{conversation}", "message": QUESTIONS[turn]}
            async with session.post(url, json=message) as reply:
                messages = await reply.json()
                if reply.status != 200 or not messages or "Source" not in messages[0].get("text", ""):
                    errors.append(reply.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            errors.append(repr(error))
        latencies.append((time.perf_counter() - started) * 1000)


async def load(url: str, users: int, messages: int) -> dict:
    latencies: list = []
    errors: list = []
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _user(session, url, f"bench-{users}-{u}-{time.time_ns()}", messages // users, latencies, errors)
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


def main(messages: int = 400) -> int:
    model = training.ensure_model()
    train_seconds = training.TRAIN_SECONDS.read_text().strip() if training.TRAIN_SECONDS.exists() else "unknown"
    print("Evaluating NLU on tests/nlu_test.yml ...", flush=True)
    report = evaluate_nlu(model, Path(tempfile.mkdtemp(prefix="bench-nlu-")))
    accuracy, macro_f1 = report["accuracy"], report["macro avg"]["f1-score"]
    print("Starting the action server and the Rasa server ...", flush=True)
    with servers.running_bot(model) as (rasa, actions):
        url = f"{rasa.url}/webhooks/rest/webhook"
        asyncio.run(load(url, 1, 20))  # warm-up: first calls build caches and graphs
        runs = [asyncio.run(load(url, users, messages)) for users in (1, 10)]
        rss = {"Rasa server": peak_rss_mb(rasa.process.pid), "action server": peak_rss_mb(actions.process.pid)}

    print("\n== CRMO assistant benchmark ==")
    print(f"machine: {os.cpu_count()} cores")
    print(f"(a) NLU on tests/nlu_test.yml: intent accuracy {accuracy:.3f}, macro-F1 {macro_f1:.3f}")
    print("(b) full turn via REST webhook incl. custom action:")
    print(f"    {'users':>5} {'messages':>8} {'p50 ms':>7} {'p95 ms':>7} {'msg/s':>7} {'errors':>6}")
    for run in runs:
        print(
            f"    {run['users']:>5} {run['messages']:>8} {run['p50']:7.1f} {run['p95']:7.1f} "
            f"{run['per_second']:7.1f} {run['errors']:>6}"
        )
    print("(c) peak RSS: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in rss.items()))
    print(f"(d) training time: {train_seconds} s (last full training)")
    return 0
