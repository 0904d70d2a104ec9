"""No secret is committed: every file git tracks is scanned for the shapes of
real tokens and keys. The tests' own credentials are made-up strings that
cannot have these shapes (xoxb-test-token, 123456789:test-token-not-real)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest

from bot.paths import PROJECT

PATTERNS: Dict[str, re.Pattern] = {
    "Slack token": re.compile(r"xox[abposr]-\d{6,}-[0-9A-Za-z-]{10,}"),
    "Slack webhook": re.compile(r"hooks\.slack\.com/services/T[0-9A-Z]+/B[0-9A-Z]+/[0-9A-Za-z]+"),
    "Telegram bot token": re.compile(r"\b\d{8,10}:AA[0-9A-Za-z_-]{33}\b"),
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[0-9A-Za-z]{36}\b"),
    "OpenAI-style key": re.compile(r"\bsk-[0-9A-Za-z_-]{32,}\b"),
    "password in a URL": re.compile(r"\b(?:postgres(?:ql)?|redis|amqp|mysql)://[^/\s:@]+:[^/\s@$]{3,}@"),
    "secret in a config file": re.compile(
        r"^\s*[\w-]*(?:password|secret|token|jwt_key)[\w-]*\s*:\s*['\"]?(?!\$\{)[^\s'\"#]{6,}",
        re.IGNORECASE | re.MULTILINE,
    ),
}
CONFIG_SUFFIXES = {".yml", ".yaml", ".env", ".ini", ".cfg", ".toml", ".json"}


def findings(path: Path, text: str) -> List[str]:
    found = []
    for name, pattern in PATTERNS.items():
        if name == "secret in a config file" and path.suffix not in CONFIG_SUFFIXES:
            continue
        found += [f"{path}: {name}: {m.group(0)[:40]}" for m in pattern.finditer(text)]
    return found


def tracked_files() -> List[Path]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT, capture_output=True, check=True).stdout
    return [PROJECT / n for n in names.decode().split("\0") if n]


def test_no_tracked_file_holds_a_secret():
    files = tracked_files()
    assert len(files) > 50
    found = []
    for path in files:
        if path.is_file() and not path.name.endswith(".lock") and path.name != "package-lock.json":
            found += findings(path.relative_to(PROJECT), path.read_text(errors="replace"))
    assert found == []


def test_no_environment_file_is_tracked():
    assert [p.name for p in tracked_files() if p.name == ".env" or p.name.startswith(".env.")] == []


# Planted secrets are put together here so that this file itself holds none.
PLANTED = {
    "Slack token": "xoxb-" + "123456789012-1234567890123-" + "AbCdEfGhIjKlMnOpQrStUvWx",
    "Telegram bot token": "1234567890:" + "AA" + "H" * 33,
    "private key": "-----BEGIN " + "RSA PRIVATE KEY-----",
    "AWS access key": "AKIA" + "ABCDEFGHIJKLMNOP",
    "password in a URL": "postgresql://crmo:" + "hunter22" + "@db.example.org/crmo",
    "secret in a config file": "slack_signing_secret: " + "8f7e6d5c4b3a",
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_the_scan_finds_a_planted_secret(kind):
    assert any(kind in f for f in findings(Path("credentials.yml"), f"x:\n  {PLANTED[kind]}\n"))


def test_environment_references_are_not_secrets():
    assert findings(Path("credentials.yml"), "  slack_token: ${SLACK_TOKEN}\n  password: ${DB_PASSWORD}\n") == []
