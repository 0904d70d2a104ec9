"""Trains the Rasa model only when what it is trained from has changed: the
NLU and dialogue data, the domain, the config, the project's NLU components
and dialogue policy, and the spaCy pipeline."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

from bot import nlp, sync
from bot.paths import MODELS, PROJECT

MODEL = MODELS / "crmo.tar.gz"
FINGERPRINT = MODELS / "crmo.fingerprint"
TRAIN_SECONDS = MODELS / "crmo.train-seconds"
# Rasa's training cache (rasa.engine.caching) off: a full training (--force)
# never reads it, and with it off the project's fixes spare fingerprinting every
# node's output for it (a fifth of a training).
TRAINING_ENV = {"RASA_MAX_CACHE_SIZE": "0"}
INPUTS = ("config.yml", "domain.yml", "data")
# The project's own NLU components (code and tokenizer) and dialogue policy:
# config.yml names them, so a change to them changes the model as much as a
# change to the config.
COMPONENTS = PROJECT / "bot" / "nlu"
POLICY = PROJECT / "bot" / "rasa_ext" / "rule_policy.py"


def trained_from() -> List[Path]:
    """Every file the model is trained from, in a fixed order."""
    files: List[Path] = []
    for name in INPUTS:
        path = PROJECT / name
        files += sorted(path.rglob("*.yml")) if path.is_dir() else [path]
    return files + sorted([*COMPONENTS.rglob("*.py"), *COMPONENTS.rglob("*.json"), POLICY])


def fingerprint() -> str:
    digest = hashlib.sha256()
    for file in trained_from():
        digest.update(str(file.relative_to(PROJECT)).encode())
        digest.update(file.read_bytes())
    digest.update(nlp.source_hash().encode())
    return digest.hexdigest()


def stamped(model: Path, stamp: Path, trained_from: str) -> bool:
    """Whether `model` exists and `stamp` says it was trained from inputs with
    the fingerprint `trained_from` (the benchmark keeps its previous model so too)."""
    return model.exists() and stamp.exists() and stamp.read_text().strip() == trained_from


def is_current() -> bool:
    return stamped(MODEL, FINGERPRINT, fingerprint())


def train_command(out: Path, name: str, config: Optional[Path] = None) -> List[str]:
    """Rasa's full training (`--force`) through the project's fixes
    (bot/rasa_ext), to be run with TRAINING_ENV: the model `out/<name>.tar.gz`."""
    chosen = ["--config", str(config)] if config else []
    return [sys.executable, "-m", "bot.rasa_ext.runtime", "train", *chosen, "--fixed-model-name", name,
            "--out", str(out), "--force"]  # fmt: skip


def ensure_model(force: bool = False) -> Path:
    """Builds the spaCy pipeline and trains the model if needed; returns its path."""
    stale = sync.stale()
    if stale:
        sys.exit(f"Out of date: {', '.join(map(str, stale))}. Run `python -m bot sync` and commit.")
    nlp.build()
    if not force and is_current():
        print(f"Model is up to date: {MODEL.relative_to(PROJECT)}", flush=True)
        return MODEL
    print("Training the model (a few minutes)...", flush=True)
    # the inputs as training reads them: a file edited while it runs makes the
    # next call train again, instead of calling the model up to date
    trained_from = fingerprint()
    started = time.monotonic()
    subprocess.run(train_command(MODELS, "crmo"), cwd=PROJECT, env={**os.environ, **TRAINING_ENV}, check=True)
    seconds = time.monotonic() - started
    FINGERPRINT.write_text(trained_from)
    TRAIN_SECONDS.write_text(f"{seconds:.1f}\n")
    print(f"Trained in {seconds:.0f} s", flush=True)
    return MODEL
