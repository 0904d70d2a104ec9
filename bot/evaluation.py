"""Rasa's own evaluation commands, run the one way that the tests and the
benchmark share."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot import servers

HELD_OUT_NLU = servers.PROJECT / "tests" / "nlu_test.yml"


def rasa_cli(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """Runs `rasa <args>` in the project, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=servers.PROJECT,
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
