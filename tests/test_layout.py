"""The tree is sorted by lifecycle: what ships (bot/, actions/) never imports
developer tooling (devtools/) or the tests, the runtime lock carries no test
tool, both locks pin shared packages alike, and the project's paths have one
home. A newcomer, or an auditor of this medical service, can then tell from
the tree what is deployed."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Dict, Iterator, Tuple

import pytest

from bot.paths import PROJECT

SHIPPED = ("bot", "actions")
NOT_SHIPPED = ("devtools", "tests")
DEV_TOOLS = ("pytest", "pexpect", "playwright", "ruff", "mypy")


def python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted(p for p in (PROJECT / folder).rglob("*.py") if "node_modules" not in p.parts)


def imported_modules(path: Path) -> Iterator[Tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def test_shipped_code_imports_no_developer_tooling() -> None:
    wrong = [
        f"{path.relative_to(PROJECT)}:{line} imports {module}"
        for path in python_files(*SHIPPED)
        for line, module in imported_modules(path)
        if module.split(".")[0] in NOT_SHIPPED + DEV_TOOLS
    ]
    assert not wrong, "move the code to devtools/ or drop the import:\n" + "\n".join(wrong)


def test_the_check_sees_an_import_of_devtools(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text("import os\nfrom devtools.bench import percentile\n")
    assert [m for _, m in imported_modules(planted) if m.split(".")[0] in NOT_SHIPPED] == ["devtools.bench"]


def pins(lock: Path) -> Dict[str, str]:
    """package -> the lock's whole entry (version and hashes)."""
    entries: Dict[str, str] = {}
    name = ""
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)", line)
        if match:
            name = match.group(1).lower()
            entries[name] = line.rstrip(" \\")
        elif name and line.strip().startswith("--hash"):
            entries[name] += " " + line.strip().rstrip(" \\")
    return entries


RUNTIME = pins(PROJECT / "requirements" / "runtime.lock")
DEV = pins(PROJECT / "requirements" / "dev.lock")


@pytest.mark.parametrize("tool", DEV_TOOLS)
def test_a_production_install_carries_no_test_tools(tool: str) -> None:
    assert tool not in RUNTIME, f"{tool} is in requirements/runtime.lock: move it to requirements/dev.in, `make lock`"
    assert tool in DEV, f"{tool} is missing from requirements/dev.lock: add it to requirements/dev.in, `make lock`"


def test_both_locks_pin_shared_packages_alike() -> None:
    differ = sorted(name for name in RUNTIME if DEV.get(name) != RUNTIME[name])
    assert not differ, f"dev.lock and runtime.lock disagree on {differ}: run `make lock`"


def test_every_lock_entry_is_hashed() -> None:
    for lock in (RUNTIME, DEV):
        assert all("--hash=sha256:" in entry for entry in lock.values())


def test_the_project_root_is_worked_out_in_one_place() -> None:
    computed = [
        str(path.relative_to(PROJECT))
        for path in python_files(*SHIPPED, *NOT_SHIPPED)
        if re.search(r"^PROJECT\s*=", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert computed == ["bot/paths.py"], "import PROJECT from bot.paths instead of computing it"


def test_the_readmes_layout_names_what_is_there() -> None:
    """Every path the README's layout section names exists, and every folder and
    module of bot/ and devtools/ is named there."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("```", 2)[1]
    files = set(re.findall(r"[\w./-]+\.(?:py|yml|yaml|sh|md|in|lock|json|conf)\b", layout))
    folders = {m.group(1) for m in re.finditer(r"^\s*([\w./-]+/)", layout, re.MULTILINE)}
    named = files | folders
    missing = sorted(n for n in named if "<" not in n and not any(PROJECT.glob(f"**/{n.rstrip('/')}")))
    assert not missing, f"the README's layout names what is not there: {missing}"
    unnamed = sorted(
        p.name
        for folder in ("bot", "devtools", "scripts")
        for p in (PROJECT / folder).iterdir()
        if not p.name.startswith((".", "__")) and p.name != "node_modules" and p.name not in layout
    )
    assert not unnamed, f"say in the README's layout what these are: {unnamed}"


def test_the_widget_ships_only_socket_io_client() -> None:
    """The npm side too: the audit tool is a dev dependency, left out by `npm ci --omit=dev`."""
    package = json.loads((PROJECT / "bot" / "web" / "package.json").read_text())
    assert list(package["dependencies"]) == ["socket.io-client"]
    assert "axe-core" in package.get("devDependencies", {})
