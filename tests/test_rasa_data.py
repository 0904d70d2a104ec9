"""`rasa data validate` accepts the training data and domain with no warnings."""

from __future__ import annotations

import re

from devtools.evaluation import rasa_cli


def test_rasa_data_validate_passes_without_warnings():
    result = rasa_cli("data", "validate", "--fail-on-warnings")
    output = result.stdout + result.stderr
    rasa_warnings = [
        line for line in output.splitlines() if re.search(r"UserWarning|WARNING\s+rasa\.|MissingArgumentWarning", line)
    ]
    assert result.returncode == 0, output[-3000:]
    assert rasa_warnings == []
    assert "No story structure conflicts found" in output
