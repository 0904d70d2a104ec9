"""The test stories (tests/test_stories.yml) pass end to end: NLU on their text
and every predicted action, with `--fail-on-prediction-errors`."""

from __future__ import annotations

from pathlib import Path

from devtools.evaluation import rasa_cli
from tests.conftest import ARTIFACTS, PROJECT


def test_stories_have_no_prediction_errors(model: Path):
    out = ARTIFACTS / "core-eval"
    result = rasa_cli(
        "test",
        "core",
        "--stories",
        str(PROJECT / "tests" / "test_stories.yml"),
        "--model",
        str(model),
        "--out",
        str(out),
        "--fail-on-prediction-errors",
    )
    failed = (out / "failed_test_stories.yml").read_text()
    assert result.returncode == 0, failed + (result.stdout + result.stderr)[-3000:]
    assert "None of the test stories failed" in failed
    report = (out / "story_report.json").read_text()
    assert '"accuracy": 1.0' in report
