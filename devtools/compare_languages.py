"""One model for English and German, or one model per language? Rasa's
convention is one model per language (a multilingual assistant runs one server,
or one pipeline, per language); this assistant trains one model on both. Both
are measured on the English and the German blind sets, and on the development
sets (tests/nlu_dev*.yml, which the fallback thresholds and the training data
rounds were tuned on, so they favour what was tuned: the one model), each
language's sets joined. The README gives the figures and the choice.

It trains, with config.yml and `rasa train nlu`, an English-only model
(data/nlu/*.yml) and a German-only model (data/nlu/de/*.yml, with the
synonyms and lookup tables both share), and reads the one-model figures from
the project's own model (models/crmo.tar.gz, trained on both). Each model is
scored on its language's blind set and development sets; the one model on
both. It prints the figures only, never a blind example.

    .venv/bin/python -m devtools.compare_languages

The README's "Auf Deutsch" section gives the result and the choice."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from bot import paths, training
from devtools.evaluation import BLIND_NLU, BLIND_NLU_DE, evaluate_blind_nlu, fallback_threshold, rasa_cli

NLU = paths.PROJECT / "data" / "nlu"
DEVELOPMENT = {
    "en": ("tests/nlu_dev.yml", "tests/nlu_dev2.yml"),
    "de": ("tests/nlu_dev_de.yml", "tests/nlu_dev2_de.yml"),
}
# Files of vocabulary rather than examples: every language's model needs them.
SHARED = ("synonyms.yml", "lookups.yml")


def train(name: str, files: List[Path], out: Path) -> tuple:
    """An NLU model of `files` (copied into one folder: `--nlu` takes one path)."""
    data = out / f"{name}-data"
    data.mkdir()
    for number, path in enumerate(files):
        shutil.copy(path, data / f"{number:02d}-{path.name}")
    started = time.monotonic()
    args = ["--config", "config.yml", "--nlu", str(data), "--out", str(out), "--fixed-model-name", name]
    result = rasa_cli("train", "nlu", *args)
    if result.returncode != 0:
        sys.exit((result.stdout + result.stderr)[-3000:])
    return out / f"{name}.tar.gz", time.monotonic() - started


def development_set(language: str, out: Path) -> Path:
    """The language's development sets in one folder (`rasa test nlu --nlu` takes one path)."""
    joined = out / f"development-{language}"
    joined.mkdir()
    for number, name in enumerate(DEVELOPMENT[language]):
        shutil.copy(paths.PROJECT / name, joined / f"{number:02d}-{Path(name).name}")
    return joined


def figures(report: dict) -> str:
    return (
        f"accuracy {report['accuracy']:.3f}, macro-F1 {report['macro avg']['f1-score']:.3f}, "
        f"confident wrong {report['confident_wrong']:.3f}"
    )


def main() -> int:
    threshold, threshold_de = fallback_threshold(), fallback_threshold(language="de")
    english = sorted(p for p in NLU.glob("*.yml"))
    german = sorted(NLU.glob("de/*.yml")) + [NLU / name for name in SHARED]
    joint = training.ensure_model()
    rows: Dict[str, str] = {}
    with tempfile.TemporaryDirectory() as work:
        out = Path(work)
        english_model, english_seconds = train("english", english, out)
        german_model, german_seconds = train("german", german, out)
        rows["one model per language, English blind set"] = (
            figures(evaluate_blind_nlu(english_model, out / "en-only", threshold, BLIND_NLU))
            + f" (trained in {english_seconds:.0f} s)"
        )
        rows["one model per language, German blind set"] = (
            figures(evaluate_blind_nlu(german_model, out / "de-only", threshold_de, BLIND_NLU_DE))
            + f" (trained in {german_seconds:.0f} s)"
        )
        rows["one model for both, English blind set"] = figures(
            evaluate_blind_nlu(joint, out / "joint-en", threshold, BLIND_NLU)
        )
        rows["one model for both, German blind set"] = figures(
            evaluate_blind_nlu(joint, out / "joint-de", threshold_de, BLIND_NLU_DE)
        )
        dev_en, dev_de = development_set("en", out), development_set("de", out)
        rows["one model per language, English development"] = figures(
            evaluate_blind_nlu(english_model, out / "en-only-dev", threshold, dev_en)
        )
        rows["one model per language, German development"] = figures(
            evaluate_blind_nlu(german_model, out / "de-only-dev", threshold_de, dev_de)
        )
        rows["one model for both, English development"] = figures(
            evaluate_blind_nlu(joint, out / "joint-en-dev", threshold, dev_en)
        )
        rows["one model for both, German development"] = figures(
            evaluate_blind_nlu(joint, out / "joint-de-dev", threshold_de, dev_de)
        )
    for name, row in rows.items():
        print(f"{name:45} {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
