"""What the sentence-embedding featurizer costs on this machine: the process's
resident memory added by loading the model, and the time to encode one
13-word-piece question on one core (median of 200 runs after a warm-up).

    .venv/bin/python -m devtools.embedding_cost"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

QUESTION = "can my daughter still do sports with her crmo?"  # 13 word pieces with [CLS] and [SEP]
RUNS = 200


def rss_mb() -> float:
    """Current resident memory (VmRSS) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the session's one thread uses
    from bot.nlu import sentence_embeddings  # imports Rasa: measured before loading the model

    before = rss_mb()
    started = time.perf_counter()
    model = sentence_embeddings.minilm()
    model.embed(QUESTION)  # onnxruntime allocates its buffers on the first run
    load_seconds = time.perf_counter() - started
    after = rss_mb()
    pieces = len(model.tokenizer.encode(QUESTION).ids)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        model.embed(QUESTION)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"question: {QUESTION!r} ({pieces} word pieces, padding off)")
    print(f"encode on one core: median {statistics.median(timings):.2f} ms, min {min(timings):.2f} ms ({RUNS} runs)")
    print(f"load + first encode: {load_seconds:.2f} s; RSS {before:.0f} -> {after:.0f} MB (+{after - before:.0f} MB)")


if __name__ == "__main__":
    main()
