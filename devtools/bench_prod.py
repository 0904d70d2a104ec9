"""The production profile under load (`make bench-prod`, `python -m devtools.bench_prod`): measures and prints,
asserts nothing.

Two Rasa servers, one action server, PostgreSQL and Redis on this machine, as
a hospital or patient group would run them behind a load balancer without
sticky sessions: each simulated user's messages alternate between the two
servers. 10, 50 and 100 users at once, each with short conversations (five
messages, one at a time, as a person types them). Counted:

- p50/p95 latency of a full turn through the REST webhook, custom action included;
- messages per second over the whole run;
- errors: a status other than 200, no reply, or an apology instead of an answer;
- lost and duplicated messages: afterwards every conversation is read back
  from PostgreSQL and its user messages compared with what was sent."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import aiohttp

from bot import training
from bot.knowledge import knowledge
from devtools import throwaway
from devtools.bench import percentile
from devtools.cluster import running_cluster

CONVERSATION = ["hello", "what is crmo", "which bones can it affect", "where is that from?", "thank you"]
TARGET_MESSAGES = 500  # per level: enough turns for stable figures


async def _user(session: aiohttp.ClientSession, urls: List[str], rounds: int, results: list, sent: Dict[str, list]):
    apologies = (knowledge().messages["message_not_processed"], knowledge().messages["action_unavailable"])
    for _ in range(rounds):
        sender = uuid.uuid4().hex
        sent[sender] = []
        for turn, text in enumerate(CONVERSATION):
            url = urls[(len(sent) + turn) % len(urls)]
            started = time.perf_counter()
            error = ""
            try:
                async with session.post(url, json={"sender": sender, "message": text}) as reply:
                    messages = await reply.json() if reply.status == 200 else []
                    joined = " ".join(m.get("text", "") for m in messages)
                    if reply.status != 200:
                        error = f"status {reply.status}"
                    elif not messages:
                        error = "no reply"
                    elif any(a in joined for a in apologies):
                        error = "apology"
            except (aiohttp.ClientError, asyncio.TimeoutError) as failure:
                error = type(failure).__name__
            sent[sender].append(text)
            results.append(((time.perf_counter() - started) * 1000, error))


async def _level(urls: List[str], users: int) -> Tuple[dict, Dict[str, list]]:
    rounds = max(1, TARGET_MESSAGES // (users * len(CONVERSATION)))
    results: List[Tuple[float, str]] = []
    sent: Dict[str, list] = {}
    timeout = aiohttp.ClientTimeout(total=180)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(_user(session, urls, rounds, results, sent) for _ in range(users)))
        elapsed = time.perf_counter() - started
    latencies = [ms for ms, _ in results]
    errors = Counter(e for _, e in results if e)
    row = {
        "users": users,
        "messages": len(results),
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "per_second": len(results) / elapsed,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
    }
    return row, sent


def _stored_user_messages(env: Dict[str, str], senders: List[str]) -> Dict[str, List[str]]:
    from bot.retention import tracker_store

    store = tracker_store(env=env)
    stored = {}
    for sender in senders:
        tracker = asyncio.run(store.retrieve_full_tracker(sender))
        events = tracker.events if tracker else []
        stored[sender] = [e.text for e in events if getattr(e, "type_name", "") == "user"]
    return stored


def _lost_and_duplicated(sent: Dict[str, list], stored: Dict[str, list]) -> Tuple[int, int]:
    lost = duplicated = 0
    for sender, texts in sent.items():
        want, have = Counter(texts), Counter(t for t in stored.get(sender, []) if t is not None)
        lost += sum((want - have).values())
        duplicated += sum((have - want).values())
    return lost, duplicated


def main(levels: Tuple[int, ...] = (10, 50, 100)) -> int:
    model = training.ensure_model()
    logs = Path(tempfile.mkdtemp(prefix="crmo-load-"))
    print("Starting PostgreSQL, Redis, the action server and two Rasa servers ...", flush=True)
    rows = []
    with throwaway.Postgres() as postgres, throwaway.Redis() as redis:
        store_env = {**postgres.env(), **redis.env()}
        with running_cluster(model, store_env, count=2, log_dir=logs) as cluster:
            urls = [f"{server.url}/webhooks/rest/webhook" for server in cluster.rasa]
            asyncio.run(_level(urls, 4))  # warm-up: first turns build caches and graphs
            for users in levels:
                print(f"  {users} users ...", flush=True)
                row, sent = asyncio.run(_level(urls, users))
                stored = _stored_user_messages(cluster.env, list(sent))
                row["lost"], row["duplicated"] = _lost_and_duplicated(sent, stored)
                rows.append(row)

    print("\n== CRMO assistant, production profile under load ==")
    print(f"machine: {os.cpu_count()} cores; 2 Rasa servers, 1 action server, PostgreSQL, Redis")
    print(f"each user: conversations of {len(CONVERSATION)} messages, alternating between the servers")
    print(f"{'users':>5} {'messages':>8} {'p50 ms':>7} {'p95 ms':>7} {'msg/s':>6} {'errors':>6} {'lost':>4} {'dup':>4}")
    for r in rows:
        print(
            f"{r['users']:>5} {r['messages']:>8} {r['p50']:7.1f} {r['p95']:7.1f} {r['per_second']:6.1f} "
            f"{r['errors']:>6} {r['lost']:>4} {r['duplicated']:>4}" + (f"  {r['error_kinds']}" if r["errors"] else "")
        )
    print(f"logs: {logs}")
    return 0


if __name__ == "__main__":
    import argparse
    import sys

    cli = argparse.ArgumentParser(prog="python -m devtools.bench_prod", description=__doc__.splitlines()[0])
    cli.add_argument("--users", default="10,50,100", help="comma-separated levels of concurrent users")
    sys.exit(main(tuple(int(n) for n in cli.parse_args().users.split(","))))
